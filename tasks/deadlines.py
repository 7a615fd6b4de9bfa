"""The SOP clock: find the steps that passed their standard time, record each breach on its case
once, and announce it as a Prefect event (`tanggap.kasus.terlambat`) that an automation turns
into a reminder through the office's notification block.

A waiting run is never touched here: it keeps waiting (no timeout, no failure); only people
are reminded.
"""

from __future__ import annotations

from prefect import get_client, task
from prefect.automations import AutomationCore, EventTrigger, Posture, SendNotification
from prefect.events import emit_event
from sqlalchemy import select

from db.lifecycle import STAGE_OF_STATUS, WAITING_FOR_PEOPLE
from db.models import Comment, utcnow
from db.session import session_scope
from tanggap import sop

from . import events
from .channels.text import excerpt
from .inbox import case_url
from .rendering import jam

BREACH_EVENT = "tanggap.kasus.terlambat"
REMINDER_AUTOMATION = "tanggap-pengingat-batas-waktu"


def _overdue_step(case: Comment) -> str | None:
    """The SOP step whose clock runs while the case waits where it is (the failed one, for operations)."""
    stage = STAGE_OF_STATUS[case.status]
    return case.attention_step if stage == "attention" else stage


@task(task_run_name="catat-langkah-terlambat")
def record_overdue_steps() -> list[dict]:
    """Each waiting case past its step's deadline, recorded once on the case and in its event log."""
    now = utcnow()
    found = []
    with session_scope() as session:
        cases = session.scalars(select(Comment).where(Comment.status.in_(list(WAITING_FOR_PEOPLE)),
                                                      Comment.overdue_at.is_(None))
                                .order_by(Comment.status_since, Comment.id).with_for_update()).all()
        for case in cases:
            stage, step = STAGE_OF_STATUS[case.status], _overdue_step(case)
            due = sop.deadline(case.status_since or case.found_at, step) if step in sop.STEPS else None
            if due is None or due > now:
                continue
            role = sop.STEPS[stage].role
            late = int((now - due).total_seconds() // 60)
            case.overdue_at = now
            events.record(session, stage, "terlambat", comment_id=case.id,
                          detail=f"batas {jam(due, now)} terlewati {late} menit; menunggu {role.title}")
            found.append({
                "kasus": case.id, "tahap": sop.STAGE_NAMES[stage], "peran": role.title, "peran_tag": role.slug,
                "batas": jam(due, now), "terlambat_menit": late, "kanal": case.channel.name,
                "kategori": case.category, "komentar": excerpt(case.text, 160),
                "tautan": case_url(case.respond_flow_run_id), "flow_run_id": case.respond_flow_run_id,
            })
    for breach in found:
        events.operations_log().warning("Kasus %s terlambat di tahap %s (batas %s)", breach["kasus"],
                                        breach["tahap"], breach["batas"])
    return found


def reminder_text(breach: dict) -> tuple[str, str]:
    """(subject, body) of the reminder, in Indonesian."""
    subject = f"Tanggap: kasus #{breach['kasus']} melewati batas {breach['batas']} ({breach['tahap']})"
    body = (f"Kasus #{breach['kasus']} ({breach['kategori']}, {breach['kanal']}) menunggu {breach['peran']} "
            f"dan telah melewati batas waktu SOP {breach['batas']} ({breach['terlambat_menit']} menit).\n"
            f"Komentar: {breach['komentar']}\nBuka dan putuskan: {breach['tautan']}")
    return subject, body


@task(task_run_name="umumkan-langkah-terlambat")
def announce_breaches(breaches: list[dict]) -> int:
    """One Prefect event per breach; the reminder automation reacts to it."""
    for breach in breaches:
        subject, body = reminder_text(breach)
        related = [{"prefect.resource.id": f"prefect.flow-run.{breach['flow_run_id']}",
                    "prefect.resource.role": "flow-run"}] if breach["flow_run_id"] else []
        emit_event(event=BREACH_EVENT,
                   resource={"prefect.resource.id": f"tanggap.kasus.{breach['kasus']}",
                             "prefect.resource.name": f"kasus #{breach['kasus']}",
                             "tanggap.menunggu": breach["peran_tag"]},
                   related=related, payload={**breach, "judul": subject, "pesan": body})
    return len(breaches)


def ensure_reminder_automation(block_name: str) -> str:
    """Point the reminder automation at the notification block named `block_name`; says what it did.

    The office creates the block (a Custom Webhook, Slack, Microsoft Teams, SendGrid e-mail, ...)
    in the UI's Blocks page or in code; without it, breaches are still recorded, queued and
    announced as events, and no reminder goes out.
    """
    with get_client(sync_client=True) as client:
        blocks = [b for b in client.read_block_documents() if b.name == block_name]
        for old in client.read_automations_by_name(REMINDER_AUTOMATION):
            client.delete_automation(old.id)
        if not blocks:
            return f"no notification block named {block_name!r}: reminders are off"
        client.create_automation(AutomationCore(
            name=REMINDER_AUTOMATION,
            description="Pengingat kasus yang melewati batas waktu SOP (dari alur periksa-batas-waktu).",
            trigger=EventTrigger(expect={BREACH_EVENT}, match={"prefect.resource.id": "tanggap.kasus.*"},
                                 posture=Posture.Reactive, threshold=1),
            actions=[SendNotification(block_document_id=blocks[0].id, subject="{{ event.payload.judul }}",
                                      body="{{ event.payload.pesan }}")],
        ))
    return f"reminders go through the notification block {block_name!r}"
