"""Each unhandled exception the parser fuzzing found, reproduced with its smallest payload
(served over loopback to the real connector) and kept fixed."""

from __future__ import annotations

import json

import pytest

from tasks.channels.base import ChannelError, NotFound, RateLimited, Rejected, Unavailable
from tasks.channels.http import MAX_WAIT_SECONDS
from tests.platform_calls import LIST_CALL, PLATFORMS, json_answer
from tests.scripted_server import Answer, ScriptedServer

KINDS = list(PLATFORMS)


@pytest.fixture(scope="module")
def server():
    with ScriptedServer() as running:
        yield running


def listing(server, kind: str, answers: dict):
    calls = PLATFORMS[kind]
    server.play(calls.script(answers))
    return calls.client(server.base_url).list_new_comments(None)


def reply(server, kind: str, answer: Answer):
    calls = PLATFORMS[kind]
    server.play(calls.script({"reply": answer}))
    return calls.client(server.base_url).reply(calls.target, "Terima kasih.")


# --- bodies nested too deep to parse ------------------------------------------------------------

DEEP = b'{"error":' * 5000


@pytest.mark.parametrize("kind", KINDS)
def test_a_list_page_nested_thousands_deep_is_an_unreadable_answer_not_a_recursion_error(server, kind):
    with pytest.raises(Unavailable, match="bukan JSON"):
        listing(server, kind, {LIST_CALL[kind]: Answer(200, DEEP)})


@pytest.mark.parametrize("kind", KINDS)
def test_an_error_body_nested_thousands_deep_still_maps_to_a_channel_error(server, kind):
    with pytest.raises(ChannelError):
        listing(server, kind, {LIST_CALL[kind]: Answer(502, DEEP)})
    with pytest.raises(ChannelError):
        reply(server, kind, Answer(400, b"[" * 100_000))


def test_a_wordpress_error_whose_message_is_not_text_still_maps(server):
    with pytest.raises(Rejected, match="HTTP 400 rest_invalid_param: 1.5"):
        listing(server, "wordpress", {"list": json_answer({"code": "rest_invalid_param", "message": 1.5}, 400)})
    with pytest.raises(NotFound, match="HTTP 404$"):
        listing(server, "wordpress", {"list": json_answer({"code": None, "message": None}, 404)})


def test_a_graph_error_code_too_large_for_an_integer_still_maps(server):
    body = b'{"error": {"message": "x", "code": 1e999}}'
    with pytest.raises(Rejected):
        reply(server, "facebook", Answer(400, body))


# --- rate-limit waits that no scheduler can use ----------------------------------------------------


@pytest.mark.parametrize("kind,retry_after,expected", [
    ("wordpress", "²", None),  # a Latin-1 superscript two: isdigit() says yes, float() says no
    ("wordpress", "9" * 400, MAX_WAIT_SECONDS),
    ("wordpress", "86400000", MAX_WAIT_SECONDS),
    ("wordpress", "Fri, 31 Dec 9999 23:59:59 GMT", MAX_WAIT_SECONDS),
    ("wordpress", "Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ("youtube", "²", None),
    ("youtube", "9" * 400, MAX_WAIT_SECONDS),
    ("x", "9" * 400, MAX_WAIT_SECONDS),
])
def test_a_retry_after_header_becomes_a_wait_between_zero_and_two_days_or_none(server, kind, retry_after, expected):
    with pytest.raises(RateLimited) as caught:
        listing(server, kind, {LIST_CALL[kind]: Answer(429, b"", (("Retry-After", retry_after),))})
    if kind == "x" and expected is not None:
        expected = max(1.0, expected)
    assert caught.value.retry_after == expected


@pytest.mark.parametrize("reset,expected", [("9" * 30, MAX_WAIT_SECONDS), ("9" * 400, MAX_WAIT_SECONDS),
                                            ("²", None), ("0", 1.0)])
def test_an_x_rate_limit_reset_far_away_or_unreadable_gives_a_usable_wait(server, reset, expected):
    with pytest.raises(RateLimited) as caught:
        listing(server, "x", {"list": json_answer({"title": "Too Many Requests"}, 429, {"x-rate-limit-reset": reset})})
    assert caught.value.retry_after == expected


@pytest.mark.parametrize("minutes", ["1e308", "1e999", "5.5e20"])
def test_a_graph_regain_time_of_ages_is_capped_at_two_days(server, minutes):
    usage = '{"1": [{"call_count": 100, "estimated_time_to_regain_access": %s}]}' % minutes
    with pytest.raises(RateLimited) as caught:
        listing(server, "facebook", {"comments": Answer(400, b'{"error": {"code": 32, "message": "x"}}',
                                                        (("X-Business-Use-Case-Usage", usage),))})
    assert caught.value.retry_after == MAX_WAIT_SECONDS
