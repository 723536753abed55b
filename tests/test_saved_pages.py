"""`mysearch add URL` against a real local HTTP server (the only network the tests may use)."""

from __future__ import annotations

import http.server
import json
import threading
from pathlib import Path

import pytest
from conftest import run_cli

PAGE = """<!doctype html><html><head><title>Night trains of Europe</title>
<meta property="article:published_time" content="2024-05-02"></head>
<body><nav>Home | About</nav><article><h1>Night trains of Europe</h1>
<p>The sleeper from Vienna to Venice leaves at nine in the evening and arrives after breakfast.</p>
<p>Couchette tickets cost less than a hotel room, and the views over the Alps at dawn are famous.</p>
</article><footer>Copyright</footer></body></html>"""


@pytest.fixture
def site():
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/trains.html":
                body = PAGE.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
            elif self.path == "/empty.html":
                body = b"<html><head><title>x</title></head><body><script>app()</script></body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
            elif self.path == "/file.zip":
                body = b"PK"
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
            else:
                body = b"not here"
                self.send_response(404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_add_url_saves_a_local_copy_that_is_indexed(home, site):
    url = f"{site}/trains.html"
    out = run_cli("add", url, home=home).stdout
    saved = Path(out.split("added ", 1)[1].strip())
    assert saved.parent == home / "Saved pages" and saved.suffix == ".html"
    assert "Night trains of Europe" in saved.name
    # the page as read (main text, title, address, fetch date), not the site's navigation and footer
    kept = saved.read_text("utf-8")
    assert "leaves at nine in the evening" in kept and "Home | About" not in kept and "Copyright" not in kept
    assert f"saved from url=({len(url):04d}){url}" in kept and 'name="mysearch-fetched"' in kept
    assert 'name="date" content="2024-05-02"' in kept
    run_cli("index", home=home)
    hits = json.loads(run_cli("search", "sleeper train Vienna Venice", "-k", "1", "--json", home=home).stdout)["hits"]
    assert hits[0]["path"] == str(saved)
    assert hits[0]["url"] == url and hits[0]["title"] == "Night trains of Europe"
    # saving again replaces the copy instead of duplicating it
    run_cli("add", url, home=home)
    assert len(list((home / "Saved pages").glob("*.html"))) == 1
    st = json.loads(run_cli("status", "--json", home=home).stdout)
    assert st["folders"] == [str(home / "Saved pages")]


def test_fetch_errors_are_one_clear_line(home, site):
    missing = run_cli("add", f"{site}/nope.html", home=home, check=False)
    assert missing.returncode != 0 and "HTTP 404" in missing.stderr and missing.stderr.count("\n") == 1
    binary = run_cli("add", f"{site}/file.zip", home=home, check=False)
    assert binary.returncode != 0 and "not a web page" in binary.stderr
    empty = run_cli("add", f"{site}/empty.html", home=home, check=False)
    assert empty.returncode != 0 and "no readable text" in empty.stderr and not (home / "Saved pages").exists()
    offline = run_cli("add", "http://127.0.0.1:9/x.html", home=home, check=False)
    assert offline.returncode != 0 and "cannot fetch" in offline.stderr


def test_a_saved_page_is_shown_and_cited_as_its_local_copy_with_its_address_beside(home, site, monkeypatch):
    """The page's own claim about where it came from is shown as a separate address, never opened in
    place of the copy that was indexed (a page can declare any URL about itself)."""
    monkeypatch.setenv("MYSEARCH_EMBEDDING__EXTRA", "[]")
    url = f"{site}/trains.html"
    saved = Path(run_cli("add", url, home=home).stdout.split("added ", 1)[1].strip())
    run_cli("index", home=home)
    text = run_cli("search", "sleeper train Vienna Venice", "-k", "1", home=home).stdout.splitlines()
    assert text[0].startswith(f"1. {saved}  [") and text[1] == f"   saved from {url}"

    question = "When does the sleeper from Vienna to Venice leave?"
    cited = json.loads(run_cli("ask", question, "--json", home=home).stdout)["citations"]
    assert cited and cited[0]["path"] == str(saved) and cited[0]["url"] == url
    out = run_cli("ask", question, home=home).stdout
    assert f"[1] {saved}\n    saved from {url}\n" in out
