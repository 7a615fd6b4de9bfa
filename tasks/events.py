"""The append-only event log: when each SOP step of a case or a check started and ended."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

import logging

from prefect.context import FlowRunContext, TaskRunContext
from prefect.exceptions import MissingContextError
from prefect.logging import get_run_logger
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from db.models import Event, utcnow
from tanggap import sop


class _SopSteps(Mapping):
    """Step name -> (SOP step number, label, standard minutes), read live from `tanggap.sop`."""

    def __getitem__(self, key: str) -> tuple[int | None, str, int | None]:
        step = sop.STEPS[key]
        return step.number, step.label, step.minutes

    def __iter__(self):
        return iter(sop.STEPS)

    def __len__(self) -> int:
        return len(sop.STEPS)


# Step names in the log and the SOP step each one belongs to, with its service standard.
SOP_STEPS = _SopSteps()


def in_prefect_run() -> bool:
    """True inside a flow or task run; plain calls (tests, scripts) have no API to report to."""
    return FlowRunContext.get() is not None or TaskRunContext.get() is not None


def operations_log() -> logging.Logger | logging.LoggerAdapter:
    """The run's logger (shown in the Prefect UI) inside a run, a plain logger outside one."""
    try:
        return get_run_logger()
    except MissingContextError:
        return logging.getLogger("tanggap")


def current_flow_run_id() -> str | None:
    context = FlowRunContext.get()
    return str(context.flow_run.id) if context and context.flow_run else None


def record(session: Session, step: str, phase: str, *, comment_id: int | None = None,
           check_run_id: int | None = None, detail: str = "", at: datetime | None = None) -> Event:
    if step not in SOP_STEPS:
        raise ValueError(f"unknown step {step!r}")
    event = Event(step=step, phase=phase, comment_id=comment_id, check_run_id=check_run_id, detail=detail,
                  at=at or utcnow(), flow_run_id=current_flow_run_id())
    session.add(event)
    return event


def record_many(session: Session, step: str, phase: str, *, comment_ids: list[int], detail: str = "",
                at: datetime | None = None) -> None:
    """The same event for many cases in one statement (a check storing a large listing)."""
    if step not in SOP_STEPS:
        raise ValueError(f"unknown step {step!r}")
    if comment_ids:
        at, flow_run_id = at or utcnow(), current_flow_run_id()
        session.execute(insert(Event), [dict(step=step, phase=phase, comment_id=comment_id, detail=detail, at=at,
                                             flow_run_id=flow_run_id) for comment_id in comment_ids])


def start_once(session: Session, step: str, *, comment_id: int, detail: str = "") -> None:
    """Record a step's start unless a replayed run already did."""
    started = session.scalar(
        select(Event.id).where(Event.comment_id == comment_id, Event.step == step, Event.phase == "start")
    )
    if started is None:
        record(session, step, "start", comment_id=comment_id, detail=detail)


def for_case(session: Session, comment_id: int) -> list[Event]:
    return list(session.scalars(select(Event).where(Event.comment_id == comment_id).order_by(Event.id)))
