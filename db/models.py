"""Tables of Tanggap and the life cycle of one case (one incoming comment).

No Prefect or HTTP here: the transitions below are plain methods, testable without a session.
All timestamps are timezone-aware UTC.
"""

from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    DateTime,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Stores aware datetimes as UTC; SQLite hands them back naive, so re-attach UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


class Base(DeclarativeBase):
    pass


class CaseStatus(str, enum.Enum):
    NEW = "new"  # in the inventory (SOP step 1)
    DRAFTED = "drafted"  # draft answer written (step 2)
    AWAITING_CORRECTION = "awaiting_correction"  # with the Kepala Bagian Umum (step 3)
    AWAITING_DECISION = "awaiting_decision"  # escalated to the Kepala Balai (step 3)
    APPROVED = "approved"  # final answer fixed, not yet sent
    CLOSED = "closed"  # decided: no reply
    PUBLISHED = "published"  # sent on the channel (step 4)
    CONFIRMED = "confirmed"  # seen on the channel (step 5)
    ARCHIVED = "archived"  # softfile and hardfile written


ALLOWED_MOVES: dict[CaseStatus, set[CaseStatus]] = {
    CaseStatus.NEW: {CaseStatus.DRAFTED},
    CaseStatus.DRAFTED: {CaseStatus.AWAITING_CORRECTION},
    CaseStatus.AWAITING_CORRECTION: {
        CaseStatus.APPROVED,
        CaseStatus.AWAITING_DECISION,
        CaseStatus.CLOSED,
    },
    CaseStatus.AWAITING_DECISION: {CaseStatus.APPROVED, CaseStatus.CLOSED},
    CaseStatus.APPROVED: {CaseStatus.PUBLISHED},
    CaseStatus.PUBLISHED: {CaseStatus.CONFIRMED},
    CaseStatus.CONFIRMED: {CaseStatus.ARCHIVED},
    CaseStatus.CLOSED: {CaseStatus.ARCHIVED},
    CaseStatus.ARCHIVED: set(),
}

class InvalidTransition(Exception):
    """A case was asked to move in a way the SOP does not allow."""


class Channel(Base):
    __tablename__ = "channel"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    # Where the last check stopped, in the platform's own terms (a date, an id, a token).
    cursor: Mapped[dict | None] = mapped_column(JSON, default=None)
    # The platform asked us to stay away until then (rate limit, exhausted quota).
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckRun(Base):
    """One periodic check (SOP step 1) over all channels."""

    __tablename__ = "check_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    seen_count: Mapped[int] = mapped_column(Integer, default=0)
    new_count: Mapped[int] = mapped_column(Integer, default=0)
    # {channel key: error message} for channels that could not be read this time.
    errors: Mapped[dict] = mapped_column(JSON, default=dict)


class Comment(Base):
    """An incoming comment and the case built around it."""

    __tablename__ = "comment"
    __table_args__ = (UniqueConstraint("channel_id", "external_id", name="uq_comment_channel_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    external_id: Mapped[str] = mapped_column(String(128))
    thread_id: Mapped[str] = mapped_column(String(128))  # the post/media/video it belongs to
    parent_external_id: Mapped[str | None] = mapped_column(String(128))
    author_name: Mapped[str] = mapped_column(String(300))
    author_external_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)  # plain text, as people read it
    link: Mapped[str | None] = mapped_column(String(1000))
    posted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    raw_payload: Mapped[dict] = mapped_column(JSON)  # the platform's item, untouched
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    check_run_id: Mapped[int | None] = mapped_column(ForeignKey("check_run.id"))
    category: Mapped[str] = mapped_column(String(32), default="umum")
    # The triage behind the category: {"policy", "confidence", "reasons"} (tasks/triage.py).
    triage: Mapped[dict | None] = mapped_column(JSON, default=None)
    status: Mapped[CaseStatus] = mapped_column(
        Enum(CaseStatus, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]),
        default=CaseStatus.NEW,
    )
    respond_flow_run_id: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    # Set when the last error may pass (rate limit, outage): from then on a new run may try again.
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    channel: Mapped[Channel] = relationship()
    versions: Mapped[list[ReplyVersion]] = relationship(order_by="ReplyVersion.id", back_populates="comment")
    decisions: Mapped[list[Decision]] = relationship(order_by="Decision.id", back_populates="comment")
    publication: Mapped[Publication | None] = relationship(back_populates="comment")
    archives: Mapped[list[ArchiveRecord]] = relationship(order_by="ArchiveRecord.id", back_populates="comment")

    # --- life cycle -------------------------------------------------------------------
    def move_to(self, new: CaseStatus) -> None:
        if new not in ALLOWED_MOVES[self.status]:
            raise InvalidTransition(f"case {self.id}: {self.status.value} -> {new.value} is not allowed")
        self.status = new

    @property
    def was_answered(self) -> bool:
        return self.publication is not None and self.publication.external_reply_id is not None

    @property
    def current_reply(self) -> ReplyVersion | None:
        return self.versions[-1] if self.versions else None

    def add_version(self, kind: str, text: str, author_name: str, role: str) -> ReplyVersion:
        # Appended on this side so the new row cascades into the case's session.
        version = ReplyVersion(number=len(self.versions) + 1, kind=kind, text=text, author_name=author_name, role=role)
        self.versions.append(version)
        return version


class ReplyVersion(Base):
    """The draft and every correction or decision of the answer: the redline history."""

    __tablename__ = "reply_version"
    __table_args__ = (UniqueConstraint("comment_id", "number", name="uq_reply_version_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))  # draft | correction | decision
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What a machine draft stands on: {"source", "needs_manual", "answer_id", "notes"} (tasks/composing.py).
    basis: Mapped[dict | None] = mapped_column(JSON, default=None)

    comment: Mapped[Comment] = relationship(back_populates="versions")


class Decision(Base):
    """What a person decided at a waiting point. Names are declared in the form, not authenticated."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    stage: Mapped[str] = mapped_column(String(32))  # correction | decision
    actor_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="decisions")


class Publication(Base):
    """The reply on its way out: intent first, the platform's id once it is there."""

    __tablename__ = "publication"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    intent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    external_reply_id: Mapped[str | None] = mapped_column(String(128))
    reply_link: Mapped[str | None] = mapped_column(String(1000))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)

    comment: Mapped[Comment] = relationship(back_populates="publication")


class ArchiveRecord(Base):
    __tablename__ = "archive_record"
    __table_args__ = (UniqueConstraint("comment_id", "kind", name="uq_archive_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"))
    kind: Mapped[str] = mapped_column(String(16))  # softfile (JSON) | hardfile (PDF)
    path: Mapped[str] = mapped_column(String(1000))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="archives")


class QuotaUsage(Base):
    """Units of a channel's daily API quota spent, per quota day and purpose (read / write)."""

    __tablename__ = "quota_usage"
    __table_args__ = (UniqueConstraint("channel_id", "day", "purpose", name="uq_quota_usage_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    day: Mapped[str] = mapped_column(String(10))  # the platform's quota day, e.g. Pacific date for YouTube
    purpose: Mapped[str] = mapped_column(String(8))
    units: Mapped[int] = mapped_column(Integer, default=0)


class Event(Base):
    """Append-only log: each SOP step's start and end, per case or per check."""

    __tablename__ = "event"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"), index=True)
    check_run_id: Mapped[int | None] = mapped_column(ForeignKey("check_run.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    phase: Mapped[str] = mapped_column(String(16))  # start | end | error
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text, default="")


@event.listens_for(Session, "before_flush")
def _events_are_append_only(session: Session, flush_context, instances) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Event) and (obj in session.deleted or session.is_modified(obj)):
            raise ValueError("the event log is append-only")
