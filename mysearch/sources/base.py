"""What an extractor gives back, and the errors it may raise.

Extractors turn one file into plain text split into *sections* (a page, a slide, a sheet, or the whole
file). The indexer chunks each section on its own so a hit can point at the page it came from. Offsets
are into ``Document.text``, the sections joined with blank lines, so a citation can point into the file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class ExtractionError(Exception):
    """The file cannot be read as a document; the message is shown to the user as the skip reason."""


class SkipFile(ExtractionError):
    """The file is deliberately not indexed (empty, binary, encrypted, ...): a skip, not a failure."""


@dataclass(frozen=True)
class Section:
    text: str
    page: int | None = None  # 1-based page or slide number, when the format has pages
    label: str | None = None  # sheet name, chapter title, ...
    ocr: bool = False  # read from a picture of the page, not from the file's own text


@dataclass
class Document:
    sections: list[Section]
    title: str | None = None
    url: str | None = None  # source URL of a saved web page
    date: str | None = None  # ISO date the document states for itself (web pages, office metadata)
    kind: str = "text"  # short format name: pdf, docx, html, ...
    metadata: dict[str, str] = field(default_factory=dict)
    # pages (1-based; an image file is page 1) that are pictures of text: the indexer reads them with OCR
    # after the ordinary text of every file, so a document may arrive with no sections yet
    ocr_pages: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        # NFC everywhere: macOS file systems and some HWP files give decomposed Hangul.
        self.sections = [
            Section(unicodedata.normalize("NFC", s.text), s.page, s.label, s.ocr)
            for s in self.sections
            if s.text and s.text.strip()
        ]
        if self.title:
            self.title = unicodedata.normalize("NFC", self.title.strip()) or None

    @property
    def text(self) -> str:
        return SECTION_JOIN.join(s.text for s in self.sections)

    def section_offsets(self) -> list[int]:
        """Start offset of each section inside ``text``."""
        offsets, pos = [], 0
        for s in self.sections:
            offsets.append(pos)
            pos += len(s.text) + len(SECTION_JOIN)
        return offsets


SECTION_JOIN = "\n\n"


class Extractor(Protocol):
    """One per format family. ``extract`` may raise ExtractionError/SkipFile with a readable reason."""

    kind: str
    extensions: tuple[str, ...]

    def extract(self, path: Path) -> Document: ...
