"""`mysearch eval`: retrieval quality through the whole pipeline, files on disk.

A dataset's corpus is written out as one text file per document, indexed by the normal indexer into
a library of its own (``<home>/eval/<dataset>-<model>``, so re-runs reuse files, chunks and cached
vectors), and its queries are run in keyword, dense and hybrid mode. Two formats are read: BEIR folders
(``corpus.jsonl``, ``queries.jsonl``, ``qrels/*.tsv``) and SQuAD JSON (paragraph retrieval: the corpus
is every paragraph, a question's relevant document is the paragraph it was written on).

``exact=True`` adds the sets of ``mysearch.exact_eval``: strings that occur in one document only (the
file holding one must come first: "exact file at rank 1") and made-up words (the right answer is no
result). A plain folder of files is evaluated on those sets alone, indexed where it is.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError
from .metrics import mrr_at_k, ndcg_at_k, percentile, recall_at_k


@dataclass
class Dataset:
    name: str
    docs: dict[str, str]  # id -> text (title on the first line)
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def load(path: Path) -> Dataset:
    path = Path(path)
    if path.is_dir() and (path / "corpus.jsonl").exists():
        return _beir(path)
    if path.is_file() and path.suffix == ".json":
        return _squad(path)
    if path.is_dir():
        found = list(path.glob("*.json"))
        if len(found) == 1:
            return _squad(found[0])
    raise ConfigError(f"{path} is neither a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) nor SQuAD JSON")


def _beir(folder: Path) -> Dataset:
    docs = {}
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            docs[str(d["_id"])] = (d.get("title", "").strip() + "\n" + d["text"]).strip()
    qrels: dict[str, dict[str, int]] = {}
    for tsv in sorted((folder / "qrels").glob("*.tsv")):
        for i, line in enumerate(tsv.read_text("utf-8").splitlines()):
            parts = line.split("\t")
            if i == 0 and not parts[-1].strip().lstrip("-").isdigit():
                continue
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    queries = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            q = json.loads(line)
            if str(q["_id"]) in qrels:
                queries[str(q["_id"])] = q["text"]
    return Dataset(folder.name, docs, queries, qrels)


def _squad(file: Path) -> Dataset:
    data = json.loads(file.read_text("utf-8"))["data"]
    docs, queries, qrels = {}, {}, {}
    for a, article in enumerate(data):
        for p, para in enumerate(article["paragraphs"]):
            doc_id = f"a{a:03d}-p{p:03d}"
            docs[doc_id] = article.get("title", "").replace("_", " ") + "\n" + para["context"]
            for qa in para["qas"]:
                queries[qa["id"]] = qa["question"]
                qrels[qa["id"]] = {doc_id: 1}
    return Dataset(file.stem, docs, queries, qrels)


def write_corpus(ds: Dataset, folder: Path) -> None:
    """One file per document; unchanged files are left alone so a re-run indexes nothing."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc_id, text in ds.docs.items():
        f = folder / f"{_safe(doc_id)}.txt"
        if not f.exists() or f.read_text("utf-8") != text:
            f.write_text(text, "utf-8")


def _safe(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", doc_id)


def run(
    dataset: Path,
    home: Path,
    model: str | None = None,
    modes: tuple[str, ...] = ("keyword", "dense", "hybrid"),
    limit: int | None = None,
    k: int = 10,
    progress=None,
    exact: bool = False,
    exact_docs: int = 300,
) -> dict[str, object]:
    from .library import Library

    try:
        ds = load(dataset)
    except (ConfigError, KeyError, ValueError):
        if not Path(dataset).is_dir():
            raise
        return run_folder(Path(dataset), home, model, modes, k, progress, exact_docs)  # a folder of files
    with Library.open(home) as lib:
        if model:
            lib.config.set("embedding.model", model)
        corpus = home / "corpus"
        write_corpus(ds, corpus)
        lib.config.set("folders", [str(corpus)])
        t0 = time.monotonic()
        report = lib.index(progress=progress)
        index_s = time.monotonic() - t0
        by_name = {f"{_safe(d)}.txt": d for d in ds.docs}
        qids = list(ds.queries)[:limit] if limit else list(ds.queries)
        result: dict[str, object] = {
            "dataset": ds.name,
            "documents": len(ds.docs),
            "queries": len(qids),
            "model": lib.config.get("embedding.model"),
            "models": lib.models(),
            "index_seconds": round(index_s, 1),
            "indexed": report.indexed,
            "chunks": lib.catalog.chunk_count(),
        }
        for mode in modes:
            scores = {"ndcg@10": [], "recall@10": [], "mrr@10": []}
            latency = []
            for qid in qids:
                t = time.monotonic()
                hits = lib.search(ds.queries[qid], k=k, mode=mode)
                latency.append((time.monotonic() - t) * 1000)
                ranked = [by_name.get(Path(h.path).name, "") for h in hits]
                rel = ds.qrels[qid]
                scores["ndcg@10"].append(ndcg_at_k(ranked, rel, k))
                scores["recall@10"].append(recall_at_k(ranked, rel, k))
                scores["mrr@10"].append(mrr_at_k(ranked, rel, k))
            result[mode] = {name: round(sum(v) / len(v), 4) if v else 0.0 for name, v in scores.items()}
            result[mode]["latency_ms_p50"] = round(percentile(latency, 50), 1)
            result[mode]["latency_ms_p95"] = round(percentile(latency, 95), 1)
        if exact:
            name_of = {d: f"{_safe(d)}.txt" for d in ds.docs}
            result.update(exact_sets(lib, ds.docs, lambda h: Path(h.path).name, name_of, modes, k, exact_docs))
        return result


def run_folder(
    folder: Path,
    home: Path,
    model: str | None,
    modes: tuple[str, ...],
    k: int = 10,
    progress=None,
    exact_docs: int = 300,
) -> dict[str, object]:
    """A folder of real files (office documents, feeds, PDFs ...) indexed as it is, measured on the
    exact-match and made-up sets built from the text the indexer extracted."""
    from . import paths
    from .library import Library

    with Library.open(home) as lib:
        if model:
            lib.config.set("embedding.model", model)
        lib.config.set("folders", [str(folder.resolve())])
        report = lib.index(progress=progress)
        docs = {}
        for f in lib.catalog.files().values():
            if f.state == "indexed":
                # chunks apart (\f): a phrase that runs over from one chunk to the next is in no chunk
                docs[paths.display(f.path)] = "\n\f\n".join(c.text for c in lib.catalog.chunks_of(f.id))
        result: dict[str, object] = {
            "dataset": folder.name,
            "documents": len(docs),
            "model": lib.config.get("embedding.model"),
            "models": lib.models(),
            "indexed": report.indexed,
            "chunks": lib.catalog.chunk_count(),
        }
        result.update(exact_sets(lib, docs, lambda h: h.path, {d: d for d in docs}, modes, k, exact_docs))
        return result


def exact_sets(lib, docs, key_of, name_of, modes, k, n) -> dict[str, object]:
    """"exact file at rank 1" per mode and kind of string, and the share of made-up words and of off-topic
    questions with no result."""
    from . import exact_eval
    from . import tokens as tok

    queries = exact_eval.exact_queries(docs, n)
    korean = sum(tok.is_korean(t[:500]) for t in docs.values()) > len(docs) / 2
    made_up = exact_eval.made_up_words(docs, n, seed=1, korean=korean)  # seed 0 set the floors (tune_trust.py)
    off_topic = exact_eval.off_topic_questions(docs, n, seed=1, korean=korean)  # seed 0's set the floors
    exact: dict[str, object] = {"queries": len(queries)}
    empty: dict[str, object] = {"queries": len(made_up), "words": made_up[:5]}
    off: dict[str, object] = {"queries": len(off_topic), "questions": off_topic[:5]}
    for mode in modes:
        by_kind: dict[str, list[int]] = {}
        misses = []
        for q in queries:
            hits = lib.search(q.text, k=k, mode=mode)
            ok = bool(hits) and key_of(hits[0]) == name_of[q.doc]
            by_kind.setdefault(q.kind, []).append(int(ok))
            if not ok and len(misses) < 5:
                misses.append({"query": q.text, "kind": q.kind, "first": key_of(hits[0]) if hits else None})
        every = [v for vs in by_kind.values() for v in vs]
        exact[mode] = {
            "at_1": round(sum(every) / len(every), 4) if every else 0.0,
            **{kind: round(sum(v) / len(v), 4) for kind, v in sorted(by_kind.items())},
            "misses": misses,
        }
        nothing = [not lib.search(w, k=k, mode=mode) for w in made_up]
        empty[mode] = round(sum(nothing) / len(nothing), 4) if nothing else 0.0
        nothing = [not lib.search(q, k=k, mode=mode) for q in off_topic]
        off[mode] = round(sum(nothing) / len(nothing), 4) if nothing else 0.0
    return {"exact": exact, "made_up_no_results": empty, "off_topic_no_results": off}
