"""Tesseract 5 through tesserocr: the OCR engine mysearch uses (chosen by measurement, docs/ocr.md).

Two settings matter more than anything else, measured on the degraded test pages (tests/ocr_samples.py):
the page is read as one block of text (``PSM.SINGLE_BLOCK``): Tesseract's automatic layout analysis
breaks Korean lines into fragments and took the character error rate from 3% to 29%; and pages are
read at about 200 dpi: at 300 dpi large Korean type is read worse and a page takes a third longer.

tesserocr's wheels carry libtesseract and leptonica themselves (no OpenMP, so one page uses one core);
only the trained models are data files: ``kor.traineddata`` and ``eng.traineddata``, from Debian's
``tesseract-ocr-kor`` / ``tesseract-ocr-eng`` or bundled beside the app in ``tessdata/``. One loaded
API reads every page of a run, so the models load once (about 0.3 s), not once per page.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

# our language codes -> Tesseract's
TESSERACT_LANGS = {"ko": "kor", "en": "eng"}

_TESSDATA_DIRS = (
    "/usr/share/tesseract-ocr/5/tessdata",
    "/usr/share/tesseract-ocr/4.00/tessdata",
    "/usr/share/tessdata",
    "/usr/local/share/tessdata",
    "/opt/homebrew/share/tessdata",
)


@dataclass(frozen=True)
class OcrText:
    text: str
    confidence: float  # Tesseract's mean word confidence, 0-100


def tessdata_dir(languages: tuple[str, ...] = ("ko", "en")) -> Path | None:
    """The first folder that holds a model for every language: ``MYSEARCH_TESSDATA``, the app bundle's
    ``tessdata/``, then the usual system folders."""
    wanted = [f"{TESSERACT_LANGS[lang]}.traineddata" for lang in languages]
    candidates = [os.environ.get("MYSEARCH_TESSDATA", "")]
    if getattr(sys, "frozen", False):
        candidates.append(str(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "tessdata"))
    candidates.extend(_TESSDATA_DIRS)
    for folder in filter(None, candidates):
        if all((Path(folder) / name).is_file() for name in wanted):
            return Path(folder)
    return None


def unavailable_reason(languages: tuple[str, ...] = ("ko", "en")) -> str | None:
    """Why OCR cannot run here, in words a person can act on, or None when it can."""
    if importlib.util.find_spec("tesserocr") is None:  # not imported: the parent process never loads it
        return "the tesserocr package is not installed"
    unknown = [lang for lang in languages if lang not in TESSERACT_LANGS]
    if unknown:
        return f"no OCR model for language {', '.join(unknown)} (known: {', '.join(TESSERACT_LANGS)})"
    if tessdata_dir(languages) is None:
        names = ", ".join(f"tesseract-ocr-{TESSERACT_LANGS[lang]}" for lang in languages)
        return f"Tesseract's language models are missing (install {names})"
    return None


def available(languages: tuple[str, ...] = ("ko", "en")) -> bool:
    return unavailable_reason(languages) is None


class TesseractEngine:
    """One Tesseract API for a sequence of pages; ``read`` is serialised (the API is not re-entrant)."""

    name = "tesseract"

    def __init__(self, languages: tuple[str, ...] = ("ko", "en"), threads: int = 1) -> None:
        reason = unavailable_reason(languages)
        if reason:
            raise RuntimeError(reason)
        os.environ.setdefault("OMP_THREAD_LIMIT", str(max(threads, 1)))  # only if a build uses OpenMP
        import tesserocr

        self._tesserocr = tesserocr
        self.languages = languages
        self.pages_read = 0  # what tests count: a cached file must not raise it
        path = tessdata_dir(languages)
        self._api = tesserocr.PyTessBaseAPI(
            path=f"{path}/", lang="+".join(TESSERACT_LANGS[lang] for lang in languages),
            psm=tesserocr.PSM.SINGLE_BLOCK, oem=tesserocr.OEM.LSTM_ONLY,
        )
        self._lock = threading.Lock()
        self.version = f"tesseract {tesserocr.tesseract_version().split()[1]}"

    def read(self, image, dpi: int | None = None) -> OcrText:
        """The text of one page image (Pillow), lines in reading order."""
        with self._lock:
            self._api.SetImage(image)
            if dpi:
                self._api.SetSourceResolution(int(dpi))
            text = self._api.GetUTF8Text()
            confidence = float(self._api.MeanTextConf())
            self._api.Clear()
            self.pages_read += 1
        return OcrText(text, confidence)

    def close(self) -> None:
        self._api.End()
