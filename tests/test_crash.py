"""Kill a real `mysearch index` with SIGKILL at several points; the index must end up exactly right."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import run_cli

from mysearch.library import Library

WORDS = (
    "river mountain invoice budget passport recipe garden engine violin harbor lantern quartz meadow "
    "orchard glacier canyon festival journal ledger compass telescope"
).split()


def make_corpus(root: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        paras = []
        for _ in range(rng.randint(1, 6)):
            paras.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 90))) + f". Note {i}.")
        sub = root / f"group{i % 4}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc{i:03d}.txt").write_text("\n\n".join(paras), "utf-8")


def snapshot(home: Path) -> set[tuple[str, int, str]]:
    with Library.open(home) as lib:
        assert lib.verify() == []
        model = lib.config.get("embedding.model")
        assert lib.catalog.count_without_vector(model) == 0
        rows = lib.catalog.db.execute("SELECT f.path, c.seq, c.text FROM chunks c JOIN files f ON f.id = c.file_id")
        return set(rows)


def test_sigkill_at_any_point_leaves_a_consistent_index(tmp_path):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 40, seed=1)
    home = tmp_path / "home"
    run_cli("add", str(corpus), home=home)
    env = {**os.environ, "MYSEARCH_HOME": str(home)}
    kills = 0
    for step, delay in enumerate((1.0, 2.5, 4.0, 6.0, 8.0, 11.0)):
        proc = subprocess.Popen(
            [sys.executable, "-m", "mysearch", "index"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        # change the folder between runs, as a person would: edit, delete, add
        victim = corpus / f"group{step % 4}" / f"doc{step:03d}.txt"
        if step % 2 == 0:
            victim.write_text(f"edited after kill {step}: glacier compass", "utf-8")
        else:
            victim.unlink()
        (corpus / f"new{step}.txt").write_text(f"added after kill {step}: harbor lantern ledger", "utf-8")
    assert kills >= 3, "the corpus indexed too fast to be killed mid-way"
    run_cli("index", home=home)
    crashed = snapshot(home)

    reference_home = tmp_path / "reference"
    run_cli("add", str(corpus), home=reference_home)
    run_cli("index", home=reference_home)
    assert crashed == snapshot(reference_home)
