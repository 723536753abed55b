"""Hybrid retrieval: keyword (FTS5 over Korean/English tokens) and meaning (Chroma), fused.

Each ranking (keywords, and one per embedding model in use) keeps each file's best chunk; the rankings
are fused per file with standardised scores (or weighted reciprocal ranks) and the file's best chunk is
shown; the fused top files are then re-ordered by how close together the query's terms stand in them
(no cross-encoder runs offline here; proximity is the measured reranking stage). The weights follow
what each side is good at: an English-only embedding model gets no say on a Korean query (NOTES.md:
naive fusion dropped Korean retrieval from 0.94 to 0.32).
Filters (folder, type, date) are resolved in the catalog, so both sides see the same files.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import embed, paths
from . import tokens as tok
from .catalog import Catalog, ChunkRow, FileRow
from .embed import Embedder
from .errors import ModelError
from .store.vectors import VectorStore

RRF_K = 60
GRAMS_WEIGHT = 0.3  # Korean bigram matches against term matches (KorQuAD dev: 0.2-0.5 within 0.002, 0.3 best)
CANDIDATES = 100
# The fused top files are re-ordered by how close together the query's terms stand in each (near_score):
# a question usually restates one sentence of the passage that answers it, while other passages of the same
# document share its words but scatter them. Measured on the dev sets through benchmarks/tune_near.py
# (hybrid nDCG@10 without -> with): KorQuAD 0.981 -> 0.9865, XQuAD 0.983 -> 0.983, SciFact 0.766 -> 0.769;
# windows of 10-14 tokens with weights 0.3-0.4 all give KorQuAD 0.986-0.987, and weights of 0.5 and more
# start to cost SciFact.
NEAR_FILES = 20
NEAR_WINDOW = 12  # keyword tokens: stop words and Korean particles are not tokens, so ~15-20 words
NEAR_WEIGHT = 0.35
SNIPPET_CHARS = 280

_PHRASE = re.compile(r'"([^"]+)"')
_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="mysearch-dense")


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()  # extensions or kinds: pdf, docx, md ...
    after: dt.date | None = None  # modified on or after
    before: dt.date | None = None  # modified before
    folders: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.types or self.after or self.before or self.folders)

    def as_json(self) -> dict[str, object]:
        return {
            "types": list(self.types),
            "after": self.after.isoformat() if self.after else None,
            "before": self.before.isoformat() if self.before else None,
            "folders": list(self.folders),
        }

    @classmethod
    def from_json(cls, d: dict | None) -> Filters:
        """Filters that came over the control socket (``as_json`` on the other side)."""
        d = d or {}
        return cls(
            types=tuple(d.get("types") or ()),
            after=dt.date.fromisoformat(d["after"]) if d.get("after") else None,
            before=dt.date.fromisoformat(d["before"]) if d.get("before") else None,
            folders=tuple(d.get("folders") or ()),
        )


@dataclass
class Hit:
    path: str
    page: int | None
    label: str | None
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    title: str | None
    kind: str | None
    modified: float
    file_id: int
    chunk_id: int
    char_start: int
    char_end: int
    url: str | None = None
    sources: list[str] = field(default_factory=list)  # which rankings found it: keyword, dense
    unavailable: bool = False  # its folder is missing for now (unplugged disk): kept, but cannot be opened

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "page": self.page,
            "label": self.label,
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "title": self.title,
            "url": self.url,
            "found_by": self.sources,
            "highlights": [list(m) for m in self.highlights],
            "modified": self.modified,
            "kind": self.kind,
            "file_id": self.file_id,
            "chunk_id": self.chunk_id,
            "char_start": self.char_start,
            "char_end": self.char_end,
            "unavailable": self.unavailable,
        }

    @classmethod
    def from_json(cls, d: dict) -> Hit:
        """A hit that came over the control socket from the process that owns the library."""
        return cls(
            path=d["path"], page=d["page"], label=d["label"], score=d["score"], snippet=d["snippet"],
            highlights=[tuple(m) for m in d["highlights"]], title=d["title"], kind=d["kind"],
            modified=d["modified"], file_id=d["file_id"], chunk_id=d["chunk_id"], char_start=d["char_start"],
            char_end=d["char_end"], url=d["url"], sources=list(d["found_by"]),
            unavailable=bool(d.get("unavailable")),
        )


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]  # words, stems, morphemes: matched in the body and title fields
    phrases: tuple[tuple[str, ...], ...]
    grams: tuple[str, ...] = ()  # Korean character bigrams: matched in the grams field

    @classmethod
    def parse(cls, text: str) -> Query:
        text = tok.normalize(text).strip()
        phrases = tuple(tuple(tok.tokenize(p, bigrams=False)) for p in _PHRASE.findall(text))
        rest = _PHRASE.sub(" ", text)
        terms = tuple(dict.fromkeys(tok.tokenize(rest, bigrams=False) + [t for p in phrases for t in p]))
        grams = tuple(dict.fromkeys(tok.korean_bigrams(rest)))
        return cls(text, terms, tuple(p for p in phrases if p), grams)

    def fts(self) -> str | None:
        """FTS5 expression for the terms (body and title fields); quoted phrases must match."""
        return self._expr("{body title}", self.terms)

    def fts_grams(self) -> str | None:
        """FTS5 expression for the Korean bigrams (grams field); quoted phrases must match."""
        return self._expr("grams", self.grams)

    def _expr(self, fields: str, tokens: tuple[str, ...]) -> str | None:
        if not tokens:
            return None
        anyterm = f"{fields} : (" + " OR ".join('"' + t.replace('"', '""') + '"' for t in tokens) + ")"
        if not self.phrases:
            return anyterm
        required = " AND ".join('"' + " ".join(p).replace('"', '""') + '"' for p in self.phrases)
        return f"({{body title}} : ({required})) AND ({anyterm})"


class Searcher:
    """Ranks files for a query: one keyword side and one dense side per embedding model, fused.

    ``models()`` names the embedding models whose vectors can be searched now (the chosen model first,
    then complete extra models); ``embedder(name)`` loads one for queries. The first model's ranking
    weighs ``dense_weight``, each extra model's ``extra_weight``; an English-only model has no say on a
    Korean query.
    """

    def __init__(
        self,
        catalog: Catalog,
        embedder: Callable[[str], Embedder] | None,
        vectors: Callable[[], VectorStore] | None,
        models: Callable[[], list[str]],
        keyword_weight: float = 1.0,
        dense_weight: float = 1.0,
        fusion: str = "score",
        extra_weight: float = 0.5,
    ) -> None:
        self.catalog = catalog
        self._embedder = embedder
        self._vectors = vectors
        self._models = models
        self.keyword_weight = keyword_weight
        self.dense_weight = dense_weight
        self.extra_weight = extra_weight
        self.fusion = fusion

    # --- the rankings ---------------------------------------------------------------------------
    def keyword(self, query: Query, n: int, filters: Filters) -> list[tuple[int, float]]:
        """Chunk ids with their keyword score (higher is better), best first: BM25 of the terms plus
        GRAMS_WEIGHT x BM25 of the Korean bigrams, each ranked on its own so that each saturates and
        is length-normalised on its own (one BM25 over both mixed scored KorQuAD 0.974, this 0.980)."""
        scores: dict[int, float] = {}
        for match, weight in ((query.fts(), 1.0), (query.fts_grams(), GRAMS_WEIGHT)):
            if match is not None:
                for cid, score in self._bm25(match, n, filters):
                    scores[cid] = scores.get(cid, 0.0) + weight * score
        return sorted(scores.items(), key=lambda kv: -kv[1])[:n]

    def _bm25(self, match: str, n: int, filters: Filters) -> list[tuple[int, float]]:
        if not filters.active:  # rank inside FTS5 alone: joining every match first cost ~2x at 100k chunks
            sql = "SELECT rowid, -rank FROM chunks_fts WHERE chunks_fts MATCH ? ORDER BY rank LIMIT ?"
            return [(r[0], r[1]) for r in self.catalog.db.execute(sql, (match, n))]
        where, args = _filter_sql(filters)
        sql = (
            "SELECT chunks_fts.rowid, -chunks_fts.rank FROM chunks_fts "
            "JOIN chunks c ON c.id = chunks_fts.rowid JOIN files f ON f.id = c.file_id "
            "WHERE chunks_fts MATCH ?" + where + " ORDER BY chunks_fts.rank LIMIT ?"
        )
        return [(r[0], r[1]) for r in self.catalog.db.execute(sql, (match, *args, n))]

    def dense(self, query: Query, n: int, filters: Filters, model: str | None = None) -> list[tuple[int, float]]:
        """Chunk ids with their cosine similarity to the query under one model (default: the first), best first."""
        if model is None:
            models = self._models()
            model = models[0] if models else None
        if not model or self._embedder is None or self._vectors is None or not query.text:
            return []
        vec = self._embedder(model).embed_queries([query.text])[0]
        vectors = self._vectors()
        if not filters.active:
            return [(h.chunk_id, h.score) for h in vectors.query(model, vec, n)]
        where, args = _filter_sql(filters)
        ids = [r[0] for r in self.catalog.db.execute("SELECT f.id FROM files f WHERE 1" + where, args)]
        if len(ids) <= 2000:
            return [(h.chunk_id, h.score) for h in vectors.query(model, vec, n, file_ids=ids)]
        allowed = set(ids)
        hits = vectors.query(model, vec, n * 5)
        chunk_files = {c.id: c.file_id for c in self.catalog.chunks(h.chunk_id for h in hits).values()}
        return [(h.chunk_id, h.score) for h in hits if chunk_files.get(h.chunk_id) in allowed][:n]

    # --- fused ----------------------------------------------------------------------------------
    def weights(self, query: Query) -> list[tuple[str, str | None, float]]:
        """(side, model, weight) for each ranking that has a say on this query."""
        out: list[tuple[str, str | None, float]] = [("keyword", None, self.keyword_weight)]
        if self._embedder is None or self._vectors is None:
            return out
        korean = tok.is_korean(query.text)
        for i, model in enumerate(self._models()):
            if not korean or _multilingual(model):
                out.append(("dense", model, self.dense_weight if i == 0 else self.extra_weight))
        return out

    def rankings(self, query: Query, filters: Filters, mode: str = "hybrid", n: int = CANDIDATES) -> list[Side]:
        """Each side's ranking with its weight; sides the mode leaves out or with no weight are not run."""
        plan = [
            (name, model, w)
            for name, model, w in self.weights(query)
            if w > 0 and mode in ("hybrid", name)
        ]
        if filters.active:  # both sides would share this thread's catalog connection: one at a time
            return [Side(name, self._run(name, model, query, n, filters), w) for name, model, w in plan]
        # SQLite and the embedding engines release the GIL: the sides run together
        futures = [
            (name, _POOL.submit(self._run, name, model, query, n, filters) if name == "dense" else None, model, w)
            for name, model, w in plan
        ]
        return [
            Side(name, fut.result() if fut else self._run(name, model, query, n, filters), w)
            for name, fut, model, w in futures
        ]

    def _run(self, name: str, model: str | None, query: Query, n: int, filters: Filters) -> list[tuple[int, float]]:
        return self.keyword(query, n, filters) if name == "keyword" else self.dense(query, n, filters, model)

    def search(self, text: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid") -> list[Hit]:
        filters = filters or Filters()
        query = Query.parse(text)
        if not query.text:
            return []
        sides = self.rankings(query, filters, mode)
        files = self._file_of([cid for s in sides for cid, _ in s.ranking])
        method = fuse_scores if self.fusion == "score" else fuse
        scores, found = method(sides, files)
        if mode != "dense":
            scores = self._near(query, scores)
        return self._hits(query, scores, found, k)

    def _near(self, query: Query, scores: dict[int, float]) -> dict[int, float]:
        """The top NEAR_FILES re-ordered by fused score plus NEAR_WEIGHT x term proximity (near_rerank)."""
        top = sorted(scores, key=lambda c: -scores[c])[:NEAR_FILES]
        if len(top) < 2 or len(query.terms) < 2:
            return scores
        idf = self.catalog.term_idf(query.terms)
        tokens = self.catalog.keyword_tokens(top)
        near = {c: near_score(tokens.get(c, []), idf, NEAR_WINDOW) for c in top}
        return near_rerank(scores, near, NEAR_WEIGHT)

    def _file_of(self, chunk_ids: list[int]) -> dict[int, int]:
        return {c.id: c.file_id for c in self.catalog.chunks(set(chunk_ids)).values()}

    def _hits(self, query: Query, scores: dict[int, float], found: dict[int, list[str]], k: int) -> list[Hit]:
        chunks = self.catalog.chunks(scores)
        best: dict[int, ChunkRow] = {}
        for cid in sorted(scores, key=lambda c: -scores[c]):
            c = chunks.get(cid)
            if c is not None and c.file_id not in best:
                best[c.file_id] = c
                if len(best) >= k:
                    break
        hits = []
        for file_id, c in best.items():
            f = self.catalog.file_by_id(file_id)
            if f is None:
                continue
            snippet, marks = make_snippet(c.text, query)
            score = scores[c.id]
            if self.fusion == "score":  # a sum of z-scores, shown as 0..1 (order unchanged)
                score = 1.0 / (1.0 + math.exp(-score))
            hits.append(_hit(f, c, score, snippet, marks, found.get(c.id, [])))
        return hits


@dataclass(frozen=True)
class Side:
    """One ranking to fuse: its name (keyword, dense), chunk ids with scores best first, and its weight."""

    name: str
    ranking: list[tuple[int, float]]
    weight: float


def _multilingual(model: str) -> bool:
    try:
        return embed.info(model).multilingual
    except ModelError:
        return False


def fuse_scores(sides: list[Side], file_of: dict[int, int]) -> tuple[dict[int, float], dict[int, list[str]]]:
    """Weighted sum of standardised scores, per file (its best chunk on each side), over any number of sides.

    Each side's scores become z-scores over its candidates, so a keyword match far ahead of the rest
    keeps its lead, which rank fusion throws away; a file that one side did not return gets that
    side's lowest score. Measured against RRF and min-max scaling (benchmarks/tune_fusion.py): best on
    both SciFact (0.752 vs 0.747 min-max, 0.734 best RRF) and KorQuAD (0.978 vs 0.977, 0.976).
    The scores are the weighted sums of z-scores, unbounded (search shows them squashed into 0..1)."""
    total = sum(s.weight for s in sides if s.weight > 0 and s.ranking)
    standard: list[tuple[str, float, dict[int, float]]] = []
    rep: dict[int, int] = {}  # file -> the chunk shown: the best chunk of the first side that found it
    for side in sides:
        if side.weight <= 0 or not side.ranking:
            continue
        best: dict[int, float] = {}
        for cid, sc in side.ranking:
            fid = file_of.get(cid)
            if fid is not None and fid not in best:
                best[fid] = sc
                rep.setdefault(fid, cid)
        if not best:
            continue
        standard.append((side.name, side.weight / total, _standardise(best)))
    scores: dict[int, float] = {}
    found: dict[int, list[str]] = {}
    for fid, chunk in rep.items():
        total_score = 0.0
        for name, w, z in standard:
            if fid in z:
                total_score += w * z[fid]
                if name not in found.setdefault(chunk, []):
                    found[chunk].append(name)
            else:
                total_score += w * min(z.values())
        scores[chunk] = total_score
    return scores, found


def _standardise(values: dict[int, float]) -> dict[int, float]:
    """z-scores: how far above or below the mean of its own list each value stands."""
    mean = sum(values.values()) / len(values)
    sd = (sum((v - mean) ** 2 for v in values.values()) / len(values)) ** 0.5 or 1.0
    return {key: (v - mean) / sd for key, v in values.items()}


def near_score(tokens: list[str], idf: dict[str, float], window: int) -> float:
    """The most inverse-document-frequency weight of *distinct* query terms inside any `window`
    consecutive tokens: high when the passage says what the query says in one place, low when it only
    shares its words here and there. `idf` holds the query's terms."""
    where = [(i, t) for i, t in enumerate(tokens) if t in idf]
    best = 0.0
    for a, (start, _) in enumerate(where):
        seen: set[str] = set()
        weight = 0.0
        for pos, term in where[a:]:
            if pos - start >= window:
                break
            if term not in seen:
                seen.add(term)
                weight += idf[term]
        best = max(best, weight)
    return best


def near_rerank(scores: dict[int, float], near: dict[int, float], weight: float) -> dict[int, float]:
    """Re-order the chunks in `near` (the fused top few) by their standardised fused score plus `weight`
    x their standardised proximity. They keep the same set of score values, handed out in the new
    order, so they stay above everything that was not re-ranked."""
    if len(near) < 2:
        return scores
    fused = _standardise({c: scores[c] for c in near})
    close = _standardise(near)
    order = sorted(near, key=lambda c: -(fused[c] + weight * close[c]))
    values = sorted((scores[c] for c in near), reverse=True)
    return {**scores, **dict(zip(order, values, strict=True))}


def fuse(sides: list[Side], file_of: dict[int, int], k: int = RRF_K) -> tuple[dict[int, float], dict[int, list[str]]]:
    """Weighted reciprocal rank fusion over *files*: each ranking first keeps each file's best chunk,
    so a document with many matching chunks does not crowd others out of one side's ranking. The
    score goes to the file's best chunk (the one shown), whichever side found it."""
    scores: dict[int, float] = {}
    found: dict[int, list[str]] = {}
    best_chunk: dict[int, int] = {}
    for side in sides:
        if side.weight <= 0:
            continue
        seen: set[int] = set()
        for cid, _score in side.ranking:
            fid = file_of.get(cid)
            if fid is None or fid in seen:
                continue
            seen.add(fid)
            best_chunk.setdefault(fid, cid)
            rep = best_chunk[fid]
            scores[rep] = scores.get(rep, 0.0) + side.weight / (k + len(seen))
            if side.name not in found.setdefault(rep, []):
                found[rep].append(side.name)
    return scores, found


def _hit(f: FileRow, c: ChunkRow, score: float, snippet: str, marks: list[tuple[int, int]], found: list[str]) -> Hit:
    return Hit(
        path=paths.display(f.path),
        page=c.page,
        label=c.label,
        score=score,
        snippet=snippet,
        highlights=marks,
        title=f.title,
        kind=f.kind,
        modified=f.mtime_ns / 1e9,
        file_id=f.id,
        chunk_id=c.id,
        char_start=c.char_start,
        char_end=c.char_end,
        url=f.url,
        sources=found,
    )


def _filter_sql(filters: Filters) -> tuple[str, list[object]]:
    where: list[str] = ["f.state = 'indexed'"]
    args: list[object] = []
    if filters.types:
        parts = []
        for t in filters.types:
            t = t.lower().lstrip(".")
            parts.append("(f.kind = ? OR lower(f.path) LIKE ?)")
            args += [t, f"%.{t}"]
        where.append("(" + " OR ".join(parts) + ")")
    if filters.after:
        where.append("f.mtime_ns >= ?")
        args.append(_ns(filters.after))
    if filters.before:
        where.append("f.mtime_ns < ?")
        args.append(_ns(filters.before))
    if filters.folders:
        parts = []
        for folder in filters.folders:
            folder = folder.rstrip("/\\") or "/"
            parts.append("(f.path = ? OR substr(f.path, 1, ?) = ?)")
            args += [folder, len(folder) + 1, folder + "/"]
        where.append("(" + " OR ".join(parts) + ")")
    return " AND " + " AND ".join(where), args


def _ns(day: dt.date) -> int:
    return int(dt.datetime(day.year, day.month, day.day).timestamp() * 1e9)


def _term_spans(text: str, query: Query) -> list[tuple[int, int]]:
    """Words of the text that match a query term. Korean words match when they contain a query
    morpheme (particles follow the noun: 여권을 holds 여권), so no morphological analysis is
    needed here, which keeps snippets cheap on the search path."""
    latin = {t for t in query.terms if not tok.is_korean(t)}
    korean = [t for t in query.terms if tok.is_korean(t)]
    spans = []
    for m in tok.WORD.finditer(tok.normalize(text)):
        word = m.group().lower()
        if tok.HAS_HANGUL.match(word):
            hit = any(t in word for t in korean)
        else:
            hit = word in latin or bool(latin.intersection(tok.latin_tokens(word)))
        if hit:
            spans.append((m.start(), m.end()))
    return spans


def _word_bounds(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> tuple[int, int]:
    """Move a snippet's ends to word boundaries, so it never starts or stops mid-word ("…ud
    Services"), without losing a marked word."""
    inside = [a for a, b in marks if a >= start and b <= end]
    if start > 0 and not text[start - 1].isspace():
        m = re.search(r"\s", text[start : min(inside) if inside else start + 40])
        if m:
            start += m.end()
    if end < len(text) and not text[end].isspace():
        last = max((b for a, b in marks if a >= start and b <= end), default=end - 40)
        cut = max(text.rfind(" ", max(last, start), end), text.rfind("\n", max(last, start), end))
        if cut > start:
            end = cut
    return start, end


def make_snippet(text: str, query: Query, width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The part of a chunk around most query terms, with the spans of the terms to highlight."""
    marks = _term_spans(text, query)
    if len(text) <= width:
        start = 0
    elif marks:
        # the window that covers the most marks
        best, start = -1, 0
        for s, _ in marks:
            lo = max(0, s - width // 4)
            n = sum(1 for a, b in marks if a >= lo and b <= lo + width)
            if n > best:
                best, start = n, lo
    else:
        start = 0
    end = min(len(text), start + width)
    start, end = _word_bounds(text, start, end, marks)
    piece = text[start:end]
    shift = [(a - start, b - start) for a, b in marks if a >= start and b <= end]
    # collapse whitespace while keeping highlight offsets right
    out, mapping = [], []
    prev_space = False
    for ch in piece:
        if ch.isspace():
            if prev_space:
                mapping.append(len(out) - 1)
                continue
            ch, prev_space = " ", True
        else:
            prev_space = False
        mapping.append(len(out))
        out.append(ch)
    snippet = "".join(out)
    spans = [(mapping[a], mapping[b - 1] + 1) for a, b in shift if b > a]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + snippet + suffix, [(a + len(prefix), b + len(prefix)) for a, b in spans]
