"""Markup and data files read as the text they hold, not as their markup.

An RSS feed indexed as raw XML turns into chunks of ``href="https://...&amp;data=05%7C02..."``: they
match no one's words, yet sit near every query in embedding space and were returned for everything. So:

- XML and its dialects (RSS, Atom, SVG, plist, KML, GPX, OPML, XHTML ...): the text nodes, one per line,
  plus the attributes that carry words (title, alt, label ...); HTML escaped inside a text node (an RSS
  ``<description>``) is parsed as HTML and read as text.
- JSON and JSON Lines: the string and number values, each with its key (``invoice_number: 4711`` is
  findable by either), keys of values that are only structure left out.
- YAML, TOML and the like stay text, cleaned the same way.

Everywhere, base64 blobs are dropped and long URLs are cut to their site and path, without the
tracking parameters. A file that does not parse is read as text, cleaned the same way.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from mysearch.sources.base import Document, Section, SkipFile
from mysearch.sources.registry import register
from mysearch.sources.text import MAX_TEXT_BYTES, decode_text

XML_EXTENSIONS = (
    ".xml", ".rss", ".atom", ".rdf", ".svg", ".plist", ".kml", ".gpx", ".opml", ".xhtml", ".xsd", ".xsl",
    ".xslt", ".wsdl", ".xlf", ".xliff", ".resx", ".nuspec", ".csproj", ".vcxproj", ".fodt", ".fods",
)  # fmt: skip
JSON_EXTENSIONS = (".json", ".jsonl", ".ndjson", ".geojson", ".webmanifest")
CLEANED_TEXT_EXTENSIONS = (".yaml", ".yml", ".toml")

# Attributes whose values are words a person would search for; others (ids, styles, hrefs) are markup.
WORD_ATTRIBUTES = frozenset(
    "title alt label summary description caption name text value content subject author placeholder".split()
)
LONG_URL = 60  # characters: longer URLs are cut to site and path
MAX_PATH = 40  # characters of the path kept from a long URL

_BASE64 = re.compile(r"(?:data:[\w/+.-]+;base64,)?[A-Za-z0-9+/]{60,}={0,2}")
_URL = re.compile(r"\b(?:https?|ftp)://[^\s<>\"']+")
_HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>")
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def clean_text(text: str) -> str:
    """Text without base64 blobs, with long URLs cut to their site and path (tracking parameters are
    noise that the meaning side still embeds)."""
    text = _URL.sub(_short_url, text)  # first: a blob cut out of a URL would leave its tail behind
    return _BASE64.sub(_blob, text)


def _blob(m: re.Match[str]) -> str:
    s = m.group()
    if s.startswith("data:"):
        return " "
    # a long run of letters alone is a word list or a name, not base64: a blob mixes cases and digits
    mixed = any(c.isdigit() or c in "+/" for c in s) and any(c.isupper() for c in s) and any(c.islower() for c in s)
    return " " if mixed else s


def _short_url(m: re.Match[str]) -> str:
    url = m.group()
    if len(url) <= LONG_URL and "?" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return " "
    path = parts.path if len(parts.path) <= MAX_PATH else parts.path[:MAX_PATH].rsplit("/", 1)[0]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _tidy(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _read(path: Path) -> str:
    with open(path, "rb") as f:
        data = f.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise SkipFile(f"file too large (over {MAX_TEXT_BYTES // (1024 * 1024)} MiB)")
    return decode_text(data)


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment (an RSS item's description)."""
    import lxml.html

    from mysearch.sources.html_text import element_text

    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on broken markup; keep the words
        return _HTML_TAG.sub(" ", fragment)
    words = [v.strip() for el in root.iter("img", "a", "abbr") for a in ("alt", "title") if (v := el.get(a))]
    return "\n".join([element_text(root), *words])


def xml_text(data: bytes) -> tuple[str, str | None]:
    """(text, title) of an XML document: text nodes, word-carrying attributes, HTML inside read as text."""
    from lxml import etree

    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
    )
    root = etree.fromstring(data, parser)
    if root is None:
        raise ValueError("no XML element")
    lines: list[str] = []

    def add(piece: str | None) -> None:
        if piece and piece.strip():
            s = piece.strip()
            lines.append(html_to_text(s) if _HTML_TAG.search(s) else s)

    def walk(el) -> None:  # an lxml element; document order: text, children, each child's tail
        if isinstance(el.tag, str) and etree.QName(el).localname.lower() not in ("script", "style"):
            for attr, value in el.attrib.items():
                if etree.QName(attr).localname.lower() in WORD_ATTRIBUTES and value.strip():
                    lines.append(value.strip())
            add(el.text)
            for child in el:
                walk(child)
                add(child.tail)

    walk(root)
    title = next((t.text.strip() for t in root.iter("{*}title", "title") if t.text and t.text.strip()), None)
    return _tidy(clean_text("\n".join(lines))), title


def json_text(value: object, key: str | None = None, out: list[str] | None = None) -> list[str]:
    """One line per string or number: ``key: value`` (the key helps: ``invoice_number: 4711``)."""
    out = [] if out is None else out
    if isinstance(value, dict):
        for k, v in value.items():
            json_text(v, str(k), out)
    elif isinstance(value, list):
        for v in value:
            json_text(v, key, out)
    elif isinstance(value, str):
        s = value.strip()
        if s:
            s = html_to_text(s) if _HTML_TAG.search(s) else s
            s = clean_text(s).strip()
            if s:
                out.append(f"{_words_of(key)}: {s}" if key and not key.isdigit() else s)
    elif isinstance(value, bool) or value is None:
        pass  # true/false/null say nothing a person searches for
    elif isinstance(value, int | float):
        out.append(f"{_words_of(key)}: {value}" if key else str(value))
    return out


def _words_of(key: str) -> str:
    """A key as words: ``invoiceNumber`` and ``invoice_number`` read as "invoice number"."""
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key).replace("_", " ").strip().lower()


class XmlExtractor:
    kind = "xml"
    extensions = XML_EXTENSIONS

    def extract(self, path: Path) -> Document:
        with open(path, "rb") as f:
            data = f.read(MAX_TEXT_BYTES + 1)
        if len(data) > MAX_TEXT_BYTES:
            raise SkipFile(f"file too large (over {MAX_TEXT_BYTES // (1024 * 1024)} MiB)")
        if not data.strip():
            raise SkipFile("empty file")
        try:
            text, title = xml_text(data)
        except Exception:  # not XML after all: read its words as text
            text, title = _tidy(clean_text(_HTML_TAG.sub(" ", decode_text(data)))), None
        if not text:
            raise SkipFile("no text found")
        return Document(sections=[Section(text)], title=title, kind=path.suffix.lower().lstrip(".") or "xml")


class JsonExtractor:
    kind = "json"
    extensions = JSON_EXTENSIONS

    def extract(self, path: Path) -> Document:
        raw = _read(path)
        lines: list[str] = []
        try:
            json_text(json.loads(raw), None, lines)
        except ValueError:
            try:  # JSON Lines: one value a line
                for line in raw.splitlines():
                    if line.strip():
                        json_text(json.loads(line), None, lines)
            except ValueError:
                lines = [clean_text(raw)]
        text = _tidy("\n".join(lines))
        if not text:
            raise SkipFile("no text found")
        return Document(sections=[Section(text)], kind=path.suffix.lower().lstrip(".") or "json")


class CleanTextExtractor:
    """Configuration files: text as it is, without base64 blobs and tracking parameters."""

    kind = "config"
    extensions = CLEANED_TEXT_EXTENSIONS

    def extract(self, path: Path) -> Document:
        text = clean_text(_read(path)).strip()
        if not text:
            raise SkipFile("no text found")
        return Document(sections=[Section(text)], kind=path.suffix.lower().lstrip(".") or "text")


register(XmlExtractor())
register(JsonExtractor())
register(CleanTextExtractor())
