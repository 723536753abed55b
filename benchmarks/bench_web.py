"""Web search's cost for an answer: first token with web search against the same question without it.

    .venv/bin/python benchmarks/bench_web.py [--rounds 5] [--model NAME]

The internet is the tests' local fake (``tests/web_fakes.py``: a proxy that answers TLS for
html.duckduckgo.com, so the real ``ddgs`` client runs, and three article pages on the topic behind
it). A small library holds the answer too. Each round asks the same question without web search and
with it (alternating, in one warm process; before each, llama.cpp's context is put back to the fixed
prompt alone, so neither reuses the other's evaluated sources), and prints JSON: p50/p95 of the first
token either way and of their difference (target: at most 1.5 s more), the web part alone (search,
and search plus reading the default 3 pages, against ``web.deadline_s``), how many passages and
prompt tokens the model was given.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from _common import log, machine, percentiles_ms, run_and_emit  # noqa: E402

QUESTION = "When was the boiler in the basement serviced?"
GUIDES = {
    "/boiler-service": ("Boiler service records", "A boiler in a basement should be serviced once a year. "
                        "The basement boiler at 4 Elm Street was serviced on 12 March 2024 by Hanson Heating. "
                        "The engineer checked the flue, the pressure and the safety valve"),
    "/boiler-guide": ("How often to service a boiler", "Most makers ask for a boiler service every twelve months. "
                      "A serviced boiler uses less gas. Keep the service record with the warranty"),
    "/heating-news": ("Heating firms busy in March", "Heating engineers report that March is their busiest "
                      "month for boiler servicing, as households book a check after the winter"),
}


def _forget(lib) -> None:
    """Drop what llama.cpp has evaluated, so the next warm-up restores the saved fixed prompt alone (as a
    fresh process does) instead of keeping the previous question's sources for prefix reuse."""
    from mysearch.answer import runtime

    cfg = lib.config
    with runtime.use(cfg.get("answer.model"), cfg.get("answer.gpu"), cfg.get("answer.threads")) as rt, rt.lock:
        rt.llm.reset()


def run(args: argparse.Namespace) -> dict:
    import web_fakes
    from web_fakes import SITE, Web, article

    from mysearch import answer
    from mysearch.library import Library

    tmp = Path(tempfile.mkdtemp(prefix="bench-web-"))
    docs = tmp / "docs"
    docs.mkdir()
    (docs / "boiler.txt").write_text("Boiler maintenance log\nThe boiler in the basement was serviced on 12 March "
                                     "2024 by Hanson Heating.\n", "utf-8")
    (docs / "passport.md").write_text("# Passport\nA passport renewal takes about three weeks.\n", "utf-8")
    for path, (title, body) in GUIDES.items():
        web_fakes.PAGES[path] = ("text/html; charset=utf-8", article(title, body))
    internet = Web(tmp / "ca")
    internet.results = [(t, f"{SITE}{p}", "About boilers.") for p, (t, _b) in GUIDES.items()]
    result: dict = {"machine": machine()}
    try:
        with Library.open(tmp / "home") as lib:
            if args.model:
                lib.config.set("answer.model", args.model)
            for k, v in internet.settings().items():
                lib.config.set(k, v)
            lib.add([str(docs)])
            lib.index()
            for _ in answer.ask(lib, QUESTION, web_search=False):  # load the model, evaluate the fixed prompt
                pass
            rows: dict[str, list[dict]] = {"off": [], "on": []}
            sources: dict[str, list[int]] = {"off": [], "on": []}
            for i in range(args.rounds):
                for mode in ("off", "on") if i % 2 == 0 else ("on", "off"):
                    _forget(lib)
                    answer.warm_up(lib)  # back to the fixed prompt only, as before a first question: no reuse
                    events = list(answer.ask(lib, QUESTION, web_search=mode == "on"))
                    done = events[-1].answer
                    rows[mode].append(done.timings)
                    sources[mode].append(len(events[0].hits))
                    if done.warnings:
                        log("warning:", done.warnings)
                log(f"round {i + 1}/{args.rounds}: first token off {rows['off'][-1]['first_token_ms']:.0f} ms, "
                    f"on {rows['on'][-1]['first_token_ms']:.0f} ms (web {rows['on'][-1].get('web_ms', 0):.0f} ms)")
            deadline_s = lib.config.get("web.deadline_s")
        off = [r["first_token_ms"] / 1000 for r in rows["off"]]
        on = [r["first_token_ms"] / 1000 for r in rows["on"]]
        result.update({
            "question": QUESTION,
            "rounds": args.rounds,
            "first_token_ms_without_web": percentiles_ms(off),
            "first_token_ms_with_web": percentiles_ms(on),
            "added_ms": percentiles_ms([b - a for a, b in zip(off, on, strict=True)]),
            "target_added_ms": 1500,
            "retrieval_ms_without_web": percentiles_ms([r["retrieval_ms"] / 1000 for r in rows["off"]]),
            "retrieval_ms_with_web": percentiles_ms([r["retrieval_ms"] / 1000 for r in rows["on"]]),
            "model_until_first_token_ms": {m: percentiles_ms([(r["first_token_ms"] - r["retrieval_ms"]) / 1000
                                                               for r in rows[m]]) for m in rows},
            "web_search_ms": percentiles_ms([r["search_ms"] / 1000 for r in rows["on"]]),
            "web_search_and_3_pages_ms": percentiles_ms([r["web_ms"] / 1000 for r in rows["on"]]),
            "deadline_ms": deadline_s * 1000,
            "pages_read": sum(1 for r in internet.requests if r.host.endswith(".test")),
            "sources_given_p50": {m: sorted(s)[len(s) // 2] for m, s in sources.items()},
            "prompt_tokens_p50": {m: sorted(r["prompt_tokens"] for r in rows[m])[len(rows[m]) // 2] for m in rows},
        })
    finally:
        internet.close()
    return result


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--model", help="answer model (default: the catalog's default)")
    args = p.parse_args()
    started = time.perf_counter()
    code = run_and_emit(run, args, vars(args))
    log(f"done in {time.perf_counter() - started:.0f} s")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
