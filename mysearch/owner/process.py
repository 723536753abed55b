"""The owner process: holds a library until told to stop, indexing, watching and answering on its socket.

``mysearch serve`` (the desktop app's child) and ``mysearch watch`` (a terminal) are this one function;
the loop (``owner.loop``) makes every write, the control server (``owner.control``) answers clients.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

from ..library import Library
from .control import ControlServer
from .loop import IndexService

log = logging.getLogger(__name__)


def serve(
    lib: Library,
    parent_pid: int | None = None,
    nice: int = 10,
    started: Callable[[IndexService], None] | None = None,
    tick: Callable[[IndexService], None] | None = None,
) -> int:
    """Own the library until SIGTERM, SIGINT or (with ``parent_pid``) the parent process exits.

    The desktop app runs this in a child process (``mysearch serve``, not listed in the help), so the
    indexer's GIL-holding work (model loading, Chroma writes) never freezes the window; unlike
    ``watch`` it starts with no folders (the first run adds them through ``settings_changed``).
    The whole process runs niced (Linux sets priority per thread; every thread started from here on
    inherits it, torch's and Chroma's included, wherever they are first created), so the window's
    process wins the cores; searches stay far inside their latency budget (measured).
    ``mysearch watch`` runs the same loop un-niced, with ``started``/``tick`` reporting to the terminal.
    """
    import signal

    if nice:
        try:
            os.nice(nice)
        except OSError:
            pass
    cfg = lib.config
    lib.lock.acquire("run the indexer")  # StoreBusy names the owner: the app then uses that one
    service = IndexService(
        lib,
        debounce_s=cfg.get("watch.debounce_s"),
        rescan_s=cfg.get("watch.rescan_s"),
        max_watches=cfg.get("watch.max_watches"),
        reconcile_s=cfg.get("watch.reconcile_s"),
    )
    server = ControlServer(lib, service)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    service.start()
    server.start()
    log.info("serving %s for process %s", lib.home, parent_pid)
    if started:
        started(service)
    try:
        while not stop.wait(0.5):
            if parent_pid and os.getppid() != parent_pid:  # the app is gone (crashed or killed)
                log.info("parent %s exited; stopping", parent_pid)
                break
            if tick:
                tick(service)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        service.stop()
    return 0
