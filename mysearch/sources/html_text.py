"""Visible text of an lxml HTML tree, with line breaks where blocks end.

Shared by the EPUB reader and by the web reader's fallback: ``text_content()`` alone glues the last
word of one paragraph to the first word of the next and keeps script and style bodies.
"""

from __future__ import annotations

import re

_SKIP = {"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object"}
_BLOCK = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
    "nav", "ol", "p", "pre", "section", "table", "tr", "ul", "title",
}  # fmt: skip
_CELL = {"td", "th"}
_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def element_text(root) -> str:
    """Text of ``root`` and its descendants, one block per line, scripts and styles left out."""
    parts: list[str] = []
    _walk(root, parts)
    lines = (_SPACES.sub(" ", line).strip() for line in "".join(parts).split("\n"))
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def _walk(element, parts: list[str]) -> None:
    tag = _local_name(element)
    if tag in _SKIP or not isinstance(tag, str):
        return  # comments and processing instructions have a callable tag
    block = tag in _BLOCK
    if block:
        parts.append("\n")
    if element.text:
        parts.append(element.text)
    for child in element:
        _walk(child, parts)
        if child.tail:
            parts.append(child.tail)
    if block:
        parts.append("\n")
    elif tag in _CELL:
        parts.append("\t")


def _local_name(element) -> str | None:
    tag = element.tag
    if not isinstance(tag, str):
        return None
    return tag.rsplit("}", 1)[-1].lower()
