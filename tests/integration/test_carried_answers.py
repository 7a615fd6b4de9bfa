"""Answers an earlier run of a case received, as a restarted run finds them (tasks/carried_answers.py):
a real Prefect server holds the earlier run's input, a real database the case."""

import json

import pydantic
import pytest
from prefect import flow, get_client

from db.models import CaseStatus, Comment
from db.session import session_scope
from tasks.carried_answers import answer_key, earlier_answer
from tasks.drafting import draft_reply
from tasks.review import FORMS, prefilled, prepare_form, record_correction, record_follow_up
from tests.integration.test_case_steps import inventory_once

APPROVER = "Kepala Bagian Umum (uji)"


@flow(name="jawaban-terbawa-uji")
def earlier_run():
    """Stands for a case's earlier respond run: only its id and stored input matter here."""


def run_that_received(answers: dict[str, dict]) -> str:
    """A flow run on the server holding `answers` (pause key -> answer) as Prefect stores a resume's input."""
    with get_client(sync_client=True) as client:
        run = client.create_flow_run(earlier_run)
        for pause_key, answer in answers.items():
            client.create_flow_run_input(run.id, answer_key(pause_key), json.dumps(answer))
    return str(run.id)


def correction(action: str, note: str = "") -> dict:
    return {"action": action, "reply_text": "Terima kasih. Pendaftaran dibuka 1 Desember.", "note": note,
            "approver_name": APPROVER, "nip": ""}


def test_the_answer_key_is_where_prefect_stores_a_resumes_input():
    assert answer_key("koreksi-r1-2") == "suspended-koreksi-r1-2-response"


def test_an_answer_of_an_older_round_is_not_carried_to_the_round_after_a_send_back(prefect_api, tanggap_env,
                                                                                  monkeypatch):
    monkeypatch.setenv("TANGGAP_TEAM_LEAD_FOLLOW_UP", "1")
    case_id = inventory_once()[0]
    draft_reply.fn(case_id)
    prepare_form.fn(case_id, "follow_up")
    record_follow_up.fn(case_id, {"action": "teruskan", "reply_text": "Draf", "note": "", "approver_name": "Katim (uji)",
                                  "nip": "", "answer_ref": "uji:tindak-lanjut-1"})
    form = prepare_form.fn(case_id, "correction")
    # The earlier run got the round-0 correction (send back), and a second one to the same form.
    earlier = run_that_received({"koreksi-1": correction("kembalikan", "sapaan salah"),
                                 "koreksi-2": correction("setujui")})
    found = earlier_answer(FORMS["correction"], f"{form['key']}-1", [earlier])
    assert found is not None and found[1] == earlier and found[0].action == "kembalikan"
    record_correction.fn(case_id, {**found[0].model_dump(), "answer_ref": f"{earlier}:koreksi-1"})
    with session_scope() as session:
        case = session.get(Comment, case_id)
        assert case.status == CaseStatus.AWAITING_FOLLOW_UP and case.correction_round == 1
        case.earlier_flow_run_ids = [earlier]  # then that run ended and the case got a new one

    record_follow_up.fn(case_id, {"action": "teruskan", "reply_text": "Draf", "note": "", "approver_name": "Katim (uji)",
                                  "nip": "", "answer_ref": "uji:tindak-lanjut-r1-1"})
    form = prepare_form.fn(case_id, "correction")
    assert form["key"] == "koreksi-r1" and form["earlier_runs"] == [earlier]
    # Round 1 asks afresh: neither of round 0's answers is taken, so the approver is asked.
    for attempt in (1, 2):
        assert earlier_answer(FORMS["correction"], f"{form['key']}-{attempt}", form["earlier_runs"]) is None
    # The follow-up of round 1 is another form again: round 0's follow-up answer is not carried either.
    assert earlier_answer(FORMS["follow_up"], "tindak-lanjut-r1-1",
                          [run_that_received({"tindak-lanjut-1": {"action": "tutup"}})]) is None


def test_a_carried_answer_the_form_shown_now_refuses_is_refused_as_a_fresh_one(prefect_api):
    # The earlier run's form allowed hiding; the form shown now (the channel cannot hide) does not.
    earlier = run_that_received({"koreksi-1": correction("sembunyikan")})
    shown = prefilled(FORMS["correction"], "Koreksi", choices=("setujui", "tutup"))
    with pytest.raises(pydantic.ValidationError):
        earlier_answer(shown, "koreksi-1", [earlier])


def test_an_earlier_run_without_the_key_is_passed_over_for_one_holding_it(prefect_api):
    older = run_that_received({"koreksi-1": correction("tutup", "tidak perlu dijawab")})
    newer = run_that_received({})
    found = earlier_answer(FORMS["correction"], "koreksi-1", [older, newer])
    assert found is not None and found[1] == older and found[0].action == "tutup"
    assert earlier_answer(FORMS["correction"], "koreksi-1", []) is None
