import pytest

from tasks.labelled import CATEGORIES, HELD_OUT_FILE, HELD_OUT_SECOND_FILE, TRAINING_FILE, read_examples
from tasks.normalize import normalize
from tasks.triage import CATEGORY_LABELS, HIGH_CONFIDENCE, classify, classify_many
from tasks.triage_rules import RULES_FILE, RulesError, load_rules_from

HARD_NEGATIVES = [
    "Apakah masih ada slot untuk angkatan IV?",
    "Slot pendaftaran angkatan Desember masih ada?",
    "Kambing gacor yang di video itu jenis apa?",
    "Bonus starter kit untuk peserta isinya apa saja?",
    "Apakah peserta perlu bayar deposit asrama?",
    "Ada berita soal togel di desa kami, apa tanggapan dinas pertanian?",
    "Panen jagung kemarin jackpot, terima kasih ilmunya!",
    "Lapangan bola di belakang asrama boleh dipakai peserta sore hari?",
    "Pasaran harga tomat di Batu minggu ini turun, ada pelatihan pemasaran?",
    "Info lengkap soal pelatihan daring ada di mana ya min?",
]
DISGUISED_SPAM = [
    "𝓢𝓵𝓸𝓽 𝓖𝓪𝓬𝓸𝓻 hari ini, daftar sekarang",
    "s1ot g4c0r m4xw1n bosku",
    "s l o t  g a c o r malam ini, link di bio",
    "sl\u200bot ga\u200bcor terpercaya",
    "ѕӏот gасоr anti rungkad",
    "main di gacor88 titik com, bonus harian",
    "🅢🅛🅞🅣 🅖🅐🅒🅞🅡 paling aman",
    "j🎲u🎲d🎲i b🎲o🎲l🎲a paling aman",
]
OTHER_SPAM = [
    "Agen bola resmi, pasaran lengkap, deposit via pulsa tanpa potongan",
    "Dapatkan penghasilan tambahan cuma dengan like dan share, cek bio",
    "Kerja sampingan modal HP, tugas like dibayar harian, japri aja",
]


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_never_spam(text):
    verdict = classify(text)
    assert verdict.category != "spam", verdict.reasons


@pytest.mark.parametrize("text", DISGUISED_SPAM)
def test_disguised_gambling_spam_is_spam_with_high_confidence(text):
    verdict = classify(text)
    assert verdict.category == "spam", verdict.reasons
    assert verdict.confidence >= HIGH_CONFIDENCE and not verdict.policy


@pytest.mark.parametrize("text", OTHER_SPAM)
def test_football_gambling_and_money_for_likes_scams_are_spam(text):
    verdict = classify(text)
    assert verdict.category == "spam", verdict.reasons


def test_the_issue_examples_get_their_real_category():
    assert classify("Apakah masih ada slot untuk angkatan IV?").category == "pertanyaan"
    assert classify("Pelayanannya tidak bagus, ditanya lewat telepon dilempar-lempar").category == "keluhan"
    assert classify("Sertifikat saya belum terbit sudah 3 bulan, kecewa").category == "keluhan"
    assert classify("Mantap, pelatihannya sangat bermanfaat").category == "apresiasi"


def test_policy_questions_are_flagged_with_a_reason_for_the_approver():
    verdict = classify("Apakah peserta dapat uang saku? Berapa per hari?")
    assert verdict.policy
    assert any("kebijakan internal" in reason for reason in verdict.reasons)
    assert not classify("Kapan pendaftaran dibuka?").policy


@pytest.mark.parametrize("text", [
    "Kemarin saya disuruh transfer 150 ribu ke rekening pribadi petugas, itu resmi?",  # money with a demand
    "Kenapa tetangga saya lolos padahal tidak bertani sama sekali?",  # selection with a doubt
])
def test_policy_pairs_flag_what_no_single_phrase_names(text):
    verdict = classify(text)
    assert verdict.policy and any("kebijakan internal" in r and " … " in r for r in verdict.reasons), verdict.reasons


def test_overlapping_terms_count_once():
    rules = load_rules_from(RULES_FILE)
    assert rules.gambling.find("mahjong ways lagi gacor") == ["mahjong ways"]
    assert rules.gambling.find("main slot gacor88 sekarang") == ["slot gacor"]
    assert rules.policy.find("ada pungli dan pungutan liar") == ["pungli", "pungut"]


def test_reasons_name_the_evidence_in_indonesian():
    reasons = " ".join(classify("s1ot g4c0r, daftar di gacor88 titik com").reasons)
    assert "tulisan disamarkan" in reasons and "gacor88.com" in reasons


def test_a_batch_gives_the_same_verdicts_as_one_by_one():
    texts = HARD_NEGATIVES[:3] + DISGUISED_SPAM[:3]
    assert [v.category for v in classify_many(texts)] == [classify(t).category for t in texts]
    assert classify_many([]) == []


def test_x_links_shortened_by_the_platform_are_no_evidence_of_spam():
    text = "Kapan pendaftaran dibuka? https://t.co/abc123"
    assert normalize(text).domains == ("t.co",)
    assert not any("t.co" in r for r in classify(text, channel="x").reasons)


def test_old_categories_stay_readable():
    assert CATEGORY_LABELS["aduan"] and CATEGORY_LABELS["umum"]
    assert set(CATEGORIES) <= set(CATEGORY_LABELS)


def test_held_out_comments_share_no_sentence_with_training():
    train = {normalize(e.text).text for e in read_examples(TRAINING_FILE)}
    held_out = [normalize(e.text).text for path in (HELD_OUT_FILE, HELD_OUT_SECOND_FILE) for e in read_examples(path)]
    assert len(train) + len(held_out) >= 990
    assert not train & set(held_out)
    assert len(set(held_out)) == len(held_out)


def test_a_broken_rules_file_is_refused_with_its_name(tmp_path):
    broken = tmp_path / "aturan.toml"
    broken.write_text("[judi]\nkuat = [1, 2]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="aturan.toml"):
        load_rules_from(broken)
