"""The usual document folders of this person, for the first-run dialog and the folder picker.

The names come from the XDG user directories (``~/.config/user-dirs.dirs``, written by the desktop in
the person's language, e.g. ``$HOME/문서``), then the English and Korean names a home folder usually has.
Only folders that exist are suggested; nothing is indexed until the person says so.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

XDG_KEYS = ("XDG_DOCUMENTS_DIR", "XDG_DESKTOP_DIR", "XDG_DOWNLOAD_DIR")
USUAL_NAMES = ("Documents", "Desktop", "Downloads", "문서", "바탕화면", "바탕 화면", "다운로드")
_LINE = re.compile(r'^\s*(XDG_[A-Z]+_DIR)\s*=\s*"(.*)"\s*$')


def home() -> Path:
    """The home folder ($HOME first, as the desktop has it)."""
    return Path(os.environ.get("HOME") or Path.home())


def xdg_user_dirs(base: Path) -> dict[str, Path]:
    """The user directories named in ``user-dirs.dirs`` (``$HOME`` expanded)."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or base / ".config") / "user-dirs.dirs"
    out: dict[str, Path] = {}
    try:
        text = config.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return out
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            value = m.group(2).replace("$HOME", str(base))
            path = Path(value) if value.startswith("/") else base / value
            if path != base:  # a directory set to $HOME itself means "not used"
                out[m.group(1)] = path
    return out


def suggested_folders(base: Path | None = None) -> list[str]:
    """Documents, Desktop and Downloads (the XDG ones first, then usual names) that exist."""
    base = base or home()
    dirs = xdg_user_dirs(base)
    found: list[str] = []
    for path in [*(dirs[k] for k in XDG_KEYS if k in dirs), *(base / n for n in USUAL_NAMES)]:
        if path.is_dir() and not any(os.path.samefile(path, f) for f in found):
            found.append(str(path))
    return found
