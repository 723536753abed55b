"""Walk the indexed folders and list candidate files with their stat, and the problems met on the way.

Symlinked folders are not followed (no loops, no wandering out of the chosen folders); symlinked files
are read through their link. Anything unreadable becomes a ``Problem`` with a reason, never an error.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .. import sources
from ..sources.html_page import is_saved_page_asset
from .rules import Rules


@dataclass(frozen=True)
class Candidate:
    path: str
    root: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Problem:
    path: str
    root: str
    reason: str


def os_reason(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "vanished or broken link"
    return exc.strerror or str(exc)


class Scanner:
    def __init__(self, rules: Rules, max_bytes: int, exclude: list[Path]) -> None:
        self.rules = rules
        self.max_bytes = max_bytes
        self.exclude = {os.path.realpath(p) for p in exclude}
        self.extensions = sources.supported_extensions()

    def scan(self, roots: list[str]) -> Iterator[Candidate | Problem]:
        seen: set[str] = set()
        for root in roots:
            if not os.path.lexists(root):
                yield Problem(root, root, "folder or file not found")
                continue
            if os.path.isdir(root):
                yield from self._walk(root, root, seen)
            else:
                yield from self._file(root, root, os.path.basename(root), seen, explicit=True)

    def root_of(self, path: str, roots: list[str]) -> str | None:
        """The indexed folder (or file) that a path belongs to; the innermost one wins."""
        best = None
        for root in roots:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                if best is None or len(root) > len(best):
                    best = root
        return best

    def scan_paths(self, roots: list[str], changed: list[str]) -> Iterator[Candidate | Problem]:
        """Like ``scan`` but only below the given paths; paths outside every root yield nothing."""
        seen: set[str] = set()
        for path in changed:
            root = self.root_of(path, roots)
            if root is None or not os.path.lexists(path) or self._ignored_on_the_way(root, path):
                continue
            if path == root and not os.path.isdir(root):
                yield from self._file(root, root, os.path.basename(root), seen, explicit=True)
            elif os.path.isdir(path) and not os.path.islink(path):
                yield from self._walk(root, path, seen)
            elif not os.path.isdir(path):
                yield from self._file(path, root, os.path.basename(path), seen, explicit=False)

    def _ignored_on_the_way(self, root: str, path: str) -> bool:
        # the library folder is never indexed, except a root deliberately inside it ("Saved pages")
        if any(_inside(path, x) and not _inside(root, x) for x in self.exclude):
            return True
        rel = os.path.relpath(path, root)
        if rel == ".":
            return False
        parts = rel.split(os.sep)
        for i, name in enumerate(parts):
            is_dir = i < len(parts) - 1 or os.path.isdir(path)
            if self.rules.ignored(name, "/".join(parts[: i + 1]), is_dir):
                return True
        return False

    def _walk(self, root: str, folder: str, seen: set[str]) -> Iterator[Candidate | Problem]:
        if os.path.realpath(folder) in self.exclude:
            return
        try:
            entries = list(os.scandir(folder))
        except OSError as exc:
            yield Problem(folder, root, f"folder cannot be read: {os_reason(exc)}")
            return
        entries.sort(key=lambda e: e.name)
        for entry in entries:
            rel = os.path.relpath(entry.path, root).replace(os.sep, "/")
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if self.rules.ignored(entry.name, rel, is_dir):
                continue
            if is_dir:
                yield from self._walk(root, entry.path, seen)
            else:
                yield from self._file(entry.path, root, entry.name, seen, explicit=False)

    def _file(self, path: str, root: str, name: str, seen: set[str], explicit: bool) -> Iterator[Candidate | Problem]:
        if path in seen:
            return
        if os.path.splitext(name)[1].lower() not in self.extensions:
            if explicit:
                seen.add(path)
                yield Problem(path, root, "unsupported file type")
            return
        if not explicit and is_saved_page_asset(Path(path)):
            return
        seen.add(path)
        try:
            st = os.stat(path)  # follows a file symlink
        except OSError as exc:
            yield Problem(path, root, os_reason(exc))
            return
        if not os.path.isfile(path):
            return
        if st.st_size > self.max_bytes:
            mib = self.max_bytes / 2**20
            yield Problem(path, root, f"larger than the {mib:g} MiB limit (index.max_file_mb)")
            return
        yield Candidate(path, root, st.st_size, st.st_mtime_ns)


def _inside(path: str, folder: str) -> bool:
    real = os.path.realpath(path)
    return real == folder or real.startswith(folder.rstrip(os.sep) + os.sep)
