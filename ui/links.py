"""Which links the app may open, and how: only after a click, only local indexed files or web pages.

A citation ``[n]`` becomes a ``file:`` URL for the cited file, with ``#page=N`` for PDFs (the fragment
PDF viewers understand). ``LinkPolicy.check`` refuses everything else (``javascript:``, ``data:``,
``ftp:``, files that are not in the index, ...). Opening goes through an ``opener`` callable, by default
``QDesktopServices.openUrl``; tests pass their own and assert the exact URL, or keep the default and
control the desktop's launcher (``xdg-open`` on ``PATH`` or not). The desktop may have no program for a
file: ``open`` then says ``FAILED`` and the window offers the containing folder or the path instead of
failing silently.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

log = logging.getLogger(__name__)

Opener = Callable[[QUrl], object]

OPENED, REFUSED, FAILED = "opened", "refused", "failed"


def file_url(path: str, page: int | None = None) -> QUrl:
    """``file:`` URL of a local file; PDFs get ``#page=N`` so the viewer opens at the cited page."""
    url = QUrl.fromLocalFile(os.path.abspath(path))
    if page and path.lower().endswith(".pdf"):
        url.setFragment(f"page={int(page)}")
    return url


class LinkPolicy:
    """Opens a URL only if it is ``http(s):`` or a ``file:`` URL of an indexed file."""

    def __init__(self, is_indexed: Callable[[str], bool], opener: Opener | None = None) -> None:
        self.is_indexed = is_indexed
        self.opener: Opener = opener or QDesktopServices.openUrl
        self.refused: list[str] = []  # what was refused, for the log and for tests

    def check(self, url: QUrl) -> bool:
        scheme = url.scheme().lower()
        if scheme in ("http", "https"):
            return bool(url.host())
        if scheme == "file" and url.isLocalFile():
            path = url.toLocalFile()
            return os.path.isfile(path) and self.is_indexed(os.path.abspath(path))
        return False

    def open(self, url: QUrl) -> str:
        """Open the URL if allowed: OPENED, REFUSED (not allowed) or FAILED (the desktop could not)."""
        if not self.check(url):
            self.refused.append(url.toString())
            log.warning("refused to open %s", url.toString())
            return REFUSED
        return self.launch(url)

    def open_folder(self, path: str) -> str:
        """The folder that holds an indexed file (the file selected in it where the desktop can)."""
        if not self.check(QUrl.fromLocalFile(os.path.abspath(path))):
            self.refused.append(path)
            return REFUSED
        return self.launch(QUrl.fromLocalFile(os.path.dirname(os.path.abspath(path))))

    def launch(self, url: QUrl) -> str:
        """The one place the desktop is asked to open something. ``QDesktopServices.openUrl`` says
        False when no program can open it (no ``xdg-open``, no handler); an opener that returns
        nothing counts as done."""
        if self.opener(url) is False:
            log.warning("the desktop could not open %s", url.toString())
            return FAILED
        return OPENED
