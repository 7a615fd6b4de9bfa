"""One case as the archive keeps it: a plain JSON-ready dict that feeds the softfile and the hardfile."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Comment, utcnow
from tasks import events
from tasks.channels.text import excerpt

from .step_times import step_times, total_minutes

RECORD_VERSION = 2
THREAD_CONTEXT_LIMIT = 8
DECLARED_IDENTITY = "declared in the form, not authenticated"


def when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def thread_context(session: Session, case: Comment) -> dict:
    """The post the comment lives under and the comments around it there, as far as we recorded them.

    Neighbours are named by case number only, so one commenter's name never sits in another's file.
    """
    neighbours = session.scalars(
        select(Comment)
        .where(Comment.channel_id == case.channel_id, Comment.thread_id == case.thread_id, Comment.id != case.id)
    ).all()
    # The parent first, then the comments closest in time.
    closest = sorted(neighbours, key=lambda c: (c.external_id != case.parent_external_id,
                                                abs((c.posted_at - case.posted_at).total_seconds())))
    shown = sorted(closest[:THREAD_CONTEXT_LIMIT], key=lambda c: c.posted_at)
    return {
        "thread_id": case.thread_id,
        "parent_external_id": case.parent_external_id,
        "comments": [
            {"case_id": c.id, "external_id": c.external_id, "posted_at": when(c.posted_at),
             "relation": "induk" if c.external_id == case.parent_external_id else
                         "balasan" if c.parent_external_id == case.external_id else "sejajar",
             "excerpt": excerpt(c.text, 160)}
            for c in shown
        ],
    }


def case_record(session: Session, case: Comment) -> dict:
    """Everything the archive keeps about a case, JSON-ready."""
    publication = case.publication
    logged = events.for_case(session, case.id)
    times = step_times(case.posted_at, [(e.step, e.at) for e in logged if e.phase == "end"])
    return {
        "record_version": RECORD_VERSION,
        "case_id": case.id,
        "status": case.status.value,
        "answered": case.was_answered,
        "channel": {"key": case.channel.key, "kind": case.channel.kind, "name": case.channel.name},
        "comment": {
            "external_id": case.external_id,
            "thread_id": case.thread_id,
            "parent_external_id": case.parent_external_id,
            "author_name": case.author_name,
            "author_external_id": case.author_external_id,
            "text": case.text,
            "link": case.link,
            "posted_at": when(case.posted_at),
            "found_at": when(case.found_at),
            "check_run_id": case.check_run_id,
            "category": case.category,
            "triage": case.triage,
            "raw_payload": case.raw_payload,
            "personal_data_removed_at": when(case.personal_data_removed_at),
        },
        "thread": thread_context(session, case),
        "reply_versions": [
            {"number": v.number, "kind": v.kind, "text": v.text, "author_name": v.author_name, "role": v.role,
             "created_at": when(v.created_at), "basis": v.basis}
            for v in case.versions
        ],
        "decisions": [
            {"stage": d.stage, "actor_name": d.actor_name, "actor_nip": d.actor_nip, "role": d.role,
             "action": d.action, "note": d.note, "decided_at": when(d.decided_at), "refused": d.refused,
             "identity": DECLARED_IDENTITY}
            for d in case.decisions
        ],
        "hide_result": case.hide_result,
        "publication": None if publication is None else {
            "text": publication.text,
            "channel_text": publication.channel_text,
            # What the commenter reads: the channel's text when it differs from the approved one.
            "text_on_channel": publication.channel_text or publication.text,
            "external_reply_id": publication.external_reply_id,
            "reply_link": publication.reply_link,
            "attempts": publication.attempts,
            "intent_at": when(publication.intent_at),
            "published_at": when(publication.published_at),
            "confirmed_at": when(publication.confirmed_at),
            "last_error": publication.last_error,
        },
        "step_times": [t.as_dict() for t in times],
        "total_minutes": total_minutes(times),
        "events": [
            {"step": e.step, "phase": e.phase, "at": when(e.at), "detail": e.detail, "flow_run_id": e.flow_run_id}
            for e in logged
        ],
        "archived_at": when(utcnow()),
    }
