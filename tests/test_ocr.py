"""OCR of scans and pictures, with the real Tesseract on pages made from known text (tests/ocr_samples.py).

The pages are degraded the way scans are (a turn of a few degrees, blur, noise, JPEG), so the character
error rate is measured, not assumed; the end-to-end tests index a real library and search it.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from mysearch import ocr
from tests import ocr_samples as samples

REQUIRED = os.environ.get("MYSEARCH_REQUIRE_OCR") == "1"  # CI installs Tesseract's models: never skip there
_reason = ocr.unavailable_reason(("ko", "en"))
if _reason and not REQUIRED:
    pytest.skip(f"OCR cannot run here: {_reason}", allow_module_level=True)


def test_ocr_is_available_where_required() -> None:
    assert _reason is None, _reason


@pytest.mark.parametrize(("lang", "pages", "target"), [("ko", 4, 0.05), ("en", 3, 0.03)])
def test_character_error_rate_on_degraded_300_dpi_pages(tmp_path: Path, lang: str, pages: int, target: float) -> None:
    """Each page is saved as a file and read the way the indexer reads it (``ocr.read_page``)."""
    errors, chars = 0.0, 0
    for i, spec in enumerate(samples.degraded_pages(lang, pages, dpi=300)):
        path = tmp_path / f"{lang}{i}.png"
        samples.render(spec).save(path, dpi=(300, 300))
        truth = samples.drawn_text(spec)
        found = ocr.read_page(path, 1, ("ko", "en"))
        n = len(samples.normalise(truth))
        errors += samples.cer(truth, found.text) * n
        chars += n
    assert errors / chars <= target, f"{lang} character error rate {errors / chars:.3f} over {target}"


def test_usable_text_layer_tells_a_scanner_layer_from_text() -> None:
    assert ocr.usable_text("The lease ends on the first of May and may be renewed.")
    assert ocr.usable_text("계약 기간은 서명한 날부터 이 년입니다.")
    assert not ocr.usable_text("  \n ")
    assert not ocr.usable_text("~ | ; . ")
    assert not ocr.usable_text("\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd\ufffd")
    assert not ocr.usable_text("%%&&**##@@!!^^((")


def _mixed_pdf(path: Path, scan: Path) -> None:
    """Page 1: a text layer over a picture (a searchable scan, as office scanners make them); page 2: an
    image-only page (the first of ``scan``). Only page 2 may be OCR'd."""
    import pypdfium2 as pdfium

    from tests.fixtures.make_fixtures import build_pdf

    text = pdfium.PdfDocument(build_pdf([["Tenancy renewal notice for flat 12", "Rent due on the fifth"]]))
    pages = pdfium.PdfDocument(scan)
    out = pdfium.PdfDocument.new()
    out.import_pages(text)
    out.import_pages(pages, [0])
    page = out[0]
    image = pdfium.PdfImage.new(out)
    image.set_bitmap(pdfium.PdfBitmap.from_pil(samples.notice_photo()[0].convert("RGB").resize((300, 420))))
    image.set_matrix(pdfium.PdfMatrix().scale(150, 210).translate(300, 400))
    page.insert_obj(image)
    page.gen_content()
    out.save(path)


@pytest.fixture(scope="module")
def scans(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder a person might have: an image-only PDF of two English pages, a phone photo of a Korean
    notice, a PDF whose first page has a text layer (over a picture) and whose second is a scan, a photo
    with no writing, an icon and an ordinary text file."""
    d = tmp_path_factory.mktemp("scans") / "docs"
    d.mkdir()
    specs = samples.degraded_pages("en", 2, dpi=300)
    samples.save_pdf([samples.render(s) for s in specs], d / "boiler-scan.pdf")
    photo, _ = samples.notice_photo()
    photo.save(d / "notice.jpg", quality=80)
    korean = samples.degraded_pages("ko", 1, dpi=300)[0]
    samples.save_pdf([samples.render(korean)], d.parent / "korean-page.pdf")
    _mixed_pdf(d / "lease.pdf", d.parent / "korean-page.pdf")
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(3)
    sky = np.clip(np.linspace(90, 200, 600)[:, None, None] + rng.normal(0, 4, (600, 800, 3)), 0, 255)
    Image.fromarray(sky.astype(np.uint8), "RGB").save(d / "holiday.jpg", quality=85)
    Image.new("RGB", (64, 64), (200, 30, 30)).save(d / "icon.png")
    (d / "soup.txt").write_text("Tomato soup: simmer the tomatoes with onion for twenty minutes.", encoding="utf-8")
    return d


@pytest.fixture(scope="module")
def indexed(scans: Path, tmp_path_factory: pytest.TempPathFactory):
    from mysearch.library import Library

    home = tmp_path_factory.mktemp("ocr-home")
    lib = Library.open(home)
    lib.add([str(scans)])
    report = lib.index()
    yield lib, report
    lib.close()


def _state(lib, name: str) -> tuple[str, str | None]:
    row = next(r for p, r in lib.catalog.files().items() if p.endswith(os.sep + name))
    return row.state, row.reason


def test_scans_are_read_and_found_by_keyword_and_meaning_at_rank_1(indexed) -> None:
    lib, report = indexed
    assert report.ocr_pages == 5  # two scanned pages, the notice, the lease's scanned page, the holiday photo
    cases = [
        ("pressure valve heat exchanger", "keyword", "boiler-scan.pdf", 1),
        ("when does the heating system get its next check-up", "hybrid", "boiler-scan.pdf", 1),
        ("정기 소독 안내", "keyword", "notice.jpg", 1),
        ("건물 방역은 언제 하나요", "hybrid", "notice.jpg", 1),
        ("annual meeting community hall Baker Street", "keyword", "boiler-scan.pdf", 2),
        ("주민센터 민원실 리모델링 공사", "keyword", "lease.pdf", 2),
    ]
    for query, mode, name, page in cases:
        hits = lib.search(query, k=5, mode=mode)
        assert hits, query
        top = hits[0]
        assert (Path(top.path).name, top.page) == (name, page), (query, [(Path(h.path).name, h.page) for h in hits])
        assert top.as_json()["ocr"] is True


def test_a_text_layer_is_never_ocrd(indexed) -> None:
    lib, _ = indexed
    hits = lib.search("tenancy renewal notice flat", k=3, mode="keyword")
    assert (Path(hits[0].path).name, hits[0].page, hits[0].ocr) == ("lease.pdf", 1, False)
    file_id = hits[0].file_id
    by_page = {(c.page, bool(c.ocr)) for c in lib.catalog.chunks_of(file_id)}
    assert (1, False) in by_page and (2, True) in by_page and (1, True) not in by_page
    assert _state(lib, "soup.txt") == ("indexed", None)
    assert not any(c.ocr for p, r in lib.catalog.files().items() if p.endswith("soup.txt")
                   for c in lib.catalog.chunks_of(r.id))


def test_pictures_without_writing_are_skipped_with_a_reason(indexed) -> None:
    lib, _ = indexed
    assert _state(lib, "holiday.jpg") == ("skipped", "image: no text found by OCR")
    state, reason = _state(lib, "icon.png")
    assert state == "skipped" and reason.startswith("image too small to hold text")
    assert lib.status().as_json()["ocr"]["pages_pending"] == 0
    assert lib.verify() == []


def test_a_renamed_or_copied_scan_is_not_read_again(indexed, scans: Path) -> None:
    lib, _ = indexed
    shutil.move(scans / "notice.jpg", scans / "notice-renamed.jpg")
    shutil.copy(scans / "boiler-scan.pdf", scans / "boiler-copy.pdf")
    report = lib.index()
    assert report.ocr_pages == 0, report.as_json()
    hits = lib.search("승강기 운행", k=5, mode="keyword")
    assert Path(hits[0].path).name == "notice-renamed.jpg" and hits[0].ocr
    names = {Path(h.path).name for h in lib.search("pressure valve heat exchanger", k=5, mode="keyword")}
    assert {"boiler-scan.pdf", "boiler-copy.pdf"} <= names


def test_ocr_off_skips_pictures_and_turning_it_on_reads_them(tmp_path: Path) -> None:
    from mysearch.library import Library

    docs = tmp_path / "docs"
    docs.mkdir()
    photo, _ = samples.notice_photo()
    photo.save(docs / "notice.png")
    lib = Library.open(tmp_path / "home")
    try:
        lib.add([str(docs)])
        lib.config.set("ocr.enabled", False)
        report = lib.index()
        assert report.ocr_pages == 0
        assert _state(lib, "notice.png") == ("skipped", "image: text recognition (OCR) is off (ocr.enabled)")
        assert lib.status().as_json()["ocr"]["unavailable"] == "off (ocr.enabled)"
        lib.config.set("ocr.enabled", True)
        report = lib.index()
        assert report.ocr_pages == 1 and _state(lib, "notice.png") == ("indexed", None)
        assert Path(lib.search("소독 시간", k=3, mode="keyword")[0].path).name == "notice.png"
    finally:
        lib.close()


def test_the_page_cap_and_a_damaged_image(tmp_path: Path) -> None:
    from mysearch.library import Library

    docs = tmp_path / "docs"
    docs.mkdir()
    specs = samples.degraded_pages("en", 3, dpi=150)
    samples.save_pdf([samples.render(s) for s in specs], docs / "long-scan.pdf", dpi=150)
    (docs / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 200)
    lib = Library.open(tmp_path / "home")
    try:
        lib.add([str(docs)])
        lib.config.set("ocr.max_pages", 2)
        report = lib.index()
        assert report.ocr_pages == 2
        pages = {c.page for p, r in lib.catalog.files().items() if p.endswith("long-scan.pdf")
                 for c in lib.catalog.chunks_of(r.id)}
        assert pages == {1, 2}
        state, reason = _state(lib, "broken.png")
        assert state == "failed" and "image" in reason
    finally:
        lib.close()


def test_the_watcher_reads_a_new_scan_after_other_text_and_pausing_holds_ocr(tmp_path: Path) -> None:
    """The app's path: the owner's service reads a new file's text at once and its scan later, page by
    page; a paused service reads no page; after resuming, the scan is found."""
    from mysearch.library import Library
    from mysearch.owner.loop import IndexService
    from tests.conftest import wait_for

    docs = tmp_path / "docs"
    docs.mkdir()
    lib = Library.open(tmp_path / "home")
    lib.add([str(docs)])
    svc = IndexService(lib, debounce_s=0.2, max_delay_s=1.0)
    svc.start()
    try:
        assert svc.wait_idle(300)
        svc.pause()
        specs = samples.degraded_pages("en", 2, dpi=150)
        samples.save_pdf([samples.render(s) for s in specs], docs / "scan.pdf", dpi=150)
        (docs / "note.txt").write_text("The wombat digs burrows at night.", encoding="utf-8")
        time.sleep(2.0)
        assert not lib.search("pressure valve heat exchanger", k=3, mode="keyword")  # paused: nothing read
        svc.resume()
        wait_for(lambda: lib.search("wombat burrows", k=1, mode="keyword"), what="the text file")
        wait_for(lambda: any(Path(h.path).name == "scan.pdf" and h.page == 2 and h.ocr
                             for h in lib.search("annual meeting community hall", k=3, mode="keyword")),
                 timeout=180, what="page 2 of the scan")
        assert svc.wait_idle(120) and lib.status().as_json()["ocr"]["pages_pending"] == 0
    finally:
        svc.stop()
        lib.close()
