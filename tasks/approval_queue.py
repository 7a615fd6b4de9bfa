"""The approval queue: every case waiting for a person, oldest first, and every unfinished case
whose last step failed, as one Markdown artifact operations can watch.

Rebuilt from the database whenever a case starts or stops waiting, and by the scheduled
deadline watch, so the ages and overdue marks stay current. The UI's run list filters on
the last 7 days by default in the classic UI; this list has no such limit. The same
Markdown is the artifact's description, which the key's page (`/v2/artifacts/key/...`)
shows on top, so the link opens on the table rather than on a timeline of versions.

A new version is written only when the list changed: a resumed run replays its steps and would
otherwise write the same list again, and on the embedded default (Prefect on SQLite) every
write competes with the runs for the one database lock, while a read does not. Runs refresh
at the same time, so a run may write a list read just before another run's change: after
writing, a run reads the database again and writes once more if the list moved meanwhile.
The last run to write has thus read the database after every change before it.
"""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact
from sqlalchemy import distinct, func, select

from db.lifecycle import STAGE_OF_STATUS
from db.models import CaseStatus, Comment, utcnow
from db.session import session_scope
from tanggap import sop

from .channels.text import excerpt
from .events import in_prefect_run, operations_log
from .rendering import render

APPROVAL_QUEUE_ARTIFACT_KEY = "antrean-persetujuan"
_PEOPLE_STAGES = ("follow_up", "correction", "decision")


def queue_markdown(session, now) -> tuple[str, int]:
    """The queue as Markdown, and how many cases wait for a person."""
    from .inbox import case_url  # inbox imports this module's users; imported late to stay acyclic

    waiting_statuses = [s for s, stage in STAGE_OF_STATUS.items() if stage in _PEOPLE_STAGES]
    waiting = session.scalars(select(Comment).where(Comment.status.in_(waiting_statuses))
                              .order_by(Comment.status_since, Comment.id)).all()
    troubled = session.scalars(
        select(Comment).where(Comment.last_error.is_not(None), Comment.status != CaseStatus.ARCHIVED)
        .order_by(Comment.id)).all()
    rows = []
    for case in waiting:
        stage = STAGE_OF_STATUS[case.status]
        due = sop.deadline(case.status_since or case.found_at, stage)
        rows.append({"case": case, "url": case_url(case.respond_flow_run_id), "role": sop.STEPS[stage].role.title,
                     "stage": sop.STAGE_NAMES[stage], "due": due, "late": due is not None and due < now,
                     "minutes": int((now - case.found_at).total_seconds() // 60),
                     "excerpt": excerpt(case.text, 80)})
    problems = [{"case": c, "url": case_url(c.respond_flow_run_id), "state": _trouble_state(c)} for c in troubled]
    markdown = render("artifacts/approval_queue.md.j2", rows=rows, problems=problems, waves=_waves(session, now),
                      now=now)
    return markdown, len(rows)


def _waves(session, now) -> list[dict]:
    """Spam waves waiting for their one decision: a row each, however many comments they hold."""
    from .inbox import case_url
    from .spam_waves import waiting_waves

    rows = []
    for wave in waiting_waves(session):
        count, channels = session.execute(select(func.count(Comment.id), func.count(distinct(Comment.channel_id)))
                                          .where(Comment.spam_wave_id == wave.id)).one()
        due = sop.deadline(wave.created_at, "moderation")
        rows.append({"wave": wave, "url": case_url(wave.flow_run_id), "role": sop.moderator().title, "due": due,
                     "late": due is not None and due < now, "count": count, "channels": channels,
                     "minutes": int((now - wave.created_at).total_seconds() // 60)})
    return rows


def refresh_approval_queue() -> int:
    """Publish the current queue (inside Prefect runs); returns how many cases wait.

    Best effort: the queue is a view. A write the Prefect server refuses (busy, timed out) is
    logged and left to the next refresh; it never fails the case's step.
    """
    markdown, count = _current()
    if in_prefect_run():
        try:
            for _ in range(_MAX_WRITES):
                if _published_markdown() == markdown:
                    break
                create_markdown_artifact(key=APPROVAL_QUEUE_ARTIFACT_KEY, markdown=markdown, description=markdown)
                markdown, count = _current()  # a change made while this list was written?
        except Exception as exc:  # noqa: BLE001 - see the docstring
            operations_log().warning("Antrean persetujuan tidak dapat diperbarui sekarang: %s", exc)
    return count


_MAX_WRITES = 5  # the list settles once the cases stop changing; never loop for long


def _current() -> tuple[str, int]:
    with session_scope() as session:
        return queue_markdown(session, utcnow())


def _published_markdown() -> str | None:
    from prefect.artifacts import Artifact

    latest = Artifact.get(APPROVAL_QUEUE_ARTIFACT_KEY)
    return latest.data if latest else None


def _trouble_state(case: Comment) -> str:
    if case.status != CaseStatus.NEEDS_ATTENTION:
        return f"{case.status.value}, percobaan terakhir gagal, dicoba lagi"
    if case.retry_at:
        return "perlu penanganan, dicoba lagi otomatis"
    return "perlu penanganan, menunggu petugas"


@task(task_run_name="terbitkan-antrean-persetujuan")
def publish_approval_queue() -> int:
    """The queue as of this check: also mends a version written by two runs racing each other."""
    return refresh_approval_queue()
