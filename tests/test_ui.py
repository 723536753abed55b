"""The desktop app with pytest-qt (offscreen): real Library, real Chroma, real embedding model.

One small library is indexed once for the module (MiniLM: these tests check the app, not meaning
search) and then owned by a ``mysearch serve`` child process, as in the app: the window searches
through its control socket and reads the catalog read-only. Tests that start the whole app (which
starts its own owner process, or uses one that runs already) use their own library folders.
"""

from __future__ import annotations

import ast
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import owner_library
from PySide6.QtCore import QThread, QUrl
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from ui_support import FAST_MODEL, make_library, write_docs  # also sets QT_QPA_PLATFORM=offscreen

from mysearch.client import RemoteClient
from mysearch.config import SCHEMA, Config
from mysearch.errors import MySearchError
from mysearch.library import Library

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ulib(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("ui")
    make_library(root / "home", write_docs(root / "docs")).close()
    with owner_library(root / "home", warm=True) as lib:  # the owner loads its query model, as the app has it do
        yield lib


@pytest.fixture
def opened() -> list[str]:
    return []


@pytest.fixture
def window(qtbot, ulib, opened):
    from ui import i18n
    from ui.window import MainWindow

    i18n.install("en")
    w = MainWindow(ulib, opener=lambda url: opened.append(url.toString()))
    qtbot.addWidget(w)
    w.show()
    yield w
    # pytest-qt has closed the window and scheduled its deletion by now: outcomes still on their way
    # are dropped (ui.worker), and the owner's answers must not be left half-read
    qtbot.waitUntil(lambda: w.runner.busy == 0 and w.status_panel.ctl.busy == 0, timeout=60000)


def type_text(qtbot, w, text: str) -> None:
    """Commit text the way an input method does (works for Korean, where keyClicks aborts)."""
    w.search_box.clear()
    ev = QInputMethodEvent()
    ev.setCommitString(text)
    QApplication.sendEvent(w.search_box, ev)


def wait_results(qtbot, w, query: str, mode: str = "hybrid", timeout: int = 30000) -> None:
    def shown() -> None:
        assert w.query == query and w.latencies_ms and w.latencies_ms[-1][0] == mode

    qtbot.waitUntil(shown, timeout=timeout)


# --- the worker helper ----------------------------------------------------------------------------
def test_worker_delivers_results_errors_and_progress_on_gui_thread(qtbot) -> None:
    from ui.worker import Runner

    runner = Runner()
    gui = QThread.currentThread()
    seen: list[tuple[str, object, bool]] = []

    def work(report) -> str:
        assert threading.current_thread() is not threading.main_thread()
        for i in range(3):
            report(i)
        return "done"

    def boom() -> None:
        raise ValueError("engine said no")

    runner.submit(work, done=lambda v: seen.append(("done", v, QThread.currentThread() is gui)),
                  progress=lambda v: seen.append(("progress", v, QThread.currentThread() is gui)))
    runner.submit(boom, failed=lambda e: seen.append(("failed", str(e), QThread.currentThread() is gui)))
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=5000)
    assert [s for s in seen if s[0] == "progress"] == [("progress", i, True) for i in range(3)]
    assert ("done", "done", True) in seen and ("failed", "engine said no", True) in seen
    assert seen.index(("done", "done", True)) > seen.index(("progress", 2, True))
    assert runner.busy == 0


# --- searching --------------------------------------------------------------------------------------
def test_search_as_you_type_shows_highlighted_results_and_preview(qtbot, window) -> None:
    w = window
    qtbot.keyClicks(w.search_box, "passport renewal")
    wait_results(qtbot, w, "passport renewal")
    modes = [m for m, _ in w.latencies_ms]
    assert modes[:2] == ["keyword", "hybrid"]  # keyword-fast first, then hybrid
    assert w.hits and w.hits[0].path.endswith("passport.md")
    label = w.results.itemWidget(w.results.item(0))
    assert "Renewing a passport" in label.text()
    assert "background-color:#ffe27a" in label.text()  # the matched words are marked
    assert w.results.item(0).toolTip().endswith("passport.md")
    qtbot.waitUntil(lambda: "three weeks" in w.preview.toPlainText(), timeout=10000)
    assert "background-color" in w.preview.toHtml()


def test_a_word_being_typed_is_matched_as_a_prefix(qtbot, window) -> None:
    """ "invo" finds the invoice by keyword at once, and the hybrid list that follows keeps it first."""
    w = window
    shown: list[tuple[str, str, str]] = []
    w.resultsShown.connect(lambda q, m: shown.append((q, m, w.hits[0].path if w.hits else "")))
    qtbot.keyClicks(w.search_box, "invo")
    wait_results(qtbot, w, "invo")
    assert "hybrid" in [m for q, m, _ in shown if q == "invo"]
    assert all(path.endswith("invoice.txt") for q, _, path in shown if q == "invo")
    label = w.results.itemWidget(w.results.item(0))
    assert "background-color:#ffe27a" in label.text()  # "Invoice" is marked as the match


def test_stale_responses_are_dropped(qtbot, window) -> None:
    w = window
    shown: list[str] = []
    w.resultsShown.connect(lambda q, _m: shown.append(q))
    w.search_box.setText("invoice")
    w.run_search()  # in flight ...
    w.search_box.setText("tomato soup")
    w.run_search()  # ... and overtaken before its answer can arrive
    wait_results(qtbot, w, "tomato soup")
    qtbot.waitUntil(lambda: w.runner.busy == 0, timeout=10000)
    assert w.stale_dropped >= 1
    assert "invoice" not in shown
    assert [h.path for h in w.hits][0].endswith("recipe.txt")


def test_korean_typed_through_the_input_method(qtbot, window) -> None:
    w = window
    type_text(qtbot, w, "여권 발급")
    assert w.search_box.text() == "여권 발급"
    wait_results(qtbot, w, "여권 발급")
    assert w.hits[0].path.endswith("여권.md")
    qtbot.waitUntil(lambda: "구청" in w.preview.toPlainText(), timeout=10000)


def test_ctrl_k_focuses_the_search_box(qtbot, window) -> None:
    from PySide6.QtCore import Qt

    w = window
    w.results.setFocus()
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.search_box.hasFocus(), timeout=2000)


def test_engine_error_is_shown_in_words_and_the_window_keeps_working(qtbot, window) -> None:
    w = window
    errors: list[str] = []
    w.errorShown.connect(errors.append)
    settings = w.client.home / "settings.json"  # a real engine error in the owner process: a bad setting
    good = settings.read_text("utf-8")
    settings.write_text(json.dumps({**json.loads(good), "search.fusion": "no-such-fusion"}), "utf-8")
    try:
        w.engine.settings_changed()
        w.search_box.setText("invoice")
        w.run_search()
        qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    finally:
        settings.write_text(good, "utf-8")
        w.engine.settings_changed()
    assert "search.fusion must be one of" in errors[0]
    assert w.banner.isVisible() and "Traceback" not in w.banner.text()
    w.search_box.setText("invoice due")
    w.run_search()
    wait_results(qtbot, w, "invoice due")
    assert w.hits[0].path.endswith("invoice.txt")
    assert not w.banner.isVisible()


# --- links --------------------------------------------------------------------------------------------
def test_citation_click_opens_the_cited_pdf_page_and_nothing_else(qtbot, window, ulib, opened) -> None:
    w = window
    hits = w.engine.search("appendix contact search team", k=3)
    pdf = next(h for h in hits if h.path.endswith("report.pdf"))
    assert pdf.page == 2
    Sources = type("Sources", (), {})  # the event shape Library.ask yields first
    event = Sources()
    event.hits = [pdf]
    w._ask_seq = 1
    w._on_answer_event(1, event)
    qtbot.waitUntil(lambda: 'href="cite:1"' in w.answer_view.toHtml(), timeout=2000)
    w.answer_view.anchorClicked.emit(QUrl("cite:1"))
    assert opened == [QUrl.fromLocalFile(pdf.path).toString() + "#page=2"]

    # only clicked file: links to indexed files, or web pages
    assert w.open_link(QUrl("https://example.org/page"))
    for bad in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x", "data:text/html,hi", "cite:9"):
        assert not w.open_link(QUrl(bad)), bad
    assert opened[-1] == "https://example.org/page" and len(opened) == 2


def test_saved_page_citation_opens_its_local_copy_and_shows_its_address(qtbot, window, opened) -> None:
    from mysearch.answer import Answer, Citation, Done

    w = window
    hit = w.engine.search("passport renewal photographs", k=1)[0]
    declared = "https://example.org/what-the-page-says-about-itself"  # a saved page's own claim
    citation = Citation(1, hit.path, None, hit.snippet, None, declared)
    w._ask_seq = 1
    w._on_answer_event(1, Done(Answer("q", "Renew it at the office [1].", [citation], abstained=False)))
    html = w.answer_view.toHtml()
    assert 'href="cite:1"' in html and f'href="{declared}"' in html and declared in w.answer_view.toPlainText()
    w.answer_view.anchorClicked.emit(QUrl("cite:1"))
    assert opened == [QUrl.fromLocalFile(hit.path).toString()]  # the copy that was indexed
    w.answer_view.anchorClicked.emit(QUrl(declared))  # the address, only when that link is clicked
    assert opened[-1] == declared and len(opened) == 2


def test_views_never_load_resources_and_escape_file_text(qtbot, window) -> None:
    from ui import render

    w = window
    w.answer_view.setHtml('<p>x</p><img src="http://example.org/track.png"><img src="file:///tmp/a.png">')
    w.answer_view.grab()
    assert w.answer_view.blocked  # asked for, refused
    html = render.answer_html('<script>alert(1)</script> see [1] and [7]', {1})
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'href="cite:1"' in html and 'href="cite:7"' not in html


def test_status_bar_counts_and_lists_skipped_files(qtbot, window) -> None:
    from ui.status import ProblemsDialog

    panel = window.status_panel
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10000)
    assert panel.counts_label.text().startswith("5 files")
    assert panel.problems_button.isVisibleTo(window) and panel.problems_button.text() == "1 skipped or failed"
    dialog = ProblemsDialog(panel.status["problems"], window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text().endswith("empty.txt")
    assert dialog.table.item(0, 2).text()  # the reason, in words


def test_themes_switch_palettes(qtbot, qapp) -> None:
    from ui import theme

    try:
        assert theme.apply("dark") == "dark"
        assert qapp.palette().window().color().lightness() < 80 and qapp.style().name().lower() == "fusion"
        assert theme.apply("light") == "light"
        assert qapp.palette().window().color().lightness() > 180
    finally:
        theme.apply("system")


# --- answers --------------------------------------------------------------------------------------------
def test_answer_streams_with_sources_first_and_stop_cancels(qtbot, window, ulib) -> None:
    w = window
    ulib.config.set("answer.model", "smollm2-135m-instruct")
    ulib.config.set("answer.max_tokens", 200)
    kinds: list[str] = []
    original = w._on_answer_event
    w._on_answer_event = lambda seq, ev: (kinds.append(type(ev).__name__), original(seq, ev))
    done: list[object] = []
    w.answerFinished.connect(done.append)
    w.search_box.setText("How long does a passport renewal take?")
    qtbot.keyClick(w.search_box, "\r")
    qtbot.waitUntil(lambda: bool(done), timeout=180000)
    answer = done[0]
    assert answer is not None and kinds[0] == "Sources" and kinds[-1] == "Done"
    assert kinds.count("Token") >= 1 or answer.abstained
    assert w.answer_view.toPlainText().strip()
    assert not w.stop_button.isEnabled()

    # Stop: cancel once the model writes; Done says stopped, quickly
    done.clear()
    kinds.clear()
    stop_at: list[float] = []

    def on_event(seq, ev):
        kinds.append(type(ev).__name__)
        original(seq, ev)
        # the model has begun to write (its checked sentences may come later, or never for this tiny model)
        if type(ev).__name__ == "Stage" and ev.step == "writing" and not stop_at:
            stop_at.append(time.monotonic())
            w.stop_button.click()

    w._on_answer_event = on_event
    w.search_box.setText("Write a long story about renewing a passport at the city office.")
    w.ask_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=180000)
    assert done[0] is not None and done[0].stopped
    assert time.monotonic() - stop_at[0] < 2.0
    assert "Stopped" in w.answer_state.text()


def test_answer_says_what_it_is_doing_until_its_first_words(qtbot, window, ulib) -> None:
    from mysearch.answer import Stage
    from ui import i18n

    w = window
    ulib.config.set("answer.model", "smollm2-135m-instruct")
    shown: list[str] = []
    original = w._on_answer_event

    def on_event(seq, ev):
        original(seq, ev)
        if type(ev).__name__ == "Stage":
            shown.append(w.answer_state.text())

    w._on_answer_event = on_event
    done: list[object] = []
    w.answerFinished.connect(done.append)
    w.search_box.setText("How long does a passport renewal take?")
    w.ask_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=180000)
    assert any(t.startswith("Reading ") and "source" in t for t in shown), shown
    assert not w.answer_state.text().startswith(("Reading", "Loading"))  # replaced once the answer ends
    assert w.stage_text(Stage("loading", 3.2)) == "Loading the answer model (about 3 s)…"
    assert w.stage_text(Stage("loading", None)) == "Loading the answer model…"
    assert w.stage_text(Stage("reading", 0.2, 2)) == "Reading 2 sources…"  # under a second: no estimate
    i18n.install("ko")
    try:
        assert w.stage_text(Stage("reading", 4.0, 3)) == "근거 3개를 읽는 중 (약 4초)…"
    finally:
        i18n.install("en")


# --- settings --------------------------------------------------------------------------------------------
def test_settings_dialog_covers_the_schema_and_round_trips(qtbot, tmp_path) -> None:
    from ui.settings import SettingsDialog, apply_settings

    cfg = Config(tmp_path / "home")
    dialog = SettingsDialog(cfg)
    qtbot.addWidget(dialog)
    assert set(dialog.editors) == {s.key for s in SCHEMA}
    assert dialog.values() == {s.key: cfg.get(s.key) for s in SCHEMA}
    assert dialog.changes() == {}
    assert cfg.get("web.enabled") is False and not dialog.editors["web.enabled"].isChecked()
    from PySide6.QtWidgets import QLineEdit

    assert dialog.editors["web.api_key"].echoMode() == QLineEdit.EchoMode.PasswordEchoOnEdit  # a secret
    combo = dialog.editors["embedding.model"]
    assert {combo.itemData(i) for i in range(combo.count())} >= {"multilingual-e5-small", FAST_MODEL}

    folder = tmp_path / "notes"
    folder.mkdir()
    dialog.editors["folders"].picker = lambda: str(folder)  # the folder picker, answered
    dialog.editors["folders"].add_button.click()
    wanted = {
        "index.ignore": ["*.log", "build/"],
        "embedding.model": FAST_MODEL,
        "search.k": 7,
        "index.max_file_mb": 12.5,
        "web.enabled": True,
        "web.provider": "brave",
        "web.api_key": "k-123",
        "ui.theme": "dark",
        "ui.language": "ko",
        "answer.gpu": "off",
        "store.url": "",
    }
    for key, value in wanted.items():
        dialog.set_value(key, value)
    changes = dialog.changes()
    assert changes == {"folders": [str(folder)], **{k: v for k, v in wanted.items() if k != "store.url"}}
    apply_settings(cfg, changes)

    reread = Config(tmp_path / "home")
    for key, value in changes.items():
        assert reread.get(key) == value
    again = SettingsDialog(reread)
    qtbot.addWidget(again)
    assert again.values() == {s.key: reread.get(s.key) for s in SCHEMA}
    assert again.editors["folders"].folders() == [str(folder)]


# --- translations ----------------------------------------------------------------------------------------
def _translated_strings() -> set[str]:
    """Every literal the UI passes to tr()/translate()."""
    out: set[str] = set()
    for path in (REPO / "ui").glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            args = node.args[1:] if name in ("translate", "_T") else node.args if name == "tr" else []
            if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str):
                out.add(args[0].value)
    from ui.reasons import FORMS
    from ui.settings import LANGUAGE_NAMES
    from ui.settings_labels import CHOICE_LABELS, GROUPS, LABELS

    out |= {t for label in LABELS.values() for t in (label.text, label.help)}
    out |= set(CHOICE_LABELS.values()) | set(GROUPS) | set(LANGUAGE_NAMES.values()) | {shown for _, shown in FORMS}
    return out


def test_every_ui_string_has_a_korean_translation() -> None:
    from ui.lang_ko import KO

    strings = _translated_strings()
    assert len(strings) > 60
    missing = sorted(s for s in strings if s not in KO and not s.startswith("한국어"))
    assert not missing, missing
    for source, korean in KO.items():  # placeholders survive translation
        assert sorted(_fields(source)) == sorted(_fields(korean)), source


def _fields(text: str) -> list[str]:
    import string

    return [f for _, f, _, _ in string.Formatter().parse(text) if f]


def test_korean_ui_when_the_language_setting_is_ko(qtbot, window) -> None:
    from ui import i18n

    w = window
    try:
        assert i18n.install("ko") == "ko"
        qtbot.waitUntil(lambda: w.ask_button.text() == "질문하기", timeout=2000)  # LanguageChange retranslated
        assert w.stop_button.text() == "중지"
        assert "검색" in w.search_box.placeholderText()
        w.grab()  # renders with a Korean font (fonts-nanum) without complaint
    finally:
        i18n.install("en")
    qtbot.waitUntil(lambda: w.ask_button.text() == "Ask", timeout=2000)


def test_korean_glyphs_have_a_font() -> None:
    from PySide6.QtGui import QFontDatabase

    families = QFontDatabase.families(QFontDatabase.WritingSystem.Korean)
    assert families, "no Korean font installed: apt-get install fonts-nanum"


# --- the control socket's ops for the app ------------------------------------------------------------------
def test_owner_answers_state_capped_status_and_problems(ulib) -> None:
    remote = ulib  # the app's client of the owner process
    owner = remote.owner_pid()
    assert owner not in (None, os.getpid())  # the child owns the library; this process does not
    assert os.getpriority(os.PRIO_PROCESS, owner) == min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)  # niced
    state = remote.state()
    assert state["pid"] == owner and state["phase"] in ("starting", "scanning", "embedding", "idle")
    assert set(state) >= {"paused", "progress", "last_update"} and len(json.dumps(state)) < 2000
    capped = remote.status(max_problems=0)
    assert capped["problems"] == [] and capped["problems_total"] == 1 and capped["service"]
    assert len(remote.status()["problems"]) == 1  # without the cap: as before
    rows = remote.problems()
    assert len(rows) == 1 and rows[0]["path"].endswith("empty.txt") and rows[0]["reason"]
    hits = remote.search("tomato", k=2, mode="keyword")
    assert hits[0].path.endswith("recipe.txt") and hits[0].sources == ["keyword"]
    shown = remote.preview(hits[0].chunk_id, "tomato")
    assert shown["found"] and shown["before"] == [] and shown["after"] == []
    assert "tomato" in [shown["passage"][a:b].lower() for a, b in shown["spans"]]
    assert remote.preview(10**9, "x") == {"found": False}
    texts = remote.chunk_texts([hits[0].chunk_id, 10**9])  # an answer's passages, whole
    assert list(texts) == [hits[0].chunk_id] and texts[hits[0].chunk_id] == shown["passage"]
    with pytest.raises(MySearchError, match="unknown request"):
        remote.call({"op": "drop_everything"})


def test_korean_tokens_in_the_app_process_come_from_the_owner(ulib) -> None:
    from mysearch import tokens
    from mysearch.client import RemoteClient

    text = "여권을 발급받으려면 구청 민원실에 가야 합니다 (passport office)"
    expected = tokens.tokenize(text)
    client = RemoteClient(ulib.home, timeout=30)
    calls: list[str] = []
    ask_owner = client.tokenize
    client.tokenize = lambda run, bigrams=True: (calls.append(run), ask_owner(run, bigrams))[1]
    undo = client.korean_from_owner()
    try:
        assert tokens.tokenize(text) == expected and len(calls) == 1  # one Hangul run, one round trip
        client.path = "/nonexistent/mysearch.sock"  # no owner: Kiwi here, same tokens
        assert tokens.tokenize(text) == expected and len(calls) == 2
    finally:
        undo()
    assert tokens._korean_source is None
    assert tokens.tokenize(text) == expected and len(calls) == 2  # undone: the owner is not asked


def test_mysearch_app_becomes_the_app_program_which_starts_and_stops_the_owner(tmp_path) -> None:
    """``mysearch app``: the engine's CLI does not import the app; the app's own program takes the
    command's process (same PID: a launcher or a terminal keeps the process it started)."""
    from ui_x11 import AppProcess

    home = tmp_path / "home"
    make_library(home, write_docs(tmp_path / "docs"), index=False).close()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "MYSEARCH_HOME": str(home)}
    app = AppProcess(home, env, command=[sys.executable, "-m", "mysearch", "--home", str(home), "app"])
    try:
        assert app.next(timeout=60)["event"] == "shown"
        ready = app.wait_state(lambda st: st["engine_ready"], timeout=180)
        assert ready["pid"] == app.proc.pid and ready["owner_pid"] == ready["child_pid"] != app.proc.pid
        child = ready["child_pid"]
    finally:
        code = app.close()
    assert code == 0
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # the app stopped the owner it started


def test_serve_stops_when_its_parent_dies(tmp_path) -> None:
    home = tmp_path / "home"
    Library.open(home).close()
    parent = (
        "import subprocess, sys, os, time\n"
        "from mysearch.client import RemoteClient\n"
        "p = subprocess.Popen([sys.executable, '-m', 'mysearch', '--home', sys.argv[1], 'serve', '--parent',"
        " str(os.getpid())], stderr=subprocess.DEVNULL)\n"
        "print(p.pid, flush=True)\n"
        "while not RemoteClient(sys.argv[1]).available(): time.sleep(0.1)\n"
        "os._exit(0)  # like a crash: nobody stops the child\n"
    )
    out = subprocess.run([sys.executable, "-c", parent, str(home)], capture_output=True, text=True, timeout=180)
    child = int(out.stdout.split()[0])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    else:
        os.kill(child, signal.SIGKILL)
        raise AssertionError("mysearch serve outlived its parent")
    assert Library.open(home).lock.holder() is None


# --- the whole app: this process shows the window, a child owns the library --------------------------------
def _start_app(qtbot, qapp, home: Path):
    from ui import i18n
    from ui.app import App

    i18n.install("en")
    client = RemoteClient(home, timeout=60.0)
    app = App(qapp, client)
    qtbot.addWidget(app.window)
    app.show()
    return app, client


def _stop_app(qtbot, app, client) -> None:
    app.window.status_panel.timer.stop()
    app.shutdown()
    qtbot.waitUntil(lambda: app.runner.busy == 0, timeout=30000)
    app.window.close()
    assert client.owner_pid() != os.getpid()  # the app's process never took the library (nor its store)


def _cli(home: Path, *args: str) -> dict:
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    code = "from mysearch.cli import main; import sys; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def _in_thread(qtbot, fn):
    """Run fn on a plain thread while the GUI thread keeps processing events."""
    result: list = []
    threading.Thread(target=lambda: result.append(fn()), daemon=True).start()
    qtbot.waitUntil(lambda: bool(result), timeout=60000)
    return result[0]


def test_app_starts_its_owner_process_and_the_cli_goes_through_it(qtbot, qapp, tmp_path) -> None:
    home = tmp_path / "home"
    docs = write_docs(tmp_path / "docs")
    make_library(home, docs, index=False).close()
    app, lib = _start_app(qtbot, qapp, home)
    panel = app.window.status_panel
    try:
        assert app.tray is None and not app.window.close_to_tray  # offscreen has no tray: close quits
        assert panel.phase_label.text() == "Starting…" and not app.window.engine_ready
        qtbot.waitUntil(lambda: app.engine is not None, timeout=120000)
        child = app.owner.pid
        assert child and child != os.getpid() and app.owner_pid == child
        assert lib.owner_pid() == child
        qtbot.waitUntil(lambda: panel.state.get("phase") in ("embedding", "idle"), timeout=60000)
        qtbot.waitUntil(lambda: panel.problems_button.text() == "1 skipped or failed", timeout=30000)
        assert "files" in panel.counts_label.text()

        # typing searches through the child
        app.window.search_box.setText("tomato soup")
        qtbot.waitUntil(lambda: bool(app.window.hits) and app.window.hits[0].path.endswith("recipe.txt"), timeout=30000)

        # the terminal's `mysearch status` / `search` are answered by the app's child, with current results
        result = _in_thread(qtbot, lambda: _cli(home, "status", "--json"))
        assert result["owner_pid"] == child and "service" in result
        result = _in_thread(qtbot, lambda: _cli(home, "search", "tomato", "--json", "--mode", "keyword"))
        assert result["hits"][0]["path"].endswith("recipe.txt")

        # pause and resume from the status bar reach the child, in order
        panel.pause_button.click()
        assert panel.pause_button.text() == "Resume"
        qtbot.waitUntil(lambda: _in_thread(qtbot, app.engine.state)["paused"] is True, timeout=10000)
        panel.pause_button.click()
        assert panel.pause_button.text() == "Pause"
        qtbot.waitUntil(lambda: _in_thread(qtbot, app.engine.state)["paused"] is False, timeout=10000)

        # saving settings goes to the library and the running child
        new_folder = tmp_path / "more"
        new_folder.mkdir()
        (new_folder / "zebra.txt").write_text("Zebra crossings are striped.\n", "utf-8")
        app.save_settings({"folders": [str(docs), str(new_folder)], "ui.theme": "dark"})
        qtbot.waitUntil(lambda: lib.config.get("folders") == [str(docs), str(new_folder)], timeout=10000)
        qtbot.waitUntil(lambda: bool(_in_thread(qtbot, lambda: app.engine.search("zebra", mode="keyword"))),
                        timeout=60000)
        assert qapp.style().name().lower() == "fusion"

        # the child dies: the status bar says so, a new one takes over, searching works again
        os.kill(child, signal.SIGKILL)
        qtbot.waitUntil(lambda: "stopped unexpectedly" in panel.phase_label.text(), timeout=10000)
        qtbot.waitUntil(lambda: app.engine is not None, timeout=120000)
        assert app.owner.pid != child and app.owner_pid == app.owner.pid and app.restarts == 1
        app.window.search_box.setText("zebra crossings")
        qtbot.waitUntil(lambda: bool(app.window.hits) and app.window.hits[0].path.endswith("zebra.txt"), timeout=30000)
        assert not app.window.banner.isVisible()
        child = app.owner.pid
    finally:
        _stop_app(qtbot, app, lib)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # stopped (and reaped) by PID
    assert Library.open(home).lock.holder() is None


def test_app_is_a_client_of_a_running_watcher_and_takes_over_when_it_stops(qtbot, qapp, tmp_path) -> None:
    from mysearch.client import RemoteClient

    home = tmp_path / "home"
    make_library(home, write_docs(tmp_path / "docs"), index=False).close()
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    watcher = subprocess.Popen([sys.executable, "-m", "mysearch", "watch"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not RemoteClient(home).available() or RemoteClient(home).call({"op": "state"})["phase"] != "idle":
            assert watcher.poll() is None and time.monotonic() < deadline, "the watcher did not start"
            time.sleep(0.2)
        app, lib = _start_app(qtbot, qapp, home)
        try:
            qtbot.waitUntil(lambda: app.engine is not None, timeout=30000)
            assert app.owner_pid == watcher.pid and app.owner.pid is None  # no second owner
            app.window.search_box.setText("tomato")
            qtbot.waitUntil(lambda: bool(app.window.hits) and app.window.hits[0].path.endswith("recipe.txt"),
                            timeout=30000)
            assert not app.window.banner.isVisible()

            # the watcher is stopped in its terminal: the app starts its own owner
            watcher.terminate()
            watcher.wait(60)
            qtbot.waitUntil(lambda: app.engine is not None and app.owner.pid is not None, timeout=120000)
            assert app.owner_pid == app.owner.pid != watcher.pid
        finally:
            _stop_app(qtbot, app, lib)
    finally:
        if watcher.poll() is None:
            watcher.terminate()
        watcher.wait(60)


def test_quitting_leaves_an_owner_the_app_did_not_start(qtbot, qapp, tmp_path) -> None:
    from mysearch.client import RemoteClient
    from ui.engine import OwnerProcess

    home = tmp_path / "home"
    make_library(home, write_docs(tmp_path / "docs"), index=False).close()
    other = OwnerProcess(home)  # stands for `mysearch watch` in a terminal
    other.start()
    try:
        deadline = time.monotonic() + 120
        while not RemoteClient(home).available():
            assert other.running() and time.monotonic() < deadline, "the owner did not start"
            time.sleep(0.2)
        app, lib = _start_app(qtbot, qapp, home)
        try:
            qtbot.waitUntil(lambda: app.engine is not None, timeout=120000)
            assert app.owner_pid == other.pid and app.owner.pid is None
        finally:
            _stop_app(qtbot, app, lib)
        assert other.running() and RemoteClient(home).available()
    finally:
        other.stop()


def test_app_gives_up_on_an_owner_that_keeps_dying(qtbot, qapp, tmp_path, monkeypatch) -> None:
    from ui import app as app_module
    from ui.engine import OwnerProcess

    monkeypatch.setattr(OwnerProcess, "command", lambda self: [sys.executable, "-c", "import sys; sys.exit(3)"])
    monkeypatch.setattr(app_module, "CONNECT_MS", 20)
    app, lib = _start_app(qtbot, qapp, tmp_path / "home")
    try:
        qtbot.waitUntil(lambda: app.window.banner.isVisible(), timeout=30000)
        assert app.owner.starts == app_module.RESTART_LIMIT + 1  # bounded
        assert "stopped 4 times (last exit code 3)" in app.window.banner.text()
        assert "owner.log" in app.window.banner.text() and not app.window.search_box.isEnabled()
    finally:
        _stop_app(qtbot, app, lib)


def test_app_explains_when_another_process_owns_the_library(qtbot, qapp, tmp_path) -> None:
    home = tmp_path / "home"
    make_library(home, write_docs(tmp_path / "docs"), index=False).close()
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from mysearch.lock import OwnerLock; OwnerLock(sys.argv[1]).acquire(); "
         "print('held', flush=True); time.sleep(120)", str(home)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        app, lib = _start_app(qtbot, qapp, home)
        try:
            qtbot.waitUntil(lambda: app.window.banner.isVisible(), timeout=10000)
            assert f"process {holder.pid}" in app.window.banner.text()
            assert not app.window.search_box.isEnabled() and app.engine is None and app.owner.pid is None
            holder.kill()  # `mysearch index` finished: the app starts its owner and searching works
            holder.wait()
            qtbot.waitUntil(lambda: app.engine is not None, timeout=120000)
            assert app.owner_pid == app.owner.pid and app.window.search_box.isEnabled()
            assert not app.window.banner.isVisible()
        finally:
            _stop_app(qtbot, app, lib)
    finally:
        holder.kill()
        holder.wait()


def test_first_run_asks_for_folders_and_promises_privacy(qtbot, qapp, tmp_path) -> None:
    docs = write_docs(tmp_path / "docs")
    app, lib = _start_app(qtbot, qapp, tmp_path / "home")
    try:
        qtbot.waitUntil(lambda: getattr(app, "first_run_dialog", None) is not None, timeout=120000)
        dialog = app.first_run_dialog
        assert dialog.isVisible()
        assert "never leave" in dialog.findChildren(type(app.window.banner))[0].text()
        dialog.folder_list.list.clear()
        dialog.folder_list.picker = lambda: str(docs)
        dialog.folder_list.add_button.click()
        dialog.start_button.click()
        qtbot.waitUntil(lambda: lib.folders() == [str(docs)], timeout=10000)
        qtbot.waitUntil(lambda: bool(_in_thread(qtbot, lambda: app.engine.search("invoice", mode="keyword"))),
                        timeout=60000)
    finally:
        _stop_app(qtbot, app, lib)


def test_void_qt_calls_cannot_exhaust_none() -> None:
    """PySide6 6.12.0 on Python 3.11 loses a reference to None on every void call; ui.compat guards it
    (see its docstring). Half a million calls must not bring the interpreter down."""
    from PySide6.QtCore import QObject

    from ui.compat import guard_none_refcount, none_leak_per_call

    leak = none_leak_per_call()
    guard_none_refcount()
    probe = QObject()
    for _ in range(500_000):
        probe.setObjectName("probe")
    if leak >= 0.5:
        assert sys.getrefcount(None) > 1 << 39
