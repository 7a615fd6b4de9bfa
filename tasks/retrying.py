"""When Prefect should try a network step again: only for failures that may pass."""

from __future__ import annotations

from .channels.base import ChannelError

NETWORK_RETRIES = 3


def is_transient_failure(task, task_run, state) -> bool:
    """Retry condition for task decorators: timeouts, 5xx and rate limits yes; bad token or content no.

    A platform that named a time to come back is only retried if the next retry is not sooner:
    a longer wait ends the run now, with the case marked for a later run (`Comment.retry_at`).
    """
    try:
        state.result()
    except ChannelError as exc:
        if not exc.transient:
            return False
        return exc.retry_after is None or exc.retry_after <= _next_delay(task, task_run)
    except Exception:  # noqa: BLE001 - a bug in our own code will not mend itself
        return False
    return False


def _next_delay(task, task_run) -> float:
    delays = task.retry_delay_seconds
    if not delays:
        return 0.0
    if not isinstance(delays, (list, tuple)):
        return float(delays)
    return float(delays[min(max(task_run.run_count - 1, 0), len(delays) - 1)])
