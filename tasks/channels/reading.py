"""Reading platform items that may be malformed: one rule for what counts as unreadable, and
one Indonesian sentence that keeps such an item in the listing's problems instead of losing it."""

from __future__ import annotations

import reprlib
from dataclasses import replace
from typing import Any, Callable, TypeVar

from .base import IncomingComment
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


def read_item(parse: Callable[[Any], T], item: Any, what: str, problems: list[str]) -> T | None:
    """`parse(item)`, or None with the reason added to `problems` when the item is unreadable.
    A comment comes back as the database can keep it (see `storable`)."""
    try:
        result = parse(item)
        return storable(result) if isinstance(result, IncomingComment) else result
    except UNREADABLE as exc:
        problems.append(unreadable(what, item, exc))
        return None


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


def unreadable(what: str, item: Any, exc: Exception) -> str:
    """'<what> tidak terbaca (<why>): <a short sample of the item>'."""
    return f"{what} tidak terbaca ({_why(exc)}): {sample(item)}"


def sample(value: Any, limit: int = 200) -> str:
    """A short, printable excerpt of any value (control characters escaped, never the whole)."""
    return strip_controls(_SAMPLE.repr(value))[:limit]


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError) and exc.args:
        return f"kolom {sample(exc.args[0], 60)} tidak ada"
    return strip_controls(f"{type(exc).__name__}: {exc}")[:160]
