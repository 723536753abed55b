"""Sentence-ish pieces of text, shared by the chunker (chunks end at sentences) and answers (sources are
cut down to the sentences that matter, citations are checked sentence by sentence), so neither depends
on the other."""

from __future__ import annotations

import re

# A piece ends after sentence punctuation (Latin, CJK) followed by space, or at a line break.
_PIECE_END = re.compile(r"(?<=[.!?。！？…])\s+|\n+")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences (or lines) of ``text``, blank ones left out."""
    return pieces(text, 0)


def pieces(text: str, base: int) -> list[tuple[int, int]]:
    """``sentence_spans`` with every offset moved by ``base`` (a section's place in its document)."""
    spans, pos = [], 0
    for m in _PIECE_END.finditer(text):
        if m.start() > pos:
            spans.append((base + pos, base + m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((base + pos, base + len(text)))
    return [(s, e) for s, e in spans if text[s - base : e - base].strip()]
