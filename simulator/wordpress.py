"""WordPress REST API (core wp/v2) simulator: site state, WordPress's rendering quirks, HTTP server.

Follows /work/shared/reference/channel-apis.md section 1 and, where that is silent, WordPress
core itself (class-wp-rest-comments-controller.php, wp_allow_comment, kses, wptexturize,
wpautop). Checked against a real WordPress 6.1 by tests/integration/test_wordpress_site_contract.py.
Quirks kept on purpose, because the real site has them:

- ``after``/``before`` compare with the comment's *local* date, exclusive, to the second.
- A page past the end of the comments list is ``[]`` with 200; for posts it is a 400.
- Comments are filtered when saved, not when shown: kses for authors without unfiltered_html
  (visitors; editors keep their markup), rel="nofollow ugc" on links, author names escaped.
- ``content.rendered`` is HTML (make_clickable, wptexturize, smilies to emoji, wpautop);
  ``&`` becomes ``&#038;``, quotes become curly entities.
- Sending ``author_name``/``author_email``/``author_url`` with a POST makes WordPress skip the
  authenticated user: the comment is then *not* attributed to the account (author 0); a name
  without an e-mail is refused (require_name_email).
- A wrong application password is not a 401: the request goes on as a visitor's.
- URLs handed out (Link, Location, ``_links``) follow the site's permalink setting.
- The duplicate check is case-insensitive (MySQL collation) and the 65,525 limit counts bytes;
  visitors are throttled (15 s between comments), moderators never.
- ``author``/``status`` filters need a logged-in editor; a parent comment is not validated,
  nor its status: a reply under a held comment is accepted.
- JSON escapes ``/`` and non-ASCII like PHP's json_encode does.

The handler, server, fault table, control route and state file come from simulator/common.py.
"""

from __future__ import annotations

import base64
import hashlib
import html
import html.entities
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable
from urllib.parse import parse_qsl, quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from simulator.common import JsonHandler, SimulatorBase, SiteBase, tanggal

MAX_COMMENT_BYTES = 65_525  # TEXT column (65,535 bytes) minus 10; WordPress counts bytes ('8bit')
FLOOD_SECONDS = 15
# "rate_limit" is the platform's own rate-limit signal, the same mode name on every simulator.
# "malformed_item": the last item of a list loses fields, as a broken plugin's filter might leave it.
FAULT_MODES = ("http500", "http429", "rate_limit", "timeout", "garbage", "malformed_item", "post_then_500",
               "post_then_timeout")
_POST_ONLY_FAULTS = ("post_then_500", "post_then_timeout")


# --------------------------------------------------------------------------------------------
# Rendering: what WordPress's `comment_text` filters do to the stored content
# --------------------------------------------------------------------------------------------

# kses $allowedtags: what a visitor (no unfiltered_html) may keep, plus p and br.
_KSES_ALLOWED = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "acronym": {"title"},
    "b": set(),
    "blockquote": {"cite"},
    "br": set(),
    "cite": set(),
    "code": set(),
    "del": {"datetime"},
    "em": set(),
    "i": set(),
    "p": set(),
    "q": {"cite"},
    "s": set(),
    "strike": set(),
    "strong": set(),
}
_URL_ATTRIBUTES = {"href", "cite"}
_SAFE_PROTOCOLS = {"http", "https", "ftp", "ftps", "mailto", "news", "irc", "tel", "sms"}
_VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed", "wbr"}
_KSES_SPLIT = re.compile(r"<!--.*?(?:-->|$)|<[^>]*(?:>|$)|>", re.S)
_KSES_ELEMENT = re.compile(r"^<\s*(/\s*)?([a-zA-Z0-9-]+)([^>]*)>?$", re.S)
_ATTRIBUTE = re.compile(
    r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?"""
)


def _valid_entity(match: re.Match) -> str:
    name = match.group(1)
    if name.startswith("#") or f"{name};" in html.entities.html5:
        return match.group(0)
    return "&amp;" + match.group(0)[1:]


def _normalize_entities(text: str) -> str:
    """Escape every '&' that does not start a known entity (wp_kses_normalize_entities)."""
    text = re.sub(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)", "&amp;", text)
    return re.sub(r"&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);", _valid_entity, text)


def _url_is_safe(value: str) -> bool:
    scheme = re.match(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):", html.unescape(value))
    return scheme is None or scheme.group(1).lower() in _SAFE_PROTOCOLS


def _kses_attributes(element: str, raw_attributes: str) -> str:
    allowed = _KSES_ALLOWED[element.lower()]
    kept = []
    for name, double, single, bare in _ATTRIBUTE.findall(raw_attributes):
        name = name.lower()
        value = double or single or bare
        if name not in allowed or (name in _URL_ATTRIBUTES and not _url_is_safe(value)):
            continue
        kept.append(f' {name}="{html.escape(html.unescape(value), quote=True)}"')
    closing_slash = " /" if raw_attributes.rstrip().endswith("/") else ""
    return "".join(kept) + closing_slash


def _kses_piece(piece: str) -> str:
    # Mirrors wp_kses_split2: anything starting with '<' that is not an allowed element goes,
    # including plain text such as "nilai < 5 ..." up to the next '>' (a real WordPress quirk).
    if piece == ">":
        return "&gt;"
    if piece.startswith("<!--"):
        return ""
    match = _KSES_ELEMENT.match(piece)
    if not match or match.group(2).lower() not in _KSES_ALLOWED:
        return ""
    slash, element, attributes = match.groups()
    if slash:
        return f"</{element}>"
    return f"<{element}{_kses_attributes(element, attributes)}>"


def kses(text: str) -> str:
    """Strip what a visitor may not post, keeping the text between tags (wp_filter_kses)."""
    text = _normalize_entities(text.replace("\x00", ""))
    return _KSES_SPLIT.sub(lambda m: _kses_piece(m.group(0)), text)


_URL_CHAR = "[\\w\u0080-\U0010ffff#%~/@\\[\\]*(+=&$-]"
_CLICKABLE_URL = re.compile(
    r"([\s(<.,;:!?])"
    rf"(\w{{1,20}}+://(?=\S{{1,2000}}\s){_URL_CHAR}*+(?:['.,;:!?)]{_URL_CHAR}++)*)"
    r"(\)?)"
)
_CLICKABLE_WWW = re.compile(r"([\s>])((?:www|ftp)\.[\w\u0080-\U0010ffff#$%&~/.\-;:=,?@\[\]+]+)", re.I)
_CLICKABLE_EMAIL = re.compile(r"([\s>])([.0-9a-z_+-]+)@(([0-9a-z-]+\.)+[0-9a-z]{2,})", re.I)
_SKIP_LINKING = re.compile(r"^<(code|pre|script|style)[\s>]", re.I)


def _esc_url(url: str) -> str:
    # esc_url for display: normalize entities, then spell every ampersand as &#038;
    url = re.sub(r"[^a-z0-9\-~+_.?#=!&;,/:%@$|*'()\[\]\u0080-\U0010ffff]", "", url.replace(" ", "%20"), flags=re.I)
    return _normalize_entities(url).replace("&amp;", "&#038;").replace("'", "&#039;")


def _link(prefix: str, url: str, suffix: str) -> str:
    # WordPress 6.2+ marks links in comments as external and user-generated.
    return f'{prefix}<a href="{_esc_url(url)}" rel="nofollow ugc">{_esc_url(url)}</a>{suffix}'


def _linkify_url(match: re.Match) -> str:
    url, suffix = match.group(2), match.group(3)
    if suffix == ")" and "(" in url:
        url, suffix = url + suffix, ""
    while url.count("(") < url.count(")"):
        cut = url.rindex(")")
        url, suffix = url[:cut], url[cut:] + suffix
    return _link(match.group(1), url, suffix)


def _linkify_www(match: re.Match) -> str:
    url, trailing = "http://" + match.group(2), ""
    if url[-1] in ".,;:)":
        url, trailing = url[:-1], url[-1]
    return _link(match.group(1), url, trailing)


def _linkify_email(match: re.Match) -> str:
    email = f"{match.group(2)}@{match.group(3)}"
    return f'{match.group(1)}<a href="mailto:{email}">{email}</a>'


def make_clickable(text: str) -> str:
    """Turn bare URLs, www. hosts and e-mail addresses in text into links (make_clickable)."""
    out, depth = [], 0
    for piece in re.split(r"(<[^<>]+>)", text):
        if _SKIP_LINKING.match(piece):
            depth += 1
        elif depth and piece.lower() in ("</code>", "</pre>", "</script>", "</style>"):
            depth -= 1
        if depth or not piece or piece.startswith("<"):
            out.append(piece)
            continue
        padded = f" {piece} "
        padded = _CLICKABLE_URL.sub(_linkify_url, padded)
        padded = _CLICKABLE_WWW.sub(_linkify_www, padded)
        padded = _CLICKABLE_EMAIL.sub(_linkify_email, padded)
        out.append(padded[1:-1])
    joined = "".join(out)
    return re.sub(r"(<a([ \r\n\t]+[^>]+?>|>))<a [^>]+?>([^>]+?)</a></a>", r"\1\3</a>", joined, flags=re.I)


# wptexturize placeholders (WordPress uses HTML comments; these never occur in real text).
_OPEN_SQ, _APOS, _OPEN_DQ, _PRIME_FLAG = "\ue000", "\ue001", "\ue002", "\ue003"
_SP = r"[\r\n\t \xa0]"
_AFTER_SPACE = rf"(?:^|(?<={_SP})|(?<=&nbsp;))"
_NO_TEXTURIZE = {"pre", "code", "kbd", "style", "script", "tt"}


def _texturize_primes(text: str, needle: str, prime: str, open_flag: str, close_quote: str) -> str:
    """Port of wptexturize_primes: decide between closing quotes and primes (5' 10")."""
    quote_pattern = re.compile(re.escape(needle) + rf"(?=\Z|[.,:;!?)}}\-\]]|&gt;|{_SP}|&nbsp;)")
    prime_pattern = re.compile(rf"(?<=\d){re.escape(needle)}")
    sentences = text.split(open_flag)
    for index, sentence in enumerate(sentences):
        if needle not in sentence:
            continue
        if index and close_quote not in sentence:
            sentence, count = quote_pattern.subn(_PRIME_FLAG, sentence)
            if count > 1:
                sentence, replaced = re.subn(rf"(?<!\d){_PRIME_FLAG}", close_quote, sentence)
                if not replaced:
                    anchor = f"{_PRIME_FLAG}."
                    pos = sentence.rfind(anchor) if anchor in sentence else sentence.rfind(_PRIME_FLAG)
                    sentence = sentence[:pos] + close_quote + sentence[pos + 1 :]
                sentence = prime_pattern.sub(prime, sentence)
                sentence = re.sub(rf"(?<=\d){_PRIME_FLAG}", prime, sentence)
                sentence = sentence.replace(_PRIME_FLAG, close_quote)
            elif count == 1:
                sentence = prime_pattern.sub(prime, sentence.replace(_PRIME_FLAG, close_quote))
            else:
                sentence = prime_pattern.sub(prime, sentence)
        else:
            sentence = quote_pattern.sub(close_quote, prime_pattern.sub(prime, sentence))
        if needle == '"':
            sentence = sentence.replace('"', close_quote)
        sentences[index] = sentence
    return open_flag.join(sentences)


def _texturize_text(text: str) -> str:
    for plain, fancy in (("...", "&#8230;"), ("``", "&#8220;"), ("''", "&#8221;"), (" (tm)", " &#8482;")):
        text = text.replace(plain, fancy)
    if "'" in text:
        text = re.sub(r"'(?=\d\d(?:\Z|(?![%\d]|[.,]\d)))", _APOS, text)
        text = re.sub(rf"{_AFTER_SPACE}'(\d[.,\d]*)'", _OPEN_SQ + r"\1&#8217;", text)
        text = re.sub(rf"(?:^|(?<=[(\[{{\"\-])|(?<=&lt;)|(?<={_SP})|(?<=&nbsp;))'", _OPEN_SQ, text)
        text = re.sub(
            rf"(?<!{_SP})(?<!&nbsp;)'(?!\Z|[.,:;!?\"'(){{}}\[\]\-]|&[lg]t;|{_SP}|&nbsp;)", _APOS, text
        )
        text = _texturize_primes(text, "'", "&#8242;", _OPEN_SQ, "&#8217;")
        text = text.replace(_APOS, "&#8217;").replace(_OPEN_SQ, "&#8216;")
    if '"' in text:
        text = re.sub(rf'{_AFTER_SPACE}"(\d[.,\d]*)"', _OPEN_DQ + r"\1&#8221;", text)
        text = re.sub(rf'(?:^|(?<=[(\[{{\-])|(?<=&lt;)|(?<={_SP})|(?<=&nbsp;))"(?!{_SP}|&nbsp;)', _OPEN_DQ, text)
        text = _texturize_primes(text, '"', "&#8243;", _OPEN_DQ, "&#8221;")
        text = text.replace(_OPEN_DQ, "&#8220;")
    if "-" in text:
        text = text.replace("---", "&#8212;")
        text = re.sub(rf"{_AFTER_SPACE}--(?=$|{_SP}|&nbsp;)", "&#8212;", text)
        text = re.sub(r"(?<!xn)--", "&#8211;", text)
        text = re.sub(rf"{_AFTER_SPACE}-(?=$|{_SP}|&nbsp;)", "&#8211;", text)
    if re.search(r"(?<=\d)x\d", text):
        text = re.sub(r"\b(\d[\d.,]*)x(\d[\d.,]*)\b", r"\1&#215;\2", text)
    return re.sub(r"&(?!#(?:\d+|x[a-f0-9]+);|[a-z1-4]{1,8};)", "&#038;", text, flags=re.I)


def wptexturize(text: str) -> str:
    """Curly quotes, dashes, ellipses and '&#038;' in text, never inside tags or <code>."""
    out, skip = [], 0
    for index, piece in enumerate(re.split(r"(<!--.*?-->|<[^>]*>)", text, flags=re.S)):
        if index % 2:
            tag = re.match(r"<(/?)([a-zA-Z0-9]+)", piece)
            if tag and tag.group(2).lower() in _NO_TEXTURIZE:
                skip = max(0, skip + (-1 if tag.group(1) else 1))
            out.append(piece)
        else:
            out.append(piece if skip or not piece else _texturize_text(piece))
    return "".join(out)


# WordPress maps text smilies to emoji characters (use_smilies is on by default).
_SMILIES = {
    ":neutral:": "\U0001f610", ":twisted:": "\U0001f608", ":arrow:": "\u27a1",
    ":shock:": "\U0001f62f", ":smile:": "\U0001f642", ":???:": "\U0001f615", ":cool:": "\U0001f60e",
    ":evil:": "\U0001f47f", ":grin:": "\U0001f600", ":idea:": "\U0001f4a1", ":oops:": "\U0001f633",
    ":razz:": "\U0001f61b", ":roll:": "\U0001f644", ":wink:": "\U0001f609", ":cry:": "\U0001f625",
    ":eek:": "\U0001f62e", ":lol:": "\U0001f606", ":mad:": "\U0001f621", ":sad:": "\U0001f641",
    "8-)": "\U0001f60e", "8-O": "\U0001f62f", ":-(": "\U0001f641", ":-)": "\U0001f642", ":-?": "\U0001f615",
    ":-D": "\U0001f600", ":-P": "\U0001f61b", ":-o": "\U0001f62e", ":-x": "\U0001f621", ":-|": "\U0001f610",
    ";-)": "\U0001f609", "8O": "\U0001f62f", ":(": "\U0001f641", ":)": "\U0001f642", ":?": "\U0001f615",
    ":D": "\U0001f600", ":P": "\U0001f61b", ":o": "\U0001f62e", ":x": "\U0001f621", ":|": "\U0001f610",
    ";)": "\U0001f609", ":!:": "\u2757", ":?:": "\u2753",
}
_SMILEY_PATTERN = re.compile(
    rf"(?:^|(?<={_SP})|(?<=&nbsp;))("
    + "|".join(re.escape(s) for s in sorted(_SMILIES, key=len, reverse=True))
    + rf")(?=$|{_SP}|&nbsp;)",
    re.M,
)
_NO_SMILIES = re.compile(r"^<(/?)(code|pre|style|script|textarea)[\s>]", re.I)


def convert_smilies(text: str) -> str:
    out, inside = [], None
    for piece in re.split(r"(<[^>]*>)", text):
        tag = _NO_SMILIES.match(piece)
        if tag:
            inside = None if tag.group(1) else tag.group(2).lower()
        elif inside is None and piece and not piece.startswith("<"):
            piece = _SMILEY_PATTERN.sub(lambda m: _SMILIES[m.group(1)], piece)
        out.append(piece)
    return "".join(out)


def force_balance_tags(text: str) -> str:
    """Close what is left open and drop stray closing tags, so one comment cannot break a page."""
    out, stack = [], []
    for index, piece in enumerate(re.split(r"(<[^>]*>)", text)):
        tag = re.match(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(/?)>$", piece) if index % 2 else None
        if not tag:
            out.append(piece)
            continue
        closing, name, self_closing = tag.group(1), tag.group(2).lower(), tag.group(3)
        if not closing:
            if name not in _VOID_TAGS and not self_closing:
                stack.append(name)
            out.append(piece)
        elif name in stack:
            while stack:
                opened = stack.pop()
                out.append(f"</{opened}>")
                if opened == name:
                    break
    out.extend(f"</{name}>" for name in reversed(stack))
    return "".join(out)


_ALLBLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre"
    r"|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section"
    r"|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)"
)


def wpautop(text: str) -> str:
    """Port of wpautop: blank lines make paragraphs, single newlines become <br />."""
    if not text.strip():
        return ""
    text += "\n"
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{_ALLBLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{_ALLBLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"<[^>]*>", lambda m: m.group(0).replace("\n", " <!-- wpnl --> "), text)
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.I)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{_ALLBLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{_ALLBLOCKS}[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    return text.replace(" <!-- wpnl --> ", "\n").replace("<!-- wpnl -->", "\n")


def render_comment_html(raw: str) -> str:
    """`content.rendered` as WordPress builds it from the stored content.

    No kses here: WordPress filters a comment when it is saved (see `filter_comment_content`),
    so what a trusted hand stored, a <script> included, is shown as stored.
    """
    text = make_clickable(raw)
    text = wptexturize(text)
    text = text.replace("<br>", "<br />").replace("<hr>", "<hr />")  # convert_chars
    text = convert_smilies(text)
    text = force_balance_tags(text)
    return wpautop(text)


_A_TAG = re.compile(r"<a (.+?)>", re.I)


def _rel_ugc(tag: re.Match, home_host: str) -> str:
    """wp_rel_callback: links off the site get rel="nofollow ugc", merged into an existing rel."""
    inner = tag.group(1)
    attributes = {name.lower(): double or single or bare for name, double, single, bare in _ATTRIBUTE.findall(inner)}
    href = urlsplit(html.unescape(attributes.get("href", "")))
    if href.scheme.lower() in ("http", "https") and (href.hostname or "") == home_host.lower():
        return tag.group(0)
    rel = "nofollow ugc"
    if "rel" in attributes:
        parts = list(dict.fromkeys(attributes.pop("rel").split() + rel.split()))
        rel = " ".join(parts)
        inner = " ".join(f'{name}="{html.escape(value, quote=True)}"' for name, value in attributes.items())
    return f'<a {inner} rel="{rel}">'


def filter_comment_content(content: str, *, unfiltered: bool, base_url: str) -> str:
    """pre_comment_content: kses for authors without unfiltered_html, then wp_rel_ugc for all."""
    home_host = urlsplit(base_url).hostname or ""
    return _A_TAG.sub(lambda tag: _rel_ugc(tag, home_host), content if unfiltered else kses(content))


def filter_author_name(name: str) -> str:
    """pre_comment_author_name: tags and extra whitespace gone, then & < > as entities."""
    text = re.sub(r"<[^>]*>", "", re.sub(r"<(script|style)[^>]*?>.*?</\1>", "", name, flags=re.S | re.I))
    text = " ".join(text.split())
    return re.sub(r"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)", "&amp;", text).replace(
        "<", "&lt;").replace(">", "&gt;")


# --------------------------------------------------------------------------------------------
# Site state
# --------------------------------------------------------------------------------------------

_STATUS_LABELS = {"approve": "approved", "hold": "hold", "spam": "spam", "trash": "trash"}


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


class WordPressSite(SiteBase):
    """One WordPress site in memory: users, posts, comments, and injected faults."""

    default_fault_methods = ("GET", "POST")

    def __init__(self, timezone: str = "Asia/Jakarta", title: str = "BBPP Ketindan",
                 pretty_permalinks: bool = True) -> None:
        super().__init__(FAULT_MODES, _POST_ONLY_FAULTS)
        self.tz = ZoneInfo(timezone)
        # The site's permalink setting decides the form of every URL it hands out (Link,
        # Location, _links), whichever form the request used.
        self.pretty_permalinks = pretty_permalinks
        self.timezone_name = timezone
        self.title = title
        self.description = "Balai Besar Pelatihan Pertanian Ketindan"
        self._users: dict[int, dict] = {}
        self._posts: dict[int, dict] = {}
        self._comments: dict[int, dict] = {}
        # Comment ids a broken plugin filter mangles in list responses (single GETs stay whole).
        self.broken_in_listings: set[int] = set()
        self._next_post_id = 101
        self._next_comment_id = 401

    # -- users ---------------------------------------------------------------------------

    def add_user(
        self,
        user_id: int,
        username: str,
        name: str,
        app_password: str | None = None,
        can_moderate: bool = False,
        email: str | None = None,
        url: str = "",
    ) -> int:
        """Register a user; `app_password` is its application password (spaces optional)."""
        with self.lock:
            self._users[user_id] = {
                "id": user_id,
                "username": username,
                "name": name,
                "email": email or f"{username}@bbppketindan.bppsdmp.pertanian.go.id",
                "url": url,
                "app_password": _normalize_app_password(app_password) if app_password else None,
                "can_moderate": can_moderate,
            }
            return user_id

    def user(self, user_id: int) -> dict | None:
        with self.lock:
            found = self._users.get(user_id)
            return dict(found) if found else None

    def authenticate(self, username: str, password: str) -> dict | None:
        """The user an application password belongs to, or None.

        WordPress 6.1 notes a failed application password only after the REST API has asked for
        authentication errors, so wrong credentials are not a 401 "incorrect_password": the
        request simply goes on as a visitor's (checked against a real WordPress).
        """
        with self.lock:
            user = next((u for u in self._users.values() if username in (u["username"], u["email"])), None)
            if user is None or not user["app_password"] or user["app_password"] != _normalize_app_password(password):
                return None
            return dict(user)

    # -- posts ---------------------------------------------------------------------------

    def add_post(
        self,
        title: str,
        slug: str,
        content: str,
        date: datetime | None = None,
        comments_open: bool = True,
        author: int = 0,
    ) -> int:
        """Publish a post and return its id; `date` is an aware datetime (default now)."""
        with self.lock:
            post_id = self._next_post_id
            self._next_post_id += 1
            self._posts[post_id] = {
                "id": post_id,
                "title": title,
                "slug": slug,
                "content": content,
                "date_gmt": self._to_utc(date),
                "comments_open": comments_open,
                "author": author,
            }
            return post_id

    def set_comments_open(self, post_id: int, comments_open: bool) -> None:
        with self.lock:
            self._posts[post_id]["comments_open"] = comments_open

    @property
    def posts(self) -> list[dict]:
        with self.lock:
            return [self._public_record(p) for p in sorted(self._posts.values(), key=lambda p: p["id"])]

    def post_link(self, post: dict) -> str:
        if not self.pretty_permalinks:
            return f"{self.base_url}/?p={post['id']}"
        return f"{self.base_url}/berita/{post['slug']}/"

    def rest_url(self, route: str, query: list[tuple[str, str]] | None = None) -> str:
        """rest_url(), plus add_query_arg(urlencode_deep(query)) when there is a query.

        Pretty permalinks: /wp-json/<route>, the query as given (a request's own rest_route
        parameter rides along, encoded). Plain: index.php?rest_route=<route>, raw when alone,
        encoded once other parameters are added.
        """
        if self.pretty_permalinks:
            suffix = "?" + urlencode(query, quote_via=quote, safe="") if query else ""
            return f"{self.base_url}/wp-json{route}{suffix}"
        if not query:
            return f"{self.base_url}/index.php?rest_route={route}"
        rest = [(k, v) for k, v in query if k != "rest_route"]
        return f"{self.base_url}/index.php?" + urlencode([("rest_route", route), *rest], quote_via=quote, safe="")

    # -- comments ------------------------------------------------------------------------

    def add_comment(
        self,
        post_id: int,
        author_name: str,
        content: str,
        parent: int = 0,
        user_id: int = 0,
        date: datetime | None = None,
        status: str = "approve",
        author_email: str = "",
        author_url: str = "",
        author_ip: str = "127.0.0.1",
        author_user_agent: str = "",
    ) -> int:
        """Store a comment as given (raw content) and return its id; `date` defaults to now."""
        if status not in _STATUS_LABELS:
            raise ValueError(f"status must be one of {sorted(_STATUS_LABELS)}")
        with self.lock:
            if post_id not in self._posts:
                raise KeyError(f"no post {post_id}")
            comment_id = self._next_comment_id
            self._next_comment_id += 1
            self._comments[comment_id] = {
                "id": comment_id,
                "post": post_id,
                "parent": parent,
                "user_id": user_id,
                "author_name": author_name,
                "author_email": author_email,
                "author_url": author_url,
                "author_ip": author_ip,
                "author_user_agent": author_user_agent,
                "date_gmt": self._to_utc(date),
                "content": content,
                "status": status,
                "type": "comment",
            }
            self.save()
            return comment_id

    def set_comment_status(self, comment_id: int, status: str) -> None:
        if status not in _STATUS_LABELS:
            raise ValueError(f"status must be one of {sorted(_STATUS_LABELS)}")
        with self.lock:
            self._comments[comment_id]["status"] = status
            self.save()

    @property
    def comments(self) -> list[dict]:
        """Snapshot of every stored comment, oldest id first (`date` local, `date_gmt` UTC)."""
        with self.lock:
            return [self._public_record(c) for c in sorted(self._comments.values(), key=lambda c: c["id"])]

    def replies_by(self, user_id: int) -> list[dict]:
        """Comments authored by that user account, e.g. the official replies that landed."""
        return [c for c in self.comments if c["user_id"] == user_id]

    def is_moderator(self, user_id: int) -> bool:
        with self.lock:
            return bool(user_id) and self._users.get(user_id, {}).get("can_moderate", False)

    # -- persistence ---------------------------------------------------------------------

    def to_state(self) -> dict:
        return {
            "users": list(self._users.values()),
            "posts": [{**p, "date_gmt": p["date_gmt"].isoformat()} for p in self._posts.values()],
            "comments": [{**c, "date_gmt": c["date_gmt"].isoformat()} for c in self._comments.values()],
        }

    def from_state(self, state: dict) -> None:
        self._users = {u["id"]: u for u in state["users"]}
        self._posts = {p["id"]: {**p, "date_gmt": datetime.fromisoformat(p["date_gmt"])} for p in state["posts"]}
        self._comments = {c["id"]: {**c, "date_gmt": datetime.fromisoformat(c["date_gmt"])}
                          for c in state["comments"]}
        self._next_post_id = max(self._posts, default=100) + 1
        self._next_comment_id = max(self._comments, default=400) + 1

    # -- internals -----------------------------------------------------------------------

    def _to_utc(self, moment: datetime | None) -> datetime:
        if moment is None:
            moment = datetime.now(timezone.utc)
        elif moment.tzinfo is None:  # naive means site-local, as in WordPress
            moment = moment.replace(tzinfo=self.tz)
        return _whole_seconds(moment.astimezone(timezone.utc))

    def local(self, moment_utc: datetime) -> datetime:
        return moment_utc.astimezone(self.tz)

    def _public_record(self, record: dict) -> dict:
        copy = dict(record)
        copy["date"] = self.local(record["date_gmt"])
        return copy


def _normalize_app_password(password: str) -> str:
    # WordPress strips everything non-alphanumeric, so spaces between the groups are optional.
    return re.sub(r"[^a-zA-Z0-9]", "", password)


# --------------------------------------------------------------------------------------------
# REST API
# --------------------------------------------------------------------------------------------


class ApiError(Exception):
    """A WP_Error: becomes {"code", "message", "data": {"status", ...}}."""

    def __init__(self, code: str, message: str, status: int, **data: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.data = code, message, status, data

    def body(self) -> dict:
        return {"code": self.code, "message": self.message, "data": {"status": self.status, **self.data}}


@dataclass
class ApiResponse:
    status: int
    data: Any
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class ApiRequest:
    method: str
    route: str  # "/wp/v2/comments/412", no trailing slash
    params: dict[str, Any]  # query, then form or JSON body on top (WordPress's order)
    query_pairs: list[tuple[str, str]]  # the query string as sent, rest_route included
    site: "WordPressSite"
    user: dict | None = None
    remote_addr: str = "127.0.0.1"
    user_agent: str = ""

    @property
    def can_moderate(self) -> bool:
        return bool(self.user and self.user["can_moderate"])

    def rest_url(self, route: str, query: list[tuple[str, str]] | None = None) -> str:
        return self.site.rest_url(route, query)

    def auth_error_status(self) -> int:
        return 403 if self.user else 401  # rest_authorization_required_code()


class _ParamErrors:
    """Collects rest_invalid_param problems the way WP_REST_Request::has_valid_params reports them."""

    def __init__(self) -> None:
        self.problems: dict[str, tuple[str, str]] = {}

    def add(self, name: str, code: str, message: str) -> None:
        self.problems.setdefault(name, (code, message))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        raise ApiError(
            "rest_invalid_param",
            "Invalid parameter(s): " + ", ".join(self.problems),
            400,
            params={name: message for name, (_, message) in self.problems.items()},
            details={name: {"code": code, "message": message, "data": None}
                     for name, (code, message) in self.problems.items()},
        )


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(\.0*)?\s*", value):
        return int(float(value))
    return None


def _int_param(params: dict, name: str, errors: _ParamErrors, default: int | None = None,
               minimum: int | None = None, maximum: int | None = None) -> int | None:
    if name not in params or params[name] == "":
        return default
    value = _as_int(params[name])
    if value is None:
        errors.add(name, "rest_invalid_type", f"{name} is not of type integer.")
    elif minimum is not None and maximum is not None and not minimum <= value <= maximum:
        errors.add(name, "rest_out_of_bounds",
                   f"{name} must be between {minimum} (inclusive) and {maximum} (inclusive)")
    elif minimum is not None and value < minimum:
        errors.add(name, "rest_out_of_bounds", f"{name} must be greater than or equal to {minimum}")
    return value


def _int_list_param(params: dict, name: str, errors: _ParamErrors) -> list[int]:
    raw = params.get(name, [])
    items = raw if isinstance(raw, list) else [s for s in re.split(r"[,\s]+", str(raw)) if s]
    values = []
    for index, item in enumerate(items):
        value = _as_int(item)
        if value is None:
            errors.add(name, "rest_invalid_type", f"{name}[{index}] is not of type integer.")
        else:
            values.append(value)
    return values


def _human_list(options: tuple[str, ...]) -> str:
    return f"{options[0]} and {options[1]}" if len(options) == 2 else ", ".join(options[:-1]) + f", and {options[-1]}"


def _enum_param(params: dict, name: str, options: tuple[str, ...], default: str, errors: _ParamErrors) -> str:
    value = params.get(name, default)
    if value not in options:
        errors.add(name, "rest_not_in_enum", f"{name} is not one of {_human_list(options)}.")
        return default
    return value


_REST_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+|,\d+)?(?:[Zz]|[+-]\d{2}(?::\d{2})?)?$")


def _date_param(params: dict, name: str, site: WordPressSite, errors: _ParamErrors) -> datetime | None:
    """Parse like rest_parse_date, then convert to naive site-local time (WP_Date_Query)."""
    value = params.get(name)
    if value in (None, ""):
        return None
    if not isinstance(value, str) or not _REST_DATE.match(value):
        errors.add(name, "rest_invalid_date", "Invalid date.")
        return None
    text = value.replace(",", ".").replace("t", "T").replace("z", "Z").replace("Z", "+00:00")
    text = re.sub(r"([+-]\d{2})$", r"\1:00", text)
    parsed = datetime.fromisoformat(text.replace(" ", "T"))
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(site.tz)
    return parsed.replace(tzinfo=None, microsecond=0)  # MySQL 'Y-m-d H:i:s': to the second


def _mysql_to_rfc3339(moment: datetime) -> str:
    return moment.replace(tzinfo=None).isoformat(timespec="seconds")


def _avatar_urls(email: str) -> dict[str, str]:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return {str(size): f"https://secure.gravatar.com/avatar/{digest}?s={size}&d=mm&r=g" for size in (24, 48, 96)}


def _paging_headers(req: ApiRequest, total: int, per_page: int, page: int) -> list[tuple[str, str]]:
    """X-WP-Total, X-WP-TotalPages and Link rel=prev/next built from the request's own query."""
    max_pages = -(-total // per_page)
    headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(max_pages))]

    def link_to(target: int) -> str:
        pairs = [(k, v) for k, v in req.query_pairs if k != "page"]
        pages = [(k, v) for k, v in req.query_pairs if k == "page"]
        if pages:  # add_query_arg replaces page where it stood
            position = req.query_pairs.index(pages[0])
            pairs.insert(min(position, len(pairs)), ("page", str(target)))
        else:
            pairs.append(("page", str(target)))
        return req.rest_url(req.route, pairs)

    links = []
    if page > 1:
        links.append(f'<{link_to(min(page - 1, max_pages))}>; rel="prev"')
    if max_pages > page:
        links.append(f'<{link_to(page + 1)}>; rel="next"')
    if links:  # one header: it replaces the api.w.org link WordPress sends otherwise
        headers.append(("Link", ", ".join(links)))
    return headers


# -- comments ---------------------------------------------------------------------------------

_VIEW_EDIT_EMBED = {"view", "edit", "embed"}
_VIEW_EDIT = {"view", "edit"}
_EDIT = {"edit"}
# Which contexts show each field (the schema's "context" lists), in WordPress's key order.
_COMMENT_FIELD_CONTEXTS = {
    "id": _VIEW_EDIT_EMBED, "post": _VIEW_EDIT, "parent": _VIEW_EDIT_EMBED, "author": _VIEW_EDIT_EMBED,
    "author_name": _VIEW_EDIT_EMBED, "author_email": _EDIT, "author_url": _VIEW_EDIT_EMBED,
    "author_ip": _EDIT, "author_user_agent": _EDIT, "date": _VIEW_EDIT_EMBED, "date_gmt": _VIEW_EDIT,
    "content": _VIEW_EDIT_EMBED, "link": _VIEW_EDIT_EMBED, "status": _VIEW_EDIT, "type": _VIEW_EDIT_EMBED,
    "author_avatar_urls": _VIEW_EDIT_EMBED, "meta": _VIEW_EDIT,
}


def comment_item(site: WordPressSite, comment: dict, context: str = "view") -> dict:
    """One comment as the REST API returns it (prepare_item_for_response)."""
    post = site._posts[comment["post"]]
    rendered = render_comment_html(comment["content"])
    full = {
        "id": comment["id"],
        "post": comment["post"],
        "parent": comment["parent"],
        "author": comment["user_id"],
        "author_name": comment["author_name"],
        "author_email": comment["author_email"],
        "author_url": comment["author_url"],
        "author_ip": comment["author_ip"],
        "author_user_agent": comment["author_user_agent"],
        "date": _mysql_to_rfc3339(site.local(comment["date_gmt"])),
        "date_gmt": _mysql_to_rfc3339(comment["date_gmt"]),
        "content": {"rendered": rendered, "raw": comment["content"]} if context == "edit" else {"rendered": rendered},
        "link": f"{site.post_link(post)}#comment-{comment['id']}",
        "status": _STATUS_LABELS[comment["status"]],
        "type": comment["type"],
        "author_avatar_urls": _avatar_urls(comment["author_email"]),
        "meta": [],
    }
    item = {name: value for name, value in full.items() if context in _COMMENT_FIELD_CONTEXTS[name]}
    item["_links"] = _comment_links(site, comment)
    return item


def _comment_links(site: WordPressSite, comment: dict) -> dict:
    """prepare_links: self, collection, author, up (the post), in-reply-to and children when there are."""
    links = {"self": [{"href": site.rest_url(f"/wp/v2/comments/{comment['id']}")}],
             "collection": [{"href": site.rest_url("/wp/v2/comments")}]}
    if comment["user_id"]:
        links["author"] = [{"embeddable": True, "href": site.rest_url(f"/wp/v2/users/{comment['user_id']}")}]
    links["up"] = [{"embeddable": True, "post_type": "post", "href": site.rest_url(f"/wp/v2/posts/{comment['post']}")}]
    if comment["parent"]:
        links["in-reply-to"] = [{"embeddable": True,
                                 "href": site.rest_url(f"/wp/v2/comments/{comment['parent']}")}]
    if any(c["parent"] == comment["id"] for c in site._comments.values()):
        links["children"] = [{"embeddable": True,
                              "href": site.rest_url("/wp/v2/comments", [("parent", str(comment["id"]))])}]
    return links


def _can_read_comment(req: ApiRequest, comment: dict) -> bool:
    if comment["status"] == "approve":
        return True
    return bool(req.user) and (req.can_moderate or comment["user_id"] == req.user["id"])


def _check_list_permissions(req: ApiRequest, context: str) -> None:
    if context == "edit" and not req.can_moderate:
        raise ApiError("rest_forbidden_context", "Sorry, you are not allowed to edit comments.",
                       req.auth_error_status())
    if req.can_moderate:  # moderators here also hold edit_posts
        return
    params = req.params
    forbidden = [name for name in ("author", "author_exclude", "author_email") if params.get(name)]
    if params.get("type", "comment") != "comment":
        forbidden.append("type")
    if params.get("status", "approve") != "approve":
        forbidden.append("status")
    if forbidden:
        ordered = [n for n in ("author", "author_exclude", "author_email", "type", "status") if n in forbidden]
        raise ApiError("rest_forbidden_param", f"Query parameter not permitted: {', '.join(ordered)}",
                       req.auth_error_status())


def _status_matches(wanted: str, status: str) -> bool:
    if wanted in ("all", ""):
        return status in ("approve", "hold")
    return wanted == status  # anything else is compared literally, so "approved" finds nothing


def _comment_sort_key(site: WordPressSite, orderby: str, include: list[int]) -> Callable[[dict], tuple]:
    def key(c: dict) -> tuple:
        if orderby == "include":
            return (include.index(c["id"]) if c["id"] in include else len(include), c["id"])
        primary = {
            "date": c["date_gmt"], "date_gmt": c["date_gmt"], "id": c["id"],
            "post": c["post"], "parent": c["parent"], "type": c["type"],
        }[orderby]
        return (primary, c["id"])  # WordPress adds comment_ID as the tie-breaker
    return key


def list_comments(site: WordPressSite, req: ApiRequest) -> ApiResponse:
    params, errors = req.params, _ParamErrors()
    page = _int_param(params, "page", errors, default=1, minimum=1)
    per_page = _int_param(params, "per_page", errors, default=10, minimum=1, maximum=100)
    offset = _int_param(params, "offset", errors)
    order = _enum_param(params, "order", ("asc", "desc"), "desc", errors)
    orderby = _enum_param(params, "orderby", ("date", "date_gmt", "id", "include", "post", "parent", "type"),
                          "date_gmt", errors)
    context = _enum_param(params, "context", ("view", "embed", "edit"), "view", errors)
    after = _date_param(params, "after", site, errors)
    before = _date_param(params, "before", site, errors)
    filters = {name: _int_list_param(params, name, errors)
               for name in ("post", "parent", "parent_exclude", "author", "author_exclude", "include", "exclude")}
    errors.raise_if_any()
    _check_list_permissions(req, context)

    status = re.sub(r"[^a-z0-9_\-]", "", str(params.get("status", "approve")).lower())  # sanitize_key
    search = str(params.get("search", "")).lower()
    author_email = str(params.get("author_email", "")).lower()

    def wanted(c: dict) -> bool:
        local = site.local(c["date_gmt"]).replace(tzinfo=None)
        return (
            _status_matches(status, c["status"])
            and (not filters["post"] or c["post"] in filters["post"])
            and (not filters["parent"] or c["parent"] in filters["parent"])
            and c["parent"] not in filters["parent_exclude"]
            and (not filters["author"] or c["user_id"] in filters["author"])
            and c["user_id"] not in filters["author_exclude"]
            and (not filters["include"] or c["id"] in filters["include"])
            and c["id"] not in filters["exclude"]
            and (not author_email or c["author_email"].lower() == author_email)
            and (after is None or local > after)
            and (before is None or local < before)
            and (not search or any(search in str(c[k]).lower() for k in
                                   ("author_name", "author_email", "author_url", "author_ip", "content")))
        )

    matching = sorted((c for c in site._comments.values() if wanted(c)),
                      key=_comment_sort_key(site, orderby, filters["include"]),
                      reverse=(order == "desc" and orderby != "include"))
    start = offset if offset else per_page * (page - 1)
    window = matching[start:start + per_page]
    # Unreadable comments are dropped from the page but still counted, as WordPress does.
    items = [comment_item(site, c, context) for c in window if _can_read_comment(req, c)]
    return ApiResponse(200, items, _paging_headers(req, len(matching), per_page, page))


def _find_comment(site: WordPressSite, comment_id: int) -> dict:
    comment = site._comments.get(comment_id)
    if comment is None or comment_id <= 0:
        raise ApiError("rest_comment_invalid_id", "Invalid comment ID.", 404)
    return comment


def get_comment(site: WordPressSite, req: ApiRequest, id: str) -> ApiResponse:
    errors = _ParamErrors()
    context = _enum_param(req.params, "context", ("view", "embed", "edit"), "view", errors)
    errors.raise_if_any()
    comment = _find_comment(site, int(id))
    if context == "edit" and not req.can_moderate:
        raise ApiError("rest_forbidden_context", "Sorry, you are not allowed to edit comments.",
                       req.auth_error_status())
    if not _can_read_comment(req, comment):
        raise ApiError("rest_cannot_read", "Sorry, you are not allowed to read this comment.",
                       req.auth_error_status())
    return ApiResponse(200, comment_item(site, comment, context))


def update_comment(site: WordPressSite, req: ApiRequest, id: str) -> ApiResponse:
    """`POST comments/<id>`: moderators may change the status (e.g. "hold" hides it)."""
    comment = _find_comment(site, int(id))
    if not req.can_moderate:
        raise ApiError("rest_cannot_edit", "Sorry, you are not allowed to edit this comment.",
                       req.auth_error_status())
    status = str(req.params.get("status", "")).lower()
    if status:
        status = {"approved": "approve", "1": "approve", "0": "hold", "unapproved": "hold"}.get(status, status)
        if status not in _STATUS_LABELS:
            raise ApiError("rest_comment_failed_edit", "Updating comment status failed.", 500)
        site.set_comment_status(comment["id"], status)
    return ApiResponse(200, comment_item(site, _find_comment(site, int(id)), "edit"))


def _check_create_permissions(site: WordPressSite, req: ApiRequest, post_id: int | None) -> dict:
    """create_item_permissions_check, in WordPress's order; returns the target post."""
    params = req.params
    if req.user is None:
        raise ApiError("rest_comment_login_required", "Sorry, you must be logged in to comment.", 401)
    if "author" in params and _as_int(params["author"]) != req.user["id"] and not req.can_moderate:
        raise ApiError("rest_comment_invalid_author", "Sorry, you are not allowed to edit 'author' for comments.",
                       req.auth_error_status())
    if "author_ip" in params and not req.can_moderate and params["author_ip"] != req.remote_addr:
        raise ApiError("rest_comment_invalid_author_ip",
                       "Sorry, you are not allowed to edit 'author_ip' for comments.", req.auth_error_status())
    if "status" in params and not req.can_moderate:
        raise ApiError("rest_comment_invalid_status", "Sorry, you are not allowed to edit 'status' for comments.",
                       req.auth_error_status())
    post = site._posts.get(post_id or 0)
    if post is None:
        raise ApiError("rest_comment_invalid_post_id",
                       "Sorry, you are not allowed to create this comment without a post.", 403)
    if not post["comments_open"]:
        raise ApiError("rest_comment_closed", "Sorry, comments are closed for this item.", 403)
    return post


def _content_from(params: dict) -> str:
    content = params.get("content")
    if isinstance(content, dict):
        content = content.get("raw")
    return content.strip(" \t\n\r\0\x0b") if isinstance(content, str) else ""


def _author_fields(site: WordPressSite, req: ApiRequest) -> dict:
    """Who the comment is attributed to. Sending any author_* field skips the logged-in user."""
    params = req.params
    fields = {"user_id": 0, "author_name": "", "author_email": "", "author_url": ""}
    if "author" in params:
        author = site._users.get(_as_int(params["author"]) or -1)
        if author is None:
            raise ApiError("rest_comment_author_invalid", "Invalid comment author ID.", 400)
        fields.update(user_id=author["id"], author_name=author["name"], author_email=author["email"],
                      author_url=author["url"])
    for name in ("author_name", "author_email", "author_url"):
        if name in params:
            fields[name] = str(params[name])
    if not any(fields.values()):
        user = req.user
        fields.update(user_id=user["id"], author_name=user["name"], author_email=user["email"],
                      author_url=user["url"])
    return fields


def _find_duplicate(site: WordPressSite, post_id: int, parent: int, fields: dict, content: str) -> bool:
    # MySQL's default collation compares case-insensitively, so "Terima kasih" == "terima kasih".
    for c in site._comments.values():
        if (c["post"] == post_id and c["parent"] == parent and c["status"] != "trash"
                and c["author_name"].casefold() == fields["author_name"].casefold()
                and (not fields["author_email"] or c["author_email"].casefold() == fields["author_email"].casefold())
                and c["content"].casefold() == content.casefold()):
            return True
    return False


def _is_flood(site: WordPressSite, req: ApiRequest, fields: dict, now: datetime) -> bool:
    if req.can_moderate:  # wp_check_comment_flood never throttles moderators
        return False
    for c in site._comments.values():
        same_sender = (c["user_id"] == req.user["id"]) or (
            fields["author_email"] and c["author_email"] == fields["author_email"])
        if same_sender and now - c["date_gmt"] < timedelta(seconds=FLOOD_SECONDS):
            return True
    return False


def _approval(site: WordPressSite, post: dict, fields: dict, content: str) -> str:
    """wp_allow_comment's verdict: moderators and the post author are trusted, others wait."""
    user_id = fields["user_id"]
    if user_id and (site.is_moderator(user_id) or user_id == post["author"]):
        return "approve"
    if len(re.findall(r"<a [^>]*href", content, re.I)) >= 2:  # comment_max_links
        return "hold"
    previously_approved = any(
        c["status"] == "approve" and ((user_id and c["user_id"] == user_id) or
                                      (not user_id and c["author_email"] == fields["author_email"]))
        for c in site._comments.values())
    return "approve" if previously_approved and fields["author_name"] and fields["author_email"] else "hold"


def create_comment(site: WordPressSite, req: ApiRequest) -> ApiResponse:
    params, errors = req.params, _ParamErrors()
    post_id = _int_param(params, "post", errors, default=0)
    parent = _int_param(params, "parent", errors, default=0)
    _int_param(params, "author", errors)
    errors.raise_if_any()
    post = _check_create_permissions(site, req, post_id)
    if params.get("id"):
        raise ApiError("rest_comment_exists", "Cannot create existing comment.", 400)
    if params.get("type") not in (None, "", "comment"):
        raise ApiError("rest_invalid_comment_type", "Cannot create a comment with that type.", 400)
    fields = _author_fields(site, req)
    content = _content_from(params)
    if content == "":
        raise ApiError("rest_comment_content_invalid", "Invalid comment content.", 400)
    if not (fields["author_name"] and fields["author_email"]):  # require_name_email is on
        raise ApiError("rest_comment_author_data_required",
                       "Creating a comment requires valid author name and email values.", 400)
    if len(content.encode("utf-8")) > MAX_COMMENT_BYTES:
        raise ApiError("comment_content_column_length", "Comment field exceeds maximum length allowed.", 400)
    if _find_duplicate(site, post["id"], parent, fields, content):
        raise ApiError("comment_duplicate",
                       "Duplicate comment detected; it looks as though you&#8217;ve already said that!", 409)
    now = _whole_seconds(datetime.now(timezone.utc))
    if _is_flood(site, req, fields, now):
        raise ApiError("comment_flood", "You are posting comments too quickly. Slow down.", 400)

    status = _approval(site, post, fields, content)
    requested_status = str(params.get("status", "")).lower()
    if requested_status in ("approve", "approved", "1", "hold", "0", "spam", "trash"):
        status = {"approved": "approve", "1": "approve", "0": "hold"}.get(requested_status, requested_status)
    # The duplicate and flood checks above saw the content as sent; what is stored is filtered.
    unfiltered = bool(req.user and req.user["can_moderate"])  # editors hold unfiltered_html
    stored = filter_comment_content(content, unfiltered=unfiltered, base_url=site.base_url)
    comment_id = site.add_comment(
        post["id"], filter_author_name(fields["author_name"]), stored, parent=parent, user_id=fields["user_id"],
        date=now,
        status=status, author_email=fields["author_email"], author_url=fields["author_url"],
        author_ip=str(params.get("author_ip") or req.remote_addr),
        author_user_agent=str(params.get("author_user_agent") or req.user_agent),
    )
    context = "edit" if req.can_moderate else "view"  # WordPress answers moderators in edit context
    location = req.rest_url(f"/wp/v2/comments/{comment_id}")
    return ApiResponse(201, comment_item(site, site._comments[comment_id], context), [("Location", location)])


# -- posts, users, index ----------------------------------------------------------------------


def _excerpt(content: str) -> str:
    words = re.sub(r"<[^>]+>", "", content).split()
    more = " [&hellip;]" if len(words) > 55 else ""
    return wpautop(wptexturize(" ".join(words[:55])) + more)


def post_item(site: WordPressSite, post: dict) -> dict:
    date_gmt = _mysql_to_rfc3339(post["date_gmt"])
    date = _mysql_to_rfc3339(site.local(post["date_gmt"]))
    return {
        "id": post["id"],
        "date": date,
        "date_gmt": date_gmt,
        "guid": {"rendered": f"{site.base_url}/?p={post['id']}"},
        "modified": date,
        "modified_gmt": date_gmt,
        "slug": post["slug"],
        "status": "publish",
        "type": "post",
        "link": site.post_link(post),
        "title": {"rendered": wptexturize(html.escape(post["title"], quote=False))},
        "content": {"rendered": wpautop(wptexturize(post["content"])), "protected": False},
        "excerpt": {"rendered": _excerpt(post["content"]), "protected": False},
        "author": post["author"],
        "featured_media": 0,
        "comment_status": "open" if post["comments_open"] else "closed",
        "ping_status": "closed",
        "sticky": False,
        "template": "",
        "format": "standard",
        "meta": [],
        "categories": [1],
        "tags": [],
    }


def list_posts(site: WordPressSite, req: ApiRequest) -> ApiResponse:
    params, errors = req.params, _ParamErrors()
    page = _int_param(params, "page", errors, default=1, minimum=1)
    per_page = _int_param(params, "per_page", errors, default=10, minimum=1, maximum=100)
    order = _enum_param(params, "order", ("asc", "desc"), "desc", errors)
    orderby = _enum_param(params, "orderby", ("date", "id", "title", "slug"), "date", errors)
    errors.raise_if_any()
    slugs = [s for s in re.split(r"[,\s]+", str(params.get("slug", ""))) if s]
    search = str(params.get("search", "")).lower()
    matching = [p for p in site._posts.values()
                if (not slugs or p["slug"] in slugs)
                and (not search or search in (p["title"] + " " + p["content"]).lower())]
    sort_field = {"date": "date_gmt", "id": "id", "title": "title", "slug": "slug"}[orderby]
    matching.sort(key=lambda p: (p[sort_field], p["id"]), reverse=(order == "desc"))
    max_pages = -(-len(matching) // per_page)
    if page > max_pages and matching:
        raise ApiError("rest_post_invalid_page_number",
                       "The page number requested is larger than the number of pages available.", 400)
    window = matching[per_page * (page - 1): per_page * page]
    return ApiResponse(200, [post_item(site, p) for p in window],
                       _paging_headers(req, len(matching), per_page, page))


def get_post(site: WordPressSite, req: ApiRequest, id: str) -> ApiResponse:
    post = site._posts.get(int(id))
    if post is None:
        raise ApiError("rest_post_invalid_id", "Invalid post ID.", 404)
    return ApiResponse(200, post_item(site, post))


# What the two roles the simulator knows may do (WordPress's defaults, as users/me shows them).
_ROLE_CAPABILITIES = {
    "editor": ("moderate_comments", "manage_categories", "manage_links", "upload_files", "unfiltered_html",
               "edit_posts", "edit_others_posts", "edit_published_posts", "publish_posts", "edit_pages", "read",
               "level_7", "level_6", "level_5", "level_4", "level_3", "level_2", "level_1", "level_0",
               "edit_others_pages", "edit_published_pages", "publish_pages", "delete_pages",
               "delete_others_pages", "delete_published_pages", "delete_posts", "delete_others_posts",
               "delete_published_posts", "delete_private_posts", "edit_private_posts", "read_private_posts",
               "delete_private_pages", "edit_private_pages", "read_private_pages"),
    "subscriber": ("read", "level_0"),
}


def user_item(site: WordPressSite, user: dict, context: str = "view") -> dict:
    role = "editor" if user["can_moderate"] else "subscriber"
    link = f"{site.base_url}/author/{user['username']}/"
    if context == "edit":  # the order WordPress uses
        item = {
            "id": user["id"], "username": user["username"], "name": user["name"], "first_name": "",
            "last_name": "", "email": user["email"], "url": user["url"], "description": "", "link": link,
            "locale": "en_US", "nickname": user["name"], "slug": user["username"], "roles": [role],
            "capabilities": {**{cap: True for cap in _ROLE_CAPABILITIES[role]}, role: True},
            "extra_capabilities": {role: True},
            "avatar_urls": _avatar_urls(user["email"]), "meta": {"persisted_preferences": []},
        }
    else:
        item = {"id": user["id"], "name": user["name"], "url": user["url"], "description": "", "link": link,
                "slug": user["username"], "avatar_urls": _avatar_urls(user["email"]), "meta": []}
    item["_links"] = {"self": [{"href": site.rest_url(f"/wp/v2/users/{user['id']}")}],
                      "collection": [{"href": site.rest_url("/wp/v2/users")}]}
    return item


def get_current_user(site: WordPressSite, req: ApiRequest) -> ApiResponse:
    if req.user is None:
        raise ApiError("rest_not_logged_in", "You are not currently logged in.", 401)
    context = "edit" if req.params.get("context") == "edit" else "view"
    return ApiResponse(200, user_item(site, req.user, context))


def get_user(site: WordPressSite, req: ApiRequest, id: str) -> ApiResponse:
    user = site._users.get(int(id))
    if user is None:
        raise ApiError("rest_user_invalid_id", "Invalid user ID.", 404)
    has_posts = any(p["author"] == user["id"] for p in site._posts.values())
    is_self = req.user is not None and req.user["id"] == user["id"]
    if not (has_posts or is_self or req.can_moderate):
        raise ApiError("rest_user_cannot_view", "Sorry, you are not allowed to list users.", req.auth_error_status())
    return ApiResponse(200, user_item(site, user))


def get_index(site: WordPressSite, req: ApiRequest) -> ApiResponse:
    offset_hours = site.local(datetime.now(timezone.utc)).utcoffset().total_seconds() / 3600
    return ApiResponse(200, {
        "name": site.title,
        "description": site.description,
        "url": site.base_url,
        "home": site.base_url,
        "gmt_offset": int(offset_hours) if offset_hours.is_integer() else offset_hours,
        "timezone_string": site.timezone_name,
        "namespaces": ["oembed/1.0", "wp/v2"],
        "authentication": {"application-passwords": {"endpoints": {
            "authorization": f"{site.base_url}/wp-admin/authorize-application.php"}}},
        "routes": {route: {} for _, route, _ in _ROUTES},
    })


_ROUTES: list[tuple[str, str, Callable[..., ApiResponse]]] = [
    ("GET", r"/", get_index),
    ("GET", r"/wp/v2/comments", list_comments),
    ("POST", r"/wp/v2/comments", create_comment),
    ("GET", r"/wp/v2/comments/(?P<id>\d+)", get_comment),
    ("POST", r"/wp/v2/comments/(?P<id>\d+)", update_comment),
    ("GET", r"/wp/v2/posts", list_posts),
    ("GET", r"/wp/v2/posts/(?P<id>\d+)", get_post),
    ("GET", r"/wp/v2/users/me", get_current_user),
    ("GET", r"/wp/v2/users/(?P<id>\d+)", get_user),
]


def dispatch(site: WordPressSite, req: ApiRequest) -> ApiResponse:
    """Route one REST request; every WP_Error becomes its JSON error response."""
    try:
        for method, pattern, handler in _ROUTES:
            match = re.fullmatch(pattern, req.route)
            if match and method == req.method:
                with site.lock:
                    return handler(site, req, **match.groupdict())
        raise ApiError("rest_no_route", "No route was found matching the URL and request method.", 404)
    except ApiError as error:
        return ApiResponse(error.status, error.body())


# --------------------------------------------------------------------------------------------
# Public HTML pages (for a person watching replies land)
# --------------------------------------------------------------------------------------------

_PAGE_STYLE = """
body{font-family:system-ui,sans-serif;max-width:52rem;margin:0 auto;padding:1rem 1.25rem;color:#1d2b1f;background:#f7faf5}
header.site{border-bottom:3px solid #2f7d32;margin-bottom:1.5rem}
header.site h1{margin:.2rem 0;color:#2f7d32}
.note{color:#5b6b5d;font-size:.9rem}
article.post{background:#fff;border:1px solid #d9e4d6;border-radius:8px;padding:1rem 1.25rem;margin-bottom:2rem}
article.post h2 a{color:#1d2b1f;text-decoration:none}
.meta{color:#5b6b5d;font-size:.85rem}
.comments{margin-top:1rem}
.comment{border-left:3px solid #d9e4d6;padding:.4rem .8rem;margin:.6rem 0;background:#fbfdfa}
.comment.official{border-left-color:#2f7d32;background:#eef7ec}
.children{margin-left:1.75rem}
.badge{display:inline-block;background:#2f7d32;color:#fff;border-radius:4px;padding:0 .4rem;font-size:.75rem;margin-left:.4rem}
.comment .author{font-weight:600}
"""


def _render_comment_tree(site: WordPressSite, comment: dict, children: dict[int, list[dict]]) -> str:
    official = site.is_moderator(comment["user_id"])
    badge = '<span class="badge">Balasan resmi</span>' if official else ""
    replies = "".join(_render_comment_tree(site, c, children) for c in children.get(comment["id"], []))
    replies_html = f'<div class="children">{replies}</div>' if replies else ""
    return (
        f'<div class="comment{" official" if official else ""}" id="comment-{comment["id"]}">'
        f'<div class="meta"><span class="author">{html.escape(comment["author_name"])}</span>{badge} · '
        f'<time datetime="{site.local(comment["date_gmt"]).isoformat()}">{tanggal(comment["date_gmt"], site.tz)}</time>'
        f"</div>"
        f'<div class="content">{render_comment_html(comment["content"])}</div>'
        f"{replies_html}</div>"
    )


def _render_post(site: WordPressSite, post: dict, heading: str) -> str:
    approved = sorted((c for c in site._comments.values() if c["post"] == post["id"] and c["status"] == "approve"),
                      key=lambda c: (c["date_gmt"], c["id"]))  # oldest first, like a WordPress theme
    ids = {c["id"] for c in approved}
    children: dict[int, list[dict]] = {}
    roots = []
    for comment in approved:
        if comment["parent"] in ids:
            children.setdefault(comment["parent"], []).append(comment)
        else:  # orphans (parent missing or unapproved) show at the top level
            roots.append(comment)
    thread = "".join(_render_comment_tree(site, c, children) for c in roots)
    closed = '<p class="note">Komentar ditutup.</p>' if not post["comments_open"] else ""
    return (
        f'<article class="post" id="post-{post["id"]}">'
        f'<{heading}><a href="{html.escape(site.post_link(post))}">{html.escape(post["title"])}</a></{heading}>'
        f'<div class="meta">Diterbitkan {tanggal(post["date_gmt"], site.tz)}</div>'
        f'<div class="entry">{wpautop(wptexturize(post["content"]))}</div>'
        f'<section class="comments"><h3>{len(approved)} komentar</h3>{thread}{closed}</section>'
        f"</article>"
    )


def _page(site: WordPressSite, title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="id">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_PAGE_STYLE}</style>\n</head>\n<body>\n"
        f'<header class="site"><h1><a href="{html.escape(site.base_url)}/" style="color:inherit;'
        f'text-decoration:none">{html.escape(site.title)} — Simulator Website</a></h1>'
        f'<p class="note">Simulasi situs web {html.escape(site.description)} untuk uji coba Tanggap. '
        "Muat ulang halaman untuk melihat balasan terbaru.</p></header>\n"
        f"<main>{body}</main>\n</body>\n</html>\n"
    )


def render_front_page(site: WordPressSite) -> str:
    with site.lock:
        posts = sorted(site._posts.values(), key=lambda p: (p["date_gmt"], p["id"]), reverse=True)
        body = "".join(_render_post(site, p, "h2") for p in posts) or "<p>Belum ada berita.</p>"
        return _page(site, f"{site.title} — Simulator Website", body)


def render_post_page(site: WordPressSite, slug: str) -> str | None:
    with site.lock:
        post = next((p for p in site._posts.values() if p["slug"] == slug), None)
        if post is None:
            return None
        return _page(site, f"{post['title']} – {site.title}", _render_post(site, post, "h2"))


# --------------------------------------------------------------------------------------------
# HTTP server
# --------------------------------------------------------------------------------------------

_SERVER_ERROR_MESSAGE = (
    "<p>There has been a critical error on this website.</p><p><a href=\"https://wordpress.org/"
    "documentation/article/faq-troubleshooting/\">Learn more about troubleshooting WordPress.</a></p>"
)
_WAF_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>429 Too Many Requests</title></head>\n<body>\n"
    "<h1>Too Many Requests</h1>\n<p>Permintaan Anda dibatasi sementara oleh firewall situs. "
    "Silakan coba lagi beberapa saat lagi.</p>\n<hr><address>nginx</address>\n</body></html>\n"
)
_PHP_NOTICE = (
    "<br />\n<b>Warning</b>:  Undefined array key \"HTTP_X_FORWARDED_FOR\" in "
    "<b>/var/www/html/wp-content/plugins/statistik-kunjungan/includes/class-tracker.php</b> "
    "on line <b>118</b><br />\n"
)


def to_php_json(data: Any) -> bytes:
    """json_encode's default output: ASCII only, and '/' escaped as '\\/'."""
    return json.dumps(data, ensure_ascii=True, separators=(",", ":")).replace("/", "\\/").encode()


def _parse_query(query: str) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """PHP-style query parsing: `a[]=1&a[]=2` is a list, a repeated plain key keeps the last."""
    pairs = parse_qsl(query, keep_blank_values=True)
    params: dict[str, Any] = {}
    for key, value in pairs:
        if key.endswith("[]"):
            params.setdefault(key[:-2], [])
            if isinstance(params[key[:-2]], list):
                params[key[:-2]].append(value)
        else:
            params[key] = value
    return params, pairs


class _Handler(JsonHandler):
    server_version = "Apache"  # what sits in front of WordPress, not Python
    sys_version = ""

    def do_PATCH(self) -> None:
        self._dispatch()

    def handle_request(self) -> None:
        body = self.read_body()
        url = urlsplit(self.path)
        params, pairs = _parse_query(url.query)
        if url.path == "/wp-json" or url.path.startswith("/wp-json/"):
            route = url.path[len("/wp-json"):]
            self._serve_api(route, params, pairs, body)
        elif "rest_route" in params and url.path in ("/", "/index.php"):
            self._serve_api(str(params.pop("rest_route")), params, pairs, body)
        else:
            self._serve_page(url.path)

    # -- REST ----------------------------------------------------------------------------

    def _serve_api(self, route: str, params: dict, pairs: list, body: bytes) -> None:
        site = self.server.site
        site.count_request(self.command)
        fault = site.faults.take(self.command)
        if fault in ("http429", "rate_limit"):
            return self.send(429, _WAF_PAGE.encode(), "text/html", [("Retry-After", "2")])
        if fault == "http500":
            return self._send_api(ApiResponse(500, _internal_error()))
        if fault == "timeout":
            self.wait_for_timeout_fault()

        response = self._run_api(route, params, pairs, body)
        if fault == "malformed_item" and isinstance(response.data, list) and response.data:
            response = ApiResponse(response.status, [*response.data[:-1], _mangled(response.data[-1])],
                                   response.headers)
        if site.broken_in_listings and isinstance(response.data, list):
            response = ApiResponse(response.status, [
                _mangled(item) if isinstance(item, dict) and item.get("id") in site.broken_in_listings else item
                for item in response.data], response.headers)
        if fault == "post_then_500" and response.status == 201:
            response = ApiResponse(500, _internal_error())
        if fault == "post_then_timeout":
            self.wait_for_timeout_fault()
        self._send_api(response, garbage=(fault == "garbage"))

    def _run_api(self, route: str, params: dict, pairs: list, body: bytes) -> ApiResponse:
        site = self.server.site
        route = "/" + route.strip("/") if route.strip("/") else "/"
        user = self._authenticate()
        try:
            params = {**params, **self._body_params(body)}
        except ApiError as error:
            return ApiResponse(error.status, error.body())
        request = ApiRequest(
            method=self.command,
            route=route,
            params=params,
            query_pairs=pairs,
            site=site,
            user=user,
            remote_addr=self.client_address[0],
            user_agent=self.headers.get("User-Agent", ""),
        )
        return dispatch(site, request)

    def _body_params(self, body: bytes) -> dict:
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if not body:
            return {}
        if content_type == "application/json":
            try:
                data = json.loads(body)
            except ValueError:
                raise ApiError("rest_invalid_json", "Invalid JSON body passed.", 400,
                               json_error_code=4, json_error_message="Syntax error") from None
            return data if isinstance(data, dict) else {}
        if content_type == "application/x-www-form-urlencoded":
            return _parse_query(body.decode("utf-8", "replace"))[0]
        return {}

    def _authenticate(self) -> dict | None:
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return None  # PHP never sees credentials it cannot split
        username, _, password = decoded.partition(":")
        return self.server.site.authenticate(username, password)

    def _send_api(self, response: ApiResponse, garbage: bool = False) -> None:
        site = self.server.site
        payload = to_php_json(response.data)
        if garbage:
            payload = _PHP_NOTICE.encode() + payload
        paged = any(name == "Link" for name, _ in response.headers)
        headers = [
            ("X-Robots-Tag", "noindex"),
            *([] if paged else [("Link", f'<{site.rest_url("/")}>; rel="https://api.w.org/"')]),
            ("X-Content-Type-Options", "nosniff"),
            ("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link"),
            *response.headers,
        ]
        self.send(response.status, payload, "application/json; charset=UTF-8", headers)

    # -- pages and control ---------------------------------------------------------------

    def _serve_page(self, path: str) -> None:
        site = self.server.site
        if self.command != "GET":
            return self.send(405, b"Method Not Allowed", "text/plain; charset=utf-8")
        if path in ("/", "/index.php"):
            return self.send(200, render_front_page(site).encode(), "text/html; charset=UTF-8")
        match = re.fullmatch(r"/berita/([^/]+)/?", path)
        page = render_post_page(site, match.group(1)) if match else None
        if page is None:
            missing = _page(site, "Halaman tidak ditemukan", "<p>Halaman tidak ditemukan.</p>")
            return self.send(404, missing.encode(), "text/html; charset=UTF-8")
        self.send(200, page.encode(), "text/html; charset=UTF-8")


def _internal_error() -> dict:
    return {"code": "internal_server_error", "message": _SERVER_ERROR_MESSAGE,
            "data": {"status": 500}, "additional_errors": []}


class WordPressSimulator(SimulatorBase):
    """Serves a WordPressSite over HTTP on loopback, in a daemon thread."""

    handler = _Handler

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/wp-json/wp/v2"


def _mangled(item: dict) -> dict:
    """A comment as a broken plugin filter leaves it: no date_gmt, no content."""
    return {k: v for k, v in item.items() if k not in ("date_gmt", "content")}
