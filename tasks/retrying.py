"""When Prefect should try a network step again: only for failures that may pass."""

from __future__ import annotations

from .channels.base import ChannelError

NETWORK_RETRIES = 3


def is_transient_failure(task, task_run, state) -> bool:
    """Retry condition for task decorators: timeouts, 5xx and rate limits yes; bad token or content no."""
    try:
        state.result()
    except ChannelError as exc:
        return exc.transient
    except Exception:  # noqa: BLE001 - a bug in our own code will not mend itself
        return False
    return False
