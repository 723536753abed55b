"""Query sets that `mysearch eval --exact` builds from the library itself: exact strings and made-up words.

People search their own files for invoice numbers, ids, names and phrases they remember word for word.
For each sampled document this picks strings that occur in exactly that one document (checked against
every document, whole words, case folded): a rare word (an identifier, a number, a name), a number with
its unit, and a 4-8 word phrase, the phrase both bare and in quotes. The file holding the string must come
first: "exact file at rank 1". Made-up words (pronounceable, checked to occur in no document) and
off-topic questions (everyday things the library never mentions, asked as a person would) measure
padding: a library has nothing for them, so the right answer is no result at all.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass

from . import tokens as tok
from .search import _contains, is_identifier

_SPACE = re.compile(r"\s+")
_NUMBER_UNIT = re.compile(
    r"(?<![\w.,])\d[\d,.]*\s?(?:%|km|kg|mg|ml|cm|mm|m²|km²|mph|°C|°F|GB|MB|TB|kHz|MHz|GHz|USD|EUR|"
    r"years|percent|million|billion|원|명|년|개|km/h)(?!\w)"
)
_ONSETS = "b bl br c d dr f fl g gr k kl kr l m n p pl pr r s sk st t tr v z".split()
_VOWELS = "a e i o u ou ei".split()
_CODAS = ["", "", "n", "r", "s", "x", "m", "l"]
# The 2,350 syllables of KS X 1001 (those EUC-KR can write): the ones Korean text uses. Drawn from all
# 11,172, most made-up words held syllables the embedder's vocabulary lacks, and many embedded as the same
# unknown-token vector: much the same point measured many times, not a spread.
_COMMON_SYLLABLES = [bytes([row, col]).decode("euc-kr") for row in range(0xB0, 0xC9) for col in range(0xA1, 0xFF)]


@dataclass(frozen=True)
class ExactQuery:
    text: str
    doc: str  # the one document that holds it
    kind: str  # identifier, number, name, phrase, quoted phrase


def _fold(text: str) -> str:
    return _SPACE.sub(" ", tok.normalize(text)).casefold()


def exact_queries(docs: dict[str, str], n: int = 300, seed: int = 0) -> list[ExactQuery]:
    """Up to four queries for each of `n` sampled documents, each occurring in that document alone
    (a form feed in a document's text separates passages that a phrase must not run across)."""
    rng = random.Random(seed)
    folded = {d: _fold(t) for d, t in docs.items()}
    words_of = {d: [w.strip("'.:-/#&+@") for w in tok.WORD.findall(tok.normalize(t))] for d, t in docs.items()}
    df = Counter(w.casefold() for ws in words_of.values() for w in set(ws) if w)

    def unique(s: str, doc: str) -> bool:
        s = _fold(s)
        return _contains(folded[doc], s) and not any(_contains(t, s) for d, t in folded.items() if d != doc)

    out: list[ExactQuery] = []
    for doc in rng.sample(sorted(docs), min(n, len(docs))):
        words = [w for w in words_of[doc] if w]
        rare = [w for w in dict.fromkeys(words) if df[w.casefold()] == 1 and len(w) >= 4]
        idents = [w for w in rare if is_identifier(w)]
        names = [w for w in rare if w[0].isupper() and w.isalpha() and w not in idents]
        if idents:
            out.append(ExactQuery(rng.choice(idents), doc, "identifier"))
        elif names:
            out.append(ExactQuery(rng.choice(names), doc, "name"))
        numbers = [m.group() for m in _NUMBER_UNIT.finditer(tok.normalize(docs[doc]))]
        numbers = [s for s in dict.fromkeys(numbers) if unique(s, doc)]
        if numbers:
            out.append(ExactQuery(rng.choice(numbers), doc, "number"))
        parts = [p.split() for p in docs[doc].split("\f")]  # \f: between chunks (a phrase stays in one)
        for _ in range(8):  # a 4-8 word phrase that no other document has
            plain = rng.choice(parts)
            if len(plain) < 4:
                continue
            size = rng.randint(4, min(8, len(plain)))
            start = rng.randrange(0, len(plain) - size + 1)
            phrase = " ".join(plain[start : start + size]).strip(" ,.;:!?()[]\"'")
            if '"' in phrase or len(tok.WORD.findall(phrase)) < 4 or not unique(phrase, doc):
                continue
            out.append(ExactQuery(phrase, doc, "phrase"))
            out.append(ExactQuery(f'"{phrase}"', doc, "quoted phrase"))
            break
    return out


def made_up_words(docs: dict[str, str], n: int = 300, seed: int = 0, korean: bool = False) -> list[str]:
    """`n` pronounceable made-up words (a fifth of them pairs), none of which occurs in any document;
    Hangul syllables for a Korean library."""
    rng = random.Random(seed)
    vocab = {w.casefold() for t in docs.values() for w in tok.WORD.findall(tok.normalize(t))}
    out: list[str] = []
    while len(out) < n:
        words = [made_up_word(rng, korean) for _ in range(2 if rng.random() < 0.2 else 1)]
        if any(w in vocab for w in words):
            continue
        q = " ".join(words)
        if q not in out:
            out.append(q)
    return out


def made_up_word(rng: random.Random, korean: bool) -> str:
    """One pronounceable made-up word (Latin syllables), or three or four random Hangul syllables."""
    if korean:  # three or four random syllables: real Korean words are mostly two or three
        return "".join(rng.choice(_COMMON_SYLLABLES) for _ in range(rng.randint(3, 4)))
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(rng.randint(2, 4)))


# Everyday things a library of articles rarely mentions: the subjects of off-topic questions. Each is kept
# for a library only when none of its keyword tokens occurs there (so it has no keyword match), and half
# of them (alternate words) calibrate while the other half is scored.
_THINGS_EN = """toothpaste lawnmower sourdough skateboard thermostat dishwasher hairdryer microwave treadmill
snorkel trampoline wristwatch doorbell mattress lasagna guacamole pancake espresso cappuccino smoothie
burrito croissant waffle popcorn ketchup mayonnaise shampoo deodorant sunscreen toaster blender kettle
spatula colander teaspoon napkin tablecloth curtain wardrobe bookshelf sofa pillowcase duvet flashlight
screwdriver wrench toolbox ladder wheelbarrow sprinkler doormat hammock barbecue campfire tent backpack
suitcase umbrella raincoat sneakers sandals slippers necktie earrings bracelet lipstick mascara toothbrush
razor tweezers comb hairbrush puppy kitten hamster goldfish parakeet leash aquarium babysitter daycare
stroller crib diaper lullaby homework spreadsheet password wifi router printer keyboard headphones
smartphone charger bluetooth laptop webcam selfie emoji podcast playlist karaoke bowling billiards darts
crossword sudoku jigsaw origami knitting crochet yoga pilates jogging snowboard sledding rollercoaster
carousel""".split()
_THINGS_KO = """치약 칫솔 잔디깎이 식빵 스케이트보드 온도조절기 식기세척기 헤어드라이어 전자레인지 러닝머신
트램펄린 손목시계 초인종 매트리스 라자냐 팬케이크 에스프레소 카푸치노 스무디 크루아상 와플 팝콘 케첩
마요네즈 샴푸 데오도란트 자외선차단제 토스터 믹서기 주전자 뒤집개 티스푼 냅킨 식탁보 커튼 옷장 책꽂이
소파 베개 이불 손전등 드라이버 렌치 공구함 사다리 손수레 스프링클러 현관매트 해먹 바비큐 캠프파이어
텐트 배낭 여행가방 우산 우비 운동화 샌들 슬리퍼 넥타이 귀걸이 팔찌 립스틱 마스카라 면도기 족집게 빗
강아지 고양이 햄스터 금붕어 앵무새 목줄 어항 예방주사 치과 약국 유모차 기저귀 자장가 숙제 비밀번호
와이파이 공유기 프린터 키보드 헤드폰 스마트폰 충전기 블루투스 노트북 웹캠 셀카 이모티콘 팟캐스트
노래방 볼링 당구 다트 스도쿠 직소퍼즐 종이접기 뜨개질 요가 필라테스 마라톤 조깅 서핑 스노보드 썰매
롤러코스터 회전목마 떡볶이 김치찌개 삼겹살 짜장면""".split()
# The question around the subject: question words and function words, as people ask
_ASK_EN = ["what is a {0}", "where is the {0}", "who has the {0}", "when was the {0} bought",
           "how does a {0} work", "what is the {0} for", "where can I get a {0}", "how is a {0} made",
           "which {0} is best", "how much is a {0}", "where are the {0} and the {1}", "is there a {0} or a {1}"]
_ASK_KO = ["{0}은 무엇인가요", "{0}는 어디에 있나요", "{0}은 누가 가지고 있나요", "{0}는 언제 샀나요",
           "{0}은 어떻게 쓰나요", "{0}의 가격은 얼마인가요", "{0}랑 {1}는 어디 있어", "{0}와 {1} 중 뭐가 나아",
           "{0} 어디서 사요", "{0} 추천해 주세요"]


def off_topic_questions(docs: dict[str, str], n: int = 300, seed: int = 1, korean: bool = False) -> list[str]:
    """Up to `n` questions about everyday things (a toothbrush, a lawnmower) that none of the documents
    mentions: no keyword token of the thing occurs in any of them. The question words around it may
    ("where", "무엇"): a person asks that way, and a file that shares only those is no answer.
    ``seed`` 0 takes the even-numbered things (to calibrate on), 1 the odd ones (to score)."""
    vocab: set[str] = set()
    for text in docs.values():
        vocab.update(tok.tokenize(text, bigrams=False))
    things = [w for w in (_THINGS_KO if korean else _THINGS_EN)[seed % 2 :: 2]
              if not set(tok.tokenize(w, bigrams=False)) & vocab]
    if len(things) < 2:
        return []
    rng = random.Random(seed)
    asks = _ASK_KO if korean else _ASK_EN
    out: list[str] = []
    for _ in range(n * 20):
        if len(out) >= n:
            break
        a, b = rng.sample(things, 2)
        q = rng.choice(asks).format(a, b)
        if q not in out:
            out.append(q)
    return out
