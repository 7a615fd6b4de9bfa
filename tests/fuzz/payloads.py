"""Hypothesis strategies for platform answers: valid shapes from the contract fixtures, then
fields mutated, removed, of the wrong type, huge, in odd Unicode, null or nested garbage, and
bodies that are not JSON at all (HTML error pages, truncated JSON, deep nesting, bytes)."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

from hypothesis import strategies as st

from tests.contracts.fixtures import load
from tests.scripted_server import Answer

NOW = datetime.now(timezone.utc).replace(microsecond=0)

ODD_TEXT = [
    "", " ", "\x00", "\x00\x01\x1b[31m", "\ud800", "a\udfffb", "\u202eRTL\u202c", "\u200b\u200d\ufeff", "e\u0301\u0301",
    "\U0001F468\u200d\U0001F469\u200d\U0001F467", "<script>alert(1)</script>", "&amp;&lt;&#0;&#x110000;&bogus;",
    "<p>belum ditutup", "<!--", "<![CDATA[x", "</p></div>", "<br/><br>", "\r\n\r\n", "null", "[]", "{}", "NaN",
    "١٢٣", "²", "0x10", "-1", "1e309", "9" * 40, "@", "@@handle", "\\", "%00", "🌾" * 3,
]
ODD_TIMES = [
    "", "0", "2025-03-04", "2025-03-04T09:15:00", "2025-03-04T09:15:00Z", "2025-03-04T09:15:00+0000",
    "2025-03-04T09:15:00.000Z", "2025-13-45T99:99:99Z", "0000-00-00T00:00:00", "0001-01-01T00:00:00+0000",
    "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-1200", "0001-01-01T00:00:00+14:00", "2025-03-04T09:15:00+2500",
    "2025-03-04T09:15:00+00:00Z", "2025-03-04 09:15:00", "1741080600", "2025-03-04T09:15:00.1234567890Z",
    "Tue, 04 Mar 2025 09:15:00 GMT", "２０２５-03-04T09:15:00Z",
]
ODD_NUMBERS = [0, -1, 1, 2**31, 2**63, 2**64 + 1, 10**40, -(10**40), 0.5, -0.0, 1e308, -1e308, float("nan"),
               float("inf"), float("-inf"), True, False]

huge_text = st.builds(lambda unit, n: unit * n, st.sampled_from(["a", "é", "😀", "<b>", "&amp;", "\u0301", " \n", "<",
                                                                 "\x00"]),
                      st.integers(2_000, 60_000))
odd_text = st.one_of(st.text(max_size=30), st.sampled_from(ODD_TEXT), huge_text)
odd_time = st.one_of(st.sampled_from(ODD_TIMES), st.text(max_size=25))
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.sampled_from(ODD_NUMBERS), odd_text,
                   odd_time)
garbage = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                            max_size=3),
                       max_leaves=8)


def _nested(depth: int, kind: str):
    value = None
    for _ in range(depth):
        value = [value] if kind == "list" else {"data": value}
    return value


deep = st.builds(_nested, st.integers(20, 300), st.sampled_from(["list", "dict"]))
replacement = st.one_of(scalar, garbage, deep, st.just({}), st.just([]))


# --- mutations ---------------------------------------------------------------------------------


def _places(value, path=()):
    """Every (container path, key) in a JSON value, depth first."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path, key
            yield from _places(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield path, index
            yield from _places(inner, path + (index,))


def _at(value, path):
    for step in path:
        value = value[step]
    return value


@st.composite
def mutated(draw, template, most: int = 4):
    """`template` with up to `most` fields removed, replaced, added or wrapped."""
    value = copy.deepcopy(template)
    for _ in range(draw(st.integers(1, most))):
        places = list(_places(value))
        if not places:
            return draw(replacement)
        path, key = draw(st.sampled_from(places))
        container = _at(value, path)
        action = draw(st.sampled_from(["remove", "replace", "replace", "add", "wrap", "stringify"]))
        if action == "remove":
            container.pop(key) if isinstance(container, dict) else container.pop(key)
        elif action == "replace":
            container[key] = draw(replacement)
        elif action == "add" and isinstance(container, dict):
            container[draw(st.text(max_size=10))] = draw(replacement)
        elif action == "wrap":
            container[key] = [container[key]] if draw(st.booleans()) else {"value": container[key]}
        elif action == "stringify":
            container[key] = json.dumps(container[key]) if not isinstance(container[key], str) else \
                draw(st.sampled_from([1, 1.5, None, [container[key]]]))
    return value


def maybe_mutated(template):
    """Valid half the time: broken pages are only interesting next to readable items."""
    return st.one_of(st.just(copy.deepcopy(template)), mutated(template))


# --- valid items, varied -----------------------------------------------------------------------

recent = st.integers(0, 3 * 24 * 3600).map(lambda seconds: NOW - timedelta(seconds=seconds))
ids = st.integers(1, 10**18)
plain = st.text(max_size=200)


def fixture_body(platform: str, name: str):
    return load(platform, name).body()


@st.composite
def wordpress_item(draw):
    item = copy.deepcopy(draw(st.sampled_from(fixture_body("wordpress", "comments_page"))))
    when = draw(recent)
    item.update(id=draw(ids), parent=draw(st.sampled_from([0, 412])), date_gmt=when.strftime("%Y-%m-%dT%H:%M:%S"),
                date=(when + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M:%S"), author_name=draw(plain),
                content={"rendered": "<p>" + draw(plain) + "</p>\n"})
    return item


@st.composite
def facebook_item(draw):
    item = copy.deepcopy(draw(st.sampled_from(fixture_body("facebook", "comments_page")["data"])))
    item.update(id=f"{draw(ids)}_{draw(ids)}", message=draw(plain),
                created_time=draw(recent).strftime("%Y-%m-%dT%H:%M:%S+0000"))
    return item


@st.composite
def instagram_item(draw):
    item = copy.deepcopy(draw(st.sampled_from(fixture_body("instagram", "comments_page")["data"])))
    item.update(id=str(draw(ids)), text=draw(plain), timestamp=draw(recent).strftime("%Y-%m-%dT%H:%M:%S+0000"))
    return item


@st.composite
def youtube_thread(draw):
    thread = copy.deepcopy(draw(st.sampled_from(fixture_body("youtube", "comment_threads_page")["items"])))
    snippet = thread["snippet"]["topLevelComment"]["snippet"]
    snippet.update(textOriginal=draw(plain), publishedAt=draw(recent).strftime("%Y-%m-%dT%H:%M:%SZ"))
    thread["snippet"]["totalReplyCount"] = draw(st.integers(0, 8))
    return thread


@st.composite
def x_item(draw):
    item = copy.deepcopy(draw(st.sampled_from(fixture_body("x", "mentions_page")["data"])))
    item.update(id=str(draw(ids)), text=draw(plain), created_at=draw(recent).strftime("%Y-%m-%dT%H:%M:%S.000Z"))
    return item


ITEMS = {"wordpress": wordpress_item(), "facebook": facebook_item(), "instagram": instagram_item(),
         "youtube": youtube_thread(), "x": x_item()}


@st.composite
def item(draw, platform: str):
    """One item of the platform's list, valid or mutated."""
    return draw(st.one_of(ITEMS[platform], ITEMS[platform].flatmap(mutated), garbage))


@st.composite
def page(draw, platform: str):
    """A list page: the fixture's envelope with 0-4 items, valid or broken, the envelope maybe broken too."""
    items = draw(st.lists(item(platform), max_size=4))
    if platform == "wordpress":
        body = items
    elif platform in ("facebook", "instagram"):
        body = {"data": items, "paging": {"cursors": {"before": "QQ", "after": "QR"}}}
    elif platform == "youtube":
        body = {**fixture_body("youtube", "comment_threads_page_last"), "items": items}
    else:
        ordered = [i for i in items if isinstance(i, dict)]
        body = {"data": items, "includes": fixture_body("x", "mentions_page")["includes"],
                "meta": {"result_count": len(items), "newest_id": ordered[0].get("id") if ordered else None}}
    return draw(st.one_of(st.just(body), st.just(body), mutated(body, most=2)))


# --- bodies and headers on the wire ------------------------------------------------------------

HTML_PAGES = [
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>",
    b"<html><body>Error establishing a database connection</body></html>",
    b"<br />\n<b>Warning</b>: Undefined array key in <b>/var/www/html/wp-includes/x.php</b><br />\n[]",
]


@st.composite
def body_bytes(draw, value) -> bytes:
    """`value` as JSON bytes, or bytes a broken server sends instead."""
    text = json.dumps(value, ensure_ascii=draw(st.booleans()))
    way = draw(st.sampled_from(["json"] * 8 + ["truncated", "html", "html_prefix", "empty", "deep", "bom", "bytes",
                                               "latin1", "trailing"]))
    if way == "json":
        return text.encode("utf-8", "surrogatepass")
    if way == "truncated":
        data = text.encode("utf-8", "surrogatepass")
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if way == "html":
        return draw(st.sampled_from(HTML_PAGES))
    if way == "html_prefix":
        return draw(st.sampled_from(HTML_PAGES)) + text.encode("utf-8", "surrogatepass")
    if way == "empty":
        return b""
    if way == "deep":
        depth = draw(st.integers(500, 200_000))
        return draw(st.sampled_from([b"[", b'{"data":', b'{"items":', b'{"error":'])) * depth
    if way == "bom":
        return b"\xef\xbb\xbf" + text.encode("utf-8", "surrogatepass")
    if way == "bytes":
        return draw(st.binary(max_size=300))
    if way == "latin1":
        return text.encode("latin-1", "replace")
    return text.encode("utf-8", "surrogatepass") + b"\n{" + draw(st.binary(max_size=20))


def header_text(values: list[str]):
    """Header values a server can put on the wire (Latin-1, no line breaks)."""
    free = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=40)
    return st.one_of(st.sampled_from(values), free)


RETRY_AFTER = ["120", "0", "-5", "1.5", "", " 30 ", "Wed, 21 Oct 2015 07:28:00 GMT", "Fri, 31 Dec 9999 23:59:59 GMT",
               "9" * 400, "²", "³⁴", "NaN", "inf", "1e9", "86400000"]
RESET = [str(int(NOW.timestamp()) + 900), str(int(NOW.timestamp()) - 900), "0", "-1", "9" * 30, "9" * 400, "1.5e9",
         "abc", "²"]
USAGE_VALUE = st.one_of(
    st.builds(lambda minutes, pct: json.dumps({"call_count": pct, "total_cputime": pct, "total_time": pct,
                                               "estimated_time_to_regain_access": minutes}),
              st.one_of(st.integers(), st.sampled_from(ODD_NUMBERS), st.text(max_size=5)), st.integers(0, 200)),
    st.builds(lambda minutes: json.dumps({"1142469655832956": [{"type": "pages", "call_count": 100,
                                                                "estimated_time_to_regain_access": minutes}]}),
              st.one_of(st.integers(), st.sampled_from(ODD_NUMBERS))),
    garbage.map(json.dumps), st.sampled_from(["{", "[]", "null", "", "{\"a\":" * 300]))


@st.composite
def headers(draw) -> dict:
    chosen: dict[str, str] = {}
    if draw(st.booleans()):
        chosen["Retry-After"] = draw(header_text(RETRY_AFTER))
    if draw(st.booleans()):
        chosen["x-rate-limit-reset"] = draw(header_text(RESET))
        chosen["x-rate-limit-remaining"] = draw(header_text(["0", "1", "-1", ""]))
    for name in ("X-App-Usage", "X-Business-Use-Case-Usage"):
        if draw(st.booleans()):
            value = draw(USAGE_VALUE)
            chosen[name] = value if value.isascii() and "\n" not in value else "{}"
    if draw(st.booleans()):
        # Only links to our own loopback server (or none at all): a fuzzed host is never contacted.
        chosen["Link"] = draw(st.sampled_from([
            '<{base}/wp-json/wp/v2/comments?page=2>; rel="next"', '<{base}/wp-json/wp/v2/comments?page=2&x=%00>; rel="next"',
            "<>; rel=next", 'rel="next"', '</relative/page/2>; rel="next"', '<javascript:void(0)>; rel="next"',
            '<http://127.0.0.1:99999/x>; rel="next"', '<http://[::1>; rel="next"', "<{base}/ohne-regel>"]))
    return chosen


STATUSES = st.one_of(st.sampled_from([200] * 6 + [201, 204, 400, 401, 403, 404, 409, 410, 418, 422, 429, 500, 502,
                                                  503, 504]),
                     st.integers(200, 599))


def error_body(platform: str):
    """The platform's own error bodies (mutated), any other platform's, or garbage."""
    from tests.contracts.fixtures import all_fixtures

    own = [f.body() for f in all_fixtures(platform) if "error" in f.expect and f.body() is not None]
    others = [f.body() for f in all_fixtures() if "error" in f.expect and f.body() is not None]
    return st.one_of(st.sampled_from(own), st.sampled_from(own).flatmap(mutated), st.sampled_from(others), garbage)


@st.composite
def answer(draw, value_strategy, *, error_rate: str = "some") -> Answer:
    """An HTTP answer: a status, headers and a body made from `value_strategy`."""
    status = draw(STATUSES) if error_rate == "some" else draw(st.integers(400, 599))
    body = draw(body_bytes(draw(value_strategy)))
    return Answer(status, body, tuple(draw(headers()).items()))
