"""Why a file was skipped or failed, as the app shows it: in the app's language, without setting keys.

The engine records reasons in English (``mysearch/sources/*``, ``mysearch/ingest/*``: "empty file",
"damaged PDF: …"); the terminal shows them as they are. Here each known form is matched and given back
through ``tr``, the variable part (a size, a library's own message) kept; an unknown reason is shown
as recorded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication


def _tr(text: str) -> str:
    return QCoreApplication.translate("reasons", text)


# (pattern over the recorded reason, the text shown; {names} are the pattern's groups)
FORMS: tuple[tuple[str, str], ...] = (
    (r"empty file", "empty file"),
    (r"no text found", "no text found"),
    (r"no text found in web page", "no text found in the web page"),
    (r"unsupported file type", "unsupported file type"),
    (r"binary content, not text", "binary content, not text"),
    (r"unknown text encoding", "unknown text encoding"),
    (r"text does not match its (?P<encoding>\S+) byte-order mark", "the text does not match its {encoding} marker"),
    (r"text file too large \(over (?P<n>[\d.]+) MiB\)", "text file too large (over {n} MB)"),
    (r"web page too large \(over (?P<n>[\d.]+) MiB\)", "web page too large (over {n} MB)"),
    (r"larger than the (?P<n>[\d.]+) MiB limit.*", "larger than the {n} MB limit (Settings › What to skip)"),
    (r"took longer than (?P<n>[\d.]+) s to read.*", "took longer than {n} s to read (Settings › What to skip)"),
    (r"the reader crashed on this file.*", "the reader crashed on this file (damaged or unusual file?)"),
    (r"permission denied", "permission denied"),
    (r"vanished while being read", "vanished while being read"),
    (r"vanished or broken link", "vanished or broken link"),
    (r"symbolic link loop", "symbolic link loop"),
    (r"folder or file not found", "folder or file not found"),
    (r"folder cannot be read: (?P<why>.*)", "folder cannot be read: {why}"),
    (r"cannot be read: (?P<why>.*)", "cannot be read: {why}"),
    (r"cannot read file: (?P<why>.*)", "cannot read the file: {why}"),
    (r"encrypted PDF \(password protected\)", "encrypted PDF (password protected)"),
    (r"encrypted PDF \(unsupported security scheme\)", "encrypted PDF (unsupported protection)"),
    (r"no text layer \(scanned PDF\?\)", "no text layer (a scanned PDF?)"),
    (r"no text layer and no scanned pages", "no text and no scanned pages"),
    (r"scanned PDF: text recognition \(OCR\) is off.*", "scanned PDF: reading scans (OCR) is off (Settings)"),
    (r"image: text recognition \(OCR\) is off.*", "picture: reading scans (OCR) is off (Settings)"),
    (r"scanned PDF: no text found by OCR", "scanned PDF: no text found in the scan"),
    (r"image: no text found by OCR", "picture: no text found in it"),
    (r"image too small to hold text \((?P<size>\S+) pixels\)", "picture too small to hold text ({size} pixels)"),
    (r"damaged or unknown image", "damaged or unknown picture"),
    (r"damaged image: (?P<detail>.*)", "damaged picture: {detail}"),
    (r"image too large to read.*", "picture too large to read"),
    (r"damaged PDF: (?P<detail>.*)", "damaged PDF: {detail}"),
    (r"damaged document: (?P<detail>.*)", "damaged document: {detail}"),
    (r"damaged e-book: (?P<detail>.*)", "damaged e-book: {detail}"),
    (r"damaged HWP document: (?P<detail>.*)", "damaged HWP document: {detail}"),
    (r"damaged web archive: (?P<detail>.*)", "damaged web archive: {detail}"),
    (r"DRM-protected e-book.*", "copy-protected e-book (DRM)"),
    (r"HWP 3\.x document.*", "HWP 3.x document (before 1997); only HWP 5 and HWPX can be read"),
    (r"old binary Office format.*", "old Office format (.doc/.xls/.ppt) under a new name; cannot be read"),
    (r"encrypted or password-protected document", "encrypted or password-protected document"),
    (r"could not read (?P<kind>\S+) file: (?P<detail>.*)", "could not read this {kind} file: {detail}"),
)
_COMPILED = [(re.compile(p + r"\Z", re.S), shown) for p, shown in FORMS]
_RECURSE = {"why"}  # groups that are reasons themselves


def reason_text(reason: str, tr: Callable[[str], str] = _tr) -> str:
    """The reason in the app's language ("empty file" -> "빈 파일" in Korean)."""
    for pattern, shown in _COMPILED:
        m = pattern.match(reason)
        if m:
            groups = {k: reason_text(v, tr) if k in _RECURSE else v for k, v in m.groupdict().items()}
            return tr(shown).format(**groups)
    return reason
