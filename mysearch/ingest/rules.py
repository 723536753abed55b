"""What the scanner walks past: hidden files, ignore patterns, the store itself, saved-page assets.

Ignore patterns follow gitignore's common forms: a bare name or glob (``node_modules``, ``*.tmp``)
matches any file or folder of that name anywhere; a pattern with a slash (``build/``, ``docs/*.log``,
``/private``) matches the path relative to the indexed folder. Negation (``!``) is not supported.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from ..config import DEFAULT_IGNORES


@dataclass(frozen=True)
class Rules:
    patterns: tuple[str, ...]
    hidden: bool = False

    @classmethod
    def from_settings(cls, user_patterns: list[str], hidden: bool) -> Rules:
        pats = [p.strip() for p in (*DEFAULT_IGNORES, *user_patterns) if p.strip() and not p.startswith("#")]
        return cls(tuple(pats), hidden)

    def ignored(self, name: str, rel: str, is_dir: bool) -> bool:
        """``rel`` is the POSIX path relative to the indexed folder."""
        if not self.hidden and name.startswith("."):
            return True
        for pat in self.patterns:
            dir_only = pat.endswith("/")
            p = pat.rstrip("/")
            if dir_only and not is_dir:
                continue
            if "/" in p:
                if fnmatchcase(rel, p.lstrip("/")) or (not p.startswith("/") and PurePosixPath(rel).match(p)):
                    return True
            elif fnmatchcase(name, p):
                return True
        return False
