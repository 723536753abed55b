"""The main window: a search box that finds as you type, a preview, and an answer pane.

Each keystroke runs a keyword search at once (at most one in flight: the latest text wins) and a
hybrid search once typing pauses for 150 ms; each request carries a sequence number and a response
for an older request is dropped, so results never jump back to an earlier query.
Enter (or Ask) streams an answer (``RemoteEngine.ask``: retrieval by the library's owner, generation in
this process): the sources appear first, then the text token by token; ``[n]`` become links that open
the cited file at its page; Stop cancels. Searches go to the process that owns the library
(``ui.engine``); previews read the catalog read-only. Everything that touches the engine goes through
``Runner``; this module only reads results.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QFileInfo, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileIconProvider,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mysearch import paths
from mysearch.errors import MySearchError
from mysearch.library import Library

from . import render
from .links import LinkPolicy, Opener, file_url
from .safe_browser import SafeBrowser
from .status import StatusPanel
from .web_toggle import WebToggle, web_mark
from .worker import Runner

log = logging.getLogger(__name__)

DEBOUNCE_MS = 150
HIT_ROLE = Qt.ItemDataRole.UserRole + 1


def describe(exc: object) -> str:
    """An error in words for people; the traceback goes to the log."""
    if isinstance(exc, MySearchError):
        return str(exc)
    log.error("unexpected error", exc_info=exc if isinstance(exc, BaseException) else None)
    return f"{type(exc).__name__}: {exc}"


class SearchBox(QLineEdit):
    """The query line; Enter asks, Down moves into the results."""

    askRequested = Signal()
    downPressed = Signal()

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.askRequested.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.downPressed.emit()
            return
        super().keyPressEvent(event)


class MainWindow(QMainWindow):
    resultsShown = Signal(str, str)  # query, mode (keyword | hybrid)
    answerFinished = Signal(object)  # the Answer
    errorShown = Signal(str)

    def __init__(
        self,
        lib: Library,
        runner: Runner | None = None,
        engine: Any = None,
        opener: Opener | None = None,
        engine_ready: bool = True,
    ) -> None:
        """``engine``: a ``ui.engine.RemoteEngine`` (made for ``lib`` when not given and ``engine_ready``).
        ``engine_ready=False`` holds searches until ``set_engine`` (the app starts the owner first)."""
        super().__init__()
        self.lib = lib
        self.runner = runner or Runner(parent=self)
        if engine is None and engine_ready:
            from .engine import RemoteEngine

            engine = RemoteEngine(lib)
        self.engine = engine
        self.links = LinkPolicy(self._is_indexed, opener)
        self.engine_ready = engine_ready
        self.hits: list[Any] = []
        self.query = ""
        self.stale_dropped = 0
        self.latencies_ms: list[tuple[str, float]] = []  # (mode, keystroke-to-results) for benchmarks
        self._seq = 0
        self._shown: tuple[int, str] = (0, "")
        self._keyword_busy = False
        self._keyword_pending = False
        self._typed_at = 0.0
        self._ask_seq = 0
        self._cancel: threading.Event | None = None
        self._answer_text = ""
        self._sources: list[Any] = []
        self._citations: dict[int, Any] = {}
        self._answer: Any = None
        self._icons = QFileIconProvider()
        self.close_to_tray = False
        self._build()
        self.retranslate()
        self.runner.failed.connect(self.show_error)

    # --- layout ---------------------------------------------------------------------------------
    def _build(self) -> None:
        self.setObjectName("mysearch-main")
        self.resize(1100, 720)
        central = QWidget(self)
        outer = QVBoxLayout(central)
        top = QHBoxLayout()
        self.search_box = SearchBox(self)
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumHeight(34)
        self.ask_button = QPushButton(self)
        self.settings_button = QPushButton(self)
        top.addWidget(self.search_box, 1)
        top.addWidget(self.ask_button)
        self.web_toggle = WebToggle(self.lib, self)  # this question to the web or not, and to whom
        top.addWidget(self.web_toggle)
        top.addWidget(self.settings_button)
        outer.addLayout(top)

        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.setStyleSheet("QLabel { background:#fde2e1; color:#7a1f1f; padding:6px; border-radius:4px; }")
        self.banner.hide()
        outer.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.results = QListWidget(self)
        self.results.setIconSize(QSize(24, 24))
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(False)
        self.results.setAlternatingRowColors(True)
        # a tinted selection keeps each result's grey folder/date line readable (a full highlight colour
        # under it made it grey on blue), in the light and the dark theme alike
        self.results.setStyleSheet(
            "QListWidget::item:selected { background: rgba(44, 110, 210, 0.22); border-left: 3px solid #2c6ed2; }"
        )
        self.results.currentRowChanged.connect(self._on_select)
        self.results.itemActivated.connect(self._open_item)
        self.results.viewport().installEventFilter(self)
        split.addWidget(self.results)

        right = QSplitter(Qt.Orientation.Vertical, self)
        self.preview = SafeBrowser(self)
        self.preview.linkActivated.connect(self.open_link)
        right.addWidget(self.preview)
        answer_box = QWidget(self)
        ab = QVBoxLayout(answer_box)
        ab.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        self.answer_title = QLabel(self)
        self.answer_state = QLabel(self)
        self.stop_button = QPushButton(self)
        self.stop_button.setEnabled(False)
        head.addWidget(self.answer_title)
        head.addWidget(self.answer_state, 1)
        head.addWidget(self.stop_button)
        ab.addLayout(head)
        self.answer_view = SafeBrowser(self)
        self.answer_view.linkActivated.connect(self.open_link)
        ab.addWidget(self.answer_view, 1)
        right.addWidget(answer_box)
        right.setSizes([380, 300])
        split.addWidget(right)
        split.setSizes([480, 620])
        outer.addWidget(split, 1)
        self.setCentralWidget(central)

        self.status_panel = StatusPanel(self.lib, self.runner, self.engine, self)
        self.statusBar().addPermanentWidget(self.status_panel, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self._search_hybrid)
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.setInterval(50)
        self._render_timer.timeout.connect(self._render_answer)
        self.search_box.textChanged.connect(self._on_text)
        self.search_box.askRequested.connect(self.ask)
        self.search_box.downPressed.connect(self._focus_results)
        self.ask_button.clicked.connect(self.ask)
        self.stop_button.clicked.connect(self.stop_answer)
        for keys in (QKeySequence("Ctrl+K"), QKeySequence("Ctrl+L"), QKeySequence(Qt.Key.Key_Slash)):
            sc = QShortcut(keys, self)
            sc.setContext(Qt.ShortcutContext.ApplicationShortcut if keys != QKeySequence(Qt.Key.Key_Slash)
                          else Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(self.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop_answer)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("mysearch"))
        self.search_box.setPlaceholderText(self.tr("Search your files, or ask a question and press Enter  (Ctrl+K)"))
        self.ask_button.setText(self.tr("Ask"))
        self.ask_button.setToolTip(self.tr("Write an answer from your files (Enter)"))
        self.settings_button.setText(self.tr("Settings"))
        self.answer_title.setText("<b>" + self.tr("Answer") + "</b>")
        self.stop_button.setText(self.tr("Stop"))
        if not self.hits and not self.query:
            self.preview.setHtml(
                "<p style='color:#808080'>"
                + render.escape(self.tr("Type to search. Everything stays on this computer."))
                + "</p>"
            )
        self.status_panel.retranslate()

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize and obj is self.results.viewport():
            self._fit_rows()
        return False

    def _fit_rows(self) -> None:
        """Result rows wrap to the list's width."""
        width = max(200, self.results.viewport().width() - 40)
        for i in range(self.results.count()):
            item = self.results.item(i)
            label = self.results.itemWidget(item)
            if label is not None and label.width() != width:
                label.setFixedWidth(width)
                item.setSizeHint(QSize(width, label.heightForWidth(width) + 8))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        if self.close_to_tray:
            event.ignore()
            self.hide()
            return
        self.stop_answer()
        super().closeEvent(event)

    # --- engine availability ----------------------------------------------------------------------
    def set_engine(self, engine: Any, offline: str | None = None) -> None:
        """The library's owner answers (``engine``): run what was typed meanwhile. ``None``: it does
        not (starting, restarting); ``offline`` says so in the status bar, typing waits for it."""
        self.engine = engine
        self.engine_ready = engine is not None
        self.status_panel.set_engine(engine, offline)
        if engine is not None:
            self.search_box.setEnabled(True)
            self.ask_button.setEnabled(True)
            if self.search_box.text().strip():
                self.run_search()

    def set_unavailable(self, message: str) -> None:
        self.engine = None
        self.engine_ready = False
        self.status_panel.set_engine(None, message)
        self.search_box.setEnabled(False)
        self.ask_button.setEnabled(False)
        self.show_error(message)

    def focus_search(self) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def _focus_results(self) -> None:
        if self.results.count():
            self.results.setFocus()
            self.results.setCurrentRow(max(0, self.results.currentRow()))

    # --- errors -------------------------------------------------------------------------------
    def show_error(self, exc: object) -> None:
        text = exc if isinstance(exc, str) else describe(exc)
        self.banner.setText(text)
        self.banner.show()
        self.errorShown.emit(text)

    def clear_error(self) -> None:
        self.banner.hide()
        self.banner.clear()

    # --- searching ------------------------------------------------------------------------------
    def _on_text(self, _text: str) -> None:
        self.run_search()

    def run_search(self) -> None:
        """Search the box's text: keyword results at once (one keyword search in flight at a time; the
        latest text wins), the hybrid search once typing pauses for DEBOUNCE_MS."""
        self._typed_at = time.perf_counter()
        self._seq += 1
        self.query = self.search_box.text().strip()
        if not self.query:
            self._debounce.stop()
            self._show_hits([], "", "keyword")
            return
        if not self.engine_ready:
            return  # set_engine runs it
        if self._keyword_busy:
            self._keyword_pending = True
        else:
            self._search(self._seq, self.query, "keyword")
        self._debounce.start()

    def _search_hybrid(self) -> None:
        if self.query and self.engine_ready:
            self._search(self._seq, self.query, "hybrid")

    def _search(self, seq: int, text: str, mode: str) -> None:
        engine = self.engine
        if mode == "keyword":
            self._keyword_busy = True
        self.runner.submit(
            lambda: engine.search(text, mode=mode),
            done=lambda hits: self._on_hits(seq, text, mode, hits),
            failed=lambda exc: self._on_search_failed(seq, mode, exc),
        )

    def _keyword_done(self) -> None:
        self._keyword_busy = False
        if self._keyword_pending:
            self._keyword_pending = False
            if self.query and self.engine_ready:
                self._search(self._seq, self.query, "keyword")

    def _on_hits(self, seq: int, text: str, mode: str, hits: list[Any]) -> None:
        if mode == "keyword":
            self._keyword_done()
        if seq != self._seq or (mode == "keyword" and self._shown == (seq, "hybrid")):
            self.stale_dropped += 1
            return
        self._shown = (seq, mode)
        self.latencies_ms.append((mode, (time.perf_counter() - self._typed_at) * 1000))
        self.clear_error()
        self._show_hits(hits, text, mode)

    def _on_search_failed(self, seq: int, mode: str, exc: object) -> None:
        if mode == "keyword":
            self._keyword_done()
        if isinstance(exc, OSError) and not isinstance(exc, TimeoutError):
            self.status_panel.ownerLost.emit(exc)  # the owner is gone: the app restarts it, the status bar says so
        elif seq == self._seq and self.engine_ready:
            self.show_error(self.tr("Search failed: {reason}").format(reason=describe(exc)))

    def _show_hits(self, hits: list[Any], text: str, mode: str) -> None:
        keep = self.hits[self.results.currentRow()].path if 0 <= self.results.currentRow() < len(self.hits) else None
        self.hits = list(hits)
        self.results.blockSignals(True)
        self.results.clear()
        page_word = self.tr("page")
        for hit in self.hits:
            title = hit.title or os.path.basename(hit.path)
            where = render.location(hit.page, hit.label, page_word)
            item = QListWidgetItem(self._icons.icon(QFileInfo(hit.path)), "")
            item.setData(HIT_ROLE, hit.path)
            item.setToolTip(hit.path)
            label = QLabel(render.hit_html(title, hit.path, render.date_text(hit.modified), where,
                                           hit.snippet, hit.highlights))
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
            label.setContentsMargins(4, 4, 4, 4)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.results.addItem(item)
            self.results.setItemWidget(item, label)
        self._fit_rows()
        self.results.blockSignals(False)
        row = next((i for i, h in enumerate(self.hits) if h.path == keep), 0) if self.hits else -1
        self.results.setCurrentRow(row)
        if row >= 0:
            self._on_select(row)
        elif text:
            self.preview.setHtml("<p>" + render.escape(self.tr("No results for “{query}”.").format(query=text))
                                 + "</p>")
        else:
            self.preview.clear()
        self.resultsShown.emit(text, mode)

    def _on_select(self, row: int) -> None:
        if not (0 <= row < len(self.hits)):
            return
        hit, query, engine = self.hits[row], self.query, self.engine
        if engine is None:
            return
        self.runner.submit(
            lambda: engine.preview(hit, query),
            done=lambda parts: self._show_preview(hit, parts),
            failed=lambda exc: None if isinstance(exc, OSError) else self.show_error(exc),
        )

    def _show_preview(self, hit: Any, parts: tuple[list[str], str, list[tuple[int, int]], list[str]]) -> None:
        current = self.results.currentRow()
        if not (0 <= current < len(self.hits)) or self.hits[current] is not hit:
            return  # the selection moved on
        title = hit.title or os.path.basename(hit.path)
        where = render.location(hit.page, hit.label, self.tr("page"))
        link = file_url(hit.path, hit.page).toString()
        head = (f'<h3>{render.escape(title)}</h3><p><a href="{render.escape(link)}">{render.escape(hit.path)}</a>'
                f'{" · " + render.escape(where) if where else ""}</p>')
        self.preview.setHtml(head + render.preview_html(*parts))

    def _open_item(self, item: QListWidgetItem) -> None:
        row = self.results.row(item)
        if 0 <= row < len(self.hits):
            self.open_link(file_url(self.hits[row].path, self.hits[row].page))

    # --- answering ------------------------------------------------------------------------------
    def ask(self) -> None:
        question = self.search_box.text().strip()
        if not question or not self.engine_ready:
            return
        self.stop_answer()
        self._ask_seq += 1
        seq = self._ask_seq
        cancel = self._cancel = threading.Event()
        self._answer_text, self._sources, self._citations, self._answer = "", [], {}, None
        self.answer_state.setText(self.tr("Finding sources…"))
        self.answer_view.clear()
        self.stop_button.setEnabled(True)
        engine, web_search = self.engine, self.web_toggle.choice()

        def work(report: Callable[[object], None]) -> None:
            for event in engine.ask(question, cancel=cancel, web_search=web_search):
                report(event)

        self.runner.submit(
            work,
            done=lambda _r: self._on_answer_end(seq),
            failed=lambda exc: self._on_answer_failed(seq, exc),
            progress=lambda event: self._on_answer_event(seq, event),
        )

    def stop_answer(self) -> None:
        if self._cancel is not None and not self._cancel.is_set():
            self._cancel.set()
            self.answer_state.setText(self.tr("Stopping…"))

    def _on_answer_event(self, seq: int, event: Any) -> None:
        if seq != self._ask_seq:
            return
        kind = type(event).__name__
        if kind == "Sources":
            self._sources = list(event.hits)
            self.answer_state.setText(self.tr("Writing the answer…"))
        elif kind == "Token":
            self._answer_text += event.text
        elif kind == "Done":
            self._answer = event.answer
            self._answer_text = event.answer.text
            self._citations = {c.n: c for c in event.answer.citations}
        if not self._render_timer.isActive():
            self._render_timer.start()
        if kind == "Done":
            self._render_answer()

    def _on_answer_end(self, seq: int) -> None:
        if seq != self._ask_seq:
            return
        self.stop_button.setEnabled(False)
        self._cancel = None
        answer = self._answer
        if answer is None:
            self.answer_state.setText("")
        elif answer.stopped:
            self.answer_state.setText(self.tr("Stopped."))
        elif answer.abstained:
            self.answer_state.setText(self.tr("Not found in your files."))
        else:
            seconds = float(answer.timings.get("total_ms", 0) or 0) / 1000 if isinstance(answer.timings, dict) else 0
            self.answer_state.setText(self.tr("Done in {s:.1f} s.").format(s=seconds) if seconds else self.tr("Done."))
        self._render_answer()
        for warning in getattr(answer, "warnings", None) or []:  # e.g. web search on but unreachable
            self.show_error(warning)
        self.answerFinished.emit(answer)

    def _on_answer_failed(self, seq: int, exc: object) -> None:
        if seq != self._ask_seq:
            return
        self.stop_button.setEnabled(False)
        self._cancel = None
        self.answer_state.setText(self.tr("No answer."))
        self.show_error(self.tr("Could not answer: {reason}").format(reason=describe(exc)))
        self.answerFinished.emit(None)

    def _render_answer(self) -> None:
        valid = set(self._citations) if self._answer is not None else set(range(1, len(self._sources) + 1))
        body = render.answer_html(self._answer_text, valid)
        rows = []
        page_word = self.tr("page")
        if self._answer is not None:
            items = [(c.n, c.path, c.page, c.label, c.url) for c in self._answer.citations]
        else:
            items = [(i, h.path, h.page, h.label, h.url) for i, h in enumerate(self._sources, 1)]
        for n, path, page, label, url in items:
            where = render.location(page, label, page_word)
            rows.append(
                f'<a href="cite:{n}">[{n}]</a> {web_mark(path)}{render.escape(os.path.basename(path) or path)}'
                f'<span style="color:#808080"> — {render.escape(path)}{" · " + render.escape(where) if where else ""}'
                "</span>"
            )
            if url and url != path and url.startswith(("http://", "https://")):  # a saved page's original
                rows[-1] += f' <a href="{render.escape(url)}">{render.escape(url)}</a>'
        title = self.tr("Sources") if self._answer is None else self.tr("Cited")
        sources = f"<p><b>{render.escape(title)}</b><br>{'<br>'.join(rows)}</p>" if rows else ""
        self.answer_view.setHtml(f"<p>{body}</p>{sources}")

    # --- links ----------------------------------------------------------------------------------
    def open_link(self, url: QUrl) -> bool:
        """Clicked links only: ``cite:n`` resolves to the cited file (at its page)."""
        if url.scheme() == "cite":
            target = self.citation_url(int(url.path() or 0))
            if target is None:
                return False
            url = target
        opened = self.links.open(url)
        if not opened:
            self.show_error(self.tr("Not opened: {url} is not an indexed file or a web page.").format(
                url=url.toString()))
        return opened

    def citation_url(self, n: int) -> QUrl | None:
        if n in self._citations:
            c = self._citations[n]
            path, page = c.path, c.page  # a saved page opens its local copy; its URL is a link of its own
        elif self._answer is None and 1 <= n <= len(self._sources):
            path, page = self._sources[n - 1].path, self._sources[n - 1].page
        else:
            return None
        if path.startswith(("http://", "https://")):
            return QUrl(path)
        return file_url(path, page)

    def _is_indexed(self, path: str) -> bool:
        try:
            return self.lib.reader().file(paths.to_db(path)) is not None
        except Exception:  # noqa: BLE001 - a lookup failure means: do not open
            log.exception("cannot check %s", path)
            return False
