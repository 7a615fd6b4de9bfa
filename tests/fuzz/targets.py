"""What the fuzzing feeds each connector and what must hold afterwards.

Four targets per connector, all driving the connectors' real code:
- `listing`: a generated answer for one call of a listing (a list page, the posts or media it
  reads, our own timeline, an error), served over loopback to `list_new_comments`;
- `errors`: error answers (status x body x rate-limit headers) on a listing and on a reply;
- `items`: single items through the same `read_item` the listings use;
- `single`: the answers to a reply (the created comment) and to a hide.

Expected of every payload: a well-formed result or a ChannelError, never another exception;
an item that cannot be read is kept as exactly one problem with a readable reason.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from hypothesis import strategies as st

from tasks.channels.base import ChannelError, IncomingComment, Listing, PublishedReply
from tasks.channels.reading import read_item
from tests.contracts.fixtures import load
from tests.fuzz import payloads as p
from tests.platform_calls import LIST_CALL, PLATFORMS
from tests.scripted_server import Answer, ScriptedServer

KINDS = tuple(PLATFORMS)
MAX_WAIT = 2 * 24 * 3600  # the longest wait a platform answer may impose (tasks/channels/transport.py)
ID_LIMIT, NAME_LIMIT, LINK_LIMIT = 128, 300, 1000  # the comment table's columns


@dataclass
class Outcome:
    comments: int = 0
    unreadable: int = 0
    channel_errors: int = 0


# --- what must hold ----------------------------------------------------------------------------


def storable(text: str, what: str) -> None:
    assert isinstance(text, str), f"{what} is {type(text).__name__}"
    text.encode("utf-8")  # a lone surrogate cannot be stored
    assert "\x00" not in text, f"{what} holds NUL"


def check_comment(comment: IncomingComment) -> None:
    assert isinstance(comment, IncomingComment)
    for what, value in (("external_id", comment.ref.external_id), ("thread_id", comment.ref.thread_id)):
        storable(value, what)
        assert value and len(value) <= ID_LIMIT, f"{what} {value[:80]!r}"
    for what, value in (("parent_external_id", comment.ref.parent_external_id),
                        ("author_external_id", comment.author_external_id)):
        if value is not None:
            storable(value, what)
            assert value and len(value) <= ID_LIMIT, f"{what} {value[:80]!r}"
    storable(comment.author_name, "author_name")
    assert comment.author_name and len(comment.author_name) <= NAME_LIMIT
    storable(comment.text, "text")
    assert not any(ch in comment.text for ch in "\x01\x02\x1b\x7f"), "control characters in text"
    if comment.link is not None:
        storable(comment.link, "link")
        assert len(comment.link) <= LINK_LIMIT
    assert comment.posted_at.utcoffset() is not None and comment.posted_at.utcoffset().total_seconds() == 0
    assert isinstance(comment.raw, (dict, list))


def check_problem(problem: str) -> None:
    storable(problem, "problem")
    assert 20 <= len(problem) <= 600 and "tidak" in problem and "Traceback" not in problem, problem[:200]


def check_listing(listing: Listing) -> Outcome:
    assert isinstance(listing, Listing)
    for comment in listing.comments:
        check_comment(comment)
    # The same comment twice in one listing is allowed: pages overlap, and the inventory keeps it once.
    for item in listing.unreadable:
        check_problem(item.reason)
        storable(item.excerpt, "excerpt")
        assert item.external_id is None or 0 < len(item.external_id) <= 128
    for problem in listing.problems:
        check_problem(problem)
    json.loads(json.dumps(listing.cursor, allow_nan=False))  # the cursor is stored as JSON
    return Outcome(comments=len(listing.comments), unreadable=len(listing.unreadable) + len(listing.problems))


def check_error(error: ChannelError) -> Outcome:
    assert error.reason and isinstance(str(error), str)
    storable(str(error), "error text")
    if error.retry_after is not None:
        assert isinstance(error.retry_after, (int, float)) and math.isfinite(error.retry_after)
        assert 0 <= error.retry_after <= MAX_WAIT, error.retry_after
    return Outcome(channel_errors=1)


# --- targets -----------------------------------------------------------------------------------


@dataclass
class Target:
    kind: str
    name: str
    strategy: st.SearchStrategy
    run: Callable[[Any, ScriptedServer], Outcome]
    payloads: int = field(default=0)


def _on_wire(answer: Answer, server: ScriptedServer) -> Answer:
    return replace(answer, headers=tuple((n, v.replace("{base}", server.base_url)) for n, v in answer.headers))


def _listing(kind: str, answers: dict[str, Answer], server: ScriptedServer) -> Outcome:
    calls = PLATFORMS[kind]
    server.play(calls.script({call: _on_wire(a, server) for call, a in answers.items()}))
    client = calls.client(server.base_url)
    try:
        listing = client.list_new_comments(None)
    except ChannelError as error:
        return check_error(error)
    outcome = check_listing(listing)
    # The cursor it gave must work for the next listing, against valid answers.
    server.play(calls.script({}))
    check_listing(client.list_new_comments(json.loads(json.dumps(listing.cursor))))
    return outcome


def _other_pages(kind: str) -> dict[str, st.SearchStrategy]:
    """The listing's other calls and what a generated answer for each is made from."""
    body = p.fixture_body
    return {
        "wordpress": {"me": p.maybe_mutated({"id": 7})},
        "facebook": {"feed": p.maybe_mutated(body("facebook", "feed_page"))},
        "instagram": {"media": p.maybe_mutated(body("instagram", "media_page")), "replies": p.page("instagram")},
        "youtube": {"replies": p.maybe_mutated(body("youtube", "comments_page"))},
        "x": {"own_tweets": p.maybe_mutated(body("x", "user_tweets_page"))},
    }[kind]


def listing_target(kind: str) -> Target:
    list_call = LIST_CALL[kind]
    choices = [st.tuples(st.just(list_call), p.answer(p.page(kind)))] * 3
    choices.append(st.tuples(st.just(list_call), p.answer(p.error_body(kind), error_rate="all")))
    choices += [st.tuples(st.just(call), p.answer(value)) for call, value in _other_pages(kind).items()]
    strategy = st.one_of(choices)
    return Target(kind, "listing", strategy, lambda drawn, server: _listing(kind, {drawn[0]: drawn[1]}, server))


def errors_target(kind: str) -> Target:
    def run(answer: Answer, server: ScriptedServer) -> Outcome:
        outcome = _listing(kind, {LIST_CALL[kind]: answer}, server)
        outcome.channel_errors += _single(kind, "reply", answer, server).channel_errors
        return outcome

    status = st.sampled_from([400, 401, 403, 404, 409, 429, 500, 502, 503]) | st.integers(400, 599)
    if kind == "x":
        status = status | st.just(200)  # X's partial errors come with 200
    strategy = st.builds(lambda s, b, h: Answer(s, b, tuple(h.items())), status,
                         p.error_body(kind).flatmap(p.body_bytes), p.headers())
    return Target(kind, "errors", strategy, run)


def _parser(kind: str, client) -> Callable[[Any], IncomingComment]:
    """The per-item reader each listing hands to read_item."""
    if kind == "wordpress":
        return client._parse
    if kind == "facebook":
        post = load("facebook", "feed_page").body()["data"][0]
        return lambda item: client._parse(item, post)
    if kind == "instagram":
        media = load("instagram", "media_page").body()["data"][0]
        return lambda item: client._parse(item, media, None)
    if kind == "youtube":
        return client._parse_thread
    users = {u["id"]: u for u in load("x", "mentions_page").body()["includes"]["users"]}
    return lambda item: client._parse(item, users)


def items_target(kind: str) -> Target:
    client = PLATFORMS[kind].client("http://127.0.0.1:9")  # never called: items are parsed in hand
    parse = _parser(kind, client)

    def run(item, server) -> Outcome:
        problems: list = []
        comment = read_item(parse, item, f"item {kind}", problems)
        assert (comment is None) == (len(problems) == 1), problems
        if comment is None:
            check_problem(problems[0].reason)
            return Outcome(unreadable=1)
        check_comment(comment)
        return Outcome(comments=1)

    return Target(kind, "items", p.item(kind), run)


def _single(kind: str, call: str, answer: Answer, server: ScriptedServer) -> Outcome:
    calls = PLATFORMS[kind]
    server.play(calls.script({call: _on_wire(answer, server)}))
    client = calls.client(server.base_url)
    try:
        if call == "reply":
            published = client.reply(calls.target, "Terima kasih atas pertanyaannya.")
            assert isinstance(published, PublishedReply)
            storable(published.external_id, "reply id")
            assert published.external_id and len(published.external_id) <= ID_LIMIT
            assert published.link is None or isinstance(published.link, str)
        else:
            assert client.hide(calls.target) is None
    except ChannelError as error:
        return check_error(error)
    return Outcome()


REPLY_BODY = {"wordpress": "comment_created", "facebook": "reply_created", "instagram": "reply_created",
              "youtube": "comment_inserted", "x": "tweet_created"}
HIDE_BODY = {"wordpress": {"id": 412, "status": "hold"}, "facebook": {"success": True},
             "instagram": {"success": True}, "youtube": {}, "x": {"data": {"hidden": True}}}


def single_target(kind: str) -> Target:
    reply = p.maybe_mutated(p.fixture_body(kind, REPLY_BODY[kind]))
    strategy = st.one_of(st.tuples(st.just("reply"), p.answer(reply)),
                         st.tuples(st.just("hide"), p.answer(p.maybe_mutated(HIDE_BODY[kind]))))
    return Target(kind, "single", strategy, lambda drawn, server: _single(kind, drawn[0], drawn[1], server))


def targets(kinds=KINDS, names=("listing", "errors", "items", "single")) -> list[Target]:
    makers = {"listing": listing_target, "errors": errors_target, "items": items_target, "single": single_target}
    return [makers[name](kind) for kind in kinds for name in names]
