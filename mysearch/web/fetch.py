"""Fetching what a web search returned, within limits the user can rely on.

A result page is untrusted: it may be slow, huge, not a web page at all, redirect forever, or point at
the user's own machine or network (a router's admin page, a local service) to make mysearch reach it
for someone else. So every fetch here: only ``http``/``https``; an honest User-Agent; no cookies kept;
at most ``web.max_redirects`` redirects, each checked like the first address; at most
``web.page_max_kb`` of body; only HTML content types; a time limit that never passes the caller's
deadline; and no connection to a loopback, private, link-local or otherwise non-public address.

That last rule is checked on the address actually connected to (after DNS), so a public name that
resolves to ``127.0.0.1`` is refused too. With ``web.proxy`` set, the proxy makes the connections; then
the page's host is checked as written (an IP literal or ``localhost``) and the proxy itself, which the
user chose, may be local. That is also how the tests reach their local servers: they set ``web.proxy``
to a local proxy and use made-up public-looking names, so the rule is never switched off.
"""

from __future__ import annotations

import http.client
import ipaddress
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .. import __version__
from ..errors import MySearchError

USER_AGENT = f"mysearch/{__version__} (personal desktop search; reads pages a user's question found)"
HTML_TYPES = ("text/html", "application/xhtml+xml")
_READ = 64 * 1024


class FetchRefused(MySearchError):
    """The address may not be fetched (scheme, local network, content type, size, redirects)."""


class FetchFailed(MySearchError):
    """The page could not be fetched (network, timeout, HTTP error)."""


@dataclass(frozen=True)
class Limits:
    deadline: float  # time.monotonic() after which nothing more is read
    max_bytes: int = 2 * 2**20
    max_redirects: int = 5
    proxy: str = ""
    ca_file: str = ""
    timeout: float = 5.0  # per connect/read, never past the deadline

    def left(self) -> float:
        return self.deadline - time.monotonic()


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    content_type: str
    body: bytes


def is_local_address(ip: str) -> bool:
    """True for any address that is not on the public internet (loopback, private, link-local, ...)."""
    try:
        addr = ipaddress.ip_address(ip.split("%")[0])
    except ValueError:
        return False
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not addr.is_global or addr.is_multicast


def check_url(url: str) -> str:
    """The URL if it may be asked for at all; the host's address is checked again on connecting."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"not an http(s) address: {url[:80]}")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise FetchRefused(f"no host in {url[:80]}")
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")) or is_local_address(host):
        raise FetchRefused(f"{host} is on this computer or its local network: not fetched")
    if parts.username or parts.password:
        raise FetchRefused("addresses with credentials are not fetched")
    return url


def _guarded(base: type[http.client.HTTPConnection]) -> type[http.client.HTTPConnection]:
    class Guarded(base):  # type: ignore[valid-type, misc]
        def connect(self) -> None:
            super().connect()
            peer = self.sock.getpeername()[0]
            if is_local_address(peer):
                self.close()
                raise FetchRefused(f"{self.host} resolves to a local address ({peer}): not fetched")

    return Guarded


_GuardedHTTP = _guarded(http.client.HTTPConnection)
_GuardedHTTPS = _guarded(http.client.HTTPSConnection)


class _HTTP(urllib.request.HTTPHandler):
    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTP, req)


class _HTTPS(urllib.request.HTTPSHandler):
    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(_GuardedHTTPS, req, context=self._context)  # type: ignore[attr-defined]


class _Redirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, limit: int) -> None:
        self.max_redirections = limit
        self.max_repeats = 2

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_url(newurl)  # a redirect is a new address: the same rules
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def tls_context(ca_file: str = "") -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca_file or None)


def opener(limits: Limits, allow_local: bool = False) -> urllib.request.OpenerDirector:
    """No cookie jar, no environment proxies: only ``web.proxy``; local peers refused unless asked."""
    ctx = tls_context(limits.ca_file)
    proxies = {"http": limits.proxy, "https": limits.proxy} if limits.proxy else {}
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.ProxyHandler(proxies),
        _Redirects(limits.max_redirects),
    ]
    if allow_local or limits.proxy:  # a proxy is the user's choice; the page host was checked as written
        handlers += [urllib.request.HTTPHandler(), urllib.request.HTTPSHandler(context=ctx)]
    else:
        handlers += [_HTTP(), _HTTPS(context=ctx)]
    return urllib.request.build_opener(*handlers)


def fetch(url: str, limits: Limits, *, accept: tuple[str, ...] = HTML_TYPES, allow_local: bool = False,
          data: bytes | None = None, headers: dict[str, str] | None = None) -> Fetched:
    """One page within ``limits``; ``allow_local`` only for the search service the user configured."""
    if not allow_local:
        check_url(url)
    elif urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchRefused(f"not an http(s) address: {url[:80]}")
    left = limits.left()
    if left <= 0:
        raise FetchFailed("out of time")
    req = urllib.request.Request(url, data=data, headers={"User-Agent": USER_AGENT, "Accept": ", ".join(accept),
                                                           **(headers or {})})
    try:
        resp = opener(limits, allow_local).open(req, timeout=min(limits.timeout, left))
    except FetchRefused:
        raise
    except urllib.error.HTTPError as exc:
        if exc.code in (301, 302, 303, 307, 308):
            raise FetchRefused(f"too many redirects from {url[:80]}") from None
        raise FetchFailed(f"HTTP {exc.code}") from exc
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FetchRefused):
            raise exc.reason from None
        raise FetchFailed(str(exc.reason)) from None
    except (TimeoutError, OSError, http.client.HTTPException) as exc:
        if isinstance(exc.__context__, FetchRefused):
            raise exc.__context__ from None
        raise FetchFailed(str(exc) or type(exc).__name__) from None
    with resp:
        ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype not in accept:
            raise FetchRefused(f"not a web page ({ctype or 'no content type'})")
        length = resp.headers.get("Content-Length")
        if length and length.isdigit() and int(length) > limits.max_bytes:
            raise FetchRefused(f"larger than {limits.max_bytes // 1024} KiB")
        parts, size = [], 0
        try:
            while True:
                if limits.left() <= 0:
                    raise FetchFailed("out of time")
                block = resp.read1(_READ)
                if not block:
                    break
                size += len(block)
                if size > limits.max_bytes:
                    raise FetchRefused(f"larger than {limits.max_bytes // 1024} KiB")
                parts.append(block)
        except (TimeoutError, OSError, http.client.HTTPException) as exc:
            raise FetchFailed(str(exc) or "timed out") from None
        return Fetched(resp.geturl(), ctype, b"".join(parts))
