"""A test and benchmark hook: drive the running app through JSON lines on stdin.

Active only when ``MYSEARCH_UI_PROBE=1`` is set (never in normal use). The app prints
``{"event": "shown", "t": <unix time>}`` once the window has painted, then answers one JSON line on
stdout per command: ``state``, ``type`` (text sent as an input-method commit, the way an IME delivers
Korean), ``ask`` (what Enter or the Ask button does), ``screenshot`` (the window as the screen shows it,
saved to a PNG), ``quit``; for the screenshots in ``docs/``: ``resize``, ``select`` (a result, by row or
file name), ``menu`` (the selected result's menu), ``settings`` (open the settings dialog, at a tab),
``language`` (switch the UI language) and ``grab`` (the window, the open dialog or the whole screen).
Commands are read on a plain thread and run on the GUI thread through a queued signal.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from typing import Any

from PySide6.QtCore import QEvent, QObject, Signal, Slot
from PySide6.QtGui import QGuiApplication, QInputMethodEvent

# The replies go to a copy of stdout's descriptor made at import, so that nothing that redirects stdout
# meanwhile can swallow one (llama-cpp-python's quiet model loading once did: see mysearch/answer/runtime.py).
_OUT = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)


def _say(obj: dict[str, Any]) -> None:
    _OUT.write(json.dumps(obj, ensure_ascii=False) + "\n")
    _OUT.flush()


class Probe(QObject):
    command = Signal(object)

    def __init__(self, app: Any) -> None:
        super().__init__()
        self.app = app
        self.window = app.window
        self._shown = False
        self.command.connect(self.run)
        self.window.installEventFilter(self)
        if self.window.isVisible():
            self.window.update()
        threading.Thread(target=self._read, name="mysearch-probe", daemon=True).start()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if not self._shown and event.type() == QEvent.Type.Paint:
            self._shown = True
            _say({"event": "shown", "t": time.time(), "since_start_s": self.app.shown_at})
        return False

    def _read(self) -> None:
        for line in sys.stdin:
            if line.strip():
                self.command.emit(json.loads(line))

    @Slot(object)
    def run(self, cmd: dict[str, Any]) -> None:
        op = cmd.get("op")
        w = self.window
        try:
            if op == "state":
                state = w.status_panel.state if w.engine_ready else {}
                _say({"op": op, "pid": os.getpid(), "visible": w.isVisible(), "engine_ready": w.engine_ready,
                      "query": w.query, "typed": w.search_box.text(), "results": [h.path for h in w.hits],
                      "phase": state.get("phase"), "owner_pid": self.app.owner_pid,
                      "child_pid": self.app.owner.pid, "error": w.banner.text(),
                      "focus": bool(w.search_box.hasFocus()), "title": w.windowTitle(),
                      "placeholder": w.search_box.placeholderText(),
                      "answering": w.stop_button.isEnabled(), "answer_state": w.answer_state.text(),
                      "answer": w.answer_view.toPlainText()})
            elif op == "ask":
                w.ask()
                _say({"op": op, "ok": True})
            elif op == "type":
                w.focus_search()
                w.search_box.clear()
                ev = QInputMethodEvent()
                ev.setCommitString(cmd["text"])
                QGuiApplication.sendEvent(w.search_box, ev)
                _say({"op": op, "ok": True})
            elif op == "screenshot":
                screen = w.screen()
                pm = screen.grabWindow(w.winId()) if cmd.get("screen", True) else w.grab()
                if pm.isNull() or pm.width() == 0:
                    pm = w.grab()
                ok = pm.save(cmd["path"], "PNG")
                _say({"op": op, "ok": ok, "width": pm.width(), "height": pm.height()})
            elif op == "resize":
                w.move(0, 0)
                w.resize(int(cmd["width"]), int(cmd["height"]))
                _say({"op": op, "ok": True})
            elif op == "select":
                name = cmd.get("name")
                row = next((i for i, h in enumerate(w.hits) if name and h.path.endswith(name)), cmd.get("row", 0))
                w.results.setFocus()
                w.results.setCurrentRow(int(row))
                _say({"op": op, "ok": True, "row": row})
            elif op == "menu":
                menu = w.show_result_menu()
                _say({"op": op, "ok": menu is not None})
            elif op == "settings":
                self.app.open_settings()
                dialog = self.app.settings_dialog
                dialog.move(40, 40)
                dialog.tabs.setCurrentIndex(int(cmd.get("tab", 0)))
                _say({"op": op, "ok": True, "width": dialog.width(), "height": dialog.height(),
                      "tabs": [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]})
            elif op == "close_dialogs":
                for d in (getattr(self.app, "settings_dialog", None), w.context_menu, w.message_box):
                    if d is not None:
                        d.close()
                _say({"op": op, "ok": True})
            elif op == "language":
                from . import i18n

                _say({"op": op, "language": i18n.install(cmd["language"])})
            elif op == "grab":
                target = cmd.get("target", "window")
                screen = w.screen()
                if target == "screen":
                    pm = screen.grabWindow(0)
                elif target == "dialog":
                    pm = self.app.settings_dialog.grab()
                else:
                    pm = screen.grabWindow(w.winId())
                    if pm.isNull() or pm.width() == 0:
                        pm = w.grab()
                ok = pm.save(cmd["path"], "PNG")
                _say({"op": op, "ok": ok, "width": pm.width(), "height": pm.height()})
            elif op == "quit":
                _say({"op": op, "ok": True})
                self.app.quit()
            else:
                _say({"op": op, "error": "unknown command"})
        except Exception as exc:  # the driver gets the reason
            _say({"op": op, "error": repr(exc)})
