"""Shared fixtures. Tests use the real parts: real files, the real default embedding model, real Chroma."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sample_docs import write_sample_docs

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    h = tmp_path / "home"
    monkeypatch.setenv("MYSEARCH_HOME", str(h))
    return h


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    """A small mixed folder whose right answers are known."""
    d = write_sample_docs(tmp_path / "docs")
    sub = d / "code"
    sub.mkdir()
    (sub / "fib.py").write_text("def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n")
    return d


@pytest.fixture
def lib(home: Path):
    from mysearch.library import Library

    library = Library.open(home)
    yield library
    library.close()


def run_cli(*args: str, home: Path, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-m", "mysearch", *args], capture_output=True, text=True, env=env, timeout=timeout
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"mysearch {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
    return proc
