"""A real watcher over real folders: every kind of change ends up in the index, exactly once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import run_cli, wait_for

from mysearch.library import Library
from mysearch.owner.loop import IndexService


def indexed_paths(lib: Library) -> set[str]:
    return {r[0] for r in lib.reader().db.execute("SELECT path FROM files WHERE state = 'indexed'")}


def keyword_paths(lib: Library, word: str) -> set[str]:
    return {Path(h.path).name for h in lib.search(f'"{word}"', k=50, mode="keyword")}


@pytest.fixture
def service(lib, docs):
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=0.2, max_delay_s=1.0)
    svc.start()
    assert svc.wait_idle(300), "start-up scan did not finish"
    yield svc
    svc.stop()


def test_create_modify_delete_rename_and_atomic_save(lib, docs, service):
    (docs / "new.txt").write_text("A wombat digs burrows at night.")
    wait_for(lambda: keyword_paths(lib, "wombat") == {"new.txt"}, what="new file")
    (docs / "new.txt").write_text("A platypus lays eggs.")
    wait_for(lambda: keyword_paths(lib, "platypus") == {"new.txt"} and not keyword_paths(lib, "wombat"), what="edit")
    (docs / "new.txt").rename(docs / "renamed.txt")
    wait_for(lambda: keyword_paths(lib, "platypus") == {"renamed.txt"}, what="rename")
    # an editor's atomic save: write a temp file, then rename it over the original
    tmp = docs / ".renamed.txt.swp"
    tmp.write_text("An echidna also lays eggs.")
    os.replace(tmp, docs / "renamed.txt")
    wait_for(
        lambda: keyword_paths(lib, "echidna") == {"renamed.txt"} and not keyword_paths(lib, "platypus"),
        what="atomic save",
    )
    (docs / "renamed.txt").unlink()
    wait_for(lambda: not keyword_paths(lib, "echidna"), what="delete")
    assert service.wait_idle(120)
    assert lib.verify() == []
    assert str(docs / ".renamed.txt.swp") not in indexed_paths(lib)


def test_folders_new_moved_in_moved_out_and_deleted(lib, docs, service, tmp_path):
    sub = docs / "projects" / "deep"
    sub.mkdir(parents=True)
    (sub / "plan.md").write_text("# Plan\nLaunch the lighthouse project in May.")
    wait_for(lambda: keyword_paths(lib, "lighthouse") == {"plan.md"}, what="file in new subfolder")
    outside = tmp_path / "outside"
    shutil.move(str(docs / "projects"), str(outside))  # a folder moved out of the tree: one event
    wait_for(lambda: not keyword_paths(lib, "lighthouse"), what="folder moved out")
    shutil.move(str(outside), str(docs / "back"))  # and moved back in under another name
    wait_for(lambda: keyword_paths(lib, "lighthouse") == {"plan.md"}, what="folder moved in")
    assert str(docs / "back" / "deep" / "plan.md") in indexed_paths(lib)
    shutil.rmtree(docs / "back")
    wait_for(lambda: not keyword_paths(lib, "lighthouse"), what="folder deleted")
    assert service.wait_idle(120)
    assert lib.verify() == []


def test_ignore_rules_default_and_user(lib, docs, service):
    lib.config.set("index.ignore", "drafts/, *.bak")
    service.settings_changed()
    (docs / "node_modules").mkdir()
    (docs / "node_modules" / "pkg.js").write_text("const zebra = 1;")
    (docs / "drafts").mkdir()
    (docs / "drafts" / "d.txt").write_text("zebra draft")
    (docs / "old.bak").write_text("zebra backup")
    (docs / "notes.tmp").write_text("zebra temp")
    (docs / "kept.txt").write_text("zebra kept")
    wait_for(lambda: keyword_paths(lib, "zebra") == {"kept.txt"}, what="kept file")
    assert service.wait_idle(120)
    assert keyword_paths(lib, "zebra") == {"kept.txt"}


def test_burst_of_1000_files_is_indexed_exactly_once(lib, docs, service):
    before = service.state.files_read
    burst = docs / "burst"
    burst.mkdir()
    for i in range(1000):
        (burst / f"note{i:04d}.txt").write_text(f"burst note number {i} about kangaroo{i}")
    wait_for(lambda: sum(1 for p in indexed_paths(lib) if "/burst/" in p) == 1000, timeout=300, what="burst")
    time.sleep(1.0)  # any late duplicate event would show up now
    assert service.state.files_read - before == 1000
    rows = (
        lib.reader()
        .db.execute(
            "SELECT count(*), count(DISTINCT f.path) FROM chunks c JOIN files f ON f.id = c.file_id "
            "WHERE f.path LIKE ?",
            (f"{burst}/%",),
        )
        .fetchone()
    )
    assert rows == (1000, 1000)
    assert keyword_paths(lib, "kangaroo517") == {"note0517.txt"}


def test_startup_rescan_reconciles_changes_made_while_stopped(lib, docs):
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=0.2)
    svc.start()
    assert svc.wait_idle(300)
    svc.stop()
    kept = {
        r[0]
        for r in lib.catalog.db.execute(
            "SELECT c.id FROM chunks c JOIN files f ON f.id = c.file_id WHERE f.path LIKE '%passport.md'"
        )
    }
    (docs / "recipe.txt").write_text("Pancakes: flour, milk, eggs.")
    (docs / "invoice.txt").unlink()
    (docs / "offline.txt").write_text("written while mysearch was closed: armadillo")
    svc = IndexService(lib, debounce_s=0.2)
    svc.start()
    try:
        assert svc.wait_idle(300)
        assert keyword_paths(lib, "armadillo") == {"offline.txt"}
        assert keyword_paths(lib, "pancakes") == {"recipe.txt"}
        assert not keyword_paths(lib, "northwind")
        assert svc.state.files_read == 2
        still = {
            r[0]
            for r in lib.catalog.db.execute(
                "SELECT c.id FROM chunks c JOIN files f ON f.id = c.file_id WHERE f.path LIKE '%passport.md'"
            )
        }
        assert still == kept  # unchanged files were not re-read or re-embedded
        assert lib.verify() == []
    finally:
        svc.stop()


def test_watch_limit_too_low_falls_back_to_rescans(lib, docs):
    for i in range(12):
        (docs / f"folder{i}").mkdir()
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=0.2, rescan_s=1.0, max_watches=5)
    svc.start()
    try:
        assert svc.wait_idle(300)
        assert svc.state.watched == [] and str(docs) in svc.state.polled
        assert "watch limit" in svc.state.polled[str(docs)]
        assert "watch limit" in json.dumps(svc.status())
        (docs / "folder3" / "late.txt").write_text("found by a periodic rescan: capybara")
        wait_for(lambda: keyword_paths(lib, "capybara") == {"late.txt"}, timeout=60, what="rescan")
    finally:
        svc.stop()


def test_pause_and_resume(lib, docs, service):
    service.pause()
    time.sleep(0.5)
    (docs / "paused.txt").write_text("while paused: narwhal")
    time.sleep(2.0)
    assert not keyword_paths(lib, "narwhal")
    service.resume()
    wait_for(lambda: keyword_paths(lib, "narwhal") == {"paused.txt"}, what="resume")


def test_other_processes_search_through_the_running_watcher_and_kill_restart(home, docs, tmp_path):
    run_cli("add", str(docs), home=home)
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    cmd = [sys.executable, "-m", "mysearch", "watch"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(
            lambda: run_cli("status", "--json", home=home).stdout.find('"service"') >= 0,
            timeout=120,
            what="watcher up",
            interval=1.0,
        )
        (docs / "fresh.txt").write_text("just saved: the okapi is related to the giraffe")

        def found() -> list:
            return json.loads(run_cli("search", "okapi", "--json", home=home).stdout)["hits"]

        wait_for(
            lambda: any(h["path"].endswith("fresh.txt") for h in found()),
            timeout=60,
            what="remote search",
            interval=1.0,
        )
        st = json.loads(run_cli("status", "--json", home=home).stdout)
        assert st["owner_pid"] == proc.pid and st["service"]["watched"] == [str(docs)]
        assert run_cli("pause", home=home).stdout.strip() == "indexing paused"
        assert json.loads(run_cli("status", "--json", home=home).stdout)["service"]["paused"] is True
        assert run_cli("resume", home=home).stdout.strip() == "indexing resumed"
        assert json.loads(run_cli("status", "--json", home=home).stdout)["service"]["paused"] is False
        # a folder added from another terminal is picked up by the running watcher
        extra = tmp_path / "extra"
        extra.mkdir()
        (extra / "bird.txt").write_text("the kakapo is a flightless parrot")
        run_cli("add", str(extra), home=home)
        wait_for(
            lambda: "bird.txt" in run_cli("search", "kakapo", "--mode", "keyword", home=home).stdout,
            timeout=60,
            what="added folder indexed by the watcher",
            interval=1.0,
        )
        run_cli("remove", str(extra), home=home)
        wait_for(
            lambda: "bird.txt" not in run_cli("search", "kakapo", "--mode", "keyword", home=home).stdout,
            timeout=60,
            what="removed folder dropped by the watcher",
            interval=1.0,
        )
        # a burst, then SIGKILL in the middle of it
        for i in range(60):
            (docs / f"k{i:03d}.txt").write_text(f"killed burst item {i} tapir{i}")
        time.sleep(1.5)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def burst_done() -> bool:
            st = json.loads(run_cli("status", "--json", home=home).stdout)
            return st.get("service", {}).get("phase") == "idle" and st["files"]["indexed"] == 66

        wait_for(burst_done, timeout=400, what="burst indexed after restart", interval=2.0)
    finally:
        proc.terminate()
        proc.wait(60)
    with Library.open(home) as lib:
        assert lib.verify() == []
        assert lib.catalog.count_without_vector(lib.config.get("embedding.model")) == 0
        names = [Path(r[0]).name for r in lib.catalog.db.execute("SELECT path FROM files")]
        assert len(names) == len(set(names)) == 66
