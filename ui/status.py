"""Indexing status, always visible in the status bar: phase, files and chunks, ETA, current file.

A timer on the GUI thread reads ``IndexService.state`` (plain attributes the indexing thread updates:
reading them never blocks). Counts and the list of skipped or failed files come from
``Library.status()``, which queries SQLite, so that runs through the ``Runner`` every few seconds.
"""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import Qt, QTimer
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
    def __init__(self, lib: Any, runner: Runner, service: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lib, self.runner, self.service = lib, runner, service
        self.status: dict[str, Any] | None = None
        self._polls = 0
        self._asking = False
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
        self.pause_button.setEnabled(service is not None)
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
        self.poll(counts=False)
        self._show_counts()

    def set_service(self, service: Any) -> None:
        self.service = service
        self.pause_button.setEnabled(service is not None)
        self.poll()

    # --- reading state --------------------------------------------------------------------------
    def poll(self, counts: bool = True) -> None:
        svc = self.service
        paused = bool(svc and svc.state.paused)
        self.pause_button.setText(self.tr("Resume") if paused else self.tr("Pause"))
        if svc is None:
            self.phase_label.setText(self.tr("Starting…"))
        else:
            self.phase_label.setText(self.phase_text(svc.state))
            self._show_progress(svc.state)
        if counts:
            self._polls += 1
            if (self._polls % COUNTS_EVERY == 1 or self.status is None) and not self._asking:
                self.refresh_counts()

    def phase_text(self, state: Any) -> str:
        p = dict(state.progress or {})
        phase = state.phase
        if state.paused:
            return self.tr("Indexing paused")
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
        eta = eta_text(p.get("eta_s"), self.tr)
        if eta:
            parts.append(eta)
        current = p.get("current")
        if current and phase != "embedding":
            parts.append(os.path.basename(str(current)))
        return " · ".join(parts) or phase

    def _show_progress(self, state: Any) -> None:
        p = state.progress or {}
        total = int(p.get("files_total") or 0)
        if state.phase in ("scanning", "indexing") and total and p.get("phase") == "read":
            self.progress.setRange(0, total)
            self.progress.setValue(int(p.get("files_done") or 0))
            self.progress.show()
        elif state.phase == "embedding":
            self.progress.setRange(0, 0)  # busy
            self.progress.show()
        else:
            self.progress.hide()

    def refresh_counts(self) -> None:
        self._asking = True
        self.runner.submit(lambda: self.lib.status().as_json(), done=self._on_counts, failed=self._on_counts_failed)

    def _on_counts(self, status: dict[str, Any]) -> None:
        self._asking = False
        self.status = status
        self._show_counts()

    def _on_counts_failed(self, _exc: object) -> None:
        self._asking = False

    def _show_counts(self) -> None:
        st = self.status
        if not st:
            self.counts_label.setText("")
            return
        files = st["files"]
        self.counts_label.setText(self.tr("{files} files · {chunks} chunks").format(
            files=f"{files.get('indexed', 0):,}", chunks=f"{st['chunks']:,}"))
        n = len(st["problems"])
        self.problems_button.setVisible(n > 0)
        self.problems_button.setText(self.tr("{n} skipped or failed").format(n=n))

    # --- actions --------------------------------------------------------------------------------
    def toggle_pause(self) -> None:
        svc = self.service
        if svc is None:
            return
        if svc.state.paused:
            svc.resume()
        else:
            svc.pause()
        self.poll(counts=False)

    def show_problems(self) -> None:
        ProblemsDialog((self.status or {}).get("problems", []), self).exec()


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
            self.table.setItem(row, 2, QTableWidgetItem(p.get("reason", "")))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(0)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
