"""Nothing leaves the machine: indexing, searching and answering (web search off, the default) open no
network connection at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys

GUARD = r"""
import json, socket, sys
attempts = []
_connect = socket.socket.connect
def connect(self, address):
    if self.family != socket.AF_UNIX:
        attempts.append(repr(address))
        raise OSError("network disabled by test")
    return _connect(self, address)
socket.socket.connect = connect
socket.socket.connect_ex = lambda self, address: (attempts.append(repr(address)), 111)[1]
_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    attempts.append(f"dns:{host}")
    raise socket.gaierror("network disabled by test")
socket.getaddrinfo = getaddrinfo
from mysearch.cli import main
code = 0
for argv in json.loads(sys.argv[1]):
    code = code or main(argv)
print(json.dumps({"attempts": attempts, "code": code}))
"""


def test_index_search_and_answers_make_no_network_calls(home, docs):
    runs = [
        ["add", str(docs)],
        ["index", "--json"],
        ["search", "renew a passport", "--json"],
        ["search", "여권 발급", "--json"],
        ["status", "--json"],
        ["ask", "How long does a passport renewal take?", "--json"],  # web search is off by default
    ]
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    proc = subprocess.run(
        [sys.executable, "-c", GUARD, json.dumps(runs)], env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] == 0
    assert result["attempts"] == []
    assert '"passport.md"' in proc.stdout or "passport.md" in proc.stdout
    assert "three weeks" in proc.stdout  # the answer was written, offline


def test_the_guard_does_see_a_connection(home):
    """The check above could pass by seeing nothing; a fetch the user asked for must show up."""
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    runs = [["add", "http://127.0.0.1:9/page.html"]]
    proc = subprocess.run(
        [sys.executable, "-c", GUARD, json.dumps(runs)], env=env, capture_output=True, text=True, timeout=120
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] != 0 and any("127.0.0.1" in a for a in result["attempts"])
