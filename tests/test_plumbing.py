"""The catalog, the indexer and the owner's loop, with a fake embedder so each test takes seconds.

The real models are tested everywhere else; here only the plumbing is under test: incremental indexing,
renames, deletions, crash-free consistency (``Library.verify``) and the service loop's reaction to changes.
"""

from __future__ import annotations

import time
from pathlib import Path

import fake_embedder
import pytest

from mysearch.library import Library


@pytest.fixture
def fast_lib(tmp_path: Path):
    with fake_embedder.registered():
        library = Library.open(tmp_path / "home")
        library.config.set("embedding.model", fake_embedder.NAME)
        library.config.set("embedding.extra", [])
        yield library
        library.close()


def _docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "boiler.txt").write_text("The basement boiler was serviced by Hanson Heating in March.\n", "utf-8")
    (d / "passport.md").write_text("# Passport\nA passport renewal takes about three weeks.\n", "utf-8")
    (d / "notes-ko.txt").write_text("제주도 여행은 다음 달에 간다.\n", "utf-8")
    return d


def test_index_is_incremental_and_consistent(fast_lib: Library, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    fast_lib.add([str(docs)])
    first = fast_lib.index()
    assert (first.indexed, first.failed) == (3, 0)
    assert fast_lib.verify() == []
    assert fast_lib.vectors().count(fake_embedder.NAME) == fast_lib.catalog.chunk_count() > 0
    again = fast_lib.index()
    assert (again.indexed, again.unchanged, again.embedded) == (0, 3, 0)


def test_edit_rename_and_delete_leave_no_stale_or_duplicate_chunks(fast_lib: Library, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    fast_lib.add([str(docs)])
    fast_lib.index()
    (docs / "boiler.txt").write_text("The boiler was replaced by a heat pump in 2025.\n", "utf-8")
    (docs / "passport.md").rename(docs / "travel-papers.md")
    (docs / "notes-ko.txt").unlink()
    report = fast_lib.index()
    assert (report.indexed, report.moved, report.removed) == (1, 1, 1)
    assert fast_lib.verify() == []
    paths = {Path(h.path).name for h in fast_lib.search("passport renewal", mode="keyword")}
    assert paths == {"travel-papers.md"}
    assert not fast_lib.search("Hanson", mode="keyword")  # the old text is gone
    assert [Path(h.path).name for h in fast_lib.search("heat pump", mode="hybrid")][:1] == ["boiler.txt"]
    assert fast_lib.vectors().count(fake_embedder.NAME) == fast_lib.catalog.chunk_count()


def test_a_renamed_file_is_not_embedded_again(fast_lib: Library, tmp_path: Path) -> None:
    docs = _docs(tmp_path)
    fast_lib.add([str(docs)])
    fast_lib.index()
    before = sum(e.embedded for e in fake_embedder.INSTANCES)
    (docs / "boiler.txt").rename(docs / "heating.txt")
    report = fast_lib.index()
    assert report.moved == 1 and report.embedded == 0
    assert sum(e.embedded for e in fake_embedder.INSTANCES) == before


def test_the_owner_loop_indexes_a_new_file_it_is_told_about(fast_lib: Library, tmp_path: Path) -> None:
    from mysearch.service import IndexService

    docs = _docs(tmp_path)
    fast_lib.add([str(docs)])
    service = IndexService(fast_lib)
    service.start()
    try:
        assert service.wait_idle(60)
        new = docs / "invoice.txt"
        new.write_text("Invoice INV-20931 for the garden shed.\n", "utf-8")
        service.notify([str(new)])
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not fast_lib.search("INV-20931", mode="keyword"):
            time.sleep(0.05)
        assert [Path(h.path).name for h in fast_lib.search("INV-20931", mode="keyword")] == ["invoice.txt"]
        assert service.wait_idle(60) and fast_lib.verify() == []
    finally:
        service.stop()


def test_the_engine_imports_no_qt() -> None:
    """The engine is a library: importing all of it (CLI, service, OCR, answers included) loads no Qt and
    nothing from ui/, so a headless install and the CLI never need a display."""
    import subprocess
    import sys

    code = (
        "import pkgutil, sys, mysearch\n"
        "for m in pkgutil.walk_packages(mysearch.__path__, 'mysearch.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        __import__(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('PySide6', 'shiboken6', 'ui'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
