"""Grounded answers with the real default model (Qwen2.5-Coder-1.5B, llama.cpp on the CPU) on small
files whose answers are known."""

from __future__ import annotations

import json
import os
import pty
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from conftest import run_cli

from mysearch import answer
from mysearch.answer import runtime, stream

FILES = {
    "boiler.txt": "Boiler maintenance log\nThe boiler in the basement was serviced on 12 March 2024 by Hanson "
    "Heating. The technician replaced the pressure valve and recommended the next service in March 2025.\n",
    "garden.md": "# Garden notes\n\nThe apple tree in the back garden was planted in 2019. It needs pruning every "
    "February, and the roses by the fence are fed in April.\n",
    "회의록.txt": "2024년 3월 팀 회의록\n다음 워크숍은 제주도에서 5월 20일에 열립니다. 참가 신청은 김민수 과장에게 "
    "하면 됩니다. 숙소는 회사가 예약합니다.\n",
}


def _write_docs(root: Path) -> Path:
    docs = root / "docs"
    docs.mkdir()
    for name, text in FILES.items():
        (docs / name).write_text(text, "utf-8")
    return docs


def indexed_library(root: Path):  # a Library
    """The three files written under ``root`` and indexed in a library of their own."""
    from mysearch.library import Library

    docs = _write_docs(root)
    lib = Library.open(root / "home")
    lib.add([str(docs)])
    lib.index()
    return lib


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    lib = indexed_library(tmp_path_factory.mktemp("answers"))
    yield lib
    lib.close()


def _ask(lib, question: str, on_event=None) -> tuple[list, answer.Answer]:
    events = []
    for ev in answer.ask(lib, question):
        events.append(ev)
        if on_event:
            on_event(ev)
    assert isinstance(events[-1], answer.Done)
    return events, events[-1].answer


def test_english_answer_cites_the_file_that_says_it(library):
    events, a = _ask(library, "When was the boiler serviced?")
    assert isinstance(events[0], answer.Sources)  # hits come before the model starts
    assert any(isinstance(e, answer.Token) for e in events)  # streamed
    assert not a.abstained
    assert "12 March 2024" in a.text or "March 12, 2024" in a.text
    assert Path(a.citations[0].path).name == "boiler.txt"
    assert f"[{a.citations[0].n}]" in a.text
    assert a.timings["first_token_ms"] >= a.timings["retrieval_ms"] > 0


def test_korean_question_gets_a_korean_answer_from_the_korean_file(library):
    _, a = _ask(library, "다음 워크숍은 어디에서 열리나요?")
    assert not a.abstained
    assert "제주" in a.text
    assert [Path(c.path).name for c in a.citations] == ["회의록.txt"]
    hangul = sum(1 for ch in a.text if "가" <= ch <= "힣")
    assert hangul > len(a.text) / 4


def test_korean_question_answered_from_an_english_file(library):
    # the Korean minutes share no word with the question, so only the English files reach the model
    _, a = _ask(library, "사과나무는 언제 심었나요?")
    assert not a.abstained
    assert "2019" in a.text
    assert [Path(c.path).name for c in a.citations] == ["garden.md"]


def test_passages_that_share_few_words_with_the_question_are_not_shown_to_the_model(library):
    def kept(question: str) -> set[str]:
        hits = library.search(question, k=3)  # a file only vaguely near the question may not be a hit at all
        return {Path(h.path).name for h, _ in stream._relevant(library, question, hits)}

    # the garden notes share no word with the question; the Korean minutes are in another language, so kept
    assert kept("When was the boiler serviced?") == {"boiler.txt", "회의록.txt"}
    assert kept("What colour is the front door?") == {"회의록.txt"}
    assert kept("워크숍 참가 신청은 누구에게 하나요?") == {"회의록.txt", "boiler.txt", "garden.md"}


def test_question_the_files_cannot_answer_is_an_abstention(library):
    _, a = _ask(library, "What colour is the front door of the neighbours' house?")
    assert a.abstained
    assert a.citations == []
    assert a.text == answer.NOT_FOUND["en"]


def test_stop_after_the_first_token(library):
    cancel = threading.Event()
    tokens = []
    for ev in answer.ask(library, "Describe everything the boiler technician did, in detail.", cancel=cancel):
        if isinstance(ev, answer.Stage) and ev.step == "writing":  # the model's first token
            cancel.set()
        if isinstance(ev, answer.Token):
            tokens.append(ev.text)
        if isinstance(ev, answer.Done):
            done = ev.answer
    assert done.stopped
    # its first sentence was not finished, so never checked: nothing was shown, nothing is kept
    assert tokens == [] and done.text == "" and done.raw


def test_stop_after_the_first_checked_sentence_keeps_it(library):
    cancel = threading.Event()
    tokens = []
    for ev in answer.ask(library, "Describe everything the boiler technician did, in detail.", cancel=cancel):
        if isinstance(ev, answer.Token):
            tokens.append(ev.text)
            cancel.set()
        if isinstance(ev, answer.Done):
            done = ev.answer
    assert done.stopped or len(done.raw) < 200  # stopped, unless the whole answer was its first sentence
    assert len(tokens) == 1 and done.text == tokens[0]  # what was shown stays, nothing came after the stop


def test_stop_during_prompt_evaluation_aborts_llama_cpp(library):
    _ask(library, "When was the apple tree planted?")  # model loaded, fixed prompt prefix cached
    rt = runtime.load(library.config.get("answer.model"))
    cancel = threading.Event()
    events = []
    for ev in answer.ask(library, "Who should I contact to sign up for the workshop, and where is it?", cancel):
        events.append(ev)
        if isinstance(ev, answer.Sources):
            threading.Timer(0.2, cancel.set).start()
    done = events[-1].answer
    assert done.stopped and not any(isinstance(e, answer.Token) for e in events)
    prompt_len = len(rt.llm.tokenize(b"x")) and rt.llm.n_tokens
    # the aborted batch was never committed: the context holds only the reused prefix, not the new prompt
    _, again = _ask(library, "When was the apple tree planted?")
    assert "2019" in again.text  # and the model answers normally afterwards
    assert prompt_len < again.timings["prompt_tokens"]


@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A library indexed by the CLI (the in-process one above holds its own library's lock)."""
    root = tmp_path_factory.mktemp("answers-cli")
    docs = _write_docs(root)
    run_cli("add", str(docs), home=root / "home")
    run_cli("index", home=root / "home")
    return root / "home"


def test_ask_json_contract(cli_home: Path):
    proc = run_cli("ask", "When should the next boiler service be?", "--json", home=cli_home)
    out = json.loads(proc.stdout)
    assert set(out) >= {"answer", "citations", "abstained", "timings"}
    assert out["abstained"] is False and "2025" in out["answer"]
    c = out["citations"][0]
    assert set(c) >= {"n", "path", "page", "snippet"} and c["path"].endswith("boiler.txt") and c["page"] is None
    assert set(out["timings"]) >= {"retrieval_ms", "first_token_ms", "tokens_per_s"}


def test_ctrl_c_stops_the_answer_and_keeps_what_was_written(cli_home: Path):
    env = {**os.environ, "MYSEARCH_HOME": str(cli_home), "MYSEARCH_ANSWER__MAX_TOKENS": "400"}
    # stderr on a pseudo-terminal, as in a terminal: it says when the model is writing (the answer's text
    # comes a checked sentence at a time, so stdout alone would not show it has begun)
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mysearch", "ask", "Tell me everything about the garden, the boiler and the roses."],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        # a shell without job control starts children with SIGINT ignored; a terminal user's Ctrl+C is not
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    os.close(follower)
    said = b""
    while b"writing" not in said:
        said += os.read(leader, 4096)
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    os.close(leader)
    assert proc.returncode == 0, said
    assert b"(stopped)" in out


def test_doctor_reports_what_runs_the_model(cli_home: Path):
    out = json.loads(run_cli("doctor", "--json", home=cli_home).stdout)
    assert out["llama_cpp"]["installed"] and out["llama_cpp"]["version"] == "0.3.36"
    m = out["answer_model"]
    assert m["model"] == "qwen2.5-coder-1.5b-instruct"
    assert m["device"] == ("gpu" if out["llama_cpp"]["gpu_offload"] else "cpu")
    assert m["threads"] == runtime.physical_cores()


def test_eval_answers_on_a_tiny_set(tmp_path: Path, home: Path):
    data = {
        "data": [
            {"title": "Boilers", "paragraphs": [{"context": FILES["boiler.txt"], "qas": [
                {"id": "b1", "question": "Who serviced the boiler?", "answers": [{"text": "Hanson Heating"}]}]}]},
            {"title": "Moon", "paragraphs": [{"context": "The Moon orbits the Earth every 27.3 days.", "qas": [
                {"id": "m1", "question": "How long does the Moon take to orbit the Earth?",
                 "answers": [{"text": "27.3 days"}]}]}]},
        ]
    }
    f = tmp_path / "tiny.json"
    f.write_text(json.dumps(data))
    details = tmp_path / "details.jsonl"
    out = json.loads(
        run_cli("eval-answers", str(f), "--articles", "1", "--questions", "1", "--unanswerable", "1", "--json",
                "--details", str(details), home=home).stdout
    )
    assert out["answerable"] == 1 and out["unanswerable"] == 1
    records = [json.loads(line) for line in details.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records] == [x["id"] for x in out["items"]] and len(records) == 2
    for r in records:  # enough to read why a question failed
        assert {"question", "gold", "answer", "raw", "abstained", "given", "retrieved", "gold_file"} <= set(r)
    assert {r["gold_file"] is None for r in records} == {True, False}
    (asked,) = [x for x in out["items"] if x["answerable"]]
    assert asked["retrieved_gold"]  # the one indexed paragraph is found
    assert out["contains_gold"] == float(asked["contains_gold"])
    assert out["first_token_ms_p50"] > 0


def test_warm_up_evaluates_the_fixed_part_of_the_prompt(library):
    info = answer.warm_up(library)
    assert info["model"] == "qwen2.5-coder-1.5b-instruct" and info["threads"] == runtime.physical_cores()
    rt = runtime.load(library.config.get("answer.model"))
    assert rt.llm.n_tokens > 150  # instructions and worked examples are in llama.cpp's cache


def test_a_cancelled_warm_up_leaves_the_model_ready(library):
    """`mysearch ask` warms the model up while it searches and stops that when no answer needs it."""
    stop = threading.Event()
    stop.set()
    info = answer.warm_up(library, cancel=stop)  # aborted inside llama.cpp, not an error
    assert info["model"] == "qwen2.5-coder-1.5b-instruct"
    _, a = _ask(library, "When was the boiler serviced?")
    assert not a.abstained and ("12 March 2024" in a.text or "March 12, 2024" in a.text), a.raw


def test_ask_searches_through_a_running_watcher(cli_home: Path):
    """While another process owns the library, `ask` retrieves through its socket and answers here."""
    from mysearch.client import RemoteClient

    env = {**os.environ, "MYSEARCH_HOME": str(cli_home)}
    watcher = subprocess.Popen([sys.executable, "-m", "mysearch", "watch"], env=env, stderr=subprocess.DEVNULL)
    try:
        remote = RemoteClient(cli_home)
        for _ in range(600):  # up to a minute for the watcher to start answering
            if remote.available() or watcher.poll() is not None:
                break
            threading.Event().wait(0.1)
        assert remote.available()
        out = json.loads(run_cli("ask", "Who serviced the boiler?", "--json", home=cli_home).stdout)
        # filters travel over the socket too: the owner applies them
        only_md = json.loads(run_cli("search", "apple tree boiler", "--type", "md", "--json", home=cli_home).stdout)
        only_txt = json.loads(run_cli("search", "apple tree boiler", "--type", "txt", "--json", home=cli_home).stdout)
    finally:
        watcher.send_signal(signal.SIGTERM)
        watcher.wait(timeout=60)
    assert "Hanson" in out["answer"]
    assert out["citations"][0]["path"].endswith("boiler.txt")
    assert only_txt["hits"][0]["path"].endswith("boiler.txt")
    assert [Path(h["path"]).name for h in only_md["hits"]] == ["garden.md"]
