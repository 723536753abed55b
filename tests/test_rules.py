"""Ignore patterns mean what they mean in a .gitignore, checked by walking a real folder with the scanner."""

from __future__ import annotations

from pathlib import Path

import pytest

from mysearch.ingest.rules import Rules
from mysearch.ingest.scanner import Candidate, Scanner

FILES = (
    "x", "sub/x", "docs/a.log", "docs/sub/b.log", "keep.tmp", "drop.tmp", "build/out.txt", "notes/build",
    "private/p.txt", "sub/private/q.txt", "a.txt",
)


def _found(tmp_path: Path, patterns: list[str]) -> set[str]:
    root = tmp_path / "root"
    for rel in FILES:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("text\n", "utf-8")
    scanner = Scanner(Rules.from_settings(patterns, False), 2**20, [])
    scanner.extensions = scanner.extensions | {"", ".log", ".tmp"}  # every name here is a candidate
    return {Path(c.path).relative_to(root).as_posix() for c in scanner.scan([str(root)]) if isinstance(c, Candidate)}


@pytest.mark.parametrize(("pattern", "gone"), [
    ("docs/*.log", {"docs/a.log"}),                   # a slash anchors it: not docs/sub/b.log
    ("**/x", {"x", "sub/x"}),                         # ** matches no folder at all as well
    ("x", {"x", "sub/x"}),                            # a bare name, at any depth
    ("build/", {"build/out.txt"}),                    # folders only: the file notes/build stays
    ("/private", {"private/p.txt"}),                  # anchored at the indexed folder
    ("private/", {"private/p.txt", "sub/private/q.txt"}),
    ("docs/**/*.log", {"docs/a.log", "docs/sub/b.log"}),
])
def test_gitignore_patterns(tmp_path: Path, pattern: str, gone: set[str]) -> None:
    assert _found(tmp_path, []) - _found(tmp_path, [pattern]) == gone


def test_negation_takes_a_file_back_and_the_last_match_wins(tmp_path: Path) -> None:
    left = _found(tmp_path, ["*.tmp", "!keep.tmp"])
    assert "keep.tmp" in left and "drop.tmp" not in left
    assert "keep.tmp" not in _found(tmp_path, ["!keep.tmp", "*.tmp"])  # a later pattern overrides it


def test_the_defaults_can_be_taken_back(tmp_path: Path) -> None:
    assert "drop.tmp" not in _found(tmp_path, [])  # *.tmp is a default
    assert "drop.tmp" in _found(tmp_path, ["!drop.tmp"])


def test_an_escaped_trailing_space_and_comments() -> None:
    rules = Rules.from_settings(["# a comment", "  *.bak  ", "/odd\\ "], False)
    assert rules.ignored("a.bak", "a.bak", False)
    assert rules.ignored("odd ", "odd ", False) and not rules.ignored("odd", "odd", False)
    assert not rules.ignored("# a comment", "# a comment", False)
