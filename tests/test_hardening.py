"""Hardening: the index and the work put into it are not lost, the owner never spins, pause means pause.

Each test drives the real parts (real files, the real model, real processes) through a situation that
used to lose work or burn a core, and checks the promise in the README's "What mysearch promises"."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import run_cli, wait_for
from sample_docs import write_sample_docs

from mysearch.answer import models as answer_models
from mysearch.errors import ConfigError
from mysearch.library import Library
from mysearch.owner.loop import IndexService


def chunk_ids(lib: Library) -> set[int]:
    return {r[0] for r in lib.reader().db.execute("SELECT id FROM chunks")}


def keyword_names(lib: Library, word: str) -> set[str]:
    return {Path(h.path).name for h in lib.search(f'"{word}"', k=50, mode="keyword")}


@pytest.fixture
def one_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the chosen embedding model (the extra one would double every embedding pass here)."""
    monkeypatch.setenv("MYSEARCH_EMBEDDING__EXTRA", "[]")


# --- models pull: a complete partial download finishes -------------------------------------------
class _RangeServer:
    """Serves one file and answers 416 (with ``Content-Range: bytes */N``) to a Range at or past its end,
    as real servers (and Hugging Face's CDN) do."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.requests: list[str | None] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                rng = self.headers.get("Range")
                outer.requests.append(rng)
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                if start >= len(outer.body):
                    self.send_response(416)
                    self.send_header("Content-Range", f"bytes */{len(outer.body)}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                part = outer.body[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                self.wfile.write(part)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/model.gguf"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("size_known", [True, False])
def test_pull_of_a_complete_partial_download_finishes(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size_known: bool
):
    models = tmp_path / "models"
    models.mkdir()
    monkeypatch.setenv(answer_models.MODELS_ENV, str(models))
    body = b"GGUF" + os.urandom(200_000)
    server = _RangeServer(body)
    try:
        entry = {"name": "pulled", "file": "pulled.gguf", "sha256": hashlib.sha256(body).hexdigest(),
                 "url": server.url, "size": len(body) if size_known else None}
        (models / "catalog.json").write_text(json.dumps({"answer": [entry]}))
        (models / "pulled.gguf.partial").write_bytes(body)  # the last run was stopped after the last byte
        proc = run_cli("models", "pull", "pulled", home=home, check=False)
        assert proc.returncode == 0, proc.stderr
    finally:
        server.close()
    assert (models / "pulled.gguf").read_bytes() == body
    assert not (models / "pulled.gguf.partial").exists()
    # with the size known nothing needs asking; without it the server's 416 says the file is complete
    assert server.requests == ([] if size_known else [f"bytes={len(body)}-"])


# --- settings: a broken file keeps the last good settings; two writers both keep their change -------
def test_a_broken_settings_file_keeps_the_last_good_settings_and_says_so(home: Path):
    from mysearch.library import Library

    lib = Library.open(home)
    try:
        lib.config.set("embedding.model", "all-minilm-l6-v2")
        lib.config.set("search.k", 7)
        good = lib.config.path.read_text()
        lib.config.path.write_text(good[: len(good) // 2])  # half a file: an editor or another writer mid-way
        lib.config.reload()
        assert lib.config.get("embedding.model") == "all-minilm-l6-v2"  # not the default e5 model
        assert lib.config.get("search.k") == 7
        st = lib.status().as_json()
        assert st["settings_error"] and "settings.json" in st["settings_error"]
        lib.config.path.write_text(good)
        lib.config.reload()
        assert lib.status().as_json()["settings_error"] is None
    finally:
        lib.close()


def test_a_running_owner_keeps_its_settings_when_the_file_breaks(home: Path, docs: Path, one_model):
    from mysearch.client import RemoteClient

    with Library.open(home) as lib:
        lib.add([str(docs)])
        lib.config.set("embedding.model", "all-minilm-l6-v2")
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    proc = subprocess.Popen([sys.executable, "-m", "mysearch", "watch"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        remote = RemoteClient(home)
        wait_for(remote.available, what="the owner to answer")
        settings = home / "settings.json"
        settings.write_text(settings.read_text()[:-9])  # cut short, as a crashed editor leaves it
        assert remote.settings_changed()  # what `config set` in another terminal sends
        st = remote.status()
        assert st["model"] == "all-minilm-l6-v2" and st["folders"] == [str(docs)]  # not the defaults
        assert "settings.json" in str(st["settings_error"])
        cli = run_cli("status", home=home, check=False)  # a new process has no last good settings: it says why
        assert cli.returncode != 0 and "cannot read settings file" in cli.stderr
    finally:
        proc.terminate()
        proc.wait(60)


_WRITER = """
import sys
from mysearch.config import Config
cfg = Config(sys.argv[1])
for i in range(1, 41):
    cfg.set(sys.argv[2], i)
"""


def test_two_processes_writing_different_settings_at_once_keep_both(home: Path):
    from mysearch.config import Config

    home.mkdir(parents=True)
    Config(home).set("folders", ["/somewhere"])
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(home), key], stderr=subprocess.PIPE, text=True)
        for key in ("search.k", "answer.max_tokens")
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    cfg = Config(home)
    assert (cfg.get("search.k"), cfg.get("answer.max_tokens"), cfg.get("folders")) == (40, 40, ["/somewhere"])
    assert not [p.name for p in home.iterdir() if p.name.endswith(".tmp")]  # no temporary file left behind
    # a writer killed between writing its temporary file and renaming it leaves one: the next writer clears it
    writer = subprocess.Popen([sys.executable, "-c", _WRITER.replace("41", "100000"), str(home), "search.k"])
    wait_for(lambda: Config(home).get("search.k") > 100, what="the writer to get going")
    writer.kill()
    writer.wait()
    (home / ".settings-killed.tmp").write_text("{")
    cfg.set("web.results", 5)
    assert Config(home).get("web.results") == 5 and not list(home.glob("*.tmp"))


# --- a missing folder is kept, marked unavailable, and resumes without being read again -------------
def test_a_missing_folder_is_kept_unavailable_and_resumes_without_reading_again(lib, tmp_path, one_model):
    docs = write_sample_docs(tmp_path / "disk" / "docs")
    away = tmp_path / "elsewhere"
    lib.add([str(docs)])
    first = lib.index()
    n, ids = first.indexed, chunk_ids(lib)
    assert n == 4 and lib.status().as_json()["unavailable"] == []

    docs.rename(away)  # the disk is unplugged (or its parent renamed)
    gone = lib.index()
    assert (gone.removed, gone.indexed) == (0, 0)
    st = lib.status().as_json()
    assert [(u["folder"], u["files"]) for u in st["unavailable"]] == [(str(docs), n)]
    assert st["files"]["indexed"] == n and chunk_ids(lib) == ids
    hits = lib.search("how long does a passport renewal take", k=3)
    assert hits and all(h.unavailable for h in hits) and hits[0].as_json()["unavailable"] is True
    shown = run_cli("status", home=lib.home).stdout
    assert f"unavailable: {docs}" in shown

    away.rename(docs)  # plugged in again: nothing is extracted or embedded again
    back = lib.index()
    assert (back.indexed, back.unchanged, back.removed, back.embedded, back.chunks) == (0, n, 0, 0, 0)
    assert chunk_ids(lib) == ids and lib.status().as_json()["unavailable"] == []
    assert not any(h.unavailable for h in lib.search("how long does a passport renewal take", k=3))

    # gone for longer than the user allows: then its files leave the index
    docs.rename(away)
    lib.config.set("index.purge_missing_days", "0")
    purged = lib.index()
    assert purged.removed == n and chunk_ids(lib) == set() and lib.verify() == []


def test_a_folder_that_goes_away_under_a_running_owner_is_kept_and_comes_back_unread(lib, tmp_path, one_model):
    docs = write_sample_docs(tmp_path / "disk" / "docs")
    away = tmp_path / "elsewhere"
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=0.2, reconcile_s=2)
    svc.start()
    try:
        assert svc.wait_idle(300)
        ids, read = chunk_ids(lib), svc.state.files_read
        assert read == 4
        updates = svc.state.updates
        docs.rename(away)  # the watcher sees the folder go
        wait_for(lambda: svc.state.updates >= updates + 2, what="the owner to look again")
        st = svc.status()
        assert [u["files"] for u in st["unavailable"]] == [4] and chunk_ids(lib) == ids
        away.rename(docs)  # back: the periodic pass watches it again and finds nothing to read
        wait_for(lambda: svc.status()["unavailable"] == [] and str(docs) in svc.state.watched,
                 what="the folder to be seen again")
        (docs / "recipe.txt").write_text("Lentil soup with cumin.\n")  # and it is watched again
        wait_for(lambda: keyword_names(lib, "lentil") == {"recipe.txt"} and svc.state.files_read > read,
                 what="an edit after the return")
        assert svc.state.files_read == read + 1  # only the edited file was read again
        assert chunk_ids(lib) - ids and len(ids - chunk_ids(lib)) == 1
    finally:
        svc.stop()


def test_a_missing_folder_the_user_removes_is_purged(lib, tmp_path, one_model):
    docs = write_sample_docs(tmp_path / "disk" / "docs")
    lib.add([str(docs)])
    n = lib.index().indexed
    docs.rename(tmp_path / "elsewhere")
    assert lib.index().removed == 0
    lib.remove([str(docs)])
    assert lib.index().removed == n
    assert chunk_ids(lib) == set() and lib.status().as_json()["unavailable"] == []


# --- settings a person can change retry what they caused; a failure keeps the last good chunks -------
def test_timeouts_and_size_skips_are_retried_when_their_setting_changes(lib, docs, one_model):
    lib.config.set("index.timeout_s", "0.0001")
    lib.add([str(docs)])
    assert lib.index().failed == 5
    lib.config.set("index.timeout_s", "60")
    again = lib.index()  # nothing changed but the limit: every file that ran out of time is tried again
    assert (again.indexed, again.failed) == (5, 0)

    lib.config.set("index.max_file_mb", "0.00001")  # about 10 bytes: every file is too large
    assert lib.index().skipped == 5 and chunk_ids(lib) == set()
    lib.config.set("index.max_file_mb", "100")
    assert lib.index().indexed == 5


def test_a_file_that_fails_for_now_keeps_its_previous_chunks(lib, docs, one_model):
    lib.add([str(docs)])
    lib.index()
    assert keyword_names(lib, "tomato") == {"recipe.txt"}
    lib.config.set("index.timeout_s", "0.0001")  # a slow moment: the edited file runs out of time
    (docs / "recipe.txt").write_text("Changed: pea soup with mint.\n")
    failed = lib.index()
    assert failed.failed == 1
    assert keyword_names(lib, "tomato") == {"recipe.txt"}  # the last good version is still found
    assert [p["path"] for p in lib.status().problems] == [str(docs / "recipe.txt")]
    lib.config.set("index.timeout_s", "60")
    assert lib.index().indexed == 1
    assert keyword_names(lib, "pea") == {"recipe.txt"} and keyword_names(lib, "tomato") == set()
    assert lib.verify() == []


# --- the embedding cache is pruned ---------------------------------------------------------------
def test_the_embedding_cache_stays_bounded_as_a_file_changes(lib, tmp_path, one_model):
    folder = tmp_path / "notes"
    folder.mkdir()
    lib.add([str(folder)])
    sizes = []
    for i in range(6):  # each save leaves the old version's vectors in the cache
        words = " ".join(f"topic{i}w{j}" for j in range(400))
        (folder / "note.txt").write_text(f"Version {i}. {words}\n")
        indexer = lib.indexer()
        indexer.cache_spare = 0
        try:
            indexer.sync(lib.folders())
        finally:
            indexer.close()
        sizes.append(lib.catalog.cache_size())
    live = lib.catalog.db.execute("SELECT count(DISTINCT text_hash) FROM chunks").fetchone()[0]
    assert live > 1 and sizes[-1] == live, sizes  # the live text's vectors, no more
    assert len(set(sizes)) == 1, sizes
    assert lib.search("topic5w7", k=1)[0].path.endswith("note.txt")


# --- never spin --------------------------------------------------------------------------------------
def test_unknown_embedding_models_are_refused_when_set(home: Path):
    proc = run_cli("config", "set", "embedding.extra", "all-minilm-l6-v2,no-such-model", home=home, check=False)
    assert proc.returncode != 0 and "unknown embedding model 'no-such-model'" in proc.stderr
    with Library.open(home) as lib:
        with pytest.raises(ConfigError, match="unknown embedding model 'e5-smal'"):
            lib.config.set("embedding.model", "e5-smal")
        assert lib.config.get("embedding.extra") == ["all-minilm-l6-v2"]  # nothing was written
        lib.config.set("embedding.extra", "all-minilm-l6-v2")


def test_an_extra_model_that_cannot_load_is_left_out_and_the_owner_does_not_spin(home: Path, docs: Path):
    from mysearch import embed

    def missing_package(threads: int):  # what a model whose package is not installed does
        raise ImportError("No module named 'not_installed_here'")

    embed.register(embed.EmbedderInfo("uninstalled-model", "needs a package", False, 384, "x", missing_package))
    lib = Library.open(home)
    svc = None
    try:
        lib.add([str(docs)])
        lib.config.set("embedding.extra", ["uninstalled-model"])
        raw = json.loads(lib.config.path.read_text())
        raw["embedding.extra"] = ["uninstalled-model", "no-such-model"]  # a hand edit gets past `config set`
        lib.config.path.write_text(json.dumps(raw))
        lib.config.reload()
        svc = IndexService(lib, debounce_s=0.2)
        svc.start()
        assert svc.wait_idle(300), f"the owner never settles: {svc.state.steps} loop passes"
        settled = svc.state.steps
        time.sleep(3)  # idle now: the loop must not run again on its own
        assert svc.state.steps - settled <= 2
        failed = svc.status()["models_failed"]
        assert set(failed) == {"uninstalled-model", "no-such-model"}
        assert "not_installed_here" in failed["uninstalled-model"] and "unknown" in failed["no-such-model"]
        assert lib.search_models() == ["multilingual-e5-small"]
    finally:
        if svc is not None:
            svc.stop()
        lib.close()
        embed._REGISTRY.pop("uninstalled-model", None)


# --- the periodic stat-only pass repairs what the watcher missed ----------------------------------
def test_reconcile_repairs_a_change_the_watcher_never_saw(lib, docs, one_model):
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=0.2, reconcile_s=2)
    svc.start()
    try:
        assert svc.wait_idle(300)
        svc.watcher.stop()  # from here on no event arrives, as when inotify's queue overflows
        before = svc.state.last_reconcile
        assert before > 0
        (docs / "recipe.txt").write_text("Pumpkin stew with ginger and lentils.\n")
        (docs / "invoice.txt").unlink()
        wait_for(lambda: keyword_names(lib, "pumpkin") == {"recipe.txt"} and not keyword_names(lib, "northwind"),
                 what="the periodic pass to find the edit and the deletion")
        wait_for(lambda: svc.status()["service"]["last_reconcile"] > before, what="status to say it ran")
        assert svc.status()["files"]["indexed"] == 4
    finally:
        svc.stop()


# --- pause means pause, inside a pass --------------------------------------------------------------
def _counts(lib: Library) -> tuple[int, int]:
    db = lib.reader().db
    files = db.execute("SELECT count(*) FROM files").fetchone()[0]
    return files, db.execute("SELECT count(*) FROM vectors").fetchone()[0]


def test_pause_stops_a_running_pass_within_a_file_or_a_batch(lib, tmp_path, one_model):
    folder = tmp_path / "many"
    folder.mkdir()
    total = 300  # enough that a pass is still running when the pause comes
    for i in range(total):
        (folder / f"note{i:03}.txt").write_text(f"Note {i}: the meeting about project {i * 7919 % 1000} moved.\n")
    lib.add([str(folder)])
    svc = IndexService(lib, debounce_s=0.2)
    svc.start()
    try:
        wait_for(lambda: svc.state.progress.get("phase") == "read" and svc.state.progress.get("files_done", 0) >= 3,
                 what="reading to start")
        svc.pause()
        assert svc.state.phase in ("pausing", "paused")  # not "paused" before it is
        wait_for(lambda: svc.state.phase == "paused", 60, "the reading pass to stop")
        stopped = _counts(lib)
        time.sleep(2)
        assert _counts(lib) == stopped and stopped[0] < total  # stopped inside the pass, not after it
        svc.resume()
        wait_for(lambda: svc.state.phase == "embedding" and _counts(lib)[1] > 0, 300, "embedding to start")
        svc.pause()
        wait_for(lambda: svc.state.phase == "paused", 60, "the embedding pass to stop")
        stopped = _counts(lib)
        time.sleep(2)
        assert _counts(lib) == stopped and stopped[1] < total
        svc.resume()
        assert svc.wait_idle(600)
        assert _counts(lib) == (total, total)
    finally:
        svc.stop()


# --- switching answer models while an answer is written -------------------------------------------
_SWITCH = """
import json, sys
from mysearch import answer
from mysearch.library import Library
from mysearch.answer import runtime

lib = Library.open(sys.argv[1])
name, gpu = lib.config.get("answer.model"), lib.config.get("answer.gpu")
old, new = None, None
for ev in answer.ask(lib, "When was the boiler serviced?"):
    if isinstance(ev, answer.Stage) and ev.step == "writing":  # the model's first token
        old = runtime.load(name, gpu, 1)  # the model writing this answer
        new = runtime.load(name, gpu, 2)  # another choice of model now (the app's settings, `models use`)
        assert new is not old and not old.closed, "the model was closed under the answer"
    elif isinstance(ev, answer.Done):
        done = ev.answer
# more than one token written: generation went on after the switch (tokens/s counts from the first)
after = int(bool(done.timings["tokens_per_s"]))
print(json.dumps({"after": after, "raw": done.raw, "old_closed": old.closed, "new_closed": new.closed}))
"""


def test_switching_answer_models_mid_answer_closes_the_old_one_only_after_it(home: Path, tmp_path: Path, one_model):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "boiler.txt").write_text(
        "Boiler maintenance log\nThe boiler in the basement was serviced on 12 March 2024 by Hanson Heating. "
        "The technician replaced the pressure valve and recommended the next service in March 2025.\n"
    )
    with Library.open(home) as lib:
        lib.add([str(docs)])
        lib.index()
        lib.config.set("answer.model", "smollm2-135m-instruct")
        lib.config.set("answer.threads", 1)
        lib.config.set("answer.max_tokens", 64)
    proc = subprocess.run([sys.executable, "-c", _SWITCH, str(home)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["after"] >= 1 and out["raw"]  # the answer went on being written after the switch
    assert out["old_closed"] is True and out["new_closed"] is False  # and the old model closed once it ended
