"""Measure the rules that make results trustworthy, offline on an evaluated dataset.

    .venv/bin/python benchmarks/tune_trust.py DATASET EVAL_HOME [--limit N] [--only TEXT ...] [--floor MODEL=SIM ...]

``--only``: score only the variants of these names ("before" for the first) (each variant runs the whole search
path once per query of the three sets). ``--floor``: also score a floor chosen elsewhere (say, the
largest over all dev sets), with tiers and the few-hit standardisation on.

EVAL_HOME is a library built by `mysearch eval DATASET`. Each side's ranking is computed once per query
(cached), then the whole search path runs for each variant of the rules in ``mysearch.search``: exact
matches first (EXACT_TIERS), the standardisation of a keyword side with few hits (KEYWORD_ZEROS_BELOW)
the floor under meaning-only hits (DENSE_FLOOR, DENSE_MARGIN) and the least share of the query that a
keyword match must hold (KEYWORD_COVERAGE). Four sets are scored for each: the dataset's own queries
(hybrid and keyword nDCG@10), strings that occur in one document only (exact file at rank 1,
``mysearch.exact_eval``), made-up words and off-topic questions (share with no result; the off-topic
questions on their calibration half and their scored half). It also prints, per embedding
model, the similarity of the best chunk for made-up words and for the dataset's queries, and of the
relevant document, so the floor is chosen from the measured distributions. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys

from _common import log, open_eval

from mysearch import calibration, exact_eval, search
from mysearch import tokens as tok
from mysearch.metrics import ndcg_at_k, percentile

QUANTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99)
NO_FLOOR = {"DENSE_FLOOR": {}, "DENSE_FLOOR_KOREAN": {}}


def _floor(floor: dict[str, float]) -> dict[str, object]:
    """The same floor for English and Korean queries: a dev set is in one language."""
    return {"DENSE_FLOOR": floor, "DENSE_FLOOR_KOREAN": floor, "DENSE_MARGIN": 1.0}


def _pop_args(flag: str) -> list[str]:
    """Take `flag VALUE` pairs out of sys.argv before the shared parser reads it."""
    out, rest, it = [], [], iter(sys.argv)
    for arg in it:
        if arg == flag:
            out.append(next(it))
        else:
            rest.append(arg)
    sys.argv[:] = rest
    return out


def main() -> None:
    only = _pop_args("--only")
    fixed = {m: float(v) for m, v in (a.split("=", 1) for a in _pop_args("--floor"))}
    ds, lib, doc_of_file, qids = open_eval()
    searcher = lib.searcher()
    cache: dict[tuple, list] = {}
    real_run = searcher._run

    def cached(name, model, query, n, filters, only=None):
        key = (name, model, query.text, query.prefix, n)
        if key not in cache:
            cache[key] = real_run(name, model, query, n, filters, only)
        return cache[key]

    searcher._run = cached  # type: ignore[method-assign]
    file_of_doc = {d: f for f, d in doc_of_file.items() if d}
    korean = sum(tok.is_korean(t[:300]) for t in ds.docs.values()) > len(ds.docs) / 2
    exact = exact_eval.exact_queries(ds.docs, 300)
    calibrating = exact_eval.made_up_words(ds.docs, 300, seed=0, korean=korean)  # the floor comes from these
    made_up = exact_eval.made_up_words(ds.docs, 300, seed=1, korean=korean)  # and is scored on others
    off_topic = {seed: exact_eval.off_topic_questions(ds.docs, 300, seed=seed, korean=korean) for seed in (0, 1)}
    log(f"{len(qids)} queries, {len(exact)} exact, {len(made_up)} made up, {len(off_topic[1])} off-topic")

    # similarity distributions, per model
    models = [m for name, m, w in searcher.weights(search.Query.parse(ds.queries[qids[0]])) if name == "dense"]
    dist: dict[str, dict[str, list[float]]] = {m: {"made_up_top": [], "query_top": [], "relevant": []} for m in models}
    for i, qid in enumerate(qids):
        if i % 200 == 0:
            log(f"rankings {i}/{len(qids)}")
        q = search.Query.parse(ds.queries[qid])
        for m in models:
            ranking = cached("dense", m, q, search.CANDIDATES, search.Filters())
            if not ranking:
                continue
            dist[m]["query_top"].append(ranking[0][1])
            files = searcher._file_of([c for c, _ in ranking])
            rel = {file_of_doc.get(d) for d in ds.qrels[qid]}
            sims = [s for c, s in ranking if files.get(c) in rel]
            if sims:
                dist[m]["relevant"].append(sims[0])
    for w in calibrating:
        q = search.Query.parse(w)
        for m in models:
            ranking = cached("dense", m, q, search.CANDIDATES, search.Filters())
            if ranking:
                dist[m]["made_up_top"].append(ranking[0][1])
    quantiles = {
        m: {k: {f"p{p}": round(percentile(v, p), 4) for p in QUANTILES} for k, v in d.items() if v}
        for m, d in dist.items()
    }

    # this library's own floors (mysearch.calibration), measured as `mysearch index` would
    own = calibration.measure(searcher, models)
    overlap = len(set(made_up) & set(calibration.words(searcher, korean)))
    log(f"library floors {own}; scored made-up words among the calibration words: {overlap}")
    due = searcher.catalog.chunk_count() >= calibration.MIN_CHUNKS

    def score(settings: dict[str, object]) -> dict[str, float]:
        settings = dict(settings)
        library = settings.pop("library floors", False)
        saved = {k: getattr(search, k) for k in settings}
        for k, v in settings.items():
            setattr(search, k, v)
        searcher._library_floors = (lambda ko: own.get("ko" if ko else "en", {})) if library and due else None
        try:
            total = 0.0
            for qid in qids:
                hits = searcher.search(ds.queries[qid], k=10)
                total += ndcg_at_k([doc_of_file.get(h.file_id) for h in hits], ds.qrels[qid], 10)
            first = 0
            for x in exact:
                hits = searcher.search(x.text, k=10)
                first += bool(hits) and doc_of_file.get(hits[0].file_id) == x.doc
            empty = sum(not searcher.search(w, k=10) for w in made_up)
            off = {seed: sum(not searcher.search(q, k=10) for q in qs) / max(1, len(qs))
                   for seed, qs in off_topic.items()}
            return {
                "ndcg@10": round(total / len(qids), 4),
                "keyword_ndcg@10": round(sum(ndcg_at_k([doc_of_file.get(h.file_id) for h in searcher.search(
                    ds.queries[qid], k=10, mode="keyword")], ds.qrels[qid], 10) for qid in qids) / len(qids), 4),
                "exact@1": round(first / len(exact), 4),
                "made_up_empty": round(empty / len(made_up), 4),
                "off_topic_empty_calibration": round(off[0], 4),
                "off_topic_empty": round(off[1], 4),
            }
        finally:
            for k, v in saved.items():
                setattr(search, k, v)

    variants: dict[str, dict[str, object]] = {
        "before (no tiers, z over hits, no floor)": {"EXACT_TIERS": False, "KEYWORD_ZEROS_BELOW": 0, **NO_FLOOR},
        "tiers": {"EXACT_TIERS": True, "KEYWORD_ZEROS_BELOW": 0, **NO_FLOOR},
        "tiers + zeros below 10": {"EXACT_TIERS": True, "KEYWORD_ZEROS_BELOW": 10, **NO_FLOOR},
        "tiers + zeros always": {"EXACT_TIERS": True, "KEYWORD_ZEROS_BELOW": 10**9, **NO_FLOOR},
    }
    # (on XQuAD a margin under the best dense hit of 0.05 or 0.1 cost 0.0006 nDCG and emptied no more queries)
    for p in (95, 99, 100):
        floor = {m: round(percentile(dist[m]["made_up_top"], p), 4) for m in models if dist[m]["made_up_top"]}
        for zeros in (10, 10**9):
            variants[f"tiers + zeros {'always' if zeros > 10 else 'below 10'} + floor made-up p{p}"] = {
                "EXACT_TIERS": True, "KEYWORD_ZEROS_BELOW": zeros, **_floor(floor),
            }
    if fixed:
        for zeros in (10, 10**9):
            variants[f"tiers + zeros {'always' if zeros > 10 else 'below 10'} + floor {fixed}"] = {
                "EXACT_TIERS": True, "KEYWORD_ZEROS_BELOW": zeros, **_floor(fixed),
            }
    no_higher = {"DENSE_FLOOR_UNSUPPORTED": {}, "DENSE_FLOOR_UNSUPPORTED_KOREAN": {}}
    variants["shipped, coverage 0, no higher floor"] = {"KEYWORD_COVERAGE": 0.0, **no_higher}
    variants["shipped, coverage 0.5, no higher floor"] = {"KEYWORD_COVERAGE": 0.5, **no_higher}
    for c in (0.0, 0.3, 0.4, 0.5, 0.6):  # the rules as shipped, with a keyword match's least share
        variants[f"shipped + keyword coverage {c}"] = {"KEYWORD_COVERAGE": c}
    variants["shipped"] = {"library floors": True}  # measured by `mysearch index` when the library is big enough
    variants["shipped without library floors"] = {}
    for n in (2, 4, 6, 10**9):  # the identifier tier only when the query says little besides them
        variants[f"shipped, identifier tier with at most {n} other terms"] = {"IDENTIFIER_OTHER_TERMS": n}
    if only:
        variants = {k: v for k, v in variants.items() if k in only or k.startswith("before") and "before" in only}
    results = {}
    for name, settings in variants.items():
        log(name)
        results[name] = {**score(settings), "settings": {k: v for k, v in settings.items() if k == "DENSE_FLOOR"}}
    print(json.dumps({"dataset": ds.name, "queries": len(qids), "exact_queries": len(exact), "made_up": len(made_up),
                      "similarity": quantiles, "variants": results}, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
