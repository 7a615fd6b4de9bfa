"""One Jinja environment for every template a person reads: replies, forms, records."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from tanggap.dates import tanggal
from tanggap.settings import TEMPLATES_DIR

# Characters Markdown would read as markup; `&`, `<` and `>` become entities so no HTML gets through.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


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


def waktu(value: datetime | None) -> str:
    """A moment as Indonesian officials write it, in WIB."""
    if value is None:
        return "-"
    return tanggal(value)


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
    env.filters.update(md=markdown_escape, mdquote=markdown_quote, mdlink=markdown_link, waktu=waktu)
    return env


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context).strip() + "\n"
