"""Build the ONNX graph of a BERT encoder (all-MiniLM-L6-v2) straight from model.safetensors.

No PyTorch: the graph is written op by op with the `onnx` helpers and the weights are copied from
the safetensors file. Inputs are input_ids, attention_mask and token_type_ids (int64, [batch, seq]);
the output is last_hidden_state [batch, seq, hidden]. Pooling and normalisation happen in the
TypeScript engine, so the same graph serves every pooling choice.

The graph uses the op patterns of a PyTorch BERT export (LayerNormalization, erf GELU, the
(1 - mask) * -10000 additive mask), which onnxruntime's graph optimizer recognises and fuses.

Usage: convert_to_onnx.py --weights model.safetensors --config config.json --out model.onnx
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import load_file

OPSET = 17  # first opset with LayerNormalization; onnxruntime-node 1.17+ runs it.
IR_VERSION = 8  # the IR that goes with opset 17; newer IRs are refused by older runtimes.
MASK_FILL = -10000.0  # HF BERT's additive mask: exp() of it underflows to exactly 0 in float32.


class GraphBuilder:
    """Collects nodes and initializers; names every intermediate value after its node."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []

    def const(self, name: str, value: np.ndarray) -> str:
        self.inits.append(numpy_helper.from_array(np.array(value, order="C"), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, **attrs) -> str:
        self.nodes.append(helper.make_node(op_type, inputs, [name], name=name, **attrs))
        return name


def linear(g: GraphBuilder, x: str, w: dict[str, np.ndarray], prefix: str, name: str) -> str:
    # torch Linear stores [out, in]; MatMul wants [in, out].
    weight = g.const(f"{prefix}.weight", w[f"{prefix}.weight"].T)
    bias = g.const(f"{prefix}.bias", w[f"{prefix}.bias"])
    return g.op("Add", [g.op("MatMul", [x, weight], f"{name}/MatMul"), bias], f"{name}/Add")


def layer_norm(g: GraphBuilder, x: str, w: dict[str, np.ndarray], prefix: str, eps: float, name: str) -> str:
    scale = g.const(f"{prefix}.weight", w[f"{prefix}.weight"])
    bias = g.const(f"{prefix}.bias", w[f"{prefix}.bias"])
    return g.op("LayerNormalization", [x, scale, bias], name, axis=-1, epsilon=eps)


def gelu(g: GraphBuilder, x: str, name: str) -> str:
    # Exact (erf) GELU, as BERT's "gelu" activation; onnxruntime fuses this pattern into Gelu.
    scaled = g.op("Div", [x, "const_sqrt2"], f"{name}/Div")
    erf = g.op("Erf", [scaled], f"{name}/Erf")
    one_plus = g.op("Add", [erf, "const_one"], f"{name}/Add")
    prod = g.op("Mul", [x, one_plus], f"{name}/Mul")
    return g.op("Mul", [prod, "const_half"], f"{name}/Mul_1")


def attention(g: GraphBuilder, x: str, mask: str, w: dict[str, np.ndarray], i: int, heads: int, head_dim: int) -> str:
    p = f"encoder.layer.{i}.attention"
    n = f"layer{i}/attention"
    split = g.const(f"{n}/heads_shape", np.array([0, 0, heads, head_dim], dtype=np.int64))
    q = g.op("Reshape", [linear(g, x, w, f"{p}.self.query", f"{n}/query"), split], f"{n}/query/Reshape")
    k = g.op("Reshape", [linear(g, x, w, f"{p}.self.key", f"{n}/key"), split], f"{n}/key/Reshape")
    v = g.op("Reshape", [linear(g, x, w, f"{p}.self.value", f"{n}/value"), split], f"{n}/value/Reshape")
    q = g.op("Transpose", [q], f"{n}/query/Transpose", perm=[0, 2, 1, 3])
    k = g.op("Transpose", [k], f"{n}/key/Transpose", perm=[0, 2, 3, 1])
    v = g.op("Transpose", [v], f"{n}/value/Transpose", perm=[0, 2, 1, 3])
    scores = g.op("MatMul", [q, k], f"{n}/scores/MatMul")
    scores = g.op("Div", [scores, g.const(f"{n}/scale", np.array(math.sqrt(head_dim), dtype=np.float32))], f"{n}/scores/Div")
    scores = g.op("Add", [scores, mask], f"{n}/scores/Add")
    probs = g.op("Softmax", [scores], f"{n}/Softmax", axis=-1)
    ctx = g.op("MatMul", [probs, v], f"{n}/context/MatMul")
    ctx = g.op("Transpose", [ctx], f"{n}/context/Transpose", perm=[0, 2, 1, 3])
    merge = g.const(f"{n}/merge_shape", np.array([0, 0, heads * head_dim], dtype=np.int64))
    ctx = g.op("Reshape", [ctx, merge], f"{n}/context/Reshape")
    return linear(g, ctx, w, f"{p}.output.dense", f"{n}/output")


def build(weights: dict[str, np.ndarray], config: dict) -> onnx.ModelProto:
    hidden = int(config["hidden_size"])
    heads = int(config["num_attention_heads"])
    layers = int(config["num_hidden_layers"])
    eps = float(config.get("layer_norm_eps", 1e-12))
    if config.get("hidden_act", "gelu") != "gelu":
        raise SystemExit(f"unsupported hidden_act {config.get('hidden_act')!r}: only exact gelu is built")
    head_dim = hidden // heads

    g = GraphBuilder()
    g.const("const_sqrt2", np.array(math.sqrt(2.0), dtype=np.float32))
    g.const("const_one", np.array(1.0, dtype=np.float32))
    g.const("const_half", np.array(0.5, dtype=np.float32))

    # Embeddings: (word + token type) + position rows 0..seq-1, then LayerNorm. The shape of this
    # subgraph (Shape -> Gather -> Unsqueeze -> Slice of position_ids -> Gather) is the one
    # onnxruntime's optimizer fuses into EmbedLayerNormalization.
    e = "embeddings"
    words = g.op("Gather", [g.const(f"{e}.word_embeddings.weight", weights[f"{e}.word_embeddings.weight"]), "input_ids"], "embeddings/word/Gather")
    types = g.op("Gather", [g.const(f"{e}.token_type_embeddings.weight", weights[f"{e}.token_type_embeddings.weight"]), "token_type_ids"], "embeddings/type/Gather")
    shape = g.op("Shape", ["input_ids"], "embeddings/Shape")
    seq_len = g.op("Gather", [shape, g.const("const_one_i64", np.array(1, dtype=np.int64))], "embeddings/seq_len", axis=0)
    seq_len = g.op("Unsqueeze", [seq_len, g.const("const_axes_0", np.array([0], dtype=np.int64))], "embeddings/seq_len/Unsqueeze")
    max_positions = weights[f"{e}.position_embeddings.weight"].shape[0]
    position_ids = g.const("embeddings.position_ids", np.arange(max_positions, dtype=np.int64)[None, :])
    zero, one = g.const("const_zero_1d", np.array([0], dtype=np.int64)), g.const("const_one_1d", np.array([1], dtype=np.int64))
    position_ids = g.op("Slice", [position_ids, zero, seq_len, one, one], "embeddings/position_ids/Slice")
    positions = g.op("Gather", [g.const(f"{e}.position_embeddings.weight", weights[f"{e}.position_embeddings.weight"]), position_ids], "embeddings/position/Gather")
    x = g.op("Add", [words, types], "embeddings/Add")
    x = g.op("Add", [x, positions], "embeddings/Add_1")
    x = layer_norm(g, x, weights, f"{e}.LayerNorm", eps, "embeddings/LayerNorm")

    # Additive attention mask [batch, 1, 1, seq]: 0 where attended, MASK_FILL on padding.
    m = g.op("Unsqueeze", ["attention_mask", g.const("const_axes_1", np.array([1], dtype=np.int64))], "mask/Unsqueeze")
    m = g.op("Unsqueeze", [m, g.const("const_axes_2", np.array([2], dtype=np.int64))], "mask/Unsqueeze_1")
    m = g.op("Cast", [m], "mask/Cast", to=TensorProto.FLOAT)
    m = g.op("Sub", ["const_one", m], "mask/Sub")
    mask = g.op("Mul", [m, g.const("const_mask_fill", np.array(MASK_FILL, dtype=np.float32))], "mask/Mul")

    for i in range(layers):
        p = f"encoder.layer.{i}"
        attn = attention(g, x, mask, weights, i, heads, head_dim)
        x = layer_norm(g, g.op("Add", [attn, x], f"layer{i}/attention/residual"), weights, f"{p}.attention.output.LayerNorm", eps, f"layer{i}/attention/LayerNorm")
        inter = gelu(g, linear(g, x, weights, f"{p}.intermediate.dense", f"layer{i}/intermediate"), f"layer{i}/gelu")
        out = linear(g, inter, weights, f"{p}.output.dense", f"layer{i}/output")
        x = layer_norm(g, g.op("Add", [out, x], f"layer{i}/output/residual"), weights, f"{p}.output.LayerNorm", eps, f"layer{i}/output/LayerNorm")
    g.nodes.append(helper.make_node("Identity", [x], ["last_hidden_state"], name="last_hidden_state"))

    ids = lambda n: helper.make_tensor_value_info(n, TensorProto.INT64, ["batch_size", "sequence_length"])  # noqa: E731
    graph = helper.make_graph(
        g.nodes,
        "bert_encoder",
        [ids("input_ids"), ids("attention_mask"), ids("token_type_ids")],
        [helper.make_tensor_value_info("last_hidden_state", TensorProto.FLOAT, ["batch_size", "sequence_length", hidden])],
        g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="embedstream-convert_to_onnx")
    model.ir_version = IR_VERSION
    return model


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True, type=Path, help="model.safetensors of a BertModel")
    ap.add_argument("--config", required=True, type=Path, help="its config.json")
    ap.add_argument("--out", required=True, type=Path, help="where to write the .onnx file")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    weights = load_file(str(args.weights))
    model = build(weights, json.loads(args.config.read_text()))
    onnx.checker.check_model(model)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(args.out.suffix + ".tmp")
    onnx.save_model(model, str(tmp))
    tmp.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
