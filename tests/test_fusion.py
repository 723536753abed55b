"""Fusion and query parsing on hand-made rankings whose right answers are known."""

from mysearch.search import Query, fuse, fuse_scores, make_snippet


def order(scores):
    return sorted(scores, key=lambda c: -scores[c])


def test_fusion_is_per_file_and_weighted():
    # chunks 1, 2, 3 belong to file 10; chunk 4 to file 20; chunk 5 to file 30
    file_of = {1: 10, 2: 10, 3: 10, 4: 20, 5: 30}
    kw = [(1, 9.0), (2, 8.0), (3, 7.0), (4, 6.0)]
    de = [(5, 0.9), (4, 0.8)]
    scores, found = fuse(kw, de, 1.0, 1.0, file_of, k=60)
    # file 10 counts once per ranking, so file 20 (second in both) beats it
    assert order(scores) == [4, 1, 5]
    assert found[4] == ["keyword", "dense"] and found[1] == ["keyword"] and found[5] == ["dense"]
    # keyword-only weighting reproduces the keyword order of files
    kw_only, _ = fuse(kw, de, 1.0, 0.0, file_of)
    assert order(kw_only) == [1, 4]
    dense_heavy, _ = fuse(kw, de, 1.0, 3.0, file_of)
    assert order(dense_heavy)[0] == 4 and order(dense_heavy)[1] == 5


def test_query_parsing_phrases_and_fts_expression():
    q = Query.parse('"night train" Vienna 여권을')
    assert q.phrases == (("night", "train"),)
    assert set(q.terms) >= {"night", "train", "vienna", "여권"}
    assert q.fts().startswith('("night train") AND (')
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
    scores, found = fuse_scores(kw, de, 1.0, 1.0, file_of)
    assert order(scores) == [1, 2, 3]  # the big keyword margin wins
    rrf, _ = fuse(kw, de, 1.0, 1.0, file_of)
    assert rrf[1] == rrf[2]  # rank fusion cannot tell the margin apart
    only_kw, _ = fuse_scores(kw, de, 1.0, 0.0, file_of)
    assert order(only_kw) == [1, 2, 3] and only_kw[1] > 0.5 > only_kw[3]  # above / below the mean
    assert all(0.0 < v < 1.0 for v in scores.values())
    assert found[1] == ["keyword", "dense"]
    # a file only one side returned gets the other side's lowest score, not a free pass
    files = {1: 10, 2: 20, 4: 40, 5: 50}
    partial, _ = fuse_scores([(1, 10.0), (2, 9.0), (4, 1.0)], [(5, 0.9), (2, 0.85), (4, 0.1)], 1.0, 1.0, files)
    assert order(partial) == [2, 1, 5, 4]
