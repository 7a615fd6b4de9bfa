"""Tables of Tanggap. A case (one incoming comment) moves by the verbs of `db.lifecycle`.

No Prefect or HTTP here. All timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy import text as sql  # not `text`: Comment has a column of that name
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship

# The case's states are imported from here by most of the code: they belong to the Comment.
from .lifecycle import CaseLifeCycle, CaseStatus, InvalidTransition  # noqa: F401


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


def _status_column(**kwargs):
    return mapped_column(
        Enum(CaseStatus, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]), **kwargs)


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


class SpamWave(Base):
    """The spam of one check, moderated as one decision in one waiting run."""

    __tablename__ = "spam_wave"

    id: Mapped[int] = mapped_column(primary_key=True)
    flow_run_id: Mapped[str | None] = mapped_column(String(64))  # the moderation run that owns the wave
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # every item settled or handed on
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the SOP clock recorded its breach
    restarts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Comment(CaseLifeCycle, Base):
    """An incoming comment and the case built around it."""

    __tablename__ = "comment"
    __table_args__ = (
        UniqueConstraint("channel_id", "external_id", name="uq_comment_channel_external"),
        # The queries that must stay fast with millions of stored comments (benchmarks/queries.py):
        # the approval queue and new cases by status, a check's inventory, open and troubled cases.
        Index("ix_comment_status_found_at", "status", "found_at"),
        Index("ix_comment_check_run_id", "check_run_id"),
        Index("ix_comment_open", "status", postgresql_where=sql("status <> 'archived'"),
              sqlite_where=sql("status <> 'archived'")),
        Index("ix_comment_troubled", "id", postgresql_where=sql("last_error IS NOT NULL"),
              sqlite_where=sql("last_error IS NOT NULL")),
        Index("ix_comment_spam_wave_id", "spam_wave_id"),
    )

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
    # Held by the platform for its moderators (not public yet); follows the platform at each check.
    awaiting_moderation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    raw_payload: Mapped[dict] = mapped_column(JSON)  # the platform's item, untouched
    found_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    check_run_id: Mapped[int | None] = mapped_column(ForeignKey("check_run.id"))
    category: Mapped[str] = mapped_column(String(32), default="umum")
    # The platform lets us hide this comment (X: only replies in our own conversations).
    can_hide: Mapped[bool] = mapped_column(Boolean, default=True)
    # The triage behind the category: {"policy", "confidence", "reasons"} (tasks/triage.py).
    triage: Mapped[dict | None] = mapped_column(JSON, default=None)
    status: Mapped[CaseStatus] = _status_column(default=CaseStatus.NEW)
    respond_flow_run_id: Mapped[str | None] = mapped_column(String(64))  # the run that owns the case
    # The runs it replaced, oldest first: a restarted run takes the answers they received (tasks/carried_answers.py).
    earlier_flow_run_ids: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    # Spam is moderated a wave at a time (tasks/spam_waves.py); the wave's run owns the case until
    # it is settled, or hands it to a respond run of its own.
    spam_wave_id: Mapped[int | None] = mapped_column(ForeignKey("spam_wave.id", name="fk_comment_spam_wave"))
    restarts: Mapped[int] = mapped_column(Integer, default=0)  # runs started again by a check, in a row
    correction_round: Mapped[int] = mapped_column(Integer, default=0)  # times sent back to correction
    hide_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    hide_result: Mapped[str | None] = mapped_column(String(16))  # hidden | refused
    # The sending lease: one run at a time may look for our reply and post it.
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Perlu penanganan: the step that failed, the status to go back to, and when to try again.
    last_error: Mapped[str | None] = mapped_column(Text)
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attention_step: Mapped[str | None] = mapped_column(String(32))
    resume_status: Mapped[CaseStatus | None] = _status_column(nullable=True)
    attention_count: Mapped[int] = mapped_column(Integer, default=0)
    # The SOP clock: when the case entered its status, and when that step was found overdue (once).
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    overdue_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the retention ended and the commenter's name, account id and raw payload were removed.
    personal_data_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    channel: Mapped[Channel] = relationship()
    versions: Mapped[list[ReplyVersion]] = relationship(order_by="ReplyVersion.id", back_populates="comment")
    decisions: Mapped[list[Decision]] = relationship(order_by="Decision.id", back_populates="comment")
    publication: Mapped[Publication | None] = relationship(back_populates="comment")
    archives: Mapped[list[ArchiveRecord]] = relationship(order_by="ArchiveRecord.id", back_populates="comment")

    @property
    def was_answered(self) -> bool:
        return self.publication is not None and self.publication.external_reply_id is not None

    @property
    def current_reply(self) -> ReplyVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def accepted_decisions(self) -> list[Decision]:
        return [d for d in self.decisions if not d.refused]

    def add_version(self, kind: str, text: str, author_name: str, role: str) -> ReplyVersion:
        # Appended on this side so the new row cascades into the case's session.
        version = ReplyVersion(number=len(self.versions) + 1, kind=kind, text=text, author_name=author_name, role=role)
        self.versions.append(version)
        return version

    def add_decision(self, **fields) -> Decision:
        decision = Decision(**fields)
        self.decisions.append(decision)
        self.restarts = 0  # a person acted: automatic restarts count from zero again
        return decision


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
    stage: Mapped[str] = mapped_column(String(32))  # follow_up | correction | decision | attention
    actor_name: Mapped[str] = mapped_column(String(200))
    actor_nip: Mapped[str | None] = mapped_column(String(32))  # civil-servant number, when the form asks for it
    role: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Which form answer this was ("<flow run id>:<input key>"): a replayed run finds it recorded.
    answer_ref: Mapped[str | None] = mapped_column(String(200))
    # A second answer to a step already decided is kept, with who and what, but not applied.
    refused: Mapped[bool] = mapped_column(Boolean, default=False)

    comment: Mapped[Comment] = relationship(back_populates="decisions")


class Publication(Base):
    """The reply on its way out: intent first, the platform's id once it is there."""

    __tablename__ = "publication"
    # One reply on a channel answers one case: no case adopts another's reply.
    __table_args__ = (UniqueConstraint("channel_id", "external_reply_id", name="uq_publication_channel_reply"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comment.id"), unique=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    text: Mapped[str] = mapped_column(Text)  # the approved answer
    # The reply as it stands on the channel, when it differs (typed there by hand, or changed by the platform).
    channel_text: Mapped[str | None] = mapped_column(Text)
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
    path: Mapped[str] = mapped_column(String(1000))  # relative to the archive folder (older rows: absolute)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # removed under a retention rule

    comment: Mapped[Comment] = relationship(back_populates="archives")


class PurgeRecord(Base):
    """One destruction (pemusnahan) carried out, with its approval: the berita acara's data."""

    __tablename__ = "purge_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    executed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    approver_name: Mapped[str] = mapped_column(String(200))  # declared in the form, not authenticated
    approver_nip: Mapped[str | None] = mapped_column(String(32))
    approver_role: Mapped[str] = mapped_column(String(100))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    items: Mapped[list] = mapped_column(JSON)  # per case: rule, what was removed, files
    document_path: Mapped[str | None] = mapped_column(String(1000))  # the berita acara PDF, relative
    document_sha256: Mapped[str | None] = mapped_column(String(64))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))


class UnreadableItem(Base):
    """An item a channel listed but we could not read: kept in the inventory and tried again."""

    __tablename__ = "unreadable_item"
    __table_args__ = (UniqueConstraint("channel_id", "external_id", name="uq_unreadable_channel_external"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id"))
    external_id: Mapped[str | None] = mapped_column(String(128))  # None when even the id was unreadable
    thread_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    excerpt: Mapped[str] = mapped_column(Text)
    check_run_id: Mapped[int | None] = mapped_column(ForeignKey("check_run.id"))
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_tried_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    outcome: Mapped[str | None] = mapped_column(String(16))  # read (a case now) | gone (deleted on the platform)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))  # the case, once read

    channel: Mapped[Channel] = relationship()


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
