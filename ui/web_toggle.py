"""The web toggle beside Ask: whether this question also goes to the web, and to which service.

Checked, the next question is sent to the service in ``web.provider`` (the tooltip names it) and the
answer may cite web pages; unchecked, nothing leaves the computer. It starts as ``web.enabled`` says
and overrides it per question (``mysearch.answer.ask(web_search=...)``), like ``ask --web/--no-web``.
Its menu lists the web pages the last answer cited, each with "Save to library": the page is fetched
again under the same limits, stored in "Saved pages" (``mysearch.web.save``) and indexed by the
library's owner like any saved page.

The few strings here carry their own Korean (the app's catalogue is ``lang_ko``; this keeps the toggle
self-contained).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from mysearch.client import Client

from .i18n import tr as _t

if TYPE_CHECKING:
    from .window import MainWindow

PROVIDER_NAMES = {"duckduckgo": "DuckDuckGo", "searxng": "SearXNG", "brave": "Brave Search"}


def web_mark(path: str) -> str:
    """What goes before a source's name in the answer pane when it is a web page found for the answer
    (a saved page's path is its local copy, so it is not marked)."""
    return _t("Web") + " · " if path.startswith(("http://", "https://")) else ""


class WebToggle(QToolButton):
    def __init__(self, client: Client, window: MainWindow | QWidget) -> None:
        super().__init__(window)
        self.client = client
        self.window_ = window
        self.cited: list[Any] = []  # the last answer's web citations
        self.setObjectName("web-toggle")
        self.setCheckable(True)
        self.setChecked(bool(client.config.get("web.enabled")))
        self.menu_ = QMenu(self)
        self.setMenu(self.menu_)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.toggled.connect(lambda _on: self.retranslate())
        answered = getattr(window, "answerFinished", None)
        if answered is not None:
            answered.connect(self.answered)
        self.retranslate()

    def service(self) -> str:
        name = self.client.config.get("web.provider")
        return PROVIDER_NAMES.get(name, name)

    def choice(self) -> bool:
        """For this question: search the web or not."""
        return self.isChecked()

    def retranslate(self) -> None:
        self.setText(_t("Web"))
        self.setToolTip(_t("Web search on: this question is sent to {service}").format(service=self.service())
                        if self.isChecked() else _t("Web search off: nothing leaves this computer"))
        self._fill_menu()

    def changeEvent(self, event: QEvent) -> None:  # Qt override
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def answered(self, answer: Any) -> None:  # mysearch.answer.Answer or None
        self.cited = [c for c in getattr(answer, "citations", None) or [] if getattr(c, "web", False)]
        self._fill_menu()

    def _fill_menu(self) -> None:
        self.menu_.clear()
        for c in self.cited:
            action = self.menu_.addAction(_t("Save to library: {title}").format(title=c.title or c.url))
            action.setData(c.url)
            action.triggered.connect(lambda _checked=False, c=c: self.save(c.url, c.title or ""))
        self.menu_.setEnabled(bool(self.cited))

    def save(self, url: str, title: str = "") -> None:
        """Fetch and keep the page on the window's worker thread; the owner then indexes it."""
        w = self.window_
        client = self.client

        def work() -> Any:
            return client.save_result(url, title)

        def done(_path: Any) -> None:
            state = getattr(w, "answer_state", None)
            if state is not None:
                state.setText(_t("Saved “{title}” to your library.").format(title=title or url))

        def failed(exc: object) -> None:
            if hasattr(w, "show_error"):
                w.show_error(_t("Could not save the page: {reason}").format(reason=exc))

        runner = getattr(w, "runner", None)
        if runner is None:
            done(work())
        else:
            runner.submit(work, done=done, failed=failed)
