"""The sending lease: one run at a time may look for a case's reply on the channel and post it.

Looking before posting is only safe when nobody else of ours posts in the same place meanwhile,
so the lease covers the case's thread (the top-level comment and its replies): a second run,
for the same case or for a sibling in the thread, waits its turn or ends with a note. The
lease is taken in a transaction that serialises with every other writer (`lock_for_writing`:
BEGIN IMMEDIATE on SQLite, row locks on PostgreSQL), and expires on its own when its holder dies.
"""

from __future__ import annotations

import os
from datetime import timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from db.models import Comment, utcnow

from .events import current_flow_run_id

# Longer than a look, a post and a commit with every timeout; short enough that a dead holder's
# case is taken over by the next check.
LEASE = timedelta(minutes=15)


def holder() -> str:
    """Who claims: the flow run, or this process outside Prefect."""
    return current_flow_run_id() or f"proses-{os.getpid()}"


def thread_root(case: Comment) -> str:
    return case.parent_external_id or case.external_id


def claim(session: Session, case: Comment, me: str) -> Comment | None:
    """Take the lease for `case`; returns the case whose live lease stands in the way, if any.

    The caller loaded `case` for update (`load_case(..., for_update=True)`), which holds the write lock.
    """
    now = utcnow()
    root = thread_root(case)
    # Lock the thread's cases in id order (PostgreSQL), so two claimants in one thread serialise.
    siblings = session.scalars(
        select(Comment).where(Comment.channel_id == case.channel_id,
                              or_(Comment.external_id == root, Comment.parent_external_id == root,
                                  Comment.id == case.id))
        .order_by(Comment.id).with_for_update()
    ).all()
    for other in siblings:
        if other.claimed_by not in (None, me) and other.claimed_until is not None and other.claimed_until > now:
            return other
    case.claimed_by, case.claimed_until = me, now + LEASE
    return None


def holds(case: Comment, me: str) -> bool:
    return case.claimed_by == me


def release(case: Comment) -> None:
    case.claimed_by = case.claimed_until = None
