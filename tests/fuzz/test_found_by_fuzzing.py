"""Each unhandled exception the parser fuzzing found, reproduced with its smallest payload
(served over loopback to the real connector) and kept fixed."""

from __future__ import annotations

import json

import pytest

from tasks.channels.base import ChannelError, NotFound, Rejected, Unavailable
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
