"""The main window: a search box that finds as you type, a preview, and an answer pane.

Each keystroke runs a keyword search at once (at most one in flight: the latest text wins) and a
hybrid search once typing pauses for 150 ms; each request carries a sequence number and a response
for an older request is dropped, so results never jump back to an earlier query.
Enter (or Ask) streams an answer (``Client.ask``: retrieval by the library's owner, generation in
this process): the sources appear first, then the text token by token; ``[n]`` become links that open
the cited file at its page; Stop cancels.

Keyboard habits follow Spotlight and Alfred: Down from the box selects the first result, Up on the first
result goes back to the box, typing in the list goes to the box, Esc stops an answer, then clears the
query, then (with a tray icon to come back from) hides the window; with no tray an empty Esc does
nothing, since a hidden window could not be found again. Ctrl+Q quits. Every action has a key
(``SHORTCUTS``), and each result has a context menu (right click, Menu key or Shift+F10).

Searches, previews and answers' passages come from the process that owns the library, through a
``mysearch.client.Client`` (``ui.engine``). Everything that touches it goes through ``Runner``; this
module only shows results. A link opens only a file the window was given as a result, a source or a
citation (``LinkPolicy``), which the owner found in the index.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QFileInfo, QPoint, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileIconProvider,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from mysearch.client import Client
from mysearch.errors import MySearchError
from mysearch.search import Filters

from . import render
from .links import FAILED, OPENED, LinkPolicy, Opener, file_url
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

    def keyPressEvent(self, event: Any) -> None:  # Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.askRequested.emit()
            return
        if event.key() == Qt.Key.Key_Down:
            self.downPressed.emit()
            return
        super().keyPressEvent(event)


class ResultList(QListWidget):
    """The results; Up on the first row goes back to the box, typing goes to the box, the Menu key
    and Shift+F10 open the result's menu."""

    upFromTop = Signal()
    typed = Signal(object)  # the key event, for the search box
    menuRequested = Signal()

    def keyPressEvent(self, event: Any) -> None:  # Qt override
        key, mods = event.key(), event.modifiers()
        if key == Qt.Key.Key_Up and self.currentRow() <= 0:
            self.upFromTop.emit()
            return
        if key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and mods == Qt.KeyboardModifier.ShiftModifier):
            self.menuRequested.emit()
            return
        held = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
        text = event.text()
        if key == Qt.Key.Key_Backspace or (text and text.isprintable() and not (mods & held)):
            self.typed.emit(event)
            return
        super().keyPressEvent(event)


# what each key does; listed in the README and reachable without a mouse
SHORTCUTS = {
    "focus": ("Ctrl+K", "Ctrl+L", "/"),
    "ask": ("Return", "Ctrl+Return"),
    "settings": ("Ctrl+,",),
    "preview": ("Ctrl+P",),
    "answer": ("Ctrl+J",),
    "quit": ("Ctrl+Q",),
    "open": ("Ctrl+O",),
    "open-folder": ("Ctrl+Shift+O",),
    "copy-path": ("Ctrl+Shift+C",),
    "copy-text": ("Ctrl+C",),
    "remove": ("Delete",),
    "ask-file": ("Ctrl+Shift+A",),
}


class MainWindow(QMainWindow):
    resultsShown = Signal(str, str)  # query, mode (keyword | hybrid)
    answerFinished = Signal(object)  # the Answer
    errorShown = Signal(str)
    quitRequested = Signal()
    removed = Signal(str)  # a file was taken out of the index

    def __init__(
        self,
        client: Client,
        runner: Runner | None = None,
        opener: Opener | None = None,
        engine_ready: bool = True,
    ) -> None:
        """``client``: the library (its settings always; searches once ``engine_ready``).
        ``engine_ready=False`` holds searches until ``set_engine`` (the app starts the owner first)."""
        super().__init__()
        self.client = client
        self.runner = runner or Runner(parent=self)
        self.engine: Client | None = client if engine_ready else None
        self._given: set[str] = set()  # files the owner gave as results, sources or citations: links may open them
        self.links = LinkPolicy(self._was_given, opener)
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
        self._passages: dict[int, str] = {}  # chunk id -> the passage the preview showed
        self._removed: set[str] = set()  # taken out of the index; hidden until the owner has rescanned
        self._hybrid_seen = False  # meaning search has answered once since the window opened
        self.ask_scope: str | None = None  # "Ask about this file"
        self.context_menu: QMenu | None = None
        self.message_box: QMessageBox | None = None
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
        self.web_toggle = WebToggle(self.client, self)  # this question to the web or not, and to whom
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
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        self.notice = QLabel(self)  # keyword-only while meaning search is not ready
        self.notice.setWordWrap(True)
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setStyleSheet("QLabel { color:#6b5a00; background:rgba(255,226,122,0.35); padding:4px; }")
        self.notice.hide()
        lv.addWidget(self.notice)
        self.results = ResultList(self)
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
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._menu_at)
        self.results.menuRequested.connect(lambda: self.show_result_menu())
        self.results.upFromTop.connect(self._back_to_box)
        self.results.typed.connect(self._type_into_box)
        lv.addWidget(self.results, 1)
        split.addWidget(left)

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
        self.scope_label = QLabel(self)  # "About: file" while asking about one file
        self.scope_label.setTextFormat(Qt.TextFormat.PlainText)
        self.scope_clear = QPushButton("×", self)
        self.scope_clear.setFlat(True)
        self.scope_clear.setFixedWidth(24)
        self.scope_clear.clicked.connect(self.clear_scope)
        self.scope_label.hide()
        self.scope_clear.hide()
        head.addWidget(self.answer_title)
        head.addWidget(self.scope_label)
        head.addWidget(self.scope_clear)
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

        self.status_panel = StatusPanel(self.runner, self.engine, self)
        self.statusBar().addPermanentWidget(self.status_panel, 1)
        self.status_panel.changed.connect(self._show_notice)

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
        for keys in SHORTCUTS["focus"]:
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.ApplicationShortcut if keys != "/" else Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(self.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.escape)
        window_keys: dict[str, Callable[[], None]] = {
            "settings": self.settings_button.click,
            "preview": lambda: self.preview.setFocus(Qt.FocusReason.ShortcutFocusReason),
            "answer": lambda: self.answer_view.setFocus(Qt.FocusReason.ShortcutFocusReason),
            "quit": self.quitRequested.emit,
        }
        for name, slot in window_keys.items():
            for keys in SHORTCUTS[name]:
                QShortcut(QKeySequence(keys), self, activated=slot)
        QShortcut(QKeySequence(SHORTCUTS["ask"][1]), self, activated=self.ask)
        self._build_actions()

    def _build_actions(self) -> None:
        """The result actions: in the context menu, and on keys (Copy text and Remove only while the
        list has focus: in the box Ctrl+C and Delete edit the text)."""
        slots: dict[str, Callable[[], None]] = {
            "open": lambda: self._on_current(self.open_hit),
            "open-folder": lambda: self._on_current(self.open_folder),
            "copy-path": lambda: self._on_current(self.copy_path),
            "copy-text": lambda: self._on_current(self.copy_text),
            "remove": lambda: self._on_current(self.confirm_remove),
            "ask-file": lambda: self._on_current(self.ask_about),
        }
        self.result_actions: dict[str, QAction] = {}
        for name, slot in slots.items():
            action = QAction(self)
            action.setObjectName(name)
            action.setShortcuts([QKeySequence(k) for k in SHORTCUTS[name]])
            action.triggered.connect(slot)
            if name in ("copy-text", "remove"):
                action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
                self.results.addAction(action)
            else:
                action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
                self.addAction(action)
            self.result_actions[name] = action

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("mysearch"))
        self.search_box.setPlaceholderText(self.tr("Search your files, or ask a question and press Enter  (Ctrl+K)"))
        self.ask_button.setText(self.tr("Ask"))
        self.ask_button.setToolTip(self.tr("Write an answer from your files (Enter)"))
        self.preview.setToolTip(self.tr("Preview of the selected result (Ctrl+P)"))
        self.answer_view.setToolTip(self.tr("The answer and its sources (Ctrl+J)"))
        self.settings_button.setText(self.tr("Settings"))
        self.settings_button.setToolTip(self.tr("Folders, languages, models and more (Ctrl+,)"))
        self.scope_clear.setToolTip(self.tr("Ask about all files again"))
        names = {
            "open": self.tr("Open"),
            "open-folder": self.tr("Open containing folder"),
            "copy-path": self.tr("Copy path"),
            "copy-text": self.tr("Copy text"),
            "remove": self.tr("Remove from index…"),
            "ask-file": self.tr("Ask about this file"),
        }
        for name, text in names.items():
            self.result_actions[name].setText(text)
        self._show_notice()
        if self.ask_scope:
            self._show_scope()
        self.answer_title.setText("<b>" + self.tr("Answer") + "</b>")
        self.stop_button.setText(self.tr("Stop"))
        if not self.hits and not self.query:
            self.preview.setHtml(
                "<p style='color:#808080'>"
                + render.escape(self.tr("Type to search. Everything stays on this computer."))
                + "</p>"
            )
        self.status_panel.retranslate()

    def eventFilter(self, obj: Any, event: QEvent) -> bool:  # Qt override
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

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def closeEvent(self, event: Any) -> None:  # Qt override
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
        """Down from the box: the list takes the focus with a result selected (the first, unless
        another one already is)."""
        if not self.results.count():
            return
        self.results.setFocus(Qt.FocusReason.OtherFocusReason)
        row = self.results.currentRow()
        if row < 0 or not self.results.item(row).isSelected():
            row = max(row, 0)
            self.results.setCurrentRow(row)
            self.results.item(row).setSelected(True)

    def _back_to_box(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)
        self.search_box.end(False)

    def _type_into_box(self, event: Any) -> None:
        """A key typed in the list: the query gets it, as if typed in the box."""
        self._back_to_box()
        QApplication.sendEvent(self.search_box, event)

    def escape(self) -> None:
        """Esc: stop the answer being written, else clear the query, else forget the "ask about
        this file" scope, else hide to the tray when there is one (otherwise nothing)."""
        if self._cancel is not None and not self._cancel.is_set():
            self.stop_answer()
        elif self.search_box.text():
            self.search_box.clear()
            self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)
        elif self.ask_scope:
            self.clear_scope()
        elif self.close_to_tray:
            self.hide()

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
            # while typing, the last word is matched as a prefix on both passes, so the keyword list and
            # the hybrid list that replaces it agree ("invo" finds the invoice in both)
            lambda: engine.search(text, mode=mode, prefix=True),
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
        if mode == "hybrid":
            self._hybrid_seen = True
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

    def meaning_ready(self) -> bool:
        """Whether results include meaning search: it has answered once since the window opened and
        the owner is not building the vectors the search uses."""
        status = self.status_panel.status or {}
        model = status.get("searchable_model")
        pending = (status.get("vectors_pending_by_model") or {}).get(model, status.get("vectors_pending", 0))
        return self._hybrid_seen and not pending and self.status_panel.state.get("phase") != "embedding"

    def _show_notice(self) -> None:
        keyword_only = bool(self.hits) and not self.meaning_ready()
        self.notice.setText(self.tr("Keyword matches only: meaning search is still getting ready, so the list "
                                    "may change.") if keyword_only else "")
        self.notice.setVisible(keyword_only)

    def _show_hits(self, hits: list[Any], text: str, mode: str) -> None:
        keep = self.hits[self.results.currentRow()].path if 0 <= self.results.currentRow() < len(self.hits) else None
        self.hits = [h for h in hits if h.path not in self._removed]
        self._given.update(os.path.abspath(h.path) for h in self.hits)
        self.results.blockSignals(True)
        self.results.clear()
        page_word = self.tr("page")
        for hit in self.hits:
            title = hit.title or os.path.basename(hit.path)
            where = render.location(hit.page, hit.label, page_word)
            if hit.ocr:  # read from a picture: the words may be misread
                where = " · ".join(filter(None, (where, self.tr("from a scan (OCR)"))))
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
        self._show_notice()
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
            lambda: _preview(engine, hit, query),
            done=lambda parts: self._show_preview(hit, parts),
            failed=lambda exc: None if isinstance(exc, OSError) else self.show_error(exc),
        )

    def _show_preview(self, hit: Any, parts: tuple[list[str], str, list[tuple[int, int]], list[str]]) -> None:
        self._passages[hit.chunk_id] = parts[1]
        current = self.results.currentRow()
        if not (0 <= current < len(self.hits)) or self.hits[current] is not hit:
            return  # the selection moved on
        title = hit.title or os.path.basename(hit.path)
        where = render.location(hit.page, hit.label, self.tr("page"))
        link = file_url(hit.path, hit.page).toString()
        head = (f'<h3>{render.escape(title)}</h3><p><a href="{render.escape(link)}">{render.escape(hit.path)}</a>'
                f'{" · " + render.escape(where) if where else ""}</p>')
        markdown = hit.path.lower().endswith((".md", ".markdown"))
        self.preview.setHtml(head + render.preview_html(*parts, markdown=markdown))

    def _open_item(self, item: QListWidgetItem) -> None:
        row = self.results.row(item)
        if 0 <= row < len(self.hits):
            self.open_hit(self.hits[row])

    # --- result actions -------------------------------------------------------------------------
    def current_hit(self) -> Any:
        row = self.results.currentRow()
        return self.hits[row] if 0 <= row < len(self.hits) else None

    def _on_current(self, action: Callable[[Any], object]) -> None:
        hit = self.current_hit()
        if hit is not None:
            action(hit)

    def _menu_at(self, pos: QPoint) -> None:
        row = self.results.indexAt(pos).row()
        if row >= 0:
            self.results.setCurrentRow(row)
            self.show_result_menu(pos)

    def show_result_menu(self, pos: QPoint | None = None) -> QMenu | None:
        """The selected result's menu, at ``pos`` in the list (or at the result, from the keyboard);
        not modal, so it is also the tests' way in."""
        row = self.results.currentRow()
        if not (0 <= row < len(self.hits)):
            return None
        if pos is None:
            pos = self.results.visualItemRect(self.results.item(row)).center()
        menu = QMenu(self)
        for name in ("open", "open-folder", None, "copy-path", "copy-text", None, "ask-file", None, "remove"):
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(self.result_actions[name])
        self.context_menu = menu
        menu.popup(self.results.viewport().mapToGlobal(pos))
        return menu

    def open_hit(self, hit: Any) -> bool:
        result = self.links.open(file_url(hit.path, hit.page))
        if result == FAILED:
            self.cannot_open(hit.path)
        elif result != OPENED:
            self.show_error(self.tr("Not opened: {url} is not an indexed file or a web page.").format(url=hit.path))
        return result == OPENED

    def open_folder(self, hit: Any) -> bool:
        result = self.links.open_folder(hit.path)
        if result == FAILED:
            self.copy_path(hit)
            self.show_error(self.tr("The desktop could not open the folder of {path}; the path is copied.").format(
                path=hit.path))
        return result == OPENED

    def cannot_open(self, path: str) -> QMessageBox:
        """No program opens this file: say so, and offer the folder or the path."""
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("Cannot open the file"),
                          self.tr("No program on this computer opens {name}.").format(name=os.path.basename(path)),
                          QMessageBox.StandardButton.NoButton, self)
        box.setInformativeText(path)
        folder = box.addButton(self.tr("Open containing folder"), QMessageBox.ButtonRole.ActionRole)
        copy = box.addButton(self.tr("Copy path"), QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Close)
        hit = next((h for h in self.hits if h.path == path), None)

        def clicked(button: Any) -> None:
            if button is copy:
                QGuiApplication.clipboard().setText(path)
            elif button is folder and hit is not None:
                self.open_folder(hit)

        box.buttonClicked.connect(clicked)
        self.message_box = box
        box.open()
        return box

    def copy_path(self, hit: Any) -> None:
        QGuiApplication.clipboard().setText(hit.path)

    def copy_text(self, hit: Any) -> None:
        """The passage the preview shows (with its line breaks), else the result's snippet."""
        text = self._passages.get(hit.chunk_id) or hit.snippet.strip("…")
        QGuiApplication.clipboard().setText(text)

    def confirm_remove(self, hit: Any) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Remove from index"),
                          self.tr("Stop searching {name}? The file itself stays where it is; it is kept out of the "
                                  "index until you remove its rule under Settings › What to skip.").format(
                              name=os.path.basename(hit.path)),
                          QMessageBox.StandardButton.Cancel, self)
        remove = box.addButton(self.tr("Remove from index"), QMessageBox.ButtonRole.DestructiveRole)
        box.buttonClicked.connect(lambda button: self.remove_from_index(hit) if button is remove else None)
        self.message_box = box
        box.open()
        return box

    def remove_from_index(self, hit: Any) -> None:
        """Keep the file out of the index (``Client.exclude``: the owner rescans); the result leaves the
        list at once."""
        client, path = self.client, hit.path
        self._given.discard(os.path.abspath(path))  # out of the index: no longer a file links may open

        def work() -> str:
            return client.exclude(path)

        self._removed.add(path)
        mode = self._shown[1] or "keyword"
        self._show_hits(self.hits, self.query, mode)
        self.runner.submit(work, done=lambda _rule: self.removed.emit(path), failed=self._remove_failed(path))

    def _remove_failed(self, path: str) -> Callable[[object], None]:
        def failed(exc: object) -> None:
            self._removed.discard(path)
            self.show_error(exc)

        return failed

    def forget_removed(self) -> None:
        """The ignore rules were edited: show whatever the index has again."""
        self._removed.clear()

    def ask_about(self, hit: Any) -> None:
        """Answer from this file only: the box's question right away, or the next one asked."""
        self.ask_scope = hit.path
        self._show_scope()
        self.search_box.setFocus(Qt.FocusReason.OtherFocusReason)
        if self.search_box.text().strip():
            self.ask()

    def _show_scope(self) -> None:
        name = os.path.basename(self.ask_scope or "")
        self.scope_label.setText(self.tr("About: {name}").format(name=name))
        self.scope_label.setToolTip(self.ask_scope or "")
        self.scope_label.setVisible(bool(self.ask_scope))
        self.scope_clear.setVisible(bool(self.ask_scope))

    def clear_scope(self) -> None:
        self.ask_scope = None
        self._show_scope()

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

        filters = Filters(folders=(self.ask_scope,)) if self.ask_scope else None

        def work(report: Callable[[object], None]) -> None:
            for event in engine.ask(question, cancel=cancel, filters=filters, web_search=web_search):
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
            self._given.update(os.path.abspath(h.path) for h in self._sources)
            self.answer_state.setText(self.tr("Writing the answer…"))
        elif kind == "Stage":
            self.answer_state.setText(self.stage_text(event))
            return
        elif kind == "Token":
            self._answer_text += event.text
        elif kind == "Done":
            self._answer = event.answer
            self._answer_text = event.answer.text
            self._citations = {c.n: c for c in event.answer.citations}
            self._given.update(os.path.abspath(c.path) for c in event.answer.citations if not c.web)
        if not self._render_timer.isActive():
            self._render_timer.start()
        if kind == "Done":
            self._render_answer()

    def stage_text(self, stage: Any) -> str:
        """The line under the question while the first answer is prepared (``mysearch.answer.Stage``)."""
        seconds = round(stage.eta_s) if stage.eta_s and stage.eta_s >= 0.5 else None
        if stage.step == "loading":
            if seconds:
                return self.tr("Loading the answer model (about {s} s)…").format(s=seconds)
            return self.tr("Loading the answer model…")
        if stage.step == "reading":
            if seconds:
                return self.tr("Reading {n} sources (about {s} s)…").format(n=stage.sources, s=seconds)
            return self.tr("Reading {n} sources…").format(n=stage.sources)
        return self.tr("Writing the answer… each sentence shows once its source is checked.")

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
        result = self.links.open(url)
        if result == FAILED and url.isLocalFile():
            self.cannot_open(url.toLocalFile())
        elif result == FAILED:
            self.show_error(self.tr("The desktop could not open {url}.").format(url=url.toString()))
        elif result != OPENED:
            self.show_error(self.tr("Not opened: {url} is not an indexed file or a web page.").format(
                url=url.toString()))
        return result == OPENED

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

    def _was_given(self, path: str) -> bool:
        return os.path.abspath(path) in self._given


def _preview(client: Client, hit: Any, query: str) -> tuple[list[str], str, list[tuple[int, int]], list[str]]:
    """Worker thread: the hit's passage with the query's words marked and its neighbours, made by the
    owner (it has Kiwi loaded: loading it here would hold this process's GIL for a second or two)."""
    r = client.preview(hit.chunk_id, query)
    if not r.get("found"):
        return [], hit.snippet, list(hit.highlights), []
    return list(r["before"]), str(r["passage"]), [(int(a), int(b)) for a, b in r["spans"]], list(r["after"])
