"""Starting `respond` runs: one per new case, and again for a case whose run died or gave up
on an error that may have passed. The database keeps the case; a new run continues it."""

from __future__ import annotations

from prefect import get_client, task
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from prefect.deployments import run_deployment
from sqlalchemy import select

from db.models import CaseStatus, Channel, Comment, utcnow
from db.session import session_scope
from tanggap.settings import get_settings

from . import events


def _start(comment_id: int, idempotency_key: str) -> str:
    flow_run = run_deployment(
        name=get_settings().respond_deployment,
        parameters={"comment_id": comment_id},
        timeout=0,
        as_subflow=False,
        idempotency_key=idempotency_key,  # a retried check never starts a second run for it
    )
    with session_scope() as session:
        session.get(Comment, comment_id).respond_flow_run_id = str(flow_run.id)
    return str(flow_run.id)


@task(task_run_name="mulai-tanggapan")
def start_respond_runs() -> list[str]:
    """One `respond` run per new case; also picks up cases a crashed check left without one."""
    with session_scope() as session:
        waiting = session.execute(
            select(Comment.id, Channel.key, Comment.external_id, Comment.found_at).join(Channel)
            .where(Comment.status == CaseStatus.NEW, Comment.respond_flow_run_id.is_(None))
            .order_by(Comment.id)
        ).all()
    return [_start(comment_id, f"respond-{channel_key}-{external_id}-{found_at.timestamp():.0f}")
            for comment_id, channel_key, external_id, found_at in waiting]


@task(task_run_name="lanjutkan-kasus-tertunda")
def restart_stalled_cases() -> list[str]:
    """A new run for each unfinished case whose run crashed, or failed on an error that may
    have passed by now (`retry_at`). Runs that failed for good wait for operations."""
    with session_scope() as session:
        open_cases = session.execute(
            select(Comment.id, Comment.respond_flow_run_id, Comment.retry_at)
            .where(Comment.status != CaseStatus.ARCHIVED, Comment.respond_flow_run_id.is_not(None))
        ).all()
    if not open_cases:
        return []
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(
            id=FlowRunFilterId(any_=[row.respond_flow_run_id for row in open_cases])))
    state_of = {str(run.id): run.state for run in runs}
    restarted = []
    now = utcnow()
    for comment_id, run_id, retry_at in open_cases:
        state = state_of.get(run_id)
        if state is None:
            continue
        crashed = state.is_crashed()
        may_retry = state.is_failed() and retry_at is not None and retry_at <= now
        if crashed or may_retry:
            events.operations_log().warning("Kasus %s dilanjutkan: run %s berakhir %s", comment_id, run_id,
                                            state.name)
            restarted.append(_start(comment_id, f"respond-{comment_id}-after-{run_id}"))
    return restarted
