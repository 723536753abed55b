"""Web search for answers, against a local HTTP server standing in for the search services (the only
fake here: the internet is not reachable). The answers use the real model and a real library."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from mysearch import answer, websearch
from mysearch.websearch import WebSearchError

FESTIVAL = (
    "The Zorblat lantern festival is held every February in the harbour town of Tromsø, Norway, "
    "where <strong>thousands of paper lanterns</strong> are floated on the water."
)


class SearchService:
    """A SearXNG-like and a Brave-like JSON API on one local port; it records every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.status = 200
        self.body: bytes | None = None
        service = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                service.requests.append((url.path, query, dict(self.headers)))
                if service.body is not None:
                    body = service.body
                elif url.path == "/search":  # SearXNG
                    body = json.dumps({"results": [
                        {"title": "Zorblat <b>festival</b>", "url": "https://example.org/zorblat", "content": FESTIVAL},
                        {"title": "Bad link", "url": "javascript:alert(1)", "content": "Zorblat festival tickets"},
                        {"title": "Empty", "url": "https://example.org/empty", "content": ""},
                        {"title": "Other", "url": "http://example.net/other", "content": "Lanterns &amp; boats."},
                    ]}).encode()
                else:  # Brave
                    body = json.dumps({"web": {"results": [
                        {"title": "Zorblat", "url": "https://example.org/zorblat", "description": FESTIVAL},
                    ]}}).encode()
                self.send_response(service.status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def service() -> Iterator[SearchService]:
    s = SearchService()
    yield s
    s.close()


def test_searxng_results_become_plain_text_web_pages(service):
    results = websearch.search("zorblat festival", "searxng", service.url + "/", 5)
    assert [r.url for r in results] == ["https://example.org/zorblat", "http://example.net/other"]
    assert results[0].title == "Zorblat festival"  # tags stripped
    assert "<strong>" not in results[0].snippet and "thousands of paper lanterns" in results[0].snippet
    assert results[1].snippet == "Lanterns & boats."  # entities decoded
    path, query, _headers = service.requests[0]
    assert path == "/search" and query == {"q": ["zorblat festival"], "format": ["json"]}
    assert len(websearch.search("zorblat festival", "searxng", service.url, 1)) == 1  # at most n
    hit = results[0].as_hit(1)
    assert (hit.path, hit.url, hit.kind, hit.chunk_id) == ("https://example.org/zorblat",) * 2 + ("web", -1)


def test_brave_sends_the_key_and_the_count(service):
    results = websearch.search("zorblat", "brave", service.url + "/res/v1/web/search", 2, api_key="k-123")
    assert [r.url for r in results] == ["https://example.org/zorblat"]
    path, query, headers = service.requests[0]
    assert path == "/res/v1/web/search" and query == {"q": ["zorblat"], "count": ["2"]}
    assert headers["X-Subscription-Token"] == "k-123"


def test_failures_are_one_clear_error(service):
    service.status = 500
    with pytest.raises(WebSearchError, match="HTTP 500"):
        websearch.search("q", "searxng", service.url, 3)
    service.status, service.body = 200, b"<html>not json</html>"
    with pytest.raises(WebSearchError, match="did not answer with JSON"):
        websearch.search("q", "searxng", service.url, 3)
    service.body = json.dumps({"results": ["not an object"]}).encode()
    with pytest.raises(WebSearchError, match="unexpected shape"):
        websearch.search("q", "searxng", service.url, 3)
    closed = SearchService()
    closed.close()  # a port nobody listens on any more
    with pytest.raises(WebSearchError, match="could not be reached"):
        websearch.search("q", "searxng", closed.url, 3, timeout=2)
    with pytest.raises(WebSearchError, match="needs web.url"):
        websearch.search("q", "searxng", "", 3)
    with pytest.raises(WebSearchError, match="unknown web search provider"):
        websearch.search("q", "altavista", service.url, 3)


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    from mysearch.library import Library

    root = tmp_path_factory.mktemp("web")
    docs = root / "docs"
    docs.mkdir()
    (docs / "boiler.txt").write_text(
        "Boiler maintenance log\nThe boiler in the basement was serviced on 12 March 2024 by Hanson Heating.\n",
        "utf-8",
    )
    lib = Library.open(root / "home")
    lib.add([str(docs)])
    lib.index()
    yield lib
    lib.close()


def _answer(lib, question: str) -> tuple[list, answer.Answer]:  # noqa: ANN001
    events = list(answer.ask(lib, question))
    return events, events[-1].answer


def test_web_is_asked_only_when_turned_on_and_its_pages_are_cited(library, service):
    question = "Where is the Zorblat lantern festival held?"
    library.config.set("web.url", service.url)
    library.config.set("web.enabled", False)  # the default
    _events, off = _answer(library, question)
    assert service.requests == []  # nothing left the machine
    assert off.abstained and not off.warnings

    library.config.set("web.enabled", True)
    try:
        events, on = _answer(library, question)
    finally:
        library.config.set("web.enabled", False)
    assert [q["q"] for _p, q, _h in service.requests] == [[question]]  # the question and nothing else
    assert any(h.url == "https://example.org/zorblat" for h in events[0].hits)  # shown as a source
    assert not on.abstained and "Tromsø" in on.text, on.raw
    cited = {c.url for c in on.citations}
    assert cited == {"https://example.org/zorblat"}
    assert all(f"[{c.n}]" in on.text for c in on.citations)


def test_an_unreachable_web_service_leaves_the_files_answer(library, service):
    library.config.set("web.url", service.url)
    service.status = 503
    library.config.set("web.enabled", True)
    try:
        _events, a = _answer(library, "When was the boiler serviced?")
    finally:
        library.config.set("web.enabled", False)
    assert not a.abstained and ("12 March 2024" in a.text or "March 12, 2024" in a.text), a.text
    assert [Path(c.path).name for c in a.citations] == ["boiler.txt"]
    assert a.warnings == ["web search failed: searxng answered HTTP 503"]
    assert a.as_json()["warnings"] == a.warnings
