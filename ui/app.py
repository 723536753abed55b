"""Start the desktop app: the window first, the library's owner after, in a process of its own.

``main(home)`` shows the window as soon as Qt is up (only settings and the catalog are opened on the
way: a few milliseconds). Then the app makes sure some process owns the library and answers on its
control socket: if one does already (``mysearch watch`` in a terminal, say), the app is its client; if
nobody holds the library, the app starts ``mysearch serve`` as a child process (``ui.engine``), which
indexes, watches and serves searches; the window says "Starting…" until it answers. The app process
never opens the vector store: indexing's long GIL-holding stretches (model loading, Chroma writes) run
in the child, so they cannot freeze the window, and ``mysearch search`` or ``status`` in a terminal
go to that child like the window does.

If the child dies, the status bar says so and the app starts it again (a few times; then it gives up
and says where the log is). If a process that is not the app's own holds the library without
answering (``mysearch index``), the window says which one and connects once it is gone. On quit the
app stops its own child by PID (SIGTERM, then SIGKILL after a grace period) and leaves any other
owner running. With a tray icon (where the platform has one) closing the window keeps everything
running; Quit in the tray menu stops. Without a tray, closing the window quits.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

if TYPE_CHECKING:
    from mysearch.client import RemoteClient

log = logging.getLogger(__name__)

CONNECT_MS = 200  # how often to look for the owner while it starts
RESTART_LIMIT = 3  # restarts of a child that keeps dying before the app gives up
HEALTHY_S = 60.0  # a child that answered this long had not been "dying": the count starts again
BUSY_BANNER_S = 2.0  # a foreign process holding the library without answering this long is named


class App(QObject):
    """The running app: one library, the process that owns it, the window and the tray."""

    def __init__(self, qapp: QApplication, client: RemoteClient, start_engine: bool = True) -> None:
        """``client``: the library, whose owner this app finds or starts (``start_engine``)."""
        super().__init__()
        from . import theme
        from .engine import OwnerProcess
        from .icon import app_icon
        from .window import MainWindow
        from .worker import Runner

        self.qapp, self.client = qapp, client
        self.engine: RemoteClient | None = None  # the client while an owner answers
        self.owner = OwnerProcess(client.home)  # the child this app starts (when it has to)
        self.owner_pid: int | None = None  # the process answering now: ours or another
        self.restarts = 0
        self.tray: QSystemTrayIcon | None = None
        self.shown_at: float | None = None
        self.runner = Runner(parent=self)
        self._probing = False
        self._busy_since: float | None = None
        self._ready_at: float | None = None
        self._settings_pending = False
        self._first_run_done = False
        self._warmed = False
        theme.apply(client.config.get("ui.theme"))
        self.window = MainWindow(client, self.runner, engine_ready=False)
        self.window.setWindowIcon(app_icon())
        qapp.setWindowIcon(app_icon())
        self.window.settings_button.clicked.connect(self.open_settings)
        self.window.quitRequested.connect(self.quit)
        self.window.status_panel.ownerLost.connect(self._owner_lost)
        self.watchdog = QTimer(self)
        self.watchdog.setInterval(1000)
        self.watchdog.timeout.connect(self._check_owner)
        self._quitting = False
        qapp.aboutToQuit.connect(self.shutdown)
        if start_engine:
            QTimer.singleShot(0, self.start_engine)

    def show(self) -> None:
        self.window.show()
        self.window.focus_search()

    # --- the library's owner ----------------------------------------------------------------------
    def start_engine(self) -> None:
        self.watchdog.start()
        self._connect()

    def _connect(self) -> None:
        """Look for the owner (worker thread); start ours when nobody holds the library."""
        if self._quitting or self._probing or self.engine is not None:
            return
        from .engine import probe

        self._probing = True
        client = self.client
        self.runner.submit(lambda: probe(client), done=self._on_probe, failed=self._on_probe_failed)

    def _on_probe(self, found: tuple[str, int | None]) -> None:
        self._probing = False
        if self._quitting:
            return
        kind, pid = found
        if kind == "ready":
            self._ready(int(pid or 0))
            return
        code = self.owner.exit_code()
        if code is not None:
            self._owner_died(code)
            return
        if kind == "busy" and pid != self.owner.pid:  # `mysearch index`, or a watcher on its way up
            now = time.monotonic()
            self._busy_since = self._busy_since or now
            if now - self._busy_since >= BUSY_BANNER_S and self.window.search_box.isEnabled():
                self.window.set_unavailable(self.tr(
                    "This library is in use by another mysearch process (process {pid}, for example "
                    "`mysearch index`). Searching starts when it finishes."
                ).format(pid=pid))
            QTimer.singleShot(1000, self._connect)
            return
        if self._busy_since is not None:  # the other process is gone
            self._busy_since = None
            self.window.clear_error()
            self.window.set_engine(None)
        if kind == "free" and not self.owner.running():
            self.owner.start()
        QTimer.singleShot(CONNECT_MS, self._connect)

    def _on_probe_failed(self, exc: object) -> None:
        self._probing = False
        log.warning("looking for the library's owner failed: %s", exc)
        QTimer.singleShot(1000, self._connect)

    def _ready(self, pid: int) -> None:
        if pid != self.owner.pid and self.owner.proc is not None:
            self.owner.stop()  # ours lost the race for the library to a process started at the same time
        self.engine, self.owner_pid = self.client, pid
        self._ready_at = time.monotonic()
        if self._busy_since is not None:
            self._busy_since = None
            self.window.clear_error()
        log.info("library served by process %s%s", pid, " (ours)" if pid == self.owner.pid else "")
        self.window.set_engine(self.engine)
        self.setup_tray()
        engine = self.engine
        if self._settings_pending:
            self._settings_pending = False
            self.runner.submit(engine.settings_changed, failed=self.window.show_error)
        if not self._warmed:  # the owner loads the query model now, not at the first real search
            self._warmed = True
            self.runner.submit(lambda: engine.search("warm up", mode="hybrid", k=1), failed=lambda _e: None)
        self.client.config.reload()
        if not self._first_run_done and not self.client.folders():
            self._first_run_done = True
            self.first_run()

    def _check_owner(self) -> None:
        """GUI thread, every second: has our child ended? (``poll`` does not block.)"""
        if self._quitting or self.engine is None or self.owner_pid != self.owner.pid:
            return  # while connecting, _on_probe sees a death itself
        code = self.owner.exit_code()
        if code is not None:
            self._owner_died(code)

    def _owner_lost(self, exc: object) -> None:
        """A status poll could not reach the owner."""
        if self._quitting or self.engine is None or isinstance(exc, TimeoutError):
            return  # a busy owner is slow, not gone
        if self.owner_pid == self.owner.pid:
            code = self.owner.exit_code()
            if code is not None:
                self._owner_died(code)
            return
        log.warning("the library's owner (process %s) stopped answering: %s", self.owner_pid, exc)
        self.engine = self.owner_pid = None
        self.window.set_engine(None, self.tr(
            "The mysearch process that kept this library up to date has stopped; taking over…"))
        self._connect()

    def _owner_died(self, code: int) -> None:
        self.owner.stop()  # reaps it
        self.engine = self.owner_pid = None
        if self._ready_at is not None and time.monotonic() - self._ready_at > HEALTHY_S:
            self.restarts = 0
        self._ready_at = None
        self.restarts += 1
        log.warning("the library's owner process exited with %s (restart %d)", code, self.restarts)
        if self.restarts > RESTART_LIMIT:
            self.window.set_unavailable(self.tr(
                "The indexer stopped {n} times (last exit code {code}). Details are in {log}."
            ).format(n=self.restarts, code=code, log=self.client.home / "logs" / "owner.log"))
            return
        self.window.set_engine(None, self.tr(
            "The indexer stopped unexpectedly (exit code {code}); restarting…").format(code=code))
        QTimer.singleShot(CONNECT_MS * self.restarts, self._connect)

    # --- dialogs --------------------------------------------------------------------------------
    def first_run(self) -> None:
        from .first_run import FirstRunDialog, suggested_folders

        dialog = FirstRunDialog(suggested_folders(), self.window)
        self.first_run_dialog = dialog

        def finished(result: int) -> None:
            folders = dialog.folders()
            if result and folders:
                self.runner.submit(lambda: self._add_folders(folders), failed=self.window.show_error)

        dialog.finished.connect(finished)
        dialog.open()

    def _add_folders(self, folders: list[str]) -> None:
        if not self.client.add(folders):
            return
        self._told_owner()

    def _told_owner(self) -> None:
        """Worker thread, after the client told the owner of new settings: one that is not answering
        yet (starting) may have read them before, so it is told again once it answers."""
        if self.engine is None:
            self._settings_pending = True

    def open_settings(self) -> None:
        from .settings import SettingsDialog

        self.client.config.reload()  # a terminal may have changed them
        dialog = SettingsDialog(self.client.config, self.window)
        self.settings_dialog = dialog

        def finished(result: int) -> None:
            if result:
                self.save_settings(dialog.changes())

        dialog.finished.connect(finished)
        dialog.open()

    def save_settings(self, changes: dict[str, Any]) -> None:
        if not changes:
            return
        from .settings import apply_settings

        client = self.client

        def work() -> dict[str, Any]:
            saved = apply_settings(client.config, changes)
            client.settings_changed()
            self._told_owner()
            return saved

        self.runner.submit(work, done=self._settings_saved, failed=self.window.show_error)

    def _settings_saved(self, saved: dict[str, Any]) -> None:
        from . import i18n, theme

        if "ui.theme" in saved:
            theme.apply(saved["ui.theme"])
        if "index.ignore" in saved:
            self.window.forget_removed()
        if "ui.language" in saved:
            i18n.install(saved["ui.language"])  # widgets get LanguageChange and retranslate
        if self.window.search_box.text().strip():
            self.window.run_search()

    # --- tray and quitting ----------------------------------------------------------------------
    def setup_tray(self) -> None:
        if self.tray is not None or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        tray = QSystemTrayIcon(self.window.windowIcon(), self)
        menu = QMenu()
        show = QAction(self.tr("Show mysearch"), menu)
        show.triggered.connect(self.window.focus_search)
        pause = QAction(self.tr("Pause indexing"), menu)
        pause.triggered.connect(self.window.status_panel.toggle_pause)
        quit_ = QAction(self.tr("Quit"), menu)
        quit_.triggered.connect(self.quit)
        for a in (show, pause, quit_):
            menu.addAction(a)
        tray.setContextMenu(menu)
        tray.setToolTip(self.tr("mysearch"))
        tray.activated.connect(lambda _reason: self.window.focus_search())
        tray.show()
        self.tray, self._tray_menu = tray, menu
        self.window.close_to_tray = True
        self.qapp.setQuitOnLastWindowClosed(False)

    def quit(self) -> None:
        self.window.close_to_tray = False
        self.qapp.quit()

    def shutdown(self) -> None:
        """Stop answering and our own owner process (never another one); what was indexed is kept
        (the catalog commits per file; the child stops at a safe point on SIGTERM)."""
        if self._quitting:
            return
        self._quitting = True
        self.watchdog.stop()
        self.window.stop_answer()
        self.window.status_panel.timer.stop()
        self.window.hide()
        code = self.owner.stop()
        if code is not None:
            log.info("the library's owner process stopped (%s)", code)
        self.engine = None
        self.window.set_engine(None)
        self.runner.close(10000)
        self.window.status_panel.ctl.close(10000)
        if self.tray is not None:
            self.tray.hide()


def main(home: Path | None = None, argv: list[str] | None = None) -> int:
    """Open the app on this library folder (default: $MYSEARCH_HOME or the user data folder)."""
    started = time.perf_counter()
    qapp = _qapp(argv)

    from mysearch.client import RemoteClient
    from mysearch.config import default_home
    from mysearch.logfile import log_to_file

    from . import i18n

    home = Path(home).expanduser() if home else default_home()
    log_to_file(home, "app")
    client = RemoteClient(home, timeout=60.0)
    i18n.install(client.config.get("ui.language"))
    client.korean_from_owner()  # this process never loads Kiwi (it would hold the GIL for 1.7 s)
    app = App(qapp, client)
    app.show()
    app.shown_at = time.perf_counter() - started
    log.info("window shown %.3f s after start", app.shown_at)
    if os.environ.get("MYSEARCH_UI_PROBE"):
        from .probe import Probe

        app.probe = Probe(app)
    try:
        return qapp.exec()
    finally:
        app.shutdown()


def check_window(home: Path) -> dict[str, object]:
    """``mysearch --smoke``'s last step, run as this program: the real main window on ``home``, shown
    (offscreen when there is no display) without starting an owner; what showed."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from mysearch.client import RemoteClient

    qapp = _qapp(None)
    app = App(qapp, RemoteClient(home), start_engine=False)
    try:
        app.show()
        deadline = time.monotonic() + 10
        while not app.window.search_box.isVisible() and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        return {"shown": app.window.search_box.isVisible(), "platform": qapp.platformName(),
                "title": app.window.windowTitle()}
    finally:
        app.shutdown()
        app.window.close()
        qapp.processEvents()


def _qapp(argv: list[str] | None) -> QApplication:
    from .compat import guard_none_refcount

    guard_none_refcount()
    qapp = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    qapp.setApplicationName("mysearch")
    qapp.setApplicationDisplayName("mysearch")
    qapp.setDesktopFileName("mysearch")
    return qapp  # type: ignore[return-value]


def run(argv: list[str] | None = None) -> int:
    """The app's entry point (``python -m ui``, ``mysearch-app``; ``mysearch app`` starts it):
    ``[--home] HOME`` opens the app on that library, ``--check-window HOME`` prints what the smoke test
    needs to know as one JSON line."""
    import argparse
    import json

    p = argparse.ArgumentParser(prog="mysearch-app", description="The mysearch desktop app.")
    p.add_argument("home", nargs="?", help="library folder (default: $MYSEARCH_HOME or the user data folder)")
    p.add_argument("--home", dest="home_option", help=argparse.SUPPRESS)
    p.add_argument("--check-window", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    home = args.home_option or args.home
    if args.check_window:
        print(json.dumps(check_window(Path(home)), ensure_ascii=False), flush=True)
        return 0
    return main(Path(home) if home else None)


if __name__ == "__main__":
    sys.exit(run())
