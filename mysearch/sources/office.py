"""Word, PowerPoint and Excel files in the Office Open XML (zip) formats.

Slides and sheets become sections of their own (``page`` = slide number, ``label`` = sheet name) so a
hit can say where it is. A password-protected OOXML file is not a zip at all but an OLE container
holding an encrypted package; it is skipped with a reason the user can act on. Spreadsheets are capped
at ``MAX_CELLS`` non-empty cells: a million-row export is data, and reading all of it would stall
indexing for little search value.
"""

from __future__ import annotations

import datetime as dt
import logging
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section, SkipFile
from mysearch.sources.registry import register

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_CELLS = 200_000
MAX_SCANNED_CELLS = 5_000_000  # empty cells still cost time when a sheet declares huge dimensions


def iso_date(value: dt.datetime | dt.date | None) -> str | None:
    return value.strftime("%Y-%m-%d") if value else None


def _check_container(path: Path) -> None:
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic.startswith(OLE_MAGIC):
        raise SkipFile(_ole_reason(path))
    if not magic.startswith(ZIP_MAGIC):
        raise ExtractionError("damaged document: not an Office Open XML (zip) file")


def _ole_reason(path: Path) -> str:
    """An OLE file with an OOXML name is either an encrypted package or an old .doc/.xls/.ppt renamed."""
    try:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("EncryptedPackage"):
                return "old binary Office format (.doc/.xls/.ppt) under a new extension; not supported"
    except Exception:  # a broken container reads as the common case below
        logger.debug("cannot list the OLE streams of %s", path, exc_info=True)
    return "encrypted or password-protected document"


def _damaged_errors() -> tuple[type[BaseException], ...]:
    import docx.opc.exceptions
    import lxml.etree
    import openpyxl.utils.exceptions
    import pptx.exc

    return (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        EOFError,
        KeyError,
        ValueError,
        OSError,  # openpyxl: "File contains no valid workbook part"; the file itself opened fine
        lxml.etree.XMLSyntaxError,
        docx.opc.exceptions.OpcError,
        pptx.exc.PythonPptxError,
        openpyxl.utils.exceptions.InvalidFileException,
    )


def _damage_reason(exc: BaseException) -> str:
    import docx.opc.exceptions
    import lxml.etree
    import pptx.exc

    not_zip = (zipfile.BadZipFile, docx.opc.exceptions.PackageNotFoundError, pptx.exc.PackageNotFoundError)
    if isinstance(exc, not_zip):
        return "not a valid zip archive"
    if isinstance(exc, KeyError):
        return f"missing part {exc}"
    if isinstance(exc, lxml.etree.XMLSyntaxError):
        return f"unreadable XML ({exc})"
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return message[:200]


class OfficeExtractor:
    kind = "office"
    extensions = (".docx", ".pptx", ".xlsx")

    def extract(self, path: Path) -> Document:
        path = Path(path)
        _check_container(path)
        readers = {".docx": read_docx, ".pptx": read_pptx, ".xlsx": read_xlsx}
        reader = readers[path.suffix.lower()]
        try:
            return reader(path)
        except ExtractionError:
            raise
        except _damaged_errors() as exc:
            raise ExtractionError(f"damaged document: {_damage_reason(exc)}") from exc


# --- Word ---------------------------------------------------------------------------------------


def read_docx(path: Path) -> Document:
    import docx

    document = docx.Document(str(path))
    text = "\n".join(_docx_blocks(document.iter_inner_content()))
    props = document.core_properties
    return Document(
        sections=[Section(text)],
        title=props.title or None,
        date=iso_date(props.modified or props.created),
        kind="docx",
        metadata={"author": props.author} if props.author else {},
    )


def _docx_blocks(blocks: Iterable) -> Iterator[str]:
    """Paragraphs and tables in document order; a table row becomes one tab-joined line."""
    from docx.table import Table

    for block in blocks:
        if isinstance(block, Table):
            yield from _docx_table(block)
        elif block.text.strip():
            yield block.text


def _docx_table(table) -> Iterator[str]:
    for row in table.rows:
        cells, seen = [], set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column it spans
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(_docx_blocks(cell.iter_inner_content())))
        if any(c.strip() for c in cells):
            yield "\t".join(cells)


# --- PowerPoint ---------------------------------------------------------------------------------


def read_pptx(path: Path) -> Document:
    import pptx

    presentation = pptx.Presentation(str(path))
    sections = []
    for number, slide in enumerate(presentation.slides, start=1):
        lines = list(_pptx_shapes_text(slide.shapes))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None and notes.text.strip():
                lines.append(notes.text)
        sections.append(Section("\n".join(lines), page=number))
    props = presentation.core_properties
    return Document(
        sections=sections,
        title=props.title or None,
        date=iso_date(props.modified or props.created),
        kind="pptx",
        metadata={"author": props.author} if props.author else {},
    )


def _pptx_shapes_text(shapes) -> Iterator[str]:
    from pptx.shapes.group import GroupShape

    for shape in shapes:
        if isinstance(shape, GroupShape):
            yield from _pptx_shapes_text(shape.shapes)
            continue
        if getattr(shape, "has_text_frame", False) and shape.text_frame.text.strip():
            yield shape.text_frame.text
        if getattr(shape, "has_table", False):
            for row in shape.table.rows:
                cells = [cell.text for cell in row.cells]
                if any(c.strip() for c in cells):
                    yield "\t".join(cells)


# --- Excel --------------------------------------------------------------------------------------


def read_xlsx(path: Path) -> Document:
    import openpyxl

    workbook = openpyxl.load_workbook(str(path), read_only=True, data_only=True)
    try:
        sections, budget = [], _CellBudget()
        for sheet in workbook.worksheets:
            if budget.exhausted:
                break
            rows = _sheet_rows(sheet.iter_rows(values_only=True), budget)
            sections.append(Section("\n".join(rows), label=sheet.title))
        props = workbook.properties
        metadata = {"truncated": f"only the first {MAX_CELLS} cells were read"} if budget.exhausted else {}
        if props.creator:
            metadata["author"] = props.creator
        return Document(
            sections=sections,
            title=props.title or None,
            date=iso_date(props.modified or props.created),
            kind="xlsx",
            metadata=metadata,
        )
    finally:
        workbook.close()


class _CellBudget:
    def __init__(self) -> None:
        self.cells = 0
        self.scanned = 0

    @property
    def exhausted(self) -> bool:
        return self.cells >= MAX_CELLS or self.scanned >= MAX_SCANNED_CELLS


def _sheet_rows(rows: Iterable[tuple], budget: _CellBudget) -> Iterator[str]:
    for row in rows:
        budget.scanned += len(row)
        values = [_cell_text(v) for v in row]
        while values and not values[-1]:
            values.pop()
        if values:
            budget.cells += sum(1 for v in values if v)
            yield "\t".join(values)
        if budget.exhausted:
            return


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds").removesuffix(" 00:00:00")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return " ".join(str(value).split())  # a line break inside a cell must not split the row


register(OfficeExtractor())
