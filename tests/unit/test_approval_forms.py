import pytest

from tasks.operations import OperationsForm
from tasks.review import CorrectionForm, DecisionForm, FollowUpForm, prefilled, problems_with


def test_prefilled_form_keeps_indonesian_titles_and_defaults():
    shown = prefilled(CorrectionForm, "## Koreksi", action="setujui", reply_text="Terima kasih")
    schema = shown.model_json_schema()
    props = schema["properties"]
    assert props["reply_text"]["title"] == "Teks jawaban"
    assert props["reply_text"]["default"] == "Terima kasih"
    assert props["approver_name"]["title"] == "Nama Kepala Bagian Umum"
    # Required (no "(Optional)" label) yet pre-set to empty, so an empty name reaches our Indonesian check.
    assert {"action", "reply_text", "approver_name"} <= set(schema["required"]) and "note" not in schema["required"]
    assert props["approver_name"]["default"] == "" and "minLength" not in props["approver_name"]
    assert set(props["action"]["enum"]) == {"setujui", "eskalasi", "kembalikan", "tutup", "sembunyikan"}
    assert shown._description == "## Koreksi"


def test_an_approval_with_template_placeholders_or_without_a_name_is_refused():
    answer = CorrectionForm(action="setujui", reply_text="Terima kasih. [Tuliskan jawaban di sini.]",
                            note="", approver_name=" ")
    found = problems_with(answer, reply_limit=1000)
    assert any("Nama" in p for p in found) and any("[ ... ]" in p for p in found)


def test_a_reply_over_the_channel_limit_is_refused_with_both_numbers():
    answer = DecisionForm(action="kirim", decision="Setuju", reply_text="x" * 300, decider_name="Kepala")
    assert problems_with(answer, reply_limit=280) == [
        "Teks jawaban 300 karakter, melebihi batas kanal 280 karakter."
    ]


def test_closing_needs_no_reply_text():
    answer = CorrectionForm(action="tutup", reply_text="", note="spam", approver_name="Kabag Umum")
    assert problems_with(answer, reply_limit=10) == []


@pytest.mark.parametrize("form, name_field, title", [
    (FollowUpForm, "approver_name", "Nama Ketua Tim Kerja"), (CorrectionForm, "approver_name", "Nama Kepala Bagian Umum"),
    (DecisionForm, "decider_name", "Nama Kepala Balai"), (OperationsForm, "operator_name", "Nama petugas")])
def test_every_form_refuses_an_empty_name_and_a_bad_nip_in_indonesian_naming_the_field(form, name_field, title):
    values = {"action": "tutup", "reply_text": "", "decision": "Tutup", name_field: "  ", "nip": "1985 0101"}
    answer = form(**{k: v for k, v in values.items() if k in form.model_fields})
    found = problems_with(answer)
    assert f"{title} wajib diisi." in found
    assert "NIP harus 18 angka; yang tertulis «1985 0101» (9 karakter). Kosongkan bila tidak ada." in found


def test_a_nip_of_18_digits_with_spaces_or_no_nip_at_all_is_accepted():
    for nip in ("198501012010011001", "19850101 201001 1 001", ""):
        answer = CorrectionForm(action="tutup", reply_text="", approver_name="Kabag", nip=nip)
        assert problems_with(answer) == []


def test_kembalikan_needs_a_note_saying_what_to_fix():
    answer = CorrectionForm(action="kembalikan", reply_text="x", approver_name="Kabag", note=" ")
    assert problems_with(answer) == ["Tuliskan catatan untuk tahap sebelumnya: apa yang perlu diperbaiki."]
    assert problems_with(DecisionForm(action="kembalikan", decision="Lengkapi data", reply_text="x",
                                      decider_name="Kabalai")) == []


def test_a_refused_form_comes_back_with_everything_that_was_typed(monkeypatch):
    """The second form shown after a refusal carries the note, name, NIP and text of the first answer."""
    import tasks.review as review

    shown = []
    answers = iter([
        dict(action="setujui", reply_text="Jawaban [Tuliskan di sini]", note="tanggal dicek", approver_name="Sari",
             nip="123"),
        dict(action="setujui", reply_text="Jawaban lengkap.", note="tanggal dicek", approver_name="Sari",
             nip="198501012010011001"),
    ])

    def fake_suspend(wait_for_input, key, timeout):
        shown.append(wait_for_input)
        return wait_for_input(**next(answers))

    monkeypatch.setattr(review, "suspend_flow_run", fake_suspend)
    result = review.wait_for_person(CorrectionForm, key="koreksi", description="## Kasus",
                                    defaults={"action": "setujui", "reply_text": "Draf"})
    assert result["reply_text"] == "Jawaban lengkap." and result["answer_ref"].endswith(":koreksi-2")
    second = shown[1].model_json_schema()["properties"]
    # Kept as typed, except the wrong NIP: quoted in the banner, so clearing the field clears it.
    assert {k: second[k]["default"] for k in ("note", "approver_name", "nip", "reply_text")} == {
        "note": "tanggal dicek", "approver_name": "Sari", "nip": "", "reply_text": "Jawaban [Tuliskan di sini]"}
    assert shown[1]._description.startswith("#### ⚠️ Isian belum dapat diterima")
    assert "«123»" in shown[1]._description and shown[1]._description.endswith("## Kasus")
