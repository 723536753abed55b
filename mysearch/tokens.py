"""Keyword tokens for Korean and English text, shared by indexing and querying.

Why not a stock tokenizer: SQLite's unicode61 splits on punctuation and keeps Korean particles glued
to nouns (`여권을` never matches `여권`), and English without stemming misses `study`/`studies`. So we
tokenise in Python and give FTS5 space-separated tokens:

- Hangul runs go through Kiwi (morphemes; particles and endings dropped).
- Latin words are lower-cased and Snowball-stemmed; stop words dropped.
- Identifiers (anything mixing letters, digits and ``-_.:/@#``) are kept whole *and* split into their
  parts, so `INV-2024-0042`, `2024` and `0042` all find the invoice.
All text is NFC-normalised first.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from .errors import MySearchError

_HANGUL = r"\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f"
WORD = re.compile(rf"[{_HANGUL}]+|[^\W_{_HANGUL}](?:[\w\-.:/@#+&']*[^\W{_HANGUL}])?", re.UNICODE)
HAS_HANGUL = re.compile(rf"[{_HANGUL}]")
_SYLLABLES = re.compile(r"[\uac00-\ud7a3]{2,}")
_PART = re.compile(r"[^\W_]+", re.UNICODE)

STOPWORDS = frozenset(
    """a an and are as at be but by for from has have he her his i if in into is it its of on or our
    she so that the their them then there these they this to was we were what when where which who
    will with you your do does did not no than too very can could would should about how why""".split()
)

# Kiwi part-of-speech tags we keep: nouns, verbs/adjectives stems, roots, foreign words, numbers, hanja.
_KEEP_TAGS = ("NN", "NR", "NP", "VV", "VA", "XR", "SL", "SN", "SH", "MAG", "W_")

_lock = threading.Lock()

# Bump when tokenize() or bigrams() change: the catalog re-tokenises its keyword index to match.
VERSION = "3"


@lru_cache(maxsize=1)
def _kiwi():  # third-party type
    from kiwipiepy import Kiwi

    return Kiwi(num_workers=-1)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def korean_from(source: Callable[[str], list[str]]) -> Callable[[], None]:
    """Take Korean morphemes from ``source`` instead of loading Kiwi in this process; returns the undo.

    A client of a running owner (the app's window, a one-shot ``mysearch ask``) gets them from the owner,
    which has Kiwi loaded: loading it here holds the GIL for 1.7 s, against about a millisecond a Hangul
    run over the socket. When ``source`` fails (``OSError``, ``ValueError``, ``MySearchError``: the owner
    is gone) Kiwi loads here after all: the same tokens either way."""
    global _korean_source
    previous, _korean_source = _korean_source, source
    return lambda: globals().__setitem__("_korean_source", previous)


_korean_source: Callable[[str], list[str]] | None = None


def _korean(run: str) -> list[str]:
    source = _korean_source
    if source is not None:
        try:
            return source(run)
        except (OSError, ValueError, MySearchError):
            pass
    return _kiwi_morphemes(run)


def _kiwi_morphemes(run: str) -> list[str]:
    with _lock:  # Kiwi objects are not safe to share across threads
        morphs = _kiwi().tokenize(run)
    out = []
    for m in morphs:
        if m.tag.startswith(_KEEP_TAGS):
            # one-syllable verb stems (하, 가, 받) match almost everything: noise for ranking
            if m.tag.startswith(("VV", "VA")) and len(m.form) < 2:
                continue
            out.append(m.form.lower())
    return out


def latin_tokens(word: str) -> list[str]:
    if word in STOPWORDS:
        return []
    parts = _PART.findall(word)
    if len(parts) == 1 and parts[0] == word:
        if word.isalpha():
            return [_stemmer().stemWord(word)]
        return [word]
    out = [word]
    for p in parts:
        if p not in STOPWORDS:
            out.append(_stemmer().stemWord(p) if p.isalpha() else p)
    return out


def tokenize(text: str, bigrams: bool = True) -> list[str]:
    """Tokens of a document or query, in order (phrase queries rely on the order).

    Korean text also gets the character bigrams of its words, after all other tokens (so phrase
    adjacency is untouched): morphemes alone miss compounds Kiwi splits differently in a question
    and a passage; with bigrams KorQuAD paragraph retrieval went from nDCG@10 0.965 to 0.977."""
    text = normalize(text).lower()
    tokens: list[str] = []
    run_start = run_end = -1  # a stretch of Hangul words goes to Kiwi in one call, for context
    for m in WORD.finditer(text):
        word = m.group()
        if HAS_HANGUL.match(word):
            if run_start < 0:
                run_start = m.start()
            run_end = m.end()
            continue
        if run_start >= 0:
            tokens.extend(_korean(text[run_start:run_end]))
            run_start = -1
        word = word.strip("'.:-/#&+@")
        if word:
            tokens.extend(latin_tokens(word))
    if run_start >= 0:
        tokens.extend(_korean(text[run_start:run_end]))
    return tokens + korean_bigrams(text) if bigrams else tokens


def korean_bigrams(text: str) -> list[str]:
    """Character bigrams of the Hangul words: they match compounds that Kiwi splits differently in a
    question and a passage. The keyword index keeps them in a field of their own with a low weight
    (catalog.FTS_RANK): KorQuAD keyword-only nDCG@10 0.974 -> 0.978 against mixing them with the
    morphemes at full weight."""
    out: list[str] = []
    for word in _SYLLABLES.findall(normalize(text).lower()):
        out.extend(word[i : i + 2] for i in range(len(word) - 1))
    return out


def is_korean(text: str, threshold: float = 0.3) -> bool:
    """True when Hangul makes up a good part of the letters (decides how rankings are weighed)."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return False
    hangul = sum(1 for c in letters if HAS_HANGUL.match(c))
    return hangul / len(letters) >= threshold
