"""The spam wave's form: numbers the moderator writes, what each item becomes, and the form's
Indonesian titles as the Prefect UI shows them."""

from datetime import datetime, timezone

from tanggap import sop
from tasks.moderation import Item, SpamModerationForm, moderation_description, parse_numbers, read_answer
from tasks.review import prefilled, problems_with


def item(number: int, *, confidence: float = 0.97, can_hide: bool = True) -> Item:
    return Item(number=number, comment_id=100 + number, channel="Website", author="x", text="slot gacor",
                reasons=["istilah judi online: slot gacor"], confidence=confidence, can_hide=can_hide, link=None)


def test_numbers_and_ranges_are_read_in_the_forms_people_write_them():
    assert parse_numbers("3, 17; 40 - 42 #5", 50) == ({3, 5, 17, 40, 41, 42}, [])
    assert parse_numbers("  ", 5) == (set(), [])
    numbers, problems = parse_numbers("2, 9, tiga", 5)
    assert numbers == {2} and len(problems) == 2
    assert "di luar daftar: nomor 1 sampai 5" in problems[0] and "«tiga» bukan nomor" in problems[1]


def test_hiding_applies_only_to_sure_spam_on_channels_that_can_hide_unless_the_moderator_says_otherwise():
    items = [item(1), item(2), item(3, confidence=0.6), item(4, can_hide=False), item(5), item(6)]
    choice, problems = read_answer({"action": "sembunyikan", "bukan_spam": "2", "biarkan_tampil": "5"}, items)
    assert problems == []
    assert choice.kept == {2} and choice.hidden == {1, 6} and choice.closed == {3, 4, 5}

    choice, problems = read_answer({"action": "sembunyikan", "sembunyikan_juga": "3"}, items)
    assert problems == [] and choice.hidden == {1, 2, 3, 5, 6} and choice.closed == {4}

    choice, _ = read_answer({"action": "tutup"}, items)
    assert choice.hidden == set() and choice.closed == {1, 2, 3, 4, 5, 6} and choice.kept == set()


def test_contradictions_and_impossible_hiding_are_refused_in_indonesian():
    items = [item(1), item(2, can_hide=False), item(3)]
    _, problems = read_answer({"action": "sembunyikan", "bukan_spam": "1", "biarkan_tampil": "1, 3",
                               "sembunyikan_juga": "2, 3"}, items)
    text = " ".join(problems)
    assert "Nomor 1 ditulis sebagai bukan spam dan juga" in text
    assert "Nomor 3 ditulis di «jangan disembunyikan» dan «sembunyikan juga»" in text
    assert "Nomor 2 tidak dapat disembunyikan di kanalnya" in text
    _, problems = read_answer({"action": "tutup", "sembunyikan_juga": "1"}, items)
    assert any("Tindakan «tutup» tidak menyembunyikan" in p for p in problems)


def test_the_prefilled_form_keeps_its_indonesian_titles_and_asks_for_the_moderators_name():
    shown = prefilled(SpamModerationForm, "## Moderasi", action="sembunyikan",
                      descriptions={"moderator_name": "Ketua Tim Kerja Kepegawaian dan Tata Usaha."})
    schema = shown.model_json_schema()
    props = schema["properties"]
    assert props["action"]["default"] == "sembunyikan" and set(props["action"]["enum"]) == {"sembunyikan", "tutup"}
    assert props["bukan_spam"]["title"] == "Bukan spam (nomor)"
    assert props["moderator_name"]["title"] == "Nama" and "Ketua Tim Kerja" in props["moderator_name"]["description"]
    assert {"action", "moderator_name"} <= set(schema["required"])
    unnamed = SpamModerationForm(action="sembunyikan", moderator_name=" ")
    assert problems_with(unnamed) == ["Nama wajib diisi."]


def test_a_thousand_items_make_a_compact_form_with_the_doubtful_ones_first_and_the_rest_in_the_artifact():
    items = [item(n, confidence=0.6 if n % 100 == 0 else 0.99, can_hide=n % 3 != 0) for n in range(1, 1001)]
    now = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
    text = moderation_description(7, items, table_url="http://127.0.0.1:4200/v2/artifacts/artifact/x",
                                  role=sop.HEAD_OF_GENERAL_AFFAIRS, due=now, now=now)
    assert len(text) < 8000  # the Markdown above the form stays short however large the wave
    assert "gelombang #7 · 1000 komentar" in text and "(http://127.0.0.1:4200/v2/artifacts/artifact/x)" in text
    assert "| Website | 1000 | 660 | 340 |" in text  # sure and hideable / only closed
    doubtful = text.split("#### Perlu dilihat: triase kurang yakin (10)")[1].split("####")[0]
    assert [line.split("|")[1].strip() for line in doubtful.splitlines() if line.startswith("| ")][1:] == [
        str(n) for n in range(100, 1001, 100)]
    assert "| … | | | | 980 lainnya di daftar lengkap | |" in text
