"""EPUB e-books read with zipfile and lxml (EbookLib is AGPL, so it is not used).

The reading order is the OPF spine; each spine document becomes one section labelled with its first
heading, so a hit can name the chapter. Books whose chapters are encrypted (DRM) are skipped; font
obfuscation, which also uses ``encryption.xml``, does not stop reading.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote

from mysearch.sources.base import Document, ExtractionError, Section, SkipFile
from mysearch.sources.registry import register

CONTAINER = "META-INF/container.xml"
ENCRYPTION = "META-INF/encryption.xml"
MAX_CHAPTER_BYTES = 16 * 1024 * 1024
_NS = {
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "enc": "http://www.w3.org/2001/04/xmlenc#",
}


class EpubExtractor:
    kind = "epub"
    extensions = (".epub",)

    def extract(self, path: Path) -> Document:
        import lxml.etree

        try:
            with zipfile.ZipFile(path) as book:
                return _read_book(book)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise ExtractionError(f"damaged e-book: not a valid zip archive ({exc})") from exc
        except KeyError as exc:
            raise ExtractionError(f"damaged e-book: missing part {exc}") from exc
        except lxml.etree.XMLSyntaxError as exc:
            raise ExtractionError(f"damaged e-book: unreadable XML ({exc})") from exc


def _read_book(book: zipfile.ZipFile) -> Document:
    opf_path = _opf_path(book)
    opf = _parse_xml(book.read(opf_path))
    base = posixpath.dirname(opf_path)
    manifest = {
        item.get("id"): (_join(base, item.get("href", "")), item.get("media-type", ""))
        for item in opf.iterfind("opf:manifest/opf:item", _NS)
    }
    encrypted = _encrypted_parts(book)
    members = set(book.namelist())
    sections = []
    for itemref in opf.iterfind("opf:spine/opf:itemref", _NS):
        href, media_type = manifest.get(itemref.get("idref"), (None, ""))
        if href is None or "html" not in media_type:
            continue
        if href in encrypted:
            raise SkipFile("DRM-protected e-book (encrypted chapters)")
        if href not in members or book.getinfo(href).file_size > MAX_CHAPTER_BYTES:
            continue  # a missing or oversized chapter should not cost the rest of the book
        text, heading = _chapter_text(book.read(href))
        sections.append(Section(text, label=heading))
    title = opf.findtext("opf:metadata/dc:title", namespaces=_NS)
    date = opf.findtext("opf:metadata/dc:date", namespaces=_NS)
    creator = opf.findtext("opf:metadata/dc:creator", namespaces=_NS)
    return Document(
        sections=sections,
        title=title,
        date=(date or "").strip()[:10] or None,
        kind="epub",
        metadata={"author": creator.strip()} if creator and creator.strip() else {},
    )


def _opf_path(book: zipfile.ZipFile) -> str:
    container = _parse_xml(book.read(CONTAINER))
    rootfile = container.find("c:rootfiles/c:rootfile", _NS)
    if rootfile is None or not rootfile.get("full-path"):
        raise ExtractionError("damaged e-book: container.xml names no package file")
    return rootfile.get("full-path")


def _encrypted_parts(book: zipfile.ZipFile) -> set[str]:
    if ENCRYPTION not in book.namelist():
        return set()
    root = _parse_xml(book.read(ENCRYPTION))
    return {unquote(ref.get("URI", "")) for ref in root.iterfind(".//enc:CipherReference", _NS)}


def _chapter_text(data: bytes) -> tuple[str, str | None]:
    import lxml.etree
    import lxml.html

    from mysearch.sources.html_text import element_text

    # The HTML parser forgives the broken XHTML many e-books ship with.
    try:
        root = lxml.html.document_fromstring(data)
    except (lxml.etree.ParserError, ValueError):
        return "", None  # an empty chapter file
    body = root.find("body")
    return element_text(body if body is not None else root), _heading(root)


def _heading(root) -> str | None:
    """The chapter's first h1-h3, else its <title> (often just the book title again)."""
    for element in (*root.iter("h1", "h2", "h3"), *root.iter("title")):
        text = " ".join(element.text_content().split())
        if text:
            return text
    return None


def _parse_xml(data: bytes):
    import lxml.etree

    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    return lxml.etree.fromstring(data, parser)


def _join(base: str, href: str) -> str:
    return posixpath.normpath(posixpath.join(base, unquote(href.split("#", 1)[0])))


register(EpubExtractor())
