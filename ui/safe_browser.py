"""A ``QTextBrowser`` that never loads anything by itself.

Answers and previews are built by us as escaped HTML, but the text inside comes from files and a
model, so the view is hardened anyway: no resource is ever loaded (no remote or local images, no
style sheets), Qt's rich text runs no scripts, and links are not followed: a click emits
``linkActivated`` with the URL and the window decides (through ``LinkPolicy``).
"""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QTextBrowser, QWidget


class SafeBrowser(QTextBrowser):
    linkActivated = Signal(QUrl)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self.linkActivated.emit)
        self.blocked: list[str] = []

    def loadResource(self, kind: int, url: QUrl) -> object:  # Qt override
        self.blocked.append(url.toString())
        return None
