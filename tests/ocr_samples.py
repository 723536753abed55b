"""Scanned-looking pages made from known text, so OCR can be scored without any third-party scans.

A page is rendered with Pillow in a real font at a given resolution, then degraded the way a cheap
scanner or a phone camera degrades it: turned a few degrees, blurred, speckled with noise and passed
through JPEG. Because the text is known, the character error rate (CER) of an engine's output can be
computed exactly. The tests use the built-in paragraphs below; ``benchmarks/bench_ocr.py`` can also
draw paragraphs from the development sets in ``../shared/eval``.

Everything is deterministic (a seed per page), so a failing score can be reproduced.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIRS = (
    Path("/usr/share/fonts/truetype/nanum"),
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/truetype/nanum-coding"),
)
KOREAN_FONTS = ("NanumGothic.ttf", "NanumMyeongjo.ttf", "NanumBarunGothic.ttf")
ENGLISH_FONTS = ("DejaVuSerif.ttf", "DejaVuSans.ttf", "NanumGothic.ttf")

A4_INCHES = (8.27, 11.69)

KOREAN_TEXT = [
    "주민센터 민원실은 이달 말까지 리모델링 공사로 임시 사무실에서 업무를 봅니다. 여권 발급과 "
    "전입 신고는 평일 오전 아홉 시부터 오후 여섯 시까지 접수하며, 점심시간에도 창구 한 곳을 "
    "운영합니다. 방문 전에 신분증과 증명사진을 꼭 챙겨 주시기 바랍니다.",
    "올해 건강검진 대상자는 짝수 해에 태어난 분들입니다. 검진 기관을 미리 예약하면 기다리는 "
    "시간을 줄일 수 있습니다. 검사 전날 저녁 아홉 시 이후에는 물을 제외한 음식을 드시지 마십시오. "
    "결과는 약 삼 주 뒤에 우편과 문자로 알려 드립니다.",
    "지난 분기 매출은 전년 같은 기간보다 12% 늘었고, 영업이익은 신제품 출시 비용 때문에 소폭 "
    "줄었습니다. 다음 분기에는 해외 판매망을 넓히고 물류 창고를 한 곳 더 열 계획입니다. 자세한 "
    "수치는 첨부한 보고서의 표 3을 참고해 주십시오.",
    "아파트 관리사무소에서 알려 드립니다. 다음 주 화요일 오전 열 시부터 정오까지 급수 배관 점검이 "
    "있어 물이 나오지 않습니다. 필요한 물은 미리 받아 두시고, 점검이 끝난 뒤 처음 나오는 물은 잠시 "
    "흘려보낸 다음 사용하시기 바랍니다.",
    "계약 기간은 서명한 날부터 이 년이며, 어느 한쪽이 만료 한 달 전까지 서면으로 해지를 알리지 "
    "않으면 같은 조건으로 일 년씩 자동 연장됩니다. 임대료는 매달 오 일까지 지정된 계좌로 보내야 "
    "하고, 늦어지면 연체 이자가 붙습니다.",
    "도서관 겨울 독서 교실은 초등학생을 대상으로 열리며 선착순 스무 명을 받습니다. 수업은 매주 "
    "토요일 오후 두 시에 삼 층 세미나실에서 진행되고, 그림책 읽기와 글쓰기 활동을 함께 합니다. "
    "신청은 누리집이나 안내 데스크에서 할 수 있습니다.",
]

ENGLISH_TEXT = [
    "The boiler was serviced on the fourteenth of March by a technician from the heating company. "
    "He replaced the pressure valve, cleaned the heat exchanger and recorded a flue gas reading of "
    "eighty-two percent efficiency. The next service is due before the first frost of the winter.",
    "Please return the signed lease agreement to the property office within ten working days. The "
    "deposit of two months' rent must be paid before the keys are handed over, and the inventory "
    "list should be checked carefully on the day you move in.",
    "Quarterly revenue rose by seven percent compared with the same period last year, driven mainly "
    "by subscriptions in the northern region. Operating costs were higher than planned because of the "
    "new warehouse, which opened three weeks later than scheduled.",
    "To renew a passport, bring the old passport, one recent photograph and the completed application "
    "form. Renewals usually take about two weeks; an urgent service is available for an extra fee if "
    "you can show proof of travel within the next seven days.",
    "The committee agreed to move the annual meeting to the community hall on Baker Street. Members "
    "who cannot attend may vote by post, provided that their ballot arrives at least two days before "
    "the meeting. Minutes will be circulated by email afterwards.",
    "Store the tablets in a cool, dry place away from direct sunlight and out of the reach of children. "
    "Take one tablet twice a day with food, and do not exceed the stated dose. If symptoms persist for "
    "more than five days, consult your doctor or pharmacist.",
]

# A notice of the kind people photograph on a wall; the end-to-end tests search for its phrases.
KOREAN_NOTICE = [
    "공지",
    "정기 소독 안내",
    "이번 달 이십일 수요일에 건물 전체 방역 소독을 실시합니다.",
    "소독 시간에는 승강기 운행이 잠시 멈춥니다.",
    "관리사무소 드림",
]


def find_font(name: str) -> Path | None:
    for folder in FONT_DIRS:
        if (folder / name).is_file():
            return folder / name
    return None


def fonts_present(lang: str) -> bool:
    names = KOREAN_FONTS if lang == "ko" else ENGLISH_FONTS
    return all(find_font(n) is not None for n in names[:1])


_KEEP = re.compile(r"[^\uac00-\ud7a3 -~\n·“”‘’–—]")


def printable(text: str) -> str:
    """The part of ``text`` our fonts can draw: Hangul syllables, ASCII and common punctuation (Hanja
    and rare symbols in Wikipedia paragraphs would make the ground truth unreadable, not the OCR bad)."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[ \t]+", " ", _KEEP.sub(" ", text)).strip()


def normalise(text: str) -> str:
    """What CER compares: NFC, typographic quotes and dashes as ASCII, whitespace runs as one space."""
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-", "·": "."}))
    return " ".join(text.split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time (pages are a few thousand characters)."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    bb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    prev = np.arange(len(b) + 1, dtype=np.int32)
    for i, ch in enumerate(a, 1):
        cost = (bb != ord(ch)).astype(np.int32)
        # substitution/deletion first, then insertion needs a running minimum along the row
        cur = np.empty_like(prev)
        cur[0] = i
        np.minimum(prev[1:] + 1, prev[:-1] + cost, out=cur[1:])
        # insertions: cur[j] = min(cur[j], cur[j-1] + 1), a cumulative min of (cur - j) + j
        idx = np.arange(len(b) + 1, dtype=np.int32)
        cur = np.minimum.accumulate(cur - idx) + idx
        prev = cur
    return int(prev[-1])


def cer(truth: str, found: str, spaces: bool = True) -> float:
    """Character error rate: edit distance over the length of the truth, after ``normalise``;
    ``spaces=False`` also ignores every space (Korean word spacing is often guessed differently)."""
    t, f = normalise(truth), normalise(found)
    if not spaces:
        t, f = t.replace(" ", ""), f.replace(" ", "")
    return edit_distance(t, f) / max(len(t), 1)


@dataclass(frozen=True)
class PageSpec:
    """One page: its text and how it is drawn and degraded."""

    text: str
    lang: str  # ko | en
    font: str
    size_pt: float = 11.0
    dpi: int = 300
    angle: float = 0.0  # degrees, positive turns counter-clockwise
    blur: float = 0.0  # Gaussian radius in pixels at 300 dpi (scaled with dpi)
    noise: float = 0.0  # standard deviation of grey-level noise
    jpeg: int | None = None  # JPEG quality of a round trip, None for none
    seed: int = 0
    photo: bool = False  # a phone photo: uneven light, tinted paper, colour


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            trial = f"{line} {word}" if line else word
            if font.getlength(trial) <= width or not line:
                line = trial
            else:
                lines.append(line)
                line = word
        lines.append(line)
        lines.append("")  # a blank line between paragraphs
    return lines[:-1]


def render(spec: PageSpec) -> Image.Image:
    """The page as a greyscale (or, for a photo, RGB) image of an A4 sheet at ``spec.dpi``."""
    font_path = find_font(spec.font)
    if font_path is None:
        raise FileNotFoundError(f"font {spec.font} is not installed (fonts-nanum, fonts-dejavu-core)")
    w, h = (round(x * spec.dpi) for x in A4_INCHES)
    margin = round(0.9 * spec.dpi)
    font = ImageFont.truetype(str(font_path), round(spec.size_pt * spec.dpi / 72))
    page = Image.new("L", (w, h), 255)
    draw = ImageDraw.Draw(page)
    line_h = round(spec.size_pt * spec.dpi / 72 * 1.6)
    y = margin
    for line in _wrap(spec.text, font, w - 2 * margin):
        if y + line_h > h - margin:
            break
        draw.text((margin, y), line, fill=20, font=font)
        y += line_h
    return degrade(page, spec)


def degrade(page: Image.Image, spec: PageSpec) -> Image.Image:
    rng = np.random.default_rng(spec.seed)
    if spec.angle:
        page = page.rotate(spec.angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if spec.blur:
        page = page.filter(ImageFilter.GaussianBlur(spec.blur * spec.dpi / 300))
    pixels = np.asarray(page, dtype=np.float32)
    if spec.photo:
        # light falls off towards one corner, the paper is not white
        yy, xx = np.mgrid[0 : pixels.shape[0], 0 : pixels.shape[1]].astype(np.float32)
        light = 1.0 - 0.35 * (xx / pixels.shape[1] * 0.6 + yy / pixels.shape[0] * 0.4)
        pixels = pixels * light
    if spec.noise:
        pixels = pixels + rng.normal(0, spec.noise, pixels.shape)
        specks = rng.random(pixels.shape) < 0.0005
        pixels[specks] = rng.integers(0, 120, int(specks.sum()))
    grey = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    image = grey
    if spec.photo:
        tint = np.stack([np.asarray(grey) * f for f in (1.0, 0.96, 0.86)], axis=-1)
        image = Image.fromarray(np.clip(tint, 0, 255).astype(np.uint8), "RGB")
    if spec.jpeg:
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=spec.jpeg)
        image = Image.open(io.BytesIO(buf.getvalue()))
        image.load()
    return image


def drawn_text(spec: PageSpec) -> str:
    """The text that actually fits on the page (a long text is cut at the bottom margin)."""
    font_path = find_font(spec.font)
    assert font_path is not None
    w, h = (round(x * spec.dpi) for x in A4_INCHES)
    margin = round(0.9 * spec.dpi)
    font = ImageFont.truetype(str(font_path), round(spec.size_pt * spec.dpi / 72))
    line_h = round(spec.size_pt * spec.dpi / 72 * 1.6)
    lines, y = [], margin
    for line in _wrap(spec.text, font, w - 2 * margin):
        if y + line_h > h - margin:
            break
        lines.append(line)
        y += line_h
    return "\n".join(lines)


def scan_degradation(i: int, dpi: int = 300) -> dict[str, object]:
    """The i-th of a fixed cycle of scanner defects: each page is turned, blurred, noisy and JPEG'd,
    by amounts that vary from page to page (turns of up to 2.5 degrees either way)."""
    angles = (1.5, -2.0, 0.8, -1.2, 2.5, -0.6)
    blurs = (0.8, 1.2, 0.6, 1.0, 1.4, 0.9)
    noises = (8.0, 12.0, 6.0, 10.0, 14.0, 9.0)
    jpegs = (70, 55, 80, 60, 50, 75)
    k = i % len(angles)
    return {"angle": angles[k], "blur": blurs[k], "noise": noises[k], "jpeg": jpegs[k], "dpi": dpi, "seed": i}


def degraded_pages(lang: str, count: int, dpi: int = 300, texts: list[str] | None = None,
                   chars: int = 900) -> list[PageSpec]:
    """``count`` degraded pages in ``lang``, cycling fonts, sizes (10-14 pt) and defects; each page holds
    about ``chars`` characters taken in order from ``texts`` (the built-in paragraphs by default)."""
    texts = texts or (KOREAN_TEXT if lang == "ko" else ENGLISH_TEXT)
    fonts = KOREAN_FONTS if lang == "ko" else ENGLISH_FONTS
    sizes = (11.0, 10.0, 12.0, 14.0)
    specs, pos = [], 0
    for i in range(count):
        parts: list[str] = []
        while sum(len(p) for p in parts) < chars:
            parts.append(printable(texts[pos % len(texts)]))
            pos += 1
        specs.append(
            PageSpec("\n".join(parts), lang, fonts[i % len(fonts)], sizes[i % len(sizes)],
                     **scan_degradation(i + (0 if lang == "ko" else 3), dpi))  # type: ignore[arg-type]
        )
    return specs


def notice_photo() -> tuple[Image.Image, str]:
    """A phone photo of a Korean notice on a wall: large type, tilted, uneven light, tinted, JPEG."""
    text = "\n".join(KOREAN_NOTICE)
    spec = PageSpec(text, "ko", "NanumGothicBold.ttf" if find_font("NanumGothicBold.ttf") else "NanumGothic.ttf",
                    size_pt=20, dpi=150, angle=-2.0, blur=1.0, noise=6.0, jpeg=75, seed=7, photo=True)
    return render(spec), drawn_text(spec)


def save_pdf(images: list[Image.Image], path: Path, dpi: int = 300) -> Path:
    """An image-only PDF (no text layer), one page per image, as a scanner writes it."""
    rgb = [im.convert("RGB") if im.mode not in ("L", "RGB") else im for im in images]
    rgb[0].save(path, "PDF", resolution=dpi, save_all=True, append_images=rgb[1:])
    return Path(path)
