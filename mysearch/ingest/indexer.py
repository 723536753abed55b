"""Bring the catalog, the keyword index and the vectors in step with the files.

One run: scan the folders, diff against the catalog by stat and then content hash, apply renames
(same content, new path: nothing is re-read or re-embedded), remove what vanished, read what is new or
changed (each file in one catalog transaction, keyword-searchable at once), then embed chunks that have
no vector yet. Every step is idempotent, so a run killed at any point simply continues next time.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from .. import ocr, paths
from ..catalog import FAILED, SKIPPED, Catalog, FileRow
from ..embed import Embedder
from ..errors import ModelError
from ..sources.base import Document, ExtractionError, Section, SkipFile
from ..store.vectors import VectorStore
from .chunker import chunk_document
from .extract_worker import ExtractorProcess
from .scanner import Candidate, Problem, Scanner, os_reason

log = logging.getLogger(__name__)


@dataclass
class IndexReport:
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: int = 0
    failed: int = 0
    chunks: int = 0
    seconds: float = 0.0
    moved: int = 0
    embedded: int = 0
    ocr_pages: int = 0  # pages read with OCR in this run (pages found in the OCR cache not counted)
    problems: list[dict[str, str]] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


@dataclass
class Progress:
    phase: str  # keywords | scan | read | embed | ocr | done
    files_done: int = 0
    files_total: int = 0
    chunks_done: int = 0
    chunks_total: int = 0
    current: str = ""
    files_per_s: float = 0.0
    chunks_per_s: float = 0.0
    eta_s: float | None = None


ProgressFn = Callable[[Progress], None]


class Cancelled(Exception):
    """The run was asked to stop; what is done is kept and the rest continues next time."""


def _settled(row: FileRow, retry_timeouts: bool = False, retry_ocr: bool = False) -> bool:
    """An unchanged file needs no work, unless it failed for a reason that may have passed
    (permissions fixed, a parser bug fixed); a file that timed out is retried once it changes or once
    ``index.timeout_s`` does (``retry_timeouts``). A file skipped for its size has no hash, so a new
    ``index.max_file_mb`` reaches it at the next scan."""
    if row.hash is None:
        return False
    if retry_ocr and row.state == SKIPPED and "OCR" in (row.reason or ""):
        return False  # OCR was turned on, or reads other languages: scans skipped for it are read again
    return row.state != FAILED or ((row.reason or "").startswith("took longer") and not retry_timeouts)


# OCR'd pages are stored (keyword-searchable) at most this often while a file's later pages are still
# being read: each store re-chunks and re-indexes the whole file, which for a long PDF with a few scanned
# pages costs as much as reading a page; the pages in between wait in the OCR cache, so nothing is lost.
OCR_STORE_EVERY_S = 10.0


def _worth_keeping(text: str, confidence: float) -> bool:
    """OCR of a picture with no writing in it (a photo, a drawing) gives a few low-confidence scraps:
    they are not indexed."""
    return confidence >= 40 and ocr.usable_text(text)


def file_hash(path: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


class Indexer:
    def __init__(
        self,
        catalog: Catalog,
        scanner: Scanner,
        embedder: Callable[..., Embedder],
        vectors: Callable[[], VectorStore],
        chunk_tokens: int,
        chunk_overlap: int,
        timeout_s: float,
        batch_size: int = 32,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        models: Callable[[], list[str]] | None = None,
        failed_models: dict[str, str] | None = None,
        purge_missing_s: float = 30 * 86400,
        ocr_languages: tuple[str, ...] = (),
        ocr_max_pages: int = 50,
    ) -> None:
        """``embedder(name=None)`` loads the chosen model (it also sizes chunks) or a named one;
        ``models()`` lists every model whose vectors are kept, the chosen one first; ``failed_models``
        (model -> reason) collects extra models that could not load: they are out of the set, so their
        chunks never count as work to do (the owner would otherwise retry them in a tight loop).
        ``ocr_languages`` empty turns OCR off; ``ocr_max_pages`` caps the pages read with OCR per file."""
        self.catalog = catalog
        self.scanner = scanner
        self._embedder = embedder
        self._models = models
        self._vectors = vectors
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap
        self.batch_size = batch_size
        self.progress = progress or (lambda p: None)
        self.cancel = cancel or threading.Event()
        self.extractor = ExtractorProcess(timeout_s)
        self.failed_models = failed_models if failed_models is not None else {}
        self.purge_missing_s = purge_missing_s
        self.timeout_s = timeout_s
        self.ocr_languages = tuple(ocr_languages)
        self.ocr_max_pages = ocr_max_pages
        self.ocr_off_reason = "text recognition (OCR) is off (ocr.enabled)"
        self._ocr_job: tuple[int, str, Document] | None = None  # (file id, hash, text-layer document)
        self._ocr_stored_at = 0.0

    def close(self) -> None:
        self.extractor.close()

    cache_spare = 2000  # cached vectors of text no chunk has any more, kept before the cache is pruned
    checkpoint: Callable[[], None] | None = None  # the owner's pause and battery gate, between files and batches

    def _check_cancel(self) -> None:
        if self.checkpoint is not None:
            self.checkpoint()
        if self.cancel.is_set():
            raise Cancelled()

    # --- the whole run --------------------------------------------------------------------------
    def sync(self, roots: list[str], embed: bool = True) -> IndexReport:
        """Everything under the indexed folders; what is in the catalog but no longer there goes."""
        if self.catalog.keywords_outdated():
            self.progress(Progress("keywords"))
            self.catalog.rebuild_keywords()
        self.progress(Progress("scan"))
        report = self._update(roots, self.scanner.scan(roots), self.catalog.files(), embed)
        self.catalog.set_meta("index.timeout_s", repr(self.timeout_s))  # timed-out files were tried under it
        self.catalog.set_meta("ocr.reader", self._ocr_reader())  # and skipped scans under this OCR
        if removed := self.catalog.prune_cache(self.cache_spare):
            log.info("dropped %d cached vectors of text no longer indexed", removed)
        if removed := self.catalog.prune_ocr_cache():
            log.info("forgot %d OCR'd pages of files no longer indexed", removed)
        return report

    def update(self, roots: list[str], changed: list[str], embed: bool = True) -> IndexReport:
        """Only the given paths (files or folders, existing or gone): what the watcher reports."""
        keys = [paths.to_db(p) for p in changed]
        return self._update(roots, self.scanner.scan_paths(roots, changed), self.catalog.files_under(keys), embed)

    def _missing_roots(self, roots: list[str]) -> set[str]:
        """Roots that are not there now (an unplugged disk, an unmounted share, a renamed parent) and
        whose files are kept: missing for less than ``purge_missing_s``. A returning root is unmarked."""
        marked = self.catalog.missing_roots()
        kept: set[str] = set()
        for root in roots:
            if os.path.lexists(root):
                if root in marked:
                    log.info("%s is back; its files were kept", root)
                    self.catalog.root_present(root)
                continue
            since = marked.get(root) or self.catalog.mark_root_missing(root)
            if time.time() - since < self.purge_missing_s:
                kept.add(root)
            else:
                log.info("%s missing since %s: its files are removed from the index", root, time.ctime(since))
                self.catalog.root_present(root)
        for root in set(marked) - set(roots):  # the user removed it: its files go as usual
            self.catalog.root_present(root)
        return kept

    def _update(
        self, roots: list[str], items: Iterable[Candidate | Problem], known: dict[str, FileRow], embed: bool
    ) -> IndexReport:
        started = time.monotonic()
        missing = self._missing_roots(roots)
        retry_timeouts = self.catalog.get_meta("index.timeout_s") != repr(self.timeout_s)
        retry_ocr = self.catalog.get_meta("ocr.reader") != self._ocr_reader()
        report = IndexReport()
        found: dict[str, Candidate] = {}
        problems: dict[str, Problem] = {}
        for item in items:
            key = paths.to_db(item.path)
            (found if isinstance(item, Candidate) else problems)[key] = item  # type: ignore[index]
        to_read: list[tuple[str, Candidate, str | None]] = []  # (db path, candidate, hash if known)
        new: list[tuple[str, Candidate]] = []
        for key, cand in found.items():
            row = known.get(key)
            if row is None:
                row = self.catalog.file(key)  # known elsewhere (a partial update's scope is narrow)
            if row is None:
                new.append((key, cand))
            elif (row.size, row.mtime_ns) == (cand.size, cand.mtime_ns) and _settled(row, retry_timeouts, retry_ocr):
                # still-skipped files count as skipped, so the counts add up to the files seen
                if row.state == SKIPPED:
                    report.skipped += 1
                elif row.state == FAILED:
                    report.failed += 1
                else:
                    report.unchanged += 1
            else:
                to_read.append((key, cand, None))
        # a missing root's files are kept (unavailable), not removed and read again when it returns
        vanished = {k: r for k, r in known.items() if k not in found and k not in problems and r.root not in missing}
        problems = {k: p for k, p in problems.items() if not (p.root in missing and k == paths.to_db(p.root))}
        self._apply_renames(new, vanished, to_read, report)
        for key in vanished:
            self.catalog.delete_file(key)
            report.removed += 1
        for key, prob in problems.items():
            row = known.get(key) or self.catalog.file(key)
            if row is None or row.reason != prob.reason:
                self.catalog.record_problem(key, prob.root, SKIPPED, prob.reason)
            report.skipped += 1
        # small and recently changed files first: what a person just saved is findable soonest
        to_read.sort(key=lambda t: (t[1].size > 1_000_000, -t[1].mtime_ns))
        self._read_all(to_read, report)
        if embed:  # the ordinary text of every file is searchable by meaning before OCR starts
            report.embedded = self.embed_pending()
            report.ocr_pages = self.ocr_pending()
            report.embedded += self.embed_pending()
        else:
            self.apply_vector_deletes()
        report.seconds = time.monotonic() - started
        report.problems = [
            {"path": paths.display(p), "state": s, "reason": r} for p, s, r in self.catalog.problems()
        ]
        self.progress(Progress("done", report.indexed, report.indexed, report.embedded, report.embedded))
        return report

    def _apply_renames(
        self,
        new: list[tuple[str, Candidate]],
        vanished: dict[str, FileRow],
        to_read: list[tuple[str, Candidate, str | None]],
        report: IndexReport,
    ) -> None:
        by_hash: dict[str, list[str]] = {}
        for key, row in vanished.items():
            if row.hash and row.state == "indexed":
                by_hash.setdefault(row.hash, []).append(key)
        for key, cand in new:
            digest = None
            if by_hash:
                try:
                    digest = file_hash(cand.path)
                except OSError:
                    digest = None
            old_keys = by_hash.get(digest or "")
            if old_keys:
                old = vanished.pop(old_keys.pop())
                if not old_keys:
                    del by_hash[digest]
                self.catalog.move(old.id, key, cand.root, cand.size, cand.mtime_ns)
                report.moved += 1
                report.unchanged += 1
            else:
                to_read.append((key, cand, digest))

    # --- reading --------------------------------------------------------------------------------
    def _read_all(self, to_read: list[tuple[str, Candidate, str | None]], report: IndexReport) -> None:
        if not to_read:
            return
        embedder = self._embedder()
        started = time.monotonic()
        for i, (key, cand, digest) in enumerate(to_read):
            self._check_cancel()
            elapsed = max(time.monotonic() - started, 1e-6)
            rate = i / elapsed
            self.progress(
                Progress(
                    "read", i, len(to_read), report.chunks, 0, paths.display(key), rate, 0.0,
                    (len(to_read) - i) / rate if rate else None,
                )
            )
            state = self.read_file(key, cand, digest, embedder)
            if state == "indexed":
                report.indexed += 1
            elif state == "unchanged":
                report.unchanged += 1
            elif state == SKIPPED:
                report.skipped += 1
            elif state == FAILED:
                report.failed += 1
            elif state == "removed":
                report.removed += 1
            report.chunks += self._last_chunks

    _last_chunks = 0

    def read_file(self, key: str, cand: Candidate, digest: str | None, embedder: Embedder) -> str:
        """Index one file; returns indexed | unchanged | skipped | failed | removed."""
        self._last_chunks = 0
        try:
            digest = digest or file_hash(cand.path)
        except FileNotFoundError:
            return "removed" if self.catalog.delete_file(key) else "unchanged"
        except OSError as exc:
            return self._failed(key, cand, f"cannot be read: {os_reason(exc)}", None)
        row = self.catalog.file(key)
        if row is not None and row.hash == digest and row.state == "indexed":
            self.catalog.touch(row.id, cand.size, cand.mtime_ns)
            return "unchanged"
        try:
            doc = self.extractor.extract(cand.path)
            todo = self._with_cached_ocr(doc, digest)
            chunks = chunk_document(doc, embedder.count_tokens, self.chunk_tokens, self.chunk_overlap)
            if not chunks and not todo:
                raise SkipFile(self._no_text_reason(doc))
        except SkipFile as exc:
            self.catalog.record_problem(key, cand.root, SKIPPED, str(exc), cand.size, cand.mtime_ns, digest)
            return SKIPPED
        except ExtractionError as exc:
            if not os.path.exists(cand.path):
                return "removed" if self.catalog.delete_file(key) else "unchanged"
            return self._failed(key, cand, str(exc), digest)
        self.catalog.store_document(
            key, cand.root, cand.size, cand.mtime_ns, digest, doc.kind, doc.title, doc.url, doc.date, chunks, todo
        )
        self._last_chunks = len(chunks)
        return "indexed"

    # --- OCR ------------------------------------------------------------------------------------
    def _ocr_reader(self) -> str:
        return ocr.cache_key(self.ocr_languages) if self.ocr_languages else "off"

    def _no_text_reason(self, doc: Document) -> str:
        if not doc.ocr_pages:
            return "no text found"
        what = "scanned PDF" if doc.kind == "pdf" else "image"
        if not self.ocr_languages:
            return f"{what}: {self.ocr_off_reason}"
        return f"{what}: no text found by OCR"

    def _with_cached_ocr(self, doc: Document, digest: str) -> list[int]:
        """Add the pages OCR read before (same content) to ``doc``; return the pages still to read. With
        OCR off there is nothing to read, and a document that is only pictures is skipped with that reason."""
        if not doc.ocr_pages or not self.ocr_languages:
            return []
        wanted = doc.ocr_pages[: self.ocr_max_pages]
        cached = self.catalog.ocr_cached(digest, ocr.cache_key(self.ocr_languages))
        extra = [Section(cached[p][0], page=p, ocr=True) for p in wanted if p in cached and _worth_keeping(*cached[p])]
        if extra:
            doc.sections = sorted([*doc.sections, *extra], key=lambda s: s.page or 0)
        return [p for p in wanted if p not in cached]

    def pending_ocr(self) -> int:
        """Pages still to read with OCR (none while OCR is off)."""
        return self.catalog.ocr_pages_pending() if self.ocr_languages else 0

    def ocr_pending(self, limit: int | None = None) -> int:
        """Read pages that need OCR, one at a time, newest files first; after each page the file's text is
        stored again, so OCR'd pages become keyword-searchable as they finish. Returns the pages read."""
        if not self.ocr_languages:
            return 0
        reader = ocr.cache_key(self.ocr_languages)
        done = 0
        while limit is None or done < limit:
            todo = self.catalog.ocr_todo(1)
            if not todo:
                break
            self._check_cancel()
            row, pages = todo[0]
            self.progress(Progress("ocr", 0, 0, 0, 0, paths.display(row.path)))
            done += self._ocr_page(row, pages, reader)
        return done

    def _ocr_page(self, row: FileRow, pages: list[int], reader: str) -> int:
        real = paths.to_fs(row.path)
        try:
            st = os.stat(real)
        except OSError:
            self.catalog.delete_file(row.path)
            return 0
        if (st.st_size, st.st_mtime_ns) != (row.size, row.mtime_ns) or row.hash is None:
            # changed since it was read: read it again (text layer, pages to OCR) before any OCR
            self.read_file(row.path, Candidate(real, row.root, st.st_size, st.st_mtime_ns), None, self._embedder())
            return 0
        job = self._ocr_job
        if job is None or job[:2] != (row.id, row.hash):
            try:
                doc = self.extractor.extract(real)
            except ExtractionError as exc:
                self._failed(row.path, Candidate(real, row.root, row.size, row.mtime_ns), str(exc), row.hash)
                self.catalog.drop_ocr_todo(row.id)  # read again when it changes, as any failed file
                return 0
            job = self._ocr_job = (row.id, row.hash, doc)
        done = self.catalog.ocr_cached(row.hash, reader)  # pages read since the file was last stored
        unread = [p for p in pages if p not in done]
        if not unread:  # everything is read: store it
            return self._store_ocr(row, job[2], [])
        page, rest = unread[0], unread[1:]
        try:
            found = self.extractor.ocr(real, page, self.ocr_languages)
            text, confidence = found.text, found.confidence
        except SkipFile:
            text, confidence = "", 0.0
        except ExtractionError as exc:  # too slow, or the reader crashed: this page stays unread
            log.warning("OCR of %s page %d failed: %s", paths.display(row.path), page, exc)
            text, confidence = "", -1.0
        self.catalog.cache_ocr(row.hash, page, reader, text, confidence)
        if rest and time.monotonic() - self._ocr_stored_at < OCR_STORE_EVERY_S:
            return 1  # kept in the cache; stored with the next pages (a store re-chunks the whole file)
        self._store_ocr(row, job[2], rest)
        return 1

    def _store_ocr(self, row: FileRow, text_layer: Document, rest: list[int]) -> int:
        """The file's text layer and every page OCR has read so far, stored as the file; ``rest`` still to read."""
        doc = dataclasses.replace(text_layer, sections=list(text_layer.sections))
        self._with_cached_ocr(doc, row.hash)
        chunks = chunk_document(doc, self._embedder().count_tokens, self.chunk_tokens, self.chunk_overlap)
        if not chunks and not rest:
            self.catalog.record_problem(
                row.path, row.root, SKIPPED, self._no_text_reason(doc), row.size, row.mtime_ns, row.hash
            )
        else:
            self.catalog.store_document(
                row.path, row.root, row.size, row.mtime_ns, row.hash, doc.kind, doc.title, doc.url, doc.date,
                chunks, rest,
            )
        self._ocr_stored_at = time.monotonic()
        if not rest:
            self._ocr_job = None
        return 0

    def _failed(self, key: str, cand: Candidate, reason: str, digest: str | None) -> str:
        """A failure that may pass (time limit, crash, permission): a file indexed before keeps its chunks."""
        row = self.catalog.file(key)
        if row is not None and row.hash is not None and self.catalog.has_chunks(row.id):
            self.catalog.fail_keeping_chunks(row.id, reason, cand.size, cand.mtime_ns)
        else:
            self.catalog.record_problem(key, cand.root, FAILED, reason, cand.size, cand.mtime_ns, digest)
        return FAILED

    # --- vectors --------------------------------------------------------------------------------
    def models(self) -> list[str]:
        """The models whose vectors are kept, the chosen one first (extra ones that failed to load left out)."""
        names = self._models() if self._models is not None else [self._embedder().name]
        return [m for i, m in enumerate(names) if i == 0 or m not in self.failed_models]

    def pending_vectors(self) -> int:
        """Vectors still to compute, over all models."""
        return sum(self.catalog.count_without_vector(m) for m in self.models())

    def reconcile_all(self) -> None:
        for model in self.models():
            self.reconcile(model)

    def embed_pending(self, limit: int | None = None, reconcile: bool = True) -> int:
        """Embed chunks that have no vector yet, the chosen model's first, then each extra model's
        (so meaning search with the chosen model is ready soonest); returns how many vectors were written."""
        self.apply_vector_deletes()
        done = 0
        for i, model in enumerate(self.models()):
            if limit is not None and done >= limit:
                break
            if self.catalog.count_without_vector(model) == 0:
                continue
            try:
                embedder = self._embedder() if i == 0 else self._embedder(model)
            except (ModelError, ImportError, OSError, RuntimeError) as exc:
                if i == 0:
                    raise
                # out of the set until the settings change: it stays out of search, its reason in status
                log.warning("extra embedding model %s cannot load, left out: %s", model, exc)
                self.failed_models[model] = str(exc) or type(exc).__name__
                continue
            done += self._embed_model(embedder, None if limit is None else limit - done, reconcile)
        self.apply_vector_deletes()
        return done

    def _embed_model(self, embedder: Embedder, limit: int | None, reconcile: bool) -> int:
        model = embedder.name
        vectors = self._vectors()
        if reconcile:
            self.reconcile(model)
        total = self.catalog.count_without_vector(model)
        done, started = 0, time.monotonic()
        while limit is None or done < limit:
            self._check_cancel()
            size = self.batch_size if limit is None else min(self.batch_size, limit - done)
            batch = self.catalog.chunks_without_vector(model, size)
            if not batch:
                break
            cached = self.catalog.cached_vectors(model, [c.text_hash for c in batch])
            missing = [c for c in batch if c.text_hash not in cached]
            if missing:
                fresh = embedder.embed_documents([c.text for c in missing])
                items = [(c.text_hash, v.astype(np.float32).tobytes()) for c, v in zip(missing, fresh, strict=True)]
                self.catalog.cache_vectors(model, items)
                cached.update(items)
            matrix = np.stack([np.frombuffer(cached[c.text_hash], dtype=np.float32) for c in batch])
            ids = [c.id for c in batch]
            vectors.upsert(model, ids, matrix, [c.file_id for c in batch])
            self.catalog.mark_vectors(model, ids)
            done += len(batch)
            rate = done / max(time.monotonic() - started, 1e-6)
            self.progress(
                Progress("embed", 0, 0, done, total, model, 0.0, rate, (total - done) / rate if rate else None)
            )
        return done

    def apply_vector_deletes(self) -> None:
        models = self.catalog.models_with_pending_deletes()
        if not models:
            return
        vectors = self._vectors()
        for model in models:
            while ids := self.catalog.pending_vector_deletes(model):
                vectors.delete(model, ids)
                self.catalog.done_vector_deletes(model, ids)

    def reconcile(self, model: str) -> None:
        """Make Chroma agree with the catalog after a crash: drop strays, re-queue what is missing."""
        vectors = self._vectors()
        recorded = self.catalog.vector_ids(model)
        if vectors.count(model) == len(recorded):
            return
        stored = vectors.ids(model)
        live = set(self.catalog.chunks(stored).keys())
        strays = sorted(stored - live)
        if strays:
            log.info("removing %d stray vectors from %s", len(strays), model)
            vectors.delete(model, strays)
        lost = recorded - stored
        if lost:
            log.info("re-embedding %d vectors missing from %s", len(lost), model)
            self.catalog.forget_vectors(model, lost)
