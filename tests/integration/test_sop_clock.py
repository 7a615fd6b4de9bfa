"""The SOP clock on a real database: overdue steps are found from each case's own clock, recorded
once, and the queue shows the deadline; a send-back restarts the earlier stage's clock; a spam
wave waiting past its moderation deadline is recorded and announced like a case."""

from datetime import timedelta

from prefect.events.schemas.events import Resource, ResourceSpecification
from sqlalchemy import select

from db.models import CaseStatus, Comment, Event, SpamWave, utcnow
from db.session import session_scope
from tanggap import sop
from tasks.approval_queue import queue_markdown
from tasks.deadlines import (REMINDER_MATCH, announce_breaches, breach_resource, ensure_reminder_automation,
                             record_overdue_steps, reminder_text)
from tasks.drafting import draft_reply
from tasks.review import prepare_form, record_correction
from tests.harness import wait_until
from tests.integration.test_case_steps import inventory_once
from tests.webhook_receiver import WebhookReceiver


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


def a_wave(comment_ids: list[int], minutes: float, flow_run_id: str | None = None) -> int:
    """A spam wave of `comment_ids` gathered `minutes` ago, waiting for its decision."""
    with session_scope() as session:
        wave = SpamWave(created_at=utcnow() - timedelta(minutes=minutes), flow_run_id=flow_run_id)
        session.add(wave)
        session.flush()
        for case_id in comment_ids:
            case = session.get(Comment, case_id)
            case.category, case.spam_wave_id = "spam", wave.id
        return wave.id


def test_a_spam_wave_past_its_moderation_deadline_is_recorded_once_and_announced_as_a_wave(tanggap_env):
    ids = inventory_once()
    assert len(ids) >= 4
    standard = sop.STEPS["moderation"].minutes
    run_id = "0b6c3c55-5a57-4a34-9e2b-3f6f3f0f2a11"
    late = a_wave(ids[:2], standard + 3, flow_run_id=run_id)
    on_time = a_wave(ids[2:3], standard - 1)
    decided = a_wave(ids[3:4], standard + 10)
    with session_scope() as session:
        session.get(SpamWave, decided).decided_at = utcnow()  # being settled: nobody is waited for

    breaches = record_overdue_steps.fn()
    moderator = sop.moderator().title
    assert [(b.get("gelombang"), b["tahap"], b["peran"]) for b in breaches] == [(late, "moderasi-spam", moderator)]
    breach = breaches[0]
    assert breach["terlambat_menit"] == 3 and breach["jumlah_komentar"] == 2 and breach["batas"].endswith(" WIB")
    assert "kasus" not in breach and breach["tautan"].endswith(f"/flow-run/{run_id}")
    subject, body = reminder_text(breach)
    assert subject.startswith(f"Tanggap: gelombang spam #{late} melewati batas ") and "kasus" not in subject
    assert f"Gelombang spam #{late} (2 komentar spam, Website BBPP Ketindan) menunggu {moderator}" in body
    assert "(3 menit)" in body and breach["tautan"] in body

    # The event's resource says it is a wave, and the reminder automation reacts to it as to a case.
    resource = breach_resource(breach)
    assert resource["prefect.resource.id"] == f"tanggap.gelombang-spam.{late}"
    assert resource["prefect.resource.name"] == f"gelombang spam #{late}"
    reminders = ResourceSpecification(REMINDER_MATCH)
    assert reminders.includes([Resource(resource)])
    assert reminders.includes([Resource({"prefect.resource.id": "tanggap.kasus.7"})])
    assert not reminders.includes([Resource({"prefect.resource.id": "tanggap.lain.7"})])

    assert record_overdue_steps.fn() == []  # recorded once
    with session_scope() as session:
        assert session.get(SpamWave, late).overdue_at is not None
        assert session.get(SpamWave, on_time).overdue_at is None and session.get(SpamWave, decided).overdue_at is None
        logged = session.scalars(select(Event).where(Event.phase == "terlambat").order_by(Event.comment_id)).all()
        assert [(e.comment_id, e.step) for e in logged] == [(ids[0], "moderation"), (ids[1], "moderation")]
        assert logged[0].detail.startswith(f"gelombang spam #{late}: batas ")
        markdown, _ = queue_markdown(session, utcnow())
    assert f"[moderasi-spam gelombang #{late}](" in markdown and "⚠️ terlambat" in markdown


def test_a_late_wave_without_its_run_yet_points_the_reminder_at_the_moderators_waiting_runs(tanggap_env):
    wave = a_wave(inventory_once()[:1], sop.STEPS["moderation"].minutes + 1)
    breach, = record_overdue_steps.fn()
    assert breach["gelombang"] == wave and breach["flow_run_id"] is None
    assert "/v2/runs?state-types=" in breach["tautan"] and "None" not in breach["tautan"]


def test_the_reminder_automation_sends_a_late_waves_reminder_through_the_offices_block(prefect_api, tanggap_env):
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    receiver = WebhookReceiver()
    try:
        CustomWebhookNotificationBlock(name="Pengingat Tanggap", url=receiver.url,
                                       json_data={"subjek": "{{subject}}", "pesan": "{{body}}"}
                                       ).save("pengingat-uji-gelombang", overwrite=True)
        assert "reminders go through" in ensure_reminder_automation("pengingat-uji-gelombang")
        wave = a_wave(inventory_once()[:3], sop.STEPS["moderation"].minutes + 5)
        assert announce_breaches.fn(record_overdue_steps.fn()) == 1
        received = wait_until(lambda: receiver.received, timeout=60, interval=0.5, what="the wave's reminder")
        assert received[0]["subjek"].startswith(f"Tanggap: gelombang spam #{wave} melewati batas ")
        assert "3 komentar spam" in received[0]["pesan"] and sop.moderator().title in received[0]["pesan"]
    finally:
        receiver.stop()
