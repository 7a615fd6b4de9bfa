"""Reading platform items that may be malformed: one rule for what counts as unreadable, and
one `Unreadable` (an Indonesian reason, a sample, the id when there is one) that keeps such an
item in the inventory instead of losing it, to be fetched again by a later check."""

from __future__ import annotations

import reprlib
from dataclasses import replace
from typing import Any, Callable, TypeVar

from .base import IncomingComment, Unavailable, Unreadable
from .text import strip_controls

T = TypeVar("T")

# What a parser raises on an item of the wrong shape: a missing key, a wrong type, a bad number
# or date, a date out of range. Anything else escaping a parser is a bug in the parser.
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError)

# Bounded in depth, width and string length: an item may be deeply nested or megabytes long.
_SAMPLE = reprlib.Repr()
_SAMPLE.maxlevel, _SAMPLE.maxdict, _SAMPLE.maxlist, _SAMPLE.maxstring, _SAMPLE.maxother = 3, 12, 6, 60, 60

# The comment table's columns (db/models.py; tests/unit/test_reading.py keeps them equal).
ID_LIMIT, NAME_LIMIT, LINK_LIMIT = 128, 300, 1000


def read_item(parse: Callable[[Any], T], item: Any, what: str, skipped: list[Unreadable], *,
              thread_id: str | None = None) -> T | None:
    """`parse(item)`, or None with an `Unreadable` added to `skipped` when the item is unreadable.
    A comment comes back as the database can keep it (see `storable`)."""
    try:
        result = parse(item)
        return storable(result) if isinstance(result, IncomingComment) else result
    except UNREADABLE as exc:
        skipped.append(unreadable(what, item, exc, thread_id=thread_id))
        return None


def read_again(parse: Callable[[Any], T], item: Any, what: str) -> T:
    """`parse(item)` for an item fetched again by its id; still unreadable is Unavailable (tried later)."""
    skipped: list[Unreadable] = []
    result = read_item(parse, item, what, skipped)
    if result is None:
        raise Unavailable(f"{skipped[0].reason}, masih")
    return result


def checked_id(value: Any) -> str:
    """A platform id as text; ValueError/TypeError unless it is a short, printable string or integer."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"id bukan teks atau bilangan: {sample(value, 60)}")
    text = str(value)
    if not text or len(text) > ID_LIMIT or text.strip() != text or strip_controls(text) != text:
        raise ValueError(f"id tidak wajar: {sample(text, 60)}")
    return text


def storable(comment: IncomingComment) -> IncomingComment:
    """The comment as the database keeps it: ids checked, text without control characters,
    the name fitted to its column, a link that does not fit (or is no text) dropped."""
    for value in (comment.ref.external_id, comment.ref.thread_id, comment.ref.parent_external_id,
                  comment.author_external_id):
        if value is not None:
            checked_id(value)
    name = strip_controls(comment.author_name).strip()[:NAME_LIMIT] or "(tanpa nama)"
    link = comment.link if isinstance(comment.link, str) and len(comment.link) <= LINK_LIMIT else None
    link = link if link is None or strip_controls(link) == link else None
    return replace(comment, author_name=name, text=strip_controls(comment.text), link=link)


def unreadable(what: str, item: Any, exc: Exception | None = None, *, thread_id: str | None = None) -> Unreadable:
    """'<what> tidak terbaca (<why>)', a short sample, and the item's id when it has a usable one."""
    raw_id = item.get("id") if isinstance(item, dict) else None
    try:
        external_id = checked_id(raw_id)
    except (TypeError, ValueError):
        external_id = None
    why = f" ({_why(exc)})" if exc is not None else ""
    return Unreadable(reason=f"{what} tidak terbaca{why}", excerpt=sample(item, 300), external_id=external_id,
                      thread_id=thread_id)


def sample(value: Any, limit: int = 200) -> str:
    """A short, printable excerpt of any value (control characters escaped, never the whole)."""
    return strip_controls(_SAMPLE.repr(value))[:limit]


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return f"kolom {sample(exc.args[0], 60)} tidak ada"
    return strip_controls(f"{type(exc).__name__}: {exc}")[:160]
