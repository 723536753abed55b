"""The long-running indexer: watches folders, keeps the index in step, answers other processes.

``IndexService`` owns every write to the library from one background thread. Watcher events are
debounced and coalesced (a burst of 1,000 files becomes a few updates, each file read once), new and
changed files are made keyword-searchable first and their vectors follow in small batches, so a fresh
save is findable by its words within a second or two. At start it rescans everything, which reconciles
whatever changed while mysearch was not running. The thread runs at low priority, can be paused, and
slows down on battery power.

``ControlServer`` lets the CLI in another terminal search and ask through the running process over a
Unix socket that only this user can open (the store must have one owner: NOTES.md).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import socketserver
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import MySearchError
from .ingest.indexer import Cancelled, Indexer, IndexReport, Progress
from .ingest.watcher import FolderWatcher
from .library import Library
from .permissions import NotPrivate, is_private_dir, private_dir
from .search import Filters, Hit

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
            self.lib._searchable = None
            if self.state.on_battery:  # half speed on battery
                self._stop.wait(time.monotonic() - started)
            self._back_off(progressed=done > 0)
            return
        if self.indexer.pending_ocr():  # last: scans are slow, and everything else is searchable first
            self.state.phase = "ocr"
            done = self.indexer.ocr_pending(limit=1)  # one page a step: pause, changes and stop come first
            self._back_off(progressed=done > 0)
            return
        self.lib._retire_old_models()
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
        self.lib._searchable = None

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


# --- talking to the running process ------------------------------------------------------------
def socket_path(home: Path, create: bool = False) -> str:
    """Where the owner of ``home`` listens: the first of these that is private to this user.

    The library folder (0700, see ``permissions``) unless that path is too long for a Unix socket;
    then ``$XDG_RUNTIME_DIR/mysearch`` (the per-user runtime folder of the desktop session); then
    ``mysearch-<uid>`` in the shared temporary folder, which ``create`` (the server) makes and checks
    (another account may have made it first: ``NotPrivate``). The client checks who answers instead
    (``RemoteLibrary``), so it needs no folder of its own."""
    import hashlib

    home = Path(os.path.abspath(home))
    path = str(home / "mysearch.sock")
    if len(path.encode()) < 100 and is_private_dir(home):
        return path
    name = hashlib.sha1(str(home).encode()).hexdigest()[:16] + ".sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime) and is_private_dir(Path(runtime)):
        folder = Path(runtime) / "mysearch"
        if create:
            private_dir(folder)
        return str(folder / name)
    folder = Path(tempfile.gettempdir()) / f"mysearch-{os.getuid()}"
    if create:
        private_dir(folder)
    return str(folder / name)


class ControlServer:
    """JSON lines over a Unix socket: one request, one response (or a stream of lines for ask)."""

    def __init__(self, lib: Library, service: IndexService | None) -> None:
        self.lib = lib
        self.service = service
        self.path = socket_path(lib.home)
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if sys.platform == "win32":  # pragma: no cover - no Unix sockets: CLI gets a clear message
            return
        self.path = socket_path(self.lib.home, create=True)
        if os.path.lexists(self.path):
            os.unlink(self.path)  # we hold the owner lock, so any old socket is stale
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                if not _same_user(self.request):
                    return
                for line in self.rfile:
                    try:
                        reply = outer.dispatch(json.loads(line))
                    except Exception as exc:  # errors go back to the caller in words
                        reply = {"error": str(exc)}
                    self.wfile.write((json.dumps(reply, ensure_ascii=False) + "\n").encode())
                    self.wfile.flush()

        old = os.umask(0o177)
        try:
            self._server = socketserver.ThreadingUnixStreamServer(self.path, Handler)
        finally:
            os.umask(old)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="mysearch-control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def dispatch(self, req: dict[str, object]) -> dict[str, object]:
        op = req.get("op")
        if op == "ping":
            return {"ok": True, "pid": os.getpid()}
        if op == "search":
            filters = Filters.from_json(req.get("filters"))  # type: ignore[arg-type]
            hits = self.lib.search(
                str(req["text"]), req.get("k"), filters, str(req.get("mode", "hybrid")), bool(req.get("prefix"))
            )
            return {"hits": [h.as_json() for h in hits]}
        if op == "status":
            st = self.service.status() if self.service else self.lib.status().as_json()
            limit = req.get("max_problems")
            if limit is not None:  # the app polls this: keep the reply small, however many files failed
                problems = list(st["problems"])  # type: ignore[call-overload]
                st["problems_total"] = len(problems)
                st["problems"] = problems[: int(limit)]  # type: ignore[call-overload]
            return st
        if op == "state":  # cheap, no database: what the indexer is doing now (the app polls it)
            s = self.service.state if self.service else None
            return {"pid": os.getpid(), "phase": s.phase if s else "idle", "paused": bool(s and s.paused),
                    "on_battery": bool(s and s.on_battery), "progress": dict(s.progress) if s else {},
                    "last_update": dict(s.last_report) if s else {}}
        if op == "preview":  # the app shows it: Kiwi (for Korean) and the catalog stay in this process
            return preview(self.lib, int(req["chunk_id"]), str(req.get("text", "")))  # type: ignore[call-overload]
        if op == "tokenize":  # keyword tokens (Korean via Kiwi), for a process that should not load Kiwi
            from . import tokens

            return {"tokens": tokens.tokenize(str(req["text"]), bigrams=bool(req.get("bigrams", True)))}
        if op == "problems":  # all of them (the status poll carries the first max_problems)
            return {"problems": self.lib.status().as_json()["problems"]}
        if op == "sync" and self.service:
            self.service.request_sync()
            return {"ok": True}
        if op == "settings_changed" and self.service:
            self.service.lib.config.reload()
            self.service.settings_changed()
            return {"ok": True}
        if op == "pause" and self.service:
            self.service.pause()
            return {"ok": True}
        if op == "resume" and self.service:
            self.service.resume()
            return {"ok": True}
        return {"error": f"unknown request '{op}'"}


def preview(lib: Library, chunk_id: int, text: str) -> dict[str, object]:
    """A hit's chunk with the query's words marked, and one chunk of context on each side."""
    from .search import Query, _term_spans

    cat = lib.reader()
    chunk = cat.chunks([chunk_id]).get(chunk_id)
    if chunk is None:
        return {"found": False}
    rows = [(c.seq, c.text) for c in cat.chunks_of(chunk.file_id) if abs(c.seq - chunk.seq) == 1]
    passage = chunk.text  # as written: line breaks kept (the app shows them)
    spans = _term_spans(passage, Query.parse(text))
    return {"found": True, "before": [t for q, t in rows if q < chunk.seq], "passage": passage,
            "spans": [list(sp) for sp in spans], "after": [t for q, t in rows if q > chunk.seq]}


def serve(
    lib: Library,
    parent_pid: int | None = None,
    nice: int = 10,
    started: Callable[[IndexService], None] | None = None,
    tick: Callable[[IndexService], None] | None = None,
) -> int:
    """Own the library until SIGTERM, SIGINT or (with ``parent_pid``) the parent process exits.

    The desktop app runs this in a child process (``mysearch serve``, not listed in the help), so the
    indexer's GIL-holding work (model loading, Chroma writes) never freezes the window; unlike
    ``watch`` it starts with no folders (the first run adds them through ``settings_changed``).
    The whole process runs niced (Linux sets priority per thread; every thread started from here on
    inherits it, torch's and Chroma's included, wherever they are first created), so the window's
    process wins the cores; searches stay far inside their latency budget (measured).
    ``mysearch watch`` runs the same loop un-niced, with ``started``/``tick`` reporting to the terminal.
    """
    import signal

    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    cfg = lib.config
    lib.lock.acquire("run the indexer")  # StoreBusy names the owner: the app then uses that one
    service = IndexService(
        lib,
        debounce_s=cfg.get("watch.debounce_s"),
        rescan_s=cfg.get("watch.rescan_s"),
        max_watches=cfg.get("watch.max_watches"),
        reconcile_s=cfg.get("watch.reconcile_s"),
    )
    server = ControlServer(lib, service)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    service.start()
    server.start()
    log.info("serving %s for process %s", lib.home, parent_pid)
    if started:
        started(service)
    try:
        while not stop.wait(0.5):
            if parent_pid and os.getppid() != parent_pid:  # the app is gone (crashed or killed)
                log.info("parent %s exited; stopping", parent_pid)
                break
            if tick:
                tick(service)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        service.stop()
    return 0


def _peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end of a Unix socket (None where the OS cannot say)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    import struct

    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


def _same_user(sock: socket.socket) -> bool:
    """Only the user who runs mysearch may talk to it (the socket file is 0600 too)."""
    uid = _peer_uid(sock)
    return uid is None or uid == os.getuid()


def korean_through(remote: RemoteLibrary) -> Callable[[], None]:
    """Korean morphemes in this process come from the owner ``remote``, which has Kiwi loaded; returns
    the undo. A client that only asks (the app's window, a one-shot `mysearch ask`) then never loads
    Kiwi itself: 1.7 s of loading with the GIL held, against about a millisecond per Hangul run over the
    socket. If the owner cannot be reached, Kiwi loads here after all: the same tokens either way."""
    from . import tokens

    local = tokens._korean

    def korean(run: str) -> list[str]:
        try:
            return list(remote.call({"op": "tokenize", "text": run, "bigrams": False})["tokens"])  # type: ignore[call-overload]
        except (OSError, MySearchError, ValueError):
            return local(run)

    tokens._korean = korean
    return lambda: setattr(tokens, "_korean", local)


class RemoteLibrary:
    """The CLI's view of a library owned by a running process."""

    def __init__(self, home: Path, timeout: float = 120.0) -> None:
        self.path = socket_path(home)
        self.timeout = timeout

    def available(self) -> bool:
        try:
            return bool(self.call({"op": "ping"}).get("ok"))
        except OSError:
            return False

    def search(
        self, text: str, k: int | None = None, filters: Filters | None = None, mode: str = "hybrid",
        prefix: bool = False,
    ) -> list[Hit]:
        """``Library.search``, run by the owner."""
        req: dict[str, object] = {"op": "search", "text": text, "mode": mode}
        if prefix:
            req["prefix"] = True
        if k:
            req["k"] = k
        if filters is not None:
            req["filters"] = filters.as_json()
        return [Hit.from_json(h) for h in self.call(req)["hits"]]  # type: ignore[union-attr]

    def call(self, req: dict[str, object]) -> dict[str, object]:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(self.timeout)
            s.connect(self.path)
            if not _same_user(s):  # a socket someone else made there: it would read, and answer, our query
                raise NotPrivate(
                    f"the control socket {self.path} is served by another user (uid {_peer_uid(s)}); "
                    "mysearch sent it nothing"
                )
            s.sendall((json.dumps(req) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        reply = json.loads(buf)
        if "error" in reply:
            raise MySearchError(str(reply["error"]))
        return reply
