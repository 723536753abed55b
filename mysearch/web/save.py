"""Keeping a page a web search found: "Save to library" in the app (``save_result``).

The page is fetched again under the same rules as for answers (no local addresses, size and redirect
limits, ``web.proxy``), read with trafilatura, and stored as a small HTML file in the library's "Saved
pages" folder: its main text, title, source URL (the browser-style ``saved from url`` marker, which the
web extractor reads back) and the date it was fetched. That folder is an indexed folder, so the page is
then searched and cited like any saved page, from the local copy, without going back to the site.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from .. import saved_pages
from . import fetch as fetching
from . import limits, pages

if TYPE_CHECKING:
    from ..library import Library

SAVE_TIMEOUT_S = 20.0


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


def save_result(lib: Library, url: str, title: str = "") -> Path:
    """Store the page at ``url`` (a web result) in "Saved pages" and make sure that folder is indexed."""
    cfg = lib.config
    lim = limits(cfg, time.monotonic() + SAVE_TIMEOUT_S)
    got = fetching.fetch(url, lim)
    page = pages.read(got.body, got.url, title)
    folder = saved_pages.saved_pages_folder(lib.home)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha1(page.url.encode()).hexdigest()[:8]
    for old in folder.glob(f"* {digest}.html"):
        old.unlink()
    slug = re.sub(r"[^\w\- ]+", "", page.title, flags=re.UNICODE).strip()[:80] or "page"
    target = folder / f"{slug} {digest}.html"
    tmp = target.with_suffix(".part")
    tmp.write_text(page_html(page, datetime.now(UTC)), "utf-8")
    tmp.replace(target)
    folders = lib.folders()
    if str(folder) not in folders:
        cfg.set("folders", [*folders, str(folder)])
    return target
