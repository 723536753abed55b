"""A synthetic but realistic folder of mixed files for the indexing benchmark.

Mostly .txt and .md notes, plus .html pages, .docx documents, .csv tables and .py modules, 0.5-8 KB of
text each (log-uniform), about a fifth of them Korean. English prose is SciFact abstract sentences and
Korean prose KorQuAD paragraph sentences, taken in corpus order without reuse until the pool runs out,
so files rarely share a chunk (the embedding cache would otherwise make repeats free).
"""

from __future__ import annotations

import math
import os
import random
import time
from collections import Counter
from pathlib import Path

from _common import Texts

# extension -> share of the files
MIX = {".txt": 0.38, ".md": 0.25, ".html": 0.10, ".docx": 0.08, ".csv": 0.07, ".py": 0.12}
KOREAN_SHARE = 0.20  # of .txt, .md, .html and .docx files
MIN_BYTES, MAX_BYTES = 500, 8000


class SentencePool:
    """Hands out sentences in order; when the pool is used up it starts again in a new order."""

    def __init__(self, sentences: list[str], rng: random.Random) -> None:
        self.sentences = list(sentences)
        self.rng = rng
        self.pos = 0

    def take(self) -> str:
        if self.pos >= len(self.sentences):
            self.rng.shuffle(self.sentences)
            self.pos = 0
        s = self.sentences[self.pos]
        self.pos += 1
        return s

    def paragraphs(self, target_bytes: int) -> list[str]:
        out, size = [], 0
        while size < target_bytes:
            para = " ".join(self.take() for _ in range(self.rng.randint(2, 5)))
            out.append(para)
            size += len(para.encode("utf-8")) + 2
        return out


class CorpusWriter:
    def __init__(self, texts: Texts, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.english = SentencePool(texts.english, self.rng)
        self.korean = SentencePool(texts.korean, self.rng)
        self.words = texts.words

    def _size(self) -> int:
        return int(math.exp(self.rng.uniform(math.log(MIN_BYTES), math.log(MAX_BYTES))))

    def _title(self) -> str:
        return " ".join(self.rng.choice(self.words) for _ in range(self.rng.randint(2, 5))).capitalize()

    def _prose(self, korean: bool, size: int) -> list[str]:
        paras = (self.korean if korean else self.english).paragraphs(size)
        if not korean and self.rng.random() < 0.05:  # a few English notes quote some Korean
            paras.insert(self.rng.randrange(len(paras) + 1), self.korean.take())
        return paras

    # --- one writer per format ------------------------------------------------------------------
    def txt(self, path: Path, korean: bool, n: int) -> None:
        paras = self._prose(korean, self._size())
        path.write_text(f"{self._title()} ({n})\n\n" + "\n\n".join(paras) + "\n", "utf-8")

    def md(self, path: Path, korean: bool, n: int) -> None:
        paras = self._prose(korean, self._size())
        lines = [f"# {self._title()} {n}", ""]
        for i, p in enumerate(paras):
            if i and i % 3 == 0:
                lines += [f"## {self._title()}", ""]
            if self.rng.random() < 0.15:
                lines += [f"- {self.rng.choice(self.words)} {self.rng.choice(self.words)}" for _ in range(3)] + [""]
            lines += [p, ""]
        path.write_text("\n".join(lines), "utf-8")

    def html(self, path: Path, korean: bool, n: int) -> None:
        title = self._title()
        body = "\n".join(f"<p>{p}</p>" for p in self._prose(korean, self._size()))
        lang = "ko" if korean else "en"
        path.write_text(
            f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8"><title>{title} {n}</title></head>\n'
            f'<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>\n'
            f"<article><h1>{title}</h1>\n{body}\n</article>\n"
            f"<footer>Copyright {2015 + n % 10}. All rights reserved.</footer></body></html>\n",
            "utf-8",
        )

    def docx(self, path: Path, korean: bool, n: int) -> None:
        import docx

        d = docx.Document()
        d.add_heading(f"{self._title()} {n}", level=1)
        for i, p in enumerate(self._prose(korean, self._size())):
            if i and i % 4 == 0:
                d.add_heading(self._title(), level=2)
            d.add_paragraph(p)
        d.save(str(path))

    def csv(self, path: Path, korean: bool, n: int) -> None:
        size = self._size()
        rows = ["id,date,category,amount,description"]
        total = 0
        i = 0
        while total < size:
            desc = self.english.take()[:120].replace('"', "'")
            row = (
                f"{n}-{i},{2020 + i % 5}-{1 + i % 12:02d}-{1 + i % 28:02d},{self.rng.choice(self.words)},"
                f'{self.rng.randint(1, 99999) / 100:.2f},"{desc}"'
            )
            rows.append(row)
            total += len(row) + 1
            i += 1
        path.write_text("\n".join(rows) + "\n", "utf-8")

    def py(self, path: Path, korean: bool, n: int) -> None:
        size = self._size()
        parts = [f'"""{self.english.take()}"""\n\nimport os\nimport sys\n']
        total = len(parts[0])
        while total < size:
            name = "_".join(self.rng.choice(self.words) for _ in range(2))
            arg = self.rng.choice(self.words)
            fn = (
                f"\n\ndef {name}_{n}({arg}, limit=10):\n"
                f'    """{self.english.take()}"""\n'
                f"    result = []\n"
                f"    for item in {arg}[:limit]:\n"
                f"        if item is not None and str(item).startswith({self.rng.choice(self.words)!r}):\n"
                f"            result.append(item)\n"
                f"    return result\n"
            )
            parts.append(fn)
            total += len(fn)
        path.write_text("".join(parts), "utf-8")

    # --- the folder -----------------------------------------------------------------------------
    def write(self, root: Path, n_files: int) -> dict[str, object]:
        started = time.perf_counter()
        exts = list(MIX)
        weights = [MIX[e] for e in exts]
        kinds: Counter[str] = Counter()
        korean_files = 0
        total_bytes = 0
        now = time.time()
        for n in range(n_files):
            ext = self.rng.choices(exts, weights)[0]
            korean = ext in (".txt", ".md", ".html", ".docx") and self.rng.random() < KOREAN_SHARE
            folder = root / f"folder{n // 100:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"file{n:05d}{ext}"
            getattr(self, ext[1:])(path, korean, n)
            mtime = now - self.rng.uniform(0, 3 * 365 * 86400)  # modified some time in the last three years
            os.utime(path, (mtime, mtime))
            kinds[ext] += 1
            korean_files += korean
            total_bytes += path.stat().st_size
        return {
            "files": n_files,
            "by_extension": dict(sorted(kinds.items())),
            "korean_files": korean_files,
            "bytes_on_disk": total_bytes,
            "seconds_to_generate": round(time.perf_counter() - started, 2),
        }
