"""`mysearch eval-answers`: answer quality on a SQuAD-format set, through the whole pipeline.

The paragraphs of some articles are written out as files and indexed; questions about them are asked
(answerable), and so are questions about articles that were NOT indexed (the files cannot answer them,
so the right reply is an abstention), and with ``--neighbours`` questions about paragraphs held back
from the indexed articles (their neighbours are in the library, the fact asked is not). An answer
"contains the gold answer" when the normalised gold text appears in the normalised answer (SQuAD's
normalisation, with spaces also removed for Korean, whose particles attach to the answer).

A question may carry ``distractors``: another fact of the same type in the same passage (the service date
beside the next due date, a policy number beside a confirmation number). Such near-miss questions are
scored apart (``near_miss``): among those answered, how often the answer gives the right fact alone, the
wrong one alone, or both (``benchmarks/data/near_miss_*.json``). Every answer is also checked to be in the
question's language (``in_question_language``): the cross-language sets (``benchmarks/data/cross_*.json``)
ask notes of one language in the other.
"""

from __future__ import annotations

import json
import random
import re
import string
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from ..config import Config
from ..metrics import percentile


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower()
    text = "".join(" " if ch in string.punctuation or unicodedata.category(ch).startswith("P") else ch for ch in text)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def contains(answer: str, golds: list[str]) -> bool:
    a = normalize(answer)
    for g in golds:
        g = normalize(g)
        if g and (g in a or g.replace(" ", "") in a.replace(" ", "")):
            return True
    return False


def in_language(answer: str, question: str) -> bool:
    """Whether the answer is written in the question's language (Korean or not), whatever the sources'
    language: names, numbers and citations aside, a Korean question's answer is mostly Hangul."""
    from .. import tokens as tok

    prose = re.sub(r"\[\d+\]|[A-Za-z0-9][\w.:/@#+&'-]*[0-9][\w.:/@#+&'-]*", " ", answer)  # citations, ids, numbers
    if not any(c.isalpha() for c in prose):
        return True  # an id or a number alone is in every language
    return tok.is_korean(prose) == tok.is_korean(question)


def _sample(data: list[dict], articles: int, questions: int, unanswerable: int, seed: int, neighbours: int = 0):
    """The indexed paragraphs, the answerable questions asked, the questions about other articles, and
    (``neighbours``) questions about paragraphs held back from the indexed articles themselves: the same
    person, place and period are in the library, the asked fact is not (its gold answer occurs in no
    indexed paragraph), the hard and realistic case of a question the files do not answer."""
    rng = random.Random(seed)
    order = list(range(len(data)))
    rng.shuffle(order)
    indexed, other = order[:articles], order[articles:]
    docs, answerable, outside, held = {}, [], [], []
    held_rng = random.Random(seed + 1)  # the same articles with or without neighbours
    for a in indexed:
        paragraphs = list(enumerate(data[a]["paragraphs"]))
        n_held = len(paragraphs) // 4 if neighbours and len(paragraphs) >= 4 else 0
        withheld = set(held_rng.sample([p for p, _ in paragraphs], n_held)) if n_held else set()
        for p, para in paragraphs:
            if p in withheld:
                held += para["qas"]
                continue
            doc = f"a{a:03d}-p{p:03d}.txt"
            docs[doc] = data[a].get("title", "").replace("_", " ") + "\n" + para["context"]
            answerable += [(qa, doc) for qa in para["qas"]]
    for a in other:
        outside += [qa for para in data[a]["paragraphs"] for qa in para["qas"]]
    asked = rng.sample(answerable, min(questions, len(answerable)))
    library = normalize(" ".join(docs.values()))
    held = [qa for qa in held if not any(normalize(x["text"]) in library for x in qa["answers"])]
    near = held_rng.sample(held, min(neighbours, len(held)))
    return docs, asked, rng.sample(outside, min(unanswerable, len(outside))), near


def run(
    dataset: Path,
    home: Path,
    config: Config,
    articles: int = 10,
    questions: int = 40,
    unanswerable: int = 20,
    attribute: bool = True,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
    details: TextIO | None = None,
    neighbours: int = 0,
) -> dict[str, object]:
    """``details``: where to write each question's record as a JSON line (``eval-answers --details``);
    ``neighbours``: questions about paragraphs held back from the indexed articles (see ``_sample``)."""
    from ..library import Library
    from . import stream as answer

    data = json.loads(Path(dataset).read_text("utf-8"))["data"]
    docs, asked, outside, near = _sample(data, articles, questions, unanswerable, seed, neighbours)
    with Library.open(home) as lib:
        for key in ("embedding.model", "answer.model", "answer.gpu", "answer.threads", "answer.sources"):
            lib.config.set(key, config.get(key))
        corpus = home / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for f in corpus.iterdir():
            if f.name not in docs:
                f.unlink()
        for name, text in docs.items():
            f = corpus / name
            if not f.exists() or f.read_text("utf-8") != text:
                f.write_text(text, "utf-8")
        lib.config.set("folders", [str(corpus)])
        lib.index()
        items = []
        cases = [(qa, doc, False) for qa, doc in asked] + [(qa, None, False) for qa in outside]
        cases += [(qa, None, True) for qa in near]
        for i, (qa, doc, neighbour) in enumerate(cases, 1):
            done, given = None, []
            for event in answer.ask(lib, qa["question"], attribute=attribute):
                if isinstance(event, answer.Sources):
                    given = [Path(h.path).name for h in event.hits]
                if isinstance(event, answer.Done):
                    done = event.answer
            assert done is not None
            golds = [x["text"] for x in qa["answers"]]
            distractors = list(qa.get("distractors") or [])
            cited = [Path(c.path).name for c in done.citations]
            item = {
                "id": qa.get("id"),
                "question": qa["question"],
                "gold": golds[0],
                "answerable": doc is not None,
                "neighbour": neighbour,
                "answer": done.text,
                "raw": done.raw,
                "abstained": done.abstained,
                "contains_gold": doc is not None and not done.abstained and contains(done.text, golds),
                "distractors": distractors,
                "contains_distractor": bool(distractors) and not done.abstained and contains(done.text, distractors),
                "in_question_language": not done.abstained and in_language(done.text, qa["question"]),
                "cites_gold": doc is not None and doc in cited,
                "retrieved_gold": doc is not None and doc in [Path(h.path).name for h in done.hits],
                "cited": cited,
                "gold_file": doc,
                "given": given,  # the passages the model read, in the order it saw them ([1] first)
                "retrieved": [{"file": Path(h.path).name, "score": round(h.score, 4)} for h in done.hits],
                **done.timings,
            }
            items.append(item)
            if details is not None:  # one line per question as soon as it is answered: a long run can be read
                details.write(json.dumps(item, ensure_ascii=False) + "\n")
                details.flush()
            if progress:
                mark = "abstained" if item["abstained"] else ("ok" if item["contains_gold"] else "answered")
                progress(f"{i}/{len(cases)} {mark}, first token {item.get('first_token_ms')} ms")
    return summarize(items, Path(dataset).stem, attribute)


def summarize(items: list[dict], name: str, attribute: bool) -> dict[str, object]:
    ans = [x for x in items if x["answerable"]]
    out = [x for x in items if not x["answerable"]]
    answered = [x for x in ans if not x["abstained"]]

    def rate(xs: list, key: str) -> float:
        return round(sum(1 for x in xs if x.get(key)) / len(xs), 3) if xs else 0.0

    ttft = [x["first_token_ms"] for x in items if x.get("first_token_ms") is not None]
    tps = [x["tokens_per_s"] for x in items if x.get("tokens_per_s")]
    prompt = [x["prompt_tokens"] for x in items if x.get("prompt_tokens") is not None]
    near = [x for x in answered if x.get("distractors")]

    def share(xs: list) -> float:
        return round(len(xs) / len(near), 3) if near else 0.0

    near_miss = {
        "asked": sum(1 for x in ans if x.get("distractors")),
        "answered": len(near),
        "right_fact_of_answered": share([x for x in near if x["contains_gold"] and not x["contains_distractor"]]),
        "wrong_fact_of_answered": share([x for x in near if x["contains_distractor"] and not x["contains_gold"]]),
        "both_of_answered": share([x for x in near if x["contains_gold"] and x["contains_distractor"]]),
    }
    return {
        "dataset": name,
        "attribution": attribute,
        "answerable": len(ans),
        "unanswerable": len(out),
        "contains_gold": rate(ans, "contains_gold"),
        "cites_gold_of_answered": rate(answered, "cites_gold"),
        "answered_answerable": round(len(answered) / len(ans), 3) if ans else 0.0,
        "abstained_unanswerable": rate(out, "abstained"),
        **({"abstained_other_articles": rate([x for x in out if not x.get("neighbour")], "abstained"),
            "abstained_neighbours": rate([x for x in out if x.get("neighbour")], "abstained"),
            "neighbours": sum(1 for x in out if x.get("neighbour"))}
           if any(x.get("neighbour") for x in out) else {}),
        "retrieved_gold": rate(ans, "retrieved_gold"),
        "in_question_language_of_answered": rate(answered, "in_question_language"),
        "contains_gold_in_question_language": round(
            sum(1 for x in ans if x["contains_gold"] and x.get("in_question_language")) / len(ans), 3) if ans else 0.0,
        "first_token_ms_p50": round(percentile(ttft, 50), 1) if ttft else None,
        "first_token_ms_p95": round(percentile(ttft, 95), 1) if ttft else None,
        "tokens_per_s_p50": round(percentile(tps, 50), 1) if tps else None,
        "prompt_tokens_p50": round(percentile(prompt, 50), 1) if prompt else None,
        **({"near_miss": near_miss} if near_miss["asked"] else {}),
        "items": items,
    }
