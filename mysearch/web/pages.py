"""Reading the pages a web search found: main text by trafilatura, cleaned of text aimed at the model.

A page's text is data for the answer, never instructions: the prompt says so, and before that the
sentences that talk to an AI model ("ignore all previous instructions", "you are now ...", chat-template
markers, "system:" lines) are removed here, so a page cannot steer the small local model. Nothing a
page says can change a setting or start an action anywhere in mysearch: the text only becomes a
numbered, quoted source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..answer import citations
from ..sources.html_page import html_document

PASSAGE_CHARS = 1200  # about one chunk (256 tokens) of English; a page offers its best such window

_INJECTION = re.compile(
    r"(ignore|disregard|forget|override)\s+(all\s+|any\s+|the\s+|your\s+)*(previous|prior|above|earlier|"
    r"preceding|system|original)?\s*(instructions?|prompts?|rules|directions)"
    r"|\byou\s+are\s+now\b|\bpretend\s+to\s+be\b|\bnew\s+instructions?\b|\bsystem\s+prompt\b"
    r"|\b(system|assistant|user)\s*:|\bjailbreak|<\|[^|>]{0,40}\|>|\[/?INST\]|<</?SYS>>"
    r"|\b(reply|respond|answer|say)\s+(only|exactly)\b|\b(reply|respond)\s+with\s+only\b"
    r"|\b(set|change|turn)\s+(the\s+)?(settings?|web\.\w+|config\w*)\b|\bdelete\s+(the\s+)?(user'?s?\s+)?files\b"
    r"|(이전|위의?|모든)\s*(지시|명령|지침)[을를]?\s*무시|시스템\s*프롬프트",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?。！？])\s+|\n+")


@dataclass(frozen=True)
class Page:
    url: str
    title: str
    date: str | None
    text: str  # cleaned main text
    dropped: int  # sentences removed as instructions to a model


def clean(text: str) -> tuple[str, int]:
    """The text without sentences that address an AI model; how many were dropped."""
    kept, dropped = [], 0
    for line in text.splitlines():
        parts = [s for s in _SENTENCE.split(line) if s.strip()]
        good = [s for s in parts if not _INJECTION.search(s)]
        dropped += len(parts) - len(good)
        if good:
            kept.append(" ".join(good))
    return "\n".join(kept), dropped


def read(body: bytes, url: str, fallback_title: str = "") -> Page:
    doc = html_document(body, url=url)
    text, dropped = clean(doc.text or "")
    title, _ = clean(doc.title or "")
    return Page(url, title.strip() or fallback_title or url, doc.date, text, dropped)


def best_passage(question: str, text: str, chars: int = PASSAGE_CHARS) -> tuple[str, float]:
    """The window of whole sentences holding most of the question's content words, and that share."""
    asked = citations.content_words(question)
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    if not sentences:
        return "", 0.0
    best, best_score = "", -1.0
    for i in range(len(sentences)):
        window, j = [], i
        while j < len(sentences) and (not window or len(" ".join(window)) + len(sentences[j]) < chars):
            window.append(sentences[j])
            j += 1
        passage = " ".join(window)
        score = len(asked & citations.content_words(passage)) / len(asked) if asked else 0.0
        if score > best_score + 1e-9:
            best, best_score = passage, score
        if j >= len(sentences):
            break
    return best, max(best_score, 0.0)
