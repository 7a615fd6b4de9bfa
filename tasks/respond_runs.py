"""Starting `respond` runs: one per new case, and again for a case whose run died or gave up
on an error that may have passed. The database keeps the case; a new run continues it."""

from __future__ import annotations

from prefect import get_client, task
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlalchemy import select

from db.models import CaseStatus, Channel, Comment, utcnow
from db.session import session_scope
from tanggap.settings import get_settings

from . import events


def _start(runs: list[tuple[int, str]]) -> list[str]:
    """Create a `respond` run per (case, idempotency key) and link each case to its run.

    One client and one deployment lookup for the whole batch (run_deployment would redo both
    per run). The links are written at the end: if this dies halfway, the next check asks
    again with the same keys and Prefect hands back the runs already created.
    """
    if not runs:
        return []
    created: dict[int, str] = {}
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name(get_settings().respond_deployment)
        for comment_id, idempotency_key in runs:
            flow_run = client.create_flow_run_from_deployment(
                deployment.id, parameters={"comment_id": comment_id}, idempotency_key=idempotency_key)
            created[comment_id] = str(flow_run.id)
    with session_scope() as session:
        for comment_id, run_id in created.items():
            session.get(Comment, comment_id).respond_flow_run_id = run_id
    return list(created.values())


@task(task_run_name="mulai-tanggapan")
def start_respond_runs() -> list[str]:
    """One `respond` run per new case; also picks up cases a crashed check left without one."""
    with session_scope() as session:
        waiting = session.execute(
            select(Comment.id, Channel.key, Comment.external_id, Comment.found_at).join(Channel)
            .where(Comment.status == CaseStatus.NEW, Comment.respond_flow_run_id.is_(None))
            .order_by(Comment.id)
        ).all()
    return _start([(comment_id, f"respond-{channel_key}-{external_id}-{found_at.timestamp():.0f}")
                   for comment_id, channel_key, external_id, found_at in waiting])


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
    now = utcnow()
    stalled = []
    for comment_id, run_id, retry_at in open_cases:
        state = state_of.get(run_id)
        if state is None:
            continue
        if state.is_crashed() or (state.is_failed() and retry_at is not None and retry_at <= now):
            events.operations_log().warning("Kasus %s dilanjutkan: run %s berakhir %s", comment_id, run_id,
                                            state.name)
            stalled.append((comment_id, f"respond-{comment_id}-after-{run_id}"))
    return _start(stalled)
