"""The wire between a library's owner and its clients: a Unix socket only this user can reach.

One request, one reply, each a line of JSON (``ControlServer`` in ``mysearch.owner.control`` answers,
``RemoteClient`` in ``mysearch.client`` asks). Both ends check who is at the other end: the server
answers only this user's processes, and the client sends nothing to a socket someone else serves
(another account could have made the folder or the socket first, and would read, and answer, our
query).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import struct
import tempfile
from pathlib import Path

from .errors import MySearchError
from .permissions import NotPrivate, is_private_dir, private_dir


def socket_path(home: Path, create: bool = False) -> str:
    """Where the owner of ``home`` listens: the first of these that is private to this user.

    The library folder (0700, see ``permissions``) unless that path is too long for a Unix socket;
    then ``$XDG_RUNTIME_DIR/mysearch`` (the per-user runtime folder of the desktop session); then
    ``mysearch-<uid>`` in the shared temporary folder, which ``create`` (the server) makes and checks
    (another account may have made it first: ``NotPrivate``). The client checks who answers instead
    (``request``), so it needs no folder of its own."""
    home = Path(os.path.abspath(home))
    path = str(home / "mysearch.sock")
    if len(path.encode()) < 100 and is_private_dir(home):
        return path
    name = hashlib.sha1(str(home).encode()).hexdigest()[:16] + ".sock"
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isabs(runtime) and is_private_dir(Path(runtime)):
        folder = Path(runtime) / "mysearch"
        if create:
            private_dir(folder)
        return str(folder / name)
    folder = Path(tempfile.gettempdir()) / f"mysearch-{os.getuid()}"
    if create:
        private_dir(folder)
    return str(folder / name)


def peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end of a Unix socket (None where the OS cannot say)."""
    if not hasattr(socket, "SO_PEERCRED"):
        return None
    creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _pid, uid, _gid = struct.unpack("3i", creds)
    return uid


def same_user(sock: socket.socket) -> bool:
    """Only the user who runs mysearch may talk to it (the socket file is 0600 too)."""
    uid = peer_uid(sock)
    return uid is None or uid == os.getuid()


def request(path: str, req: dict[str, object], timeout: float) -> dict[str, object]:
    """Send one request to the owner listening at ``path`` and return its reply.

    ``OSError`` when nobody listens (or the reply takes longer than ``timeout``), ``NotPrivate`` when
    another user serves that socket, ``MySearchError`` with the owner's words when it refused."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(path)
        if not same_user(s):
            raise NotPrivate(
                f"the control socket {path} is served by another user (uid {peer_uid(s)}); mysearch sent it nothing"
            )
        s.sendall((json.dumps(req) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    reply = json.loads(buf)
    if "error" in reply:
        raise MySearchError(str(reply["error"]))
    return reply
