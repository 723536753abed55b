"""Query sets that `mysearch eval --exact` builds from the library itself: exact strings and made-up words.

People search their own files for invoice numbers, ids, names and phrases they remember word for word.
For each sampled document this picks strings that occur in exactly that one document (checked against
every document, whole words, case folded): a rare word (an identifier, a number, a name), a number with
its unit, and a 4-8 word phrase, the phrase both bare and in quotes. The file holding the string must come
first: "exact file at rank 1". Made-up words (pronounceable, checked to occur in no document) measure
padding: a library has nothing for them, so the right answer is no result at all.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from . import tokens as tok
from .search import _contains, is_identifier

_SPACE = re.compile(r"\s+")
_NUMBER_UNIT = re.compile(
    r"(?<![\w.,])\d[\d,.]*\s?(?:%|km|kg|mg|ml|cm|mm|m²|km²|mph|°C|°F|GB|MB|TB|kHz|MHz|GHz|USD|EUR|"
    r"years|percent|million|billion|원|명|년|개|km/h)(?!\w)"
)
_ONSETS = "b bl br c d dr f fl g gr k kl kr l m n p pl pr r s sk st t tr v z".split()
_VOWELS = "a e i o u ou ei".split()
_CODAS = ["", "", "n", "r", "s", "x", "m", "l"]
_HANGUL_BASE = 0xAC00


@dataclass(frozen=True)
class ExactQuery:
    text: str
    doc: str  # the one document that holds it
    kind: str  # identifier, number, name, phrase, quoted phrase


def _fold(text: str) -> str:
    return _SPACE.sub(" ", tok.normalize(text)).casefold()


def exact_queries(docs: dict[str, str], n: int = 300, seed: int = 0) -> list[ExactQuery]:
    """Up to four queries for each of `n` sampled documents, each occurring in that document alone
    (a form feed in a document's text separates passages that a phrase must not run across)."""
    rng = random.Random(seed)
    folded = {d: _fold(t) for d, t in docs.items()}
    words_of = {d: [w.strip("'.:-/#&+@") for w in tok.WORD.findall(tok.normalize(t))] for d, t in docs.items()}
    df = Counter(w.casefold() for ws in words_of.values() for w in set(ws) if w)

    def unique(s: str, doc: str) -> bool:
        s = _fold(s)
        return _contains(folded[doc], s) and not any(_contains(t, s) for d, t in folded.items() if d != doc)

    out: list[ExactQuery] = []
    for doc in rng.sample(sorted(docs), min(n, len(docs))):
        words = [w for w in words_of[doc] if w]
        rare = [w for w in dict.fromkeys(words) if df[w.casefold()] == 1 and len(w) >= 4]
        idents = [w for w in rare if is_identifier(w)]
        names = [w for w in rare if w[0].isupper() and w.isalpha() and w not in idents]
        if idents:
            out.append(ExactQuery(rng.choice(idents), doc, "identifier"))
        elif names:
            out.append(ExactQuery(rng.choice(names), doc, "name"))
        numbers = [m.group() for m in _NUMBER_UNIT.finditer(tok.normalize(docs[doc]))]
        numbers = [s for s in dict.fromkeys(numbers) if unique(s, doc)]
        if numbers:
            out.append(ExactQuery(rng.choice(numbers), doc, "number"))
        parts = [p.split() for p in docs[doc].split("\f")]  # \f: between chunks (a phrase stays in one)
        for _ in range(8):  # a 4-8 word phrase that no other document has
            plain = rng.choice(parts)
            if len(plain) < 4:
                continue
            size = rng.randint(4, min(8, len(plain)))
            start = rng.randrange(0, len(plain) - size + 1)
            phrase = " ".join(plain[start : start + size]).strip(" ,.;:!?()[]\"'")
            if '"' in phrase or len(tok.WORD.findall(phrase)) < 4 or not unique(phrase, doc):
                continue
            out.append(ExactQuery(phrase, doc, "phrase"))
            out.append(ExactQuery(f'"{phrase}"', doc, "quoted phrase"))
            break
    return out


def made_up_words(docs: dict[str, str], n: int = 300, seed: int = 0, korean: bool = False) -> list[str]:
    """`n` pronounceable made-up words (a fifth of them pairs), none of which occurs in any document;
    Hangul syllables for a Korean library."""
    rng = random.Random(seed)
    vocab = {w.casefold() for t in docs.values() for w in tok.WORD.findall(tok.normalize(t))}
    out: list[str] = []
    while len(out) < n:
        words = [_made_up(rng, korean) for _ in range(2 if rng.random() < 0.2 else 1)]
        if any(w in vocab for w in words):
            continue
        q = " ".join(words)
        if q not in out:
            out.append(q)
    return out


def _made_up(rng: random.Random, korean: bool) -> str:
    if korean:  # three or four random syllables: real Korean words are mostly two or three
        return "".join(chr(_HANGUL_BASE + rng.randrange(11172)) for _ in range(rng.randint(3, 4)))
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(2, 4)))
