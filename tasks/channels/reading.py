"""Reading platform items that may be malformed: one rule for what counts as unreadable, and
one Indonesian sentence that keeps such an item in the listing's problems instead of losing it."""

from __future__ import annotations

import reprlib
from typing import Any, Callable, TypeVar

from .text import strip_controls

T = TypeVar("T")

# What a parser raises on an item of the wrong shape: a missing key, a wrong type, a bad number
# or date, a date out of range. Anything else escaping a parser is a bug in the parser.
UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError)

# Bounded in depth, width and string length: an item may be deeply nested or megabytes long.
_SAMPLE = reprlib.Repr()
_SAMPLE.maxlevel, _SAMPLE.maxdict, _SAMPLE.maxlist, _SAMPLE.maxstring, _SAMPLE.maxother = 3, 12, 6, 60, 60


def read_item(parse: Callable[[Any], T], item: Any, what: str, problems: list[str]) -> T | None:
    """`parse(item)`, or None with the reason added to `problems` when the item is unreadable."""
    try:
        return parse(item)
    except UNREADABLE as exc:
        problems.append(unreadable(what, item, exc))
        return None


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
