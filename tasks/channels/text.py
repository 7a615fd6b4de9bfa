"""Turning platform text into what a person reads, safely."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

_BLOCK_TAGS = {"p", "div", "blockquote", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "pre"}
# C0/C1 controls other than tab and newline: PostgreSQL refuses NUL, and none of them is text.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone UTF-16 surrogates (a JSON escape such as "\ud800" with no partner) cannot be encoded as UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        # Line breaks in HTML source are just spaces; <br> and blocks make the real ones.
        self.parts.append(data.replace("\r", " ").replace("\n", " "))


def strip_controls(text: str) -> str:
    """Control characters dropped and lone surrogates replaced: text any database can store."""
    return _SURROGATE.sub("\ufffd", _CONTROL.sub("", text))


def clean_text(text: str) -> str:
    """Normalise Unicode (NFC), drop control characters and lone surrogates, tidy blank lines."""
    text = strip_controls(unicodedata.normalize("NFC", text.replace("\r\n", "\n")))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str) -> str:
    """Rendered HTML to plain text: tags dropped (their text kept), entities unescaped."""
    parser = _TextCollector()
    parser.feed(html)
    parser.close()
    return clean_text("".join(parser.parts))


def excerpt(text: str, limit: int = 120) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
