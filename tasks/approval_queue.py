"""The approval queue: every case waiting for a person, oldest first, and every unfinished case
whose last step failed, as one Markdown artifact operations can watch.

Rebuilt from the database whenever a case starts or stops waiting, so it is always current;
the UI's run list filters on the last 7 days by default, this list has no such limit.

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
from prefect.settings import PREFECT_UI_URL
from sqlalchemy import select

from db.models import CaseStatus, Comment, utcnow
from db.session import session_scope

from .channels.text import excerpt
from .events import in_prefect_run, operations_log
from .rendering import markdown_escape, waktu

APPROVAL_QUEUE_ARTIFACT_KEY = "antrean-persetujuan"
_WAITING_FOR = {CaseStatus.AWAITING_CORRECTION: "Kepala Bagian Umum", CaseStatus.AWAITING_DECISION: "Kepala Balai"}


def refresh_approval_queue() -> int:
    """Publish the current queue (inside Prefect runs); returns how many cases wait.

    Best effort: the queue is a view. A write the Prefect server refuses (busy, timed out) is
    logged and left to the next refresh; it never fails the case's step.
    """
    waiting, markdown = _queue_markdown()
    if in_prefect_run():
        try:
            for _ in range(_MAX_WRITES):
                if _published_markdown() == markdown:
                    break
                create_markdown_artifact(key=APPROVAL_QUEUE_ARTIFACT_KEY, markdown=markdown,
                                         description="Kasus yang menunggu koreksi atau keputusan, dan kasus bermasalah")
                waiting, markdown = _queue_markdown()  # a change made while this list was written?
        except Exception as exc:  # noqa: BLE001 - see the docstring
            operations_log().warning("Antrean persetujuan tidak dapat diperbarui sekarang: %s", exc)
    return waiting


_MAX_WRITES = 5  # the list settles once the cases stop changing; never loop for long


def _queue_markdown() -> tuple[int, str]:
    """(cases waiting, the queue as Markdown), read from the database now."""
    ui = (PREFECT_UI_URL.value() or "").rstrip("/")  # empty: links relative to the UI itself
    with session_scope() as session:
        waiting = session.scalars(
            select(Comment).where(Comment.status.in_(list(_WAITING_FOR))).order_by(Comment.found_at)
        ).all()
        troubled = session.scalars(
            select(Comment).where(Comment.last_error.is_not(None), Comment.status != CaseStatus.ARCHIVED)
            .order_by(Comment.id)
        ).all()
        problems = [
            f"- **#{c.id}** ({markdown_escape(c.channel.name)}, {_trouble_state(c)}): "
            f"{markdown_escape((c.last_error or '')[:300])} [buka]({ui}/runs/flow-run/{c.respond_flow_run_id})"
            for c in troubled
        ]
        now = utcnow()
        rows = [
            f"| #{c.id} | {_WAITING_FOR[c.status]} | {markdown_escape(c.channel.name)} "
            f"| {markdown_escape(c.author_name[:60])} | {markdown_escape(excerpt(c.text, 80))} "
            f"| {int((now - c.found_at).total_seconds() // 60)} menit | [buka]({ui}/runs/flow-run/{c.respond_flow_run_id}) |"
            for c in waiting
        ]
    table = (
        "| Kasus | Menunggu | Kanal | Penulis | Komentar | Lama | Formulir |\n|---|---|---|---|---|---|---|\n"
        + "\n".join(rows)
        if rows else "_Tidak ada kasus yang menunggu._"
    )
    markdown = f"## Antrean persetujuan ({len(rows)} kasus)\n\n{table}\n"
    if problems:
        markdown += f"\n## Kasus bermasalah ({len(problems)})\n\n" + "\n".join(problems) + "\n"
    return len(rows), markdown


def _trouble_state(case: Comment) -> str:
    if case.status != CaseStatus.NEEDS_ATTENTION:
        return f"{case.status.value}, percobaan terakhir gagal, dicoba lagi"
    if case.retry_at:
        return f"perlu penanganan, dicoba lagi otomatis setelah {waktu(case.retry_at)}"
    return "perlu penanganan, menunggu petugas"


def _published_markdown() -> str | None:
    from prefect.artifacts import Artifact

    latest = Artifact.get(APPROVAL_QUEUE_ARTIFACT_KEY)
    return latest.data if latest else None


@task(task_run_name="terbitkan-antrean-persetujuan")
def publish_approval_queue() -> int:
    """The queue as of this check: also mends a version written by two runs racing each other."""
    return refresh_approval_queue()
