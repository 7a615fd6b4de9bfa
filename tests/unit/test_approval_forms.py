from tasks.review import CorrectionForm, DecisionForm, prefilled, problems_with


def test_prefilled_form_keeps_indonesian_titles_and_defaults():
    shown = prefilled(CorrectionForm, "## Koreksi", action="setujui", reply_text="Terima kasih")
    schema = shown.model_json_schema()
    props = schema["properties"]
    assert props["reply_text"]["title"] == "Teks jawaban"
    assert props["reply_text"]["default"] == "Terima kasih"
    assert props["approver_name"]["title"] == "Nama Kepala Bagian Umum"
    assert "approver_name" in schema["required"] and props["approver_name"]["minLength"] == 1
    assert set(props["action"]["enum"]) == {"setujui", "eskalasi", "tutup", "sembunyikan"}
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
