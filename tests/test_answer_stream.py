"""A fresh `mysearch ask` and what it shows until its first words (issue 19), with the real default model.

The fixed part of the prompt is read from a state saved by an earlier process; what the process is doing
is said on the terminal (loading the model, reading the sources); and no text is streamed that the
citation check takes back: the streamed text is the checked answer, an abstention streams nothing.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import run_cli
from test_answer import _write_docs, indexed_library

from mysearch import answer
from mysearch.answer import prefix, runtime, stream

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory):
    lib = indexed_library(tmp_path_factory.mktemp("stream"))
    yield lib
    lib.close()


def _events(lib, question: str) -> list:
    return list(answer.ask(lib, question))


# --- the fixed prompt's saved state -------------------------------------------------------------------
def test_warm_up_saves_the_fixed_prompt_state_and_a_new_process_reads_it_back(library):
    folder = answer.cache_dir(library)
    for old in folder.glob("*.state"):
        old.unlink()
    rt = runtime.load(library.config.get("answer.model"))
    with rt.lock:
        rt.llm.reset()  # as a fresh process has it: nothing read yet
    assert answer.warm_up(library)["prefix"] == "evaluated"
    (saved,) = folder.glob("*.state")
    assert saved.stat().st_size > 1_000_000  # the key/value cache of ~200 tokens
    assert not list(folder.glob(".tmp-*"))  # written to a temporary file, then renamed
    assert answer.warm_up(library)["prefix"] == "ready"  # in this process: already in llama.cpp's cache

    # a fresh process restores it instead of reading the instructions again, and answers right from it
    script = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from mysearch import answer
        from mysearch.answer import prompt, runtime, stream
        rt = runtime.load({library.config.get("answer.model")!r})
        info = stream._warm(rt, None, Path({str(folder)!r}))
        restored = int(rt.llm.n_tokens)
        src = [prompt.Source(1, "boiler", "The boiler was serviced on 12 March 2024 by Hanson Heating.")]
        out = rt.llm.create_chat_completion(messages=prompt.messages("Who serviced the boiler?", src),
                                            max_tokens=30, temperature=0.0)
        print(json.dumps({{"prefix": info["prefix"], "restored": restored,
                          "text": out["choices"][0]["message"]["content"]}}))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["prefix"] == "ready" and got["restored"] > 150
    assert "Hanson" in got["text"]


def test_a_damaged_or_foreign_state_file_is_ignored_and_replaced(library):
    rt = runtime.load(library.config.get("answer.model"))
    name = stream._prefix_name(rt)
    folder = answer.cache_dir(library)
    answer.warm_up(library)
    path = folder / f"{name}.state"
    if not path.exists():
        with rt.lock:
            rt.llm.reset()
        answer.warm_up(library)
    good = path.read_bytes()
    for bad in (good[: len(good) // 2], b"not a state", good[:-10] + b"0123456789"):
        path.write_bytes(bad)
        with rt.lock:
            assert prefix.restore(rt, folder, name) == 0  # checked before llama.cpp sees a byte of it
            rt.llm.reset()
        assert answer.warm_up(library)["prefix"] == "evaluated"  # read again and saved anew
        assert path.read_bytes()[: len(prefix.MAGIC)] == prefix.MAGIC
        with rt.lock:
            rt.llm.reset()
            assert prefix.restore(rt, folder, name) > 150
    # another prompt text (a new release's instructions) is another file: never the old state
    assert prefix.key(rt, "other instructions") != name


# --- what is shown is what the check keeps --------------------------------------------------------
QUESTIONS = [
    "When was the boiler serviced?",
    "What did the technician replace?",
    "What colour is the front door of the neighbours' house?",  # not in the files
    "What is the policy number of the car insurance?",  # not in the files; the boiler log has numbers
    "다음 워크숍은 어디에서 열리나요?",
    "숙소는 누가 예약하나요?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_streamed_text_is_the_checked_answer_and_an_abstention_streams_nothing(library, question):
    events = _events(library, question)
    done = events[-1].answer
    streamed = "".join(e.text for e in events if isinstance(e, answer.Token))
    kinds = [type(e).__name__ for e in events]
    assert kinds[0] == "Sources" and kinds[-1] == "Done"
    if done.abstained:
        assert streamed == "", (done.raw, streamed)  # nothing was shown that the check then withdrew
        assert done.text == answer.NOT_FOUND[done.language]
    else:
        assert streamed == done.text, (done.raw, streamed)
        assert done.citations and all(f"[{c.n}]" in streamed for c in done.citations)
    if "Token" in kinds:  # the stages come before the first words
        first = kinds.index("Token")
        assert "Stage" in kinds[:first]
        assert [e.step for e in events[:first] if isinstance(e, answer.Stage)][-2:] == ["reading", "writing"]


def test_reading_stage_counts_the_sources_and_estimates_from_what_was_measured_here(library):
    _events(library, "When was the apple tree planted?")  # one answer measured: its pace is saved
    from mysearch.answer import pace

    measured = pace.read(library.home, library.config.get("answer.model"))
    assert measured.prompt_tokens_per_s != pace.DEFAULT_PROMPT_TOKENS_PER_S
    events = _events(library, "When was the boiler serviced?")
    sources = next(e for e in events if isinstance(e, answer.Sources))
    (reading,) = [e for e in events if isinstance(e, answer.Stage) and e.step == "reading"]
    assert reading.sources == len(sources.hits) and reading.eta_s is not None and reading.eta_s > 0


def test_complete_sentences_hold_back_the_one_being_written():
    assert stream._complete_sentences("The boiler was serviced on 12 March 2024 [1]") == ""
    assert stream._complete_sentences("It was serviced in 2024 [1]. The next") == "It was serviced in 2024 [1]."
    assert stream._complete_sentences("It costs 27.3 euros") == ""  # a decimal point ends no sentence
    assert stream._complete_sentences("제주도에서 열립니다 [1]. 참가") == "제주도에서 열립니다 [1]."


# --- the command line -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("stream-cli")
    docs = _write_docs(root)
    run_cli("add", str(docs), home=root / "home")
    run_cli("index", home=root / "home")
    return root / "home"


def _ask_on_a_terminal(home: Path, question: str) -> tuple[str, str]:
    """`mysearch ask` with its stderr on a pseudo-terminal (as in a terminal) and stdout piped."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "mysearch", "ask", question], stdout=subprocess.PIPE,
                            stderr=follower, env={**os.environ, "MYSEARCH_HOME": str(home)})
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        err += chunk
    out = proc.stdout.read()  # type: ignore[union-attr]
    proc.wait(timeout=300)
    os.close(leader)
    assert proc.returncode == 0, err
    return out.decode(), err.decode("utf-8", "replace")


def test_the_terminal_says_what_happens_before_the_first_words(cli_home: Path):
    out, err = _ask_on_a_terminal(cli_home, "When was the boiler serviced?")
    assert "reading 2 sources" in err or "reading 1 source" in err or "reading 3 sources" in err
    assert err.rstrip(" \r\n").endswith("\x1b[K")  # and the line is cleared before the answer's words
    assert "March" in out and "\x1b" not in out  # status lines go to the terminal, never into the answer


def test_cli_never_prints_an_answer_and_then_takes_it_back(cli_home: Path):
    for question in ("What colour is the front door of the neighbours' house?",
                     "What is the policy number of the car insurance?"):
        out = run_cli("ask", question, home=cli_home).stdout
        as_json = json.loads(run_cli("ask", question, "--json", home=cli_home).stdout)
        body = out.split("\n\n", 1)[1]  # after the sources line
        if as_json["abstained"]:
            assert body.strip() == answer.NOT_FOUND["en"], out  # the denial alone, no answer above it
        else:
            assert body.strip().startswith(as_json["answer"]) and "Checked:" not in out
            assert answer.NOT_FOUND["en"] not in out


def test_a_model_not_in_memory_yet_is_announced_with_an_estimate(library):
    """Last in this module: it loads another model, which takes the default one's place."""
    library.config.set("answer.model", "smollm2-135m-instruct")
    try:
        events = _events(library, "When was the boiler serviced?")
    finally:
        library.config.set("answer.model", runtime_default())
    stages = [e for e in events if isinstance(e, answer.Stage)]
    assert stages[0].step == "loading" and stages[0].eta_s and stages[0].eta_s > 0
    assert [type(e).__name__ for e in events].index("Stage") == 1  # right after the sources


def runtime_default() -> str:
    from mysearch.config import setting

    return setting("answer.model").default
