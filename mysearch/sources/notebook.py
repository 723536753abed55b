"""Jupyter notebooks (.ipynb): the markdown and code cells as text, and the text outputs of code.

A notebook is JSON; reading it as JSON text would index keys, metadata and base64 images. Each cell
becomes a paragraph, code keeps its lines, outputs of type ``text/plain`` (and stream output) follow
their cell; images and HTML outputs are left out.
"""

from __future__ import annotations

import json
from pathlib import Path

from mysearch.sources.base import Document, ExtractionError, Section
from mysearch.sources.registry import register

MAX_OUTPUT_CHARS = 2000  # a cell that printed a whole data frame keeps only its start


def _lines(value: object) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


class NotebookExtractor:
    kind = "ipynb"
    extensions = (".ipynb",)

    def extract(self, path: Path) -> Document:
        try:
            data = json.loads(Path(path).read_bytes())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ExtractionError(f"damaged notebook: not JSON ({exc})") from exc
        cells = data.get("cells") if isinstance(data, dict) else None
        if cells is None and isinstance(data, dict):  # nbformat 3 kept cells in worksheets
            cells = [c for ws in data.get("worksheets", []) for c in ws.get("cells", [])]
        if not isinstance(cells, list):
            raise ExtractionError("damaged notebook: no cells")
        parts = []
        for cell in cells:
            if not isinstance(cell, dict):
                continue
            parts.append(_lines(cell.get("source", cell.get("input"))))
            for out in cell.get("outputs", []) or []:
                text = out.get("text") or (out.get("data") or {}).get("text/plain")
                if text:
                    parts.append(_lines(text)[:MAX_OUTPUT_CHARS])
        title = next((p.lstrip("# ").splitlines()[0] for p in parts if p.startswith("# ")), None)
        return Document(sections=[Section("\n\n".join(p.strip() for p in parts if p.strip()))], title=title,
                        kind="ipynb")


register(NotebookExtractor())
