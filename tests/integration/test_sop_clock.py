"""The SOP clock on a real database: overdue steps are found from each case's own clock, recorded
once, and the queue shows the deadline; a send-back restarts the earlier stage's clock."""

from datetime import timedelta

from sqlalchemy import select

from db.models import CaseStatus, Comment, Event, utcnow
from db.session import session_scope
from tasks.approval_queue import queue_markdown
from tasks.deadlines import record_overdue_steps, reminder_text
from tasks.drafting import draft_reply
from tasks.review import prepare_form, record_correction
from tests.integration.test_case_steps import inventory_once


def waiting_since(case_id: int, minutes: float) -> None:
    with session_scope() as session:
        session.get(Comment, case_id).status_since = utcnow() - timedelta(minutes=minutes)


def test_a_step_past_its_standard_time_is_recorded_once_and_one_within_it_is_not(tanggap_env):
    late, on_time = inventory_once()[:2]
    for case_id in (late, on_time):
        draft_reply.fn(case_id)
        prepare_form.fn(case_id, "correction")
    waiting_since(late, 16)  # correction: 15 minutes
    waiting_since(on_time, 14)

    breaches = record_overdue_steps.fn()
    assert [(b["kasus"], b["tahap"], b["peran"]) for b in breaches] == [(late, "koreksi", "Kepala Bagian Umum")]
    assert breaches[0]["terlambat_menit"] == 1 and breaches[0]["batas"].endswith(" WIB")
    subject, body = reminder_text(breaches[0])
    assert f"kasus #{late}" in subject and "Kepala Bagian Umum" in body
    assert record_overdue_steps.fn() == []  # recorded once
    with session_scope() as session:
        assert session.get(Comment, late).overdue_at is not None and session.get(Comment, on_time).overdue_at is None
        events = session.scalars(select(Event).where(Event.phase == "terlambat")).all()
        assert [(e.comment_id, e.step) for e in events] == [(late, "correction")]
        markdown, waiting = queue_markdown(session, utcnow())
    assert waiting == 2 and "⚠️ terlambat" in markdown and f"[koreksi #{late}](" in markdown


def test_kembalikan_restarts_the_clock_of_the_stage_it_goes_back_to(tanggap_env, monkeypatch):
    monkeypatch.setenv("TANGGAP_TEAM_LEAD_FOLLOW_UP", "1")
    case_id = inventory_once()[0]
    draft_reply.fn(case_id)
    prepare_form.fn(case_id, "follow_up")
    with session_scope() as session:
        case = session.get(Comment, case_id)
        case.forward_to_correction(case.current_reply.text, by="Katim (uji)", role="Ketua Tim Kerja", note="")
    waiting_since(case_id, 20)
    assert [b["kasus"] for b in record_overdue_steps.fn()] == [case_id]
    record_correction.fn(case_id, {"action": "kembalikan", "reply_text": "x", "note": "sapaan salah",
                                   "approver_name": "Kabag (uji)", "nip": "", "answer_ref": "uji:koreksi-1"})
    with session_scope() as session:
        case = session.get(Comment, case_id)
        assert case.status == CaseStatus.AWAITING_FOLLOW_UP and case.overdue_at is None
        assert case.correction_round == 1 and case.accepted_decisions[-1].note == "sapaan salah"
    assert record_overdue_steps.fn() == []  # 30 fresh minutes for the Ketua Tim Kerja
    assert prepare_form.fn(case_id, "follow_up")["key"] == "tindak-lanjut-r1"
