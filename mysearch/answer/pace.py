"""How long the answer model took here to load and to read a prompt, for the time estimates shown while
the first answer is prepared ("Loading the answer model (about 3 s)").

Kept per model in the library's cache folder and updated after each answer (a moving average, so one
slow answer while indexing ran does not set the next estimate alone). Before any measurement the
estimates are what a 2-core laptop measured: ~2 s to load, ~90 prompt tokens/s.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

FILE = "answer-pace.json"
DEFAULT_LOAD_S = 2.0
DEFAULT_PROMPT_TOKENS_PER_S = 90.0
KEEP = 0.6  # weight of the old value in the moving average


@dataclass
class Pace:
    load_s: float = DEFAULT_LOAD_S
    prompt_tokens_per_s: float = DEFAULT_PROMPT_TOKENS_PER_S

    def reading_s(self, tokens: int) -> float:
        return tokens / max(self.prompt_tokens_per_s, 1e-3)


def _path(home: Path) -> Path:
    return Path(home) / "cache" / FILE


def read(home: Path, model: str) -> Pace:
    try:
        raw = json.loads(_path(home).read_text("utf-8")).get(model) or {}
        return Pace(float(raw.get("load_s", DEFAULT_LOAD_S)),
                    float(raw.get("prompt_tokens_per_s", DEFAULT_PROMPT_TOKENS_PER_S)))
    except (OSError, ValueError, AttributeError, TypeError):
        return Pace()


def record(home: Path, model: str, load_s: float | None = None, prompt_tokens_per_s: float | None = None) -> None:
    """Fold new measurements into the saved ones (written whole and renamed: never half a file)."""
    path = _path(home)
    try:
        data = json.loads(path.read_text("utf-8"))
        if not isinstance(data, dict):
            data = {}
    except (OSError, ValueError):
        data = {}
    entry = data.get(model)
    entry = dict(entry) if isinstance(entry, dict) else {}
    for key, value in (("load_s", load_s), ("prompt_tokens_per_s", prompt_tokens_per_s)):
        if value is None or value <= 0:
            continue
        before = entry.get(key)
        fresh = value if not isinstance(before, (int, float)) else KEEP * before + (1 - KEEP) * value
        entry[key] = round(fresh, 3)
    data[model] = entry
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
        os.replace(tmp, path)
    except OSError:
        pass  # estimates only: a read-only library keeps the defaults
