"""File text, file names and model output never drive the terminal: what the CLI prints holds no
control characters (JSON keeps them, escaped)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from conftest import run_cli

from mysearch.terminal import TerminalText, json_text, strip_controls, write_control

EVIL = "\x1b]0;evil\x07\x1b[2J\x9b31m"  # retitle the window, clear the screen, a one-byte CSI (C1)


def _has_controls(text: str) -> list[str]:
    return sorted({repr(c) for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F})


def test_cli_prints_no_control_characters_from_files_names_or_answers(home: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("MYSEARCH_EMBEDDING__MODEL", "all-minilm-l6-v2")  # the printing is checked, not the
    monkeypatch.setenv("MYSEARCH_EMBEDDING__EXTRA", "[]")  # search: the fastest model alone
    docs = tmp_path / "docs"
    docs.mkdir()
    name = f"lantern{EVIL}.txt"
    (docs / name).write_text(f"The lantern festival {EVIL} starts at dusk by the river.\n", "utf-8")
    (docs / f"empty{EVIL}.txt").write_text("")  # skipped: its name is printed by status
    run_cli("add", str(docs), home=home)
    run_cli("index", home=home)

    as_json = run_cli("search", "lantern festival", "--json", "--mode", "keyword", home=home).stdout
    hits = json.loads(as_json)["hits"]
    assert hits[0]["path"] == str(docs / name)  # JSON keeps the data exactly...
    assert "\x1b" in hits[0]["snippet"] or "\x1b" in hits[0]["path"]
    env = {"MYSEARCH_ANSWER__MODEL": "smollm2-135m-instruct"}  # the plumbing, not the answer, is checked
    outputs = {
        "search --json": as_json,  # ...escaped
        "search": run_cli("search", "lantern festival", "--mode", "keyword", home=home).stdout,
        "status": run_cli("status", home=home).stdout,
        "status --json": run_cli("status", "--json", home=home).stdout,
        "ask": _run(home, env, "ask", "When does the lantern festival start?"),
        "ask --json": _run(home, env, "ask", "When does the lantern festival start?", "--json"),
        "add": run_cli("add", str(docs / name), home=home).stdout,
        "error": run_cli("remove", str(tmp_path / f"gone{EVIL}"), home=home, check=False).stderr,
    }
    for what, text in outputs.items():
        assert _has_controls(text) == [], what
    assert "lantern]0;evil[2J31m.txt" in outputs["search"]  # the name is still shown, without its controls
    assert "empty]0;evil[2J31m.txt" in outputs["status"]
    assert "lantern]0;evil[2J31m.txt" in outputs["ask"]  # the sources line
    assert "gone]0;evil" in outputs["error"]


def _run(home: Path, env: dict[str, str], *args: str) -> str:
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "mysearch", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "MYSEARCH_HOME": str(home), **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout + proc.stderr


def test_terminal_text_passes_newlines_tabs_and_our_own_styling_only():
    raw = io.StringIO()
    out = TerminalText(raw)
    print(f"a{EVIL}b\tc\r\nd\x00\x7f", file=out)  # print, as the CLI does
    out.write("token\x1b[31m")  # a streamed model token
    write_control(out, "\x1b[1m")
    out.write("bold")
    assert raw.getvalue() == "a]0;evil[2J31mb\tc\nd\ntoken[31m\x1b[1mbold"
    assert strip_controls("한국어 ok\n") == "한국어 ok\n"


def test_json_text_escapes_every_control_character_and_keeps_the_data():
    value = {"snippet": f"x{EVIL}\x7fy", "name": "여권.md"}
    text = json_text(value)
    assert _has_controls(text) == [] and "여권.md" in text
    assert json.loads(text) == value
