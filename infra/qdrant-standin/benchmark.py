"""Measures the stand-in: start time, resident memory idle and loaded, upsert throughput, query latency.

    ~/.cache/embedstream/qdrant-venv/bin/python infra/qdrant-standin/benchmark.py [--points 10000] [--dim 384]

Starts its own server on a free port over a temporary data dir and removes both afterwards. The
client runs on the same machine, so figures include its JSON encoding.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kib = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return kib / 1024


class Client:
    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port)

    def call(self, method: str, path: str, body=None):
        data = body if body is None or isinstance(body, str) else json.dumps(body)
        headers = {} if body is None else {"Content-Type": "application/json"}
        self.conn.request(method, path, body=data, headers=headers)
        res = self.conn.getresponse()
        payload = json.loads(res.read())
        if res.status != 200:
            raise RuntimeError(f"{method} {path} → {res.status}: {payload}")
        return payload["result"]


def start_server(data_dir: str):
    started = time.perf_counter()
    server = subprocess.Popen([sys.executable, os.path.join(HERE, "server.py"), "--port", "0", "--data-dir", data_dir],
                              stderr=subprocess.PIPE, text=True)
    line = server.stderr.readline()
    port = int(re.search(r"listening on http://127\.0\.0\.1:(\d+)", line).group(1))
    return server, port, (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="qdrant-standin-bench-")
    server, port, start_ms = start_server(data_dir)
    try:
        client = Client(port)
        client.call("GET", "/collections")
        idle = rss_mib(server.pid)

        rnd = random.Random(7)
        vectors = [[rnd.gauss(0, 1) for _ in range(args.dim)] for _ in range(args.points)]
        client.call("PUT", "/collections/bench", {"vectors": {"size": args.dim, "distance": "Cosine"}})
        # Bodies are encoded before the clock starts: Python's JSON encoder would otherwise be
        # most of what is measured.
        bodies = [
            json.dumps({"points": [{"id": j, "vector": vectors[j], "payload": {"group": j % 10, "title": f"doc {j}"}}
                                   for j in range(i, min(i + args.batch, args.points))]})
            for i in range(0, args.points, args.batch)
        ]
        t0 = time.perf_counter()
        for body in bodies:
            client.call("PUT", "/collections/bench/points?wait=true", body)
        upsert_s = time.perf_counter() - t0
        loaded = rss_mib(server.pid)

        latencies = []
        for q in range(args.queries):
            query = {"query": vectors[rnd.randrange(args.points)], "limit": 10, "with_payload": True}
            if q % 2:
                query["filter"] = {"must": [{"key": "group", "match": {"value": q % 10}}]}
            t = time.perf_counter()
            client.call("POST", "/collections/bench/points/query", query)
            latencies.append((time.perf_counter() - t) * 1000)
        latencies.sort()
        after_queries = rss_mib(server.pid)

        server.terminate()
        server.wait(timeout=30)
        server, port, restart_ms = start_server(data_dir)
        restarted_count = Client(port).call("POST", "/collections/bench/points/count", {})["count"]

        print(json.dumps({
            "start_ms": round(start_ms),
            "rss_idle_mib": round(idle, 1),
            "rss_after_upsert_mib": round(loaded, 1),
            "rss_after_queries_mib": round(after_queries, 1),
            "points": args.points, "dim": args.dim, "batch": args.batch,
            "upsert_points_per_s": round(args.points / upsert_s),
            "query_p50_ms": round(statistics.median(latencies), 2),
            "query_p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 2),
            "queries": args.queries,
            "restart_with_data_ms": round(restart_ms),
            "points_after_restart": restarted_count,
        }, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
