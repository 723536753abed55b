"""The model catalog: the default answer model installs offline, user models are added, downloads are
resumable and sha256-checked (against a real local HTTP server: the only network tests may use)."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import run_cli

from mysearch import embed
from mysearch.answer import download, models
from mysearch.config import Config
from mysearch.errors import ModelError


@pytest.fixture
def models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "models"
    monkeypatch.setenv(models.MODELS_ENV, str(d))
    return d


def test_shipped_catalog_is_complete():
    data = models.shipped()
    answer = models.answer_models()
    assert [e.name for e in answer if e.default] == ["qwen2.5-coder-1.5b-instruct"]
    for e in answer:
        assert e.sha256 and len(e.sha256) == 64 and e.size and e.licence and e.context
    # every embedding model the engine can load is catalogued, and nothing else
    assert {m["name"] for m in data["embedding"]} == {i.name for i in embed.available()}


def test_default_model_is_joined_from_its_packages_and_checked():
    entry = models.get("qwen2.5-coder-1.5b-instruct")
    assert models.installed(entry)
    path = models.resolve(entry)  # joins the 22 parts the first time on this machine
    assert path.stat().st_size == entry.size
    with open(path, "rb") as f:
        assert f.read(4) == b"GGUF"
    models.check(entry, path)  # sha256 of the joined file matches the catalog


def test_join_refuses_a_file_whose_hash_differs(models_dir: Path):
    entry = models.get("qwen2.5-coder-1.5b-instruct")
    bad = models.ModelEntry(**{**entry.__dict__, "sha256": "0" * 64})
    with pytest.raises(ModelError, match="sha256"):
        models.resolve(bad)
    assert list(models_dir.iterdir()) == []  # nothing half-joined left behind


def test_add_a_gguf_file_then_use_it(home: Path, models_dir: Path, tmp_path: Path):
    src = models.resolve(models.get("smollm2-135m-instruct"))
    mine = tmp_path / "My-Tiny-Model.gguf"
    shutil.copyfile(src, mine)
    out = run_cli("models", "add", str(mine), "--name", "my-tiny", home=home).stdout
    assert "added answer model my-tiny" in out
    rows = json.loads(run_cli("models", "list", "--json", home=home).stdout)
    mine_row = next(r for r in rows if r["name"] == "my-tiny")
    assert mine_row["kind"] == "answer" and mine_row["installed"] and mine_row["context"] == 8192
    assert mine_row["sha256"] == hashlib.sha256(src.read_bytes()).hexdigest()
    assert "answer model set to my-tiny (ready)" in run_cli("models", "use", "my-tiny", home=home).stdout
    assert Config(home).get("answer.model") == "my-tiny"


def test_add_refuses_what_is_not_a_model(home: Path, models_dir: Path, tmp_path: Path):
    junk = tmp_path / "notes.gguf"
    junk.write_text("hello")
    proc = run_cli("models", "add", str(junk), home=home, check=False)
    assert proc.returncode == 2
    assert "not a GGUF model file" in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_use_unknown_model_is_one_clear_line(home: Path):
    proc = run_cli("models", "use", "gpt-17", home=home, check=False)
    assert proc.returncode == 2 and "unknown answer model 'gpt-17'" in proc.stderr


class _Server:
    """Serves one file; the first request is cut off halfway, as a dropped connection would be."""

    def __init__(self, body: bytes, cut_first: bool) -> None:
        self.body = body
        self.cut = cut_first
        self.ranges: list[str | None] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                rng = self.headers.get("Range")
                outer.ranges.append(rng)
                start = int(rng.split("=")[1].split("-")[0]) if rng else 0
                part = outer.body[start:]
                self.send_response(206 if rng else 200)
                self.send_header("Content-Length", str(len(part)))
                self.end_headers()
                if outer.cut:
                    outer.cut = False
                    self.wfile.write(part[: len(part) // 2])
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    return
                self.wfile.write(part)

            def log_message(self, *args) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/model.gguf"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()


def _user_entry(models_dir: Path, url: str, body: bytes, sha: str | None = None) -> None:
    models_dir.mkdir(parents=True, exist_ok=True)
    entry = {
        "name": "pulled",
        "file": "pulled.gguf",
        "size": len(body),
        "sha256": sha or hashlib.sha256(body).hexdigest(),
        "url": url,
    }
    (models_dir / "catalog.json").write_text(json.dumps({"answer": [entry]}))


def test_pull_resumes_after_a_dropped_connection(home: Path, models_dir: Path):
    body = b"GGUF" + os.urandom(3_000_000)
    server = _Server(body, cut_first=True)
    try:
        _user_entry(models_dir, server.url, body)
        first = run_cli("models", "pull", "pulled", home=home, check=False)
        assert first.returncode == 2 and "pull again to resume" in first.stderr
        assert (models_dir / "pulled.gguf.partial").stat().st_size == len(body) // 2
        assert not (models_dir / "pulled.gguf").exists()
        run_cli("models", "pull", "pulled", home=home)
    finally:
        server.close()
    assert server.ranges == [None, f"bytes={len(body) // 2}-"]
    assert (models_dir / "pulled.gguf").read_bytes() == body
    assert not (models_dir / "pulled.gguf.partial").exists()


def test_pull_rejects_a_file_whose_hash_differs(models_dir: Path):
    body = b"GGUF" + os.urandom(100_000)
    server = _Server(body, cut_first=False)
    try:
        _user_entry(models_dir, server.url, body, sha="f" * 64)
        with pytest.raises(ModelError, match="expected ffffffffffff"):
            download.pull(models.get("pulled"))
    finally:
        server.close()
    assert list(models_dir.glob("pulled*")) == []  # neither the bad file nor its partial is kept


LOAD_BESIDE_OUTPUT = r"""
import sys, threading, time
from mysearch.answer import runtime
stop = threading.Event()
def tick():
    i = 0
    while not stop.is_set():
        print(f"tick {i}", flush=True)
        i += 1
        time.sleep(0.001)
    print(f"ticks {i}", flush=True)
t = threading.Thread(target=tick)
t.start()
time.sleep(0.05)
rt = runtime.load(sys.argv[1])
time.sleep(0.05)
stop.set()
t.join()
"""


def test_loading_a_model_loses_no_other_output():
    """Loading must not point stdout/stderr elsewhere: another thread (the app's probe, `watch`'s
    progress) keeps writing meanwhile, and llama.cpp's own log stays out of the user's terminal."""
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_BESIDE_OUTPUT, "smollm2-135m-instruct"], capture_output=True, text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    total = int(lines[-1].split()[1])
    assert lines[:-1] == [f"tick {i}" for i in range(total)]  # every line, in order, none swallowed
    assert total > 100 and proc.stderr == ""
