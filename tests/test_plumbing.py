"""The catalog, the indexer and the owner's loop, with a fake embedder so each test takes seconds.

The real models are tested everywhere else; here only the plumbing is under test: incremental indexing,
renames, deletions, crash-free consistency (``Library.verify``) and the service loop's reaction to changes.
"""

from __future__ import annotations

import os
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
    from mysearch.owner.loop import IndexService

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


def test_no_engine_module_imports_the_app_even_inside_a_function() -> None:
    """Importing everything (above) cannot see an import made only when a function runs: read every
    engine module's imports instead. The app is started as a program of its own (``mysearch app``)."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "mysearch"
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            app = [n for n in names if n.split(".")[0] in ("ui", "PySide6", "shiboken6")]
            found += [f"{path.relative_to(root)}: {n}" for n in app]
    assert found == []


def test_local_and_socket_clients_answer_alike_and_steer_the_owner(fast_lib: Library, tmp_path: Path) -> None:
    """``client.py``'s one interface: the owner's own ``LocalClient`` and a ``RemoteClient`` over its
    control socket give the same answers, and the remote one's changes reach the owner's loop."""
    from mysearch.client import LocalClient, RemoteClient, connect
    from mysearch.errors import ConfigError, MySearchError
    from mysearch.owner.control import ControlServer
    from mysearch.owner.loop import IndexService

    docs = _docs(tmp_path)
    fast_lib.add([str(docs)])
    assert isinstance(connect(fast_lib), LocalClient)  # nobody else owns it
    alone = LocalClient(fast_lib)
    report = alone.sync()
    assert report is not None and report.indexed == 3
    assert alone.settings_changed() is False  # no loop to tell
    with pytest.raises(ConfigError, match="no running mysearch"):
        alone.pause()
    bare = ControlServer(fast_lib, None)  # a socket without a loop offers no owner's work
    assert "unknown request" in bare.dispatch({"op": "sync"})["error"]

    service = IndexService(fast_lib, debounce_s=0.1, max_delay_s=0.5)
    server = ControlServer(fast_lib, service)
    service.start()
    server.start()
    try:
        assert service.wait_idle(60)
        local, remote = LocalClient(fast_lib, service), RemoteClient(fast_lib.home, timeout=30)
        assert remote.ping() == os.getpid()
        for query, mode in (("passport renewal", "hybrid"), ("boiler", "keyword"), ("제주도 여행", "hybrid")):
            mine, theirs = local.search(query, mode=mode), remote.search(query, mode=mode)
            assert [(h.path, round(h.score, 6)) for h in mine] == [(h.path, round(h.score, 6)) for h in theirs]
        hit = remote.search("boiler", mode="keyword")[0]
        assert remote.chunk_texts([hit.chunk_id]) == local.chunk_texts([hit.chunk_id]) != {}
        assert remote.preview(hit.chunk_id, "boiler") == local.preview(hit.chunk_id, "boiler")
        assert remote.tokenize("제주도 여행 plans") == local.tokenize("제주도 여행 plans")
        assert remote.status(max_problems=0)["problems_total"] == 0 and remote.state()["phase"] == "idle"
        with pytest.raises(MySearchError, match="unknown request"):
            remote.call({"op": "drop_everything"})

        remote.pause()
        assert local.state()["paused"] and remote.state()["paused"]
        remote.resume()
        assert not local.state()["paused"]

        more = tmp_path / "more"
        more.mkdir()
        (more / "shed.txt").write_text("Invoice INV-20931 for the garden shed.\n", "utf-8")
        assert remote.add([str(more)]) == [str(more)]  # the settings file, then the owner is told
        _wait(lambda: bool(local.search("INV-20931", mode="keyword")))
        remote.exclude(str(docs / "boiler.txt"))
        _wait(lambda: not local.search("Hanson", mode="keyword"))
        assert service.wait_idle(60) and fast_lib.verify() == []
    finally:
        server.stop()
        service.stop()


def _wait(cond, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
