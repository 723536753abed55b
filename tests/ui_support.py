"""Helpers for the desktop-app tests: a small real library, indexed once per module."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `ui` is importable from the checkout even where the install predates it
    sys.path.insert(0, str(REPO))

from sample_docs import write_sample_docs  # noqa: E402

from ui.compat import guard_none_refcount  # noqa: E402 - PySide6 6.12.0 on Python 3.11 leaks None refs

guard_none_refcount()

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
FAST_MODEL = "all-minilm-l6-v2"  # meaning search is not what these tests check; MiniLM is 5x faster


def write_docs(d: Path) -> Path:
    """The shared sample folder plus a three-page PDF and an empty file."""
    write_sample_docs(d)
    shutil.copy(FIXTURES / "report.pdf", d / "report.pdf")
    (d / "empty.txt").write_text("", "utf-8")  # skipped, with a reason the status bar lists
    return d


def make_library(home: Path, docs: Path, index: bool = True):
    from mysearch.library import Library

    lib = Library.open(home)
    lib.config.set("embedding.model", FAST_MODEL)
    lib.config.set("watch.debounce_s", 0.1)
    lib.add([str(docs)])
    if index:
        lib.index()
    return lib
