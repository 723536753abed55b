"""Citations are checked, not trusted.

A small model forgets ``[n]``, cites a number it was never given, or cites the wrong source. Every
sentence of an answer is compared with the sources it was given (shared content words, Korean morphemes
included): a citation stays only if its source shares words with the sentence; a sentence without one
gets the source it overlaps most, when the overlap is clear. An answer left with no supported
citation is an abstention: the files did not answer the question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .. import tokens as tok
from ..sentences import sentence_spans
from .prompt import NO_ANSWER

_CITE = re.compile(r"\s*[\[【]\s*(\d+(?:\s*[,，、]\s*\d+)*)\s*[\]】]")
_NO_ANSWER = re.compile(r"\bno answer\b|not (?:found|contain|mention|provide)|답을 찾(?:을 수 없|지 못)|알 수 없", re.I)

MIN_SUPPORT = 0.3  # share of a sentence's content words found in the source it cites
MIN_NEW_SUPPORT = 0.5  # ... of the words it adds to the question (the answer itself), when it adds any
MIN_ATTRIBUTION = 0.5  # ... that an uncited sentence needs to be given a citation


@dataclass(frozen=True)
class Checked:
    text: str  # the answer with only supported citations, as [n]
    cited: list[int]  # source numbers, in order of first use
    dropped: list[int]  # numbers the model wrote that were removed
    added: list[int]  # numbers attributed to uncited sentences
    abstained: bool


def content_words(text: str) -> set[str]:
    return {t for t in tok.tokenize(text, bigrams=False) if len(t) > 1 or t.isdigit()}


def support(sentence: str, source: str | set[str], asked: set[str] | None = None) -> float:
    """Share of the sentence's content words found in the source; none at all when the sentence
    states a number the source does not have (the commonest invention: a wrong year or amount), or
    when under MIN_NEW_SUPPORT of the words it adds to the question (``asked``: the question's content
    words) are in the source: restating the question earns overlap with any passage on the topic, so
    the answer itself has to come from the source too. ``source`` may be given as its content words
    already, when it is compared with many sentences."""
    words = content_words(sentence)
    if not words:
        return 0.0
    found = source if isinstance(source, set) else content_words(source)
    if any(any(ch.isdigit() for ch in w) and w not in found for w in words):
        return 0.0
    new = words - (asked or set())
    if asked and new and len(new & found) / len(new) < MIN_NEW_SUPPORT:
        return 0.0
    return len(words & found) / len(words)


def is_no_answer(text: str) -> bool:
    stripped = text.strip().strip(".").upper()
    return not stripped or stripped.startswith(NO_ANSWER) or bool(_NO_ANSWER.search(text[:200]))


def check(answer: str, sources: dict[int, str], attribute: bool = True, question: str = "") -> Checked:
    """``sources`` maps each number given to the model to the text it was given."""
    if is_no_answer(answer) and not _CITE.search(answer):
        return Checked("", [], [], [], True)
    source_words = {n: content_words(text) for n, text in sources.items()}  # tokenised once, not per sentence
    asked = content_words(question) if question else None
    out, cited, dropped, added = [], [], [], []
    for s, e in sentence_spans(answer) or [(0, len(answer))]:
        sentence = answer[s:e]
        numbers = [int(n) for m in _CITE.finditer(sentence) for n in re.split(r"[,，、]", m.group(1))]
        plain = _CITE.sub("", sentence).strip()
        if not plain:
            continue
        keep = []
        for n in dict.fromkeys(numbers):
            if n in sources and support(plain, source_words[n], asked) >= MIN_SUPPORT:
                keep.append(n)
            else:
                dropped.append(n)
        if not keep and attribute and sources:
            scores = {n: support(plain, words, asked) for n, words in source_words.items()}
            best = max(scores, key=scores.__getitem__)
            if scores[best] >= MIN_ATTRIBUTION:
                keep.append(best)
                added.append(best)
        for n in keep:
            if n not in cited:
                cited.append(n)
        out.append(_with_marks(plain, keep))
    text = " ".join(out).strip()
    return Checked(text, cited, dropped, added, not cited)


def _with_marks(sentence: str, numbers: list[int]) -> str:
    if not numbers:
        return sentence
    marks = "".join(f"[{n}]" for n in numbers)
    for end in (".", "。", "!", "?"):
        if sentence.endswith(end):
            return sentence[: -len(end)] + " " + marks + end
    return sentence + " " + marks
