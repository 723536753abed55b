from mysearch.tokens import is_korean, korean_bigrams, tokenize


def test_korean_particles_do_not_block_matches():
    assert "여권" in tokenize("여권을")
    assert "여권" in tokenize("여권은 어디서")
    assert set(tokenize("여권을 발급받으려면")) >= {"여권", "발급"}


def test_english_is_stemmed_and_stop_words_dropped():
    assert tokenize("studies") == tokenize("study")
    assert tokenize("running") == tokenize("runs")
    assert "the" not in tokenize("the passport")


def test_identifiers_kept_whole_and_in_parts():
    toks = tokenize("Invoice INV-2024-0042 and a1b2c3d4-1111-2222-3333-444455556666, report_v2.pdf")
    assert "inv-2024-0042" in toks and "0042" in toks and "2024" in toks
    assert "a1b2c3d4-1111-2222-3333-444455556666" in toks
    assert "report_v2.pdf" in toks and "pdf" in toks


def test_nfc_normalisation():
    decomposed = "\u1112\u1161\u11ab\u1100\u1173\u11af"  # 한글 as jamo (NFD, as macOS file names are)
    assert tokenize(decomposed) == tokenize("한글")


def test_is_korean():
    assert is_korean("여권 발급 기간")
    assert not is_korean("passport renewal")


def test_korean_bigrams_follow_the_other_tokens():
    assert korean_bigrams("금강산의 여름, summer") == ["금강", "강산", "산의", "여름"]
    assert korean_bigrams("passport 2024") == [] and korean_bigrams("산") == []
    plain = tokenize("금강산의 여름", bigrams=False)
    assert tokenize("금강산의 여름") == plain + korean_bigrams("금강산의 여름")
