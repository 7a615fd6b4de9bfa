"""After the moderator's decision: every comment of the wave gets its own outcome.

Spam is hidden where the moderator said so (a platform's refusal is recorded as `refused` and
the case archived all the same, as `tasks.publishing.hide_comment` does) and archived one case
at a time, each with its softfile and hardfile. A comment the moderator kept is a normal case
and gets its own respond run. A step that fails goes through `tasks.failures` into *perlu
penanganan* and the case gets a respond run of its own, which waits for operations (or for the
scheduled retry) like any other case: one failure never holds up the rest of the wave.
"""

from __future__ import annotations

from collections import Counter

from prefect import task
from sqlalchemy import func, select

from db.models import CaseStatus, Comment, SpamWave, utcnow
from db.session import session_scope
from tanggap import sop

from . import events, inbox
from .archiving import archive_case
from .failures import put_aside
from .publishing import hide_comment
from .respond_runs import start_new_case_runs
from .spam_waves import hand_on_parked, pending_in


@task(task_run_name="selesaikan-gelombang-spam-{wave_id}")
def settle_wave(wave_id: int) -> dict:
    """Hide, then archive, each closed comment of the decided wave; hand the rest to runs of their own.

    All hiding goes first: a hide is one request, a case's hardfile about a second of PDF work,
    so the public stops seeing the whole wave long before its last record is written.
    """
    start_new_case_runs(Comment.spam_wave_id == wave_id)  # the comments the moderator kept: normal cases now
    outcomes: Counter[str] = Counter()
    for step in (hide_comment, archive_case):
        for comment_id in _closed(wave_id):
            try:
                result = step.fn(comment_id)
            except Exception as exc:  # noqa: BLE001 - parked for operations, in a run of its own
                put_aside(comment_id, exc)
                outcomes["perlu penanganan"] += 1
                continue
            if step is hide_comment:
                outcomes[result or "ditutup"] += 1
    hand_on_parked()
    return {**outcomes, "selesai": finish_wave(wave_id)}


def _closed(wave_id: int) -> list[int]:
    """The wave's comments closed by the decision and not yet archived nor handed on."""
    with session_scope() as session:
        return list(session.scalars(select(Comment.id).where(*pending_in(wave_id), Comment.status == CaseStatus.CLOSED)
                                    .order_by(Comment.id)))


def finish_wave(wave_id: int) -> bool:
    """Mark the wave settled once none of its comments waits for its run; label the run for the inbox."""
    with session_scope() as session:
        wave = session.get(SpamWave, wave_id)
        left = session.scalar(select(func.count(Comment.id)).where(*pending_in(wave_id)))
        total = session.scalar(select(func.count(Comment.id)).where(Comment.spam_wave_id == wave_id))
        if left == 0 and wave.finished_at is None:
            wave.finished_at = utcnow()
        done = wave.finished_at is not None
    if done:
        inbox.label_run(f"selesai · {sop.STAGE_NAMES['moderation']} · {total} komentar · gelombang #{wave_id}",
                        ["kategori:spam", "tahap:selesai"])
    else:
        events.operations_log().warning("Gelombang spam #%s: %s komentar belum selesai; pemeriksaan berikutnya "
                                        "melanjutkan", wave_id, left)
    return done
