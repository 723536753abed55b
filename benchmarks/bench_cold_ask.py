"""Time to the first words of a fresh `mysearch ask`, cold (a new process each time) and warm (in-process).

    .venv/bin/python benchmarks/bench_cold_ask.py [--runs 3] [--model NAME]

Indexes the small folder the tests use (tests/test_answer.py's files and tests/sample_docs.py), then for
English and Korean questions starts `python -m mysearch ask QUESTION` as a user would, with no app or
watcher running, and times from the start of the process to the first character of the answer on
stdout (the answer is shown sentence by sentence once checked, so this is the first checked sentence),
and to the end of the process. The first process after the index finds no saved prompt state and
evaluates the prompt's fixed part itself ("first_ever_ms"); later ones read it back. Then the same with a
`mysearch watch` running (the CLI retrieves through it), and warm: the same questions in one process,
where "first_token_ms" is the model's first token and "first_text_ms" the first shown text.
Prints JSON; the target (issue 19) is a cold first text p50 of at most 5 s, warm at most 2.5 s.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _common import REPO, log, machine, percentiles_ms, run_and_emit
from sample_docs import write_sample_docs
from test_answer import FILES

QUESTIONS = {
    "en": ["When was the boiler serviced?", "When was the apple tree planted?",
           "How long does a passport renewal take?"],
    "ko": ["다음 워크숍은 어디에서 열리나요?", "워크숍 참가 신청은 누구에게 하나요?", "여권 발급에는 얼마나 걸리나요?"],
}


CODE = REPO  # whose mysearch the processes run (--code: another checkout, for a before/after)


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "MYSEARCH_HOME": str(home), "PYTHONPATH": str(CODE)}


def _cwd(home: Path) -> str:
    """Outside any checkout: `python -m` puts the working folder before PYTHONPATH on sys.path."""
    return str(home.parent)


def _cli(home: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "mysearch", *args], env=_env(home), cwd=_cwd(home), check=True,
                   capture_output=True)


def cold_ask(home: Path, question: str) -> dict[str, float | None]:
    """One fresh process: ms from its start to the sources line, to the first answer character, to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "mysearch", "ask", question], env=_env(home), cwd=_cwd(home),
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    seen, sources_at, text_at = b"", None, None
    while True:
        chunk = proc.stdout.read1(4096)
        if not chunk:
            break
        seen += chunk
        now = time.perf_counter()
        if sources_at is None and b"Sources:" in seen:
            sources_at = now
        head, sep, rest = seen.partition(b"\n\n")
        if text_at is None and sep and rest.strip():
            text_at = now
    proc.wait()
    end = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # one child at a time: its CPU time alone
    text = seen.decode("utf-8", "replace")
    abstained = "do not answer" in text or "찾지 못했습니다" in text
    return {
        "sources_ms": round((sources_at - t0) * 1000) if sources_at else None,
        "first_text_ms": round((text_at - t0) * 1000) if text_at and not abstained else None,
        "total_ms": round((end - t0) * 1000),
        # less sensitive than wall time to what else the machine runs
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2),
        "loadavg": round(os.getloadavg()[0], 2),
    }


def _p50(rows: list[dict], key: str) -> float | None:
    values = sorted(r[key] for r in rows if r.get(key) is not None)
    return values[len(values) // 2] if values else None


def cold(home: Path, runs: int) -> dict:
    out: dict = {}
    for lang, questions in QUESTIONS.items():
        rows = []
        for i in range(runs):
            q = questions[i % len(questions)]
            rows.append(cold_ask(home, q))
            log(f"cold {lang} {q!r}: {rows[-1]}")
        out[lang] = {"runs": rows, "first_text_ms_p50": _p50(rows, "first_text_ms"),
                     "sources_ms_p50": _p50(rows, "sources_ms"), "total_ms_p50": _p50(rows, "total_ms"),
                     "cpu_s_p50": _p50(rows, "cpu_s")}
    return out


def warm(home: Path, model: str | None) -> dict:
    from mysearch import answer
    from mysearch.library import Library

    out: dict = {}
    with Library.open(home) as lib:
        for _ in answer.ask(lib, QUESTIONS["en"][0]):  # model loaded, fixed prompt cached
            pass
        for lang, questions in QUESTIONS.items():
            rows = []
            for q in questions:
                for ev in answer.ask(lib, q):
                    if isinstance(ev, answer.Done):
                        rows.append(ev.answer.timings)
            out[lang] = {}
            for key in ("first_token_ms", "first_text_ms", "retrieval_ms"):
                values = [r[key] / 1000 for r in rows if r.get(key)]
                out[lang][key] = percentiles_ms(values) if values else None
            log(f"warm {lang}: {out[lang]}")
    return out


def run(args: argparse.Namespace) -> dict:
    global CODE
    if args.code:
        CODE = Path(args.code).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="bench-cold-ask-"))
    docs = tmp / "docs"
    write_sample_docs(docs)
    for name, text in FILES.items():
        (docs / name).write_text(text, "utf-8")
    home = tmp / "home"
    _cli(home, "add", str(docs))
    _cli(home, "index")
    if args.model:
        _cli(home, "config", "set", "answer.model", args.model)
    result: dict = {"machine": machine(), "runs_per_language": args.runs}
    shutil.rmtree(home / "cache" / "prompt-state", ignore_errors=True)
    first = cold_ask(home, QUESTIONS["en"][0])
    result["first_ever_ms"] = first  # no saved prompt state yet: this process evaluates and saves it
    log(f"first ever: {first}")
    result["cold"] = cold(home, args.runs)
    if args.no_watcher:
        return _finish(result, home, tmp, args)
    watcher = subprocess.Popen([sys.executable, "-m", "mysearch", "watch"], env=_env(home), cwd=_cwd(home),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        from mysearch.client import RemoteClient

        remote = RemoteClient(home)
        deadline = time.monotonic() + 120
        while not remote.available() and time.monotonic() < deadline and watcher.poll() is None:
            time.sleep(0.2)
        subprocess.run([sys.executable, "-m", "mysearch", "search", "warm up"], env=_env(home), cwd=_cwd(home),
                       capture_output=True)
        result["cold_with_watcher"] = cold(home, args.runs)
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)
    return _finish(result, home, tmp, args)


def _finish(result: dict, home: Path, tmp: Path, args: argparse.Namespace) -> dict:
    if not args.no_warm:
        result["warm"] = warm(home, args.model)
    shutil.rmtree(tmp, ignore_errors=True)
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--runs", type=int, default=3, help="fresh processes per language")
    p.add_argument("--model", help="answer model (default: the catalog's default)")
    p.add_argument("--code", help="run the fresh processes on the mysearch in this checkout (e.g. main)")
    p.add_argument("--no-warm", action="store_true", help="skip the in-process (warm) measurement")
    p.add_argument("--no-watcher", action="store_true", help="skip the runs with a watcher running")
    p.add_argument("--quick", action="store_true", help="one fresh process per language, no watcher, no warm")
    args = p.parse_args()
    if args.quick:
        args.runs, args.no_watcher, args.no_warm = 1, True, True
    return run_and_emit(run, args, vars(args))


if __name__ == "__main__":
    sys.exit(main())
