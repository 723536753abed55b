"""Which extractor reads which file, chosen by file extension.

Format modules register one extractor each when ``mysearch.sources`` is imported. Lookup is by the
lower-cased last suffix only, so ``notes.TXT`` and ``notes.txt`` read the same way.
"""

from __future__ import annotations

import logging
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Extractor, SkipFile

logger = logging.getLogger(__name__)

_by_extension: dict[str, Extractor] = {}


def register(extractor: Extractor) -> Extractor:
    """Make ``extractor`` the reader for each of its extensions (a later registration wins)."""
    for ext in extractor.extensions:
        _by_extension[ext.lower()] = extractor
    return extractor


def unregister(extractor: Extractor) -> None:
    """Drop ``extractor`` from every extension it holds; tests use this to remove a fake."""
    for ext, registered in list(_by_extension.items()):
        if registered is extractor:
            del _by_extension[ext]


def extractor_for(path: Path) -> Extractor | None:
    return _by_extension.get(Path(path).suffix.lower())


def supported_extensions() -> set[str]:
    return set(_by_extension)


def extract(path: Path) -> Document:
    """Read ``path`` with its registered extractor.

    Only ``ExtractionError`` (and its subclass ``SkipFile``) leaves this function: a library bug on one
    odd file must become a readable skip reason in the catalog, never a crash of the indexing run.
    """
    path = Path(path)
    extractor = extractor_for(path)
    if extractor is None:
        raise SkipFile("unsupported file type")
    try:
        if path.stat().st_size == 0:
            raise SkipFile("empty file")
        document = extractor.extract(path)
    except ExtractionError:
        raise
    except PermissionError as exc:
        raise ExtractionError("permission denied") from exc
    except FileNotFoundError as exc:
        raise ExtractionError("vanished while being read") from exc
    except OSError as exc:
        raise ExtractionError(f"cannot read file: {exc.strerror or exc}") from exc
    except MemoryError:
        raise  # the caller's process guard reports it; catching it here could fail again
    except Exception as exc:  # see docstring
        logger.warning("%s extractor failed on %s", extractor.kind, path, exc_info=True)
        raise ExtractionError(f"could not read {extractor.kind} file: {type(exc).__name__}: {exc}") from exc
    if not document.sections and not document.ocr_pages:
        raise SkipFile("no text found")
    return document
