"""What every channel connector speaks: one comment shape, one error family, one interface.

Platform JSON never leaves its connector module; the rest of Tanggap sees only these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from .text import strip_controls


@dataclass(frozen=True)
class CommentRef:
    """Enough to address a comment on its platform."""

    external_id: str
    thread_id: str  # the post, media, video or conversation the comment lives under
    parent_external_id: str | None = None


@dataclass(frozen=True)
class IncomingComment:
    ref: CommentRef
    author_name: str
    author_external_id: str | None
    text: str  # what the person wrote, as plain text (entities unescaped)
    link: str | None
    posted_at: datetime  # aware, UTC
    raw: dict  # the platform's item as received
    can_hide: bool = True  # the platform lets the account hide it (X: only in our own conversations)
    # Held by the platform for a moderator (WordPress "hold"): not public yet, and exactly what
    # the office must look at.
    awaiting_moderation: bool = False


@dataclass(frozen=True)
class Unreadable:
    """An item the platform listed that could not be read: kept, shown, and tried again."""

    reason: str  # Indonesian, for the inventory
    excerpt: str  # the start of the raw item
    external_id: str | None = None  # when at least the id could be read, the item can be fetched again
    thread_id: str | None = None


@dataclass(frozen=True)
class Listing:
    """The result of one incremental listing."""

    comments: list[IncomingComment]
    cursor: dict  # where the next listing starts; stored only after the comments are
    unreadable: list[Unreadable] = field(default_factory=list)  # items that could not be read
    problems: list[str] = field(default_factory=list)  # other things operations should know
    started_from: dict | None = None  # the stored cursor this listing began at (set by the caller)
    gone: list[str] = field(default_factory=list)  # ids of unreadable items the platform no longer has


@dataclass(frozen=True)
class PublishedReply:
    """A reply by our account as the platform shows it."""

    external_id: str
    link: str | None
    text: str | None = None  # as it stands on the channel (plain text)
    posted_at: datetime | None = None


class ChannelError(Exception):
    """A platform call failed. `reason` is the Indonesian sentence operations read."""

    reason = "Kanal mengembalikan galat"
    transient = False

    def __init__(self, detail: str, *, retry_after: float | None = None):
        detail = strip_controls(detail)  # it quotes platform answers, and is stored and shown
        super().__init__(detail)
        self.detail = detail
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.reason}: {self.detail}"


class AuthError(ChannelError):
    reason = "Akses ke kanal ditolak (kredensial atau izin akun resmi)"


class NotFound(ChannelError):
    reason = "Komentar atau unggahan tidak ditemukan di kanal"


class Rejected(ChannelError):
    reason = "Kanal menolak isi atau permintaan"


class Duplicate(Rejected):
    reason = "Kanal menolak karena isi yang sama sudah pernah dikirim"


class RateLimited(ChannelError):
    reason = "Batas permintaan kanal tercapai, dicoba lagi nanti"
    transient = True


class Unavailable(ChannelError):
    reason = "Kanal sedang tidak dapat dihubungi atau jawabannya rusak"
    transient = True


class QuotaLedger(Protocol):
    """Shared, persistent accounting of a channel's daily API quota (YouTube: 10,000 units a day)."""

    def spend(self, units: int, *, purpose: str) -> None:
        """Book `units` before a call; raises RateLimited when the day's budget for `purpose` is used up.

        `purpose` is "read" (polling) or "write" (replies): polling may only use part of the
        day's quota, so replies always have units left.
        """
        ...


class ChannelClient(Protocol):
    """One connector per platform. Constructed as
    `Client(config, secret, *, lookback_days=30, timeout=20.0, ledger=None)`.
    """

    kind: str
    reply_limit: int  # the most the platform accepts in one reply, measured by reply_length
    # True where a reply names exactly the comment it answers (WordPress parent, X replied_to);
    # False where replies to replies are filed under the top-level comment (Facebook,
    # Instagram, YouTube), so which of them is ours must be told by text and time.
    threads_exactly: bool

    @staticmethod
    def reply_length(text: str) -> int:
        """The reply's length as the platform counts it (bytes, weighted characters, ...)."""
        ...

    def list_new_comments(self, cursor: dict | None) -> Listing: ...

    def fetch_comment(self, external_id: str, thread_id: str | None) -> IncomingComment:
        """One comment read again by its id (an item that was unreadable in a listing)."""
        ...

    def reply(self, to: CommentRef, text: str) -> PublishedReply:
        """Post once. The platform's duplicate-content refusal is raised as `Duplicate`."""
        ...

    def our_replies(self, to: CommentRef) -> list[PublishedReply]:
        """Every visible reply of our account where an answer to `to` would stand (before posting,
        after a lost answer, to confirm). Which one answers `to` is decided by `tasks.reply_matching`."""
        ...

    def hide(self, to: CommentRef) -> None:
        """Hide the comment from the public (spam, abuse); the platform keeps it."""
        ...
