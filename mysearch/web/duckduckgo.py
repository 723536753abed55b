"""DuckDuckGo through ``ddgs`` (pinned: its text-search internals change between releases).

We use ddgs's ``duckduckgo`` engine alone, not ``DDGS().text()`` with its default "auto" backend, which
would send the question to several other search engines at once. ddgs 9.16 returns nothing (rather than
raising its ``RatelimitException``) when DuckDuckGo answers with a non-200 status, which is how DuckDuckGo
rate-limits (202, 403 or 429 with a "slow down" page); the small subclass below turns those into
``RateLimited`` so the caller backs off. ``web.proxy`` and ``web.ca_file`` go to ddgs's HTTP client.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from .providers import Offline, Provider, Query, RateLimited, WebSearchError, register

RATE_LIMIT_STATUS = (202, 403, 429)


def _engine(q: Query) -> Any:  # ddgs's class, imported lazily
    from ddgs.engines.duckduckgo import Duckduckgo

    class Engine(Duckduckgo):
        def request(self, *args: Any, **kwargs: Any) -> Any:
            resp = self.http_client.request(*args, **kwargs)
            if resp.status_code in RATE_LIMIT_STATUS:
                raise RateLimited(f"DuckDuckGo is rate-limiting (HTTP {resp.status_code})")
            if resp.status_code != 200:
                raise WebSearchError(f"web search failed: DuckDuckGo answered HTTP {resp.status_code}")
            return resp.text

    timeout = max(0.5, min(q.limits.timeout, q.limits.left()))
    return Engine(proxy=q.limits.proxy or None, timeout=timeout, verify=q.limits.ca_file or True)  # type: ignore[arg-type]


def _unwrap(href: str) -> str:
    """DuckDuckGo's HTML sometimes links through ``//duckduckgo.com/l/?uddg=<address>``."""
    parts = urllib.parse.urlsplit(href if "://" in href else "https:" + href if href.startswith("//") else href)
    if parts.hostname and parts.hostname.endswith("duckduckgo.com") and parts.path.startswith("/l/"):
        target = urllib.parse.parse_qs(parts.query).get("uddg")
        if target:
            return target[0]
    return href


def _search(q: Query) -> list[tuple[str, str, str]]:
    from ddgs.exceptions import DDGSException, RatelimitException, TimeoutException

    try:
        found = _engine(q).search(q.text, region=q.region, safesearch="moderate") or []
    except RatelimitException as exc:
        raise RateLimited(f"DuckDuckGo is rate-limiting ({exc})") from None
    except TimeoutException:
        raise Offline("web search failed: DuckDuckGo did not answer in time") from None
    except DDGSException as exc:
        raise Offline(f"web search failed: DuckDuckGo could not be reached ({str(exc)[:200]})") from None
    return [(r.title, _unwrap(r.href), r.body) for r in found]


register(Provider("duckduckgo", "DuckDuckGo (no key, no server of your own)", _search))
