"""Plain text, markup and source code, read as text with a careful guess at the encoding.

Korean users still have many CP949/EUC-KR files, and charset-normalizer alone misreads short CP949
text as Big5, so the order is: byte-order mark, strict UTF-8, strict CP949 when the result is mostly
Hangul, then charset-normalizer. Files that only carry a text extension (a ``.ts`` video, a ``.log``
full of binary records) are skipped rather than indexed as mojibake.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from mysearch.sources.base import Document, Section, SkipFile
from mysearch.sources.registry import register

SNIFF_BYTES = 8192
MAX_TEXT_BYTES = 64 * 1024 * 1024  # larger "text" files are dumps, not documents worth reading whole
CONTROL_SHARE_LIMIT = 0.05  # share of control bytes above which a sample is binary
NEAR_TIE = 0.15  # chaos margin within which charset-normalizer's candidates count as equally good

# Longest marks first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes that never appear in text: C0 controls except tab, LF, VT, FF, CR and ESC (ANSI colours in
# logs), plus DEL.
_CONTROL_BYTES = frozenset(set(range(32)) - {9, 10, 11, 12, 13, 27}) | {127}
_MD_HEADING = re.compile(r"^#\s+(.+?)\s*#*\s*$")

TEXT_EXTENSIONS = (
    # prose and markup
    ".txt", ".text", ".md", ".markdown", ".rst", ".adoc", ".org", ".tex", ".bib", ".srt", ".vtt",
    # data and configuration
    # (XML, JSON, YAML and TOML are read by mysearch.sources.markup: their text, not their markup)
    ".csv", ".tsv", ".ini", ".cfg", ".conf", ".properties", ".log",
    # source code
    ".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".java", ".c", ".h", ".cpp", ".cc",
    ".cxx", ".hpp", ".hh", ".cs", ".go", ".rs", ".rb", ".php", ".swift", ".kt", ".kts", ".scala",
    ".sh", ".bash", ".zsh", ".fish", ".ps1", ".bat", ".sql", ".r", ".lua", ".pl", ".pm", ".css",
    ".scss", ".sass", ".less", ".vue", ".svelte", ".m", ".mm", ".dart", ".hs", ".ml", ".ex", ".exs",
    ".erl", ".clj", ".jl", ".zig", ".nim", ".groovy", ".gradle", ".proto", ".graphql", ".tf", ".cmake",
)  # fmt: skip


def decode_text(data: bytes) -> str:
    """Decode file bytes to text, or raise SkipFile when they are empty, binary or undecodable."""
    if not data.strip():
        raise SkipFile("empty file")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _non_empty(_decode_or_skip(data[len(bom) :], encoding))
    if looks_binary(data[:SNIFF_BYTES]):
        raise SkipFile("binary content, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp949")
        if _mostly_hangul(text):
            return text
    except UnicodeDecodeError:
        pass
    return _non_empty(_guess_with_charset_normalizer(data))


def looks_binary(sample: bytes) -> bool:
    """NUL bytes or many control bytes: an image, archive or database wearing a text extension."""
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b in _CONTROL_BYTES)
    return controls / len(sample) > CONTROL_SHARE_LIMIT


def _decode_or_skip(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SkipFile(f"text does not match its {encoding} byte-order mark") from exc


def _non_empty(text: str) -> str:
    if not text.strip():
        raise SkipFile("empty file")
    return text


def _mostly_hangul(text: str) -> bool:
    """CP949 accepts many byte strings; only trust it when the non-ASCII letters are mostly Hangul."""
    non_ascii = [c for c in text if ord(c) > 127 and not c.isspace()]
    if not non_ascii:
        return False
    hangul = sum(1 for c in non_ascii if "\uac00" <= c <= "\ud7a3")  # syllables: EUC-JP kana reads as jamo
    return hangul / len(non_ascii) >= 0.7


def _guess_with_charset_normalizer(data: bytes) -> str:
    """charset-normalizer's guess, except that Windows-1252 wins a near tie.

    On short Western text it often ranks a Baltic or Central European code page first by a hair
    ("très" read as "trčs"); Windows-1252 is by far the most common of them, so it is preferred when
    its result is about as clean as the best one.
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        raise SkipFile("unknown text encoding")
    best = min(matches, key=lambda m: m.chaos)
    western = [m for m in matches if "cp1252" in m.could_be_from_charset and m.chaos <= best.chaos + NEAR_TIE]
    text = data.decode("cp1252", "replace") if western else str(best)
    if looks_binary(text[:SNIFF_BYTES].encode("utf-8", "replace")):
        raise SkipFile("binary content, not text")
    return text


def markdown_title(text: str) -> str | None:
    """The first level-one ``# `` heading outside fenced code blocks (a ``# comment`` in a shell
    snippet is not a title)."""
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if not in_fence and (match := _MD_HEADING.match(line)):
            return match.group(1)
    return None


class TextExtractor:
    kind = "text"
    extensions = TEXT_EXTENSIONS

    def extract(self, path: Path) -> Document:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
            # Sniff before reading everything: a multi-gigabyte .ts video must not be loaded.
            if not any(head.startswith(bom) for bom, _ in _BOMS) and looks_binary(head):
                raise SkipFile("binary content, not text")
            rest = f.read(MAX_TEXT_BYTES + 1 - len(head))
        data = head + rest
        if len(data) > MAX_TEXT_BYTES:
            raise SkipFile(f"text file too large (over {MAX_TEXT_BYTES // (1024 * 1024)} MiB)")
        text = decode_text(data)
        suffix = path.suffix.lower()
        title = markdown_title(text) if suffix in (".md", ".markdown") else None
        return Document(sections=[Section(text)], title=title, kind=suffix.lstrip(".") or "text")


register(TextExtractor())
