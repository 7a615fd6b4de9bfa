"""The one recorder of failures: every exception that ends a step puts its case into
*perlu penanganan*, with the error in Indonesian, the step, and when it may be tried again.

A failure that may pass on its own (a platform's rate limit, an outage, a busy database, a long
wait for the channel's slot) gets a `retry_at`, and a later check tries again by itself; any
other failure waits for a person from operations. Either way the case is in the approval
queue and its run waits in the Prefect UI: nothing is stranded unseen.
"""

from __future__ import annotations

from datetime import timedelta

from prefect import task
from sqlalchemy.exc import DBAPIError, OperationalError

from db.lifecycle import STEP_OF_STATUS, WORKING, CaseStatus
from db.models import utcnow
from db.session import session_scope

from . import events
from .cases import load_case
from .channels.base import ChannelError

# Waits before a failure that may pass is tried again, when nothing says how long.
DEFAULT_RETRY = timedelta(minutes=10)
BUSY_DATABASE_RETRY = timedelta(minutes=2)


class AmbiguousReply(ChannelError):
    """More than one reply of ours could be this case's answer: a person must say which."""

    reason = "Lebih dari satu balasan akun resmi cocok dengan kasus ini; petugas perlu memeriksa"


def explain(exc: BaseException) -> tuple[str, timedelta | None]:
    """(what operations reads, how long until an automatic retry; None = a person must act)."""
    if isinstance(exc, ChannelError):
        if not exc.transient:
            return str(exc), None
        return str(exc), timedelta(seconds=exc.retry_after) if exc.retry_after else DEFAULT_RETRY
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return f"Basis data sibuk atau tidak dapat dihubungi: {_short(exc)}", BUSY_DATABASE_RETRY
    if isinstance(exc, TimeoutError):
        return f"Terlalu lama menunggu giliran memanggil kanal: {_short(exc)}", DEFAULT_RETRY
    return f"Galat tak terduga ({type(exc).__name__}): {_short(exc)}", None


def _short(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500] or type(exc).__name__


def put_aside(comment_id: int, exc: BaseException) -> str:
    """Move the case into *perlu penanganan* (from any working status) and say why, once."""
    message, wait = explain(exc)
    record = record_attention if events.in_prefect_run() else record_attention.fn  # plain calls: no API
    return record(comment_id, message, wait.total_seconds() if wait else None)


@task(task_run_name="catat-perlu-penanganan-{comment_id}", retries=3, retry_delay_seconds=[2, 10, 30])
def record_attention(comment_id: int, message: str, retry_in_seconds: float | None) -> str:
    wait = timedelta(seconds=retry_in_seconds) if retry_in_seconds is not None else None
    with session_scope() as session:
        case = load_case(session, comment_id, for_update=True)
        if case.status not in WORKING:  # already waiting for operations, or archived meanwhile
            return case.status.value
        step = STEP_OF_STATUS[case.status]
        retry_at = utcnow() + wait if wait else None
        case.needs_attention(step=step, error=message, retry_at=retry_at)
        if case.publication is not None:
            case.publication.last_error = message
        events.record(session, step, "error", comment_id=comment_id, detail=message[:2000])
    events.operations_log().error("Kasus %s perlu penanganan (langkah %s): %s", comment_id, step, message)
    return CaseStatus.NEEDS_ATTENTION.value
