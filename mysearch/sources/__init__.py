"""Text extraction: one small module per format family, chosen by file extension.

Importing this package registers every built-in extractor. Heavy parsing libraries (pdfium, lxml,
trafilatura, python-docx, ...) are imported inside each ``extract`` so that importing the package, and
scanning a folder, stays fast.
"""

# markup after text: it takes .xml, .json
from mysearch.sources import (
    epub,
    html_page,
    hwp,
    image,
    legacy_office,
    mail,
    markup,
    notebook,
    office,
    opendocument,
    pdf,
    rtf,
    text,
)
from mysearch.sources.base import SECTION_JOIN, Document, ExtractionError, Extractor, Section, SkipFile
from mysearch.sources.html_page import is_saved_page_asset
from mysearch.sources.registry import extract, extractor_for, register, supported_extensions, unregister
from mysearch.sources.text import decode_text

__all__ = [
    "SECTION_JOIN",
    "Document",
    "ExtractionError",
    "Extractor",
    "Section",
    "SkipFile",
    "decode_text",
    "epub",
    "extract",
    "extractor_for",
    "html_page",
    "hwp",
    "image",
    "legacy_office",
    "mail",
    "is_saved_page_asset",
    "markup",
    "notebook",
    "office",
    "opendocument",
    "pdf",
    "rtf",
    "register",
    "supported_extensions",
    "text",
    "unregister",
]
