"""Image files (scans, photos of notices, screenshots): text only through OCR.

Reading an image here only checks that it opens and counts its pages (a multi-page TIFF); the text comes
later, from the indexer's OCR pass, after the ordinary text of every file. Pictures too small to hold a
line of text (icons, thumbnails) are skipped at once rather than queued for OCR.
"""

from __future__ import annotations

from pathlib import Path

from mysearch.ocr import IMAGE_EXTENSIONS, image_frames
from mysearch.sources.base import Document, ExtractionError, SkipFile
from mysearch.sources.registry import register

SMALLEST_SIDE = 200  # pixels: below this an image is an icon or a thumbnail


class ImageExtractor:
    kind = "image"
    extensions = IMAGE_EXTENSIONS

    def extract(self, path: Path) -> Document:
        from PIL import Image, UnidentifiedImageError

        try:
            frames, (w, h) = image_frames(Path(path))
        except UnidentifiedImageError as exc:
            raise ExtractionError("damaged or unknown image") from exc
        except Image.DecompressionBombError as exc:
            raise SkipFile("image too large to read (over 180 megapixels)") from exc
        except (SyntaxError, ValueError, EOFError, OSError) as exc:  # what Pillow raises on truncated data
            if isinstance(exc, FileNotFoundError | PermissionError):
                raise
            raise ExtractionError(f"damaged image: {exc}") from exc
        if min(w, h) < SMALLEST_SIDE:
            raise SkipFile(f"image too small to hold text ({w}x{h} pixels)")
        return Document(sections=[], title=None, kind="image", ocr_pages=list(range(1, frames + 1)))


register(ImageExtractor())
