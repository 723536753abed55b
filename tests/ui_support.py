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

from ui.compat import guard_none_refcount  # noqa: E402 - PySide6 6.12.0 on Python 3.11 leaks None refs

guard_none_refcount()

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "formats"
FAST_MODEL = "all-minilm-l6-v2"  # meaning search is not what these tests check; MiniLM is 5x faster


def write_docs(d: Path) -> Path:
    """The same small mixed folder as conftest's ``docs`` fixture, plus a three-page PDF and an empty file."""
    d.mkdir(parents=True, exist_ok=True)
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
    shutil.copy(FIXTURES / "report.pdf", d / "report.pdf")
    (d / "empty.txt").write_text("", "utf-8")  # skipped, with a reason the status bar lists
    return d


def make_library(home: Path, docs: Path, index: bool = True):  # noqa: ANN201
    from mysearch.library import Library

    lib = Library.open(home)
    lib.config.set("embedding.model", FAST_MODEL)
    lib.config.set("watch.debounce_s", 0.1)
    lib.add([str(docs)])
    if index:
        lib.index()
    return lib
