"""Web results for answers, only when the user turns web search on (``web.enabled``, off by default).

Nothing in mysearch talks to the network unless this is on; then the question (and nothing else: no
file, no passage) goes to the search service the user chose. Each backend is a small provider in a
registry: ``searxng`` (a SearXNG instance's JSON API, e.g. one the user runs themselves) and ``brave``
(the Brave Search API, with the user's key). Results become hits with the page's address as their path,
so answers number and cite them like files, and the app opens them only when clicked.
"""

from __future__ import annotations

import html
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from . import __version__
from .config import Config
from .errors import MySearchError
from .search import Hit

TIMEOUT_S = 8.0
_TAG = re.compile(r"<[^>]+>")


class WebSearchError(MySearchError):
    """The search service could not be reached or answered with something unusable."""


@dataclass(frozen=True)
class WebResult:
    title: str
    url: str
    snippet: str

    def as_hit(self, n: int) -> Hit:
        """A hit for the answer's sources: negative chunk ids never collide with the catalog's."""
        return Hit(
            path=self.url, page=None, label=None, score=0.0, snippet=self.snippet, highlights=[],
            title=self.title, kind="web", modified=0.0, file_id=-1, chunk_id=-n, char_start=0,
            char_end=len(self.snippet), url=self.url, sources=["web"],
        )


@dataclass(frozen=True)
class Provider:
    name: str
    description: str
    default_url: str  # where it is asked when web.url is empty ("" = the user must give one)
    request: Callable[[str, str, int, str], urllib.request.Request]  # (base url, question, n, api key)
    parse: Callable[[dict], list[tuple[str, str, str]]]  # JSON -> (title, url, snippet)


_PROVIDERS: dict[str, Provider] = {}


def register(p: Provider) -> None:
    _PROVIDERS[p.name] = p


def providers() -> list[str]:
    return sorted(_PROVIDERS)


def _get(url: str, headers: dict[str, str] | None = None) -> urllib.request.Request:
    return urllib.request.Request(
        url, headers={"Accept": "application/json", "User-Agent": f"mysearch/{__version__}", **(headers or {})}
    )


register(
    Provider(
        "searxng",
        "a SearXNG instance (its JSON output must be enabled)",
        "",
        lambda base, q, n, key: _get(
            f"{base.rstrip('/')}/search?" + urllib.parse.urlencode({"q": q, "format": "json"})
        ),
        lambda data: [(r.get("title", ""), r.get("url", ""), r.get("content", "")) for r in data.get("results", [])],
    )
)
register(
    Provider(
        "brave",
        "the Brave Search API (needs web.api_key)",
        "https://api.search.brave.com/res/v1/web/search",
        lambda base, q, n, key: _get(
            f"{base}?" + urllib.parse.urlencode({"q": q, "count": n}), {"X-Subscription-Token": key}
        ),
        lambda data: [
            (r.get("title", ""), r.get("url", ""), r.get("description", ""))
            for r in (data.get("web") or {}).get("results", [])
        ],
    )
)


def _text(value: object) -> str:
    """Plain text from a title or snippet (services mark matches with <strong> and escape entities)."""
    return " ".join(html.unescape(_TAG.sub("", str(value or ""))).split())


def search(question: str, provider: str, base_url: str, n: int, api_key: str = "",
           timeout: float = TIMEOUT_S) -> list[WebResult]:
    """The service's top ``n`` web pages for the question, as plain text; only http(s) addresses."""
    try:
        p = _PROVIDERS[provider]
    except KeyError:
        known = ", ".join(providers())
        raise WebSearchError(f"unknown web search provider '{provider}' (available: {known})") from None
    base = base_url.strip() or p.default_url
    if not base:
        raise WebSearchError(f"web search with {provider} needs web.url: the address of {p.description}")
    try:
        with urllib.request.urlopen(p.request(base, question, n, api_key), timeout=timeout) as resp:  # noqa: S310
            data = json.loads(resp.read(2_000_000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        raise WebSearchError(f"web search failed: {provider} answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebSearchError(f"web search failed: {provider} could not be reached ({reason})") from None
    except ValueError:
        raise WebSearchError(f"web search failed: {provider} did not answer with JSON") from None
    try:
        found = p.parse(data if isinstance(data, dict) else {})
    except (AttributeError, TypeError):  # JSON, but not the shape this service documents
        raise WebSearchError(f"web search failed: {provider} answered in an unexpected shape") from None
    out: list[WebResult] = []
    for title, url, snippet in found:
        url = str(url or "")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not _text(snippet):
            continue
        out.append(WebResult(_text(title) or url, url, _text(snippet)))
        if len(out) >= n:
            break
    return out


def for_answer(cfg: Config, question: str) -> list[Hit]:
    """Web hits to answer from, numbered after the files' ones; none at all unless web.enabled."""
    if not cfg.get("web.enabled"):
        return []
    n = cfg.get("web.results")
    results = search(question, cfg.get("web.provider"), cfg.get("web.url"), n, cfg.get("web.api_key"))
    return [r.as_hit(i + 1) for i, r in enumerate(results)]
