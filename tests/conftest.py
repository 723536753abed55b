"""Shared fixtures. Tests use the real parts: real files, the real default embedding model, real Chroma."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sample_docs import write_sample_docs

if TYPE_CHECKING:
    from mysearch.client import RemoteClient

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# The models folder (the joined answer model, the ONNX graphs built from the embedders' weights) is the
# tests' own, never the user's; a fixed one, so a machine joins and builds them once, not once per run.
os.environ.setdefault("MYSEARCH_MODELS_DIR", str(Path.home() / ".cache" / "mysearch" / "test-models"))


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


def wait_for(cond, timeout: float = 120.0, what: str = "condition", interval: float = 0.05) -> None:
    """Poll ``cond`` until it holds; the tests' one way to wait for a background process or thread."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what}")


@contextlib.contextmanager
def owner_library(home: Path, warm: bool = False) -> Iterator[RemoteClient]:
    """A real owner process for ``home``, idle, and this process's client of it, as the app has them;
    ``warm`` makes the owner load its query model first, as the app asks it to."""
    from mysearch.client import RemoteClient
    from ui.engine import OwnerProcess

    owner = OwnerProcess(home)
    owner.start()
    client = RemoteClient(home, timeout=60.0)
    try:
        deadline = time.monotonic() + 180
        while not client.available() or client.state()["phase"] != "idle":
            assert owner.running() and time.monotonic() < deadline, "the owner process did not start"
            time.sleep(0.1)
        if warm:
            client.search("warm up", mode="hybrid")
        yield client
    finally:
        owner.stop()
