"""`mysearch eval`: retrieval quality through the whole pipeline, files on disk.

A dataset's corpus is written out as one text file per document, indexed by the normal indexer into
a library of its own (``<home>/eval/<dataset>-<model>``, so re-runs reuse files, chunks and cached
vectors), and its queries are run in keyword, dense and hybrid mode. Two formats are read: BEIR folders
(``corpus.jsonl``, ``queries.jsonl``, ``qrels/*.tsv``) and SQuAD JSON (paragraph retrieval: the corpus
is every paragraph, a question's relevant document is the paragraph it was written on).
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
    progress=None,  # noqa: ANN001
) -> dict[str, object]:
    from .library import Library

    ds = load(dataset)
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
        return result
