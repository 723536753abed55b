"""Page images for OCR: a PDF page rendered by pdfium, or one frame of an image file, in grey.

Pages are prepared at about 200 dpi (an A4 page is 1654 x 2339 pixels): Tesseract read the degraded
Korean test pages as well as at 300 dpi (3.1% against 3.0% character errors) in a fifth less time, and
phone photos of 12 megapixels shrink to the same size instead of taking many seconds each.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PIL import Image, ImageOps

PDF_DPI = 200
LONGEST_SIDE = 2400  # pixels: an A4 page at 200 dpi, or a photo of one

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".bmp", ".gif")
if importlib.util.find_spec("pillow_heif") is not None:  # iPhone photos, where the plugin is installed
    IMAGE_EXTENSIONS = (*IMAGE_EXTENSIONS, ".heic", ".heif")


def _open_image(path: Path) -> Image.Image:
    if path.suffix.lower() in (".heic", ".heif"):
        import pillow_heif

        pillow_heif.register_heif_opener()
    return Image.open(path)


def image_frames(path: Path) -> tuple[int, tuple[int, int]]:
    """How many pages a picture has (a multi-page TIFF has several) and its size; raises on a damaged file."""
    with _open_image(path) as im:
        size = im.size
        frames = getattr(im, "n_frames", 1) if path.suffix.lower() in (".tif", ".tiff") else 1
        if im.format == "JPEG":
            im.draft("L", (max(size[0] // 8, 1), max(size[1] // 8, 1)))  # decode at 1/8 scale: fast
        im.load()  # decodes the whole file: a truncated one fails here, in the read phase, not during OCR
    return frames, size


def page_image(path: Path, page: int) -> tuple[Image.Image, int | None]:
    """Page ``page`` (1-based) as a greyscale image, and its resolution in dpi when known."""
    if path.suffix.lower() == ".pdf":
        return _pdf_page(path, page), PDF_DPI
    with _open_image(path) as im:
        if page > 1:
            im.seek(page - 1)
        im = ImageOps.exif_transpose(im)  # a phone photo taken sideways is stored sideways
        grey = im.convert("L")
        dpi = im.info.get("dpi", (None,))[0]
    scale = min(1.0, LONGEST_SIDE / max(grey.size))
    if scale < 1.0:
        grey = grey.resize((round(grey.width * scale), round(grey.height * scale)), Image.Resampling.LANCZOS)
    return grey, round(dpi * scale) if dpi else None


def _pdf_page(path: Path, page: int) -> Image.Image:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        p = pdf[page - 1]
        try:
            w, h = p.get_size()  # points
            scale = min(PDF_DPI / 72, LONGEST_SIDE * 1.5 / max(w, h, 1))  # a poster-sized page is capped
            return p.render(scale=scale, grayscale=True).to_pil().convert("L")
        finally:
            p.close()
    finally:
        pdf.close()


def pdf_page_has_image(pdf, index: int) -> bool:
    """Whether a page of an open pdfium document draws a picture: only such a page can be a scan."""
    import pypdfium2.raw as raw

    page = pdf[index]
    try:
        return any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=3))
    finally:
        page.close()
