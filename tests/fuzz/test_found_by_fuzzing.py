"""Each unhandled exception the parser fuzzing found, reproduced with its smallest payload
(served over loopback to the real connector) and kept fixed."""

from __future__ import annotations

import pytest

from tasks.channels.base import ChannelError, NotFound, RateLimited, Rejected, Unavailable
from tasks.channels.transport import MAX_WAIT_SECONDS
from tests.contracts.fixtures import load
from tests.platform_calls import LIST_CALL, PLATFORMS, json_answer, reasons
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


# --- items that cannot be stored as they came ------------------------------------------------------


def one(listing_result):
    assert len(listing_result.comments) + len(reasons(listing_result)) == 1, listing_result
    return listing_result


def wordpress_item(**changes) -> dict:
    item = dict(load("wordpress", "comments_page").body()[0])
    item.update(changes)
    return item


def test_text_with_a_lone_surrogate_or_nul_is_stored_with_a_replacement_character(server):
    listed = one(listing(server, "wordpress", {"list": json_answer([wordpress_item(
        author_name="Jane\x00 Doe", content={"rendered": "<p>a\udfffb</p>"})])}))
    comment = listed.comments[0]
    assert comment.author_name == "Jane Doe" and comment.text == "a\ufffdb"
    comment.text.encode("utf-8")


@pytest.mark.parametrize("kind,page", [
    ("facebook", {"data": [{"id": "", "message": "x", "created_time": "2025-03-04T09:15:00+0000"}]}),
    ("facebook", {"data": [{"id": {"a": 1}, "message": "x", "created_time": "2025-03-04T09:15:00+0000"}]}),
    ("instagram", {"data": [{"id": "1" * 200, "text": "x", "timestamp": "2025-03-04T09:15:00+0000"}]}),
    ("x", {"data": [{"id": "5", "text": "x", "author_id": [1], "created_at": "2025-03-04T09:15:00.000Z"}]}),
])
def test_an_item_whose_id_no_table_could_hold_is_kept_as_unreadable(server, kind, page):
    listed = one(listing(server, kind, {LIST_CALL[kind]: json_answer(page)}))
    assert reasons(listed) and "tidak terbaca" in reasons(listed)[0] and "id" in reasons(listed)[0]


@pytest.mark.parametrize("kind,item", [
    ("wordpress", ["not", "an", "object"]),
    ("facebook", {"id": "1_2", "message": "x", "created_time": "2025-03-04T09:15:00+0000", "parent": ["1_1"]}),
    ("instagram", {"id": "17", "text": "x", "timestamp": ["2025-03-04T09:15:00+0000"]}),
    ("instagram", ["not", "an", "object"]),
    ("youtube", {**load("youtube", "comment_threads_page").body()["items"][0],
                 "snippet": {**load("youtube", "comment_threads_page").body()["items"][0]["snippet"],
                             "totalReplyCount": float("inf")}}),
])
def test_an_item_of_the_wrong_shape_is_one_readable_problem_not_an_exception(server, kind, item):
    page = {"wordpress": [item], "youtube": {"items": [item]}}.get(kind, {"data": [item]})
    listed = one(listing(server, kind, {LIST_CALL[kind]: json_answer(page)}))
    assert reasons(listed)[0].split(" (")[0].endswith("tidak terbaca")


# --- WordPress ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("me", [{}, "", {"id": "7; DROP"}, {"id": [7]}])
def test_a_wordpress_users_me_without_a_user_id_is_an_unreadable_answer(server, me):
    with pytest.raises(Unavailable, match="users/me|bukan dict"):
        listing(server, "wordpress", {"me": json_answer(me)})


def test_a_wordpress_reply_answered_without_an_id_is_an_unreadable_answer_not_a_key_error(server):
    with pytest.raises(Unavailable, match="tanpa id"):
        reply(server, "wordpress", json_answer({"post": 87, "parent": 412}, 201))


@pytest.mark.parametrize("date", [None, "kemarin", "2025-3-4T10:15:00x"])
def test_a_wordpress_comment_without_a_readable_local_date_is_kept_as_unreadable_and_the_cursor_stays(server, date):
    item = wordpress_item(date=date) if date is not None else {k: v for k, v in wordpress_item().items() if k != "date"}
    listed = one(listing(server, "wordpress", {"list": json_answer([item])}))
    assert reasons(listed) and listed.cursor == {}


def test_a_wordpress_local_date_written_short_is_stored_in_the_cursors_one_form(server):
    listed = one(listing(server, "wordpress", {"list": json_answer([wordpress_item(date="2025-3-4T9:05:00")])}))
    assert listed.cursor == {"after_local": "2025-03-04T09:05:00"}


# --- Graph ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind,call,page", [
    ("facebook", "feed", {"data": [["1142469655832956_1"]]}),
    ("facebook", "comments", {"data": [], "paging": ["next"]}),
    ("facebook", "comments", {"data": [], "paging": {"next": {"url": "x"}}}),
    ("instagram", "media", {"data": [[]]}),
    ("instagram", "comments", {"data": [{"id": "1", "text": "x", "timestamp": "2025-03-04T09:15:00+0000",
                                         "replies": {"data": [], "paging": {"next": 5}}}]}),
])
def test_a_graph_page_with_posts_or_paging_of_the_wrong_shape_is_read_without_an_exception(server, kind, call, page):
    listed = listing(server, kind, {call: json_answer(page)})
    assert all(p.split(" (")[0].endswith("tidak terbaca") for p in reasons(listed))


@pytest.mark.parametrize("kind", ["facebook", "instagram"])
@pytest.mark.parametrize("created", [{"id": "\u0301" * 5000}, {"id": ["1"]}, {"id": True}])
def test_a_graph_reply_answered_with_an_id_no_table_could_hold_is_unavailable_so_publishing_looks_again(
        server, kind, created):
    # The POST may have landed: a transient error makes the retry look for our reply before posting.
    with pytest.raises(Unavailable, match="id balasan"):
        reply(server, kind, json_answer(created))


# --- X --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [{"data": 3.4e16}, {"data": ["1"]}, {"data": {"id": {"x": 1}}}])
def test_an_x_reply_answered_with_data_of_the_wrong_shape_is_an_unreadable_answer(server, answer):
    with pytest.raises(Unavailable, match="tanpa id"):
        reply(server, "x", json_answer(answer))


@pytest.mark.parametrize("answer", [{"data": ['{"hidden": true}']}, {"data": {"hidden": "true"}}])
def test_an_x_hide_answered_with_data_of_the_wrong_shape_is_not_taken_as_hidden(server, answer):
    calls = PLATFORMS["x"]
    server.play(calls.script({"hide": json_answer(answer)}))
    with pytest.raises(Unavailable, match="penyembunyian"):
        calls.client(server.base_url).hide(calls.target)


@pytest.mark.parametrize("page", [{"errors": {"data": {}}}, {"errors": {"0": {"title": "x"}, "1": 2}}])
def test_x_partial_errors_of_the_wrong_shape_are_refused_without_a_key_error(server, page):
    with pytest.raises(Rejected):
        listing(server, "x", {"list": json_answer(page)})


@pytest.mark.parametrize("page", [
    {"data": "x" * 50, "meta": {"result_count": 1}},
    {"data": [], "includes": ["users"], "meta": ["newest_id"]},
    {"data": [], "meta": {"newest_id": {"id": 1}, "next_token": ["t"]}},
])
def test_an_x_page_with_data_includes_or_meta_of_the_wrong_shape_lists_nothing_and_keeps_a_usable_cursor(server, page):
    listed = listing(server, "x", {"list": json_answer(page)})
    assert listed.comments == [] and reasons(listed) == [] and listed.cursor == {}


def test_an_x_mention_with_a_time_without_zone_is_unreadable_not_read_as_local_time(server):
    item = {"id": "5", "text": "x", "author_id": "6", "created_at": "2025-03-04T09:15:00"}
    listed = one(listing(server, "x", {"list": json_answer({"data": [item]})}))
    assert "zona" in reasons(listed)[0]


# --- YouTube ---------------------------------------------------------------------------------------


def test_a_youtube_error_whose_reason_is_an_object_still_maps_to_a_channel_error(server):
    body = {"error": {"code": 503, "message": "Backend Error",
                      "errors": [{"message": "Backend Error", "domain": "global", "reason": {"value": "backendError"}}]}}
    with pytest.raises(Rejected, match="HTTP 400"):
        listing(server, "youtube", {"list": json_answer(body, 400)})


def test_an_error_that_quotes_a_body_with_nul_and_control_bytes_can_be_stored(server):
    with pytest.raises(ChannelError) as caught:
        listing(server, "wordpress", {"me": Answer(502, b'{"id": 7}\n{\x07\x9cm\t\x03p\x00lE')})
    assert "\x00" not in str(caught.value) and "\x07" not in str(caught.value) and "lE" in str(caught.value)


# --- a next-page link that is not a URL -----------------------------------------------------

def test_a_wordpress_next_link_that_is_not_a_url_is_unavailable_not_a_value_error(server):
    page = [load("wordpress", "comments_page").body()[0]]
    with pytest.raises(Unavailable, match="tautan halaman berikutnya tidak sah"):
        listing(server, "wordpress", {"list": json_answer(page, headers={"Link": '<http://[::1>; rel="next"'})})


def test_a_graph_next_link_that_is_not_a_url_is_read_without_a_value_error(server):
    page = {"data": [], "paging": {"next": "http://[::1/comments?after=x"}}
    try:
        listed = listing(server, "facebook", {"comments": json_answer(page)})
    except Unavailable as error:  # the whole listing refused is as good as a page left unread
        assert "tautan halaman berikutnya tidak sah" in str(error)
    else:
        assert any("tidak sah" in p for p in reasons(listed))


# --- found by the 10,000-payload run of issue 6 ---------------------------------------------------------


@pytest.mark.parametrize("date_gmt", ["kemarin", "\x8d\u00cf\U0004281d", "2025-13-45T99:00:00"])
def test_a_wordpress_reply_answered_with_an_unreadable_time_is_our_reply_without_a_time(server, date_gmt):
    answer = json_answer({"id": 414, "post": 87, "parent": 412, "author": 7, "date_gmt": date_gmt,
                          "content": {"rendered": "<p>Terima kasih.</p>"}}, 201)
    published = reply(server, "wordpress", answer)
    assert published.external_id == "414" and published.posted_at is None


@pytest.mark.parametrize("kind", ["facebook", "instagram"])
def test_a_thread_gone_with_a_long_error_message_is_one_short_problem(server, kind):
    message = "Unsupported get request. Object with ID '1_999' does not exist. " + "[" * 5000
    gone = json_answer({"error": {"message": message, "type": "GraphMethodException", "code": 100,
                                  "error_subcode": 33}}, 400)
    listed = listing(server, kind, {"comments": gone})
    assert listed.problems and all(20 <= len(p) <= 600 and "tidak dapat dibaca" in p for p in listed.problems)


@pytest.mark.parametrize("errors", [1, -10000000.0, "Invalid Request"])
def test_an_x_error_whose_errors_is_no_list_still_maps_to_a_channel_error(server, errors):
    body = {"errors": errors, "title": "Invalid Request", "detail": "One or more parameters were invalid."}
    with pytest.raises(ChannelError, match="Invalid Request"):
        listing(server, "x", {"list": json_answer(body, 400)})
    with pytest.raises(Unavailable):
        listing(server, "x", {"list": json_answer(body, 550)})


def test_an_x_page_whose_users_have_ids_of_the_wrong_shape_still_reads_its_mentions(server):
    item = {"id": "12551", "text": "@bbppketindan Kapan pendaftaran dibuka?", "author_id": "2244994945",
            "conversation_id": "12551", "created_at": "2026-12-01T15:47:38.000Z"}
    page = {"data": [item], "includes": {"users": [{"id": ["2244994945"], "username": "warga"},
                                                   {"id": "2244994945", "name": "Warga", "username": "warga"}]},
            "meta": {"result_count": 1, "newest_id": "12551"}}
    listed = listing(server, "x", {"list": json_answer(page)})
    assert [c.ref.external_id for c in listed.comments] == ["12551"]


@pytest.mark.parametrize("reply_id", ["\u00e9" * 5000, " Ugx1 ", ""])
def test_a_youtube_reply_answered_with_an_id_no_table_could_hold_is_unavailable_so_publishing_looks_again(
        server, reply_id):
    with pytest.raises(Unavailable, match="tanpa id"):
        reply(server, "youtube", json_answer({"kind": "youtube#comment", "etag": {}, "id": reply_id}))
