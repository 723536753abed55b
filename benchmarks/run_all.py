"""Run every benchmark in turn (one at a time, each in its own process) and collect their JSON.

    .venv/bin/python benchmarks/run_all.py [--quick] [--only index,search]
        [--index-args "--files 300"] [--search-args "--chunks 20000"]

Prints one JSON object on stdout and writes it to ``bench-results/results.json``; each benchmark's
progress goes to stderr as it runs. Exits non-zero when a benchmark failed (its error is in the JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
OUT = REPO / "bench-results" / "results.json"

BENCHMARKS = {
    "index": HERE / "bench_index.py",
    "search": HERE / "bench_search.py",
    "watch": HERE / "bench_watch.py",
    "rescan": HERE / "bench_rescan.py",
    "answer": HERE / "bench_answer.py",
    "cold_ask": HERE / "bench_cold_ask.py",
    "ui": HERE / "bench_ui.py",
}


def git_commit() -> str | None:
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    if head.returncode != 0:
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def run_one(name: str, script: Path, extra: list[str]) -> dict[str, object]:
    cmd = [sys.executable, str(script), *extra]
    print(f"== {name}: {' '.join(cmd[1:])}", file=sys.stderr, flush=True)
    started = time.perf_counter()
    # stderr passes straight through so progress shows while it runs
    proc = subprocess.run(cmd, cwd=REPO, stdout=subprocess.PIPE, text=True)
    seconds = round(time.perf_counter() - started, 1)
    if proc.returncode != 0:
        return {"error": f"exited with status {proc.returncode}", "seconds": seconds}
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        return {"error": f"printed no JSON object: {exc}", "stdout_tail": proc.stdout[-2000:], "seconds": seconds}


def summary(results: dict[str, dict]) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, res in results.items():
        for key, target in (res.get("targets") or {}).items():
            out[f"{name}.{key}"] = target
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes: a smoke run of a couple of minutes")
    ap.add_argument("--only", default="", help="comma-separated benchmarks to run: " + ", ".join(BENCHMARKS))
    ap.add_argument("--index-args", default="", help="extra arguments for bench_index.py")
    ap.add_argument("--search-args", default="", help="extra arguments for bench_search.py")
    ap.add_argument("--watch-args", default="", help="extra arguments for bench_watch.py")
    ap.add_argument("--out", default=str(OUT), help="where to write the collected JSON")
    args = ap.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}")
    extras = {
        "index": shlex.split(args.index_args),
        "search": shlex.split(args.search_args),
        "watch": shlex.split(args.watch_args),
        "rescan": [],
    }

    started = time.perf_counter()
    collected: dict[str, object] = {
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": git_commit(),
        "quick": args.quick,
    }
    results: dict[str, dict] = {}
    for name in names:
        extra = (["--quick"] if args.quick else []) + extras.get(name, [])
        results[name] = run_one(name, BENCHMARKS[name], extra)
    collected["results"] = results
    collected["targets"] = summary(results)
    collected["failed"] = [n for n, r in results.items() if "error" in r]
    collected["seconds"] = round(time.perf_counter() - started, 1)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collected, ensure_ascii=False, indent=2)
    out.write_text(text + "\n", "utf-8")
    print(text)
    print(f"written to {out}", file=sys.stderr)
    return 1 if collected["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
