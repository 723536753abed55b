"""Contracts between code and documentation (datasette-style)."""

from pathlib import Path

from mysearch.config import SCHEMA

README = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")


def test_every_setting_is_in_the_readme_table():
    missing = [s.key for s in SCHEMA if f"| `{s.key}` |" not in README]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    head = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in head.strip().splitlines()[1:]] == ["make run", "make test"]


def test_every_promise_names_a_test_that_exists():
    """The README's "What mysearch promises" cites tests as ``tests/FILE.py::NAME`` (``::NAME`` for
    another in the same file): each must exist, so a renamed or deleted test cannot leave a promise unchecked."""
    import re

    section = README.split("## What mysearch promises", 1)[1].split("\n## ", 1)[0]
    tests = Path(__file__).resolve().parent
    named, missing, current = 0, [], None
    for file, name in re.findall(r"`(?:tests/(\w+\.py))?::(\w+)`", section):
        current = file or current
        named += 1
        if current is None or f"def {name}(" not in (tests / current).read_text("utf-8"):
            missing.append(f"{current}::{name}")
    assert named >= 5 and missing == []
