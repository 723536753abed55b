"""The app's web toggle and "Save to library", with the real window, owner process, model and ddgs; only
the internet is a local server (``web_fakes``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import owner_library
from ui_support import make_library, write_docs  # also sets QT_QPA_PLATFORM=offscreen
from web_fakes import SITE, Web

QUESTION = "Where is the Zorblat lantern festival held?"


@pytest.fixture(scope="module")
def internet(tmp_path_factory: pytest.TempPathFactory):
    w = Web(tmp_path_factory.mktemp("ca"))
    yield w
    w.close()


@pytest.fixture(scope="module")
def wlib(tmp_path_factory: pytest.TempPathFactory, internet):
    root = tmp_path_factory.mktemp("webui")
    lib = make_library(root / "home", write_docs(root / "docs"))
    for k, v in internet.settings().items():
        lib.config.set(k, v)
    lib.close()
    with owner_library(root / "home") as lib:
        yield lib


def _window(qtbot, lib):
    from ui import i18n
    from ui.window import MainWindow

    i18n.install("en")
    w = MainWindow(lib, opener=lambda url: None)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.engine_ready, timeout=60000)
    return w


def _ask(qtbot, w) -> object:
    done: list[object] = []
    w.answerFinished.connect(done.append)
    w.search_box.setText(QUESTION)
    w.ask_button.click()
    qtbot.waitUntil(lambda: bool(done), timeout=180000)
    return done[0]


def test_toggle_follows_the_setting_names_the_service_and_overrides_per_question(qtbot, wlib, internet):
    wlib.config.set("web.enabled", True)
    w = _window(qtbot, wlib)
    toggle = w.web_toggle
    assert toggle.isChecked() and "DuckDuckGo" in toggle.toolTip()
    toggle.setChecked(False)  # off for this question although the setting is on
    assert "nothing leaves this computer" in toggle.toolTip()
    off = _ask(qtbot, w)
    assert internet.requests == [] and off is not None and off.web_provider is None
    toggle.setChecked(True)
    on = _ask(qtbot, w)
    assert on.web_provider == "duckduckgo" and any(r.path == "/html/" for r in internet.requests)
    assert not on.abstained and "Tromsø" in on.text, on.raw
    assert f"{SITE}/zorblat" in {c.url for c in on.citations}
    assert w.citation_url(next(c.n for c in on.citations if c.web)).toString().startswith(SITE)
    assert f"Web · zorblat — {SITE}/zorblat" in w.answer_view.toPlainText()  # marked as web in the pane
    wlib.config.set("web.enabled", False)

    # Save to library: the cited page is kept in Saved pages and the owner indexes it
    actions = [a for a in toggle.menu_.actions() if a.data() == f"{SITE}/zorblat"]
    assert actions and actions[0].text() == "Save to library: The Zorblat lantern festival"
    actions[0].trigger()
    saved = Path(wlib.home) / "Saved pages"
    # the worker writes the page, then adds its folder to the settings: wait for both
    qtbot.waitUntil(lambda: any(saved.glob("*.html")) and str(saved) in wlib.folders(), timeout=30000)
    assert str(saved) in wlib.folders()

    def indexed() -> bool:
        hits = w.engine.search("Zorblat lantern Tromsø harbour", k=5, mode="keyword")
        return any(Path(h.path).parent == saved and h.url == f"{SITE}/zorblat" for h in hits)

    qtbot.waitUntil(indexed, timeout=120000)
    assert "Saved" in w.answer_state.text()
    qtbot.waitUntil(lambda: w.runner.busy == 0 and w.status_panel.ctl.busy == 0, timeout=60000)
