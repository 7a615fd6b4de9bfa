"""What every channel connector speaks: one comment shape, one error family, one interface.

Platform JSON never leaves its connector module; the rest of Tanggap sees only these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


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
    text: str  # plain text, entities unescaped
    link: str | None
    posted_at: datetime  # aware, UTC
    raw: dict  # the platform's item as received


@dataclass(frozen=True)
class Listing:
    """The result of one incremental listing."""

    comments: list[IncomingComment]
    cursor: dict  # where the next listing starts; stored only after the comments are
    problems: list[str] = field(default_factory=list)  # items that could not be read


@dataclass(frozen=True)
class PublishedReply:
    external_id: str
    link: str | None


class ChannelError(Exception):
    """A platform call failed. `reason` is the Indonesian sentence operations read."""

    reason = "Kanal mengembalikan galat"
    transient = False

    def __init__(self, detail: str, *, retry_after: float | None = None):
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
    can_hide: bool  # whether `hide` works on any comment the connector lists

    @staticmethod
    def reply_length(text: str) -> int:
        """The reply's length as the platform counts it (bytes, weighted characters, ...)."""
        ...

    def list_new_comments(self, cursor: dict | None) -> Listing: ...

    def reply(self, to: CommentRef, text: str) -> PublishedReply: ...

    def find_our_reply(self, to: CommentRef, text: str | None = None) -> PublishedReply | None:
        """Our visible reply to `to`, if there is one (before posting, on retries, to confirm).

        Where the platform files a reply to a reply under the top-level comment (Facebook,
        Instagram, YouTube), `text` tells our answer to this comment from our other ones there.
        """
        ...

    def hide(self, to: CommentRef) -> None:
        """Hide the comment from the public (spam, abuse); the platform keeps it."""
        ...
