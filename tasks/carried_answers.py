"""Answers a case's earlier runs received, carried over to the run that replaced them.

A run killed while resuming leaves the approver's answer stored in Prefect as that run's input
(under the form's pause key) but not yet recorded in the case. The check restarts the case in
a new run (tasks/respond_runs.py), which reaches the same form again: rather than asking the
approver a second time, it takes the answer the earlier run received under the same key. The
key names the stage, the correction round and the attempt (tasks/review.py), so an answer is
never carried to another stage or round; the caller checks it as it checks a fresh answer,
and records it under the earlier run's answer_ref, so a replay changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from prefect.input import RunInput, keyset_from_paused_state
from prefect.input.run_input import read_flow_run_input
from prefect.states import Suspended

from . import events


def answer_key(pause_key: str) -> str:
    """The flow-run input key under which Prefect stores the answer to the form `pause_key`."""
    return keyset_from_paused_state(Suspended(pause_key=pause_key))["response"]


def earlier_answer(form: type[RunInput], pause_key: str,
                   earlier_runs: Sequence[str]) -> tuple[RunInput, str] | None:
    """The answer to `pause_key` that one of `earlier_runs` (oldest first) received, with that
    run's id; None when none did. Raises pydantic's ValidationError when `form` refuses it."""
    key = answer_key(pause_key)
    for run_id in reversed(earlier_runs):
        value = read_flow_run_input(key, flow_run_id=UUID(run_id))
        if value is not None:
            events.operations_log().info("Jawaban %s dari run %s sebelumnya dipakai; tidak ditanyakan lagi",
                                         pause_key, run_id)
            return form(**value), run_id
    return None
