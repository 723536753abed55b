"""`mysearch --smoke`: proves an install works end to end, in the venv and in a packaged build alike.

It opens a throw-away library, indexes the two documents shipped with the package (one English, one
Korean), runs a keyword, a meaning and a Korean search, reads a photo of a Korean notice with OCR (an
installed package must carry the engine and its models; a development install without Tesseract's models
says so instead), writes one cited answer with the real default answer model, opens the main window
(offscreen when there is no display), and prints one JSON line of timings. Any step that fails ends it
with a non-zero exit code and a sentence saying which step and why, so an installer test
(``make package-test``) can tell a missing library from a missing model. The user's own library and
settings are never touched: everything lives in a temporary folder.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SAMPLES = Path(__file__).resolve().parent / "smoke_docs"
ENGLISH, KOREAN = "tomato-soup.txt", "passport-ko.md"
SCAN = Path(__file__).resolve().parent / "smoke_scan" / "notice.jpg"  # "정기 소독 안내", photographed


class SmokeFailure(Exception):
    """One step of the smoke test did not give what it must."""


def run(window: bool = True) -> dict[str, Any]:
    """Run every step; the timings (ms) and what was found. Raises ``SmokeFailure`` on the first failure."""
    from .library import Library

    started = time.perf_counter()
    timings: dict[str, float] = {}
    result: dict[str, Any] = {"ok": False, "timings_ms": timings}
    tmp = Path(tempfile.mkdtemp(prefix="mysearch-smoke-"))
    try:
        docs = tmp / "docs"
        shutil.copytree(SAMPLES, docs)
        lib = _step(timings, "open", lambda: Library.open(tmp / "library"))
        try:
            lib.config.set("answer.max_tokens", 64)  # one short answer is enough to prove the model runs
            lib.add([str(docs)])
            report = _step(timings, "index", lib.index)
            result["indexed"] = _indexed(report)
            if report.indexed != 2 or report.failed:
                raise SmokeFailure(f"step 'index': indexed {report.indexed} of 2 sample files ({report.problems})")
            _expect(lib, timings, "keyword", "basil garlic", "keyword", ENGLISH)
            _expect(lib, timings, "meaning", "how do I cook a vegetable dish for dinner", "dense", ENGLISH)
            _expect(lib, timings, "korean", "여권 발급에 필요한 것", "hybrid", KOREAN)
            result["ocr"] = _step(timings, "ocr", _ocr)
            result["answer"] = _step(timings, "answer", lambda: _answer(lib))
            if window:
                result["window"] = _step(timings, "window", lambda: _window(lib))
        finally:
            lib.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    timings["total"] = round((time.perf_counter() - started) * 1000, 1)
    result["ok"] = True
    return result


def main(window: bool = True) -> int:
    """The CLI's ``--smoke``: one JSON line on stdout; exit 0, or 1 with the reason on stderr."""
    try:
        result = run(window=window)
    except SmokeFailure as exc:
        print(f"mysearch --smoke failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # a smoke test reports any failure as one line
        print(f"mysearch --smoke failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0


def _step(timings: dict[str, float], name: str, fn: Callable[[], Any]) -> Any:
    t0 = time.perf_counter()
    try:
        value = fn()
    except SmokeFailure:
        raise
    except Exception as exc:
        raise SmokeFailure(f"step '{name}': {type(exc).__name__}: {exc}") from exc
    timings[name] = round((time.perf_counter() - t0) * 1000, 1)
    return value


def _indexed(report: Any) -> dict[str, object]:
    return {"files": report.indexed, "chunks": report.chunks, "embedded": report.embedded}


def _expect(lib: Any, timings: dict[str, float], name: str, query: str, mode: str, wanted: str) -> None:
    hits = _step(timings, name, lambda: lib.search(query, k=2, mode=mode))
    if not hits:
        raise SmokeFailure(f"step '{name}': the {mode} search for {query!r} found nothing")
    if Path(hits[0].path).name != wanted:
        raise SmokeFailure(f"step '{name}': the {mode} search for {query!r} found {Path(hits[0].path).name}, "
                           f"not {wanted}")


def _ocr() -> dict[str, object]:
    from . import ocr

    if reason := ocr.unavailable_reason(("ko", "en")):
        if getattr(sys, "frozen", False):  # the installers bundle the engine and its models
            raise SmokeFailure(f"step 'ocr': {reason}")
        return {"skipped": reason}
    found = ocr.read_page(SCAN, 1, ("ko", "en"))
    if "정기소독안내" not in "".join(found.text.split()):
        raise SmokeFailure(f"step 'ocr': the notice read as {found.text[:80]!r}")
    return {"text": " ".join(found.text.split())[:40], "confidence": found.confidence}


def _answer(lib: Any) -> dict[str, object]:
    from . import answer

    done = None
    from .client import LocalClient

    for event in LocalClient(lib).ask("How long should the tomatoes be roasted for the soup?"):
        if isinstance(event, answer.Done):
            done = event.answer
    if done is None or done.abstained or not done.text.strip():
        raise SmokeFailure(f"step 'answer': the model wrote no answer ({done.text if done else 'no result'!r})")
    cited = [Path(c.path).name for c in done.citations]
    if ENGLISH not in cited:
        raise SmokeFailure(f"step 'answer': the answer cites {cited or 'nothing'}, not {ENGLISH}: {done.text!r}")
    return {"text": done.text, "cited": cited, "model": lib.config.get("answer.model"),
            "first_token_ms": done.timings.get("first_token_ms")}


def _window(lib: Any) -> dict[str, object]:
    """The real main window, shown by the app's own program (``ui``, started as ``mysearch app`` starts
    it); offscreen when no display is set (a server, a chroot, CI)."""
    import subprocess

    from .cli import app_command

    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1])  # ``ui`` beside this engine, installed or not
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.run(app_command("--check-window", str(lib.home)), capture_output=True, text=True,
                          env=env, timeout=120)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise SmokeFailure(f"step 'window': the app did not start ({proc.returncode}): {proc.stderr.strip()[-300:]}")
    shown = json.loads(lines[-1])
    if not shown.pop("shown"):
        raise SmokeFailure("step 'window': the main window's search box did not show")
    return shown
