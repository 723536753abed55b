"""The one facade: the CLI and the desktop app are thin clients of ``Library``.

``Library.open(home)`` gives settings, the catalog and status at once and cheaply; the embedding
model and the vector store are opened only when a call needs them, and opening the vectors takes the
owner lock (one process owns a library's store at a time).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from . import calibration, embed, folders, paths, permissions
from .catalog import Catalog
from .config import Config, default_home
from .embed import Embedder
from .ingest.indexer import Indexer, IndexReport, ProgressFn
from .ingest.rules import Rules
from .ingest.scanner import Scanner
from .lock import OwnerLock
from .search import Filters, Hit, Searcher
from .store.vectors import VectorStore

log = logging.getLogger(__name__)


@dataclass
class Status:
    home: str
    folders: list[str]
    files: dict[str, int]
    chunks: int
    problems: list[dict[str, str]]
    model: str
    store: str
    vectors_pending: int
    searchable_model: str | None
    owner_pid: int | None = None
    pending_by_model: dict[str, int] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    settings_error: str | None = None  # the settings file does not read: the last good settings are in use
    models_failed: dict[str, str] = field(default_factory=dict)  # extra models left out, with the reason
    unavailable: list[dict[str, object]] = field(default_factory=list)  # missing folders whose files are kept
    ocr: dict[str, object] = field(default_factory=dict)  # on or why not, languages, pages still to read

    def as_json(self) -> dict[str, object]:
        return {
            "home": self.home,
            "folders": self.folders,
            "files": self.files,
            "chunks": self.chunks,
            "problems": self.problems,
            "model": self.model,
            "store": self.store,
            "vectors_pending": self.vectors_pending,
            "searchable_model": self.searchable_model,
            "owner_pid": self.owner_pid,
            "vectors_pending_by_model": self.pending_by_model,
            "settings_error": self.settings_error,
            "models_failed": self.models_failed,
            "unavailable": self.unavailable,
            "ocr": self.ocr,
        }


class Library:
    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        permissions.secure_home(self.home)  # 0700: the catalog holds the full text of every indexed file
        self.config = Config(self.home)
        permissions.create_private_file(self.home / "catalog.sqlite3")  # SQLite gives its WAL the same mode
        self.catalog = Catalog(self.home / "catalog.sqlite3")
        self.lock = OwnerLock(self.home)
        self._vectors: VectorStore | None = None
        self._lock = threading.RLock()
        self._readers = threading.local()
        self._searchable: tuple[float, list[str], list[str | None]] | None = None  # search_models(), kept a few s
        self.failed_models: dict[str, str] = {}  # extra embedding models that could not load, with why
        library_id = self.catalog.get_meta("library_id")
        if library_id is None:
            library_id = uuid.uuid4().hex
            self.catalog.set_meta("library_id", library_id)
        self.library_id = library_id

    @classmethod
    def open(cls, home: Path | str | None = None) -> Library:
        return cls(Path(home) if home else default_home())

    def close(self) -> None:
        self._vectors = None
        self.catalog.close()
        self.lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- parts, opened on demand ----------------------------------------------------------------
    def embedder(self, name: str | None = None) -> Embedder:
        """The chosen embedding model (or the named one), loaded for indexing."""
        return embed.load(name or self.config.get("embedding.model"), self.config.get("embedding.threads"))

    def models(self) -> list[str]:
        """Embedding models kept up to date: the chosen one first, then the extra ones, each once."""
        return list(dict.fromkeys([self.config.get("embedding.model"), *self.config.get("embedding.extra")]))

    def reader(self) -> Catalog:
        """The catalog for reading in this thread, on its own connection: it sees only committed
        state and never lands inside the indexing thread's transaction."""
        cat = getattr(self._readers, "catalog", None)
        if cat is None:
            cat = self._readers.catalog = Catalog(self.catalog.path, reader=True)
        return cat

    def vectors(self) -> VectorStore:
        with self._lock:
            if self._vectors is None:
                self.lock.acquire("open the index")
                url = self.config.get("store.url")
                self._vectors = VectorStore(None if url else self.home / "chroma", url, self.library_id)
            return self._vectors

    # --- what is indexed ------------------------------------------------------------------------
    def folders(self) -> list[str]:
        return list(self.config.get("folders"))

    def add(self, targets: list[str]) -> list[str]:
        """``folders.add``: folders, files or web pages (a local copy is saved); returns what was added."""
        return folders.add(self.config, self.home, targets)

    def remove(self, targets: list[str]) -> list[str]:
        """``folders.remove``: their chunks go at the next index run."""
        return folders.remove(self.config, targets)

    def exclude(self, path: str) -> str:
        """``folders.exclude``: one file kept out of the index; returns the rule saved."""
        return folders.exclude(self.config, path)

    # --- indexing -------------------------------------------------------------------------------
    def indexer(self, progress: ProgressFn | None = None, cancel: threading.Event | None = None) -> Indexer:
        cfg = self.config
        rules = Rules.from_settings(cfg.get("index.ignore"), cfg.get("index.hidden"))
        scanner = Scanner(rules, int(cfg.get("index.max_file_mb") * 2**20), [self.home])
        return Indexer(
            self.catalog,
            scanner,
            self.embedder,
            self.vectors,
            cfg.get("chunk.tokens"),
            cfg.get("chunk.overlap"),
            cfg.get("index.timeout_s"),
            cfg.get("embedding.batch_size"),
            progress,
            cancel,
            models=self.models,
            failed_models=self.failed_models,
            purge_missing_s=cfg.get("index.purge_missing_days") * 86400,
            ocr_languages=self.ocr_languages(),
            ocr_max_pages=cfg.get("ocr.max_pages"),
        )

    def ocr_languages(self) -> tuple[str, ...]:
        """The languages OCR reads, or none when it is off or cannot run here (``ocr_unavailable``)."""
        return () if self.ocr_unavailable() else tuple(self.config.get("ocr.languages"))

    def ocr_unavailable(self) -> str | None:
        """Why scans are not read here, in words a person can act on, or None when they are."""
        if not self.config.get("ocr.enabled"):
            return "off (ocr.enabled)"
        from . import ocr

        return ocr.unavailable_reason(tuple(self.config.get("ocr.languages")))

    def index(self, progress: ProgressFn | None = None, cancel: threading.Event | None = None) -> IndexReport:
        self.lock.acquire("index")
        indexer = self.indexer(progress, cancel)
        try:
            report = indexer.sync(self.folders())
            log.info("index pass: %d indexed, %d unchanged, %d removed, %d skipped, %d failed, %d chunks in %.1f s",
                     report.indexed, report.unchanged, report.removed, report.skipped, report.failed,
                     report.chunks, report.seconds)
            self.retire_old_models()
            self.vectors_changed()
            self.calibrate()
            return report
        finally:
            indexer.close()

    def retire_old_models(self) -> None:
        """Once the current model covers every chunk, vectors of models no longer in use are dropped."""
        active = self.models()
        if self.catalog.count_without_vector(active[0]):
            return
        for model in self.catalog.models_with_vectors():
            if model not in active:
                self.vectors().drop(model)
                self.catalog.forget_vectors(model)

    def calibrate(self) -> bool:
        """Measure this library's own floor under meaning-only hits when it is due and every searched
        model's vectors are complete (``calibration.refresh``). True when it measured."""
        try:
            return calibration.refresh(self.catalog, self.searcher(), [m for m in self.search_models() if m])
        except Exception:  # a model that fails to load says so at search; the index pass stands
            log.warning("could not measure the library's floors", exc_info=True)
            return False

    def vectors_changed(self) -> None:
        """Vectors were added or dropped: the next search asks again which models are complete."""
        self._searchable = None

    # --- searching ------------------------------------------------------------------------------
    def searchable_model(self) -> str | None:
        """The configured model once its vectors are complete; until then the last complete one.

        Asked on every search, so the answer is kept for a few seconds (counting is a table scan)."""
        return self.search_models()[0]

    def search_models(self) -> list[str]:
        """Models whose vectors a search uses: ``searchable_model()``, then each extra model whose
        vectors are complete (a half-built extra model would only push the files it lacks down)."""
        now, active = time.monotonic(), self.models()
        cached = self._searchable
        if cached and now - cached[0] < 5.0 and cached[1] == active:
            return cached[2]
        cat = self.reader()
        first = self._searchable_model()
        value = [first, *(m for m in active[1:] if m != first and m not in self.failed_models
                          and cat.count_without_vector(m) == 0)]
        self._searchable = (now, active, value)
        return value

    def _searchable_model(self) -> str | None:
        current = self.config.get("embedding.model")
        cat = self.reader()
        if cat.count_without_vector(current) == 0:
            return current
        for model in cat.models_with_vectors():
            if model != current and cat.count_without_vector(model) == 0:
                return model
        return current  # partly embedded: dense search covers what is done, keywords cover the rest

    def searcher(self, extra_models: bool = True) -> Searcher:
        """``extra_models=False``: rank with the chosen embedding model and keywords only (a one-shot
        process that would otherwise load the extra model, and torch with it, for one query)."""
        cfg = self.config

        def embedder(model: str) -> Embedder:
            return embed.load(model, cfg.get("embedding.threads"), purpose="query")

        return Searcher(
            self.reader(),
            embedder,
            self.vectors,
            self.search_models if extra_models else lambda: self.search_models()[:1],
            cfg.get("search.keyword_weight"),
            cfg.get("search.dense_weight"),
            cfg.get("search.fusion"),
            cfg.get("search.extra_weight"),
            lambda korean: calibration.floors(self.reader(), korean),
        )

    def search(
        self, text: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
        prefix: bool = False, extra_models: bool = True,
    ) -> list[Hit]:
        """``prefix``: the text is being typed, its last word may be unfinished (``Searcher.search``);
        ``extra_models``: False ranks with the chosen model alone (a one-shot ``ask`` loads no other)."""
        hits = self.searcher(extra_models).search(text, k or self.config.get("search.k"), filters, mode, prefix)
        gone = self.reader().unavailable_files(h.file_id for h in hits)
        for h in hits:
            h.unavailable = h.file_id in gone
        return hits

    def chunk_texts(self, chunk_ids: list[int]) -> dict[int, str]:
        """Whole passages by chunk id (a hit carries a snippet): answers read their sources from here."""
        return {i: c.text for i, c in self.reader().chunks(chunk_ids).items()}

    def preview(self, chunk_id: int, text: str) -> dict[str, object]:
        """A hit's chunk with the query's words marked, and one chunk of context on each side."""
        from .search import Query, term_spans

        cat = self.reader()
        chunk = cat.chunks([chunk_id]).get(chunk_id)
        if chunk is None:
            return {"found": False}
        rows = [(c.seq, c.text) for c in cat.chunks_of(chunk.file_id) if abs(c.seq - chunk.seq) == 1]
        passage = chunk.text  # as written: line breaks kept (the app shows them)
        spans = term_spans(passage, Query.parse(text))
        return {"found": True, "before": [t for q, t in rows if q < chunk.seq], "passage": passage,
                "spans": [list(sp) for sp in spans], "after": [t for q, t in rows if q > chunk.seq]}

    def verify(self) -> list[str]:
        """Differences between the catalog, the keyword index and the vectors (empty when consistent)."""
        db = self.catalog.db
        out = []
        chunk_ids = {r[0] for r in db.execute("SELECT id FROM chunks")}
        fts_ids = {r[0] for r in db.execute("SELECT rowid FROM chunks_fts")}
        if fts_ids != chunk_ids:
            out.append(
                f"keyword index has {len(fts_ids - chunk_ids)} stray and {len(chunk_ids - fts_ids)} missing rows"
            )
        dups = db.execute("SELECT count(*) FROM (SELECT 1 FROM chunks GROUP BY file_id, seq HAVING count(*) > 1)")
        if n := dups.fetchone()[0]:
            out.append(f"{n} duplicated chunks")
        orphans = db.execute("SELECT count(*) FROM chunks WHERE file_id NOT IN (SELECT id FROM files)").fetchone()[0]
        if orphans:
            out.append(f"{orphans} chunks of unknown files")
        for model in dict.fromkeys(self.models() + self.catalog.models_with_vectors()):
            stored = self.vectors().ids(model)
            recorded = self.catalog.vector_ids(model)
            if stored != recorded:
                out.append(
                    f"vector store differs from catalog for {model}: "
                    f"{len(stored - recorded)} stray, {len(recorded - stored)} missing"
                )
            if recorded - chunk_ids:
                out.append(f"{len(recorded - chunk_ids)} vectors of deleted chunks in {model}")
        return out

    # --- status ---------------------------------------------------------------------------------
    def status(self) -> Status:
        model = self.config.get("embedding.model")
        cat = self.reader()
        problems = [{"path": paths.display(p), "state": s, "reason": r} for p, s, r in cat.problems()]
        pending = {m: cat.count_without_vector(m) for m in self.models()}  # vectors still to compute
        ocr_off = self.ocr_unavailable()
        return Status(
            home=str(self.home),
            folders=self.folders(),
            files=cat.counts(),
            chunks=cat.chunk_count(),
            problems=problems,
            model=model,
            store=self.config.get("store.url") or "embedded",
            vectors_pending=sum(pending.values()),
            searchable_model=self.searchable_model(),
            owner_pid=self.lock.holder(),
            pending_by_model=pending,
            settings_error=self.config.error,
            models_failed=dict(self.failed_models),
            unavailable=[{"folder": paths.display(r), "since": since, "files": n} for r, since, n in cat.unavailable()],
            ocr={
                "enabled": ocr_off is None,
                "unavailable": ocr_off,
                "languages": list(self.config.get("ocr.languages")),
                "pages_pending": cat.ocr_pages_pending(),
            },
        )
