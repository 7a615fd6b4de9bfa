"""The SOP's record keeping: every case archived as a softfile (JSON) and a hardfile (PDF).

One case record (a plain dict) feeds both files, so they always tell the same story.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path

from prefect import task

from db.models import ArchiveRecord, CaseStatus, Comment, utcnow
from db.session import session_scope
from tanggap.settings import get_settings

from . import events
from .cases import load_case
from .rendering import render, waktu
from .triage import CATEGORY_LABELS

RECORD_VERSION = 1


def case_record(session, case: Comment) -> dict:
    """Everything the archive keeps about a case, JSON-ready."""

    def when(moment: datetime | None) -> str | None:
        return moment.isoformat() if moment else None

    publication = case.publication
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
        },
        "reply_versions": [
            {"number": v.number, "kind": v.kind, "text": v.text, "author_name": v.author_name, "role": v.role,
             "created_at": when(v.created_at), "basis": v.basis}
            for v in case.versions
        ],
        "decisions": [
            {"stage": d.stage, "actor_name": d.actor_name, "role": d.role, "action": d.action, "note": d.note,
             "decided_at": when(d.decided_at), "refused": d.refused,
             "identity": "declared in the form, not authenticated"}
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
        "events": [
            {"step": e.step, "phase": e.phase, "at": when(e.at), "detail": e.detail, "flow_run_id": e.flow_run_id}
            for e in events.for_case(session, case.id)
        ],
        "archived_at": when(utcnow()),
    }


def render_pdf(record: dict) -> bytes:
    from weasyprint import HTML  # heavy import, only where a PDF is made

    html = render(
        "records/case.html.j2",
        r=record,
        category=CATEGORY_LABELS.get(record["comment"]["category"], record["comment"]["category"]),
        at=lambda iso: waktu(datetime.fromisoformat(iso)) if iso else "-",
        steps=events.SOP_STEPS,
    )
    return HTML(string=html).write_pdf()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@task(task_run_name="arsipkan-kasus-{comment_id}")
def archive_case(comment_id: int) -> str:
    """Write the softfile and hardfile of a finished case and record their SHA-256."""
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status == CaseStatus.ARCHIVED or case.status not in (CaseStatus.CONFIRMED, CaseStatus.CLOSED):
            return case.status.value
        events.start_once(session, "archive", comment_id=comment_id)
        session.flush()
        record = case_record(session, case)
        folder = get_settings().archive_dir / f"{case.found_at:%Y}" / f"{case.found_at:%m}"
        stem = f"kasus-{case.id:06d}-{case.channel.key}"
        files = {
            "softfile": (folder / f"{stem}.json",
                         json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")),
            "hardfile": (folder / f"{stem}.pdf", render_pdf(record)),
        }
        for kind, (path, data) in files.items():
            _write_atomically(path, data)
            archive = next((a for a in case.archives if a.kind == kind), None)
            if archive is None:
                archive = ArchiveRecord(kind=kind)
                case.archives.append(archive)
            archive.path, archive.sha256 = str(path), hashlib.sha256(data).hexdigest()
        case.archive()
        events.record(session, "archive", "end", comment_id=comment_id, detail=stem)
        return case.status.value
