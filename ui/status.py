"""Indexing status, always visible in the status bar: phase, files and chunks, ETA, current file.

The library's owner runs in another process (``ui.engine``): every 500 ms the panel asks it what it
is doing (the ``state`` op: no database, a few hundred bytes) and every few seconds for counts and
skipped files (``status``, with the list of problems capped). Those calls run on the panel's own
one-thread ``Runner``, in order, one at a time, so a slow owner never piles requests up and pause and
resume arrive in the order they were clicked. Until the owner answers, or while it restarts, the
label says so (``set_offline``).
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from mysearch.client import Client

from .engine import MAX_PROBLEMS
from .reasons import reason_text
from .worker import Runner

POLL_MS = 500
COUNTS_EVERY = 8  # polls between status() queries (4 s)


def eta_text(seconds: float | None, tr: Any) -> str:
    if not seconds or seconds <= 0:
        return ""
    if seconds < 90:
        return tr("about {n} s left").format(n=int(round(seconds)))
    if seconds < 5400:
        return tr("about {n} min left").format(n=int(round(seconds / 60)))
    return tr("about {n} h left").format(n=round(seconds / 3600, 1))


class StatusPanel(QWidget):
    ownerLost = Signal(object)  # a poll could not reach the owner: the exception
    changed = Signal()  # new state or counts from the owner

    def __init__(self, runner: Runner, engine: Client | None, parent: QWidget | None = None) -> None:
        """``engine``: the library's client while its owner answers, else None."""
        super().__init__(parent)
        self.runner, self.engine = runner, engine
        self.ctl = Runner(max_threads=1, parent=self)  # polls and controls, in order
        self.state: dict[str, Any] = {}
        self.status: dict[str, Any] | None = None
        self.offline: str | None = None
        self._polls = 0
        self._asking = False
        self._polling = False
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.phase_label = QLabel(self)
        self.phase_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(160)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.counts_label = QLabel(self)
        self.pause_button = QPushButton(self)
        self.pause_button.setEnabled(engine is not None)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.problems_button = QPushButton(self)
        self.problems_button.clicked.connect(self.show_problems)
        self.problems_button.hide()
        lay.addWidget(self.phase_label, 1)
        lay.addWidget(self.progress)
        lay.addWidget(self.counts_label)
        lay.addWidget(self.problems_button)
        lay.addWidget(self.pause_button)
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.poll)
        self.timer.start()

    def retranslate(self) -> None:
        self._show_state()
        self._show_counts()

    def set_engine(self, engine: Client | None, offline: str | None = None) -> None:
        """``engine`` None: no owner answers now; ``offline`` says why (or "Starting…")."""
        self.engine = engine
        self.offline = offline
        self.pause_button.setEnabled(engine is not None)
        if engine is None:
            self.state = {}
        self._show_state()
        if engine is not None:
            self.poll()

    def set_offline(self, message: str | None) -> None:
        self.offline = message
        self._show_state()

    # --- reading state --------------------------------------------------------------------------
    def poll(self, counts: bool = True) -> None:
        engine = self.engine
        if engine is None or self._polling:
            self._show_state()
            return
        self._polling = True
        self.ctl.submit(engine.state, done=self._on_state, failed=self._on_poll_failed)
        if counts:
            self._polls += 1
            if (self._polls % COUNTS_EVERY == 1 or self.status is None) and not self._asking:
                self.refresh_counts()

    def _on_state(self, state: dict[str, Any]) -> None:
        self._polling = False
        if self.engine is not None:
            settled = state.get("phase") == "idle" and self.state.get("phase") != "idle"
            self.state = state
            self._show_state()
            if settled and not self._asking:  # the counts (vectors still to build) are news now
                self.refresh_counts()
            self.changed.emit()

    def _on_poll_failed(self, exc: object) -> None:
        self._polling = False
        self._lost_if_gone(exc)

    def _lost_if_gone(self, exc: object) -> None:
        if isinstance(exc, OSError):  # the owner process is not answering any more
            self.ownerLost.emit(exc)

    def _show_state(self) -> None:
        paused = bool(self.state.get("paused"))
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if self.engine is None or not self.state:
            self.phase_label.setText(self.offline or self.tr("Starting…"))
            self.progress.hide()
        else:
            self.phase_label.setText(self.phase_text(self.state))
            self._show_progress(self.state)

    def phase_text(self, state: dict[str, Any]) -> str:
        p = dict(state.get("progress") or {})
        phase = state.get("phase")
        if state.get("paused"):
            return self.tr("Indexing paused") if phase == "paused" else self.tr("Pausing…")
        if phase in ("idle",):
            return self.tr("Up to date")
        if phase == "starting":
            return self.tr("Starting…")
        if phase == "scanning" and p.get("phase") in (None, "scan", "done"):
            return self.tr("Checking folders for changes…")
        parts = []
        if p.get("phase") == "read" or phase in ("scanning", "indexing"):
            parts.append(self.tr("Reading files: {done}/{total}").format(
                done=p.get("files_done", 0), total=p.get("files_total", 0)))
        elif phase == "embedding" or p.get("phase") == "embed":
            pending = (self.status or {}).get("vectors_pending")
            if pending:
                parts.append(self.tr("Building meaning search: {n} chunks to go").format(n=pending))
            else:
                parts.append(self.tr("Building meaning search…"))
        elif phase == "ocr":
            pending = ((self.status or {}).get("ocr") or {}).get("pages_pending")
            if pending:
                parts.append(self.tr("Reading scans: {n} pages to go").format(n=pending))
            else:
                parts.append(self.tr("Reading scans…"))
        eta = eta_text(p.get("eta_s"), self.tr)
        if eta:
            parts.append(eta)
        current = p.get("current")
        if current and phase != "embedding":
            parts.append(os.path.basename(str(current)))
        return " · ".join(parts) or str(phase)

    def _show_progress(self, state: dict[str, Any]) -> None:
        p = state.get("progress") or {}
        phase = state.get("phase")
        total = int(p.get("files_total") or 0)
        if phase in ("scanning", "indexing") and total and p.get("phase") == "read":
            self.progress.setRange(0, total)
            self.progress.setValue(int(p.get("files_done") or 0))
            self.progress.show()
        elif phase in ("embedding", "ocr"):
            self.progress.setRange(0, 0)  # busy
            self.progress.show()
        else:
            self.progress.hide()

    def refresh_counts(self) -> None:
        engine = self.engine
        if engine is None:
            return
        self._asking = True
        self.ctl.submit(lambda: engine.status(MAX_PROBLEMS), done=self._on_counts, failed=self._on_counts_failed)

    def _on_counts(self, status: dict[str, Any]) -> None:
        self._asking = False
        self.status = status
        self._show_counts()
        self.changed.emit()

    def _on_counts_failed(self, exc: object) -> None:
        self._asking = False
        self._lost_if_gone(exc)

    def _show_counts(self) -> None:
        st = self.status
        if not st:
            self.counts_label.setText("")
            return
        files = st["files"]
        self.counts_label.setText(self.tr("{files} files · {chunks} chunks").format(
            files=f"{files.get('indexed', 0):,}", chunks=f"{st['chunks']:,}"))
        n = int(st.get("problems_total", len(st["problems"])))
        self.problems_button.setVisible(n > 0)
        self.problems_button.setText(self.tr("{n} skipped or failed").format(n=n))

    # --- actions --------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        """Shown at once; the owner is told in order (a quick double click pauses, then resumes)."""
        engine = self.engine
        if engine is None:
            return
        pause = not self.state.get("paused")
        self.state = {**self.state, "paused": pause}
        self._show_state()
        self.ctl.submit(engine.pause if pause else engine.resume, failed=self._lost_if_gone)

    def show_problems(self) -> None:
        st = self.status or {}
        problems = list(st.get("problems", []))
        engine = self.engine
        if engine is not None and int(st.get("problems_total", len(problems))) > len(problems):
            self.ctl.submit(engine.problems, done=lambda rows: ProblemsDialog(rows, self).exec(),
                            failed=lambda _e: ProblemsDialog(problems, self).exec())
            return
        ProblemsDialog(problems, self).exec()


class ProblemsDialog(QDialog):
    """Every file that was skipped or failed, with its reason."""

    def __init__(self, problems: list[dict[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Skipped and failed files"))
        self.resize(820, 420)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("These files are not searchable. The reason says why."), self))
        self.table = QTableWidget(len(problems), 3, self)
        self.table.setHorizontalHeaderLabels([self.tr("File"), self.tr("State"), self.tr("Reason")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for row, p in enumerate(problems):
            self.table.setItem(row, 0, QTableWidgetItem(p.get("path", "")))
            self.table.setItem(row, 1, QTableWidgetItem(self.tr(p.get("state", ""))))
            self.table.setItem(row, 2, QTableWidgetItem(reason_text(p.get("reason", ""))))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(0)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
