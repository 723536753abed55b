"""Grounded answers: retrieve, prompt a local model with numbered sources, check what it cites.

``ask`` yields events so every client streams the same way: ``Sources`` (the passages the model is
given, numbered as it sees them, before it starts, so they can be shown at once: files first, then web
pages when the user turned web search on, ranked beside them), ``Token`` for each piece of generated
text, then one ``Done``
with the checked answer. Generation runs on a thread of its own; setting ``cancel`` aborts it inside
llama.cpp (between graph nodes, so even a long prompt evaluation stops within milliseconds).
"""

from __future__ import annotations

import queue
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import paths, web
from .llm import citations, prompt, runtime
from .search import Filters, Hit

if TYPE_CHECKING:
    from .library import Library

NOT_FOUND = {
    "en": "The indexed files do not answer this question.",
    "ko": "색인된 파일에서 이 질문의 답을 찾지 못했습니다.",
}
SOURCE_BUDGETS = (160, 100, 100)  # prompt tokens per source, best first: the best hit carries most answers
MIN_QUESTION_COVERAGE = 0.35  # share of the question's words a same-language passage must contain


@dataclass
class Citation:
    n: int
    path: str
    page: int | None
    snippet: str
    label: str | None = None
    url: str | None = None
    title: str | None = None
    web: bool = False  # a page found by web search (``path`` is then its address; JSON says null)

    def as_json(self) -> dict[str, object]:
        return {
            "n": self.n, "path": None if self.web else self.path, "page": self.page, "snippet": self.snippet,
            "label": self.label, "url": self.url, "title": self.title, "web": self.web,
        }


@dataclass
class Answer:
    question: str
    text: str
    citations: list[Citation]
    abstained: bool
    stopped: bool = False
    language: str = "en"
    raw: str = ""  # what the model wrote, before its citations were checked
    hits: list[Hit] = field(default_factory=list)
    timings: dict[str, float | None] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # e.g. web search was on but failed
    web_provider: str | None = None  # the service that received the question, if one did

    def as_json(self) -> dict[str, object]:
        return {
            "answer": self.text,
            "citations": [c.as_json() for c in self.citations],
            "abstained": self.abstained,
            "stopped": self.stopped,
            "timings": self.timings,
            "warnings": self.warnings,
            "web_provider": self.web_provider,
        }


@dataclass
class Sources:
    hits: list[Hit]


@dataclass
class Token:
    text: str


@dataclass
class Done:
    answer: Answer


Event = Sources | Token | Done


def ask(
    lib: Library,
    question: str,
    cancel: threading.Event | None = None,
    filters: Filters | None = None,
    attribute: bool = True,
    retrieve: Callable[[str, int, Filters], list[Hit]] | None = None,
    web_search: bool | None = None,
) -> Iterator[Event]:
    """``retrieve`` replaces the library's own search (the CLI searches through a running app);
    ``web_search`` overrides ``web.enabled`` for this question (``ask --web`` / ``--no-web``)."""
    cancel = cancel or threading.Event()
    cfg = lib.config
    t0 = time.monotonic()
    lang = prompt.question_language(question)
    k = cfg.get("answer.sources")
    hits = retrieve(question, k, filters or Filters()) if retrieve else lib.search(question, k=k, filters=filters)
    # the web only when the user turned it on; a failure leaves the files' answer standing
    found = web.for_answer(cfg, question, lib.home, enabled=web_search)
    web_hits = found.hits()
    hits = hits + web_hits
    retrieval_ms = (time.monotonic() - t0) * 1000
    passages = _relevant(lib, question, hits, ranked=bool(web_hits))
    yield Sources([h for h, _text in passages])  # numbered as the model sees them: [n] is the n-th
    answer = Answer(question, NOT_FOUND[lang], [], True, language=lang, hits=hits, warnings=found.warnings,
                    web_provider=found.provider if found.requested else None)
    answer.timings["retrieval_ms"] = round(retrieval_ms, 1)
    if found.requested:
        answer.timings.update(found.timings)
    if not passages or cancel.is_set():  # nothing in the files is about this question: no model call
        answer.stopped = cancel.is_set()
        answer.timings.update({"first_token_ms": None, "tokens_per_s": None})
        yield Done(answer)
        return
    # held while the prompt is built and, by the writing thread, until the answer ends: another model chosen
    # meanwhile (the app's settings, `models use`) closes this one only after that
    with runtime.use(cfg.get("answer.model"), cfg.get("answer.gpu"), cfg.get("answer.threads")) as rt:
        sources = _sources(question, passages, rt)
        msgs = prompt.messages(question, sources)
        events: queue.Queue[tuple[str, object]] = queue.Queue()
        worker = threading.Thread(
            target=_generate, args=(rt, msgs, cfg.get("answer.max_tokens"), cancel, events), daemon=True
        )
        rt.retain()  # the writing thread's own hold, let go when it ends even if nobody reads the answer
        worker.start()
    raw, first, n_tokens = [], None, 0
    while True:
        try:
            kind, value = events.get()
        except KeyboardInterrupt:  # Ctrl+C stops the answer (within ms), not the program
            cancel.set()
            continue
        if kind == "token":
            if first is None:
                first = time.monotonic()
            n_tokens += 1
            raw.append(str(value))
            yield Token(str(value))
        elif kind == "error":
            worker.join()
            raise value  # type: ignore[misc]
        else:
            break
    worker.join()
    end = time.monotonic()
    answer.raw = "".join(raw).strip()
    answer.stopped = cancel.is_set()
    answer.timings.update(
        {
            "first_token_ms": round(((first or end) - t0) * 1000, 1),
            "tokens_per_s": round((n_tokens - 1) / (end - first), 1) if first and n_tokens > 1 else 0.0,
            "prompt_tokens": float(max(0, int(value or 0) - n_tokens)),  # type: ignore[call-overload]
            "total_ms": round((end - t0) * 1000, 1),
        }
    )
    checked = citations.check(answer.raw, {s.n: s.text for s in sources}, attribute=attribute, question=question)
    if not checked.abstained:
        by_n = {i + 1: h for i, (h, _text) in enumerate(passages)}
        answer.text = checked.text
        answer.abstained = False
        answer.citations = [_citation(n, by_n[n]) for n in checked.cited]
    elif answer.stopped and answer.raw:
        answer.text = answer.raw
    yield Done(answer)


def warm_up(lib: Library, cancel: threading.Event | None = None) -> dict[str, object]:
    """Load the answer model and evaluate the fixed part of the prompt now (the app does this after
    its window shows; ``mysearch ask`` while it searches), so the first question costs only its own
    sources and words. ``cancel`` stops the prompt evaluation within milliseconds."""
    cfg = lib.config
    with runtime.use(cfg.get("answer.model"), cfg.get("answer.gpu"), cfg.get("answer.threads")) as rt:
        return _warm(rt, cancel)


def _warm(rt: runtime.Runtime, cancel: threading.Event | None) -> dict[str, object]:
    msgs = prompt.messages("", [])[:-1] + [{"role": "user", "content": ""}]
    with rt.lock:
        rt.abort_on(cancel)
        try:
            for _ in rt.llm.create_chat_completion(messages=msgs, stream=True, max_tokens=1):  # type: ignore[attr-defined]
                pass
        except RuntimeError:
            if cancel is None or not cancel.is_set():
                raise
            rt.after_abort()
        finally:
            rt.abort_on(None)
    return rt.info()


def _relevant(lib: Library, question: str, hits: list[Hit], ranked: bool = False) -> list[tuple[Hit, str]]:
    """The hits worth showing the model, with their passage text.

    A passage in the question's language that contains few of the question's words is left out: on the
    dev sets every question about an indexed article had a retrieved passage holding at least 40% of
    its words, while questions about articles that were not indexed had at most 33% (median 14%), and
    the small model tends to "answer" those from whatever it is shown. A passage in another language
    is always kept (a Korean question may be answered by an English file).

    With web passages among them (``ranked``), files' and pages' passages are put in one order by that
    same share of the question's words (ties keep the files first), so the best passage gets the largest
    part of the prompt wherever it comes from, and only the best ``answer.sources`` are kept: web pages
    compete with files for the same places rather than lengthening the prompt (each extra source cost
    about 100 prompt tokens, i.e. a second of first-token time on a laptop CPU; benchmarks/bench_web.py).
    """
    chunks = lib.reader().chunks([h.chunk_id for h in hits if h.chunk_id >= 0])
    asked = citations.content_words(question)
    lang = prompt.question_language(question)
    out = []
    for h in hits:
        row = chunks.get(h.chunk_id)
        text = row.text if row else h.snippet
        same_language = prompt.question_language(text) == lang
        coverage = len(asked & citations.content_words(text)) / len(asked) if asked else 1.0
        if coverage >= MIN_QUESTION_COVERAGE or not same_language:
            out.append((h, text, coverage if same_language else 0.0))
    if ranked:
        out.sort(key=lambda x: -x[2])  # stable: equal shares keep their order
        out = out[: lib.config.get("answer.sources")]
    return [(h, text) for h, text, _c in out]


def _sources(question: str, passages: list[tuple[Hit, str]], rt: runtime.Runtime) -> list[prompt.Source]:
    llm = rt.llm

    def count(text: str) -> int:
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False))  # type: ignore[attr-defined]

    out = []
    for i, (h, text) in enumerate(passages):
        budget = SOURCE_BUDGETS[min(i, len(SOURCE_BUDGETS) - 1)]
        title = h.title or Path(paths.display(h.path)).stem
        if h.kind == "web":  # quoted like a file, but the model is told where it comes from
            title = f"{title} (web page, {urllib.parse.urlsplit(h.url or h.path).hostname})"
        out.append(prompt.Source(i + 1, title, prompt.window(question, text, budget, count)))
    return out


def _generate(
    rt: runtime.Runtime,
    msgs: list[dict[str, str]],
    max_tokens: int,
    cancel: threading.Event,
    events: queue.Queue[tuple[str, object]],
) -> None:
    prompt_tokens = 0
    try:
        with rt.lock:
            rt.abort_on(cancel)
            try:
                stream = rt.llm.create_chat_completion(  # type: ignore[attr-defined]
                    messages=msgs, stream=True, max_tokens=max_tokens, temperature=0.0, stop=["\n\nQuestion:"]
                )
                for part in stream:
                    if cancel.is_set():
                        stream.close()
                        break
                    delta = part["choices"][0]["delta"].get("content")
                    if delta:
                        events.put(("token", delta))
                prompt_tokens = rt.context_tokens()
            except RuntimeError:
                if not cancel.is_set():
                    raise
                rt.after_abort()
            finally:
                rt.abort_on(None)
    except Exception as exc:  # noqa: BLE001 - handed to the caller's thread
        events.put(("error", exc))
        return
    finally:
        rt.release()  # ask() retained it for this thread
    events.put(("done", prompt_tokens))


def _citation(n: int, hit: Hit) -> Citation:
    if hit.kind == "web":
        return Citation(n, hit.url or hit.path, None, hit.snippet, None, hit.url, hit.title, web=True)
    return Citation(n, paths.display(hit.path), hit.page, hit.snippet, hit.label, hit.url, hit.title)
