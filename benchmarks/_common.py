"""Shared helpers for the benchmark scripts: evaluation text, memory sampling, JSON output.

The text comes from the development sets in ``../shared/eval`` (SciFact abstracts for English, KorQuAD
paragraphs for Korean) when they are there; otherwise from a small built-in word list, so the
benchmarks still run (with less realistic text) on a machine without them.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EVAL = REPO.parent / "shared" / "eval"
SCIFACT = EVAL / "scifact"
KORQUAD = EVAL / "korquad" / "korquad.json"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")

# used only when the evaluation sets are missing, and for identifiers, csv cells and filler
BUILTIN_WORDS = """
account address agenda analysis annual answer approval archive article audit balance budget calendar
campaign capital chapter client contract cost customer data deadline decision delivery design detail
draft energy estimate event expense factor feature figure finance forecast growth guide health history
invoice issue item journal language ledger letter manual market meeting memo method metric model
module network notes number office order outline payment plan policy price process product project
proposal quarter question receipt record region report request research result review revenue risk
sample schedule science section server service sheet signal source staff statement status strategy
study summary supply survey system table target team test theory ticket topic total travel update
value vendor version volume warranty week workflow year protein cell gene tumor patient clinical
""".split()

BUILTIN_KOREAN = [
    "서울특별시는 대한민국의 수도이며 가장 큰 도시이다.",
    "회의 자료는 다음 주 월요일까지 공유 폴더에 올려 주세요.",
    "이번 분기 매출은 지난해 같은 기간보다 크게 늘었다.",
    "여권을 갱신하려면 사진과 신분증을 가지고 구청을 방문해야 한다.",
    "연구팀은 새로운 단백질 구조를 분석한 결과를 발표했다.",
    "계약서의 세부 조건은 법무팀의 검토를 거쳐 확정된다.",
]


def open_eval():  # (Dataset, Library, {file id: doc id}, [query ids])
    """The tune_* scripts' command line (DATASET EVAL_HOME [--limit N]): the dataset, the library
    `mysearch eval` built for it, each catalog file's document id, and the queries to score."""
    import argparse

    from mysearch import evaluate
    from mysearch.library import Library

    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("home", help="the library `mysearch eval DATASET` built (<home>/eval/<name>-<model>)")
    ap.add_argument("--limit", type=int, help="score only the first N queries")
    args = ap.parse_args()
    ds = evaluate.load(Path(args.dataset))
    lib = Library.open(Path(args.home))
    by_name = {f"{evaluate._safe(d)}.txt": d for d in ds.docs}
    doc_of_file = {fid: by_name.get(Path(p).name) for fid, p in lib.catalog.db.execute("SELECT id, path FROM files")}
    qids = list(ds.queries)[: args.limit] if args.limit else list(ds.queries)
    return ds, lib, doc_of_file, qids


def parsed_queries(ds, qids: list[str], every: int = 200):  # yields (qid, Query)
    """The tune_* scripts' loop over a dataset's queries, parsed as search parses them, with progress."""
    from mysearch.search import Query

    for i, qid in enumerate(qids):
        if i % every == 0:
            log(f"{i}/{len(qids)}")
        yield qid, Query.parse(ds.queries[qid])


def log(*args: object) -> None:
    print(*args, file=sys.stderr, flush=True)


def emit(result: dict) -> None:
    """The script's one machine-readable output."""
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()


def loadavg() -> list[float] | None:
    """Other work on the machine skews timings; the load average says how much there was."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def machine() -> dict[str, object]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": loadavg(),
    }


# --- evaluation text ----------------------------------------------------------------------------
@dataclass
class Texts:
    english: list[str]  # sentences, in corpus order
    korean: list[str]  # sentences, in corpus order
    english_queries: list[str]
    korean_queries: list[str]
    words: list[str]
    source: str  # "eval sets" or "built-in"


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 20]


def load_texts() -> Texts:
    english: list[str] = []
    english_queries: list[str] = []
    korean: list[str] = []
    korean_queries: list[str] = []
    corpus = SCIFACT / "corpus.jsonl"
    if corpus.exists():
        with corpus.open(encoding="utf-8") as f:
            for line in f:
                doc = json.loads(line)
                english.extend(split_sentences(doc.get("text", "")))
    queries = SCIFACT / "queries.jsonl"
    if queries.exists():
        with queries.open(encoding="utf-8") as f:
            english_queries = [json.loads(line)["text"] for line in f if line.strip()]
    if KORQUAD.exists():
        data = json.loads(KORQUAD.read_text("utf-8"))["data"]
        for article in data:
            for para in article["paragraphs"]:
                korean.extend(split_sentences(para["context"]))
                korean_queries.extend(q["question"] for q in para["qas"])
    source = "eval sets" if english and korean else "built-in"
    words = sorted({w.lower() for s in english[:20000] for w in re.findall(r"[A-Za-z]{4,12}", s)})
    if len(words) < 200:
        words = list(BUILTIN_WORDS)
    if not english:
        english = [
            " ".join(BUILTIN_WORDS[(i * 7 + j * 13) % len(BUILTIN_WORDS)] for j in range(14)).capitalize() + "."
            for i in range(2000)
        ]
    if not english_queries:
        english_queries = [" ".join(BUILTIN_WORDS[i : i + 3]) for i in range(0, 150, 3)]
    if not korean:
        korean = list(BUILTIN_KOREAN)
    if not korean_queries:
        korean_queries = ["여권 갱신 방법", "분기 매출", "단백질 구조 연구", "계약서 검토"]
    return Texts(english, korean, english_queries, korean_queries, words, source)


# --- memory -------------------------------------------------------------------------------------
def maxrss_mib() -> dict[str, float]:
    """Peak resident memory from the kernel: this process, and the largest child it has waited for.

    The child figure is an upper bound: Linux keeps a child's high-water mark from before its
    ``exec``, when as a fresh fork it still mapped all of the parent's pages, so a worker started by
    a big parent reports about the parent's size. The sampled peak (``RssSampler``) is the honest one.
    """
    scale = 1 / 1024 if sys.platform != "darwin" else 1 / 2**20  # KiB on Linux, bytes on macOS
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale
    return {"self_mib": round(own, 1), "largest_child_mib": round(children, 1)}


class RssSampler:
    """Samples the RSS of this process plus all its children; keeps the peak of the sum."""

    def __init__(self, interval_s: float = 0.25) -> None:
        self.interval_s = interval_s
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="rss-sampler")

    def _sample(self) -> int:
        import psutil

        me = psutil.Process()
        total = me.memory_info().rss
        for child in me.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak_bytes = max(self.peak_bytes, self._sample())
            except Exception:  # a failed sample must not stop the benchmark
                pass
            self._stop.wait(self.interval_s)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mib(self) -> float:
        return round(self.peak_bytes / 2**20, 1)


def dir_size_mib(path: Path) -> float:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return round(total / 2**20, 1)


def percentiles_ms(samples_s: list[float]) -> dict[str, float]:
    import numpy as np

    a = np.asarray(samples_s) * 1000
    return {
        "p50": round(float(np.percentile(a, 50)), 2),
        "p95": round(float(np.percentile(a, 95)), 2),
        "mean": round(float(a.mean()), 2),
        "max": round(float(a.max()), 2),
        "n": len(samples_s),
    }


class Timer:
    def __enter__(self) -> Timer:
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.start


def run_and_emit(run, args, shown: dict) -> int:
    """Time ``run(args)``, add the arguments that shaped it and the load, print the JSON."""
    started = time.perf_counter()
    result = run(args)
    result["args"] = shown
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    result["loadavg_at_end"] = loadavg()
    emit(result)
    return 0
