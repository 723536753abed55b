"""Tuning that is judged on queries it did not see: folds by article, choose on some, report the others.

A dev set's queries about one article (SQuAD-style sets: every paragraph of an article) or one document
(BEIR: the query's relevant document) share words and answers, so folds are made of whole articles, never
of queries alone: a fold's queries ask about articles no other fold asks about. For each fold, the
variant that scores best on the other folds is chosen and scored on this one; the held-out figure is
the mean over every query of the score its fold's choice got. A step is kept only if its held-out figure
beats the baseline's on both languages' sets.
"""

from __future__ import annotations

import math
import random
import re

K = 5
SEED = 2026


def group_of(doc_ids: list[str]) -> str:
    """A query's article: ``a012`` for a SQuAD paragraph ``a012-p003``, else its first relevant document."""
    first = sorted(doc_ids)[0]
    m = re.match(r"^(a\d+)-p\d+$", first)
    return m.group(1) if m else first


def assign(qrels: dict[str, dict[str, int]], qids: list[str], k: int = K, seed: int = SEED) -> dict[str, int]:
    """Each query's fold (0..k-1): articles shuffled with a fixed seed and dealt round-robin."""
    group = {q: group_of(list(qrels[q])) for q in qids}
    names = sorted(set(group.values()))
    random.Random(seed).shuffle(names)
    fold_of_group = {g: i % k for i, g in enumerate(names)}
    return {q: fold_of_group[group[q]] for q in qids}


def _mean_se(values: list[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else 0.0
    return mean, math.sqrt(var / n)


def cross_validate(per_query: dict[str, dict[str, float]], fold_of: dict[str, int], baseline: str,
                   in_use: str | None = None) -> dict[str, object]:
    """``per_query[variant][qid]`` is a query's score under a variant. Returns the held-out figure of
    choosing on the other folds, the baseline's and the variant in use on the same queries, and the
    paired difference to the baseline with its standard error (per query)."""
    qids = sorted(fold_of)
    folds = sorted(set(fold_of.values()))
    chosen: dict[int, str] = {}
    held: dict[str, float] = {}
    for f in folds:
        train = [q for q in qids if fold_of[q] != f]
        chosen[f] = max(per_query, key=lambda v: (sum(per_query[v][q] for q in train), v == baseline))
        for q in qids:
            if fold_of[q] == f:
                held[q] = per_query[chosen[f]][q]
    cv_mean, cv_se = _mean_se([held[q] for q in qids])
    base_mean, base_se = _mean_se([per_query[baseline][q] for q in qids])
    diff_mean, diff_se = _mean_se([held[q] - per_query[baseline][q] for q in qids])
    all_dev_best = max(per_query, key=lambda v: sum(per_query[v].values()))
    out: dict[str, object] = {
        "folds": len(folds),
        "queries": len(qids),
        "chosen_per_fold": [chosen[f] for f in folds],
        "held_out": {"ndcg@10": round(cv_mean, 4), "se": round(cv_se, 4)},
        "baseline": {"variant": baseline, "ndcg@10": round(base_mean, 4), "se": round(base_se, 4)},
        "held_out_minus_baseline": {"mean": round(diff_mean, 4), "se": round(diff_se, 4)},
        "all_dev_best": {"variant": all_dev_best,
                         "ndcg@10": round(sum(per_query[all_dev_best].values()) / len(qids), 4)},
        "kept": diff_mean > 0,
    }
    if in_use is not None and in_use in per_query:
        mean, se = _mean_se([per_query[in_use][q] for q in qids])
        out["in_use"] = {"variant": in_use, "ndcg@10": round(mean, 4), "se": round(se, 4),
                         "per_fold": [round(sum(per_query[in_use][q] for q in qids if fold_of[q] == f)
                                            / max(1, sum(1 for q in qids if fold_of[q] == f)), 4) for f in folds]}
    return out
