"""Hangul word processor files: HWP 5 (an OLE container of compressed records) and HWPX (zip + XML).

Two small libraries read both formats; each copes with files the other does not, so the second is
tried when the first fails or finds nothing (see ``_with_fallback`` for the order). Protection is
checked first, from the file header: password, distribution-only (배포용) and DRM documents keep their
body text encrypted, and the visible stream of a distribution document is a placeholder that must not
be indexed.
"""

from __future__ import annotations

import logging
import struct
import zipfile
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section, SkipFile
from mysearch.sources.registry import register

logger = logging.getLogger(__name__)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
HWP3_MAGIC = b"HWP Document File V3"
# FileHeader property bits (HWP 5.0 spec, table 3)
_PASSWORD, _DISTRIBUTION, _DRM, _CERT_ENCRYPTED, _CERT_DRM = 1 << 1, 1 << 2, 1 << 4, 1 << 8, 1 << 10
_HWP_SUMMARY = "\x05HwpSummaryInformation"
_PID_TITLE, _PID_AUTHOR, _PID_LAST_SAVED = 2, 4, 13


class HwpExtractor:
    kind = "hwp"
    extensions = (".hwp", ".hwpx")

    def extract(self, path: Path) -> Document:
        path = Path(path)
        with open(path, "rb") as f:
            magic = f.read(32)
        if magic.startswith(OLE_MAGIC):
            return _read_hwp5(path)
        if magic.startswith(ZIP_MAGIC):
            return _read_hwpx(path)
        if magic.startswith(HWP3_MAGIC):
            raise SkipFile("HWP 3.x document (before 1997); only HWP 5 and HWPX are supported")
        raise ExtractionError("damaged HWP document: neither an HWP 5 nor an HWPX file")


def _read_hwp5(path: Path) -> Document:
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            if not ole.exists("FileHeader"):
                raise ExtractionError("damaged HWP document: no FileHeader stream")
            header = ole.openstream("FileHeader").read(40)
            if len(header) < 40 or not header.startswith(b"HWP Document File"):
                raise ExtractionError("damaged HWP document: unreadable file header")
            _check_hwp5_protection(struct.unpack_from("<I", header, 36)[0])
            title, author, date = _hwp5_summary(ole)
    except (OSError, ValueError, struct.error) as exc:  # how olefile reports a broken container
        raise ExtractionError(f"damaged HWP document: {exc}") from exc
    text = _with_fallback(path, "hwp")
    return Document(
        sections=[Section(text)],
        title=title,
        date=date,
        kind="hwp",
        metadata={"author": author} if author else {},
    )


def _check_hwp5_protection(flags: int) -> None:
    if flags & _PASSWORD:
        raise SkipFile("encrypted HWP document (password protected)")
    if flags & _DISTRIBUTION:
        raise SkipFile("distribution-protected HWP document (배포용 문서); its text is encrypted")
    if flags & (_DRM | _CERT_ENCRYPTED | _CERT_DRM):
        raise SkipFile("DRM-protected or certificate-encrypted HWP document")


def _hwp5_summary(ole) -> tuple[str | None, str | None, str | None]:
    """Title, author and last-saved date from the HWP summary property set, when readable."""
    try:
        if not ole.exists(_HWP_SUMMARY):
            return None, None, None
        props = ole.getproperties(_HWP_SUMMARY, convert_time=True)
    except Exception:  # metadata is optional; a bad property set must not cost the text
        return None, None, None
    title, author, saved = (props.get(pid) for pid in (_PID_TITLE, _PID_AUTHOR, _PID_LAST_SAVED))
    date = saved.strftime("%Y-%m-%d") if hasattr(saved, "strftime") else None
    return _str_or_none(title), _str_or_none(author), date


def _str_or_none(value: object) -> str | None:
    if isinstance(value, bytes):
        value = value.decode("utf-16-le", "ignore")
    return (value.strip("\x00 ").strip() or None) if isinstance(value, str) else None


def _read_hwpx(path: Path) -> Document:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not any(n.startswith("Contents/section") for n in names):
                raise ExtractionError("damaged HWPX document: no Contents/section*.xml")
            manifest = archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            if b"encryption-data" in manifest:
                raise SkipFile("encrypted HWPX document (password protected)")
            title = _hwpx_title(archive) if "Contents/content.hpf" in names else None
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"damaged HWPX document: {exc}") from exc
    return Document(sections=[Section(_with_fallback(path, "hwpx"))], title=title, kind="hwpx")


def _hwpx_title(archive: zipfile.ZipFile) -> str | None:
    import lxml.etree

    try:
        root = lxml.etree.fromstring(archive.read("Contents/content.hpf"))
    except lxml.etree.XMLSyntaxError:
        return None
    titles = root.xpath("//*[local-name()='metadata']/*[local-name()='title']/text()")
    return (titles[0].strip() or None) if titles else None


def _with_fallback(path: Path, fmt: str) -> str:
    """Text from extract-hwp, else from hwp-hwpx-parser; SkipFile when neither finds any.

    extract-hwp goes first because it follows the format exactly: it keeps text after an inline tab
    in HWPX (hwp-hwpx-parser drops it), skips HWP 5 inline controls by their specified width, keeps
    footnotes in the text and reads HWPX sections in spine order. It gives up ("") on anything
    irregular, and then the more forgiving hwp-hwpx-parser gets its turn. ``fmt`` comes from the
    magic bytes, not the name: both libraries would trust the suffix.
    """
    from extract_hwp import HwpReadLimitError

    failure = None
    for name, read in (("extract-hwp", _extract_hwp_text), ("hwp-hwpx-parser", _parser_text)):
        try:
            text = read(path, fmt)
        except HwpReadLimitError as exc:  # a zip bomb must not reach the forgiving reader
            raise SkipFile("HWP document expands beyond the size limit") from exc
        except Exception as exc:  # any failure moves on to the next library
            failure = failure or exc
            logger.info("%s failed on %s: %s", name, path, exc)
            continue
        if text.strip():
            return text
    if failure is not None:
        raise ExtractionError(f"damaged HWP document: {failure}")
    raise SkipFile("no text found in HWP document")


def _parser_text(path: Path, fmt: str) -> str:
    from hwp_hwpx_parser import ExtractOptions, HWP5Reader, HWPXReader, ImageMarkerStyle, TableStyle

    options = ExtractOptions(
        table_style=TableStyle.CSV, table_delimiter="\t", image_marker=ImageMarkerStyle.NONE
    )
    reader_class = HWPXReader if fmt == "hwpx" else HWP5Reader
    with reader_class(path) as reader:
        return reader.extract_text(options)


def _extract_hwp_text(path: Path, fmt: str) -> str:
    from extract_hwp import extract_text_from_hwp5, extract_text_from_hwpx

    if fmt == "hwpx":
        return extract_text_from_hwpx(str(path))
    return extract_text_from_hwp5(str(path))


register(HwpExtractor())


class HwpmlExtractor:
    """HWPML (.hwpml): Hangul's XML export (HWPML 2.x), one ``<P>`` per paragraph, its text in ``<CHAR>``."""

    kind = "hwpml"
    extensions = (".hwpml",)

    def extract(self, path: Path) -> Document:
        import lxml.etree

        parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
        try:
            root = lxml.etree.parse(str(path), parser).getroot()
        except lxml.etree.XMLSyntaxError as exc:
            raise ExtractionError(f"damaged HWP document: unreadable XML ({exc})") from exc
        if lxml.etree.QName(root).localname.upper() != "HWPML":
            raise ExtractionError("damaged HWP document: not HWPML")
        paragraphs = []
        for p in root.iter("{*}P", "P"):
            chars = "".join("".join(c.itertext()) for c in p.iter("{*}CHAR", "CHAR"))
            if chars.strip():
                paragraphs.append(chars)
        titles = root.xpath("//*[local-name()='DOCSUMMARY']/*[local-name()='TITLE']//text()")
        title = "".join(titles).strip() or None
        return Document(sections=[Section("\n".join(paragraphs))], title=title, kind="hwpml")


register(HwpmlExtractor())
