"""Score re-ranking the fused top files by term proximity (search.near_rerank) on an evaluated dataset.

    .venv/bin/python benchmarks/tune_near.py DATASET EVAL_HOME [--limit N]

EVAL_HOME is a library built by `mysearch eval DATASET`. Each query's fused hybrid scores (as
`Searcher.search` computes them, before the proximity step) and the keyword tokens of its top files are
fetched once; then every (files, window, weight) is scored by hybrid nDCG@10. Weight 0 is the fused
order alone. Prints one JSON object, with the held-out-fold figure of choosing on the other folds
(``folds.py``: folds by article) against the fused order alone.
"""

from __future__ import annotations

import itertools
import json

import folds
from _common import open_eval, parsed_queries

from mysearch import search
from mysearch.metrics import ndcg_at_k
from mysearch.search import Filters, fuse_scores, near_rerank, near_score


def main() -> None:
    ds, lib, doc_of_file, qids = open_eval()
    searcher = lib.searcher()
    runs = []
    for qid, q in parsed_queries(ds, qids, every=200):
        sides = searcher.rankings(q, Filters())
        file_of = searcher._file_of([c for s in sides for c, _ in s.ranking])
        scores, _ = fuse_scores(sides, file_of)
        top = sorted(scores, key=lambda c: -scores[c])[:30]
        idf = lib.catalog.term_idf(q.terms)
        runs.append((qid, scores, file_of, lib.catalog.keyword_tokens(top), idf, len(q.terms)))

    def score(files: int, window: int, weight: float) -> dict[str, float]:
        per_query = {}
        for qid, scores, file_of, tokens, idf, n_terms in runs:
            top = sorted(scores, key=lambda c: -scores[c])[:files]
            if weight and n_terms >= 2 and len(top) >= 2:
                scores = near_rerank(scores, {c: near_score(tokens[c], idf, window) for c in top}, weight)
            ranked = [doc_of_file.get(file_of[c]) for c in sorted(scores, key=lambda c: -scores[c])]
            per_query[qid] = ndcg_at_k(ranked, ds.qrels[qid], 10)
        return per_query

    result = {"fused only": score(0, 0, 0.0)}
    for files, window, weight in itertools.product((10, 20, 30), (8, 12, 16, 24), (0.2, 0.35, 0.5, 0.75)):
        result[f"files {files} window {window} weight {weight}"] = score(files, window, weight)
    in_use = f"files {search.NEAR_FILES} window {search.NEAR_WINDOW} weight {search.NEAR_WEIGHT}"
    cv = folds.cross_validate(result, folds.assign(ds.qrels, [r[0] for r in runs]), "fused only", in_use)
    result = {v: round(sum(pq.values()) / len(pq), 4) for v, pq in result.items()}
    print(
        json.dumps(
            {
                "dataset": ds.name,
                "queries": len(runs),
                "in_use": in_use,
                "in_use ndcg@10": result.get(in_use),
                "best": max(result, key=result.get),
                "cross_validated": cv,
                "hybrid ndcg@10": result,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
