"""Fusion and query parsing on hand-made rankings whose right answers are known."""

import json
from pathlib import Path

import pytest

from mysearch.search import Filters, Query, Searcher, Side, fuse, fuse_scores, make_snippet, near_rerank, near_score


def order(scores):
    return sorted(scores, key=lambda c: -scores[c])


def two(kw, de, kw_w, de_w):
    return [Side("keyword", kw, kw_w), Side("dense", de, de_w)]


def test_fusion_is_per_file_and_weighted():
    # chunks 1, 2, 3 belong to file 10; chunk 4 to file 20; chunk 5 to file 30
    file_of = {1: 10, 2: 10, 3: 10, 4: 20, 5: 30}
    kw = [(1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0)]
    de = [(5, 0.9), (4, 0.8)]
    scores, found = fuse(two(kw, de, 1.0, 1.0), file_of, k=60)
    # file 10 counts once per ranking, so file 20 (second in both) beats it
    assert order(scores) == [4, 1, 5]
    assert found[4] == ["keyword", "dense"] and found[1] == ["keyword"] and found[5] == ["dense"]
    # keyword-only weighting reproduces the keyword order of files
    kw_only, _ = fuse(two(kw, de, 1.0, 0.0), file_of)
    assert order(kw_only) == [1, 4]
    dense_heavy, _ = fuse(two(kw, de, 1.0, 3.0), file_of)
    assert order(dense_heavy)[0] == 4 and order(dense_heavy)[1] == 5


def test_query_parsing_phrases_and_fts_expression():
    q = Query.parse('"night train" Vienna 여권을')
    assert q.phrases == (("night", "train"),)
    assert set(q.terms) >= {"night", "train", "vienna", "여권"}
    # the phrase's words are required; that they stand together is checked on the text (holds_phrases)
    assert q.fts() == (
        '({body title} : ("night" AND "train")) AND ({body title} : ("vienna" OR "여권" OR "night" OR "train"))'
    )
    # Korean bigrams go to their own field, and the quoted phrase still has to match there too
    assert q.grams == ("여권", "권을")
    assert q.fts_grams() == '({body title} : ("night" AND "train")) AND (grams : ("여권" OR "권을"))'
    assert q.holds_phrases("The Night  Train to Vienna", []) and not q.holds_phrases("a train at night", [])
    assert q.holds_phrases("nightly trains", ["night", "train"])  # the keyword tokens stand together
    english = Query.parse("renew a passport")
    assert english.grams == () and english.fts_grams() is None
    assert Query.parse("the of and").fts() is None  # only stop words: no keyword query at all


def test_snippet_highlights_korean_and_english_terms():
    text = "여권을 발급받으려면 구청에 가야 합니다. Renewals of passports take weeks."
    snippet, marks = make_snippet(text, Query.parse("여권 passport renewal"))
    words = {snippet[a:b] for a, b in marks}
    assert words == {"여권을", "Renewals", "passports"}


def test_score_fusion_keeps_margins():
    file_of = {1: 10, 2: 20, 3: 30}
    # keyword: file 10 far ahead of 20; dense: 20 slightly ahead of 10
    kw = [(1, 30.0), (2, 5.0), (3, 4.0)]
    de = [(2, 0.90), (1, 0.89), (3, 0.70)]
    scores, found = fuse_scores(two(kw, de, 1.0, 1.0), file_of)
    assert order(scores) == [1, 2, 3]  # the big keyword margin wins
    rrf, _ = fuse(two(kw, de, 1.0, 1.0), file_of)
    assert rrf[1] == rrf[2]  # rank fusion cannot tell the margin apart
    only_kw, _ = fuse_scores(two(kw, de, 1.0, 0.0), file_of)
    assert order(only_kw) == [1, 2, 3] and only_kw[1] > 0 > only_kw[3]  # above / below the mean
    assert found[1] == ["keyword", "dense"]
    # a file only one side returned gets the other side's lowest score, not a free pass
    files = {1: 10, 2: 20, 4: 40, 5: 50}
    partial, _ = fuse_scores(two([(1, 10.0), (2, 9.0), (4, 1.0)], [(5, 0.9), (2, 0.85), (4, 0.1)], 1.0, 1.0), files)
    assert order(partial) == [2, 1, 5, 4]


def test_score_fusion_of_three_sides():
    # files 10, 20, 30 (one chunk each); keywords prefer 10, both meaning models prefer 20
    file_of = {1: 10, 2: 20, 3: 30}
    kw = [(1, 12.0), (2, 8.0), (3, 4.0)]  # z: +1.22, 0, -1.22
    e5 = [(2, 0.90), (1, 0.80), (3, 0.70)]  # z: +1.22 for 20, 0 for 10
    minilm = [(2, 0.60), (3, 0.50), (1, 0.40)]  # z: +1.22 for 20, -1.22 for 10
    sides = [Side("keyword", kw, 1.0), Side("dense", e5, 0.5), Side("dense", minilm, 0.5)]
    scores, found = fuse_scores(sides, file_of)
    assert order(scores) == [2, 1, 3]  # the two models together outvote the keywords
    assert found[2] == ["keyword", "dense"]  # each kind of side named once
    # without the second model the keyword lead on file 10 holds (weights 1 : 0.5 favour keywords)
    alone, _ = fuse_scores([Side("keyword", kw, 1.0), Side("dense", e5, 0.5)], file_of)
    assert order(alone) == [1, 2, 3]
    # a side with no weight changes nothing, whatever it ranks
    muted, _ = fuse_scores([*sides[:2], Side("dense", list(reversed(minilm)), 0.0)], file_of)
    assert muted == alone
    # splitting one ranking into two equal halves is the same as the whole
    whole, _ = fuse_scores([Side("keyword", kw, 1.0), Side("dense", e5, 1.0)], file_of)
    halves, _ = fuse_scores([Side("keyword", kw, 1.0), Side("dense", e5, 0.5), Side("dense", e5, 0.5)], file_of)
    assert whole.keys() == halves.keys() and all(abs(whole[c] - halves[c]) < 1e-12 for c in whole)


def test_rank_fusion_of_three_sides():
    file_of = {1: 10, 2: 20, 3: 30}
    sides = [
        Side("keyword", [(1, 9.0), (2, 5.0), (3, 1.0)], 1.0),
        Side("dense", [(2, 0.9), (3, 0.8), (1, 0.1)], 0.5),
        Side("dense", [(2, 0.8), (3, 0.7), (1, 0.2)], 0.5),
    ]
    scores, found = fuse(sides, file_of, k=1)
    # 10: 1/2 + 0.5/4 + 0.5/4 = 0.75; 20: 1/3 + 0.5/2 + 0.5/2 = 0.833; 30: 1/4 + 0.5/3 + 0.5/3 = 0.583
    assert order(scores) == [2, 1, 3]
    assert abs(scores[1] - 0.75) < 1e-9 and found[2] == ["keyword", "dense"]


def searcher_over(models):
    """Searcher.weights reads each model's languages from the registry; it loads no model."""
    return Searcher(None, lambda m: None, lambda: None, lambda: models)


def test_english_only_model_sits_out_korean_queries():
    both = searcher_over(["multilingual-e5-small", "all-minilm-l6-v2"])
    english = both.weights(Query.parse("how do I renew a passport"))
    assert english == [
        ("keyword", None, 1.0),
        ("dense", "multilingual-e5-small", 1.0),
        ("dense", "all-minilm-l6-v2", 1.0),  # an extra model weighs extra_weight (equal, as held-out folds chose)
    ]
    korean = both.weights(Query.parse("여권은 어디서 발급받나요"))
    assert korean == [("keyword", None, 1.0), ("dense", "multilingual-e5-small", 1.0)]
    only_minilm = searcher_over(["all-minilm-l6-v2"])
    assert only_minilm.weights(Query.parse("여권 발급")) == [("keyword", None, 1.0)]
    minilm_first = searcher_over(["all-minilm-l6-v2", "multilingual-e5-small"])  # e5 as the extra model
    assert minilm_first.weights(Query.parse("여권 발급"))[1:] == [("dense", "multilingual-e5-small", 1.0)]
    mixed = both.weights(Query.parse("INV-2024-0042 invoice 송장"))  # mostly Latin letters: English rules
    assert [m for _, m, _ in mixed] == [None, "multilingual-e5-small", "all-minilm-l6-v2"]


def test_near_score_rewards_query_terms_standing_together():
    idf = {"keeper": 2.0, "retired": 1.5, "lighthouse": 0.5}
    together = "in 1931 the lighthouse keeper retired to the village".split()
    assert near_score(together, idf, window=12) == 4.0  # all three inside one window
    apart = ["keeper"] + ["filler"] * 20 + ["retired"] + ["filler"] * 20 + ["lighthouse", "lighthouse"]
    assert near_score(apart, idf, window=12) == 2.0  # the best single term: repeats do not add up
    assert near_score(apart, idf, window=22) == 3.5  # keeper .. retired fit in 22 tokens
    assert near_score("nothing relevant here".split(), idf, window=12) == 0.0
    assert near_score([], idf, window=12) == 0.0


def test_near_rerank_reorders_only_the_top_and_keeps_scores():
    scores = {1: 3.0, 2: 2.9, 3: 1.0, 4: 0.8, 5: -2.0}
    # chunk 2 holds the query's terms together, chunk 1 only scattered; 5 was not re-ranked
    near = {1: 1.0, 2: 4.0, 3: 1.0, 4: 1.0}
    out = near_rerank(scores, near, weight=0.35)
    assert order(out) == [2, 1, 3, 4, 5]
    assert sorted(out.values()) == sorted(scores.values())  # the same values, handed out in the new order
    # a clear fused lead survives a proximity edge; weight 0 changes nothing
    assert order(near_rerank({1: 9.0, 2: 1.0, 3: 0.9, 4: 0.8}, near, weight=0.35))[0] == 1
    assert near_rerank(scores, near, weight=0.0) == scores
    assert near_rerank(scores, {1: 5.0}, weight=0.35) == scores  # one candidate: nothing to compare


def test_search_prefers_the_passage_that_says_it_in_one_place(lib, tmp_path):
    """Proximity (Korean queries: ``Searcher._near``) puts the file that says it in one sentence above the
    one that holds more of the rarest word, scattered."""
    d = tmp_path / "harbour"
    d.mkdir()
    filler = "위원회는 예산과 새 부두, 여객선 시간표와 수산시장에 대해서도 논의했다. "
    # scattered.txt has more of the rarest term, so plain BM25 ranks it first
    (d / "scattered.txt").write_text(
        "기록 관리인이 회의록을 썼다. " + filler * 2 + "어부 몇 명이 일찍 은퇴했다. " + filler * 2
        + "오래된 등대에 관리인이 새로 고용되었다.\n",
        "utf-8",
    )
    together = filler * 2 + "1931년에 등대 관리인이 은퇴하여 마을로 갔다. " + filler * 2
    (d / "together.txt").write_text(together + "\n", "utf-8")
    for i in range(6):
        (d / f"other{i}.txt").write_text(filler * (i + 1) + f"등대는 19{i}0년에 칠해졌다.\n", "utf-8")
    lib.add([str(d)])
    lib.index()
    text = "등대 관리인이 은퇴한 해"
    query = Query.parse(text)
    searcher = lib.searcher()
    ranking = [c for c, _ in searcher.keyword(query, 100, Filters())]
    files = searcher._file_of(ranking)
    assert Path(lib.catalog.file_by_id(files[ranking[0]]).path).name == "scattered.txt"  # BM25 alone: wrong file
    idf = lib.catalog.term_idf(query.terms)  # morphemes, as the index holds them
    assert idf["관리인"] == idf["은퇴"] > idf["등대"] > 0  # in 2 of the 8 files; in all 8
    tokens = lib.catalog.keyword_tokens(ranking)  # the index's tokens, in text order
    assert any(t[i : i + 3] == ["등대", "관리인", "은퇴"] for t in tokens.values() for i in range(len(t)))
    for mode in ("keyword", "hybrid"):
        hits = lib.search(text, k=3, mode=mode)
        assert Path(hits[0].path).name == "together.txt", mode
        assert all(0.0 < h.score < 1.0 for h in hits) and hits[0].score >= hits[1].score


def test_filters_survive_the_control_socket_encoding():
    import datetime as dt

    f = Filters(types=("pdf", "md"), after=dt.date(2024, 1, 1), before=dt.date(2025, 6, 30), folders=("/a b/c",))
    assert Filters.from_json(json.loads(json.dumps(f.as_json()))) == f
    assert Filters.from_json(None) == Filters() and not Filters.from_json({}).active


def test_proximity_reranks_korean_queries_only():
    """Held-out folds kept the proximity step for Korean (KorQuAD +0.005) and not for English (XQuAD a
    wash): an English query's fused order is returned as it is, without reading the catalog."""
    searcher = searcher_over(["multilingual-e5-small"])  # no catalog: reading it would fail
    scores = {1: 1.0, 2: 0.9, 3: 0.1}
    assert searcher._near(Query.parse("when did the lighthouse keeper retire"), scores) is scores
    with pytest.raises(AttributeError):  # a Korean query does read the keyword tokens
        searcher._near(Query.parse("등대지기는 언제 은퇴했나"), scores)
