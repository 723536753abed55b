"""Each library's own floor under meaning-only hits, for queries that no file holds a word of.

The static floors in ``mysearch.search`` (DENSE_FLOOR) were measured on XQuAD's and KorQuAD's articles.
How close made-up words sit to a library's chunks depends on the library: SciFact's abstracts, dense with
rare scientific terms, sit near every pronounceable nonsense word, so under XQuAD's floor 0.87 of made-up
words still listed files there. So each library measures its own: the best similarity that made-up
words (checked to hold no word of it) reach under each model, its 99th percentile kept in the
catalog. Search raises the floor to it only for a query of which no file holds a word, which is what a
made-up word is and what a question about the library's subject almost never is, so ranking is
untouched where the keywords have something to say.
"""

from __future__ import annotations

import json
import logging
import random

from .catalog import Catalog
from .exact_eval import made_up_word
from .metrics import percentile
from .search import Query, Searcher

log = logging.getLogger(__name__)

META_KEY = "search.library_floors"
WORDS = 200  # per language: the 99th percentile of 200 lies near the third-best, steadier than the best of 100
PERCENTILE = 99
MIN_CHUNKS = 500  # smaller libraries keep the static floors, measured on libraries of 161 (XQuAD) and 666
# (KorQuAD) chunks: made-up words come nearer to a library's text as it grows
GROWTH = 0.25  # measured again once the chunk count moved by a quarter since the last time
LANGUAGES = ("en", "ko")


def stored(catalog: Catalog) -> dict[str, object] | None:
    """The calibration kept for this library: {"chunks": n, "models": [...], "floors": {lang: {model: sim}}}."""
    raw = catalog.get_meta(META_KEY)
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) and isinstance(value.get("floors"), dict) else None


def floors(catalog: Catalog, korean: bool) -> dict[str, float]:
    """This library's floor per model for a query in the given language (empty: not measured)."""
    value = stored(catalog)
    if value is None:
        return {}
    table = value["floors"].get("ko" if korean else "en", {})  # type: ignore[union-attr]
    return {m: float(f) for m, f in table.items() if isinstance(f, (int, float))}


def due(catalog: Catalog, models: list[str], min_chunks: int = MIN_CHUNKS) -> bool:
    """Whether the library should be measured (again): big enough, and new, grown or shrunk by a quarter,
    or searched with other models than when it was measured."""
    n = catalog.chunk_count()
    if n < min_chunks:
        return False
    value = stored(catalog)
    if value is None:
        return True
    before = int(value.get("chunks") or 0)
    return sorted(value.get("models") or []) != sorted(models) or abs(n - before) > GROWTH * max(before, 1)


def words(searcher: Searcher, korean: bool, n: int = WORDS, seed: int = 0) -> list[str]:
    """Up to `n` made-up words of which this library holds no word (``Searcher.holds_a_word``), as for
    the queries the floor serves."""
    rng = random.Random(seed)
    candidates = list(dict.fromkeys(made_up_word(rng, korean) for _ in range(n * 2)))
    return [w for w in candidates if not searcher.holds_a_word(Query.parse(w))][:n]


def measure(searcher: Searcher, models: list[str], n: int = WORDS) -> dict[str, dict[str, float]]:
    """The PERCENTILE of the best chunk's similarity for `n` made-up words per language, per model."""
    out: dict[str, dict[str, float]] = {}
    for lang in LANGUAGES:
        chosen = words(searcher, lang == "ko", n)
        if len(chosen) < 10:
            continue
        out[lang] = {}
        for model in models:
            best = searcher.nearest(model, chosen)
            if best:
                out[lang][model] = round(percentile(best, PERCENTILE), 4)
    return out


def refresh(catalog: Catalog, searcher: Searcher, models: list[str], min_chunks: int = MIN_CHUNKS) -> bool:
    """Measure and keep this library's floors when ``due`` and every model in `models` has all its
    vectors (a half-embedded model's neighbours are not yet the library's); True when it did.
    ``catalog``: the writer. Called whenever the owner goes idle, so the cheap checks come first."""
    if catalog.chunk_count() < min_chunks and stored(catalog) is not None:
        catalog.set_meta(META_KEY, "")  # shrunk below the size it is measured at: the static floors again
    if not models or not due(catalog, models, min_chunks):
        return False
    if any(catalog.count_without_vector(m) for m in models):
        return False
    table = measure(searcher, models)
    value = {"chunks": catalog.chunk_count(), "models": sorted(models), "floors": table}
    catalog.set_meta(META_KEY, json.dumps(value, sort_keys=True))
    log.info("library floors measured over %d chunks: %s", value["chunks"], table)
    return True
