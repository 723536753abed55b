"""The owner's control socket: other processes search, ask and steer through the one that owns the
library (the store must have one owner: ``mysearch.lock``).

JSON lines over a Unix socket only this user can open (``mysearch.channel``): one request, one reply.
Each operation is a row of ``OPS`` that turns a request into a call on the owner's own ``LocalClient``,
so a ``RemoteClient`` on the other end behaves exactly like that client here; ``OWNER_OPS`` need the
indexing loop and exist only where one runs.
"""

from __future__ import annotations

import json
import os
import socketserver
import sys
import threading
from collections.abc import Callable
from typing import Any

from ..channel import same_user, socket_path
from ..client import LocalClient
from ..library import Library
from ..search import Filters
from .loop import IndexService

Op = Callable[[LocalClient, dict[str, Any]], dict[str, Any]]


def _search(c: LocalClient, req: dict[str, Any]) -> dict[str, Any]:
    hits = c.search(str(req["text"]), req.get("k"), Filters.from_json(req.get("filters")),
                    str(req.get("mode", "hybrid")), bool(req.get("prefix")))
    return {"hits": [h.as_json() for h in hits]}


def _done(call: Callable[[LocalClient], object]) -> Op:
    def op(c: LocalClient, _req: dict[str, Any]) -> dict[str, Any]:
        call(c)
        return {"ok": True}

    return op


OPS: dict[str, Op] = {
    "ping": lambda _c, _req: {"ok": True, "pid": os.getpid()},
    "search": _search,
    "chunks": lambda c, req: {"texts": {str(i): t for i, t in c.chunk_texts([int(x) for x in req["ids"]]).items()}},
    "preview": lambda c, req: c.preview(int(req["chunk_id"]), str(req.get("text", ""))),
    "tokenize": lambda c, req: {"tokens": c.tokenize(str(req["text"]), bigrams=bool(req.get("bigrams", True)))},
    "status": lambda c, req: c.status(req.get("max_problems")),
    "state": lambda c, _req: c.state(),  # no database: the app polls it twice a second
    "problems": lambda c, _req: {"problems": c.problems()},
}
OWNER_OPS: dict[str, Op] = {
    "sync": _done(LocalClient.sync),
    "settings_changed": _done(LocalClient.settings_changed),
    "pause": _done(LocalClient.pause),
    "resume": _done(LocalClient.resume),
}


class ControlServer:
    """Serves ``OPS`` (and, with a running ``service``, ``OWNER_OPS``) for ``lib`` on its socket."""

    def __init__(self, lib: Library, service: IndexService | None) -> None:
        self.lib = lib
        self.client = LocalClient(lib, service)
        self.ops = {**OPS, **(OWNER_OPS if service is not None else {})}
        self.path = socket_path(lib.home)
        self._server: socketserver.ThreadingUnixStreamServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if sys.platform == "win32":  # pragma: no cover - no Unix sockets: CLI gets a clear message
            return
        self.path = socket_path(self.lib.home, create=True)
        if os.path.lexists(self.path):
            os.unlink(self.path)  # we hold the owner lock, so any old socket is stale
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                if not same_user(self.request):
                    return
                for line in self.rfile:
                    try:
                        reply = outer.dispatch(json.loads(line))
                    except Exception as exc:  # errors go back to the caller in words
                        reply = {"error": str(exc)}
                    self.wfile.write((json.dumps(reply, ensure_ascii=False) + "\n").encode())
                    self.wfile.flush()

        old = os.umask(0o177)
        try:
            self._server = socketserver.ThreadingUnixStreamServer(self.path, Handler)
        finally:
            os.umask(old)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="mysearch-control", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
            try:
                os.unlink(self.path)
            except OSError:
                pass

    def dispatch(self, req: dict[str, Any]) -> dict[str, Any]:
        op = self.ops.get(str(req.get("op")))
        if op is None:
            return {"error": f"unknown request '{req.get('op')}'"}
        return op(self.client, req)
