"""Office 97-2003 files (.doc, .xls, .ppt), still everywhere in Korean offices and old archives.

All three are OLE2 compound files (olefile opens them). ``.xls`` is read by xlrd, one section per
sheet. No maintained, permissively licensed library reads ``.doc`` or ``.ppt`` text, so the two small
readers here follow Microsoft's published formats ([MS-DOC] piece table, [MS-PPT] text atoms) for the
text only: what search needs, not layout. Encrypted files are skipped with that reason.
"""

from __future__ import annotations

import os
import re
import struct
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section, SkipFile
from mysearch.sources.office import MAX_CELLS, OLE_MAGIC, iso_date
from mysearch.sources.registry import register


def open_ole(path: Path):
    import olefile

    with open(path, "rb") as f:
        if not f.read(8).startswith(OLE_MAGIC):
            raise ExtractionError("damaged document: not an Office 97-2003 (OLE) file")
    try:
        return olefile.OleFileIO(str(path))
    except OSError as exc:
        raise ExtractionError(f"damaged document: {exc}") from exc


def _summary(ole) -> tuple[str | None, str | None, dict[str, str]]:
    try:
        meta = ole.get_metadata()
    except Exception:  # a broken property set only loses the title
        return None, None, {}

    codepage = meta.codepage or 1252
    encoding = "utf-8" if codepage == 65001 else f"cp{codepage}"

    def text(value: object) -> str | None:
        if isinstance(value, bytes):  # some writers (LibreOffice) store UTF-8 whatever the code page says
            try:
                value = value.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    value = value.decode(encoding, "replace")
                except LookupError:
                    value = value.decode("cp1252", "replace")
        return (str(value).replace("\x00", "").strip() or None) if value else None

    extra = {"author": a} if (a := text(meta.author)) else {}
    return text(meta.title), iso_date(meta.last_saved_time or meta.create_time), extra


# --- Word 97-2003 -------------------------------------------------------------------------------

_FIELD = re.compile(r"\x13[^\x13\x14\x15]*\x14([^\x13\x14\x15]*)\x15|\x13[^\x13\x14\x15]*\x15")
_CONTROL = str.maketrans({"\r": "\n", "\x07": "\t", "\x0b": "\n", "\x0c": "\n", "\x1e": "-", "\x1f": ""})


def read_doc(path: Path) -> Document:
    """The text of every story (body, footnotes, headers) through the piece table of [MS-DOC] 2.8.35."""
    ole = open_ole(path)
    try:
        if not ole.exists("WordDocument"):
            raise ExtractionError("damaged document: no WordDocument stream")
        word = ole.openstream("WordDocument").read()
        if len(word) < 0x1AA or struct.unpack_from("<H", word, 0)[0] != 0xA5EC:
            raise ExtractionError("damaged document: not a Word 97-2003 file")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if flags & 0x0100:
            raise SkipFile("encrypted or password-protected document")
        table_name = "1Table" if flags & 0x0200 else "0Table"
        if not ole.exists(table_name):
            raise ExtractionError(f"damaged document: no {table_name} stream")
        table = ole.openstream(table_name).read()
        fc_clx, lcb_clx = struct.unpack_from("<II", word, 0x01A2)
        text = _piece_text(word, table[fc_clx : fc_clx + lcb_clx])
        title, date, extra = _summary(ole)
    finally:
        ole.close()
    text = _FIELD.sub(lambda m: m.group(1) or "", text)  # a field shows its result, not its code
    text = text.replace("\x07\x07", "\n")  # a table row ends with a cell mark and a row mark
    text = re.sub(r"[\x00-\x08\x0e-\x1d\x13-\x15]", "", text.translate(_CONTROL))
    return Document(sections=[Section(text)], title=title, date=date, kind="doc", metadata=extra)


def _piece_text(word: bytes, clx: bytes) -> str:
    pos = 0
    while pos < len(clx) and clx[pos] == 0x01:  # Prc: formatting, skipped
        pos += 3 + struct.unpack_from("<h", clx, pos + 1)[0]
    if pos >= len(clx) or clx[pos] != 0x02:
        raise ExtractionError("damaged document: no piece table")
    lcb = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5 : pos + 5 + lcb]
    n = (len(plc) - 4) // 12
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    parts = []
    for i in range(n):
        fc = struct.unpack_from("<I", plc, 4 * (n + 1) + 8 * i + 2)[0]
        count = cps[i + 1] - cps[i]
        if fc & 0x40000000:  # 8-bit text (cp1252), at half the offset
            start = (fc & 0x3FFFFFFF) // 2
            parts.append(word[start : start + count].decode("cp1252", "replace"))
        else:
            parts.append(word[fc : fc + 2 * count].decode("utf-16-le", "replace"))
    return "".join(parts)


# --- PowerPoint 97-2003 -------------------------------------------------------------------------

_SLIDE, _NOTES, _NOTES_ATOM, _SLIDE_LIST, _SLIDE_PERSIST = 0x03EE, 0x03F0, 0x03F1, 0x0FF0, 0x03F3
_TEXT_CHARS, _TEXT_BYTES = 0x0FA0, 0x0FA8
_MAX_DEPTH = 32


def read_ppt(path: Path) -> Document:
    """Text atoms of [MS-PPT], one section per slide: the outline text in the slide list, and text boxes
    inside each slide's own container; notes go with their slide."""
    ole = open_ole(path)
    try:
        if ole.exists("EncryptedSummary"):
            raise SkipFile("encrypted or password-protected document")
        if not ole.exists("PowerPoint Document"):
            raise ExtractionError("damaged document: no PowerPoint Document stream")
        data = ole.openstream("PowerPoint Document").read()
        title, date, extra = _summary(ole)
    finally:
        ole.close()
    slides: dict[int, list[str]] = {}
    state = {"slide": 0, "listed": 0, "list": -1}
    slide_ids: dict[int, int] = {}  # a slide's id (in the slide list) -> its number

    def add(page: int, text: str) -> None:
        text = text.replace("\r", "\n").replace("\x0b", "\n").strip()
        if text and text != "*" and page > 0 and text not in slides.setdefault(page, []):
            slides[page].append(text)

    def walk(start: int, end: int, depth: int, page: int) -> None:
        pos = start
        while pos + 8 <= end:
            ver_inst, rtype, length = struct.unpack_from("<HHI", data, pos)
            body, nxt = pos + 8, min(pos + 8 + length, end)
            if (ver_inst & 0x0F) == 0x0F and depth < _MAX_DEPTH:  # a container
                if rtype == _SLIDE:
                    state["slide"] += 1
                    walk(body, nxt, depth + 1, state["slide"])
                elif rtype == _NOTES:  # its NotesAtom names the slide (0: the notes master)
                    ref = struct.unpack_from("<I", data, body + 8)[0] if nxt - body >= 12 else 0
                    walk(body, nxt, depth + 1, slide_ids.get(ref, 0))
                elif rtype == _SLIDE_LIST:
                    state["listed"], state["list"] = 0, ver_inst >> 4  # 0: slides, 1: masters, 2: notes
                    walk(body, nxt, depth + 1, -1 if state["list"] == 0 else 0)
                else:
                    walk(body, nxt, depth + 1, page)
            elif rtype == _SLIDE_PERSIST and page == -1:
                state["listed"] += 1
                if nxt - body >= 16:
                    slide_ids[struct.unpack_from("<I", data, body + 12)[0]] = state["listed"]
            elif rtype in (_TEXT_CHARS, _TEXT_BYTES):
                raw = data[body:nxt]
                text = raw.decode("utf-16-le", "replace") if rtype == _TEXT_CHARS else raw.decode("cp1252", "replace")
                add(state["listed"] if page == -1 else page, text)
            pos = nxt

    walk(0, len(data), 0, 0)
    sections = [Section("\n".join(lines), page=n) for n, lines in sorted(slides.items())]
    return Document(sections=sections, title=title, date=date, kind="ppt", metadata=extra)


# --- Excel 97-2003 ------------------------------------------------------------------------------


def read_xls(path: Path) -> Document:
    import xlrd

    try:
        with open(os.devnull, "w") as quiet:  # xlrd prints warnings about odd files to stdout
            book = xlrd.open_workbook(str(path), on_demand=True, logfile=quiet)
    except xlrd.biffh.XLRDError as exc:
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise SkipFile("encrypted or password-protected document") from exc
        raise ExtractionError(f"damaged document: {exc}") from exc
    try:
        sections, cells = [], 0
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows = []
            for r in range(sheet.nrows):
                values = [_xls_cell(sheet.cell(r, c), book.datemode) for c in range(sheet.ncols)]
                while values and not values[-1]:
                    values.pop()
                if values:
                    rows.append("\t".join(values))
                    cells += sum(1 for v in values if v)
                if cells >= MAX_CELLS:
                    break
            sections.append(Section("\n".join(rows), label=sheet.name))
            book.unload_sheet(index)
            if cells >= MAX_CELLS:
                break
        author = (book.user_name or "").strip()
    finally:
        book.release_resources()
    return Document(sections=sections, kind="xls", metadata={"author": author} if author else {})


def _xls_cell(cell, datemode: int) -> str:
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        value = xlrd.xldate_as_datetime(cell.value, datemode)
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        return str(int(cell.value)) if float(cell.value).is_integer() else repr(cell.value)
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return ""
    return " ".join(str(cell.value).split())


class LegacyOfficeExtractor:
    kind = "office97"
    extensions = (".doc", ".xls", ".ppt")

    def extract(self, path: Path) -> Document:
        path = Path(path)
        reader = {".doc": read_doc, ".xls": read_xls, ".ppt": read_ppt}[path.suffix.lower()]
        try:
            return reader(path)
        except (struct.error, IndexError, UnicodeError) as exc:
            raise ExtractionError(f"damaged document: {type(exc).__name__}: {exc}") from exc


register(LegacyOfficeExtractor())
