"""Text extraction: golden files per format, bad inputs, encodings, and the registry's contract.

Golden files live in ``tests/fixtures/formats``: each ``X`` with an ``X.expected.txt`` holds lines that
must appear in the extracted text (whitespace-normalised). ``tests/fixtures/make_fixtures.py``
regenerates the inputs.
"""

from __future__ import annotations

import importlib.util
import io
import os
import random
import re
import subprocess
import sys
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

import pytest

import mysearch.sources as sources
from mysearch.sources import Document, ExtractionError, Section, SkipFile, decode_text, is_saved_page_asset

FIXTURES = Path(__file__).resolve().parent / "fixtures"
FORMATS = FIXTURES / "formats"
EXPECTED_SUFFIX = ".expected.txt"
WEBPAGES = Path(__file__).resolve().parents[2] / "shared" / "eval" / "webpages" / "test-pages"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")


def _load_fixture_maker():
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_fixtures = _load_fixture_maker()


def golden_files() -> list[Path]:
    return sorted(
        p for p in FORMATS.iterdir() if p.is_file() and (p.parent / (p.name + EXPECTED_SUFFIX)).exists()
    )


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def fixture(name: str) -> Document:
    return sources.extract(FORMATS / name)


# --- golden files -------------------------------------------------------------------------------


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.name)
def test_golden_file(path: Path) -> None:
    document = sources.extract(path)
    text = normalise(document.text)
    if document.ocr_pages:  # a picture of text: its text is what OCR reads (the indexer's later pass)
        from mysearch import ocr

        if (reason := ocr.unavailable_reason(("ko", "en"))) and os.environ.get("MYSEARCH_REQUIRE_OCR") != "1":
            pytest.skip(f"OCR cannot run here: {reason}")
        text = normalise("\n".join(ocr.read_page(path, p, ("ko", "en")).text for p in document.ocr_pages))
    expected = (path.parent / (path.name + EXPECTED_SUFFIX)).read_text(encoding="utf-8")
    missing = [line for line in expected.splitlines() if line.strip() and normalise(line) not in text]
    assert not missing, f"{path.name}: not found in extracted text: {missing}\n--- text:\n{document.text}"
    assert document.text == unicodedata.normalize("NFC", document.text)


def test_every_extension_has_a_golden_fixture_for_its_extractor() -> None:
    covered = {sources.extractor_for(p).kind for p in golden_files()}
    uncovered = {
        ext: sources.extractor_for(Path("x" + ext)).kind
        for ext in sources.supported_extensions()
        if sources.extractor_for(Path("x" + ext)).kind not in covered
    }
    assert not uncovered, f"extractors without a golden fixture in {FORMATS}: {uncovered}"


def test_every_golden_file_has_an_extractor() -> None:
    for path in golden_files():
        assert sources.extractor_for(path) is not None, path.name


# --- per-format structure and metadata ----------------------------------------------------------


def test_pdf_sections_are_numbered_pages() -> None:
    document = fixture("report.pdf")
    assert [s.page for s in document.sections] == [1, 2, 3]
    assert "page one" in document.sections[0].text
    assert "appendix" in document.sections[1].text
    assert "서울특별시" in document.sections[2].text
    assert document.title == "Quarterly Report"
    assert document.date == "2024-03-15"
    assert document.kind == "pdf"


def test_pptx_sections_are_numbered_slides_with_notes() -> None:
    document = fixture("slides.pptx")
    assert [s.page for s in document.sections] == [1, 2]
    assert "발표자 노트" in document.sections[0].text
    assert "부산\t42" in document.sections[1].text
    assert document.title == "발표 자료"
    assert document.date == "2024-03-15"


def test_xlsx_sections_are_labelled_sheets() -> None:
    document = fixture("scores.xlsx")
    assert [s.label for s in document.sections] == ["요약", "Data"]
    assert "김철수\t95\t2024-03-01" in document.sections[0].text
    assert document.title == "성적표"
    assert document.metadata["author"] == "검색팀"


def test_xlsx_cell_cap_drops_the_rest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    from mysearch.sources import office

    workbook = openpyxl.Workbook()
    for row in range(50):
        workbook.active.append([f"r{row}c{col}" for col in range(4)])
    workbook.create_sheet("Later").append(["never read"])
    workbook.save(tmp_path / "big.xlsx")
    monkeypatch.setattr(office, "MAX_CELLS", 40)
    document = sources.extract(tmp_path / "big.xlsx")
    assert "r9c3" in document.text
    assert "r10c0" not in document.text and "never read" not in document.text
    assert "truncated" in document.metadata


def test_docx_reads_tables_in_document_order_and_core_properties() -> None:
    document = fixture("report.docx")
    text = document.text
    assert (
        text.index("First paragraph") < text.index("항목\t값\t비고") < text.index("Paragraph after the table")
    )
    assert "비용\t병합된 셀" in text  # the merged cell once, not once per grid column
    assert document.title == "연간 보고서 2024"
    assert document.date == "2024-03-15"
    assert document.metadata == {"author": "검색팀"}


def test_markdown_title_is_the_first_heading_outside_code() -> None:
    assert fixture("notes.md").title == "회의록: 검색 품질"
    assert fixture("hello.txt").title is None


def test_epub_follows_the_spine_and_labels_chapters() -> None:
    document = fixture("book.epub")
    assert [s.label for s in document.sections] == ["제1장 시작", "제2장 끝"]
    assert document.title == "작은 전자책"
    assert document.metadata == {"author": "홍길동"}
    assert "차례" not in document.text  # the navigation document is not in the spine


def test_hwpx_title_and_text_after_inline_tab() -> None:
    document = fixture("document.hwpx")
    assert document.title == "한글 문서 예제"
    assert "탭 앞\t탭 뒤 글자" in document.text
    assert document.kind == "hwpx"


@pytest.mark.parametrize(
    ("flags", "words"),
    [(0b10, "password"), (0b100, "distribution"), (0b10000, "drm"), (1 << 8, "certificate")],
)
def test_protected_hwp5_header_flags_are_skipped(flags: int, words: str) -> None:
    """No HWP 5 fixture can be written here, so the header check is tested on its own."""
    from mysearch.sources.hwp import _check_hwp5_protection

    with pytest.raises(SkipFile) as caught:
        _check_hwp5_protection(flags | 1)  # bit 0 (compressed) is ordinary
    assert words in str(caught.value).lower()
    _check_hwp5_protection(1)


def test_pdf_dates() -> None:
    from mysearch.sources.pdf import pdf_date

    assert pdf_date("D:20240131093000+09'00'") == "2024-01-31"
    assert pdf_date("D:2023") == "2023"
    assert pdf_date("garbage") is None
    assert pdf_date(None) is None


# --- web pages ----------------------------------------------------------------------------------


def test_saved_web_page_title_url_date_and_no_boilerplate() -> None:
    document = fixture("page.html")
    assert document.title == "로컬 검색 이야기"
    assert document.url == "https://news.example.com/2024/03/local-search.html"
    assert document.date == "2024-03-15"
    assert "All rights reserved" not in document.text
    assert document.kind == "html"


def test_web_page_url_from_canonical_link() -> None:
    document = fixture("canonical.htm")
    assert document.url == "https://blog.example.org/posts/canonical-article"
    assert document.date == "2023-11-02"


def test_mhtml_url_from_snapshot_header() -> None:
    document = fixture("archive.mhtml")
    assert document.url == "https://wiki.example.com/wiki/%EA%B2%80%EC%83%89"
    assert document.kind == "mhtml"
    assert "웹 보관 파일" in document.text


def test_web_page_without_an_article_falls_back_to_body_text(tmp_path: Path) -> None:
    page = tmp_path / "short.html"
    page.write_text("<html><head><title>짧은 쪽</title></head><body><p>딱 한 줄</p></body></html>", "utf-8")
    document = sources.extract(page)
    assert "딱 한 줄" in document.text


def test_saved_page_assets_are_recognised(tmp_path: Path) -> None:
    assert is_saved_page_asset(FORMATS / "page_files" / "style.css")
    assert is_saved_page_asset(FORMATS / "page_files" / "x.js")
    assert not is_saved_page_asset(FORMATS / "page.html")
    assert not is_saved_page_asset(FORMATS / "hello.txt")
    nested = tmp_path / "Article_files" / "images" / "note.txt"
    nested.parent.mkdir(parents=True)
    nested.write_text("x")
    assert not is_saved_page_asset(nested)  # no Article.html next to the folder
    (tmp_path / "Article.htm").write_text("<html></html>")
    assert is_saved_page_asset(nested)


# --- text decoding ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param("똠방각하 대한민국".encode("cp949"), "똠방각하 대한민국", id="cp949"),
        pytest.param("한글 문서 검색".encode("euc-kr"), "한글 문서 검색", id="euc-kr"),
        # short CP949 text, which charset-normalizer alone reads as Big5
        pytest.param("안녕".encode("cp949"), "안녕", id="short-cp949"),
        pytest.param("\ufeff유니코드 LE".encode("utf-16-le"), "유니코드 LE", id="utf16le"),
        pytest.param("\ufeff유니코드 BE".encode("utf-16-be"), "유니코드 BE", id="utf16be"),
        pytest.param("\ufeff서른둘".encode("utf-32-le"), "서른둘", id="utf32le"),
        pytest.param("\ufeff서른둘".encode("utf-32-be"), "서른둘", id="utf32be"),
        pytest.param("\ufeffBOM 붙은 UTF-8".encode(), "BOM 붙은 UTF-8", id="utf8sig"),
        pytest.param(
            "Le café est très bon à Paris. Déjà vu.".encode("cp1252"), "très bon à Paris", id="cp1252"
        ),
        pytest.param("Привет, как дела? Это тестовый текст.".encode("cp1251"), "Привет", id="cp1251"),
    ],
)
def test_decode_text(data: bytes, expected: str) -> None:
    assert expected in decode_text(data)


def test_decode_rejects_binary_and_empty() -> None:
    with pytest.raises(SkipFile, match="binary"):
        decode_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SkipFile, match="empty"):
        decode_text(b" \n\t")
    assert "\x1b[32mOK" in decode_text(b"\x1b[32mOK\x1b[0m coloured log line\n" * 20)


# --- bad inputs ---------------------------------------------------------------------------------


def _random_bytes(n: int, seed: int, no_nul: bool = False) -> bytes:
    data = random.Random(seed).randbytes(n)
    return data.replace(b"\x00", b"\x01") if no_nul else data


def _hwpx_with_encrypted_manifest() -> bytes:
    """The HWPX fixture with a manifest that marks a section as encrypted, as a password sets it."""
    source = (FORMATS / "document.hwpx").read_bytes()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as original, zipfile.ZipFile(buffer, "w") as copy:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "META-INF/manifest.xml":
                data = (
                    b'<odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                    b'<odf:file-entry odf:full-path="Contents/section0.xml"><odf:encryption-data/>'
                    b"</odf:file-entry></odf:manifest>"
                )
            copy.writestr(info, data)
    return buffer.getvalue()


def _tiny_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (255, 0, 0)).save(buf, "PNG")
    return buf.getvalue()


def _half(name: str) -> bytes:
    data = (FORMATS / name).read_bytes()
    return data[: len(data) // 2]


BAD_INPUTS = {
    # name: (bytes, expected class, words the reason must contain)
    "truncated.pdf": (lambda: _half("report.pdf"), ExtractionError, ["damaged", "pdf"]),
    "encrypted.pdf": (
        lambda: make_fixtures.build_pdf([["secret"]], encrypt=True),
        SkipFile,
        ["encrypted", "password"],
    ),
    "scanned.pdf": (lambda: make_fixtures.build_pdf([[]]), SkipFile, ["no text layer"]),
    "not-a-pdf.pdf": (lambda: b"just some words, no PDF header at all", ExtractionError, ["damaged", "pdf"]),
    "corrupt.docx": (lambda: _half("report.docx"), ExtractionError, ["damaged", "zip"]),
    "ole.docx": (lambda: OLE_MAGIC + _random_bytes(1500, 1), SkipFile, ["encrypted", "password"]),
    "ole.xlsx": (lambda: OLE_MAGIC + b"\x00" * 504, SkipFile, ["encrypted"]),
    "docx-named.xlsx": (lambda: (FORMATS / "report.docx").read_bytes(), ExtractionError, ["damaged"]),
    "corrupt.pptx": (lambda: _half("slides.pptx"), ExtractionError, ["damaged"]),
    "random.txt": (lambda: _random_bytes(4096, 2), SkipFile, ["binary"]),
    "random-no-nul.log": (lambda: _random_bytes(4096, 3, no_nul=True), SkipFile, ["binary"]),
    "empty.txt": (lambda: b"", SkipFile, ["empty"]),
    "whitespace.md": (lambda: b" \r\n\t\n", SkipFile, ["empty"]),
    "bom-only.txt": (lambda: b"\xef\xbb\xbf", SkipFile, ["empty"]),
    "corrupt.epub": (lambda: _half("book.epub"), ExtractionError, ["damaged", "e-book"]),
    "corrupt.hwpx": (lambda: _half("document.hwpx"), ExtractionError, ["damaged", "hwp"]),
    "encrypted.hwpx": (_hwpx_with_encrypted_manifest, SkipFile, ["encrypted"]),
    "text-named.hwp": (lambda: b"plain words in a file named .hwp", ExtractionError, ["damaged", "hwp"]),
    "ole-junk.hwp": (lambda: OLE_MAGIC + b"junk", ExtractionError, ["damaged", "hwp"]),
    "empty-body.html": (
        lambda: b"<html><body><script>var x = 1;</script></body></html>",
        SkipFile,
        ["no text"],
    ),
    "no-html-part.mhtml": (
        lambda: b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nhello",
        ExtractionError,
        ["damaged", "archive"],
    ),
    "unknown.xyz": (lambda: b"abc", SkipFile, ["unsupported"]),
    "corrupt.doc": (lambda: (FORMATS / "report.doc").read_bytes()[:6000], ExtractionError, ["damaged", "document"]),
    "corrupt.xls": (lambda: (FORMATS / "scores.xls").read_bytes()[:3000], ExtractionError, ["damaged", "document"]),
    "corrupt.ppt": (lambda: (FORMATS / "slides.ppt").read_bytes()[:9000], ExtractionError, ["damaged", "document"]),
    "text-named.doc": (lambda: b"plain words", ExtractionError, ["damaged", "97-2003"]),
    "corrupt.odt": (lambda: _half("report.odt"), ExtractionError, ["damaged", "zip"]),
    "not-rtf.rtf": (lambda: b"hello there", ExtractionError, ["damaged", "rtf"]),
    "junk.ipynb": (lambda: b"{not json", ExtractionError, ["damaged", "notebook"]),
    "text-named.msg": (lambda: b"hello words", ExtractionError, ["damaged"]),
    "truncated.jpg": (lambda: (FORMATS / "notice.jpg").read_bytes()[:5000], ExtractionError, ["damaged", "image"]),
    "icon.png": (_tiny_png, SkipFile, ["too small"]),
    "no-headers.eml": (lambda: b"\n\nno headers here", ExtractionError, ["damaged", "e-mail"]),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_a_readable_reason(name: str, tmp_path: Path) -> None:
    make, expected_class, words = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(ExtractionError) as caught:
        sources.extract(path)
    assert type(caught.value) is expected_class, f"{name}: {type(caught.value).__name__}: {caught.value}"
    message = str(caught.value).lower()
    assert all(word in message for word in words), f"{name}: {caught.value}"


@pytest.mark.parametrize("path", [p for p in golden_files() if p.suffix != ".txt"], ids=lambda p: p.name)
def test_truncated_fixture_never_raises_anything_else(path: Path, tmp_path: Path) -> None:
    """Cut at a third: a reader may still recover text, but may only fail with ExtractionError."""
    data = path.read_bytes()
    broken = tmp_path / path.name
    broken.write_bytes(data[: len(data) // 3])
    try:
        sources.extract(broken)
    except ExtractionError:
        pass


def test_missing_file_is_an_extraction_error(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="vanished"):
        sources.extract(tmp_path / "gone.pdf")


# --- registry -----------------------------------------------------------------------------------


def test_registry_lookup_is_case_insensitive_and_pluggable(tmp_path: Path) -> None:
    assert sources.extractor_for(Path("REPORT.PDF")).kind == "pdf"
    assert sources.extractor_for(Path("archive.tar.gz")) is None
    assert sources.extractor_for(Path("README")) is None

    class FakeExtractor:
        kind = "fake"
        extensions = (".fake",)

        def extract(self, path: Path) -> Document:
            return Document(sections=[Section(path.read_text())], kind="fake")

    fake = sources.register(FakeExtractor())
    try:
        (tmp_path / "a.fake").write_text("made up")
        assert ".fake" in sources.supported_extensions()
        assert sources.extract(tmp_path / "a.fake").text == "made up"
    finally:
        sources.unregister(fake)
    assert ".fake" not in sources.supported_extensions()


def test_importing_sources_loads_no_parsing_library() -> None:
    heavy = ["pypdfium2", "docx", "pptx", "openpyxl", "trafilatura", "lxml", "hwp_hwpx_parser", "extract_hwp"]
    code = f"import sys, mysearch.sources; print([m for m in {heavy!r} if m in sys.modules])"
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


# --- web extraction quality on the Readability test pages ---------------------------------------

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(f"[{_CJK}]|[^\\W{_CJK}]+")  # CJK has no spaces: one character is one token


def bag_of_words_f1(found: str, expected: str) -> float:
    a, b = Counter(_TOKEN.findall(found.lower())), Counter(_TOKEN.findall(expected.lower()))
    overlap = sum((a & b).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(a.values()), overlap / sum(b.values())
    return 2 * precision * recall / (precision + recall)


@pytest.mark.skipif(not WEBPAGES.is_dir(), reason="shared/eval/webpages not present")
def test_web_extraction_quality_on_readability_pages() -> None:
    import lxml.html

    from mysearch.sources.html_page import html_document

    scores = {}
    for page in sorted(WEBPAGES.iterdir()):
        if not (page / "source.html").is_file() or not (page / "expected.html").is_file():
            continue
        expected = lxml.html.fromstring((page / "expected.html").read_bytes().decode("utf-8")).text_content()
        try:
            found = html_document((page / "source.html").read_bytes()).text
        except SkipFile:
            found = ""
        scores[page.name] = bag_of_words_f1(found, expected)
    assert len(scores) >= 100
    mean = sum(scores.values()) / len(scores)
    worst = sorted(scores.items(), key=lambda kv: kv[1])[:5]
    print(f"web extraction: mean bag-of-words F1 {mean:.3f} over {len(scores)} pages; worst {worst}")
    assert mean >= 0.80, f"mean F1 {mean:.3f}; worst pages {worst}"


def test_rtf_in_the_korean_code_page(tmp_path: Path) -> None:
    """Old Korean word processors write Hangul as cp949 bytes (``\\'hh``) under ``\\ansicpg949``."""
    hangul = "가나다 회의록".encode("cp949")
    escaped = "".join(f"\\'{b:02x}" if b > 127 else chr(b) for b in hangul)
    path = tmp_path / "old.rtf"
    path.write_bytes(("{\\rtf1\\ansi\\ansicpg949\\deff0 {\\fonttbl{\\f0 Gulim;}}\\f0 " + escaped + "\\par}").encode())
    assert "가나다 회의록" in sources.extract(path).text
