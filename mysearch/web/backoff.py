"""Remembering that a search service failed or asked us to slow down, across processes.

Each `mysearch ask` is a fresh process, so the state lives in the library folder
(``web-state.json``). While it says to wait, no request is made at all and the answer comes from the
files at once, with a clear status instead of another wait for the deadline. Rate limits back off
longer each time in a row (60 s, 120 s, ... up to 15 minutes); being offline waits 30 s.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

STATE_FILE = "web-state.json"
RATE_LIMIT_S = 60.0
RATE_LIMIT_MAX_S = 900.0
OFFLINE_S = 30.0


def _path(home: Path) -> Path:
    return Path(home) / STATE_FILE


def _load(home: Path) -> dict:
    try:
        data = json.loads(_path(home).read_text("utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(home: Path, data: dict) -> None:
    path = _path(home)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), "utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError:  # a read-only library still answers; it just cannot remember
        pass


def waiting(home: Path, provider: str) -> str | None:
    """The status to show while backing off from ``provider``, or None when it may be asked."""
    entry = _load(home).get(provider) or {}
    left = float(entry.get("until", 0)) - time.time()
    if left <= 0:
        return None
    if entry.get("reason") == "rate-limited":
        return f"web search unavailable: rate-limited, try again in {max(1, round(left))} s"
    return f"web search unavailable: offline (trying again in {max(1, round(left))} s)"


def failed(home: Path, provider: str, reason: str) -> float:
    """Record a failure (``rate-limited`` or ``offline``); returns how long to wait."""
    data = _load(home)
    entry = data.get(provider) or {}
    strikes = int(entry.get("strikes", 0)) + 1 if entry.get("reason") == reason else 1
    wait = min(RATE_LIMIT_MAX_S, RATE_LIMIT_S * 2 ** (strikes - 1)) if reason == "rate-limited" else OFFLINE_S
    data[provider] = {"reason": reason, "until": time.time() + wait, "strikes": strikes}
    _save(home, data)
    return wait


def succeeded(home: Path, provider: str) -> None:
    data = _load(home)
    if data.pop(provider, None) is not None:
        _save(home, data)
