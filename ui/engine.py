"""The app's side of the library: the process that owns it, started and stopped by the app.

The library's owner (indexing, watching, the vector store) runs in a child process, ``mysearch serve``
(``OwnerProcess``), because its work holds the GIL for long stretches (Kiwi and model loading at start,
Chroma writes while embedding) and would freeze a window in the same process. The window is a
``mysearch.client.RemoteClient`` of that process over its control socket, exactly like ``mysearch
search`` in a terminal; when another mysearch process (``mysearch watch``) owns the library already, the
app is simply its client. Answers are written in the app's process (llama.cpp releases the GIL) from
passages the owner hands over: the app never opens the vector store or the catalog, and never takes
the owner lock.

Everything here that waits (a socket, a process) is called through ``ui.worker.Runner``, except
``OwnerProcess.start``/``exit_code``, which return at once.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from mysearch.client import RemoteClient

log = logging.getLogger(__name__)

MAX_PROBLEMS = 500  # rows of skipped/failed files the status poll carries; the dialog asks for all


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


def probe(client: RemoteClient) -> tuple[str, int | None]:
    """Worker thread: who serves this library now? ("ready", pid) when an owner answers,
    ("busy", pid) when a process holds the library without answering (yet), ("free", None)."""
    pid = client.ping()
    if pid is not None:
        return "ready", pid
    holder = client.owner_pid()
    if holder is not None and holder != os.getpid():
        return "busy", holder
    return "free", None
