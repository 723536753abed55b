"""What the CLI prints never drives the terminal: file text, names, answers and model tokens are data.

A file that contains ``ESC ] 0 ; ... BEL`` or ``ESC [ 2 J`` would retitle or clear the user's terminal
(and worse sequences exist) when its snippet is shown. So the CLI's stdout and stderr go through
``TerminalText``, which drops every C0 and C1 control character but newline and tab; mysearch's own
styling (bold for a match, ``\\r`` for a progress line) is written with ``write_control``. JSON keeps
its data exactly: ``json_text`` escapes the control characters that ``json.dumps`` leaves raw (C1, DEL).
"""

from __future__ import annotations

import io
import json
import re
from typing import Any, TextIO

# C0 except tab and newline, DEL, and C1 (0x80-0x9f: U+009B is a one-character CSI on some terminals)
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_RAW_IN_JSON = re.compile(r"[\x7f-\x9f]")


def strip_controls(text: str) -> str:
    return CONTROL.sub("", text)


def json_text(value: Any) -> str:
    """``json.dumps`` (UTF-8 text kept readable) with every control character escaped."""
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))


class TerminalText(io.TextIOBase):
    """A text stream that passes on printable text only (``print`` and ``write`` both go through it)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(strip_controls(text))
        return len(text)

    def write_control(self, sequence: str) -> None:
        """mysearch's own escape sequences and carriage returns, passed on as they are."""
        self.stream.write(sequence)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def write_control(stream: TextIO, sequence: str) -> None:
    """Our own control sequence on ``stream``, wrapped in ``TerminalText`` or not."""
    if isinstance(stream, TerminalText):
        stream.write_control(sequence)
    else:
        stream.write(sequence)
