"""A deterministic embedder for plumbing tests only: words hashed into 64 dimensions.

Registered only for the time of a test (``registered()``, never by mysearch, and gone again so that no
other test sees a model the app does not have), so the catalog, the indexer and the owner's loop
can be tested in seconds, without loading a real model; retrieval quality and every integration test keep
the real models. Texts that share words get close vectors, which is all the plumbing needs to check.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from mysearch import embed

NAME = "test-hash-64"
DIM = 64
_WORD = re.compile(r"\w+")


class HashEmbedder:
    name = NAME
    dim = DIM
    max_tokens = 64
    multilingual = True

    def __init__(self) -> None:
        self.embedded = 0  # texts embedded by this instance: tests check what was (not) embedded again

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(_WORD.findall(t)) for t in texts]

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            h = hashlib.blake2b(word.encode("utf-8"), digest_size=4).digest()
            v[h[0] % DIM] += 1.0 if h[1] & 1 else -1.0
        norm = float(np.linalg.norm(v))
        return v / norm if norm else v

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.embedded += len(texts)
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)


INSTANCES: list[HashEmbedder] = []


def _factory(threads: int) -> HashEmbedder:
    e = HashEmbedder()
    INSTANCES.append(e)
    return e


@contextmanager
def registered() -> Iterator[None]:
    embed.register(embed.EmbedderInfo(name=NAME, description="tests only: hashed words", multilingual=True,
                                      dim=DIM, package="tests", factory=_factory))
    try:
        yield
    finally:
        embed.unregister(NAME)
