import pytest

from tasks.normalize import COMBINING, DISGUISED_DOMAIN, HOMOGLYPH, INVISIBLE, LEET, SPACED, normalize


@pytest.mark.parametrize("disguised, disguise", [
    ("𝓢𝓵𝓸𝓽 𝓖𝓪𝓬𝓸𝓻", HOMOGLYPH),  # mathematical bold script
    ("𝐒𝐥𝐨𝐭 𝐆𝐚𝐜𝐨𝐫", HOMOGLYPH),  # mathematical bold
    ("ｓｌｏｔ ｇａｃｏｒ", HOMOGLYPH),  # fullwidth
    ("ѕӏот gасоr", HOMOGLYPH),  # Cyrillic look-alikes
    ("Ѕlοt gαcor", HOMOGLYPH),  # Cyrillic and Greek mixed
    ("ꜱʟᴏᴛ ɢᴀᴄᴏʀ", HOMOGLYPH),  # small capitals
    ("ˢˡᵒᵗ ᵍᵃᶜᵒʳ", HOMOGLYPH),  # superscripts
    ("ⓢⓛⓞⓣ ⓖⓐⓒⓞⓡ", HOMOGLYPH),  # circled
    ("🅂🄻🄾🅃 🄶🄰🄲🄾🅁", HOMOGLYPH),  # squared
    ("🅢🅛🅞🅣 🅖🅐🅒🅞🅡", HOMOGLYPH),  # negative circled
    ("🆂🅻🅾🆃 🅶🅰🅲🅾🆁", HOMOGLYPH),  # negative squared
    ("🇸🇱🇴🇹 🇬🇦🇨🇴🇷", HOMOGLYPH),  # regional indicators
    ("sl\u200bot ga\u200dcor", INVISIBLE),
    ("s\u2060l\u2060o\u2060t g\ufeffacor", INVISIBLE),
    ("s̷l̷o̷t̷ g̷a̷c̷o̷r̷", COMBINING),
    ("s1ot g4c0r", LEET),
    ("s l o t  g a c o r", SPACED),
    ("S.L.O.T  G-A-C-O-R", SPACED),
    ("s🎰l🎰o🎰t  g🎰a🎰c🎰o🎰r", SPACED),
])
def test_disguised_gambling_words_read_as_plain_text(disguised, disguise):
    result = normalize(disguised)
    assert result.text == "slot gacor"
    assert disguise in result.disguises


@pytest.mark.parametrize("spoken, domain", [
    ("daftar di gacor88 titik com", "gacor88.com"),
    ("daftar di gacor88[dot]com", "gacor88.com"),
    ("daftar di gacor88 (dot) vip", "gacor88.vip"),
    ("daftar di gacor88 d0t c0m", "gacor88.com"),
    ("daftar di gacor88 . com", "gacor88.com"),
])
def test_spoken_and_bracketed_dots_become_domains(spoken, domain):
    result = normalize(spoken)
    assert result.domains == (domain,)
    assert DISGUISED_DOMAIN in result.disguises


def test_ordinary_writing_is_left_alone():
    text = "Sudah 3x coba daftar, rp50rb, slot88 di 2026? KTP 3201123456789. Mantap👍semoga sukses 🇮🇩 café"
    result = normalize(text)
    assert result.text == ("sudah 3x coba daftar, rp50rb, slot88 di 2026? ktp 3201123456789. "
                           "mantap semoga sukses 🇮🇩 cafe")
    assert result.disguises == frozenset()


def test_abbreviations_and_stretched_letters_are_not_disguises():
    assert normalize("K.T.P saya hilang").text == "ktp saya hilang"
    assert normalize("mantaaap pelatihannya").text == "mantap pelatihannya"
    assert normalize("K.T.P saya hilang").disguises == frozenset()


def test_real_writing_in_other_scripts_is_kept():
    assert "السلام" in normalize("السلام عليكم, kapan daftar?").text


@pytest.mark.parametrize("disguised, plain", [
    ("j🎰u🎰d🎰i s🎰l🎰o🎰t aman", "judi slot aman"),  # emoji ties the letters: a bare space is the word gap
    ("J.U.D.I B.O.L.A terpercaya", "judi bola terpercaya"),
    ("j u d i s l o t", "judi slot"),  # all single spaces: split into the rules' own words
    ("d a f t a r s e k a r a n g", "daftar sekarang"),
])
def test_split_letters_become_the_words_they_spell(disguised, plain):
    result = normalize(disguised)
    assert result.text == plain
    assert SPACED in result.disguises


def test_a_spaced_word_the_rules_do_not_know_stays_one_word():
    assert normalize("p e l a t i h a n").text == "pelatihan"
