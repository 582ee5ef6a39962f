"""Qdrant stand-in: a small HTTP server speaking a subset of Qdrant's REST API (1.19.0), backed by
Qdrant's embedded engine (PyPI qdrant-edge-py). It exists for machines where no Qdrant server can
run; users run the real Qdrant.

    python infra/qdrant-standin/server.py --host 127.0.0.1 --port 6333 --data-dir DIR

Settings may also come from QDRANT_STANDIN_HOST, QDRANT_STANDIN_PORT, QDRANT_STANDIN_DATA_DIR and
QDRANT_STANDIN_LOG_LEVEL. Port 0 picks a free port; the start line names the one chosen.
"""

import argparse
import fcntl
import importlib.metadata
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import types
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from collection_store import CollectionStore  # noqa: E402
from http_api import Dispatcher  # noqa: E402
from routes import VERSION_INFO  # noqa: E402

log = logging.getLogger("qdrant-standin")

SPEC_PATH = os.path.join(HERE, "openapi.json")
FLUSH_INTERVAL_S = 5  # the server's default `flush_interval_sec`; bounds WAL replay after a crash


def parse_args(argv: list[str]) -> argparse.Namespace:
    env = os.environ
    parser = argparse.ArgumentParser(description="Qdrant REST stand-in on Qdrant Edge")
    parser.add_argument("--host", default=env.get("QDRANT_STANDIN_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("QDRANT_STANDIN_PORT", "6333")))
    parser.add_argument("--data-dir", default=env.get("QDRANT_STANDIN_DATA_DIR"))
    parser.add_argument("--log-level", default=env.get("QDRANT_STANDIN_LOG_LEVEL", "info"),
                        choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    if not args.data_dir:
        parser.error("--data-dir (or QDRANT_STANDIN_DATA_DIR) is required: the directory collections are kept in")
    return args


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients pool connections
    server_version = "qdrant-standin"
    sys_version = ""

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this, Nagle + delayed ACK add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._serve()

    do_PUT = do_POST = do_DELETE = do_PATCH = do_GET

    def _serve(self):
        try:
            body = self._read_body()
        except ValueError as err:
            self._send(400, "text/plain; charset=utf-8", str(err).encode())
            self.close_connection = True
            return
        reply = self.server.dispatcher.handle(self.command, self.path, self.headers, body)
        self._send(reply.status, reply.content_type, reply.body)

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        n = int(length)
        if n < 0:
            raise ValueError("invalid Content-Length")
        return self.rfile.read(n)

    def _send(self, status: int, content_type: str, body: bytes):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        log.debug("%s %s", self.address_string(), format % args)


class StandInServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, dispatcher: Dispatcher):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.dispatcher = dispatcher
        super().__init__(address, Handler)


def lock_data_dir(data_dir: str):
    """One server per data dir: the engine allows a shard to be open only once."""
    handle = open(os.path.join(data_dir, ".lock"), "w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(f"qdrant-standin: {data_dir} is in use by another stand-in; stop it or pick another --data-dir")
    return handle


def flush_periodically(store: CollectionStore, stop: threading.Event) -> None:
    while not stop.wait(FLUSH_INTERVAL_S):
        try:
            store.flush_dirty()
        except Exception:
            log.exception("periodic flush failed")


def main(argv: list[str]) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    data_dir = os.path.abspath(args.data_dir)
    os.makedirs(data_dir, exist_ok=True)
    dir_lock = lock_data_dir(data_dir)

    with open(SPEC_PATH) as f:
        spec = json.load(f)
    store = CollectionStore(data_dir)
    loaded = store.load_all()
    server = StandInServer((args.host, args.port), Dispatcher(spec, types.SimpleNamespace(store=store)))

    stop = threading.Event()
    flusher = threading.Thread(target=flush_periodically, args=(store, stop), name="flusher", daemon=True)
    flusher.start()

    def on_signal(signum, _frame):
        log.info("received %s, shutting down", signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, which runs on this (main) thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    host, port = server.server_address[:2]
    log.info(
        "listening on http://%s:%d, standing in for Qdrant %s (REST subset on Qdrant Edge %s); "
        "data dir %s, %d collection(s) loaded in %.0f ms",
        host if ":" not in host else f"[{host}]", port, VERSION_INFO["version"],
        importlib.metadata.version("qdrant-edge-py"), data_dir, loaded, (time.perf_counter() - started) * 1000,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        stop.set()
        server.server_close()
        store.close_all()
        dir_lock.close()
        log.info("stopped; all shards flushed and closed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
