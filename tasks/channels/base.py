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


class ChannelClient(Protocol):
    kind: str
    reply_limit: int  # the most the platform accepts in one reply, measured by reply_length

    @staticmethod
    def reply_length(text: str) -> int:
        """The reply's length as the platform counts it (bytes, weighted characters, ...)."""
        ...

    def list_new_comments(self, cursor: dict | None) -> Listing: ...

    def reply(self, to: CommentRef, text: str) -> PublishedReply: ...

    def find_our_reply(self, to: CommentRef) -> PublishedReply | None:
        """Our visible reply under `to`, if there is one (for retries and confirmation)."""
        ...
