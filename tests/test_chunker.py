"""Chunks are sized in the real model's tokens, keep their page, and are exact slices of the text."""

import pytest

from mysearch import embed
from mysearch.ingest.chunker import chunk_document
from mysearch.sources.base import Document, Section


@pytest.fixture(scope="module")
def model():
    return embed.load("multilingual-e5-small")


def test_chunks_fit_the_token_budget_overlap_and_point_into_the_text(model):
    sentences = [f"Sentence number {i} talks about glaciers, harbours and lanterns in some detail." for i in range(120)]
    korean = [f"{i}번째 문장은 서울의 날씨와 여권 발급 절차에 대해 자세히 설명합니다." for i in range(60)]
    doc = Document([Section(" ".join(sentences), page=1), Section(" ".join(korean), page=2)])
    chunks = chunk_document(doc, model.count_tokens, max_tokens=128, overlap=24)
    text = doc.text
    assert len(chunks) > 6
    for c in chunks:
        assert text[c.char_start : c.char_end] == c.text
        assert model.count_tokens([c.text])[0] <= 128 + 4  # piece counts add up within a few specials
    assert {c.page for c in chunks} == {1, 2}
    assert all("번째" in c.text for c in chunks if c.page == 2)
    first_page = [c for c in chunks if c.page == 1]
    pairs = zip(first_page, first_page[1:], strict=False)
    assert all(a.char_end > b.char_start for a, b in pairs)  # neighbours overlap
    assert [c.seq for c in chunks] == list(range(len(chunks)))


def test_a_sentence_longer_than_a_chunk_is_cut(model):
    long_line = "word " * 2000
    chunks = chunk_document(Document([Section(long_line)]), model.count_tokens, max_tokens=100, overlap=10)
    assert len(chunks) >= 20
    assert max(model.count_tokens([c.text])[0] for c in chunks) <= 110
