"""Nobody else gets in: the library folder and the control socket are this user's alone, checked
with a second Unix account (``nobody``) trying to read, to squat the socket's folder, and to answer
in the owner's place."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from conftest import run_cli
from other_user import NOBODY, needs_other_user, python_for_other_user, run_as_other_user

from mysearch.channel import socket_path
from mysearch.client import RemoteClient
from mysearch.library import Library
from mysearch.owner.control import ControlServer
from mysearch.permissions import NotPrivate


@pytest.fixture
def open_folder():
    """A folder anyone may enter (pytest's own temporary folders are 0700, which would hide the library
    from other users whatever mysearch does); removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="hard-sec-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _modes(home: Path) -> dict[str, int]:
    out = {}
    for folder, _dirs, files in os.walk(home):
        out[folder] = stat.S_IMODE(os.lstat(folder).st_mode)
        for name in files:
            path = os.path.join(folder, name)
            st = os.lstat(path)
            if stat.S_ISREG(st.st_mode):
                out[path] = stat.S_IMODE(st.st_mode)
    return out


def _open_to_others(home: Path) -> dict[str, str]:
    return {p: f"{m:o}" for p, m in _modes(home).items() if m & 0o077}


def _loosen(home: Path) -> None:
    """What an older mysearch left with the default umask: folders 0755, files 0644."""
    for path in _modes(home):
        os.chmod(path, 0o755 if os.path.isdir(path) else 0o644)


@needs_other_user
def test_library_folder_is_private_and_another_user_cannot_read_it(open_folder: Path):
    home, docs = open_folder / "home", open_folder / "docs"
    docs.mkdir()
    (docs / "diary.txt").write_text("the combination of the safe is 1234")
    run_cli("add", str(docs), home=home)
    run_cli("config", "set", "web.api_key", "brave-key-5678", home=home)
    run_cli("index", home=home)
    modes = _modes(home)
    assert modes[str(home)] == 0o700
    assert len(modes) > 10 and any("chroma" in p for p in modes)  # catalog, settings, logs, Chroma's files
    assert _open_to_others(home) == {}
    for name in ("catalog.sqlite3", "settings.json", "logs/mysearch.log"):
        seen = run_as_other_user("cat", str(home / name))
        assert seen.returncode != 0 and "Permission denied" in seen.stderr, name
    assert run_as_other_user("ls", str(home)).returncode != 0


@needs_other_user
def test_an_existing_open_library_is_tightened_when_opened(open_folder: Path):
    home, docs = open_folder / "home", open_folder / "docs"
    docs.mkdir()
    (docs / "note.txt").write_text("private note about the lantern festival")
    run_cli("add", str(docs), home=home)
    run_cli("index", home=home)
    _loosen(home)
    assert run_as_other_user("cat", str(home / "catalog.sqlite3")).returncode == 0  # what an old library allowed
    run_cli("status", home=home)
    assert _open_to_others(home) == {}
    assert run_as_other_user("cat", str(home / "catalog.sqlite3")).returncode != 0


def _long_home(root: Path) -> Path:
    """A library whose socket path would be too long for a Unix socket inside it."""
    home = root / ("a-library-folder-with-a-long-name-" * 3) / "home"
    assert len(str(home / "mysearch.sock").encode()) >= 100
    return home


@needs_other_user
def test_socket_folder_made_first_by_another_user_is_refused(tmp_path, open_folder, monkeypatch):
    shared_tmp = open_folder / "tmp"
    shared_tmp.mkdir()
    shared_tmp.chmod(0o1777)  # like /tmp: anyone may create things in it
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    squatted = shared_tmp / f"mysearch-{os.getuid()}"
    assert run_as_other_user("mkdir", "-m", "0777", str(squatted)).returncode == 0
    lib = Library.open(_long_home(tmp_path))
    server = ControlServer(lib, None)
    try:
        with pytest.raises(NotPrivate, match="belongs to another user"):
            server.start()
        assert os.listdir(squatted) == []  # no socket of ours in their folder
    finally:
        server.stop()
        lib.close()


def test_socket_folder_of_ours_that_is_open_is_closed_before_use(tmp_path, monkeypatch):
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    ours = shared_tmp / f"mysearch-{os.getuid()}"
    ours.mkdir(mode=0o777)
    ours.chmod(0o777)
    lib = Library.open(_long_home(tmp_path))
    server = ControlServer(lib, None)
    try:
        server.start()
        assert stat.S_IMODE(ours.stat().st_mode) == 0o700
        assert Path(server.path).parent == ours
        assert RemoteClient(lib.home).available()
    finally:
        server.stop()
        lib.close()


def test_socket_goes_to_xdg_runtime_dir_when_it_is_private(tmp_path, monkeypatch):
    runtime = tmp_path / "run-user"
    runtime.mkdir(mode=0o700)
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    lib = Library.open(_long_home(tmp_path))
    server = ControlServer(lib, None)
    try:
        server.start()
        assert Path(server.path).parent == runtime / "mysearch"
        assert stat.S_IMODE((runtime / "mysearch").stat().st_mode) == 0o700
        assert RemoteClient(lib.home).available()
        assert not (shared_tmp / f"mysearch-{os.getuid()}").exists()
    finally:
        server.stop()
        lib.close()
    runtime.chmod(0o755)  # a runtime folder others may enter is not used
    assert Path(socket_path(lib.home)).parent == shared_tmp / f"mysearch-{os.getuid()}"


FAKE_OWNER = """
import socket, sys
path, log = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(4)
print("listening", flush=True)
while True:
    conn, _ = srv.accept()
    conn.settimeout(2)
    try:
        got = conn.recv(65536)
    except OSError:
        got = b""
    with open(log, "ab") as f:
        f.write(got)
    try:
        conn.sendall(b'{"ok": true, "hits": []}\\n')
    except OSError:
        pass
    conn.close()
"""


@needs_other_user
def test_client_sends_nothing_to_a_server_of_another_user(home, open_folder):
    python = python_for_other_user()
    if python is None:
        pytest.skip("no Python interpreter that the other user may run")
    lib = Library.open(home)
    lib.close()
    drop = open_folder / "drop"
    drop.mkdir(mode=0o777)
    drop.chmod(0o777)
    (drop / "owner.py").write_text(FAKE_OWNER)
    log = drop / "received"
    proc = subprocess.Popen(
        ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", python, str(drop / "owner.py"),
         str(drop / "s.sock"), str(log)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert proc.stdout.readline().strip() == "listening"
        # the socket, still served by the other user, where the owner of this library would listen
        os.rename(drop / "s.sock", socket_path(home))
        remote = RemoteClient(home, timeout=10)
        with pytest.raises(NotPrivate, match="served by another user"):
            remote.search("the combination of the safe")
        with pytest.raises(NotPrivate):
            remote.available()
        time.sleep(0.5)  # the fake owner would have written what it received by now
        assert not log.exists() or log.read_bytes() == b""
    finally:
        proc.kill()
        proc.wait()
