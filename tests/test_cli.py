"""The command-line contract other tools rely on: JSON shapes, exit codes, one-line errors."""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

from mysearch.cli import HIDDEN_COMMANDS, build_parser
from mysearch.lock import OwnerLock


def test_json_contract_end_to_end(home, docs, tmp_path):
    run_cli("add", str(docs), home=home)
    out = json.loads(run_cli("index", "--json", home=home).stdout)
    assert set(out) == {"indexed", "unchanged", "removed", "skipped", "failed", "chunks", "seconds"}
    assert out["indexed"] == 5 and out["failed"] == 0 and out["chunks"] >= 5
    assert "INFO" in (home / "logs" / "mysearch.log").read_text("utf-8")  # the CLI's log stays in the library

    res = json.loads(run_cli("search", "renew passport", "-k", "2", "--json", home=home).stdout)
    assert res["query"] == "renew passport"
    # the Korean passport note is the other hit: the meaning floors (measured within one language) do not
    # cut a file in the other language, which is how a question finds its answer across languages
    assert [Path(h["path"]).name for h in res["hits"]] == ["passport.md", "여권.md"]
    first = res["hits"][0]
    assert first["path"] == str(docs / "passport.md")
    assert {"path", "page", "score", "snippet"} <= set(first)
    assert first["page"] is None and isinstance(first["score"], float) and "assport" in first["snippet"]

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"_id": "q1", "text": "tomato soup"}) + "\n" + json.dumps({"_id": "q2", "text": "여권 발급"}) + "\n",
        "utf-8",
    )
    lines = run_cli("search", "--queries", str(queries), "-k", "1", "--json", home=home).stdout.splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["hits"][0]["path"].endswith("recipe.txt")
    assert rows[1]["hits"][0]["path"].endswith("여권.md")

    (docs / "empty.txt").write_text("")
    run_cli("index", home=home)
    st = json.loads(run_cli("status", "--json", home=home).stdout)
    assert st["folders"] == [str(docs)]
    assert st["files"] == {"indexed": 5, "skipped": 1, "failed": 0}
    assert st["chunks"] >= 5
    assert st["problems"] == [{"path": str(docs / "empty.txt"), "state": "skipped", "reason": "empty file"}]
    assert st["model"] == "multilingual-e5-small" and st["store"] == "embedded"

    again = json.loads(run_cli("index", "--json", home=home).stdout)
    assert again["indexed"] == 0 and again["unchanged"] == 5


def test_config_commands(home):
    rows = json.loads(run_cli("config", "list", "--json", home=home).stdout)
    keys = {r["key"] for r in rows}
    assert {"folders", "store.url", "embedding.model", "index.max_file_mb"} <= keys
    assert all(r["description"] for r in rows)
    assert run_cli("config", "set", "search.k", "7", home=home).stdout.strip() == "7"
    assert run_cli("config", "get", "search.k", home=home).stdout.strip() == "7"
    bad = run_cli("config", "set", "search.k", "many", home=home, check=False)
    assert bad.returncode != 0 and bad.stderr.count("\n") == 1 and "not a valid int" in bad.stderr
    unknown = run_cli("config", "get", "no.such", home=home, check=False)
    assert unknown.returncode != 0 and "unknown setting" in unknown.stderr and "Traceback" not in unknown.stderr


def test_errors_are_one_readable_line(home, tmp_path):
    missing = run_cli("add", str(tmp_path / "nope"), home=home, check=False)
    assert missing.returncode != 0 and missing.stderr.strip().startswith("mysearch: not found")
    no_watcher = run_cli("pause", home=home, check=False)
    assert no_watcher.returncode != 0 and "no running mysearch" in no_watcher.stderr
    nothing = run_cli("index", home=home, check=False)
    assert nothing.returncode != 0 and "add a folder" in nothing.stderr
    assert "Traceback" not in nothing.stderr + missing.stderr


def test_second_writer_gets_a_clear_message(home, docs):
    run_cli("add", str(docs), home=home)
    owner = OwnerLock(home)
    owner.acquire()  # this test process plays the running indexer
    try:
        assert json.loads(run_cli("status", "--json", home=home).stdout)["owner_pid"] == os.getpid()
        busy = run_cli("index", home=home, check=False)
        assert busy.returncode != 0
        assert "in use by mysearch process" in busy.stderr and busy.stderr.count("\n") == 1
    finally:
        owner.release()
    assert run_cli("index", home=home).returncode == 0
    assert json.loads(run_cli("status", "--json", home=home).stdout)["owner_pid"] is None


def test_home_option_and_env_are_separate_libraries(home, docs, tmp_path):
    other = tmp_path / "other"
    run_cli("--home", str(other), "add", str(docs), home=home)
    assert json.loads(run_cli("--home", str(other), "status", "--json", home=home).stdout)["folders"] == [str(docs)]
    assert json.loads(run_cli("status", "--json", home=home).stdout)["folders"] == []


def test_config_edges_ranges_reset_and_secrets(home):
    for bad in ("0", "-5"):
        refused = run_cli("config", "set", "search.k", bad, home=home, check=False)
        assert refused.returncode != 0 and "search.k must be from 1 to 1000" in refused.stderr
        assert refused.stderr.count("\n") == 1
    run_cli("config", "set", "search.k", "7", home=home)
    assert run_cli("config", "reset", "search.k", home=home).stdout.strip() == "10"  # what it is now
    flag = run_cli("search", "x", "-k", "0", home=home, check=False)  # the same range for the one-run flag
    assert flag.returncode != 0 and "search.k must be from 1 to 1000" in flag.stderr

    key = "brave-key-5678"
    assert run_cli("config", "set", "web.api_key", key, home=home).stdout.strip() == '"********"'
    listed = run_cli("config", "list", home=home).stdout
    rows = json.loads(run_cli("config", "list", "--json", home=home).stdout)
    got = run_cli("config", "get", "web.api_key", home=home).stdout
    assert key not in listed + got + json.dumps(rows)
    assert 'web.api_key = "********"' in listed and got.strip() == '"********"'
    assert next(r for r in rows if r["key"] == "web.api_key")["secret"] is True
    assert json.loads(run_cli("config", "get", "web.api_key", "--reveal", home=home).stdout) == key
    # from standard input: the key stays out of the shell's history and of `ps`
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    piped = subprocess.run([sys.executable, "-m", "mysearch", "config", "set", "web.api_key", "-"],
                           input="other-key-9\n", capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0 and "other-key-9" not in piped.stdout
    assert json.loads(run_cli("config", "get", "web.api_key", "--reveal", home=home).stdout) == "other-key-9"
    assert key not in (home / "logs" / "mysearch.log").read_text("utf-8")


def test_blank_question_or_search_is_a_clear_error(home):
    for args in (("ask", ""), ("ask", "   "), ("search", " ")):
        proc = run_cli(*args, home=home, check=False)
        assert proc.returncode != 0 and proc.stdout == "", args
        assert proc.stderr.count("\n") == 1 and "give a" in proc.stderr and "Traceback" not in proc.stderr


def _parsers(parser: argparse.ArgumentParser, name: str = "mysearch"):
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub, child in action._name_parser_map.items():
                if sub not in HIDDEN_COMMANDS:
                    yield from _parsers(child, f"{name} {sub}")


def test_every_command_and_argument_has_help(home):
    missing = []
    for name, parser in _parsers(build_parser()):
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                described = {a.dest for a in action._choices_actions if a.help}
                missing += [f"{name} {c}" for c in action.choices if c not in described]
            elif not action.help:
                missing.append(f"{name} {action.dest}")
    assert missing == []
    assert "what to look for" in run_cli("search", "--help", home=home).stdout


def test_hidden_serve_command_is_never_offered(home):
    unknown = run_cli("nosuch", home=home, check=False)
    assert unknown.returncode != 0 and "invalid choice: 'nosuch'" in unknown.stderr
    assert "'add'" in unknown.stderr and not re.search(r"\bserve\b", unknown.stderr)
    assert not re.search(r"\bserve\b", run_cli("--help", home=home).stdout)
    assert "--parent" in run_cli("serve", "--help", home=home).stdout  # it still works for the app
