"""From a file's save to its being found, through the real watcher; and a 1,000-file burst.

    .venv/bin/python benchmarks/bench_watch.py [--quick] [--edits N] [--burst N]

Latency is measured per single-file edit: the time until a keyword search finds the new word, and
until a meaning search (dense only) returns the file. The burst writes N small files at once and
reports the time until every one is keyword-searchable and until every one has its vector, then
counts duplicate and missing chunks (both must be 0). Targets (issue 5): keyword p95 < 2 s,
meaning p95 < 5 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import emit, log

from mysearch.library import Library
from mysearch.metrics import percentile
from mysearch.owner.loop import IndexService

ANIMALS = """aardvark albatross alpaca anteater axolotl badger barracuda bison bobcat buffalo camel capybara
caribou cheetah chinchilla cobra condor coyote crane dingo dolphin donkey eagle eland elk emu falcon ferret
flamingo gazelle gecko gibbon giraffe gorilla hedgehog heron hyena ibex iguana impala jackal jaguar kiwi
koala lemur leopard llama lynx macaw manatee meerkat mongoose moose narwhal ocelot okapi orca otter""".split()


def wait(cond, timeout: float, step: float = 0.02) -> float | None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if cond():
            return time.monotonic() - start
        time.sleep(step)
    return None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--burst", type=int, default=1000)
    args = ap.parse_args()
    edits, burst = (5, 100) if args.quick else (args.edits, args.burst)
    base = Path(tempfile.mkdtemp(prefix="mysearch-bench-watch-"))
    docs = base / "docs"
    docs.mkdir()
    for i in range(20):
        (docs / f"seed{i}.txt").write_text(f"Seed note {i} about the weekly shopping list and chores.")
    lib = Library.open(base / "home")
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=lib.config.get("watch.debounce_s"))
    svc.start()
    svc.wait_idle(600)
    log(f"watching {docs}; {edits} edits")
    kw, dense, missed = [], [], 0
    for i in range(edits):
        animal = ANIMALS[i % len(ANIMALS)]
        word = f"{animal}{i}x"
        path = docs / f"edit{i}.txt"
        sentence = f"Field notes: the {animal} was seen near the river bank at dawn, code {word}."
        t0 = time.monotonic()
        path.write_text(sentence)
        t_kw = wait(lambda w=word: bool(lib.search(w, k=1, mode="keyword")), 30)
        t_dense = wait(
            lambda p=str(path), s=sentence: any(h.path == p for h in lib.search(s, k=3, mode="dense")), 60, step=0.05
        )
        if t_kw is None or t_dense is None:
            missed += 1
        else:
            kw.append(t_kw)
            dense.append(t_kw + t_dense)
        svc.wait_idle(60)
    log(f"burst of {burst} files")
    bdir = docs / "burst"
    bdir.mkdir()
    t0 = time.monotonic()
    for i in range(burst):
        (bdir / f"b{i:04d}.txt").write_text(f"Burst note {i}: inventory item {i} in aisle {i % 40}.")
    written = time.monotonic() - t0

    def count(sql: str) -> int:
        return lib.reader().db.execute(sql, (f"{bdir}/%",)).fetchone()[0]

    keyword_s = wait(lambda: count("SELECT count(*) FROM files WHERE path LIKE ?") >= burst, 1800, 0.2)
    model = lib.config.get("embedding.model")
    vectors_s = wait(
        lambda: (
            lib.reader()
            .db.execute(
                "SELECT count(*) FROM vectors v JOIN chunks c ON c.id = v.chunk_id JOIN files f ON f.id = c.file_id "
                "WHERE v.model = ? AND f.path LIKE ?",
                (model, f"{bdir}/%"),
            )
            .fetchone()[0]
            >= burst
        ),
        3600,
        0.5,
    )
    svc.wait_idle(600)
    files = count("SELECT count(DISTINCT path) FROM files WHERE path LIKE ?")
    chunks = count("SELECT count(*) FROM chunks c JOIN files f ON f.id = c.file_id WHERE f.path LIKE ?")
    problems = lib.verify()
    svc.stop()
    lib.close()
    kw95, de95 = percentile(kw, 95), percentile(dense, 95)
    targets = {
        "keyword_p95_s": {"value": round(kw95, 3), "target": "< 2", "met": bool(kw) and kw95 < 2.0},
        "meaning_p95_s": {"value": round(de95, 3), "target": "< 5", "met": bool(dense) and de95 < 5.0},
        "burst_duplicate_chunks": {"value": max(0, chunks - files), "target": "0", "met": chunks == files},
        "burst_missing_files": {"value": burst - files, "target": "0", "met": files == burst},
    }
    emit(
        {
            "targets": targets,
            "benchmark": "watch",
            "model": model,
            "edits": edits,
            "edits_not_found": missed,
            "keyword_latency_s": {
                "p50": round(percentile(kw, 50), 3),
                "p95": round(percentile(kw, 95), 3),
                "target_p95": 2.0,
            },
            "meaning_latency_s": {
                "p50": round(percentile(dense, 50), 3),
                "p95": round(percentile(dense, 95), 3),
                "target_p95": 5.0,
            },
            "burst": {
                "files": burst,
                "write_s": round(written, 2),
                "keyword_searchable_s": round(keyword_s, 2) if keyword_s is not None else None,
                "all_vectors_s": round(vectors_s, 2) if vectors_s is not None else None,
                "duplicate_chunks": max(0, chunks - files),
                "missing_files": burst - files,
                "consistency_problems": problems,
            },
        }
    )


if __name__ == "__main__":
    main()
