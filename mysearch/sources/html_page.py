"""Saved web pages (``.html``, ``.htm``) and web archives (``.mhtml``, ``.mht``).

trafilatura keeps the article and drops menus, footers and cookie banners, which is what a search hit
should quote. It returns nothing for some pages (very short ones, odd markup); then the whole visible
body text is used, so a page is never silently empty. The page's own URL matters for citations: browsers
record it in a ``saved from url`` comment or a canonical link, MHTML files in a MIME header.

A browser saves ``page.html`` next to a ``page_files/`` folder of styles, scripts and images; those are
parts of the page, not documents, and ``is_saved_page_asset`` tells the scanner to leave them out.
"""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section, SkipFile
from mysearch.sources.registry import register

HTML_EXTENSIONS = (".html", ".htm", ".xhtml")
MHTML_EXTENSIONS = (".mhtml", ".mht")
MAX_HTML_BYTES = 32 * 1024 * 1024
_PAGE_SUFFIXES = (".html", ".htm")
_URL_COMMENTS = (
    re.compile(rb"<!--\s*saved from url=\(\d+\)\s*(\S+?)\s*-->", re.IGNORECASE),  # IE, Chrome, Edge
    re.compile(rb"<!--\s*Page saved with SingleFile\s+url:\s*(\S+)", re.IGNORECASE),
)
_COMMENT_SCAN_BYTES = 4096


def is_saved_page_asset(path: Path) -> bool:
    """True for files inside the ``<stem>_files`` folder a browser saved next to ``<stem>.html``."""
    path = Path(path)
    for folder in path.parents:
        name = folder.name
        if len(name) > 6 and name[-6:].lower() == "_files":
            stem = name[:-6]
            if any((folder.parent / f"{stem}{suffix}").is_file() for suffix in _PAGE_SUFFIXES):
                return True
    return False


def saved_from_url(html: bytes) -> str | None:
    """The address a browser wrote into the page when saving it, if it did."""
    head = html[:_COMMENT_SCAN_BYTES]
    for pattern in _URL_COMMENTS:
        if match := pattern.search(head):
            url = match.group(1).decode("ascii", "replace")
            if url.lower().startswith(("http://", "https://", "ftp://")):
                return url
    return None


def html_document(html: bytes | str, url: str | None = None, kind: str = "html") -> Document:
    """Main text, title, date and URL of one HTML page; ``url`` is what the caller already knows."""
    import trafilatura

    raw = html.encode("utf-8", "replace") if isinstance(html, str) else html
    url = url or saved_from_url(raw)
    from trafilatura.settings import set_date_params

    # No extensive date search: it turns a "© 2024" footer into 2024-01-01, and a wrong date is
    # worse than none when the user filters by date.
    result = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        date_extraction_params=set_date_params(extensive=False),
    )
    text = (result.text or "") if result is not None else ""
    title = result.title if result is not None else None
    date = result.date if result is not None else None
    found_url = result.url if result is not None else None
    if not text.strip():
        text, fallback_title = _body_text(html)
        title = title or fallback_title
    if not text.strip():
        raise SkipFile("no text found in web page")
    return Document(sections=[Section(text)], title=title, url=url or found_url, date=date, kind=kind)


def _body_text(html: bytes | str) -> tuple[str, str | None]:
    """Every visible word of the page, for pages trafilatura finds no article in."""
    import lxml.etree
    import lxml.html

    from mysearch.sources.html_text import element_text

    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return "", None
    body = root.find("body")
    title = root.findtext(".//title")
    return element_text(body if body is not None else root), (title.strip() or None) if title else None


def mhtml_html(data: bytes) -> tuple[bytes | str, str | None]:
    """The first HTML part of a web archive and the page's original URL."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    url = message.get("Snapshot-Content-Location")
    for part in message.walk():
        if part.get_content_type() != "text/html":
            continue
        payload = part.get_payload(decode=True)
        if not payload:
            continue
        url = url or part.get("Content-Location") or message.get("Content-Location")
        charset = part.get_content_charset()
        if charset:
            try:
                return _strip_xml_declaration(payload.decode(charset)), url
            except (LookupError, UnicodeDecodeError):
                pass
        return payload, url
    raise ExtractionError("damaged web archive: no HTML part found")


def _strip_xml_declaration(html: str) -> str:
    # lxml refuses str input that declares its own encoding; the MIME header already decoded it.
    return re.sub(r"^\s*<\?xml[^>]*\?>", "", html, count=1)


class WebPageExtractor:
    kind = "web"
    extensions = HTML_EXTENSIONS + MHTML_EXTENSIONS

    def extract(self, path: Path) -> Document:
        path = Path(path)
        if path.stat().st_size > MAX_HTML_BYTES:
            raise SkipFile(f"web page too large (over {MAX_HTML_BYTES // (1024 * 1024)} MiB)")
        data = path.read_bytes()
        if not data.strip():
            raise SkipFile("empty file")
        if path.suffix.lower() in MHTML_EXTENSIONS:
            html, url = mhtml_html(data)
            return html_document(html, url=url, kind="mhtml")
        return html_document(data, kind="html")


register(WebPageExtractor())
