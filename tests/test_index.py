"""Indexing against the real model and the real embedded Chroma: incremental, exact, consistent."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from mysearch.search import Filters


def paths_of(hits) -> list[str]:
    return [Path(h.path).name for h in hits]


def all_chunk_ids(lib) -> set[int]:
    return {r[0] for r in lib.catalog.db.execute("SELECT id FROM chunks")}


def test_index_and_search_english_korean_and_across(lib, docs):
    lib.add([str(docs)])
    report = lib.index()
    assert (report.indexed, report.failed, report.skipped) == (5, 0, 0)
    assert report.chunks >= 5
    assert lib.verify() == []
    assert paths_of(lib.search("how long does it take to renew a passport", k=3))[0] == "passport.md"
    assert paths_of(lib.search("여권 발급 기간", k=3))[0] == "여권.md"
    assert paths_of(lib.search("INV-2024-0042", k=1)) == ["invoice.txt"]
    assert paths_of(lib.search("0042", k=1)) == ["invoice.txt"]
    # meaning across languages: a Korean question finds the English recipe, and the other way round
    assert paths_of(lib.search("토마토 수프 만드는 법", k=1)) == ["recipe.txt"]
    assert "여권.md" in paths_of(lib.search("where do I apply for a passport in Korea", k=2))


def test_rerun_over_unchanged_files_does_no_work(lib, docs):
    lib.add([str(docs)])
    lib.index()
    before = all_chunk_ids(lib)
    report = lib.index()
    assert (report.indexed, report.unchanged, report.chunks, report.embedded) == (0, 5, 0, 0)
    assert all_chunk_ids(lib) == before


def test_modified_file_chunks_are_replaced(lib, docs):
    lib.add([str(docs)])
    lib.index()
    (docs / "recipe.txt").write_text("Lemon cake: whisk eggs and sugar, fold in flour and lemon zest.\n", "utf-8")
    report = lib.index()
    assert report.indexed == 1 and report.unchanged == 4
    assert lib.search('"tomato"', k=5, mode="keyword") == []
    assert paths_of(lib.search("lemon zest", k=1)) == ["recipe.txt"]
    assert lib.verify() == []


def test_deleted_and_removed_files_leave_nothing(lib, docs):
    lib.add([str(docs)])
    lib.index()
    (docs / "invoice.txt").unlink()
    report = lib.index()
    assert report.removed == 1
    assert lib.search("Northwind", mode="keyword") == []
    assert all(h.path != str(docs / "invoice.txt") for h in lib.search("invoice payable"))
    assert lib.verify() == []
    lib.remove([str(docs)])
    report = lib.index()
    assert report.removed == 4
    assert all_chunk_ids(lib) == set()
    assert lib.vectors().count(lib.config.get("embedding.model")) == 0


def test_rename_and_move_are_not_re_embedded(lib, docs):
    lib.add([str(docs)])
    lib.index()
    ids = all_chunk_ids(lib)
    (docs / "archive").mkdir()
    shutil.move(docs / "recipe.txt", docs / "archive" / "soup.txt")
    report = lib.index()
    assert report.moved == 1 and report.indexed == 0 and report.embedded == 0
    assert all_chunk_ids(lib) == ids
    hits = lib.search("tomato soup with basil", k=1)
    assert hits[0].path == str(docs / "archive" / "soup.txt")
    assert paths_of(lib.search("soup.txt", k=1, mode="keyword")) == ["soup.txt"]  # new name is searchable
    assert lib.verify() == []


def test_filters_by_type_folder_and_date(lib, docs):
    lib.add([str(docs)])
    old = time.mktime((2020, 5, 1, 12, 0, 0, 0, 0, -1))
    os.utime(docs / "recipe.txt", (old, old))
    lib.index()
    import datetime as dt

    assert paths_of(lib.search("fibonacci", filters=Filters(types=("md",)))) != ["fib.py"]
    assert paths_of(lib.search("fibonacci", k=1, filters=Filters(types=("py",)))) == ["fib.py"]
    assert set(paths_of(lib.search("fibonacci passport", filters=Filters(folders=(str(docs / "code"),))))) == {"fib.py"}
    recent = lib.search("tomato soup", filters=Filters(after=dt.date(2021, 1, 1)))
    assert "recipe.txt" not in paths_of(recent)
    assert paths_of(lib.search("tomato soup", k=1, filters=Filters(before=dt.date(2021, 1, 1)))) == ["recipe.txt"]


def test_model_change_rebuilds_vectors_without_mixing(lib, docs):
    lib.config.set("embedding.extra", [])
    lib.add([str(docs)])
    lib.index()
    first = lib.config.get("embedding.model")
    lib.config.set("embedding.model", "all-minilm-l6-v2")
    assert lib.searchable_model() == first  # the old vectors keep answering until the new ones are done
    report = lib.index()
    assert report.embedded == len(all_chunk_ids(lib))
    assert lib.searchable_model() == "all-minilm-l6-v2"
    assert lib.catalog.models_with_vectors() == ["all-minilm-l6-v2"]
    assert not lib.vectors().has(first)
    assert lib.verify() == []
    assert paths_of(lib.search("renew a passport", k=1)) == ["passport.md"]



def test_extra_model_is_indexed_checked_fused_and_dropped(lib, docs):
    e5, minilm = "multilingual-e5-small", "all-minilm-l6-v2"
    lib.add([str(docs)])
    report = lib.index()
    chunks = all_chunk_ids(lib)
    assert lib.models() == [e5, minilm]  # the default: MiniLM beside the multilingual model
    assert report.embedded == 2 * len(chunks)
    assert lib.catalog.vector_ids(e5) == lib.catalog.vector_ids(minilm) == chunks
    assert lib.search_models() == [e5, minilm] and lib.status().vectors_pending == 0
    assert lib.verify() == []
    hits = lib.search("how long does it take to renew a passport", k=3)
    assert paths_of(hits)[0] == "passport.md" and hits[0].sources == ["keyword", "dense"]
    assert paths_of(lib.search("토마토 수프 만드는 법", k=1)) == ["recipe.txt"]  # MiniLM sits this one out
    assert paths_of(lib.search("여권 발급 기간", k=1)) == ["여권.md"]
    # verify() checks every model; the next run with work to do repairs the extra model's store too
    lib.vectors().delete(minilm, [min(chunks)])
    assert any(minilm in problem for problem in lib.verify())
    # a new file: keywords and the chosen model first; a half-built extra model stays out of search
    (docs / "tea.txt").write_text("Green tea is steeped at 80 degrees for two minutes.\n", "utf-8")
    lib.indexer().sync(lib.folders(), embed=False)
    lib.vectors_changed()
    status = lib.status()
    assert status.pending_by_model[e5] == status.pending_by_model[minilm] > 0
    assert status.vectors_pending == 2 * status.pending_by_model[e5]
    assert lib.search_models() == [e5]
    assert lib.index().embedded == status.vectors_pending + 1  # + the lost vector
    assert lib.verify() == []
    lib.vectors_changed()
    assert lib.search_models() == [e5, minilm]
    assert paths_of(lib.search("brewing green tea temperature", k=1)) == ["tea.txt"]
    # no extra model any more: its vectors go at the next run
    lib.config.set("embedding.extra", [])
    lib.index()
    assert lib.catalog.models_with_vectors() == [e5] and not lib.vectors().has(minilm)
    assert lib.verify() == []



def test_an_extra_model_that_cannot_load_is_skipped(lib, docs, monkeypatch):
    monkeypatch.setenv("MYSEARCH_EMBEDDING__EXTRA", "no-such-model")  # `config set` would refuse the name
    lib.add([str(docs)])
    report = lib.index()  # the chosen model's vectors are built; the broken extra one only costs a warning
    assert report.embedded == len(all_chunk_ids(lib)) and lib.verify() == []
    assert lib.search_models() == ["multilingual-e5-small"]
    assert lib.status().pending_by_model["no-such-model"] == len(all_chunk_ids(lib))
    assert paths_of(lib.search("how long does it take to renew a passport", k=1)) == ["passport.md"]


def test_korean_bigrams_and_the_upgrade_of_an_older_keyword_index(home, docs):
    from mysearch import tokens
    from mysearch.library import Library
    from mysearch.search import Query

    with Library.open(home) as lib:
        lib.add([str(docs)])
        lib.index()
        # "원실" is inside 민원실 ("the civil-service office"), but Kiwi reads the query as 원시: only the
        # bigram field finds it, and it still ranks by the same score as everything else
        query = Query.parse("원실")
        searcher = lib.searcher()
        assert searcher._bm25(query.fts(), 10, Filters()) == []
        assert paths_of(lib.search("원실", k=1, mode="keyword")) == ["여권.md"]
        # turn the keyword table back into the layout of tokenizer version 2 (bigrams inside the body)
        db = lib.catalog.db
        db.execute("DROP TABLE chunks_fts")
        db.execute("CREATE VIRTUAL TABLE chunks_fts USING fts5(body, title)")
        rows = [(cid, " ".join(tokens.tokenize(text))) for cid, text in db.execute("SELECT id, text FROM chunks")]
        db.executemany("INSERT INTO chunks_fts(rowid, body, title) VALUES(?, ?, '')", rows)
        lib.catalog.set_meta("tokenizer", "2")
        lib.catalog.set_meta("fts_rank", "bm25(1.0, 0.5)")
    with Library.open(home) as lib:
        columns = [r[1] for r in lib.catalog.db.execute("PRAGMA table_info(chunks_fts)")]
        assert columns == ["body", "title", "grams"]
        assert lib.search("여권", mode="keyword") == []  # emptied at once; the next run fills it again
        assert lib.catalog.keywords_outdated()
        lib.index()
        assert not lib.catalog.keywords_outdated() and lib.verify() == []
        assert paths_of(lib.search("여권 발급 기간", k=1, mode="keyword")) == ["여권.md"]
        assert paths_of(lib.search("원실", k=1, mode="keyword")) == ["여권.md"]
        assert paths_of(lib.search('"northwind traders"', k=1, mode="keyword")) == ["invoice.txt"]


BAD_FILES = {
    "empty.txt": (b"", "empty"),
    "random.txt": (os.urandom(4096).replace(b"\x00", b"\x01") + b"\x00" * 64, "binary"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog", "damaged"),
    "broken.docx": (b"PK\x03\x04 this is not really a zip", "damaged"),
}


def test_bad_files_are_recorded_and_indexing_goes_on(lib, docs, tmp_path):
    for name, (data, _) in BAD_FILES.items():
        (docs / name).write_bytes(data)
    os.symlink("loop.txt", docs / "loop.txt")  # a link to itself
    os.symlink("..", docs / "code" / "up")  # a folder loop: not followed
    cp949_name = os.fsdecode("한글메모.txt".encode("cp949"))  # a legacy (non-UTF-8) file name
    (docs / cp949_name).write_text("레거시 인코딩 파일 이름도 찾을 수 있어야 합니다.", encoding="utf-8")
    big = docs / "big.txt"
    big.write_text("x " * 600_000)
    lib.config.set("index.max_file_mb", "1")
    lib.add([str(docs)])
    report = lib.index()
    assert report.indexed == 6  # the five good files and the legacy-named one
    problems = {Path(p["path"]).name: p["reason"] for p in report.problems}
    assert "empty" in problems["empty.txt"]
    assert "binary" in problems["random.txt"]
    assert "damaged" in problems["broken.pdf"].lower()
    assert "damaged" in problems["broken.docx"].lower() or "not" in problems["broken.docx"].lower()
    assert "loop" in problems["loop.txt"]
    assert "limit" in problems["big.txt"]
    status = lib.status()
    assert status.files["indexed"] == 6
    hits = lib.search("레거시 인코딩", k=1)
    assert hits and hits[0].path.endswith("한글메모.txt")
    assert lib.verify() == []
    again = lib.index()
    assert again.indexed == 0 and again.unchanged == 6 and again.skipped == report.skipped  # not retried


def test_file_vanishing_between_scan_and_read(lib, docs):
    from mysearch.ingest.scanner import Candidate

    lib.add([str(docs)])
    lib.index()
    indexer = lib.indexer()
    gone = str(docs / "gone.txt")
    try:
        assert indexer.read_file(gone, Candidate(gone, str(docs), 10, 1), None, lib.embedder()) == "unchanged"
        (docs / "recipe.txt").unlink()
        target = str(docs / "recipe.txt")
        assert indexer.read_file(target, Candidate(target, str(docs), 10, 1), None, lib.embedder()) == "removed"
    finally:
        indexer.close()
    assert lib.search('"tomato"', mode="keyword") == []


def test_per_file_time_limit(lib, docs):
    lib.config.set("index.timeout_s", "0.0001")
    lib.add([str(docs)])
    report = lib.index()
    assert report.failed == 5 and report.indexed == 0
    assert all("longer than" in p["reason"] for p in report.problems)
    again = lib.index()
    assert again.indexed == 0 and again.failed == 5  # same limit, same files: they are not tried again
    lib.config.set("index.timeout_s", "60")
    again = lib.index()
    assert again.indexed == 5 and again.failed == 0  # a new limit: every file that ran out of time is retried


def _without_read_override() -> list[str] | None:
    """A command prefix under which file permissions apply: root keeps its uid but loses the
    capabilities that let it read anything (setpriv); other users need nothing."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        return None
    caps = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]


@pytest.mark.skipif(_without_read_override() is None, reason="root without setpriv reads every file")
def test_permission_denied_files_and_folders_are_recorded(tmp_path, home):
    import json
    import subprocess
    import sys

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "open.txt").write_text("anyone may read this note about lanterns")
    (docs / "secret.txt").write_text("private words")
    (docs / "locked").mkdir()
    (docs / "locked" / "inner.txt").write_text("more private words")
    os.chmod(docs / "secret.txt", 0o000)
    os.chmod(docs / "locked", 0o000)
    env = {**os.environ, "MYSEARCH_HOME": str(home)}

    def cli(*args: str) -> subprocess.CompletedProcess:
        cmd = [*_without_read_override(), sys.executable, "-m", "mysearch", *args]
        return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)

    try:
        assert cli("add", str(docs)).returncode == 0
        out = cli("index", "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["indexed"] == 1
        st = json.loads(cli("status", "--json").stdout)
        reasons = {Path(p["path"]).name: p["reason"] for p in st["problems"]}
        assert "permission denied" in reasons["secret.txt"]
        assert "permission denied" in reasons["locked"]
    finally:
        os.chmod(docs / "secret.txt", 0o644)
        os.chmod(docs / "locked", 0o755)


def test_tokenizer_change_rebuilds_the_keyword_index(lib, docs, monkeypatch):
    from mysearch import tokens

    lib.add([str(docs)])
    lib.index()
    lib.catalog.db.execute("UPDATE chunks_fts SET body = 'stale'")  # as if written by an older tokenizer
    lib.catalog.set_meta("tokenizer", "0")
    assert lib.search("photographs", mode="keyword") == []
    report = lib.index()
    assert report.indexed == 0 and lib.catalog.get_meta("tokenizer") == tokens.VERSION
    assert paths_of(lib.search("photographs", k=1, mode="keyword")) == ["passport.md"]
    assert paths_of(lib.search("여권을", k=1, mode="keyword")) == ["여권.md"]


def test_a_new_catalog_is_current_however_it_is_filled(tmp_path):
    """A catalog records its tokenizer when it is created, so rows stored without the indexer (a
    benchmark building its library directly) are not taken for outdated ones and emptied."""
    from mysearch import tokens
    from mysearch.catalog import Catalog, NewChunk

    cat = Catalog(tmp_path / "catalog.sqlite3")
    assert cat.get_meta("tokenizer") == tokens.VERSION
    text = "여권을 발급받으려면 구청에 가야 합니다."
    cat.store_document(str(tmp_path / "a.txt"), str(tmp_path), 10, 1, "h", "txt", None, None, None,
                       [NewChunk(0, text, None, None, 0, len(text), "t")])
    assert not cat.keywords_outdated()
    cat.close()
    reopened = Catalog(tmp_path / "catalog.sqlite3")
    assert not reopened.keywords_outdated()
    assert reopened.db.execute("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH '여권'").fetchone()[0] == 1
    reopened.close()
