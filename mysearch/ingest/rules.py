"""What the scanner walks past: hidden files, ignore patterns, the store itself, saved-page assets.

Ignore patterns are gitignore's, matched by ``pathspec`` against the path relative to the indexed
folder: a bare name or glob (``node_modules``, ``*.tmp``) matches at any depth, a pattern with a slash
in it (``docs/*.log``, ``/private``) only there relative to the folder (so ``docs/*.log`` leaves
``docs/sub/x.log`` alone), ``**/`` spans folders, a trailing ``/`` means folders only, ``!`` takes a
file back, and the last matching pattern wins. A person who knows ``.gitignore`` needs nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pathspec

# Left out of every library before the user's own patterns (which can take one back with ``!``): tools'
# folders, caches, and the temporary, lock and partial-download files editors and browsers leave.
DEFAULT_IGNORES = (
    "node_modules",
    "__pycache__",
    ".git",
    ".svn",
    ".hg",
    ".venv",
    "venv",
    ".cache",
    ".Trash*",
    "$RECYCLE.BIN",
    "*.tmp",
    "*.temp",
    "*.swp",
    "*.swx",
    "*~",
    "~$*",
    ".~lock.*",
    "*.lock",
    "*.part",
    "*.crdownload",
    ".DS_Store",
    "Thumbs.db",
)


@dataclass(frozen=True)
class Rules:
    patterns: tuple[str, ...]
    hidden: bool = False
    _spec: pathspec.GitIgnoreSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_spec", pathspec.GitIgnoreSpec.from_lines(self.patterns))

    @classmethod
    def from_settings(cls, user_patterns: list[str], hidden: bool) -> Rules:
        pats = [_tidy(p) for p in (*DEFAULT_IGNORES, *user_patterns)]
        return cls(tuple(p for p in pats if p and not p.startswith("#")), hidden)

    def ignored(self, name: str, rel: str, is_dir: bool) -> bool:
        """``rel`` is the POSIX path relative to the indexed folder (``name`` its last part)."""
        if not self.hidden and name.startswith("."):
            return True
        return self._spec.match_file(rel + "/" if is_dir else rel)


def _tidy(pattern: str) -> str:
    """Spaces around a typed pattern are slips, except a trailing one escaped as gitignore writes it."""
    pattern = pattern.lstrip()
    return pattern if pattern.endswith("\\ ") else pattern.rstrip()
