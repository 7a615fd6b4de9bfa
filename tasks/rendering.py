"""One Jinja environment for every template a person reads: replies, forms, records."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tanggap.dates import clock_time, tanggal
from tanggap.settings import TEMPLATES_DIR

# Characters Markdown would read as markup; `&`, `<` and `>` become entities so no HTML gets through.
# ":" too: an escaped "https\://" is no autolink, and GFM's autolinks would keep the other
# escapes' backslashes inside the link they make.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~:])")


def markdown_escape(value) -> str:
    """Untrusted text as literal inline Markdown: no links, emphasis, HTML, headings or line breaks."""
    text = " ".join(str(value).split()).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_quote(value) -> str:
    """Untrusted multi-line text as an escaped Markdown block quote."""
    return "\n".join("> " + markdown_escape(line) if line else ">" for line in str(value).split("\n"))


def markdown_link(url) -> str:
    """A platform link as a Markdown autolink, only for http(s); anything else as plain text."""
    url = str(url)
    if re.fullmatch(r"https?://[^\s<>\"]+", url):
        return f"<{url}>"
    return markdown_escape(url)


# In a table cell these would end the cell, start markup or HTML; they become look-alikes so the
# text reads the same and no backslash or entity shows (some renderers print escapes in tables).
_CELL_LOOKALIKES = str.maketrans({"|": "¦", "<": "‹", ">": "›", "[": "(", "]": ")", "*": "∗", "_": " ",
                                  "`": "'", "\\": "/", "~": "∼"})


def markdown_cell(value, limit: int | None = None) -> str:
    """Untrusted text for one Markdown table cell: one line, no markup, no escape characters."""
    text = " ".join(str(value).split())
    if limit is not None and len(text) > limit:
        text = text[:limit - 1] + "…"
    return text.translate(_CELL_LOOKALIKES).replace("&", "&\u200b")  # "&amp;" stays five characters


def markdown_href(url, text: str) -> str:
    """A Markdown link with `text` to an http(s) URL; empty for anything else."""
    url = str(url or "")
    if re.fullmatch(r"https?://[^\s<>\"]+", url):
        return f"[{markdown_escape(text)}](<{url}>)"
    return ""


def shorten(value, limit: int = 500) -> str:
    """Text cut at a word before `limit` characters, marked with an ellipsis when cut."""
    text = str(value)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def waktu(value: datetime | None) -> str:
    """A moment as Indonesian officials write it, in WIB."""
    if value is None:
        return "-"
    return tanggal(value)


def jam(value: datetime | None, now: datetime | None = None) -> str:
    """A deadline as a clock time in WIB ("19.50 WIB"), with the date when it is not today."""
    return clock_time(value, now) if value is not None else "-"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        # Only HTML is escaped by Jinja; Markdown templates escape with the `md`/`mdquote` filters.
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=markdown_escape, mdquote=markdown_quote, mdlink=markdown_link, waktu=waktu, jam=jam,
                       mdhref=markdown_href, shorten=shorten, cell=markdown_cell)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context).strip() + "\n"
