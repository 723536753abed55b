"""The same engine against a real Chroma server (`chroma run`), started here by the test."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mysearch.library import Library


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    import chromadb
    from chromadb.config import Settings

    deadline = time.monotonic() + 60
    while True:
        try:
            client = chromadb.HttpClient(host="127.0.0.1", port=port, settings=Settings(anonymized_telemetry=False))
            client.heartbeat()
            break
        except Exception:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.5)
    yield f"http://127.0.0.1:{port}", client
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_index_and_search_through_a_chroma_server(home, docs, chroma_server, monkeypatch):
    url, client = chroma_server
    monkeypatch.setenv("MYSEARCH_STORE__URL", url)
    with Library.open(home) as lib:
        lib.add([str(docs)])
        report = lib.index()
        assert report.indexed == 5
        assert lib.status().store == url
        names = sorted(c.name for c in client.list_collections())  # one collection per model in use
        assert len(names) == 2 and "all-minilm-l6-v2" in names[0] and "multilingual-e5-small" in names[1]
        assert [client.get_collection(n).count() for n in names] == [report.chunks] * 2
        assert Path(lib.search("renew a passport", k=1)[0].path).name == "passport.md"
        (docs / "passport.md").unlink()
        lib.index()
        assert [client.get_collection(n).count() for n in names] == [report.chunks - 1] * 2
        assert lib.verify() == []
    assert not (home / "chroma").exists()  # nothing went to the embedded store
