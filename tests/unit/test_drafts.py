import re
from datetime import datetime, timezone

import pytest

from tanggap.settings import get_settings
from tasks.channels.x import XClient
from tasks.composing import compose_draft, greeting, salutation
from tasks.knowledge import knowledge_base

PLACEHOLDER = re.compile(r"\[[^\]]*\]|\{\{|\}\}|Tuliskan")
MORNING = datetime(2026, 3, 4, 1, 30, tzinfo=timezone.utc)  # 08:30 WIB
LONG_NAME = "@rina_w Rina Wulandari Kusumaningrum Siregar dari Kelompok Tani Makmur Jaya"


def draft(text, category, kind="wordpress", policy=False, name="Rina Wulandari", now=MORNING):
    return compose_draft(text=text, category=category, policy=policy, channel_kind=kind, author_name=name,
                         now=now, office=get_settings().office)


@pytest.mark.parametrize("question, entry", [
    ("Kapan pendaftaran angkatan IV dibuka?", "jadwal"),
    ("Persyaratan pendaftarannya apa saja ya min?", "syarat"),
    ("Pelatihannya gratis atau bayar?", "biaya"),
    ("Sertifikat pelatihan kapan bisa diambil?", "sertifikat"),
    ("Alamat lengkap kantornya di mana?", "alamat"),
    ("Hari Sabtu kantor buka?", "jam-layanan"),
])
def test_questions_are_answered_from_the_knowledge_base_with_the_source_named(question, entry):
    result = draft(question, "pertanyaan")
    assert knowledge_base().best(question).entry.id == entry
    assert result.answer_id == entry and not result.needs_manual
    assert "Sumber:" in result.text and result.source.startswith("Basis pengetahuan:")


def test_a_question_the_knowledge_base_cannot_answer_says_so_and_asks_for_a_manual_answer():
    result = draft("Pak, tanaman tomat saya daunnya keriting kuning, obatnya apa ya?", "pertanyaan")
    assert result.needs_manual and result.answer_id is None and result.source is None
    assert "belum dapat kami jawab" in result.text
    assert any("perlu jawaban manual" in note for note in result.notes)


@pytest.mark.parametrize("kind", ["wordpress", "facebook", "instagram", "youtube", "x"])
@pytest.mark.parametrize("category, text", [
    ("pertanyaan", "Kapan pendaftaran dibuka?"),
    ("pertanyaan", "Bibit durian musang king dijual tidak?"),
    ("keluhan", "Sertifikat saya belum terbit sudah 3 bulan"),
    ("saran", "Sebaiknya ada kelas akhir pekan"),
    ("apresiasi", "Mantap pelatihannya"),
    ("kasar", "Admin bego"),
    ("aduan", "AC asrama rusak"),  # a case triaged before the six categories existed
    ("umum", "Hadir"),
])
def test_drafts_never_contain_a_template_placeholder_and_fit_the_channel(kind, category, text):
    from tasks.channels import CONNECTORS

    result = draft(text, category, kind=kind, name=LONG_NAME)
    assert result.text and not PLACEHOLDER.search(result.text)
    assert CONNECTORS[kind].reply_length(result.text) <= CONNECTORS[kind].reply_limit


@pytest.mark.parametrize("category", ["pertanyaan", "keluhan", "saran", "apresiasi", "kasar"])
def test_x_drafts_fit_280_weighted_characters_and_mention_nobody(category):
    result = draft("Kapan sertifikat saya terbit?", category, kind="x", name=LONG_NAME)
    assert XClient.reply_length(result.text) <= 280
    assert "@" not in result.text.replace(get_settings().office.email, "")
    assert "Rina" not in result.text


def test_complaints_apologise_give_the_follow_up_path_and_sp4n_lapor():
    for kind in ("wordpress", "x"):
        text = draft("Sudah 3 minggu email saya tidak dibalas", "keluhan", kind=kind).text
        assert "maaf" in text.lower() and get_settings().office.email in text and "SP4N-LAPOR!" in text


def test_abuse_gets_a_short_de_escalating_reply_and_a_close_suggestion():
    result = draft("Admin bego, dm ga pernah dibales", "kasar")
    assert "santun" in result.text and len(result.text) < 500
    assert any("tutup" in note for note in result.notes)


def test_spam_is_never_answered():
    result = draft("slot gacor maxwin", "spam")
    assert result.text == "" and not result.needs_manual


@pytest.mark.parametrize("hour_utc, expected", [
    (23, "Selamat pagi"),  # 06:00 WIB
    (4, "Selamat siang"),  # 11:00 WIB
    (9, "Selamat sore"),  # 16:00 WIB
    (13, "Selamat malam"),  # 20:00 WIB
    (19, "Selamat malam"),  # 02:00 WIB
])
def test_greeting_follows_the_time_of_day_in_wib(hour_utc, expected):
    now = datetime(2026, 3, 4, hour_utc, 0, tzinfo=timezone.utc)
    assert greeting(now) == expected
    assert draft("Mantap", "apresiasi", now=now).text.startswith(expected)


def test_office_name_signature_and_contacts_come_from_settings(monkeypatch):
    monkeypatch.setenv("TANGGAP_OFFICE_SIGNATURE", "Tim Humas Balai Uji")
    monkeypatch.setenv("TANGGAP_OFFICE_EMAIL", "info@balai-uji.example")
    monkeypatch.setenv("TANGGAP_OFFICE_PHONE", "(0341) 000000")
    result = draft("Boleh minta kontak yang bisa dihubungi?", "pertanyaan")
    assert result.answer_id == "kontak"
    assert "info@balai-uji.example" in result.text and "(0341) 000000" in result.text
    assert result.text.endswith("Tim Humas Balai Uji")


def test_names_lose_what_would_become_a_mention_or_a_link():
    assert salutation("@budi_tani") == "Bapak/Ibu budi_tani"
    assert salutation("Budi https://spam.example") == "Bapak/Ibu Budi"
    assert salutation("Anonim") == "Bapak/Ibu"


def test_a_policy_question_gets_a_knowledge_base_fact_only_on_a_clear_match():
    from tasks.composing import CLEAR_MATCH
    from tasks.knowledge import MATCH_THRESHOLD

    loose = "Apakah jadwal pelatihan diatur supaya kabupaten tertentu didahulukan?"
    assert MATCH_THRESHOLD <= knowledge_base().best(loose).score < CLEAR_MATCH  # the case this test is about
    assert draft(loose, "pertanyaan").answer_id == "jadwal"
    escalated = draft(loose, "pertanyaan", policy=True)
    assert escalated.needs_manual and escalated.answer_id is None
    assert any("kebijakan internal" in note for note in escalated.notes)
    clear = "Ada oknum minta biaya administrasi 150rb buat daftar, itu resmi?"
    assert knowledge_base().best(clear).score >= CLEAR_MATCH
    assert draft(clear, "pertanyaan", policy=True).answer_id == "biaya"


@pytest.mark.parametrize("kind", ["wordpress", "x"])
def test_every_entry_answers_within_the_channel_limit_and_names_its_source(kind):
    from tasks.channels import CONNECTORS

    for entry in knowledge_base().entries:
        result = draft(entry.questions[0], "pertanyaan", kind=kind, name=LONG_NAME)
        assert result.answer_id == entry.id and not result.needs_manual, entry.id
        assert CONNECTORS[kind].reply_length(result.text) <= CONNECTORS[kind].reply_limit, entry.id
        assert (entry.link or entry.source) in result.text and not PLACEHOLDER.search(result.text), entry.id
        assert "Rina" not in result.text if kind == "x" else True


@pytest.mark.parametrize("kind", ["wordpress", "x"])
def test_a_thank_you_that_also_asks_gets_the_answer_too(kind):
    from tasks.channels import CONNECTORS

    result = draft("Mantap pelatihannya! Oh ya, sertifikatnya kapan dikirim ke email?", "apresiasi", kind=kind)
    assert result.answer_id == "sertifikat" and not result.needs_manual
    assert "Terima kasih atas apresiasi" in result.text and "14 hari kerja" in result.text
    assert any("juga bertanya" in note for note in result.notes)
    assert CONNECTORS[kind].reply_length(result.text) <= CONNECTORS[kind].reply_limit
    plain = draft("Mantap pelatihannya, sangat bermanfaat", "apresiasi", kind=kind)
    assert plain.answer_id is None and "Menjawab" not in plain.text and "Sumber" not in plain.text
