"""Shared fixtures. Tests use the real parts: real files, the real default embedding model, real Chroma."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    d = tmp_path / "docs"
    d.mkdir()
    (d / "invoice.txt").write_text(
        "Invoice INV-2024-0042 from Northwind Traders.\nAmount due: 1,250 EUR, payable within 30 days.\n", "utf-8"
    )
    (d / "passport.md").write_text(
        "# Renewing a passport\n\nPassport renewals take about three weeks at the city office. "
        "Bring two photographs and the old passport.\n",
        "utf-8",
    )
    (d / "여권.md").write_text(
        "# 여권 발급 안내\n\n여권을 발급받으려면 구청 민원실에 가야 합니다. 발급에는 보통 2주가 걸립니다.\n", "utf-8"
    )
    (d / "recipe.txt").write_text(
        "Tomato soup: roast the tomatoes with garlic, blend with stock, season with basil.\n", "utf-8"
    )
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
