"""The owner's loop: one background thread that makes every write to the library.

Watcher events are debounced and coalesced (a burst of 1,000 files becomes a few updates, each file read
once), new and changed files are made keyword-searchable first and their vectors follow in small
batches, so a fresh save is findable by its words within a second or two; scans waiting for OCR come
last, a page a step. At start it rescans everything, which reconciles whatever changed while mysearch
was not running, and every ``reconcile_s`` it compares every folder with the catalog by stat, which
repairs events the watcher dropped. The thread runs at low priority, can be paused, and slows down on
battery power.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

from ..ingest.indexer import Cancelled, Indexer, IndexReport, Progress
from ..ingest.watcher import FolderWatcher
from ..library import Library

log = logging.getLogger(__name__)


@dataclass
class ServiceState:
    phase: str = "starting"  # starting | scanning | indexing | embedding | idle | pausing | paused
    paused: bool = False
    on_battery: bool = False
    last_report: dict[str, object] = field(default_factory=dict)
    progress: dict[str, object] = field(default_factory=dict)
    watched: list[str] = field(default_factory=list)
    polled: dict[str, str] = field(default_factory=dict)
    updates: int = 0
    files_read: int = 0  # files extracted since start: a burst of N new files must add exactly N
    last_change_indexed_at: float = 0.0
    steps: int = 0  # passes of the worker loop: one that makes no progress waits longer each time
    last_reconcile: float = 0.0  # wall time of the last stat-only pass over every folder (0: not yet)


class IndexService:
    def __init__(
        self,
        lib: Library,
        debounce_s: float = 0.3,
        max_delay_s: float = 2.0,
        rescan_s: float = 300.0,
        max_watches: int = 0,
        embed_batch: int = 8,
        reconcile_s: float = 300.0,
    ) -> None:
        """``reconcile_s``: how often every folder is compared with the catalog by stat, which repairs
        events the watcher dropped (inotify overflows its queue silently) within that time."""
        self.lib = lib
        self.reconcile_s = reconcile_s
        self._last_reconcile = time.monotonic()
        self._fruitless = 0  # steps in a row that had work to do but got none of it done
        self.debounce_s = debounce_s
        self.max_delay_s = max_delay_s
        self.rescan_s = rescan_s
        self.embed_batch = embed_batch
        self.state = ServiceState()
        self._cond = threading.Condition()
        self._dirty: dict[str, float] = {}
        self._first_dirty = 0.0
        self._full_sync = True  # start-up reconciliation
        self._stop = threading.Event()
        self._resume = threading.Event()
        self._resume.set()
        self._cancel = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None
        self._last_poll = time.monotonic()
        self.watcher = FolderWatcher(self.notify, max_watches)
        self._roots: list[str] = []
        self._reload = False
        self.indexer: Indexer | None = None
        self._battery_checked = 0.0
        self._batch_started = 0.0
        self._phase_before_pause = "idle"

    # --- control --------------------------------------------------------------------------------
    def start(self) -> None:
        self.lib.lock.acquire("watch the folders")
        self._apply_roots()
        self._thread = threading.Thread(target=self._run, name="mysearch-indexer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._cancel.set()
        self._resume.set()
        with self._cond:
            self._cond.notify_all()
        self.watcher.stop()
        if self._thread is not None:
            self._thread.join(60)

    def notify(self, changed: list[str]) -> None:
        """Called from the watcher's thread for every event."""
        now = time.monotonic()
        with self._cond:
            if not self._dirty:
                self._first_dirty = now
            for p in changed:
                self._dirty[p] = now
            self._idle.clear()
            self._cond.notify_all()

    def request_sync(self) -> None:
        with self._cond:
            self._full_sync = True
            self._idle.clear()
            self._cond.notify_all()

    def settings_changed(self) -> None:
        """Folders or ignore rules changed in the settings: watch the new set, rescan with new rules."""
        self.lib.failed_models.clear()  # a fixed model name or a newly installed package gets its chance
        self._apply_roots()
        with self._cond:
            self._reload = True
        self.request_sync()

    def pause(self) -> None:
        """Stop indexing within one file or one batch of vectors; the phase reads "pausing" until the
        worker has actually stopped, then "paused"."""
        self.state.paused = True
        self._resume.clear()
        if self.state.phase not in ("paused", "pausing"):
            self._phase_before_pause = self.state.phase
            self.state.phase = "pausing"
        with self._cond:
            self._cond.notify_all()

    def resume(self) -> None:
        self.state.paused = False
        self._resume.set()
        if self.state.phase == "pausing":  # it never got as far as stopping
            self.state.phase = self._phase_before_pause

    def _checkpoint(self) -> None:
        """Called by the indexer between files and between batches: pause and the battery take effect
        inside a long pass, not only when it ends."""
        if not self._resume.is_set() and not self._stop.is_set():
            phase = self._phase_before_pause if self.state.phase == "pausing" else self.state.phase
            self.state.phase = "paused"
            self._resume.wait()
            self.state.phase = phase
        now = time.monotonic()
        if now - self._battery_checked > 5.0:
            self._battery_checked = now
            self.state.on_battery = _on_battery()
        if self.state.on_battery and self._batch_started:  # half speed on battery
            self._stop.wait(min(now - self._batch_started, 5.0))
        self._batch_started = time.monotonic()

    def _new_indexer(self) -> Indexer:
        indexer = self.lib.indexer(progress=self._on_progress, cancel=self._cancel)
        indexer.checkpoint = self._checkpoint
        return indexer

    def wait_idle(self, timeout: float) -> bool:
        """For tests and scripts: wait until every known change is indexed and embedded."""
        return self._idle.wait(timeout)

    def _apply_roots(self) -> None:
        self._roots = self.lib.folders()
        plan = self.watcher.start(self._roots)
        self.state.watched = plan.watched
        self.state.polled = plan.reasons

    # --- the worker thread ----------------------------------------------------------------------
    def _run(self) -> None:
        _lower_priority()
        self.indexer = self._new_indexer()
        self._warm_up()
        try:
            while not self._stop.is_set():
                try:
                    self.state.steps += 1
                    self._step()
                except Cancelled:
                    pass
                except Exception:  # the service must outlive one bad step
                    log.exception("indexing step failed; retrying after a pause")
                    self._stop.wait(5)
        finally:
            self.indexer.close()

    def _warm_up(self) -> None:
        """Load the model, the reader process and Kiwi now, so the first saved file is quick too."""
        try:
            from . import tokens

            self.lib.embedder().count_tokens(["warm up"])
            self.indexer.extractor.start()
            tokens.tokenize("준비")
        except Exception:  # a failure here shows up again, with its reason, when used
            log.exception("warm-up failed")

    def _step(self) -> None:
        if not self._resume.is_set():
            self.state.phase = "paused"
            self._resume.wait()
        self.state.on_battery = _on_battery()
        self._battery_checked = time.monotonic()
        self._batch_started = 0.0
        with self._cond:
            full = self._full_sync
            self._full_sync = False
            changed = self._take_dirty()
            reload, self._reload = self._reload, False
        if reload:
            self.indexer.close()
            self.indexer = self._new_indexer()
        if not full and time.monotonic() - self._last_reconcile >= self.reconcile_s:
            full = True  # the periodic stat-only pass: repairs events the watcher never delivered
        if full:
            self.state.phase = "scanning"
            if {r for r in self._roots if os.path.lexists(r)} != {*self.state.watched, *self.state.polled}:
                self._apply_roots()  # a folder came back (or went): watch what is there now
            self._record(self.indexer.sync(self._roots, embed=False))
            self._last_reconcile = time.monotonic()
            self.state.last_reconcile = time.time()
            self.indexer.reconcile_all()
            return
        if changed:
            self.state.phase = "indexing"
            self._record(self.indexer.update(self._roots, changed, embed=False))
            self.state.last_change_indexed_at = time.time()
            return
        if self.state.polled and time.monotonic() - self._last_poll > self.rescan_s:
            self._last_poll = time.monotonic()
            self._record(self.indexer.update(self._roots, list(self.state.polled), embed=False))
            return
        if self.indexer.pending_vectors():
            self.state.phase = "embedding"
            started = time.monotonic()
            done = self.indexer.embed_pending(limit=self.embed_batch, reconcile=False)
            self.lib.vectors_changed()
            if self.state.on_battery:  # half speed on battery
                self._stop.wait(time.monotonic() - started)
            self._back_off(progressed=done > 0)
            return
        if self.indexer.pending_ocr():  # last: scans are slow, and everything else is searchable first
            self.state.phase = "ocr"
            done = self.indexer.ocr_pending(limit=1)  # one page a step: pause, changes and stop come first
            self._back_off(progressed=done > 0)
            return
        self.lib.retire_old_models()
        self.lib.calibrate()  # once the library has settled: its own floor under meaning-only hits
        self.state.phase = "paused" if self.state.paused else "idle"
        with self._cond:
            if not self._dirty and not self._full_sync:
                self._idle.set()
                until_reconcile = max(0.05, self.reconcile_s - (time.monotonic() - self._last_reconcile))
                timeout = min(self.rescan_s, until_reconcile) if self.state.polled else until_reconcile
                self._cond.wait(timeout)

    def _back_off(self, progressed: bool) -> None:
        """A step that had work but did none of it (a model that fails, a store that refuses) waits,
        longer each time up to a minute, instead of running again at once: the owner never spins."""
        if progressed:
            self._fruitless = 0
            return
        self._fruitless += 1
        delay = min(0.5 * 2 ** (self._fruitless - 1), 60.0)
        log.info("no progress; waiting %.1f s before trying again", delay)
        with self._cond:
            if not self._dirty and not self._full_sync and not self._stop.is_set():
                self._cond.wait(delay)

    def _take_dirty(self) -> list[str]:
        """Wait for the burst to settle (or for max_delay), then take every changed path at once."""
        while self._dirty and not self._stop.is_set():
            now = time.monotonic()
            quiet = now - max(self._dirty.values())
            waited = now - self._first_dirty
            if quiet >= self.debounce_s or waited >= self.max_delay_s:
                break
            self._cond.wait(self.debounce_s - quiet)
        paths = sorted(self._dirty)
        self._dirty.clear()
        # a folder in the set covers everything under it
        kept: list[str] = []
        for p in paths:
            if kept and p.startswith(kept[-1].rstrip(os.sep) + os.sep):
                continue
            kept.append(p)
        return kept

    def _record(self, report: IndexReport) -> None:
        self.state.updates += 1
        self.state.files_read += report.indexed + report.failed
        d = report.as_json()
        d.pop("problems", None)
        self.state.last_report = d
        self.lib.vectors_changed()

    def _on_progress(self, p: Progress) -> None:
        self.state.progress = {
            "phase": p.phase, "files_done": p.files_done, "files_total": p.files_total,
            "chunks_done": p.chunks_done, "chunks_total": p.chunks_total, "current": p.current,
            "eta_s": p.eta_s,
        }

    def status(self) -> dict[str, object]:
        st = self.lib.status().as_json()
        st["service"] = {
            "phase": self.state.phase,
            "paused": self.state.paused,
            "on_battery": self.state.on_battery,
            "watched": self.state.watched,
            "polled": self.state.polled,
            "progress": self.state.progress,
            "last_update": self.state.last_report,
            "last_reconcile": self.state.last_reconcile or None,
            "reconcile_s": self.reconcile_s,
        }
        return st


def _lower_priority() -> None:
    """Nice this thread (Linux sets priority per thread; threads it starts inherit it)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):
        pass


def _on_battery() -> bool:
    try:
        import psutil

        battery = psutil.sensors_battery()
    except (ImportError, RuntimeError, OSError, NotImplementedError):
        return False
    return bool(battery is not None and battery.power_plugged is False)
