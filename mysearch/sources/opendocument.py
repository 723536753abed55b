"""OpenDocument files (.odt, .ods, .odp) from LibreOffice and Hancom Office: zip archives of XML.

``content.xml`` is read with lxml: paragraphs and headings in order, one section per sheet (named) or
per slide (numbered, with its notes), table cells joined by tabs; ``meta.xml`` gives title and date.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section, SkipFile
from mysearch.sources.office import MAX_CELLS
from mysearch.sources.registry import register

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
    "meta": "urn:oasis:names:tc:opendocument:xmlns:meta:1.0",
}
T = f"{{{NS['text']}}}"
TB = f"{{{NS['table']}}}"


def _inline(el) -> str:
    """A paragraph's text with its spaces, tabs and line breaks (text:s, text:tab, text:line-break)."""
    out = [el.text or ""]
    for child in el:
        tag = child.tag
        if tag == T + "s":
            out.append(" " * int(child.get(T + "c", "1")))
        elif tag == T + "tab":
            out.append("\t")
        elif tag == T + "line-break":
            out.append("\n")
        elif tag not in (T + "note", T + "page-number"):  # a note follows its paragraph (_blocks)
            out.append(_inline(child))
        out.append(child.tail or "")
    return "".join(out)


def _blocks(el, budget: list[int]) -> list[str]:
    lines: list[str] = []
    for child in el:
        tag = child.tag
        if tag in (T + "p", T + "h"):
            lines.append(_inline(child))
            for note in child.iter(T + "note-body"):
                lines.extend(_blocks(note, budget))
        elif tag == TB + "table":
            lines.extend(_table(child, budget))
        elif budget[0] < MAX_CELLS:
            lines.extend(_blocks(child, budget))
    return lines


def _table(table, budget: list[int]) -> list[str]:
    rows = []
    for row in table.iter(TB + "table-row"):
        cells = []
        for cell in row:
            if cell.tag not in (TB + "table-cell", TB + "covered-table-cell"):
                continue
            text = " ".join(" ".join(_blocks(cell, budget)).split())
            repeat = min(int(cell.get(TB + "number-columns-repeated", "1")), 64) if text else 1
            cells.extend([text] * repeat)
        while cells and not cells[-1]:
            cells.pop()
        if cells:
            budget[0] += len(cells)
            rows.append("\t".join(cells))
        if budget[0] >= MAX_CELLS:
            break
    return rows


class OpenDocumentExtractor:
    kind = "opendocument"
    extensions = (".odt", ".ods", ".odp")

    def extract(self, path: Path) -> Document:
        from lxml import etree

        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise ExtractionError("damaged document: not a valid zip archive") from exc
        with archive:
            names = set(archive.namelist())
            if "content.xml" not in names:
                raise ExtractionError("damaged document: missing part 'content.xml'")
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise SkipFile("encrypted or password-protected document")
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            try:
                content = etree.fromstring(archive.read("content.xml"), parser)
                meta = etree.fromstring(archive.read("meta.xml"), parser) if "meta.xml" in names else None
            except etree.XMLSyntaxError as exc:
                raise ExtractionError(f"damaged document: unreadable XML ({exc})") from exc
        body = content.find("office:body", NS)
        if body is None:
            raise ExtractionError("damaged document: no office:body")
        budget = [0]
        sections: list[Section] = []
        suffix = Path(path).suffix.lower()
        if suffix == ".ods":
            for sheet in body.iter(TB + "table"):
                sections.append(Section("\n".join(_table(sheet, budget)), label=sheet.get(TB + "name")))
        elif suffix == ".odp":
            for n, page in enumerate(body.iter(f"{{{NS['draw']}}}page"), 1):
                lines = [line for line in _blocks(page, budget) if line.strip() != "<number>"]  # a placeholder
                sections.append(Section("\n".join(lines), page=n))
        else:
            sections.append(Section("\n".join(_blocks(body, budget))))
        title = date = None
        if meta is not None:
            title = meta.findtext(".//dc:title", namespaces=NS)
            date = (meta.findtext(".//dc:date", namespaces=NS) or meta.findtext(".//meta:creation-date", namespaces=NS))
        return Document(sections=sections, title=title, date=(date or "")[:10] or None, kind=suffix[1:])


register(OpenDocumentExtractor())
