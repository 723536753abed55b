"""Reading the text of pictures of pages: scanned PDF pages and image files.

Extractors only say which pages need OCR (``Document.ocr_pages``); the indexer reads those pages later,
one at a time, in the extraction child process (``read_page``), after the ordinary text of every file,
and keeps what it read in the catalog by content hash so a rename or a re-index never reads a page twice.
"""

from __future__ import annotations

import re
from pathlib import Path

from .pages import IMAGE_EXTENSIONS, image_frames, page_image
from .tesseract import OcrText, TesseractEngine, available, unavailable_reason

# Part of the cache key: bump it when what a page reads as changes (engine settings, page preparation),
# so cached pages are read again rather than kept from a worse reader.
READER_VERSION = "tesseract-block-200dpi-1"

_engines: dict[tuple[str, ...], TesseractEngine] = {}


def read_page(path: Path, page: int, languages: tuple[str, ...]) -> OcrText:
    """The text of one page (1-based) of a PDF or one frame of an image file. The engine loads once per
    process and language set; this runs in the extraction child process, under its limits."""
    engine = _engines.get(languages)
    if engine is None:
        engine = _engines[languages] = TesseractEngine(languages)
    image, dpi = page_image(Path(path), page)
    return engine.read(image, dpi)


_WORDLIKE = re.compile(r"\w")


def usable_text(text: str) -> bool:
    """Whether a page's text layer is worth keeping: a scanner's empty or garbled layer (a few stray
    characters, or mostly symbols and unknown glyphs) is not, and such a page is read with OCR instead."""
    chars = "".join(text.split())
    if len(chars) < 12:
        return False
    wordlike = len(_WORDLIKE.findall(chars))
    unknown = sum(1 for c in chars if c == "\ufffd" or "\ue000" <= c <= "\uf8ff")
    return wordlike / len(chars) >= 0.5 and unknown / len(chars) < 0.1


def cache_key(languages: tuple[str, ...]) -> str:
    return f"{READER_VERSION}:{'+'.join(languages)}"


__all__ = [
    "IMAGE_EXTENSIONS",
    "READER_VERSION",
    "OcrText",
    "TesseractEngine",
    "available",
    "cache_key",
    "image_frames",
    "page_image",
    "read_page",
    "unavailable_reason",
    "usable_text",
]
