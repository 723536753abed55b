"""Hybrid retrieval: keyword (FTS5 over Korean/English tokens) and meaning (Chroma), fused.

Each ranking (keywords, and one per embedding model in use) keeps each file's best chunk; the rankings
are fused per file with standardised scores (or weighted reciprocal ranks) and the file's best chunk is
shown; the fused top files are then re-ordered by how close together the query's terms stand in them
(no cross-encoder runs offline here; proximity is the measured reranking stage). The weights follow
what each side is good at: an English-only embedding model gets no say on a Korean query (naive
fusion dropped Korean retrieval from 0.94 to 0.32).
Filters (folder, type, date) are resolved in the catalog, so both sides see the same files.
"""

from __future__ import annotations

import datetime as dt
import functools
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

# Exact matches first. When the query names something rare (an identifier: letters mixed with digits, an
# order number, a camelCase or snake_case name, a very long word) or occurs verbatim in a chunk, the file
# holding it is what the person is looking for, whatever the meaning side says: those files form a tier
# above all others (verbatim, then all identifiers present), each tier ordered by the fused score.
# Measured on the dev sets through benchmarks/tune_trust.py (see README "Search quality"): exact file at
# rank 1 XQuAD 0.818 -> 0.870 (0.990 with the keyword standardisation below), KorQuAD 0.857 -> 0.973, for
# nDCG@10 within 0.0005 either way.
EXACT_TIERS = True
LONG_WORD = 16  # letters-only words this long are rare enough to count as identifiers
# The identifier tier holds only for a query that says little besides its identifiers (at most
# IDENTIFIER_OTHER_TERMS other keyword terms): "invoice INV-2024-0042" names a file, while a claim about
# "IL-6" or "TDP-43" in a scientific library names a topic many papers share, and lifting every file
# holding the word over the relevant one cost SciFact 0.031 (tune_trust.py, hybrid nDCG@10 0.734 with no
# limit; 0.762 / 0.766 / 0.757 at 2 / 4 / 6 other terms; a limit on how many candidate files hold the
# identifiers instead, 1 / 3 / 5 files: 0.760 / 0.753 / 0.746). Exact file at rank 1 unchanged (0.981).
IDENTIFIER_OTHER_TERMS = 4
# The keyword side is standardised over every candidate file, the files it did not return scoring zero
# (BM25 of no match): over one or two hits z-scores are 0 and +-1 whatever BM25 said, so a lone exact
# keyword match weighed nothing against the meaning side. Measured against doing so only for sides of under
# 10 files: XQuAD 0.9838 vs 0.9829, KorQuAD (1000 questions) 0.9909 vs 0.9905; before, 0.9834 and 0.9909.
KEYWORD_ZEROS_BELOW = math.inf
# No padding: a file that only the meaning side found is shown only when its similarity under some model
# that found it clears that model's floor: the 99th percentile of what the best chunk scores for made-up
# words (benchmarks/tune_trust.py, 300 words per dev set; Korean queries get their own, measured on Hangul
# made-up words, which e5 places closer to Korean text), and stands within DENSE_MARGIN of that side's
# best chunk (a margin of 0.05-0.1 cost XQuAD 0.0006 and emptied no more queries: off). Models not listed
# have no floor. A query that no file holds a word of also meets the library's own floor, where higher
# (``mysearch.calibration``: SciFact's made-up words score like its claims, 0.855 at p99 under e5).
DENSE_FLOOR: dict[str, float] = {"multilingual-e5-small": 0.825, "all-minilm-l6-v2": 0.302}  # XQuAD p99
DENSE_FLOOR_KOREAN: dict[str, float] = {"multilingual-e5-small": 0.853}  # KorQuAD p99
DENSE_MARGIN = 1.0
# When no file holds a good share of the query's words (every keyword match is weak, below), the library
# probably lacks the subject, and meaning-only files could be made to clear a higher floor (the 99th
# percentile for off-topic questions, exact_eval.off_topic_questions: e5 0.834, MiniLM 0.447 on XQuAD, e5
# 0.858 on KorQuAD). Measured with tune_trust.py it costs too much: off (empty) until a trigger holds.
DENSE_FLOOR_UNSUPPORTED: dict[str, float] = {}
DENSE_FLOOR_UNSUPPORTED_KOREAN: dict[str, float] = {}
# A file found by keyword whose chunk holds words worth under KEYWORD_COVERAGE of the query's keyword weight
# (BM25 idf; a word in no file weighs the most) can be kept only if the meaning side vouches for it, as a
# file found by meaning alone ("where can I get a dishwasher" matches every file holding "get"). Measured
# through benchmarks/tune_trust.py (docs/retrieval.md): at 0.5 off-topic questions with no result went
# 0.51 -> 0.92 on XQuAD with nDCG held, but KorQuAD lost 0.015 (0.9909 -> 0.973; 0.004 at 0.3): off (0)
# until it holds in both languages.
KEYWORD_COVERAGE = 0.0
PREFIX_MIN = 4  # shortest last word matched as a prefix while typing: 2-3 letters narrow nothing down, and
# their FTS5 prefix queries (every term that starts so, each ranked) were the slowest keystrokes: at 100k
# chunks keyword p95 119 ms with 2, 82 ms with 3, 64 ms with 4 (in-process, benchmarks/bench_ui.py queries)

_PHRASE = re.compile(r'"([^"]+)"')
_SPACE = re.compile(r"\s+")
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
    ocr: bool = False  # the text was read with OCR from a picture of the page (a scan, a photo)

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
            "ocr": self.ocr,
        }

    @classmethod
    def from_json(cls, d: dict) -> Hit:
        """A hit that came over the control socket from the process that owns the library."""
        return cls(
            path=d["path"], page=d["page"], label=d["label"], score=d["score"], snippet=d["snippet"],
            highlights=[tuple(m) for m in d["highlights"]], title=d["title"], kind=d["kind"],
            modified=d["modified"], file_id=d["file_id"], chunk_id=d["chunk_id"], char_start=d["char_start"],
            char_end=d["char_end"], url=d["url"], sources=list(d["found_by"]),
            unavailable=bool(d.get("unavailable")), ocr=bool(d.get("ocr")),
        )


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[str, ...]  # words, stems, morphemes: matched in the body and title fields
    phrases: tuple[tuple[str, ...], ...]
    grams: tuple[str, ...] = ()  # Korean character bigrams: matched in the grams field
    prefix: str | None = None  # the word being typed: matched as the start of a keyword token
    quoted: tuple[str, ...] = ()  # the quoted phrases as typed (a hit's text must hold each)

    @classmethod
    def parse(cls, text: str, prefix: bool = False) -> Query:
        """``prefix``: the query is being typed, so its last word may be incomplete ("invo")."""
        raw = tok.normalize(text)
        text = raw.strip()
        pairs = [(q.strip(), tuple(tok.tokenize(q, bigrams=False))) for q in _PHRASE.findall(text)]
        pairs = [(q, p) for q, p in pairs if p]  # a phrase of stop words alone cannot be looked up
        phrases = tuple(p for _, p in pairs)
        rest = _PHRASE.sub(" ", text)
        terms = tuple(dict.fromkeys(tok.tokenize(rest, bigrams=False) + [t for p in phrases for t in p]))
        grams = tuple(dict.fromkeys(tok.korean_bigrams(rest)))
        prefix_word = _typed_prefix(raw) if prefix else None
        return cls(text, terms, phrases, grams, prefix_word, tuple(q for q, _ in pairs))

    @property
    def needle(self) -> str:
        """The query as one string to find verbatim: quotes dropped, spaces collapsed, case folded."""
        return _SPACE.sub(" ", self.text.replace('"', " ")).strip().casefold()

    @property
    def identifiers(self) -> tuple[str, ...]:
        """The query's rare words (see ``is_identifier``), case folded."""
        words = (w.strip("'.:-/#&+@") for w in tok.WORD.findall(self.text))
        return tuple(dict.fromkeys(w.casefold() for w in words if w and is_identifier(w)))

    @functools.cached_property
    def other_terms(self) -> tuple[str, ...]:
        """The query's keyword terms that are not part of an identifier (cached: read per candidate chunk)."""
        inside = {t for w in self.identifiers for t in tok.tokenize(w, bigrams=False)}
        return tuple(t for t in self.terms if t not in inside)

    def fts(self) -> str | None:
        """FTS5 expression for the terms (body and title fields); quoted phrases must match."""
        return self._expr("{body title}", self.terms)

    def fts_grams(self) -> str | None:
        """FTS5 expression for the Korean bigrams (grams field); quoted phrases must match."""
        return self._expr("grams", self.grams)

    def fts_phrases(self) -> str | None:
        """FTS5 expression that only the quoted phrases make: every word of each, anywhere in the chunk.
        Not FTS5's own phrase match: Kiwi can split a Korean phrase typed alone differently from the same
        words in a sentence, so the candidates are checked by ``holds_phrases`` instead."""
        if not self.phrases:
            return None
        # Korean words by their character bigrams (what the text holds, whatever Kiwi makes of it), the rest
        # by their tokens; a phrase with neither (one-syllable Korean words) by its Kiwi tokens
        latin = [t for p in self.phrases for t in p if not tok.HAS_HANGUL.search(t)]
        grams = [g for q in self.quoted for g in tok.korean_bigrams(q)]
        if not latin and not grams:
            latin = [t for p in self.phrases for t in p]
        parts = [f"{{body title}} : ({_all(latin)})"] if latin else []
        parts += [f"grams : ({_all(grams)})"] if grams else []
        return parts[0] if len(parts) == 1 else " AND ".join(f"({p})" for p in parts)

    def holds_phrases(self, text: str, tokens: list[str]) -> bool:
        """Whether a chunk holds every quoted phrase: as typed (case and spacing aside) or as consecutive
        keyword tokens ("renewing passports" holds "renew passport")."""
        hay = _SPACE.sub(" ", tok.normalize(text)).casefold()
        for typed, phrase in zip(self.quoted, self.phrases, strict=False):
            if _contains(hay, _SPACE.sub(" ", typed).casefold()):
                continue
            n = len(phrase)
            if not any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1)):
                return False
        return True

    def _expr(self, fields: str, tokens: tuple[str, ...]) -> str | None:
        words = ['"' + t.replace('"', '""') + '"' for t in tokens]
        if self.prefix and fields != "grams":
            words.append('"' + self.prefix.replace('"', '""') + '" *')
        if not words:
            return None
        anyterm = f"{fields} : (" + " OR ".join(words) + ")"
        required = self.fts_phrases()
        return anyterm if required is None else f"({required}) AND ({anyterm})"


def _all(tokens: list[str]) -> str:
    """FTS5: every one of the tokens."""
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in dict.fromkeys(tokens))


def _typed_prefix(text: str) -> str | None:
    """The last word of a query being typed, when the cursor may still be inside it: the text ends in a
    letter or digit, outside any quotes, and the word is long enough to narrow anything down."""
    if not text or not text[-1].isalnum() or text.count('"') % 2:
        return None
    words = tok.WORD.findall(_PHRASE.sub(" ", text))
    if not words or not text.endswith(words[-1]):
        return None
    word = words[-1].lower().strip("'.:-/#&+@")
    return word if len(word) >= PREFIX_MIN else None


def is_identifier(word: str) -> bool:
    """A word that names one thing rather than a topic: letters mixed with digits (INV-2024-0042, a UUID),
    a long number (order and phone numbers; not a year), camelCase, snake_case or an address, or a word
    of LONG_WORD letters or more. Such words occur in few files, and the person wants those files."""
    digits = sum(c.isdigit() for c in word)
    letters = sum(c.isalpha() for c in word)
    if digits and letters and len(word) >= 4:
        return True
    if digits >= 5 or (digits >= 4 and not word.isdigit()):
        return True
    if "_" in word or "@" in word:
        return True
    if any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
        return True
    return len(word) >= LONG_WORD and word.isalpha()


def _contains(text: str, needle: str) -> bool:
    """Whether the case-folded, space-collapsed `text` holds `needle` as whole words."""
    start = text.find(needle)
    while start >= 0:
        end = start + len(needle)
        if (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum()):
            return True
        start = text.find(needle, start + 1)
    return False


def exact_tier(text: str, query: Query) -> int:
    """2: the chunk holds the whole query verbatim (one word too: "Presently" in one file beats the
    files that hold only its stem, "present"); 1: it holds every identifier of a query that says little
    else (IDENTIFIER_OTHER_TERMS); 0: neither."""
    idents = query.identifiers
    named = idents if len(query.other_terms) <= IDENTIFIER_OTHER_TERMS else ()  # else a claim, not a name
    needle = query.needle
    if not needle:
        return 0
    hay = _SPACE.sub(" ", tok.normalize(text)).casefold()
    if _contains(hay, needle):
        return 2
    if named and all(_contains(hay, w) for w in named):
        return 1
    return 0


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
        extra_weight: float = 1.0,
        library_floors: Callable[[bool], dict[str, float]] | None = None,
    ) -> None:
        """``library_floors(korean)``: this library's own floor per model for queries of which it holds no
        word (``holds_a_word``, ``mysearch.calibration``; None: the static floors alone)."""
        self.catalog = catalog
        self._library_floors = library_floors
        self._embedder = embedder
        self._vectors = vectors
        self._models = models
        self.keyword_weight = keyword_weight
        self.dense_weight = dense_weight
        self.extra_weight = extra_weight
        self.fusion = fusion

    # --- the rankings ---------------------------------------------------------------------------
    def keyword(
        self, query: Query, n: int, filters: Filters, only: set[int] | None = None
    ) -> list[tuple[int, float]]:
        """Chunk ids with their keyword score (higher is better), best first: BM25 of the terms plus
        GRAMS_WEIGHT x BM25 of the Korean bigrams, each ranked on its own so that each saturates and
        is length-normalised on its own (one BM25 over both mixed scored KorQuAD 0.974, this 0.980).
        With quoted phrases, only chunks that hold them (``only``, else ``phrase_chunks``) count."""
        if query.phrases and only is None:
            only = self.phrase_chunks(query, filters)
        scores: dict[int, float] = {}
        for match, weight in ((query.fts(), 1.0), (query.fts_grams(), GRAMS_WEIGHT)):
            if match is not None:
                for cid, score in self._bm25(match, n, filters):
                    if only is None or cid in only:
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

    def phrase_chunks(self, query: Query, filters: Filters, n: int = 5000) -> set[int] | None:
        """The chunks that hold the query's quoted phrases (None: the query has none). A hit must come
        from one of them in every mode, as a quoted phrase promises."""
        match = query.fts_phrases()
        if match is None:
            return None
        ids = [cid for cid, _ in self._bm25(match, n, filters)]
        texts = self.catalog.chunks(ids)
        tokens = self.catalog.keyword_tokens(ids)
        return {c for c in ids if c in texts and query.holds_phrases(texts[c].text, tokens.get(c, []))}

    def dense(
        self, query: Query, n: int, filters: Filters, model: str | None = None, only: set[int] | None = None
    ) -> list[tuple[int, float]]:
        """Chunk ids with their cosine similarity to the query under one model (default: the first), best
        first; ``only``: the chunks allowed (those holding the quoted phrases)."""
        if model is None:
            models = self._models()
            model = models[0] if models else None
        if not model or self._embedder is None or self._vectors is None or not query.text:
            return []
        if only is not None:
            if not only:
                return []
            files = {c.file_id for c in self.catalog.chunks(only).values()}
            if len(files) <= 2000:
                vec = self._embedder(model).embed_queries([query.text])[0]
                hits = self._vectors().query(model, vec, n * 3, file_ids=sorted(files))
                return [(h.chunk_id, h.score) for h in hits if h.chunk_id in only][:n]
            return [(c, s) for c, s in self.dense(query, n * 5, filters, model) if c in only][:n]
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

    def holds_a_word(self, query: Query) -> bool:
        """Whether some chunk holds one of the query's keyword terms of 2+ characters: Kiwi cuts Korean
        made-up words into one-syllable morphemes that many files hold (짱흰곡 -> 짱, 곡), and shared
        bigrams alone are no shared word either."""
        return bool(self.catalog.known_terms(t for t in query.terms if len(t) >= 2))

    def nearest(self, model: str, texts: list[str]) -> list[float]:
        """The similarity of each text's nearest chunk under `model` (as a query): what calibration needs."""
        if self._embedder is None or self._vectors is None or not texts:
            return []
        return self._vectors().best_similarity(model, self._embedder(model).embed_queries(texts))

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
        only = self.phrase_chunks(query, filters)
        if filters.active or only is not None:  # the sides would share this thread's catalog connection
            return [Side(name, self._run(name, model, query, n, filters, only), w, model) for name, model, w in plan]
        # SQLite and the embedding engines release the GIL: the sides run together
        futures = [
            (name, _POOL.submit(self._run, name, model, query, n, filters) if name == "dense" else None, model, w)
            for name, model, w in plan
        ]
        return [
            Side(name, fut.result() if fut else self._run(name, model, query, n, filters), w, model)
            for name, fut, model, w in futures
        ]

    def _run(
        self, name: str, model: str | None, query: Query, n: int, filters: Filters, only: set[int] | None = None
    ) -> list[tuple[int, float]]:
        if name == "keyword":
            return self.keyword(query, n, filters, only)
        return self.dense(query, n, filters, model, only)

    def search(
        self, text: str, k: int = 10, filters: Filters | None = None, mode: str = "hybrid", prefix: bool = False
    ) -> list[Hit]:
        """The top `k` files for `text`. ``prefix``: the person is still typing, so the last word is also
        matched as the start of a word ("invo" finds the invoice)."""
        filters = filters or Filters()
        query = Query.parse(text, prefix=prefix)
        if not query.text:
            return []
        sides = self.rankings(query, filters, mode)
        files = self._file_of([cid for s in sides for cid, _ in s.ranking])
        method = fuse_scores if self.fusion == "score" else fuse
        scores, found = method(sides, files)
        if not query.phrases:  # a chunk holding the quoted phrase is plausible whatever its similarity
            weak = self.weak_keyword(query, scores, found)
            korean = tok.is_korean(query.text)
            # across languages: a query's files in the other language when the query is a question or
            # phrase (3+ words) or one of its words is in the library: one or two made-up words have no
            # keyword hit anywhere and no meaning to carry across (Korean ones too: KorQuAD's chunks that
            # are mostly Latin, track lists and titles, let every Hangul made-up word through)
            meaning_only = [cid for cid in scores if "keyword" not in found.get(cid, [])]
            known = len(query.text.split()) >= 3 or any("keyword" in how for how in found.values())
            other_language = {cid for cid, row in self.catalog.chunks(meaning_only).items()
                              if tok.is_korean(row.text) != korean} if known else set()
            # no file holds a word of it: this library's own floor for made-up words (calibration)
            own = self._library_floors(korean) if self._library_floors is not None else {}
            if own and self.holds_a_word(query):
                own = {}
            scores = drop_unlikely(scores, found, sides, files, korean, other_language, weak, own)
        if mode != "dense":
            scores = self._near(query, scores)
        tiers: dict[int, tuple[int, float]] = {}
        if EXACT_TIERS:
            scores, found, tiers = self._exact_first(query, sides, files, scores, found)
        return self._hits(query, scores, found, k, tiers)

    def _exact_first(
        self,
        query: Query,
        sides: list[Side],
        file_of: dict[int, int],
        scores: dict[int, float],
        found: dict[int, list[str]],
    ) -> tuple[dict[int, float], dict[int, list[str]], dict[int, tuple[int, float]]]:
        """Files with an exact match (``exact_tier``) above all others, the matching chunk shown. Only
        chunks some side returned are read, so this costs one catalog read of at most a few hundred rows."""
        if not query.needle:
            return scores, found, {}
        shown = {file_of[c]: c for c in scores if c in file_of}
        candidates = {cid for s in sides for cid, _ in s.ranking if file_of.get(cid) in shown}
        best: dict[int, tuple[int, int]] = {}  # file -> (tier, chunk)
        for c in self.catalog.chunks(candidates).values():
            t = exact_tier(c.text, query)
            if t and t > best.get(c.file_id, (0, 0))[0]:
                best[c.file_id] = (t, c.id)
        if not best:
            return scores, found, {}
        top = max(scores.values())
        low = min(scores.values())
        out = dict(scores)
        tiers: dict[int, tuple[int, float]] = {}
        for fid, (t, cid) in best.items():
            rep = shown[fid]
            value = out.pop(rep)
            names = found.pop(rep, [])
            lift = t * (top - low + 1.0)  # above every file of a lower tier, the order kept inside a tier
            out[cid] = value + lift
            found[cid] = names
            tiers[cid] = (t, lift)
        return out, found, tiers

    def _near(self, query: Query, scores: dict[int, float]) -> dict[int, float]:
        """The top NEAR_FILES re-ordered by fused score plus NEAR_WEIGHT x term proximity (near_rerank),
        for Korean queries: on held-out folds it gained KorQuAD +0.0048 +- 0.0012 and nothing on XQuAD
        (-0.0009 +- 0.0019: its English gain on the whole dev set was fitted; docs/retrieval.md)."""
        if not tok.is_korean(query.text):
            return scores
        top = sorted(scores, key=lambda c: -scores[c])[:NEAR_FILES]
        if len(top) < 2 or len(query.terms) < 2:
            return scores
        idf = self.catalog.term_idf(query.terms)
        tokens = self.catalog.keyword_tokens(top)
        near = {c: near_score(tokens.get(c, []), idf, NEAR_WINDOW) for c in top}
        return near_rerank(scores, near, NEAR_WEIGHT)

    def weak_keyword(self, query: Query, scores: dict[int, float], found: dict[int, list[str]]) -> set[int]:
        """The chunks found by keyword that hold under KEYWORD_COVERAGE of the query's keyword weight: each
        term weighs its idf (a term in no chunk the most), each Korean bigram GRAMS_WEIGHT x its idf, and
        the word being typed counts as held by a chunk with a token that starts so."""
        if KEYWORD_COVERAGE <= 0:  # off: nothing to read per search
            return set()
        cids = [c for c in scores if "keyword" in found.get(c, [])]
        if not cids:
            return set()
        idf = self.catalog.term_idf(query.terms)
        grams = self.catalog.term_idf(query.grams, col="grams")
        total = sum(idf.values()) + GRAMS_WEIGHT * sum(grams.values())
        if total <= 0:
            return set()
        typed = set(tok.tokenize(query.prefix, bigrams=False)) if query.prefix else set()
        weak = set()
        for cid, (words, chunk_grams) in self.catalog.keyword_fields(cids).items():
            held = sum(w for t, w in idf.items() if t in words)
            if typed and not typed & words and any(x.startswith(query.prefix) for x in words):
                held += sum(idf.get(t, 0.0) for t in typed)
            held += GRAMS_WEIGHT * sum(w for g, w in grams.items() if g in chunk_grams)
            if held < KEYWORD_COVERAGE * total:
                weak.add(cid)
        return weak

    def _file_of(self, chunk_ids: list[int]) -> dict[int, int]:
        return {c.id: c.file_id for c in self.catalog.chunks(set(chunk_ids)).values()}

    def _hits(
        self,
        query: Query,
        scores: dict[int, float],
        found: dict[int, list[str]],
        k: int,
        tiers: dict[int, tuple[int, float]] | None = None,
    ) -> list[Hit]:
        tiers = tiers or {}
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
            tier, lift = tiers.get(c.id, (0, 0.0))
            score = scores[c.id] - lift
            if tier == 2:
                score = 1.0  # the query's text itself is in this file
            elif self.fusion == "score":  # a sum of z-scores, shown as 0..1 (order unchanged)
                score = 1.0 / (1.0 + math.exp(-score))
            hits.append(_hit(f, c, score, snippet, marks, found.get(c.id, [])))
        return hits


@dataclass(frozen=True)
class Side:
    """One ranking to fuse: its name (keyword, dense), chunk ids with scores best first, and its weight."""

    name: str
    ranking: list[tuple[int, float]]
    weight: float
    model: str | None = None  # the embedding model of a dense side


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
    standard: list[tuple[str, float, dict[int, float], float]] = []
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
        if side.name == "keyword" and len(best) < KEYWORD_ZEROS_BELOW:
            # over one or two hits z-scores say nothing: standardise against the files it did not return
            others = {fid: 0.0 for fid in file_of.values() if fid not in best}
            z = _standardise({**others, **best}) if others else _standardise(best)
            best = {fid: z[fid] for fid in best}
            standard.append((side.name, side.weight / total, best, min(z.values())))
            continue
        z = _standardise(best)
        standard.append((side.name, side.weight / total, z, min(z.values())))
    scores: dict[int, float] = {}
    found: dict[int, list[str]] = {}
    for fid, chunk in rep.items():
        total_score = 0.0
        for name, w, z, missing in standard:
            if fid in z:
                total_score += w * z[fid]
                if name not in found.setdefault(chunk, []):
                    found[chunk].append(name)
            else:
                total_score += w * missing
        scores[chunk] = total_score
    return scores, found


def drop_unlikely(
    scores: dict[int, float],
    found: dict[int, list[str]],
    sides: list[Side],
    file_of: dict[int, int],
    korean: bool = False,
    other_language: set[int] | frozenset[int] = frozenset(),
    weak: set[int] | frozenset[int] = frozenset(),
    library: dict[str, float] | None = None,
) -> dict[int, float]:
    """Leave out the files only the meaning side found whose similarity does not clear the floor of
    any model that found them (DENSE_FLOOR, or DENSE_FLOOR_KOREAN for a Korean query) and stand within
    DENSE_MARGIN of that side's best: every query has nearest neighbours, and without this a word that
    occurs nowhere lists every file. Chunks in the other language than the query (``other_language``;
    for an English query only when it has 3+ words or a word in the library) are kept: the floors were
    measured within one language, and a Korean question's English file scores below them while being
    the answer (cross-language floors are not measured yet). A ``weak`` keyword match (one that holds
    little of the query: Searcher.weak_keyword) counts as no keyword match, and when every match is weak
    (or there is none) the floors are DENSE_FLOOR_UNSUPPORTED's. ``library``: this library's own floors
    (for a query no file holds a word of), each raising its model's floor where it is higher."""
    table = DENSE_FLOOR_KOREAN if korean else DENSE_FLOOR
    if library:
        table = {m: max(table.get(m, f), f) for m, f in {**table, **library}.items()}
    higher = DENSE_FLOOR_UNSUPPORTED_KOREAN if korean else DENSE_FLOOR_UNSUPPORTED
    if higher and not any("keyword" in found.get(c, []) and c not in weak for c in scores):  # none holds it
        table = {m: max(f, higher.get(m, f)) for m, f in table.items()}
    floors = [(s, table[s.model]) for s in sides if s.name == "dense" and s.ranking and s.model in table]
    if not floors or len(floors) < sum(1 for s in sides if s.name == "dense" and s.ranking):
        # no meaning side (keyword mode, or before meaning search is ready: every word match is shown), or a
        # model without a measured floor: no cut-off under meaning, and it vouches for every file it found
        if not any(s.name == "dense" and s.ranking for s in sides):
            return scores
        return {c: v for c, v in scores.items() if c not in weak or found.get(c, []) != ["keyword"]}
    best: list[dict[int, float]] = []
    for side, _ in floors:
        per_file: dict[int, float] = {}
        for cid, sc in side.ranking:
            fid = file_of.get(cid)
            if fid is not None and fid not in per_file:
                per_file[fid] = sc
        best.append(per_file)
    keep = {}
    for cid, value in scores.items():
        if ("keyword" in found.get(cid, []) and cid not in weak) or cid in other_language:
            keep[cid] = value
            continue
        fid = file_of.get(cid)
        for (side, floor), per_file in zip(floors, best, strict=True):
            sim = per_file.get(fid)
            if sim is not None and sim >= floor and sim >= side.ranking[0][1] - DENSE_MARGIN:
                keep[cid] = value
                break
    return keep


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
        ocr=bool(c.ocr),
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


def term_spans(text: str, query: Query) -> list[tuple[int, int]]:
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
        if not hit and query.prefix:
            hit = word.startswith(query.prefix)
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
    marks = term_spans(text, query)
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
