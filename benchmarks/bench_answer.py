"""Answer speed with the default model: load, time to first token, tokens/s, and how fast a stop lands.

    .venv/bin/python benchmarks/bench_answer.py [--questions 10] [--model NAME] [--devices-only]

Indexes the paragraphs of a few XQuAD (English) and KorQuAD (Korean) articles, asks their questions,
and prints JSON: per language the p50/p95 of retrieval, first token (from the question) and prompt
size, generation tokens/s; the model's load time and the process's peak RSS; and the delay from a
stop request to the end of the answer, both during prompt evaluation and during generation (the
target is 200 ms). Under "devices", the CPU and the GPU side by side on the same short prompt (prompt and
generation tokens/s, first token, load time), or why no GPU was used.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import EVAL, RssSampler, log, machine, percentiles_ms, run_and_emit

SETS = {"en": EVAL / "xquad" / "xquad.json", "ko": EVAL / "korquad" / "korquad.json"}


def _corpus(folder: Path, articles: int, questions: int) -> dict[str, list[str]]:
    asked: dict[str, list[str]] = {}
    for lang, path in SETS.items():
        data = json.loads(path.read_text("utf-8"))["data"][:articles]
        asked[lang] = []
        for a, article in enumerate(data):
            for p, para in enumerate(article["paragraphs"]):
                (folder / f"{lang}-{a}-{p}.txt").write_text(article["title"] + "\n" + para["context"], "utf-8")
                asked[lang] += [qa["question"] for qa in para["qas"][:1]]
        asked[lang] = asked[lang][:questions]
    return asked


def _stop_delay(lib, question: str, when: str) -> float:
    from mysearch import answer

    cancel = threading.Event()
    set_at = 0.0

    def stop() -> None:
        nonlocal set_at
        set_at = time.perf_counter()
        cancel.set()

    for ev in answer.ask(lib, question, cancel=cancel):
        if isinstance(ev, answer.Sources) and when == "prompt":
            threading.Timer(0.3, stop).start()
        # the model's first token (checked text may come only with its whole sentence)
        if isinstance(ev, answer.Stage) and ev.step == "writing" and when == "generation" and not cancel.is_set():
            stop()
    return time.perf_counter() - set_at


def _devices(model: str) -> dict:
    """The same model on the CPU and on the GPU (``answer.gpu`` off and auto), one after the other."""
    from mysearch.answer import runtime

    out: dict = {}
    for label, gpu in (("cpu", "off"), ("gpu", "auto")):
        rt = runtime.load(model, gpu)
        info = rt.info()
        if label == "gpu" and info["device"] != "gpu":
            out[label] = {"used": False, "reason": info["gpu_reason"]}
            continue
        runtime.measure_speed(rt, 4)  # first use: buffers and (on a GPU) shader pipelines
        speed = [runtime.measure_speed(rt) for _ in range(3)]
        best = max(speed, key=lambda s: s["generation_tokens_per_s"])
        out[label] = {"used": True, "load_s": info["load_s"], "gpu": info["gpu"], "gpu_layers": info["gpu_layers"],
                      **best}
        log(f"{label}: prompt {best['prompt_tokens_per_s']} tok/s, generation {best['generation_tokens_per_s']} tok/s")
    return out


def run(args: argparse.Namespace) -> dict:
    from mysearch import answer
    from mysearch.answer import runtime
    from mysearch.library import Library

    if args.devices_only:
        from mysearch.config import setting

        return {"machine": machine(), "devices": _devices(args.model or setting("answer.model").default)}
    tmp = Path(tempfile.mkdtemp(prefix="bench-answer-"))
    docs = tmp / "docs"
    docs.mkdir()
    asked = _corpus(docs, args.articles, args.questions)
    result: dict = {"machine": machine()}
    with RssSampler() as rss, Library.open(tmp / "home") as lib:
        if args.model:
            lib.config.set("answer.model", args.model)
        lib.add([str(docs)])
        lib.index()
        t = time.perf_counter()
        cfg = lib.config
        rt = runtime.load(cfg.get("answer.model"), cfg.get("answer.gpu"), cfg.get("answer.threads"))
        result["model"] = {**rt.info(), "load_s": round(time.perf_counter() - t, 2)}
        for _ in answer.ask(lib, "warm up"):  # the fixed prompt prefix is evaluated once per process
            pass
        for lang, questions in asked.items():
            rows = []
            for i, q in enumerate(questions, 1):
                for ev in answer.ask(lib, q):
                    if isinstance(ev, answer.Done):
                        rows.append(ev.answer.timings)
                log(f"{lang} {i}/{len(questions)} first token {rows[-1]['first_token_ms']:.0f} ms")
            result[lang] = {
                "questions": len(rows),
                "retrieval_ms": percentiles_ms([r["retrieval_ms"] / 1000 for r in rows]),
                "first_token_ms": percentiles_ms([r["first_token_ms"] / 1000 for r in rows]),
                "prompt_tokens_p50": sorted(r["prompt_tokens"] for r in rows)[len(rows) // 2],
                "tokens_per_s_p50": sorted(r["tokens_per_s"] for r in rows)[len(rows) // 2],
            }
        q = asked["en"][0]
        result["stop_delay_ms"] = {
            "during_prompt": percentiles_ms([_stop_delay(lib, q + " " + "x" * i, "prompt") for i in range(3)]),
            "during_generation": percentiles_ms([_stop_delay(lib, q, "generation") for _ in range(3)]),
        }
        result["devices"] = _devices(cfg.get("answer.model"))
    result["peak_rss_mib"] = rss.peak_mib
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=3)
    p.add_argument("--questions", type=int, default=10)
    p.add_argument("--model", help="answer model (default: the catalog's default)")
    p.add_argument("--quick", action="store_true", help="one article, three questions per language")
    p.add_argument("--devices-only", action="store_true", help="only the CPU / GPU comparison")
    args = p.parse_args()
    if args.quick:
        args.articles, args.questions = 1, 3
    return run_and_emit(run, args, vars(args))


if __name__ == "__main__":
    sys.exit(main())
