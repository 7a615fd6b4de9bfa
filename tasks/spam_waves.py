"""Spam waves: every spam comment a check found waits in ONE moderation run, not one run each.

A wave is the spam not yet in any wave, gathered by a check while no other wave waits for its
decision. Spam found while a wave waits stays in the inventory, unassigned, and forms the next
wave at the first check after that decision: one moderation run waits at a time, no comment is
in two waves, and nothing is lost. Only the check (one at a time, `concurrency_limit=1`) makes waves.

Like a case's run, a wave's run that ends (failed, crashed, cancelled, deleted) before the
wave is settled is started again by the next check; after `MAX_RESTARTS` fruitless restarts
the wave's comments are handed to runs of their own and wait for operations.
"""

from __future__ import annotations

from prefect import get_client, task
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.client.schemas.objects import StateType
from prefect.states import Crashed
from sqlalchemy import func, select, update

from db.lifecycle import STEP_OF_STATUS
from db.models import CaseStatus, Channel, Comment, SpamWave, utcnow
from db.session import lock_for_writing, session_scope

from . import events
from .respond_runs import _FINAL, MAX_RESTARTS, STUCK_PENDING, start_runs_for

MODERATION_DEPLOYMENT = "moderate-spam/per-wave"
SPAM = "spam"


def unassigned_spam():
    """New spam no wave holds yet (and no run of its own: spam stored before waves existed has one)."""
    return (Comment.category == SPAM, Comment.status == CaseStatus.NEW, Comment.spam_wave_id.is_(None),
            Comment.respond_flow_run_id.is_(None))


def pending_in(wave_id: int):
    """The wave's comments its run must still settle (not archived, not handed to a run of their own)."""
    return (Comment.spam_wave_id == wave_id, Comment.status != CaseStatus.ARCHIVED,
            Comment.respond_flow_run_id.is_(None))


@task(task_run_name="kumpulkan-gelombang-spam")
def start_spam_wave() -> str | None:
    """Gather the unassigned spam into a new wave and start its moderation run (or finish starting
    the open wave's run, when a check died between the two). Returns the run's id."""
    wave_id = gather_wave()
    # The wave was committed first: a check that dies here leaves a wave without a run, which the
    # next check starts with the same idempotency key (Prefect hands back the run if it was created).
    return _start_wave_run(wave_id, first_run_key(wave_id)) if wave_id is not None else None


def first_run_key(wave_id: int) -> str:
    """The wave's first run's idempotency key: its number and creation time, so a fresh database
    on the same Prefect server (whose waves start again at #1) never gets an old wave's run."""
    with session_scope() as session:
        created = session.get(SpamWave, wave_id).created_at
    return f"moderasi-spam-{wave_id}-{created:%Y%m%dT%H%M%S%f}"


def gather_wave() -> int | None:
    """A new wave of all unassigned spam when no wave waits for its decision; the waiting wave when
    it has no run yet; None when there is nothing to start. (A decided wave still being settled
    does not hold the next one back.)"""
    with session_scope() as session:
        lock_for_writing(session)
        wave = session.scalar(select(SpamWave).where(SpamWave.finished_at.is_(None), SpamWave.decided_at.is_(None))
                              .order_by(SpamWave.id).with_for_update())
        if wave is not None:
            return wave.id if wave.flow_run_id is None else None  # restart_stalled_waves looks after its run
        if not session.scalar(select(func.count(Comment.id)).where(*unassigned_spam())):
            return None
        wave = SpamWave()
        session.add(wave)
        session.flush()
        session.execute(update(Comment).where(*unassigned_spam()).values(spam_wave_id=wave.id)
                        .execution_options(synchronize_session=False))
        ids = list(session.scalars(select(Comment.id).where(Comment.spam_wave_id == wave.id)))
        events.record_many(session, "moderation", "start", comment_ids=ids,
                           detail=f"gelombang spam #{wave.id} ({len(ids)} komentar)")
        return wave.id


def _start_wave_run(wave_id: int, idempotency_key: str) -> str:
    from tanggap import sop

    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(MODERATION_DEPLOYMENT)
        run = client.create_flow_run_from_deployment(
            deployment.id, parameters={"wave_id": wave_id}, idempotency_key=idempotency_key,
            name=f"{sop.STAGE_NAMES['moderation']} · gelombang #{wave_id}")
    with session_scope() as session:
        session.get(SpamWave, wave_id).flow_run_id = str(run.id)
    return str(run.id)


@task(task_run_name="lanjutkan-gelombang-spam")
def restart_stalled_waves() -> list[str]:
    """A new run for an open wave whose run ended or was lost; handed on after too many restarts."""
    with session_scope() as session:
        open_waves = session.execute(select(SpamWave.id, SpamWave.flow_run_id).where(
            SpamWave.finished_at.is_(None), SpamWave.flow_run_id.is_not(None))).all()
    if not open_waves:
        return []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[run_id for _, run_id in open_waves])))
        state_of = {str(run.id): run.state for run in runs}
        ended = []
        for wave_id, run_id in open_waves:
            state = state_of.get(run_id)
            if state is not None and state.type == StateType.PENDING and utcnow() - state.timestamp > STUCK_PENDING:
                client.set_flow_run_state(run_id, Crashed(message="Tanggap: run tertahan di Pending tanpa proses"),
                                          force=True)
                state = Crashed()
            if state is None or state.type in _FINAL:
                ended.append((wave_id, run_id, state.name if state else "dihapus"))
    started = [_start_wave_run(wave_id, f"moderasi-spam-{wave_id}-after-{run_id}")
               for wave_id, run_id, how in ended if note_ended_run(wave_id, run_id, how)]
    return started + hand_on_parked()


def hand_on_parked() -> list[str]:
    """A run of its own for each wave comment parked in *perlu penanganan* (a step failed, or its
    wave was given up): it waits for operations there. Asked again at every check until it has one."""
    with session_scope() as session:
        parked = session.execute(select(Comment.id, Channel.key, Comment.external_id, Comment.found_at).join(Channel)
                                 .where(Comment.spam_wave_id.is_not(None), Comment.respond_flow_run_id.is_(None),
                                        Comment.status == CaseStatus.NEEDS_ATTENTION).order_by(Comment.id)).all()
    # Keyed like a new case's run (channel, comment, when found): unique on a Prefect server shared
    # by several databases, and the same at every check until the run exists.
    return list(start_runs_for([(comment_id, f"respond-{key}-{external_id}-{found_at.timestamp():.0f}-parked")
                                for comment_id, key, external_id, found_at in parked]).values())


def note_ended_run(wave_id: int, run_id: str, how: str) -> bool:
    """True: start the wave again. False: another check got here first, or after too many
    restarts the wave's comments were parked for operations (`hand_on_parked` gives them runs)."""
    with session_scope() as session:
        lock_for_writing(session)
        wave = session.get(SpamWave, wave_id, with_for_update=True)
        if wave.flow_run_id != run_id or wave.finished_at is not None:
            return False
        wave.restarts += 1
        ids = list(session.scalars(select(Comment.id).where(*pending_in(wave_id))))
        for comment_id in ids:
            events.record(session, "restart", "end", comment_id=comment_id,
                          detail=f"run moderasi spam {run_id} berakhir ({how}); gelombang #{wave_id} "
                                 f"dimulai ulang (ke-{wave.restarts})")
        if wave.restarts <= MAX_RESTARTS:
            events.operations_log().warning("Gelombang spam #%s dilanjutkan: run %s berakhir %s", wave_id, run_id, how)
            return True
        error = (f"Run moderasi spam gelombang #{wave_id} berakhir ({how}) {wave.restarts} kali berturut-turut "
                 "tanpa selesai; kasus ini ditangani sendiri. Periksa log run di Prefect UI")
        for case in session.scalars(select(Comment).where(Comment.id.in_(ids))):
            if case.status != CaseStatus.NEEDS_ATTENTION:  # undecided or half settled: operations look first
                step = "moderation" if case.status == CaseStatus.NEW else STEP_OF_STATUS[case.status]
                case.needs_attention(step=step, error=error, retry_at=None)
        wave.finished_at = utcnow()
    events.operations_log().error("Gelombang spam #%s diserahkan ke run per kasus: %s", wave_id, error)
    return False


def waiting_waves(session) -> list[SpamWave]:
    """Open waves not yet decided, oldest first (the approval queue lists them)."""
    return list(session.scalars(select(SpamWave).where(SpamWave.finished_at.is_(None), SpamWave.decided_at.is_(None))
                                .order_by(SpamWave.id)))
