"""Web search services behind one small interface, chosen by name (``web.provider``) from a registry.

A provider turns a question into at most ``n`` results (title, address, snippet). It is given a
``Query`` that says where to ask (``web.url``), with what key, through which proxy, trusting which
extra certificate, in which region, and by when it must be done. Built in: ``duckduckgo`` (the default:
no key, no server of one's own; through the ``ddgs`` package), ``searxng`` (a SearXNG instance's JSON
API) and ``brave`` (the Brave Search API, with the user's key). A provider raises ``RateLimited`` when
the service says to slow down, so the caller can back off instead of asking again at once.
"""

from __future__ import annotations

import html
import json
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import MySearchError
from . import fetch as fetching

_TAG = re.compile(r"<[^>]+>")


class WebSearchError(MySearchError):
    """The search service could not be reached or answered with something unusable."""


class RateLimited(WebSearchError):
    """The service asked us to slow down."""


class Offline(WebSearchError):
    """No connection to the service at all (no network, name not resolved, refused, timed out)."""


@dataclass(frozen=True)
class WebResult:
    title: str
    url: str
    snippet: str


@dataclass(frozen=True)
class Query:
    text: str
    n: int
    limits: fetching.Limits
    base_url: str = ""
    api_key: str = ""
    region: str = "wt-wt"  # DuckDuckGo's codes: wt-wt (no region), kr-kr, us-en, ...
    language: str = "en"


@dataclass(frozen=True)
class Provider:
    name: str
    description: str
    search: Callable[[Query], list[tuple[str, str, str]]]  # -> (title, url, snippet)
    needs_url: bool = False
    needs_key: bool = False


_PROVIDERS: dict[str, Provider] = {}


def register(p: Provider) -> None:
    _PROVIDERS[p.name] = p


def providers() -> list[str]:
    return sorted(_PROVIDERS)


def get(name: str) -> Provider:
    if name == "duckduckgo" and name not in _PROVIDERS:
        from . import duckduckgo  # noqa: F401 - registers itself; imports ddgs only when used
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise WebSearchError(f"unknown web search provider '{name}' (available: {', '.join(providers())})") from None


def text(value: object) -> str:
    """Plain text from a title or snippet (services mark matches with <strong> and escape entities)."""
    return " ".join(html.unescape(_TAG.sub("", str(value or ""))).split())


def _json(q: Query, url: str, name: str, headers: dict[str, str] | None = None) -> dict:
    try:
        got = fetching.fetch(url, q.limits, accept=("application/json",), allow_local=True, headers=headers)
    except fetching.FetchFailed as exc:
        reason = str(exc)
        if reason.startswith("HTTP 429"):
            raise RateLimited(f"{name} is rate-limiting") from None
        if reason.startswith("HTTP "):
            raise WebSearchError(f"web search failed: {name} answered {reason}") from None
        raise Offline(f"web search failed: {name} could not be reached ({reason})") from None
    except fetching.FetchRefused as exc:
        if "not a web page" in str(exc):
            raise WebSearchError(f"web search failed: {name} did not answer with JSON") from None
        raise WebSearchError(f"web search failed: {exc}") from None
    try:
        data = json.loads(got.body.decode("utf-8", "replace"))
    except ValueError:
        raise WebSearchError(f"web search failed: {name} did not answer with JSON") from None
    return data if isinstance(data, dict) else {}


def _searxng(q: Query) -> list[tuple[str, str, str]]:
    params = {"q": q.text, "format": "json"}
    if q.language == "ko":
        params["language"] = "ko"
    data = _json(q, f"{q.base_url.rstrip('/')}/search?" + urllib.parse.urlencode(params), "searxng")
    return [(r.get("title", ""), r.get("url", ""), r.get("content", "")) for r in data.get("results", [])]


def _brave(q: Query) -> list[tuple[str, str, str]]:
    base = q.base_url or "https://api.search.brave.com/res/v1/web/search"
    params = {"q": q.text, "count": q.n}
    if q.language == "ko":
        params["country"] = "KR"
    data = _json(q, f"{base}?" + urllib.parse.urlencode(params), "brave", {"X-Subscription-Token": q.api_key})
    return [(r.get("title", ""), r.get("url", ""), r.get("description", ""))
            for r in (data.get("web") or {}).get("results", [])]


register(Provider("searxng", "a SearXNG instance (its JSON output must be enabled)", _searxng, needs_url=True))
register(Provider("brave", "the Brave Search API (needs web.api_key)", _brave, needs_key=True))


def search(q: Query, provider: str) -> list[WebResult]:
    """The service's top ``q.n`` results as plain text; only http(s) addresses, each once."""
    p = get(provider)
    if p.needs_url and not q.base_url.strip():
        raise WebSearchError(f"web search with {provider} needs web.url: the address of {p.description}")
    try:
        found = p.search(q)
    except (AttributeError, TypeError):  # JSON, but not the shape this service documents
        raise WebSearchError(f"web search failed: {provider} answered in an unexpected shape") from None
    out: list[WebResult] = []
    seen: set[str] = set()
    for title, url, snippet in found:
        url = str(url or "")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https") or not text(snippet) or url in seen:
            continue
        seen.add(url)
        out.append(WebResult(text(title) or url, url, text(snippet)))
        if len(out) >= q.n:
            break
    return out
