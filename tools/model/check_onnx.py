"""Compare ONNX graphs of all-MiniLM-L6-v2 with the sentence-transformers reference fixture.

Feeds the fixture's token ids to each graph with onnxruntime, mean-pools last_hidden_state over the
attention mask, L2-normalises, and reports the cosine similarity to the reference embeddings: once
with every text alone, once with all texts in one right-padded batch (exercises the mask path).
Exits non-zero when a model falls below its threshold.

Usage: check_onnx.py --fixture test/fixtures/embeddings/reference.json \
           model.onnx:0.9999 model-int8.onnx:0.99
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort


def embed(session: ort.InferenceSession, sequences: list[list[int]]) -> np.ndarray:
    width = max(len(s) for s in sequences)
    ids = np.zeros((len(sequences), width), dtype=np.int64)
    mask = np.zeros_like(ids)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
        mask[row, : len(seq)] = 1
    (hidden,) = session.run(["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})
    summed = (hidden * mask[..., None]).sum(axis=1)
    mean = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
    return mean / np.linalg.norm(mean, axis=1, keepdims=True)


def cosines(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    want = want / np.linalg.norm(want, axis=1, keepdims=True)
    return (got * want).sum(axis=1)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fixture", required=True, type=Path)
    ap.add_argument("models", nargs="+", help="path[:min_cosine] of each ONNX graph to check")
    args = ap.parse_args(argv)

    fixture = json.loads(args.fixture.read_text())
    items = fixture["items"]
    sequences = [item["token_ids"] for item in items]
    want = np.array([item["embedding"] for item in items], dtype=np.float64)

    failed = False
    for spec in args.models:
        path, _, threshold = spec.partition(":")
        minimum = float(threshold or "0.9999")
        options = ort.SessionOptions()
        options.intra_op_num_threads = 2
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        alone = cosines(np.concatenate([embed(session, [s]) for s in sequences]), want)
        batched = cosines(embed(session, sequences), want)
        worst = int(np.argmin(alone))
        ok = min(alone.min(), batched.min()) >= minimum
        failed |= not ok
        print(
            f"{Path(path).name}: alone min {alone.min():.9f} mean {alone.mean():.9f} "
            f"(worst: {items[worst]['kind']}); padded batch min {batched.min():.9f} mean {batched.mean():.9f}; "
            f"threshold {minimum} {'ok' if ok else 'FAILED'}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
