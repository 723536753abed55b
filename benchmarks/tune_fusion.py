"""Compare ways of fusing the keyword and meaning rankings on an evaluated dataset, offline.

    .venv/bin/python benchmarks/tune_fusion.py DATASET EVAL_HOME [--limit N]

EVAL_HOME is a library built by `mysearch eval DATASET` (``<home>/eval/<name>-<model>``). Each query's two
rankings are computed once, then every fusion variant is scored on them (nDCG@10), so choosing the
weights is measured rather than guessed. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mysearch import evaluate
from mysearch.library import Library
from mysearch.metrics import ndcg_at_k
from mysearch.search import Filters, Query, fuse


def score_fusion(kw, de, file_of, alpha):  # noqa: ANN001, ANN201
    """alpha * BM25 / top BM25 + (1 - alpha) * min-max cosine, per file (its best chunk)."""
    out: dict[int, float] = {}
    for ranking, w in ((kw, alpha), (de, 1 - alpha)):
        if not ranking:
            continue
        hi, lo = ranking[0][1], ranking[-1][1]
        best: dict[int, float] = {}
        for cid, sc in ranking:
            f = file_of.get(cid)
            if f is not None and f not in best:
                best[f] = (sc - lo) / (hi - lo) if hi > lo else 1.0
        for f, v in best.items():
            out[f] = out.get(f, 0.0) + w * v
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("home")
    ap.add_argument("--limit", type=int)
    args = ap.parse_args()
    ds = evaluate.load(Path(args.dataset))
    lib = Library.open(Path(args.home))
    searcher = lib.searcher()
    by_name = {f"{evaluate._safe(d)}.txt": d for d in ds.docs}
    doc_of_file = {fid: by_name.get(Path(p).name) for fid, p in lib.catalog.db.execute("SELECT id, path FROM files")}
    qids = list(ds.queries)[: args.limit] if args.limit else list(ds.queries)
    runs = []
    for i, qid in enumerate(qids):
        q = Query.parse(ds.queries[qid])
        kw = searcher.keyword(q, 100, Filters())
        de = searcher.dense(q, 100, Filters())
        runs.append((qid, kw, de, searcher._file_of([c for c, _ in kw] + [c for c, _ in de])))
        if i % 50 == 0:
            print(f"{i}/{len(qids)}", file=sys.stderr)
    variants = {}
    for kw_w, de_w in ((1, 0), (0, 1), (1, 1), (1.5, 1), (2, 1), (3, 1), (5, 1)):
        for k in (5, 20, 60):
            variants[f"rrf w={kw_w}:{de_w} k={k}"] = (kw_w, de_w, k)
    result = {}
    for alpha in (0.5, 0.6, 0.7, 0.8):
        total = 0.0
        for qid, kw, de, file_of in runs:
            fused = score_fusion(kw, de, file_of, alpha)
            ranked = [doc_of_file.get(f) for f in sorted(fused, key=lambda f: -fused[f])]
            total += ndcg_at_k(ranked, ds.qrels[qid], 10)
        result[f"score alpha={alpha}"] = round(total / len(runs), 4)
    for name, (kw_w, de_w, k) in variants.items():
        total = 0.0
        for qid, kw, de, file_of in runs:
            scores, _ = fuse(kw, de, kw_w, de_w, file_of, k)
            ranked = [doc_of_file.get(file_of[c]) for c in sorted(scores, key=lambda c: -scores[c])]
            total += ndcg_at_k(ranked, ds.qrels[qid], 10)
        result[name] = round(total / len(runs), 4)
    best = max(result, key=result.get)
    print(json.dumps({"dataset": ds.name, "queries": len(runs), "best": best, "ndcg@10": result}, indent=1))


if __name__ == "__main__":
    main()
