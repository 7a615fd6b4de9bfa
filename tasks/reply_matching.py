"""Which reply of ours on the channel answers a case: the one rule for looking before posting,
after a lost answer, and when confirming.

No platform has idempotency keys, so a reply is recognised by where it stands (parent or
thread), its author (our account), its text and its time (after our intent). A reply already
recorded for another case is never taken. More than one candidate is a question for a person,
not a guess.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from .channels.base import PublishedReply
from .channels.text import clean_text
from .failures import AmbiguousReply

# Our clock and the platform's may differ a little; a reply this much "before" our intent still counts.
CLOCK_TOLERANCE = timedelta(minutes=2)


def same_text(a: str, b: str) -> bool:
    """Equal as a reader sees them: Unicode normalised, whitespace runs collapsed."""
    return " ".join(clean_text(a).split()) == " ".join(clean_text(b).split())


def pick_our_reply(candidates: list[PublishedReply], *, text: str, intent_at: datetime, threads_exactly: bool,
                   taken: set[str]) -> PublishedReply | None:
    """Our reply to the case among `candidates` (our replies where its answer would stand).

    Where the platform threads exactly, any reply of ours under the comment answers it — also one
    typed there by hand. Elsewhere replies to several comments share the top-level thread, so
    only a reply with the approved text, posted after our intent, counts.
    """
    free = [c for c in candidates if c.external_id not in taken]
    if threads_exactly:
        matches = free
    else:
        since = intent_at - CLOCK_TOLERANCE
        matches = [c for c in free if c.text is not None and same_text(c.text, text)
                   and (c.posted_at is None or c.posted_at >= since)]
    if len(matches) > 1:
        ids = ", ".join(m.external_id for m in matches)
        raise AmbiguousReply(f"{len(matches)} balasan akun resmi cocok ({ids}); pilih yang benar di kanal, "
                             "lalu tutup atau coba lagi kasus ini")
    return matches[0] if matches else None
