"""End to end: the real app as its own process under Xvfb (it starts its own ``mysearch serve`` child),
a query typed in English and in Korean, a question answered with a citation, and a screenshot that
shows a real window (not a blank frame); quitting stops the child."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from ui_support import make_library, write_docs
from ui_x11 import AppProcess, Xvfb, pixel_stats, xdotool_type

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("Xvfb") is None, reason="needs Xvfb (Debian package xvfb)"),
]


def test_app_under_xvfb_finds_english_and_korean_and_draws(tmp_path: Path) -> None:
    home = tmp_path / "home"
    make_library(home, write_docs(tmp_path / "docs"), index=False).close()
    with Xvfb() as x:
        env = {**os.environ, "DISPLAY": x.display, "QT_QPA_PLATFORM": "xcb", "MYSEARCH_HOME": str(home)}
        app = AppProcess(home, env)
        try:
            shown = app.next(timeout=30)
            assert shown["event"] == "shown"
            assert shown["t"] - app.launched_at < 10  # the benchmark measures this properly
            ready = app.wait_state(lambda s: s["engine_ready"] and s["phase"] in ("embedding", "idle"), timeout=120)
            child = ready["child_pid"]  # the app started the library's owner as a child process
            assert child and ready["owner_pid"] == child != app.proc.pid

            # English, typed as real X key events (through the input method path where xdotool is missing)
            if not xdotool_type(x.display, "passport"):
                app.call("type", text="passport")
            state = app.wait_state(lambda s: s["query"] == "passport" and s["results"], timeout=30)
            assert state["typed"] == "passport"
            assert state["results"][0].endswith("passport.md")

            # Korean, committed the way an input method delivers it
            app.call("type", text="여권 발급")
            state = app.wait_state(lambda s: s["query"] == "여권 발급" and s["results"], timeout=30)
            assert state["results"][0].endswith("여권.md")
            assert not state["error"]

            # a question answered by the default answer model, loaded in the app, sources from the owner;
            # the app keeps answering the probe while the model loads and writes
            question = "How long does a passport renewal take?"
            app.call("type", text=question)
            app.wait_state(lambda s: s["query"] == question and s["results"], timeout=30)
            app.call("ask")
            state = app.wait_state(lambda s: not s["answering"], timeout=240)
            assert state["answer_state"].startswith("Done"), state
            assert "three weeks" in state["answer"] and "[1]" in state["answer"], state["answer"]
            assert "passport.md" in state["answer"]  # the cited source is listed under the answer

            shot = tmp_path / "screen.png"
            reply = app.call("screenshot", path=str(shot))
            assert reply["ok"] and reply["width"] >= 800
            n, variance, colours = pixel_stats(shot)
            assert variance > 100 and colours > 20, (variance, colours)  # text, lists and panes: not blank
        finally:
            code = app.close()
        assert code == 0, "".join(app.stderr)[-3000:]
        with pytest.raises(ProcessLookupError):
            os.kill(child, 0)  # quitting stopped it
