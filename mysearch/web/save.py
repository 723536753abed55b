"""Keeping a web page: `mysearch add URL` and "Save to library" on a web citation in the app.

Both take one path. The page is fetched under the web rules (size and redirect limits, an honest
User-Agent, no cookies, ``web.proxy``), read with trafilatura, and stored as a small HTML file in the
library's "Saved pages" folder: its main text, title, source URL (the browser-style ``saved from url``
marker, which the web extractor reads back) and the date it was fetched. That folder is an indexed
folder, so the page is then searched and cited like any saved page, from the local copy, without going
back to the site. An address the user typed may be on their own network (an intranet wiki); an address
that came from a web search result may not (``asked=False``), as for answers.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from .. import saved_pages
from ..config import Config
from ..saved_pages import FetchError
from ..sources.base import ExtractionError
from . import fetch as fetching
from . import limits, pages

SAVE_TIMEOUT_S = 20.0
SAVE_MAX_BYTES = 20 * 2**20  # a page kept on purpose may be larger than one read for an answer


def page_html(page: pages.Page, fetched: datetime) -> str:
    paras = "".join(f"<p>{html.escape(p)}</p>\n" for p in page.text.split("\n") if p.strip())
    date = f'<meta name="date" content="{html.escape(page.date)}">' if page.date else ""
    return (
        f"<!-- saved from url=({len(page.url):04d}){page.url} -->\n<!doctype html>\n<html><head>"
        f'<meta charset="utf-8"><title>{html.escape(page.title)}</title>{date}'
        f'<meta name="mysearch-fetched" content="{fetched.isoformat(timespec="seconds")}">'
        f'<link rel="canonical" href="{html.escape(page.url)}"></head>\n<body><article>\n'
        f"<h1>{html.escape(page.title)}</h1>\n{paras}</article></body></html>\n"
    )


def save_page(cfg: Config, home: Path, url: str, title: str = "", *, asked: bool = True) -> Path:
    """Fetch ``url``, store its extracted page in "Saved pages" and return the file; saving the same
    address again replaces the earlier copy. Raises ``FetchError`` with one clear line."""
    lim = replace(limits(cfg, time.monotonic() + SAVE_TIMEOUT_S), max_bytes=SAVE_MAX_BYTES, timeout=SAVE_TIMEOUT_S)
    try:
        got = fetching.fetch(url, lim, allow_local=asked)
    except fetching.FetchRefused as exc:
        raise FetchError(f"cannot save {url}: {exc}") from None
    except fetching.FetchFailed as exc:
        hint = "" if str(exc).startswith("HTTP ") else " (are you online?)"
        raise FetchError(f"cannot fetch {url}: {exc}{hint}") from None
    try:
        page = pages.read(got.body, got.url, title)
    except ExtractionError as exc:  # e.g. a page drawn by scripts: nothing to keep
        raise FetchError(f"cannot save {url}: the page has no readable text ({exc})") from None
    if not page.text.strip():
        raise FetchError(f"cannot save {url}: the page has no readable text")
    folder = saved_pages.saved_pages_folder(home)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(page.url.encode()).hexdigest()[:8]
    slug = re.sub(r"[^\w\- ]+", "", page.title, flags=re.UNICODE).strip()[:80] or "page"
    target = folder / f"{slug} {digest}.html"
    tmp = folder / f".{digest}.part"
    tmp.write_text(page_html(page, datetime.now(UTC)), "utf-8")
    tmp.replace(target)
    for old in folder.glob(f"* {digest}.html"):  # an earlier copy under an older title
        if old != target:
            old.unlink()
    return target


def save_result(cfg: Config, home: Path, url: str, title: str = "") -> Path:
    """Store a web result's page (the app's "Save to library") and make sure that folder is indexed."""
    target = save_page(cfg, home, url, title, asked=False)
    folder = str(saved_pages.saved_pages_folder(home))
    folders = list(cfg.get("folders"))
    if folder not in folders:
        cfg.set("folders", [*folders, folder])
    return target
