"""The app's side of the library: the process that owns it, and a client that talks to it.

The library's owner (indexing, watching, the vector store) runs in a child process, ``mysearch serve``
(``OwnerProcess``), because its work holds the GIL for long stretches (Kiwi and model loading at start,
Chroma writes while embedding: NOTES.md) and would freeze a window in the same process. The window is
a client of that process over its control socket (``RemoteEngine``), exactly like ``mysearch search``
in a terminal; when another mysearch process (``mysearch watch``) owns the library already, the app is
simply its client.

Answers are generated in the app's process (llama.cpp releases the GIL): ``mysearch.answer.ask``
retrieves through the socket and reads the cited passages from the catalog read-only, so the app
never opens the vector store and never takes the owner lock.

Everything here blocks (sockets, waiting for a process): call it through ``ui.worker.Runner``, except
``OwnerProcess.start``/``exit_code``, which return at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from mysearch.search import Filters, Hit
from mysearch.service import RemoteLibrary

log = logging.getLogger(__name__)

MAX_PROBLEMS = 500  # rows of skipped/failed files the status poll carries; the dialog asks for all


class RemoteEngine:
    """What the window needs from the library, asked of the process that owns it (thread-safe: one
    connection per call). ``lib`` is the app's own read-only view: settings and the catalog."""

    def __init__(self, lib: Any, timeout: float = 60.0) -> None:
        self.lib = lib
        self.client = RemoteLibrary(lib.home, timeout)
        self.quick = RemoteLibrary(lib.home, 10.0)  # status polls and controls: never wait long

    def available(self) -> bool:
        return self.quick.available()

    def ping(self) -> int | None:
        """The owner's PID, or None when nobody answers."""
        try:
            return int(self.quick.call({"op": "ping"})["pid"])  # type: ignore[call-overload]
        except (OSError, ValueError, KeyError):
            return None

    def search(
        self, text: str, mode: str = "hybrid", k: int | None = None, filters: Filters | None = None,
        prefix: bool = False,
    ) -> list[Hit]:
        return self.client.search(text, k, filters, mode, prefix)

    def preview(self, hit: Hit, query: str) -> tuple[list[str], str, list[tuple[int, int]], list[str]]:
        """The hit's passage with the query's words marked and its neighbours, made by the owner (it
        has Kiwi loaded: loading it here would hold this process's GIL for a second or two)."""
        r = self.client.call({"op": "preview", "chunk_id": hit.chunk_id, "text": query})
        if not r.get("found"):
            return [], hit.snippet, list(hit.highlights), []
        spans = [(int(a), int(b)) for a, b in r["spans"]]  # type: ignore[union-attr]
        return list(r["before"]), str(r["passage"]), spans, list(r["after"])  # type: ignore[call-overload]

    def state(self) -> dict[str, Any]:
        return self.quick.call({"op": "state"})

    def status(self, max_problems: int = MAX_PROBLEMS) -> dict[str, Any]:
        return self.client.call({"op": "status", "max_problems": max_problems})

    def problems(self) -> list[dict[str, str]]:
        return list(self.client.call({"op": "problems"})["problems"])  # type: ignore[call-overload]

    def control(self, op: str) -> None:
        """pause | resume | sync | settings_changed"""
        self.quick.call({"op": op})

    def ask(self, question: str, cancel: threading.Event | None = None,
            filters: Filters | None = None, web_search: bool | None = None) -> Iterator[Any]:
        """Stream an answer: retrieval through the owner, generation here (see the module docstring)."""
        from mysearch import answer

        def retrieve(text: str, k: int, f: Filters) -> list[Hit]:
            return self.search(text, "hybrid", k, f)

        return answer.ask(self.lib, question, cancel=cancel, filters=filters, retrieve=retrieve,
                          web_search=web_search)


def korean_through(engine: RemoteEngine) -> Callable[[], None]:
    """Korean morphemes in this process come from the owner, which has Kiwi loaded; returns the undo.

    Answers tokenise the question and passages here (``mysearch.answer``: choosing sentences, checking
    citations). Loading Kiwi holds this process's GIL for 1.7 s (measured), which would freeze the
    window at the first Korean answer (``mysearch.service.korean_through``)."""
    from mysearch.service import korean_through as through

    return through(engine.quick)


class OwnerProcess:
    """``mysearch serve`` for one library, started and stopped by the app (only this one, by PID)."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    def command(self) -> list[str]:
        return [sys.executable, "-m", "mysearch", "--home", str(self.home), "serve", "--parent", str(os.getpid())]

    def start(self) -> int:
        import mysearch

        env = dict(os.environ)
        src = str(Path(mysearch.__file__).resolve().parents[1])  # the same engine as this process
        env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        env.pop("MYSEARCH_UI_PROBE", None)
        logs = self.home / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        with open(logs / "owner.log", "ab") as err:  # the child's own stderr: tracebacks of a crash
            self.proc = subprocess.Popen(
                self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err, env=env,
                cwd=str(self.home), start_new_session=True,  # Ctrl+C in the terminal stops the app, which stops it
            )
        self.starts += 1
        log.info("started the library's owner: process %s", self.proc.pid)
        return self.proc.pid

    def exit_code(self) -> int | None:
        """None while it runs (or was never started); its exit status once it has ended."""
        return self.proc.poll() if self.proc is not None else None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM (it stops indexing at a safe point), wait, then SIGKILL."""
        proc, self.proc = self.proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                return proc.wait(timeout)
            except subprocess.TimeoutExpired:
                log.warning("owner process %s did not stop in %.0f s; killing it", proc.pid, timeout)
                proc.kill()
        return proc.wait()


def probe(lib: Any, engine: RemoteEngine) -> tuple[str, int | None]:
    """Worker thread: who serves this library now? ("ready", pid) when an owner answers,
    ("busy", pid) when a process holds the library without answering (yet), ("free", None)."""
    pid = engine.ping()
    if pid is not None:
        return "ready", pid
    holder = lib.lock.holder()
    if holder is not None and holder != os.getpid():
        return "busy", holder
    return "free", None
