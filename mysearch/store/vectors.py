"""Vectors in Chroma, embedded (PersistentClient) or on a server (HttpClient), with the same code.

We always hand Chroma our own vectors (``embedding_function=None``: Chroma's default would try to
download a model) and switch its telemetry off. Each embedding model gets its own collection, named
after the library and the model, so vectors of two models never mix and a model switch can build the
new collection while the old one still answers. Chroma's ``add`` holds the GIL for its whole run, so
callers write in small batches.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

from ..errors import MySearchError

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")


class StoreError(MySearchError):
    """The vector store cannot be opened or reached."""


@dataclass(frozen=True)
class DenseHit:
    chunk_id: int
    score: float  # cosine similarity


def collection_name(library_id: str, model: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", model).strip("-")[:40]
    return f"mysearch-{library_id[:12]}-{slug}"


class VectorStore:
    WRITE_BATCH = 64

    def __init__(self, path: Path | None, url: str, library_id: str) -> None:
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False, allow_reset=False)
        self.library_id = library_id
        self.url = url
        try:
            if url:
                u = urlparse(url if "//" in url else f"http://{url}")
                self.client = chromadb.HttpClient(
                    host=u.hostname or "localhost",
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=settings,
                )
                self.client.heartbeat()
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=settings)
        except Exception as exc:
            where = url or str(path)
            raise StoreError(f"cannot open the vector store at {where}: {exc}") from exc
        self._collections: dict[str, object] = {}

    @property
    def location(self) -> str:
        return self.url or "embedded"

    def _collection(self, model: str, dim: int | None = None):  # chromadb type
        if model not in self._collections:
            name = collection_name(self.library_id, model)
            meta = {"hnsw:space": "cosine", "model": model}
            if dim:
                meta["dim"] = dim
            self._collections[model] = self.client.get_or_create_collection(
                name, metadata=meta, embedding_function=None
            )
        return self._collections[model]

    def has(self, model: str) -> bool:
        name = collection_name(self.library_id, model)
        return name in {c.name if hasattr(c, "name") else c for c in self.client.list_collections()}

    def upsert(self, model: str, ids: list[int], vectors: np.ndarray, file_ids: list[int]) -> None:
        col = self._collection(model, vectors.shape[1] if len(vectors) else None)
        for i in range(0, len(ids), self.WRITE_BATCH):
            col.upsert(
                ids=[str(x) for x in ids[i : i + self.WRITE_BATCH]],
                embeddings=vectors[i : i + self.WRITE_BATCH],
                metadatas=[{"file_id": f} for f in file_ids[i : i + self.WRITE_BATCH]],
            )

    def delete(self, model: str, ids: list[int]) -> None:
        col = self._collection(model)
        for i in range(0, len(ids), 500):
            col.delete(ids=[str(x) for x in ids[i : i + 500]])

    def query(self, model: str, vector: np.ndarray, n: int, file_ids: list[int] | None = None) -> list[DenseHit]:
        col = self._collection(model)
        if n <= 0:
            return []
        where = None
        if file_ids is not None:
            if not file_ids:
                return []
            where = {"file_id": {"$in": file_ids}} if len(file_ids) > 1 else {"file_id": file_ids[0]}
        res = col.query(
            query_embeddings=[vector], n_results=n, where=where, include=["distances"]
        )
        ids, dists = res["ids"][0], res["distances"][0]
        return [DenseHit(int(i), 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def best_similarity(self, model: str, vectors: np.ndarray) -> list[float]:
        """The similarity of each vector's nearest chunk, in one query (empty when the model has none)."""
        col = self._collection(model)
        if not len(vectors) or not col.count():
            return []
        res = col.query(query_embeddings=list(vectors), n_results=1, include=["distances"])
        return [1.0 - float(d[0]) for d in res["distances"] if d]

    def ids(self, model: str) -> set[int]:
        col = self._collection(model)
        out: set[int] = set()
        offset, page = 0, 5000
        while True:
            got = col.get(include=[], limit=page, offset=offset)["ids"]
            out.update(int(i) for i in got)
            if len(got) < page:
                return out
            offset += page

    def count(self, model: str) -> int:
        return self._collection(model).count()

    def drop(self, model: str) -> None:
        name = collection_name(self.library_id, model)
        self._collections.pop(model, None)
        try:
            self.client.delete_collection(name)
        except Exception:  # already gone is fine
            pass
