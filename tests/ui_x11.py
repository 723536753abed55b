"""Run the real app as a separate process on a private Xvfb display, driven through its probe.

Used by the end-to-end test and the UI benchmark. ``Xvfb`` is started on a free display number and
stopped by its PID; the app gets ``MYSEARCH_UI_PROBE=1`` and talks JSON lines (see ``ui/probe.py``).
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class Xvfb:
    def __init__(self, width: int = 1280, height: int = 800) -> None:
        self.size = (width, height)
        self.proc: subprocess.Popen | None = None
        self.display = ""

    def __enter__(self) -> Xvfb:
        for n in range(91, 200):
            if os.path.exists(f"/tmp/.X11-unix/X{n}") or os.path.exists(f"/tmp/.X{n}-lock"):
                continue
            proc = subprocess.Popen(
                ["Xvfb", f":{n}", "-screen", "0", f"{self.size[0]}x{self.size[1]}x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and proc.poll() is None:
                if os.path.exists(f"/tmp/.X11-unix/X{n}"):
                    self.proc, self.display = proc, f":{n}"
                    return self
                time.sleep(0.05)
            proc.kill()
            proc.wait()
        raise RuntimeError("could not start Xvfb on any display")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class AppProcess:
    """``python -m ui HOME`` with the probe on; ``call`` sends one command and returns its reply."""

    def __init__(self, home: Path, env: dict[str, str], command: list[str] | None = None) -> None:
        """``command``: how the app is started (default ``python -m ui HOME``)."""
        self.launched_at = time.time()
        self.proc = subprocess.Popen(
            command or [sys.executable, "-m", "ui", str(home)],
            cwd=REPO, env={**env, "MYSEARCH_UI_PROBE": "1", "PYTHONUNBUFFERED": "1"},
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        )
        self.lines: queue.Queue[dict] = queue.Queue()
        self.stderr: list[str] = []
        self.stray: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            line = line.strip()
            try:
                reply = json.loads(line) if line.startswith("{") else None
            except ValueError:
                reply = None
            if reply is None:
                self.stray.append(line)  # not the probe's: what else wrote to the app's stdout
            else:
                self.lines.put(reply)

    def next(self, timeout: float = 30) -> dict:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no reply from the app; stdout: {self.stray[-20:]}; stderr: {''.join(self.stderr)[-3000:]}"
            ) from None

    def call(self, op: str, timeout: float = 30, **kw: object) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, **kw}, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        while True:
            reply = self.next(timeout)
            if reply.get("op") == op:
                return reply

    def wait_state(self, predicate, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        state: dict = {}
        while time.monotonic() < deadline:
            state = self.call("state")
            if predicate(state):
                return state
            time.sleep(0.2)
        raise AssertionError(f"app never reached the state; last: {state}")

    def close(self) -> int:
        if self.proc.poll() is None:
            try:
                self.call("quit", timeout=10)
                return self.proc.wait(60)
            except (AssertionError, OSError, subprocess.TimeoutExpired):
                self.proc.kill()
        return self.proc.wait()


def xdotool_type(display: str, text: str) -> bool:
    """Type with real X key events into the focused app window; False where xdotool is missing."""
    if shutil.which("xdotool") is None:
        return False
    env = {**os.environ, "DISPLAY": display}
    wid = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "mysearch"],
                         capture_output=True, text=True, env=env, timeout=20).stdout.split()
    subprocess.run(["xdotool", "windowfocus", "--sync", wid[0]], env=env, timeout=20, check=True)
    subprocess.run(["xdotool", "key", "--clearmodifiers", "ctrl+k"], env=env, timeout=20, check=True)
    subprocess.run(["xdotool", "type", "--delay", "40", text], env=env, timeout=60, check=True)
    return True


def pixel_stats(png: Path) -> tuple[int, float, int]:
    """(pixels sampled, variance of grey levels, distinct colours) of a PNG."""
    from PySide6.QtGui import QImage

    img = QImage(str(png))
    assert not img.isNull(), png
    values, colours = [], set()
    for y in range(0, img.height(), 4):
        for x in range(0, img.width(), 4):
            rgb = img.pixel(x, y)
            colours.add(rgb & 0xFFFFFF)
            values.append(((rgb >> 16) & 255) * 0.299 + ((rgb >> 8) & 255) * 0.587 + (rgb & 255) * 0.114)
    mean = sum(values) / len(values)
    return len(values), sum((v - mean) ** 2 for v in values) / len(values), len(colours)
