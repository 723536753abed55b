"""Rich Text Format (.rtf): WordPad's format and a common export of old word processors.

striprtf turns the control words into plain text (``\\uN`` escapes and ``\\'hh`` bytes in the document's
code page, Korean ``\\ansicpg949`` included); a file that does not start with ``{\\rtf`` is not RTF.
"""

from __future__ import annotations

import re
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section
from mysearch.sources.registry import register

_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")


class RtfExtractor:
    kind = "rtf"
    extensions = (".rtf",)

    def extract(self, path: Path) -> Document:
        from striprtf.striprtf import rtf_to_text

        raw = Path(path).read_bytes()
        if not raw.lstrip().startswith(b"{\\rtf"):
            raise ExtractionError("damaged document: not an RTF file")
        match = _CODEPAGE.search(raw[:4096])
        encoding = f"cp{match.group(1).decode()}" if match else "cp1252"
        try:
            text = rtf_to_text(raw.decode("ascii", "replace"), encoding=encoding, errors="replace")
        except LookupError:
            text = rtf_to_text(raw.decode("ascii", "replace"), encoding="cp1252", errors="replace")
        # striprtf ends each table cell with "|": a row is a line of tab-separated cells, as elsewhere
        lines = [line[:-1].replace("|", "\t") if line.endswith("|") else line for line in text.split("\n")]
        return Document(sections=[Section("\n".join(lines))], kind="rtf")


register(RtfExtractor())
