"""What a library indexes: the ``folders`` setting (folders, single files, the Saved pages folder) and
the ignore rules that keep one file out.

These only edit the settings file, so any process may call them, the library's owner or a client of it
(the app's window, ``mysearch add`` beside a running watcher); the owner re-reads the settings when told
(``Client.settings_changed``) and indexes or drops files at its next pass.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from . import saved_pages
from .config import Config
from .errors import ConfigError


def add(config: Config, home: Path, targets: list[str]) -> list[str]:
    """Add folders, files or web pages (URLs: a local copy is saved) to index; returns what was added."""
    current = list(config.get("folders"))
    added = []
    for t in targets:
        if saved_pages.is_url(t):
            from .web.save import save_page

            page = save_page(config, home, t)
            folder = str(saved_pages.saved_pages_folder(home))
            if folder not in current:
                current.append(folder)
            added.append(str(page))
            continue
        p = os.path.abspath(os.path.expanduser(t))
        if not os.path.exists(p):
            raise ConfigError(f"not found: {t}")
        if os.path.realpath(p) == os.path.realpath(home) or inside(p, str(home)):
            raise ConfigError(f"{t} is mysearch's own data folder")
        if p not in current:
            current.append(p)
            added.append(p)
    config.set("folders", current)
    return added


def remove(config: Config, targets: list[str]) -> list[str]:
    """Stop indexing folders or files; their chunks go at the next index run."""
    current = list(config.get("folders"))
    removed = []
    for t in targets:
        p = os.path.abspath(os.path.expanduser(t))
        if p in current:
            current.remove(p)
            removed.append(p)
        else:
            raise ConfigError(f"not an indexed folder or file: {t}")
    config.set("folders", current)
    return removed


def exclude(config: Config, path: str) -> str:
    """Keep one file out of the index (the app's "Remove from index") and return the rule saved.

    A file that is itself an entry of ``folders`` is removed from it; a file inside an indexed folder
    gets an ignore pattern anchored at that folder (``/sub/name.txt``, glob characters escaped), so it
    stays out after rescans and the settings show why."""
    p = os.path.abspath(os.path.expanduser(path))
    current = list(config.get("folders"))
    if p in current:
        remove(config, [p])
        return p
    roots = [f for f in current if os.path.isdir(f) and inside(p, f)]
    if not roots:
        raise ConfigError(f"not in an indexed folder: {path}")
    root = max(roots, key=len)
    rel = Path(os.path.relpath(os.path.realpath(p), os.path.realpath(root))).as_posix()
    pattern = "/" + re.sub(r"([\\\[\]*?])", r"\\\1", rel)  # gitignore's escapes: the name, literally
    if pattern.endswith(" "):
        pattern = pattern[:-1] + "\\ "  # gitignore drops a trailing space unless it is escaped
    ignore = list(config.get("index.ignore"))
    if pattern not in ignore:
        config.set("index.ignore", [*ignore, pattern])
    return pattern


def inside(path: str, folder: str) -> bool:
    """``path`` is ``folder`` or lies under it, links resolved."""
    try:
        return os.path.commonpath([os.path.realpath(path), os.path.realpath(folder)]) == os.path.realpath(folder)
    except ValueError:
        return False
