"""Start the desktop app: the window first, the engine after.

``main(home)`` shows the window as soon as Qt is up (only settings and the catalog are opened on the
way: a few milliseconds); the embedding model, Chroma and torch load afterwards on a worker thread.
While the app runs it owns the library: it takes the owner lock, runs ``IndexService`` (background
indexing and watching) and ``ControlServer``, so ``mysearch search`` or ``status`` in a terminal goes
through the app and never reads a store another process is writing. If another process owns the
library already, the window says so by name and searches nothing.

With a tray icon (where the platform has one) closing the window keeps indexing; Quit in the tray
menu stops. Without a tray, closing the window quits, after indexing stops at a safe point.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon

log = logging.getLogger(__name__)


class App(QObject):
    """The running app: one library, its indexing service, the window and the tray."""

    def __init__(self, qapp: QApplication, lib: Any, start_engine: bool = True) -> None:
        super().__init__()
        from . import theme
        from .icon import app_icon
        from .window import MainWindow
        from .worker import Runner

        self.qapp, self.lib = qapp, lib
        self.service: Any = None
        self.server: Any = None
        self.tray: QSystemTrayIcon | None = None
        self.shown_at: float | None = None
        self.runner = Runner(parent=self)
        theme.apply(lib.config.get("ui.theme"))
        self.window = MainWindow(lib, self.runner, engine_ready=False)
        self.window.setWindowIcon(app_icon())
        qapp.setWindowIcon(app_icon())
        self.window.settings_button.clicked.connect(self.open_settings)
        self._quitting = False
        qapp.aboutToQuit.connect(self.shutdown)
        if start_engine:
            QTimer.singleShot(0, self.start_engine)

    def show(self) -> None:
        self.window.show()
        self.window.focus_search()

    # --- the engine -----------------------------------------------------------------------------
    def start_engine(self) -> None:
        holder = self.lib.lock.holder()
        if holder is not None and holder != os.getpid():
            self.window.set_unavailable(self.tr(
                "This library is in use by another mysearch process (process {pid}: `mysearch watch`, "
                "`mysearch index` or another window). Stop it, then start the app again."
            ).format(pid=holder))
            return
        self.runner.submit(self._open_engine, done=self._engine_started, failed=self._engine_failed)

    def _open_engine(self) -> tuple[Any, Any]:
        """Worker thread: take ownership, start indexing and the control socket."""
        from mysearch.service import ControlServer, IndexService

        cfg = self.lib.config
        self.lib.lock.acquire("run the app")
        service = IndexService(
            self.lib,
            debounce_s=cfg.get("watch.debounce_s"),
            rescan_s=cfg.get("watch.rescan_s"),
            max_watches=cfg.get("watch.max_watches"),
        )
        service.start()
        server = ControlServer(self.lib, service)
        server.start()
        return service, server

    def _engine_started(self, parts: tuple[Any, Any]) -> None:
        self.service, self.server = parts
        self.window.set_engine(self.service)
        self.setup_tray()
        lib = self.lib
        self.runner.submit(lambda: lib.search("warm up", k=1, mode="hybrid"), failed=lambda _e: None)
        if not lib.folders():
            self.first_run()

    def _engine_failed(self, exc: object) -> None:
        from .window import describe

        self.window.set_unavailable(self.tr("The library could not be opened: {reason}").format(
            reason=describe(exc)))

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
        self.lib.add(folders)
        if self.service is not None:
            self.service.settings_changed()

    def open_settings(self) -> None:
        from .settings import SettingsDialog

        dialog = SettingsDialog(self.lib.config, self.window)
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

        config, service = self.lib.config, self.service

        def work() -> dict[str, Any]:
            saved = apply_settings(config, changes)
            if service is not None:
                service.settings_changed()
            return saved

        self.runner.submit(work, done=self._settings_saved, failed=self.window.show_error)

    def _settings_saved(self, saved: dict[str, Any]) -> None:
        from . import i18n, theme

        if "ui.theme" in saved:
            theme.apply(saved["ui.theme"])
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
        """Stop answering, indexing and serving; what was indexed is kept (the catalog commits per file)."""
        if self._quitting:
            return
        self._quitting = True
        self.window.stop_answer()
        if self.server is not None:
            self.server.stop()
        if self.service is not None:
            self.service.stop()
        self.runner.wait(10000)
        if self.tray is not None:
            self.tray.hide()


def _setup_logging(home: Path) -> None:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    try:
        (home / "logs").mkdir(parents=True, exist_ok=True)
        fh = logging.handlers.RotatingFileHandler(home / "logs" / "app.log", maxBytes=2**21, backupCount=2)
        fh.setFormatter(logging.Formatter("%(asctime)s %(process)d %(threadName)s %(name)s %(levelname)s %(message)s"))
        root.addHandler(fh)
    except OSError:
        pass


def main(home: Path | None = None, argv: list[str] | None = None) -> int:
    """Open the app on this library folder (default: $MYSEARCH_HOME or the user data folder)."""
    started = time.perf_counter()
    from .compat import guard_none_refcount

    guard_none_refcount()
    qapp = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    qapp.setApplicationName("mysearch")
    qapp.setApplicationDisplayName("mysearch")
    qapp.setDesktopFileName("mysearch")

    from mysearch.config import default_home
    from mysearch.library import Library

    from . import i18n

    home = Path(home).expanduser() if home else default_home()
    _setup_logging(home)
    lib = Library.open(home)
    i18n.install(lib.config.get("ui.language"))
    app = App(qapp, lib)
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
        lib.close()


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else None))
