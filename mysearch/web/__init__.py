"""Web results for answers, only when the user turns web search on (``web.enabled``, or ``ask --web``).

Nothing in mysearch talks to the network unless this is on; then the question (and nothing else: no
file, no passage) goes to the search service chosen by ``web.provider`` (DuckDuckGo by default, see
``providers``), and the top ``web.results`` pages are fetched within ``fetch``'s limits and read with
trafilatura (``pages``). Search and reading share one deadline (``web.deadline_s``); a page that is not
read in time, or cannot be read, is represented by its snippet. Each page offers its passage that holds
most of the question's words; the answer applies the same relevance rule to it as to a file's passage,
numbers it as a source and cites it by title and address. Failures and rate limits are remembered in
the library folder (``backoff``) so the next question does not wait for them again.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from ..answer import prompt
from ..config import Config
from ..search import Hit
from . import backoff, pages
from . import fetch as fetching
from .providers import Offline, Query, RateLimited, WebResult, WebSearchError, providers, register, text

__all__ = [
    "Offline", "Query", "RateLimited", "WebAnswer", "WebPassage", "WebResult", "WebSearchError", "for_answer",
    "limits", "providers", "register", "search", "text",
]


@dataclass
class WebPassage:
    result: WebResult
    title: str
    text: str  # what the model reads: the page's best passage, or the snippet
    coverage: float
    read: bool  # False: the page could not be read in time; the snippet stands in
    reason: str = ""  # why not read
    date: str | None = None

    def as_hit(self, n: int) -> Hit:
        """A hit for the answer's sources; negative chunk ids never collide with the catalog's."""
        return Hit(
            path=self.result.url, page=None, label=None, score=self.coverage, snippet=self.text, highlights=[],
            title=self.title, kind="web", modified=0.0, file_id=-1, chunk_id=-n, char_start=0,
            char_end=len(self.text), url=self.result.url, sources=["web"],
        )


@dataclass
class WebAnswer:
    provider: str
    passages: list[WebPassage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    requested: bool = False  # whether anything was sent at all

    def hits(self) -> list[Hit]:
        return [p.as_hit(i + 1) for i, p in enumerate(self.passages)]


def limits(cfg: Config, deadline: float | None = None) -> fetching.Limits:
    """The fetch limits from the settings; ``deadline`` defaults to ``web.deadline_s`` from now."""
    return fetching.Limits(
        deadline=deadline if deadline is not None else time.monotonic() + cfg.get("web.deadline_s"),
        max_bytes=int(cfg.get("web.page_max_kb") * 1024),
        max_redirects=cfg.get("web.max_redirects"),
        proxy=cfg.get("web.proxy"),
        ca_file=cfg.get("web.ca_file"),
        timeout=cfg.get("web.deadline_s"),
    )


def search(
    cfg: Config, question: str, lim: fetching.Limits | None = None, provider: str | None = None
) -> list[WebResult]:
    """The provider's results for the question (no page is fetched)."""
    lang = prompt.question_language(question)
    q = Query(question, cfg.get("web.results"), lim or limits(cfg), cfg.get("web.url"), cfg.get("web.api_key"),
              "kr-kr" if lang == "ko" else "wt-wt", lang)
    from .providers import search as provider_search

    return provider_search(q, provider or cfg.get("web.provider"))


def _read(question: str, r: WebResult, lim: fetching.Limits) -> WebPassage:
    got = fetching.fetch(r.url, lim)
    page = pages.read(got.body, got.url, r.title)
    passage, coverage = pages.best_passage(question, page.text)
    if not passage:
        raise fetching.FetchRefused("no readable text")
    return WebPassage(r, page.title, passage, coverage, True, date=page.date)


def _snippet(question: str, r: WebResult, reason: str) -> WebPassage:
    snippet, _ = pages.clean(r.snippet)
    _, coverage = pages.best_passage(question, snippet)
    return WebPassage(r, r.title, snippet, coverage, False, reason)


def for_answer(cfg: Config, question: str, home: Path | str | None = None, enabled: bool | None = None) -> WebAnswer:
    """Web passages to answer from, or none: nothing is sent unless web search is on (``enabled``
    overrides ``web.enabled`` for one question). Never raises for the web's failures: they become
    ``warnings`` and the files' answer stands."""
    provider = cfg.get("web.provider")
    out = WebAnswer(provider)
    if not (cfg.get("web.enabled") if enabled is None else enabled):
        return out
    home = Path(home) if home is not None else cfg.home
    if status := backoff.waiting(home, provider):
        out.warnings.append(status)
        return out
    t0 = time.monotonic()
    lim = limits(cfg, t0 + cfg.get("web.deadline_s"))
    out.requested = True
    try:
        results = search(cfg, question, lim, provider)
    except RateLimited:
        wait_s = backoff.failed(home, provider, "rate-limited")
        out.warnings.append(f"web search unavailable: rate-limited, try again in {round(wait_s)} s")
        return out
    except Offline as exc:
        backoff.failed(home, provider, "offline")
        out.warnings.append(f"web search unavailable: offline ({exc})")
        return out
    except WebSearchError as exc:
        out.warnings.append(str(exc))
        return out
    backoff.succeeded(home, provider)
    out.timings["search_ms"] = round((time.monotonic() - t0) * 1000, 1)
    pool = ThreadPoolExecutor(max_workers=max(1, len(results)), thread_name_prefix="mysearch-web")
    futures = [pool.submit(_read, question, r, lim) for r in results]
    wait(futures, timeout=max(0.0, lim.left()))
    pool.shutdown(wait=False, cancel_futures=True)  # a page still loading is cut off by its own time limit
    for r, f in zip(results, futures, strict=True):
        if f.done() and f.exception() is None:
            out.passages.append(f.result())
        else:
            exc = f.exception() if f.done() else None
            out.passages.append(_snippet(question, r, str(exc) if exc else "not read in time"))
    out.timings["web_ms"] = round((time.monotonic() - t0) * 1000, 1)
    out.passages = [p for p in out.passages if p.text]
    return out
