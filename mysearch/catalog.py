"""The catalog: one SQLite file that is the source of truth for what is indexed.

It holds every known file (path, size, mtime, content hash, state, reason), every chunk of text, the
keyword index over those chunks (FTS5, same database, same transaction) and the bookkeeping that keeps
the derived vector store honest:

- ``vectors`` lists the chunks whose vector is in a model's Chroma collection;
- ``vector_deletes`` lists vectors that must be removed from Chroma (written in the same transaction
  that removes their chunk, so a crash can never strand a vector);
- ``embed_cache`` keeps vectors by (model, text hash) so renames, re-chunked edits and evaluations do
  not pay to embed the same text twice;
- ``ocr_todo`` lists the pages of each file still to be read with OCR (scans, images), and ``ocr_cache``
  keeps what OCR read, by (file content hash, page, reader), because OCR costs seconds a page.

Because a file's chunks, keyword rows and state change in one transaction, a kill at any moment leaves
either the old or the new version of the file, never a mix; Chroma is repaired from this afterwards.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import tokens as tok

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS files(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT UNIQUE NOT NULL,
    root TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    mtime_ns INTEGER NOT NULL DEFAULT 0,
    hash TEXT,
    state TEXT NOT NULL,
    reason TEXT,
    kind TEXT,
    title TEXT,
    url TEXT,
    doc_date TEXT,
    indexed_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
CREATE INDEX IF NOT EXISTS files_root ON files(root);
CREATE TABLE IF NOT EXISTS chunks(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    page INTEGER,
    label TEXT,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    text_hash TEXT NOT NULL,
    ocr INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS chunks_file ON chunks(file_id);
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    body, title, grams, tokenize = "unicode61 remove_diacritics 0 tokenchars '-_.:/@#+&'''"
);
CREATE TABLE IF NOT EXISTS vectors(
    chunk_id INTEGER NOT NULL, model TEXT NOT NULL, PRIMARY KEY(chunk_id, model)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS vector_deletes(
    chunk_id INTEGER NOT NULL, model TEXT NOT NULL, PRIMARY KEY(chunk_id, model)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS missing_roots(root TEXT PRIMARY KEY, since REAL NOT NULL);
CREATE TABLE IF NOT EXISTS ocr_todo(
    file_id INTEGER PRIMARY KEY REFERENCES files(id) ON DELETE CASCADE, pages TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ocr_cache(
    hash TEXT NOT NULL, page INTEGER NOT NULL, reader TEXT NOT NULL, text TEXT NOT NULL,
    confidence REAL NOT NULL, PRIMARY KEY(hash, page, reader)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS embed_cache(
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL, PRIMARY KEY(model, text_hash)
) WITHOUT ROWID;
"""

INDEXED, SKIPPED, FAILED = "indexed", "skipped", "failed"

# BM25 weights of the keyword fields: body (words, stems, morphemes), title (file name and title) and
# grams (Korean character bigrams). Search ranks terms (body, title) and bigrams (grams) in two queries
# and adds them up (search.GRAMS_WEIGHT); FTS5 ranks each with `ORDER BY rank` on its own fast path.
FTS_RANK = "bm25(1.0, 0.5, 1.0)"


@dataclass
class FileRow:
    id: int
    path: str
    root: str
    size: int
    mtime_ns: int
    hash: str | None
    state: str
    reason: str | None
    kind: str | None
    title: str | None
    url: str | None
    doc_date: str | None
    indexed_at: float


@dataclass(frozen=True)
class NewChunk:
    seq: int
    text: str
    page: int | None
    label: str | None
    char_start: int
    char_end: int
    text_hash: str
    ocr: bool = False


@dataclass(frozen=True)
class ChunkRow:
    id: int
    file_id: int
    seq: int
    text: str
    page: int | None
    label: str | None
    char_start: int
    char_end: int
    text_hash: str
    ocr: int = 0  # 1: read with OCR from a picture of the page


class Catalog:
    def __init__(self, path: Path, reader: bool = False) -> None:
        """``reader=True`` opens a second connection for searching from another thread (WAL lets
        readers run beside the writer without blocking either)."""
        self.path = Path(path)
        self._vocab = False  # temp.chunks_vocab made on this connection (term_idf)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        if not reader:
            self.db.executescript(_SCHEMA)
            if self.get_meta("schema") is None:  # a new catalog: its keyword rows will use today's tokens
                self.set_meta("schema", str(SCHEMA_VERSION))
                self.set_meta("tokenizer", tok.VERSION)
            self._upgrade_keyword_table()
            if "ocr" not in [r[1] for r in self.db.execute("PRAGMA table_info(chunks)")]:
                self.db.execute("ALTER TABLE chunks ADD COLUMN ocr INTEGER NOT NULL DEFAULT 0")
            if self.get_meta("fts_rank") != FTS_RANK:
                self.db.execute("INSERT INTO chunks_fts(chunks_fts, rank) VALUES('rank', ?)", (FTS_RANK,))
                self.set_meta("fts_rank", FTS_RANK)

    def _upgrade_keyword_table(self) -> None:
        """A keyword table from before the grams field is replaced by an empty one in one transaction;
        the next index run fills it again from the chunks (``rebuild_keywords``, resumable)."""
        columns = [r[1] for r in self.db.execute("PRAGMA table_info(chunks_fts)")]
        if "grams" in columns:
            return
        start = _SCHEMA.index("CREATE VIRTUAL TABLE")
        create = _SCHEMA[start : _SCHEMA.index(");", start) + 2]
        with self.transaction() as db:
            db.execute("DROP TABLE chunks_fts")
            db.execute(create)
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('tokenizer', 'outdated')")
            db.execute("DELETE FROM meta WHERE key IN ('tokenizer_rebuild_at', 'fts_rank')")

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # --- meta -----------------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    # --- files ----------------------------------------------------------------------------------
    def files(self, root: str | None = None) -> dict[str, FileRow]:
        sql = "SELECT * FROM files" + (" WHERE root=?" if root else "")
        rows = self.db.execute(sql, (root,) if root else ())
        return {r[1]: FileRow(*r) for r in rows}

    def files_under(self, prefixes: list[str]) -> dict[str, FileRow]:
        """Rows at these paths or inside these folders."""
        out: dict[str, FileRow] = {}
        for prefix in prefixes:
            folder = prefix.rstrip("/") + "/"
            rows = self.db.execute(
                "SELECT * FROM files WHERE path = ? OR substr(path, 1, ?) = ?", (prefix, len(folder), folder)
            )
            out.update({r[1]: FileRow(*r) for r in rows})
        return out

    def file(self, path: str) -> FileRow | None:
        row = self.db.execute("SELECT * FROM files WHERE path=?", (path,)).fetchone()
        return FileRow(*row) if row else None

    def file_by_id(self, file_id: int) -> FileRow | None:
        row = self.db.execute("SELECT * FROM files WHERE id=?", (file_id,)).fetchone()
        return FileRow(*row) if row else None

    def touch(self, file_id: int, size: int, mtime_ns: int) -> None:
        """Same content, new stat (copied back, touched): remember the stat, keep everything else."""
        self.db.execute("UPDATE files SET size=?, mtime_ns=? WHERE id=?", (size, mtime_ns, file_id))

    def move(self, file_id: int, new_path: str, root: str, size: int, mtime_ns: int) -> None:
        """A rename or move with the same content: chunks and vectors stay, only the path changes."""
        with self.transaction() as db:
            db.execute(
                "UPDATE files SET path=?, root=?, size=?, mtime_ns=? WHERE id=?",
                (new_path, root, size, mtime_ns, file_id),
            )
            title = _title_tokens(new_path, self._title_of(file_id))
            db.execute(
                "UPDATE chunks_fts SET title=? WHERE rowid IN (SELECT id FROM chunks WHERE file_id=?)",
                (title, file_id),
            )

    def _title_of(self, file_id: int) -> str | None:
        row = self.db.execute("SELECT title FROM files WHERE id=?", (file_id,)).fetchone()
        return row[0] if row else None

    def record_problem(
        self, path: str, root: str, state: str, reason: str, size: int = 0, mtime_ns: int = 0, hash: str | None = None
    ) -> None:
        """A skipped or failed file: its old chunks go (the file no longer reads), the reason stays."""
        with self.transaction() as db:
            old = db.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
            if old:
                self._drop_chunks(db, old[0])
                db.execute("DELETE FROM ocr_todo WHERE file_id=?", (old[0],))
                db.execute(
                    "UPDATE files SET root=?, size=?, mtime_ns=?, hash=?, state=?, reason=?, kind=NULL, "
                    "title=NULL, url=NULL, doc_date=NULL, indexed_at=? WHERE id=?",
                    (root, size, mtime_ns, hash, state, reason, time.time(), old[0]),
                )
            else:
                db.execute(
                    "INSERT INTO files(path, root, size, mtime_ns, hash, state, reason, indexed_at) "
                    "VALUES(?,?,?,?,?,?,?,?)",
                    (path, root, size, mtime_ns, hash, state, reason, time.time()),
                )

    def fail_keeping_chunks(self, file_id: int, reason: str, size: int, mtime_ns: int) -> None:
        """A file that was indexed failed to read this time (too slow, a parser crash, a permission): its
        last good chunks stay searchable and its content hash stays, so the next change is read again; the
        new stat is remembered, so an unchanged file is not retried on every scan (timeouts only once
        ``index.timeout_s`` changes)."""
        self.db.execute(
            "UPDATE files SET size=?, mtime_ns=?, state=?, reason=? WHERE id=?",
            (size, mtime_ns, FAILED, reason, file_id),
        )

    def has_chunks(self, file_id: int) -> bool:
        return self.db.execute("SELECT 1 FROM chunks WHERE file_id=? LIMIT 1", (file_id,)).fetchone() is not None

    def store_document(
        self,
        path: str,
        root: str,
        size: int,
        mtime_ns: int,
        hash: str,
        kind: str,
        title: str | None,
        url: str | None,
        doc_date: str | None,
        chunks: list[NewChunk],
        ocr_pages: list[int] | None = None,
    ) -> int:
        """Replace a file's chunks and keyword rows with new ones, atomically; ``ocr_pages`` are the pages
        still to be read with OCR (none: the file is complete). Returns the file id."""
        title_tokens = _title_tokens(path, title)
        bodies = [_keyword_fields(c.text) for c in chunks]  # outside the write lock: Kiwi is slow
        with self.transaction() as db:
            old = db.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
            values = (root, size, mtime_ns, hash, INDEXED, None, kind, title, url, doc_date, time.time())
            if old:
                file_id = old[0]
                self._drop_chunks(db, file_id)
                db.execute(
                    "UPDATE files SET root=?, size=?, mtime_ns=?, hash=?, state=?, reason=?, kind=?, title=?, "
                    "url=?, doc_date=?, indexed_at=? WHERE id=?",
                    (*values, file_id),
                )
            else:
                cur = db.execute(
                    "INSERT INTO files(root, size, mtime_ns, hash, state, reason, kind, title, url, doc_date, "
                    "indexed_at, path) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
                    (*values, path),
                )
                file_id = cur.lastrowid
            for c, (body, grams) in zip(chunks, bodies, strict=True):
                cur = db.execute(
                    "INSERT INTO chunks(file_id, seq, text, page, label, char_start, char_end, text_hash, ocr) "
                    "VALUES(?,?,?,?,?,?,?,?,?)",
                    (file_id, c.seq, c.text, c.page, c.label, c.char_start, c.char_end, c.text_hash, int(c.ocr)),
                )
                db.execute(
                    "INSERT INTO chunks_fts(rowid, body, title, grams) VALUES(?,?,?,?)",
                    (cur.lastrowid, body, title_tokens, grams),
                )
            if ocr_pages:
                db.execute(
                    "INSERT OR REPLACE INTO ocr_todo(file_id, pages) VALUES(?, ?)",
                    (file_id, ",".join(map(str, ocr_pages))),
                )
            else:
                db.execute("DELETE FROM ocr_todo WHERE file_id=?", (file_id,))
        return file_id

    # --- OCR -----------------------------------------------------------------------------------------
    def ocr_todo(self, limit: int = 100) -> list[tuple[FileRow, list[int]]]:
        """Files with pages still to read with OCR, newest first, and those pages."""
        rows = self.db.execute(
            "SELECT f.*, t.pages FROM ocr_todo t JOIN files f ON f.id = t.file_id "
            "ORDER BY f.indexed_at DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [(FileRow(*r[:-1]), [int(p) for p in r[-1].split(",") if p]) for r in rows]

    def drop_ocr_todo(self, file_id: int) -> None:
        self.db.execute("DELETE FROM ocr_todo WHERE file_id=?", (file_id,))

    def ocr_pages_pending(self) -> int:
        """Pages still to read with OCR, over all files (``pages`` is never empty: the row goes first)."""
        q = "SELECT coalesce(sum(length(pages) - length(replace(pages, ',', '')) + 1), 0) FROM ocr_todo"
        return self.db.execute(q).fetchone()[0]

    def ocr_cached(self, hash: str, reader: str) -> dict[int, tuple[str, float]]:
        """What OCR read of a file's content before, by page."""
        rows = self.db.execute(
            "SELECT page, text, confidence FROM ocr_cache WHERE hash=? AND reader=?", (hash, reader)
        )
        return {page: (text, conf) for page, text, conf in rows}

    def cache_ocr(self, hash: str, page: int, reader: str, text: str, confidence: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO ocr_cache(hash, page, reader, text, confidence) VALUES(?,?,?,?,?)",
            (hash, page, reader, text, confidence),
        )

    def prune_ocr_cache(self) -> int:
        """Forget what OCR read of content no file has any more: a removed folder's scans leave no text
        behind (a rename keeps its hash, so it keeps its pages)."""
        cur = self.db.execute("DELETE FROM ocr_cache WHERE hash NOT IN (SELECT hash FROM files WHERE hash IS NOT NULL)")
        return cur.rowcount

    def delete_file(self, path: str) -> bool:
        with self.transaction() as db:
            row = db.execute("SELECT id FROM files WHERE path=?", (path,)).fetchone()
            if not row:
                return False
            self._drop_chunks(db, row[0])
            db.execute("DELETE FROM files WHERE id=?", (row[0],))
        return True

    @staticmethod
    def _drop_chunks(db: sqlite3.Connection, file_id: int) -> None:
        db.execute(
            "INSERT OR IGNORE INTO vector_deletes(chunk_id, model) "
            "SELECT v.chunk_id, v.model FROM vectors v JOIN chunks c ON c.id = v.chunk_id WHERE c.file_id=?",
            (file_id,),
        )
        db.execute("DELETE FROM vectors WHERE chunk_id IN (SELECT id FROM chunks WHERE file_id=?)", (file_id,))
        db.execute("DELETE FROM chunks_fts WHERE rowid IN (SELECT id FROM chunks WHERE file_id=?)", (file_id,))
        db.execute("DELETE FROM chunks WHERE file_id=?", (file_id,))

    # --- keyword index ---------------------------------------------------------------------------
    def keywords_outdated(self) -> bool:
        if self.chunk_count() == 0:
            self.set_meta("tokenizer", tok.VERSION)
            return False
        return self.get_meta("tokenizer") != tok.VERSION

    def rebuild_keywords(self, batch: int = 500) -> None:
        """Re-tokenise every chunk after a tokenizer change (resumable: done chunks are skipped)."""
        done = int(self.get_meta("tokenizer_rebuild_at") or 0)
        while True:
            rows = self.db.execute(
                "SELECT c.id, c.text, f.path, f.title FROM chunks c JOIN files f ON f.id = c.file_id "
                "WHERE c.id > ? ORDER BY c.id LIMIT ?",
                (done, batch),
            ).fetchall()
            if not rows:
                break
            bodies = [(cid, *_keyword_fields(text), _title_tokens(path, title)) for cid, text, path, title in rows]
            with self.transaction() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO chunks_fts(rowid, body, grams, title) VALUES(?,?,?,?)", bodies
                )
                done = rows[-1][0]
                db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('tokenizer_rebuild_at', ?)", (str(done),))
        with self.transaction() as db:
            db.execute("DELETE FROM meta WHERE key='tokenizer_rebuild_at'")
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('tokenizer', ?)", (tok.VERSION,))

    # --- chunks & vectors -----------------------------------------------------------------------
    def chunks(self, ids: Iterable[int]) -> dict[int, ChunkRow]:
        ids = list(ids)
        out: dict[int, ChunkRow] = {}
        for i in range(0, len(ids), 500):
            part = ids[i : i + 500]
            q = f"SELECT * FROM chunks WHERE id IN ({','.join('?' * len(part))})"
            out.update({r[0]: ChunkRow(*r) for r in self.db.execute(q, part)})
        return out

    def keyword_tokens(self, ids: Iterable[int]) -> dict[int, list[str]]:
        """Each chunk's keyword tokens in text order (what search.near_score reads: no re-tokenising)."""
        ids = list(ids)
        q = f"SELECT rowid, body FROM chunks_fts WHERE rowid IN ({','.join('?' * len(ids))})"
        return {r[0]: r[1].split() for r in self.db.execute(q, ids)} if ids else {}

    def keyword_fields(self, ids: Iterable[int]) -> dict[int, tuple[set[str], set[str]]]:
        """Each chunk's keyword tokens (body and title) and Korean bigrams, as sets: which of a query's
        words a chunk holds (search.Searcher.weak_keyword)."""
        ids = list(ids)
        q = f"SELECT rowid, body, title, grams FROM chunks_fts WHERE rowid IN ({','.join('?' * len(ids))})"
        rows = self.db.execute(q, ids) if ids else []
        return {r[0]: (set(r[1].split()) | set((r[2] or "").split()), set((r[3] or "").split())) for r in rows}

    def term_idf(self, terms: Iterable[str], col: str = "body") -> dict[str, float]:
        """BM25's inverse document frequency of each term, over all chunks, from the keyword index's own
        vocabulary."""
        terms = list(dict.fromkeys(terms))
        if not terms:
            return {}
        self._vocabulary()
        n = self.chunk_count()
        q = f"SELECT term, doc FROM temp.chunks_vocab WHERE col = ? AND term IN ({','.join('?' * len(terms))})"
        docs = dict(self.db.execute(q, [col, *terms]).fetchall())
        return {t: math.log(1 + (n - docs.get(t, 0) + 0.5) / (docs.get(t, 0) + 0.5)) for t in terms}

    def known_terms(self, terms: Iterable[str]) -> set[str]:
        """The terms that some chunk holds in its body or title (the keyword index's vocabulary)."""
        terms = list(dict.fromkeys(terms))
        if not terms:
            return set()
        self._vocabulary()
        q = ("SELECT DISTINCT term FROM temp.chunks_vocab WHERE col IN ('body', 'title') "
             f"AND term IN ({','.join('?' * len(terms))})")
        return {r[0] for r in self.db.execute(q, terms)}

    def _vocabulary(self) -> None:
        if not self._vocab:  # a temporary fts5vocab view on this connection: nothing is stored
            self.db.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab USING fts5vocab(main, chunks_fts, col)"
            )
            self._vocab = True

    def chunks_of(self, file_id: int) -> list[ChunkRow]:
        return [ChunkRow(*r) for r in self.db.execute("SELECT * FROM chunks WHERE file_id=? ORDER BY seq", (file_id,))]

    def chunks_without_vector(self, model: str, limit: int) -> list[ChunkRow]:
        """Newest files first: what a person just saved should become meaning-searchable first."""
        rows = self.db.execute(
            "SELECT c.* FROM chunks c JOIN files f ON f.id = c.file_id "
            "WHERE NOT EXISTS (SELECT 1 FROM vectors v WHERE v.chunk_id = c.id AND v.model = ?) "
            "ORDER BY f.indexed_at DESC, c.id LIMIT ?",
            (model, limit),
        )
        return [ChunkRow(*r) for r in rows]

    def count_without_vector(self, model: str) -> int:
        return self.db.execute(
            "SELECT count(*) FROM chunks c WHERE NOT EXISTS "
            "(SELECT 1 FROM vectors v WHERE v.chunk_id = c.id AND v.model = ?)",
            (model,),
        ).fetchone()[0]

    def mark_vectors(self, model: str, chunk_ids: list[int]) -> None:
        """Record vectors written to Chroma; a chunk deleted meanwhile gets its vector queued for removal."""
        with self.transaction() as db:
            for cid in chunk_ids:
                if db.execute("SELECT 1 FROM chunks WHERE id=?", (cid,)).fetchone():
                    db.execute("INSERT OR IGNORE INTO vectors(chunk_id, model) VALUES(?,?)", (cid, model))
                else:
                    db.execute("INSERT OR IGNORE INTO vector_deletes(chunk_id, model) VALUES(?,?)", (cid, model))

    def vector_ids(self, model: str) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT chunk_id FROM vectors WHERE model=?", (model,))}

    def forget_vectors(self, model: str, chunk_ids: Iterable[int] | None = None) -> None:
        """Chroma lost these vectors (or the whole collection): they will be embedded again."""
        if chunk_ids is None:
            self.db.execute("DELETE FROM vectors WHERE model=?", (model,))
            return
        with self.transaction() as db:
            db.executemany("DELETE FROM vectors WHERE model=? AND chunk_id=?", [(model, c) for c in chunk_ids])

    def pending_vector_deletes(self, model: str, limit: int = 1000) -> list[int]:
        rows = self.db.execute("SELECT chunk_id FROM vector_deletes WHERE model=? LIMIT ?", (model, limit))
        return [r[0] for r in rows]

    def models_with_pending_deletes(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT model FROM vector_deletes")]

    def done_vector_deletes(self, model: str, chunk_ids: list[int]) -> None:
        with self.transaction() as db:
            db.executemany("DELETE FROM vector_deletes WHERE model=? AND chunk_id=?", [(model, c) for c in chunk_ids])

    def models_with_vectors(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT model FROM vectors")]

    # --- embedding cache ------------------------------------------------------------------------
    def cached_vectors(self, model: str, hashes: list[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        for i in range(0, len(hashes), 500):
            part = hashes[i : i + 500]
            marks = ",".join("?" * len(part))
            q = f"SELECT text_hash, vector FROM embed_cache WHERE model=? AND text_hash IN ({marks})"
            out.update(dict(self.db.execute(q, [model, *part])))
        return out

    def cache_vectors(self, model: str, items: list[tuple[str, bytes]]) -> None:
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO embed_cache(model, text_hash, vector) VALUES(?,?,?)",
                [(model, h, v) for h, v in items],
            )

    def prune_cache(self, spare: int = 0) -> int:
        """Drop cached vectors no chunk uses any more once there are more than ``spare`` of them; returns
        how many went. Each edit leaves its old chunks' vectors behind, so without this the cache grows
        with every save; ``spare`` keeps a few for a file deleted and restored or an edit undone, and
        bounds the cache at the live chunks' vectors plus ``spare``."""
        orphans = "FROM embed_cache WHERE text_hash NOT IN (SELECT text_hash FROM chunks)"
        if self.db.execute(f"SELECT count(*) {orphans}").fetchone()[0] <= spare:
            return 0
        return self.db.execute(f"DELETE {orphans}").rowcount

    def cache_size(self) -> int:
        return self.db.execute("SELECT count(*) FROM embed_cache").fetchone()[0]

    # --- folders that are not there for now ------------------------------------------------------
    def missing_roots(self) -> dict[str, float]:
        """Indexed folders (or files) found missing, with the time they were first missed: their files
        stay indexed, marked unavailable, until they return or ``index.purge_missing_days`` passes."""
        return dict(self.db.execute("SELECT root, since FROM missing_roots"))

    def mark_root_missing(self, root: str) -> float:
        self.db.execute("INSERT OR IGNORE INTO missing_roots(root, since) VALUES(?, ?)", (root, time.time()))
        return float(self.db.execute("SELECT since FROM missing_roots WHERE root=?", (root,)).fetchone()[0])

    def root_present(self, root: str) -> None:
        self.db.execute("DELETE FROM missing_roots WHERE root=?", (root,))

    def unavailable(self) -> list[tuple[str, float, int]]:
        """(root, missing since, files kept) for every missing root."""
        rows = self.db.execute(
            "SELECT m.root, m.since, (SELECT count(*) FROM files f WHERE f.root = m.root) FROM missing_roots m "
            "ORDER BY m.root"
        )
        return [(r, since, n) for r, since, n in rows]

    def unavailable_files(self, file_ids: Iterable[int]) -> set[int]:
        """Which of these files lie under a root that is missing now."""
        ids = list(file_ids)
        if not ids:
            return set()
        q = (f"SELECT id FROM files WHERE id IN ({','.join('?' * len(ids))}) "
             "AND root IN (SELECT root FROM missing_roots)")
        return {r[0] for r in self.db.execute(q, ids)}

    # --- counts ---------------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        out = {INDEXED: 0, SKIPPED: 0, FAILED: 0}
        for state, n in self.db.execute("SELECT state, count(*) FROM files GROUP BY state"):
            out[state] = n
        return out

    def chunk_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM chunks").fetchone()[0]

    def problems(self, limit: int = 1000) -> list[tuple[str, str, str]]:
        rows = self.db.execute(
            "SELECT path, state, reason FROM files WHERE state != ? ORDER BY path LIMIT ?", (INDEXED, limit)
        )
        return list(rows)


def _title_tokens(path: str, title: str | None) -> str:
    name = Path(path).name
    return " ".join(tok.tokenize(f"{name} {title or ''}", bigrams=False))


def _keyword_fields(text: str) -> tuple[str, str]:
    """The body and grams fields of a chunk's keyword row."""
    return " ".join(tok.tokenize(text, bigrams=False)), " ".join(tok.korean_bigrams(text))
