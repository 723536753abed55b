"""Compare ways of fusing the keyword and meaning rankings on an evaluated dataset, offline.

    .venv/bin/python benchmarks/tune_fusion.py DATASET EVAL_HOME [--limit N]

EVAL_HOME is a library built by `mysearch eval DATASET` (``<home>/eval/<name>-<model>``). Each query's
rankings (keywords, and one per embedding model with vectors there) are computed once, then every fusion
variant is scored on them (nDCG@10), so choosing the weights is measured rather than guessed. An
English-only model gets no weight on Korean queries in every variant, as in the engine. Prints one JSON
object, with the held-out-fold figure of choosing the weights on the other folds (``folds.py``: folds by
article) against untuned equal weights and the weights in use.
"""

from __future__ import annotations

import itertools
import json

import folds
from _common import open_eval, parsed_queries

from mysearch.metrics import ndcg_at_k
from mysearch.search import Filters, Side, fuse, fuse_scores


def main() -> None:
    ds, lib, doc_of_file, qids = open_eval()
    searcher = lib.searcher()
    models = lib.search_models()
    runs = []
    for qid, q in parsed_queries(ds, qids, every=100):
        say = {m for name, m, w in searcher.weights(q) if name == "dense" and w > 0}
        kw = searcher.keyword(q, 100, Filters())
        dense = [searcher.dense(q, 100, Filters(), m) if m in say else [] for m in models]
        ids = [c for c, _ in kw] + [c for d in dense for c, _ in d]
        runs.append((qid, kw, dense, searcher._file_of(ids)))

    def score(method, weights, **kw_args) -> dict[str, float]:
        per_query = {}
        for qid, kw, dense, file_of in runs:
            sides = [Side("keyword", kw, weights[0])]
            sides += [Side("dense", d, w) for d, w in zip(dense, weights[1:], strict=True) if d]
            scores, _ = method(sides, file_of, **kw_args)
            ranked = [doc_of_file.get(file_of[c]) for c in sorted(scores, key=lambda c: -scores[c])]
            per_query[qid] = ndcg_at_k(ranked, ds.qrels[qid], 10)
        return per_query

    grid = (0.0, 0.25, 0.5, 0.75, 1.0)
    result = {}
    for dense_w in itertools.product(grid, repeat=len(models)):
        for kw_w in (0.0, 1.0):
            if kw_w == 0 and not any(dense_w):
                continue
            weights = (kw_w, *dense_w)
            label = ":".join(str(w) for w in weights)
            result[f"score {label}"] = score(fuse_scores, weights)
    for weights in ((1.0,) + (1.0 / len(models),) * len(models), (2.0,) + (1.0 / len(models),) * len(models)):
        for k in (20, 60):
            result[f"rrf {':'.join(str(round(w, 2)) for w in weights)} k={k}"] = score(fuse, weights, k=k)
    equal = "score " + ":".join(["1.0"] * (1 + len(models)))
    in_use = "score " + ":".join(["1.0", "1.0", *["0.5"] * (len(models) - 1)][: 1 + len(models)])
    cv = folds.cross_validate(result, folds.assign(ds.qrels, [r[0] for r in runs]), equal, in_use)
    result = {v: round(sum(pq.values()) / len(pq), 4) for v, pq in result.items()}
    best = max(result, key=result.get)
    print(
        json.dumps(
            {"dataset": ds.name, "queries": len(runs), "sides": ["keyword", *models], "best": best,
             "cross_validated": cv, "ndcg@10": result},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
