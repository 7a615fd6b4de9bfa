"""Reading cases back from the database. Helpers never commit: the caller owns the transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db.models import CaseStatus, Channel, Comment
from db.session import lock_for_writing, session_scope
from tanggap.settings import ChannelConfig, get_settings

from .channels.base import CommentRef


class CaseNotFound(LookupError):
    pass


def load_case(session: Session, comment_id: int, *, for_update: bool = False) -> Comment:
    query = (
        select(Comment)
        .where(Comment.id == comment_id)
        .options(selectinload(Comment.versions), selectinload(Comment.decisions),
                 selectinload(Comment.publication), selectinload(Comment.archives),
                 selectinload(Comment.channel))
    )
    if for_update:
        lock_for_writing(session)
        query = query.with_for_update()
    comment = session.scalar(query)
    if comment is None:
        raise CaseNotFound(f"no case with comment id {comment_id}")
    return comment


def ref_of(comment: Comment) -> CommentRef:
    return CommentRef(external_id=comment.external_id, thread_id=comment.thread_id,
                      parent_external_id=comment.parent_external_id)


def channel_config(channel: Channel) -> ChannelConfig:
    for config in get_settings().channels():
        if config.key == channel.key:
            return config
    raise LookupError(f"channel {channel.key!r} is in the database but no longer in the channels file")


def case_status(comment_id: int) -> CaseStatus:
    """The case's status now (read fresh each time: never cached by Prefect)."""
    with session_scope() as session:
        return load_case(session, comment_id).status
