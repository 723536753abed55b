"""Text to safe HTML: every piece of file or model text is escaped before it reaches a view.

Pure functions (no widgets), so they are easy to test: highlighted snippets, previews with the matched
passage marked, and answers whose ``[n]`` citations become ``cite:n`` links the window resolves.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re

MARK = '<span style="background-color:#ffe27a; color:#000000; font-weight:600">'
PASSAGE = '<div style="background-color:rgba(255,226,122,0.25)">'
CITATION = re.compile(r"\[(\d{1,3})\]")


def escape(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


def highlight(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> str:
    """Escaped text with the given character spans marked."""
    out, pos = [], 0
    for a, b in sorted((int(s[0]), int(s[1])) for s in spans):
        if a < pos or b <= a:
            continue
        out += [escape(text[pos:a]), MARK, escape(text[a:b]), "</span>"]
        pos = b
    out.append(escape(text[pos:]))
    return "".join(out)


def location(page: int | None, label: str | None, page_word: str = "page") -> str:
    if page:
        return f"{page_word} {page}"
    return label or ""


def date_text(modified: float) -> str:
    if not modified:
        return ""
    seconds = modified / 1e9 if modified > 1e11 else modified  # ns or s
    return dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d")


def hit_html(title: str, path: str, date: str, where: str, snippet: str, spans: list[tuple[int, int]]) -> str:
    folder = os.path.dirname(path)
    meta = " · ".join(x for x in (escape(folder), escape(date), escape(where)) if x)
    return (
        f"<b>{escape(title)}</b><br>"
        f'<span style="color:#808080; font-size:small">{meta}</span><br>'
        f"{highlight(snippet, spans)}"
    )


def answer_html(text: str, valid: set[int] | None = None) -> str:
    """The answer, escaped, with each ``[n]`` turned into a link when n is a known citation."""
    out, pos = [], 0
    for m in CITATION.finditer(text):
        n = int(m.group(1))
        if valid is not None and n not in valid:
            continue
        out += [escape(text[pos : m.start()]), f'<a href="cite:{n}">[{n}]</a>']
        pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)


def preview_html(before: list[str], passage: str, spans: list[tuple[int, int]], after: list[str]) -> str:
    """Neighbouring text in grey, the matched passage on a tinted background with its terms marked."""
    grey = '<p style="color:#808080">{}</p>'
    parts = [grey.format(escape(t)) for t in before]
    parts.append(PASSAGE + highlight(passage, spans) + "</div>")
    parts += [grey.format(escape(t)) for t in after]
    return "".join(parts)
