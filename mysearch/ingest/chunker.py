"""Split a document into chunks sized in the embedding model's own tokens.

Chunks follow sentence and paragraph boundaries where they can, overlap their neighbours by a few
sentences, and never cross a section (page, slide, sheet), so every chunk has one page to cite. Each
chunk is an exact slice of ``Document.text``: its offsets point back into the file's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from ..catalog import NewChunk
from ..sentences import pieces as _pieces
from ..sources.base import Document

TokenCounter = Callable[[list[str]], list[int]]


@dataclass(frozen=True)
class _Piece:
    start: int
    end: int
    tokens: int


def text_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _split_long(full: str, start: int, end: int, tokens: int, budget: int, count: TokenCounter) -> list[_Piece]:
    """A sentence longer than a chunk (tables, minified code, CJK without punctuation): cut at spaces."""
    n_parts = -(-tokens // budget) + 1
    step = max(1, (end - start) // n_parts)
    out, pos = [], start
    while pos < end:
        cut = min(end, pos + step)
        if cut < end:
            space = full.rfind(" ", pos + step // 2, cut)
            cut = space + 1 if space > pos else cut
        out.append((pos, cut))
        pos = cut
    counts = count([full[s:e] for s, e in out])
    return [_Piece(s, e, c) for (s, e), c in zip(out, counts, strict=True)]


def chunk_document(doc: Document, count: TokenCounter, max_tokens: int, overlap: int) -> list[NewChunk]:
    full = doc.text
    budget = max(16, max_tokens - 8)  # room for special tokens and E5's "passage: " prefix
    specials = count([""])[0]  # counted once per piece, but a chunk has them only once
    raw = count

    def count(texts: list[str]) -> list[int]:
        return [max(1, n - specials) for n in raw(texts)]

    chunks: list[NewChunk] = []
    for section, base in zip(doc.sections, doc.section_offsets(), strict=True):
        spans = _pieces(section.text, base)
        if not spans:
            continue
        counts = count([full[s:e] for s, e in spans])
        pieces: list[_Piece] = []
        for (s, e), c in zip(spans, counts, strict=True):
            pieces.extend(_split_long(full, s, e, c, budget, count) if c > budget else [_Piece(s, e, c)])
        for start, end in _pack(pieces, budget, overlap):
            text = full[start:end]
            chunks.append(
                NewChunk(len(chunks), text, section.page, section.label, start, end, text_hash(text), section.ocr)
            )
    return chunks


def _pack(pieces: list[_Piece], budget: int, overlap: int) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(pieces):
        j, used = i, 0
        while j < len(pieces) and (j == i or used + pieces[j].tokens <= budget):
            used += pieces[j].tokens
            j += 1
        out.append((pieces[i].start, pieces[j - 1].end))
        if j >= len(pieces):
            break
        # step back over trailing pieces that fit in the overlap (at least one short sentence, so a
        # statement cut at a chunk edge still has its context), but always move forward
        k, shared = j, 0
        while k - 1 > i and (
            shared + pieces[k - 1].tokens <= overlap or (k == j and overlap and pieces[k - 1].tokens <= budget // 3)
        ):
            k -= 1
            shared += pieces[k].tokens
        i = k
    return out
