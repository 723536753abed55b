"""Grounded answers: retrieve, prompt a local model with numbered sources, check what it cites.

``ask`` yields events so every client streams the same way: ``Sources`` (the passages the model is
given, numbered as it sees them, before it starts, so they can be shown at once: files first, then web
pages when the user turned web search on, ranked beside them), ``Stage`` while the first words are
prepared (loading the model, reading the sources, with a time estimate; then writing), ``Token`` for
each piece of checked text, then one ``Done`` with the checked answer. Generation runs on a thread of
its own; setting ``cancel`` aborts it inside llama.cpp (between graph nodes, so even a long prompt
evaluation stops within milliseconds).

No text is shown that the citation check would take back: the model's words are held until their
sentence ends, the sentences so far are checked (``citations.check``), and only checked text is
yielded, with its citations as checked. Until one sentence is supported by its source nothing is shown,
so an answer the check turns into "not found" never appears first; once one is, the answer cannot
become an abstention any more, and ``Done``'s text is exactly what was streamed.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from .. import paths, web
from ..config import Config
from ..search import Filters, Hit
from ..sentences import sentence_spans
from . import citations, pace, prefix, prompt, runtime


class Passages(Protocol):
    """What an answer needs of a library: a ``Library`` in its owner, a ``mysearch.client.Client``
    anywhere (retrieval through the owner, generation in the asking process)."""

    home: Path
    config: Config

    def search(self, text: str, k: int | None = None, filters: Filters | None = None) -> list[Hit]: ...

    def chunk_texts(self, chunk_ids: list[int]) -> dict[int, str]: ...

NOT_FOUND = {
    "en": "The indexed files do not answer this question.",
    "ko": "색인된 파일에서 이 질문의 답을 찾지 못했습니다.",
}
SOURCE_BUDGETS = (160, 100, 100)  # prompt tokens per source, best first: the best hit carries most answers
PROMPT_FRAME_TOKENS = 20  # the chat template's turn markers and the language hint around the sources
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
class Stage:
    """What is happening before the answer's first words: ``loading`` the answer model, ``reading``
    ``sources`` passages (the prompt evaluation), then ``writing``. ``eta_s`` is the expected duration
    of this step from what the last ones took here (None when unknown)."""

    step: str
    eta_s: float | None = None
    sources: int = 0


@dataclass
class Token:
    text: str


@dataclass
class Done:
    answer: Answer


Event = Sources | Stage | Token | Done


def ask(
    lib: Passages,
    question: str,
    cancel: threading.Event | None = None,
    filters: Filters | None = None,
    attribute: bool = True,
    web_search: bool | None = None,
) -> Iterator[Event]:
    """``web_search`` overrides ``web.enabled`` for this question (``ask --web`` / ``--no-web``)."""
    cancel = cancel or threading.Event()
    cfg = lib.config
    t0 = time.monotonic()
    lang = prompt.question_language(question)
    k = cfg.get("answer.sources")
    hits = lib.search(question, k=k, filters=filters or Filters())
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
    model = cfg.get("answer.model")
    pace_now = pace.read(lib.home, model)
    if runtime.loaded(model, cfg.get("answer.gpu"), cfg.get("answer.threads")) is None:
        # begun already (`mysearch ask` loads it while it searches): what is left of the usual time
        begun = runtime.loading_for(model, cfg.get("answer.gpu"), cfg.get("answer.threads")) or 0.0
        yield Stage("loading", round(max(0.5, pace_now.load_s - begun), 1))
    # held while the prompt is built and, by the writing thread, until the answer ends: another model chosen
    # meanwhile (the app's settings, `models use`) closes this one only after that
    t_model = time.monotonic()
    with runtime.use(model, cfg.get("answer.gpu"), cfg.get("answer.threads")) as rt:
        answer.timings["model_wait_ms"] = round((time.monotonic() - t_model) * 1000, 1)
        sources, to_read = _sources(question, passages, rt)
        msgs = prompt.messages(question, sources)
        events: queue.Queue[tuple[str, object]] = queue.Queue()
        worker = threading.Thread(
            target=_generate,
            args=(rt, msgs, cfg.get("answer.max_tokens"), cancel, events, cache_dir(lib)),
            daemon=True,
        )
        rt.retain()  # the writing thread's own hold, let go when it ends even if nobody reads the answer
        worker.start()
    yield Stage("reading", round(pace_now.reading_s(to_read), 1), len(sources))
    texts = {s.n: s.text for s in sources}
    raw: list[str] = []
    first = first_text = read_s = None
    n_tokens = 0
    shown, ok, checked_upto = "", None, 0  # text yielded, the check that yielded it, raw length checked
    while True:
        try:
            kind, value = events.get()
        except KeyboardInterrupt:  # Ctrl+C stops the answer (within ms), not the program
            cancel.set()
            continue
        if kind == "read":
            read_s = float(value)  # type: ignore[arg-type]
        elif kind == "token":
            if first is None:
                first = time.monotonic()
                yield Stage("writing")
            n_tokens += 1
            raw.append(str(value))
            if cancel.is_set():
                continue
            complete = _complete_sentences("".join(raw))
            if len(complete) > checked_upto:
                checked_upto = len(complete)
                c = citations.check(complete, texts, attribute=attribute, question=question)
                if not c.abstained and c.text.startswith(shown) and len(c.text) > len(shown):
                    new, shown, ok = c.text[len(shown):], c.text, c
                    first_text = first_text or time.monotonic()
                    yield Token(new)
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
            "first_text_ms": round((first_text - t0) * 1000, 1) if first_text else None,
            "tokens_per_s": round((n_tokens - 1) / (end - first), 1) if first and n_tokens > 1 else 0.0,
            "prompt_tokens": float(max(0, int(value or 0) - n_tokens)),  # type: ignore[call-overload]
            "total_ms": round((end - t0) * 1000, 1),
        }
    )
    if read_s and to_read and not answer.stopped:
        pace.record(lib.home, model, load_s=rt.load_s, prompt_tokens_per_s=to_read / max(read_s, 1e-3))
    if answer.stopped:  # what was shown stays, as it was checked; nothing more is said
        checked = ok
    else:
        checked = citations.check(answer.raw, texts, attribute=attribute, question=question)
        if shown and (checked.abstained or not checked.text.startswith(shown)):
            checked = ok  # never take back what was shown (a later sentence cannot turn it into "not found")
        elif not checked.abstained and len(checked.text) > len(shown):
            first_text = first_text or time.monotonic()
            answer.timings["first_text_ms"] = answer.timings["first_text_ms"] or round((first_text - t0) * 1000, 1)
            yield Token(checked.text[len(shown):])
    if checked is not None and not checked.abstained:
        by_n = {i + 1: h for i, (h, _text) in enumerate(passages)}
        answer.text = checked.text
        answer.abstained = False
        answer.citations = [_citation(n, by_n[n]) for n in checked.cited]
    elif answer.stopped:
        answer.text = ""
    yield Done(answer)


def _complete_sentences(text: str) -> str:
    """``text`` up to the end of its last finished sentence: one that another has started after (the
    sentence being written may still change, its citation included)."""
    spans = sentence_spans(text)
    return text[: spans[-2][1]] if len(spans) > 1 else ""


def cache_dir(lib: Passages) -> Path:
    return prefix.cache_dir(lib.home)


def warm_up(lib: Passages, cancel: threading.Event | None = None) -> dict[str, object]:
    """Load the answer model and make the fixed part of the prompt ready now (the app does this after
    its window shows; ``mysearch ask`` while it searches), so the first question costs only its own
    sources and words: read from the state saved by an earlier process (``llm.prefix``), or evaluated
    and saved for the next. ``cancel`` stops the prompt evaluation within milliseconds."""
    cfg = lib.config
    with runtime.use(cfg.get("answer.model"), cfg.get("answer.gpu"), cfg.get("answer.threads")) as rt:
        return _warm(rt, cancel, cache_dir(lib))


def _fixed_messages() -> list[dict[str, str]]:
    return prompt.messages("", [])[:-1] + [{"role": "user", "content": ""}]


def _prefix_name(rt: runtime.Runtime) -> str:
    return prefix.key(rt, json.dumps(_fixed_messages(), ensure_ascii=False))


def _prime(rt: runtime.Runtime, folder: Path | None) -> bool:
    """With ``rt.lock`` held: the fixed prompt from the saved state when this model has read nothing yet.
    True if its cache holds it now."""
    if folder is None:
        return False
    if rt.llm.n_tokens:  # type: ignore[attr-defined]  # a question or a warm-up came first: llama.cpp reuses it
        return True
    return prefix.restore(rt, folder, _prefix_name(rt)) > 0


def _warm(rt: runtime.Runtime, cancel: threading.Event | None, folder: Path | None = None) -> dict[str, object]:
    with rt.lock:
        return {**rt.info(), "prefix": _ready_prefix(rt, cancel, folder)}


def _ready_prefix(rt: runtime.Runtime, cancel: threading.Event | None, folder: Path | None) -> str:
    """With ``rt.lock`` held: the fixed prompt in the model's cache, restored (``ready``) or evaluated and
    saved for the next process (``evaluated``); ``stopped`` if ``cancel`` stopped the evaluation."""
    if _prime(rt, folder):
        return "ready"
    rt.abort_on(cancel)
    try:
        for _ in rt.llm.create_chat_completion(messages=_fixed_messages(), stream=True, max_tokens=1):  # type: ignore[attr-defined]
            pass
    except RuntimeError:
        if cancel is None or not cancel.is_set():
            raise
        rt.after_abort()
        return "stopped"
    finally:
        rt.abort_on(None)
    if folder is not None:
        prefix.save(rt, folder, _prefix_name(rt))
    return "evaluated"


def _relevant(lib: Passages, question: str, hits: list[Hit], ranked: bool = False) -> list[tuple[Hit, str]]:
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
    chunks = lib.chunk_texts([h.chunk_id for h in hits if h.chunk_id >= 0])
    asked = citations.content_words(question)
    lang = prompt.question_language(question)
    out = []
    for h in hits:
        text = chunks.get(h.chunk_id) or h.snippet
        same_language = prompt.question_language(text) == lang
        coverage = len(asked & citations.content_words(text)) / len(asked) if asked else 1.0
        if coverage >= MIN_QUESTION_COVERAGE or not same_language:
            out.append((h, text, coverage if same_language else 0.0))
    if ranked:
        out.sort(key=lambda x: -x[2])  # stable: equal shares keep their order
        out = out[: lib.config.get("answer.sources")]
    return [(h, text) for h, text, _c in out]


def _sources(
    question: str, passages: list[tuple[Hit, str]], rt: runtime.Runtime
) -> tuple[list[prompt.Source], int]:
    """The sources as the model sees them, and about how many prompt tokens it has to read for them
    and the question (the fixed part before them is cached)."""
    llm = rt.llm

    def count(text: str) -> int:
        return len(llm.tokenize(text.encode("utf-8"), add_bos=False))  # type: ignore[attr-defined]

    out = []
    tokens = count(question) + PROMPT_FRAME_TOKENS
    for i, (h, text) in enumerate(passages):
        budget = SOURCE_BUDGETS[min(i, len(SOURCE_BUDGETS) - 1)]
        title = h.title or Path(paths.display(h.path)).stem
        if h.kind == "web":  # quoted like a file, but the model is told where it comes from
            title = f"{title} (web page, {urllib.parse.urlsplit(h.url or h.path).hostname})"
        source = prompt.Source(i + 1, title, prompt.window(question, text, budget, count))
        tokens += count(f"[{source.n}] {source.title}\n{source.text}\n\n")
        out.append(source)
    return out, tokens


def _generate(
    rt: runtime.Runtime,
    msgs: list[dict[str, str]],
    max_tokens: int,
    cancel: threading.Event,
    events: queue.Queue[tuple[str, object]],
    folder: Path | None = None,
) -> None:
    prompt_tokens = 0
    try:
        with rt.lock:
            # a fresh process: the fixed prompt from disk, or read once and saved for the next process
            if _ready_prefix(rt, cancel, folder) == "stopped":
                events.put(("done", 0))
                return
            rt.abort_on(cancel)
            try:
                started, read = time.monotonic(), False
                stream = rt.llm.create_chat_completion(  # type: ignore[attr-defined]
                    messages=msgs, stream=True, max_tokens=max_tokens, temperature=0.0, stop=["\n\nQuestion:"]
                )
                for part in stream:
                    if not read:  # the first part comes once the prompt is read
                        read = True
                        events.put(("read", time.monotonic() - started))
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
    except Exception as exc:  # handed to the caller's thread
        events.put(("error", exc))
        return
    finally:
        rt.release()  # ask() retained it for this thread
    events.put(("done", prompt_tokens))


def _citation(n: int, hit: Hit) -> Citation:
    if hit.kind == "web":
        return Citation(n, hit.url or hit.path, None, hit.snippet, None, hit.url, hit.title, web=True)
    return Citation(n, paths.display(hit.path), hit.page, hit.snippet, hit.label, hit.url, hit.title)
