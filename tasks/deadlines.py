"""The SOP clock: find the steps that passed their standard time, record each breach on its case
once, and announce it as a Prefect event (`tanggap.kasus.terlambat`) that an automation turns
into a reminder through the office's notification block.

A spam wave waiting for its one moderation decision is a step too: a wave past the deadline is
recorded once on the wave (and in its comments' logs) and announced with the same event, its
resource a `tanggap.gelombang-spam.<id>` rather than a case.

A waiting run is never touched here: it keeps waiting (no timeout, no failure); only people
are reminded.
"""

from __future__ import annotations

from prefect import get_client, task
from prefect.automations import AutomationCore, EventTrigger, Posture, SendNotification
from prefect.events import emit_event
from sqlalchemy import select

from db.lifecycle import STAGE_OF_STATUS, WAITING_FOR_PEOPLE
from db.models import Channel, Comment, SpamWave, utcnow
from db.session import session_scope
from tanggap import sop

from . import events
from .channels.text import excerpt
from .inbox import case_url, queue_url
from .rendering import jam

BREACH_EVENT = "tanggap.kasus.terlambat"
REMINDER_AUTOMATION = "tanggap-pengingat-batas-waktu"
# The resources a breach is about: a case, or a spam wave waiting for its moderator.
CASE_RESOURCE, WAVE_RESOURCE = "tanggap.kasus", "tanggap.gelombang-spam"


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
        found += _record_overdue_waves(session, now)
    for breach in found:
        if "gelombang" in breach:
            events.operations_log().warning("Gelombang spam #%s terlambat di tahap %s (batas %s)",
                                            breach["gelombang"], breach["tahap"], breach["batas"])
        else:
            events.operations_log().warning("Kasus %s terlambat di tahap %s (batas %s)", breach["kasus"],
                                            breach["tahap"], breach["batas"])
    return found


def _record_overdue_waves(session, now) -> list[dict]:
    """Each spam wave still waiting for its decision past the moderation deadline, recorded once."""
    from .spam_waves import pending_in

    found = []
    waves = session.scalars(select(SpamWave).where(SpamWave.finished_at.is_(None), SpamWave.decided_at.is_(None),
                                                   SpamWave.overdue_at.is_(None))
                            .order_by(SpamWave.id).with_for_update()).all()
    for wave in waves:
        due = sop.deadline(wave.created_at, "moderation")
        if due is None or due > now:
            continue
        role, late = sop.moderator(), int((now - due).total_seconds() // 60)
        ids = list(session.scalars(select(Comment.id).where(*pending_in(wave.id)).order_by(Comment.id)))
        channels = list(session.scalars(select(Channel.name).distinct().join(Comment, Comment.channel_id == Channel.id)
                                        .where(*pending_in(wave.id)).order_by(Channel.name)))
        wave.overdue_at = now
        events.record_many(session, "moderation", "terlambat", comment_ids=ids,
                           detail=f"gelombang spam #{wave.id}: batas {jam(due, now)} terlewati {late} menit; "
                                  f"menunggu {role.title}")
        found.append({
            "gelombang": wave.id, "tahap": sop.STAGE_NAMES["moderation"], "peran": role.title, "peran_tag": role.slug,
            "batas": jam(due, now), "terlambat_menit": late, "jumlah_komentar": len(ids), "kanal": ", ".join(channels),
            # A wave whose run is not created yet: the list of runs waiting for the moderator.
            "tautan": case_url(wave.flow_run_id) if wave.flow_run_id else queue_url(role),
            "flow_run_id": wave.flow_run_id,
        })
    return found


def reminder_text(breach: dict) -> tuple[str, str]:
    """(subject, body) of the reminder, in Indonesian."""
    if "gelombang" in breach:
        return _wave_reminder_text(breach)
    subject = f"Tanggap: kasus #{breach['kasus']} melewati batas {breach['batas']} ({breach['tahap']})"
    body = (f"Kasus #{breach['kasus']} ({breach['kategori']}, {breach['kanal']}) menunggu {breach['peran']} "
            f"dan telah melewati batas waktu SOP {breach['batas']} ({breach['terlambat_menit']} menit).\n"
            f"Komentar: {breach['komentar']}\nBuka dan putuskan: {breach['tautan']}")
    return subject, body


def _wave_reminder_text(breach: dict) -> tuple[str, str]:
    wave = breach["gelombang"]
    subject = f"Tanggap: gelombang spam #{wave} melewati batas {breach['batas']} ({breach['tahap']})"
    body = (f"Gelombang spam #{wave} ({breach['jumlah_komentar']} komentar spam, {breach['kanal'] or '-'}) menunggu "
            f"{breach['peran']} dan telah melewati batas waktu SOP {breach['batas']} "
            f"({breach['terlambat_menit']} menit).\nSatu keputusan menyelesaikan seluruh gelombang: sembunyikan "
            f"atau tutup, dengan pengecualian bila ada.\nBuka dan putuskan: {breach['tautan']}")
    return subject, body


def breach_resource(breach: dict) -> dict[str, str]:
    """The Prefect event's resource: the case or the spam wave the breach is about."""
    if "gelombang" in breach:
        return {"prefect.resource.id": f"{WAVE_RESOURCE}.{breach['gelombang']}",
                "prefect.resource.name": f"gelombang spam #{breach['gelombang']}", "tanggap.menunggu": breach["peran_tag"]}
    return {"prefect.resource.id": f"{CASE_RESOURCE}.{breach['kasus']}",
            "prefect.resource.name": f"kasus #{breach['kasus']}", "tanggap.menunggu": breach["peran_tag"]}


@task(task_run_name="umumkan-langkah-terlambat")
def announce_breaches(breaches: list[dict]) -> int:
    """One Prefect event per breach; the reminder automation reacts to it."""
    for breach in breaches:
        subject, body = reminder_text(breach)
        related = [{"prefect.resource.id": f"prefect.flow-run.{breach['flow_run_id']}",
                    "prefect.resource.role": "flow-run"}] if breach["flow_run_id"] else []
        emit_event(event=BREACH_EVENT, resource=breach_resource(breach), related=related,
                   payload={**breach, "judul": subject, "pesan": body})
    return len(breaches)


# What the reminder automation reacts to: breaches of cases and of spam waves.
REMINDER_MATCH = {"prefect.resource.id": [f"{CASE_RESOURCE}.*", f"{WAVE_RESOURCE}.*"]}


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
            description="Pengingat kasus dan gelombang spam yang melewati batas waktu SOP "
                        "(dari alur periksa-batas-waktu).",
            trigger=EventTrigger(expect={BREACH_EVENT}, match=REMINDER_MATCH,
                                 posture=Posture.Reactive, threshold=1),
            actions=[SendNotification(block_document_id=blocks[0].id, subject="{{ event.payload.judul }}",
                                      body="{{ event.payload.pesan }}")],
        ))
    return f"reminders go through the notification block {block_name!r}"
