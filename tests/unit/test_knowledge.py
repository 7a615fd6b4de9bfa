import pytest

from tasks.knowledge import MATCH_THRESHOLD, KnowledgeError, knowledge_base, load_knowledge_from

SMALL_BASE = """
[sinonim]
sertifikat = ["sertif", "certificate"]

[[jawaban]]
id = "sertifikat"
judul = "Sertifikat pelatihan"
sumber = "Ketentuan Sertifikat"
jawaban = "E-sertifikat terbit paling lambat 14 hari kerja."
singkat = "E-sertifikat terbit maks. 14 hari kerja."
pertanyaan = ["sertifikat kapan terbit", "sertifikat belum diterima"]
kata_kunci = ["sertifikat"]

[[jawaban]]
id = "asrama"
judul = "Asrama peserta"
sumber = "Tata Tertib Asrama"
jawaban = "Asrama gratis, dua sampai empat orang sekamar."
singkat = "Asrama gratis."
pertanyaan = ["asrama satu kamar berapa orang", "peserta menginap di asrama"]
"""


@pytest.fixture
def small_base(tmp_path):
    path = tmp_path / "basis.toml"
    path.write_text(SMALL_BASE, encoding="utf-8")
    return path


@pytest.mark.parametrize("question, entry", [
    ("gmn cr daftarnya min? sy gaptek", "cara-daftar"),  # chat abbreviations
    ("Pripun min, pelatihan sabanjure wonten wulan menapa?", "jadwal"),  # Javanese
    ("Is there any fee for the training?", "biaya"),  # English
    ("Sertifikatnya kok belum masuk email ya", "sertifikat"),  # a key term with an ending
    ("Saya dari Kupang, boleh ikut pelatihan?", "luar-daerah"),  # a place the synonyms name
])
def test_the_office_base_answers_questions_in_every_register(question, entry):
    match = knowledge_base().best(question)
    assert match is not None and match.entry.id == entry, knowledge_base().ranked(question)[:2]


def test_synonyms_and_key_term_endings_reach_the_entry(small_base):
    base = load_knowledge_from(small_base)
    match = base.best("sertifnya kok belum ada")
    assert match and match.entry.id == "sertifikat" and match.keyed
    assert not base.ranked("asrama sekamar berapa orang")[0].keyed


def test_labelled_questions_become_question_forms(small_base):
    question = "Bantal dan selimut bawa sendiri?"
    assert load_knowledge_from(small_base).best(question) is None
    taught = load_knowledge_from(small_base, [("bantal selimut perlu bawa sendiri atau disediakan", "asrama")])
    assert taught.best(question).entry.id == "asrama"


def test_a_comment_nearer_a_question_the_base_does_not_cover_gets_no_answer(small_base):
    question = "Sertifikat halal untuk keripik olahan peserta diurus di mana?"
    plain = load_knowledge_from(small_base)
    assert plain.best(question) is not None and plain.best(question).score >= MATCH_THRESHOLD
    warned = load_knowledge_from(small_base, [("sertifikat halal keripik olahan diurus di mana", None)])
    assert warned.best(question) is None


def test_labelled_answers_naming_no_entry_are_ignored(small_base):
    base = load_knowledge_from(small_base, [("hari sabtu kantor buka", "jam-layanan")])
    assert {e.id for e in base.entries} == {"sertifikat", "asrama"}
    assert base.best("hari sabtu kantor buka") is None


def test_a_broken_synonym_table_is_refused_with_the_file_name(tmp_path):
    broken = tmp_path / "basis.toml"
    broken.write_text('sinonim = "sertif"\n' + SMALL_BASE.split("[[jawaban]]", 1)[1].join(["[[jawaban]]", ""]),
                      encoding="utf-8")
    with pytest.raises(KnowledgeError, match="basis.toml"):
        load_knowledge_from(broken)
