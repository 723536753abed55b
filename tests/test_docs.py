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
