"""Evaluation metrics on hand-made cases, and `mysearch eval` on tiny datasets with known answers."""

import json
import math

import pytest
from conftest import run_cli

from mysearch.evaluate import load
from mysearch.metrics import mrr_at_k, ndcg_at_k, percentile, recall_at_k


def test_metrics_on_known_rankings():
    rel = {"d1": 1}
    assert ndcg_at_k(["d1", "d2"], rel) == 1.0
    assert ndcg_at_k(["d2", "d1"], rel) == pytest.approx(1 / math.log2(3))
    assert ndcg_at_k(["d2", "d3"], rel) == 0.0
    graded = {"a": 2, "b": 1}
    assert ndcg_at_k(["b", "a"], graded) == pytest.approx((1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3)))
    assert recall_at_k(["a", "x"], graded) == 0.5
    assert mrr_at_k(["x", "y", "a"], graded) == pytest.approx(1 / 3)
    assert mrr_at_k(["x"] * 10 + ["a"], graded) == 0.0  # beyond k
    assert percentile([5, 1, 3, 2, 4], 50) == 3 and percentile([1, 2, 3, 4], 95) == 4


def make_beir(folder):
    folder.mkdir()
    (folder / "qrels").mkdir()
    docs = [
        {"_id": "d1", "title": "Glaciers", "text": "Glaciers retreat as the climate warms."},
        {"_id": "d2", "title": "Harbours", "text": "The harbour master logs every ship that docks."},
        {"_id": "d3", "title": "여권", "text": "여권을 발급받으려면 구청에 가야 합니다."},
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in docs), "utf-8")
    queries = [{"_id": "q1", "text": "why do glaciers retreat"}, {"_id": "q2", "text": "여권 발급"},
               {"_id": "q3", "text": "no judgement for this one"}]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q, ensure_ascii=False) for q in queries), "utf-8")
    (folder / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td3\t1\n")


def test_beir_and_squad_loaders(tmp_path):
    make_beir(tmp_path / "tiny")
    ds = load(tmp_path / "tiny")
    assert set(ds.docs) == {"d1", "d2", "d3"} and set(ds.queries) == {"q1", "q2"}  # unjudged query dropped
    assert ds.docs["d1"].startswith("Glaciers\n")
    squad = {"data": [{"title": "Seoul", "paragraphs": [
        {"context": "Seoul is the capital.", "qas": [{"id": "s1", "question": "What is the capital?",
                                                      "answers": [{"text": "Seoul", "answer_start": 0}]}]}]}]}
    (tmp_path / "sq.json").write_text(json.dumps(squad))
    sq = load(tmp_path / "sq.json")
    assert sq.qrels == {"s1": {"a000-p000": 1}} and "Seoul is the capital." in sq.docs["a000-p000"]


def test_eval_command_through_the_pipeline(home, tmp_path):
    make_beir(tmp_path / "tiny")
    out = json.loads(run_cli("eval", str(tmp_path / "tiny"), "--json", home=home).stdout)
    assert out["documents"] == 3 and out["queries"] == 2
    assert out["keyword"]["ndcg@10"] == 1.0 and out["hybrid"]["ndcg@10"] == 1.0
    assert out["hybrid"]["recall@10"] == 1.0 and out["hybrid"]["latency_ms_p95"] > 0
    again = json.loads(run_cli("eval", str(tmp_path / "tiny"), "--json", home=home).stdout)
    assert again["indexed"] == 0  # a re-run reuses the indexed corpus


def test_eval_exact_on_a_folder_of_real_files(home, tmp_path):
    from test_exact import write_needles

    folder = write_needles(tmp_path / "needles")
    out = json.loads(run_cli("eval", str(folder), "--exact", "--mode", "hybrid", "--json", home=home).stdout)
    assert out["documents"] == 11  # the binary files are not documents
    exact = out["exact"]
    assert exact["queries"] >= 20 and set(exact["hybrid"]) >= {"at_1", "phrase", "quoted phrase", "misses"}
    assert exact["hybrid"]["at_1"] >= 0.95, exact["hybrid"]["misses"]
    assert out["made_up_no_results"]["hybrid"] >= 0.95
    assert out["made_up_no_results"]["queries"] == 300 and out["made_up_no_results"]["words"]
    off = out["off_topic_no_results"]
    assert off["queries"] >= 100 and len(off["questions"]) == 5 and 0.0 <= off["hybrid"] <= 1.0, off


def test_exact_queries_occur_in_one_document_only():
    from mysearch.exact_eval import exact_queries, made_up_words

    docs = {
        "a": "Invoice INV-2024-0042 from Northwind Traders, 1,250 EUR within 30 days of delivery.",
        "b": "Northwind Traders also sent a catalogue of teas and coffees for the autumn season.",
        "c": "The ferry leaves at seven from pier four, weather permitting, every day of the week.",
    }
    queries = exact_queries(docs, 3)
    assert {q.kind for q in queries} >= {"identifier", "phrase", "quoted phrase"}
    for q in queries:
        text = q.text.strip('"').lower()
        assert [d for d, t in docs.items() if text in t.lower()] == [q.doc], q
    assert not any(q.text == "Northwind" for q in queries)  # in two documents
    words = made_up_words(docs, 20)
    assert len(set(words)) == 20 and not any(w in t.lower() for w in words for t in docs.values())


def test_off_topic_questions_ask_about_what_no_document_holds():
    from mysearch import tokens as tok
    from mysearch.exact_eval import off_topic_questions

    docs = {"a": "We bought a new toaster and a kettle for the office kitchen.", "b": "치약과 칫솔을 샀다."}
    held = {t for text in docs.values() for t in tok.tokenize(text, bigrams=False)}
    for korean in (False, True):
        calibrate, scored = (off_topic_questions(docs, 50, seed=s, korean=korean) for s in (0, 1))
        assert len(scored) == 50 and len(set(scored)) == 50 and not set(calibrate) & set(scored)
        for q in scored:
            assert tok.is_korean(q) == korean, q
        assert not any(w in q for q in calibrate + scored for w in ("toaster", "kettle", "치약", "칫솔"))
    # question words may be held ("where", "무엇"), never the thing asked about
    assert all(set(tok.tokenize(q, bigrams=False)) - held for q in off_topic_questions(docs, 50))
