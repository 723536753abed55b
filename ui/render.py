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
PASSAGE = "<div>"  # in the text's own colour, between the grey context (no tint: only matched words are marked)
CITATION = re.compile(r"\[(\d{1,3})\]")
HEADING = re.compile(r"(#{1,6})[ \t]+")  # a Markdown heading's marker at the start of a line
INLINE_HEADING = re.compile(r"(?:^|(?<=\s))#{1,6} (?=\S)")  # the same in a one-line snippet
CONTEXT_CHARS = 360  # grey text shown before and after the passage
MIN_OVERLAP = 12  # chunks overlap by whole sentences; a shorter match is a coincidence


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


def drop(text: str, spans: list[tuple[int, int]], pattern: re.Pattern[str]) -> tuple[str, list[tuple[int, int]]]:
    """Text with the pattern's matches removed and the spans moved to match."""
    cuts = [(m.start(), m.end()) for m in pattern.finditer(text)]
    if not cuts:
        return text, spans
    keep, pos = [], 0
    for a, b in cuts:
        keep.append(text[pos:a])
        pos = b
    keep.append(text[pos:])

    def moved(i: int) -> int:
        return i - sum(min(b, i) - a for a, b in cuts if a < i)

    return "".join(keep), [(moved(a), moved(b)) for a, b in spans if moved(b) > moved(a)]


def lines_html(text: str, spans: list[tuple[int, int]], markdown: bool = False) -> str:
    """Text with its line breaks (runs of blank lines kept to one), the spans marked, and with
    ``markdown`` its ``#`` headings shown as bold text instead of raw markers."""
    out: list[str] = []
    pos, blank = 0, 0
    for line in text.split("\n"):
        a, b = pos, pos + len(line)
        pos = b + 1
        if not line.strip():
            blank += 1
            continue
        if out:
            out.append("<br><br>" if blank else "<br>")
        blank = 0
        m = HEADING.match(line) if markdown else None
        skip = m.end() if m else 0
        inner = [(max(x, a + skip) - a - skip, min(y, b) - a - skip) for x, y in spans if x < b and y > a + skip]
        body = highlight(line[skip:], inner)
        out.append(f"<b>{body}</b>" if m else body)
    return "".join(out)


def _overlap(left: str, right: str) -> int:
    """Length of the longest end of ``left`` that ``right`` starts with (neighbouring chunks share
    a few sentences: the context must not repeat them)."""
    for k in range(min(len(left), len(right)), MIN_OVERLAP - 1, -1):
        if left.endswith(right[:k]):
            return k
    return 0


def _tail(text: str, n: int = CONTEXT_CHARS) -> str:
    if len(text) <= n:
        return text
    cut = text[-n:]
    space = re.search(r"\s", cut)
    return "…" + (cut[space.end():] if space else cut)


def _head(text: str, n: int = CONTEXT_CHARS) -> str:
    if len(text) <= n:
        return text
    cut = text[:n]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    return (cut[:space] if space > 0 else cut) + "…"


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
    if path.lower().endswith((".md", ".markdown")):
        snippet, spans = drop(snippet, list(spans), INLINE_HEADING)
    if title and len(snippet) > len(title) + 20:  # the title is shown above: not again as the snippet's start
        snippet, spans = drop(snippet, list(spans), re.compile(r"\A" + re.escape(title) + r"\s+"))
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


def preview_html(
    before: list[str], passage: str, spans: list[tuple[int, int]], after: list[str], markdown: bool = False
) -> str:
    """The passage once, with its line breaks and only its matched words marked; the neighbouring text
    in grey around it, without the sentences the chunks share."""
    grey = '<p style="color:#808080">{}</p>'
    parts = []
    for t in before:
        t = t[: len(t) - _overlap(t, passage)]
        if t.strip():
            parts.append(grey.format(lines_html(_tail(t.strip()), [], markdown)))
    parts.append(PASSAGE + lines_html(passage.strip("\n"), _strip_shift(passage, spans), markdown) + "</div>")
    for t in after:
        t = t[_overlap(passage, t):]
        if t.strip():
            parts.append(grey.format(lines_html(_head(t.strip()), [], markdown)))
    return "".join(parts)


def _strip_shift(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    lead = len(text) - len(text.lstrip("\n"))
    return [(a - lead, b - lead) for a, b in spans]
