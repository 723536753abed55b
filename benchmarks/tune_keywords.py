"""Score the weight of Korean bigram matches against term matches on an evaluated dataset, offline.

    .venv/bin/python benchmarks/tune_keywords.py DATASET EVAL_HOME [--limit N]

EVAL_HOME is a library built by `mysearch eval DATASET`. Each query's two keyword rankings (terms in the
body and title fields, bigrams in the grams field) are fetched once from the real FTS5 index, then every
weight is scored (keyword-only nDCG@10), the same way `Searcher.keyword` adds them up. Prints one JSON
object, with the held-out-fold figure of choosing the weight on the other folds (``folds.py``) against no
bigrams.
"""

from __future__ import annotations

import json

import folds
from _common import open_eval, parsed_queries

from mysearch.metrics import ndcg_at_k
from mysearch.search import CANDIDATES, GRAMS_WEIGHT, Filters


def main() -> None:
    ds, lib, doc_of_file, qids = open_eval()
    searcher = lib.searcher()
    runs = []
    for qid, q in parsed_queries(ds, qids, every=500):
        terms = searcher._bm25(q.fts(), CANDIDATES, Filters()) if q.fts() else []
        grams = searcher._bm25(q.fts_grams(), CANDIDATES, Filters()) if q.fts_grams() else []
        runs.append((qid, terms, grams, searcher._file_of([c for c, _ in terms + grams])))
    result = {}
    for weight in (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0):
        per_query = {}
        for qid, terms, grams, file_of in runs:
            scores: dict[int, float] = {}
            for ranking, w in ((terms, 1.0), (grams, weight)):
                for cid, score in ranking:
                    scores[cid] = scores.get(cid, 0.0) + w * score
            ranked: list[str | None] = []
            for cid in sorted(scores, key=lambda c: -scores[c]):
                doc = doc_of_file.get(file_of.get(cid))
                if doc not in ranked:
                    ranked.append(doc)
            per_query[qid] = ndcg_at_k(ranked, ds.qrels[qid], 10)
        result[f"grams weight {weight}"] = per_query
    cv = folds.cross_validate(result, folds.assign(ds.qrels, [r[0] for r in runs]), "grams weight 0.0",
                              f"grams weight {GRAMS_WEIGHT}")
    result = {v: round(sum(pq.values()) / len(pq), 4) for v, pq in result.items()}
    out = {"dataset": ds.name, "queries": len(runs), "in_use": GRAMS_WEIGHT, "best": max(result, key=result.get),
           "cross_validated": cv}
    print(json.dumps({**out, "keyword ndcg@10": result}, indent=1))


if __name__ == "__main__":
    main()
