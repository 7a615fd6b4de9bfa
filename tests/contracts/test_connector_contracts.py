"""Each connector against the platforms' recorded answers (tests/contracts/<platform>/): the
fixture is put on the wire by a loopback server for the call it answers, every other call gets
a valid default, and the connector's parser or error mapper must make of it what the sidecar says."""

from __future__ import annotations

import json
import pytest

from tasks.channels import base
from tests.contracts.fixtures import CONTRACTS, Fixture, all_fixtures, load
from tests.platform_calls import LIST_CALL, PLATFORMS, fixture_answer, json_answer, reasons
from tests.scripted_server import ScriptedServer

FIXTURES = all_fixtures()


@pytest.fixture(scope="module")
def server():
    with ScriptedServer() as running:
        yield running


def run_call(server, fixture: Fixture, answers: dict | None = None):
    """Serve the fixture for its call (plus `answers`) and make the connector call that reads it."""
    calls = PLATFORMS[fixture.platform]
    server.play(calls.script({fixture.call: fixture_answer(fixture.platform, fixture.name), **(answers or {})}))
    client = calls.client(server.base_url)
    if fixture.call == "reply":
        return client.reply(calls.target, "Terima kasih, pertanyaan Anda sudah kami catat.")
    if fixture.call == "hide":
        return client.hide(calls.target)
    if fixture.call == "me":
        return client.my_user_id()
    return client.list_new_comments(None)


def comment_as_dict(comment) -> dict:
    return {"external_id": comment.ref.external_id, "thread_id": comment.ref.thread_id,
            "parent_external_id": comment.ref.parent_external_id, "author_name": comment.author_name,
            "author_external_id": comment.author_external_id, "text": comment.text,
            "posted_at": comment.posted_at.isoformat(), "link": comment.link}


def test_every_fixture_says_where_it_comes_from_and_what_it_must_give():
    assert len(FIXTURES) >= 50
    for fixture in FIXTURES:
        assert fixture.source in ("documented", "UNCONFIRMED"), fixture.id
        assert fixture.reference.strip(), fixture.id
        assert fixture.expect, fixture.id
        assert fixture.call in PLATFORMS[fixture.platform].calls, fixture.id
    for platform in PLATFORMS:
        kinds = {f.expect.get("error") for f in FIXTURES if f.platform == platform}
        assert {"RateLimited", "AuthError", "Rejected"} <= kinds, platform
        assert any("comments" in f.expect for f in FIXTURES if f.platform == platform), platform


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if "error" in f.expect], ids=lambda f: f.id)
def test_each_documented_error_answer_maps_to_its_error_kind(server, fixture):
    with pytest.raises(base.ChannelError) as caught:
        run_call(server, fixture)
    error = caught.value
    assert type(error).__name__ == fixture.expect["error"], str(error)
    assert error.reason and str(error).startswith(error.reason)
    if "retry_after" in fixture.expect:
        assert error.retry_after == fixture.expect["retry_after"]
    if "retry_after_between" in fixture.expect:
        low, high = fixture.expect["retry_after_between"]
        assert low <= error.retry_after <= high


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if "comments" in f.expect], ids=lambda f: f.id)
def test_each_documented_list_page_gives_exactly_the_expected_comments(server, fixture):
    listing = run_call(server, fixture)
    assert [comment_as_dict(c) for c in listing.comments] == fixture.expect["comments"]
    assert len(reasons(listing)) == fixture.expect["problems"], reasons(listing)
    for comment in listing.comments:
        assert comment.raw["id"] == (int(comment.ref.external_id) if fixture.platform == "wordpress"
                                     else comment.ref.external_id)
    if "cursor" in fixture.expect:
        assert listing.cursor == fixture.expect["cursor"]
    json.dumps(listing.cursor, allow_nan=False)  # the cursor is stored as JSON
    if fixture.expect.get("follows_next"):
        pages = [r for r in server.requests if PLATFORMS[fixture.platform].call_of(r) == fixture.call]
        assert len(pages) == 2, "the page's next link or token was not followed"


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if "reply_id" in f.expect], ids=lambda f: f.id)
def test_each_documented_created_reply_gives_its_id(server, fixture):
    published = run_call(server, fixture)
    assert published.external_id == fixture.expect["reply_id"]
    if "link" in fixture.expect:
        assert published.link == fixture.expect["link"]


@pytest.mark.parametrize("fixture", [f for f in FIXTURES if "hidden" in f.expect], ids=lambda f: f.id)
def test_each_documented_hide_answer_is_taken_as_hidden(server, fixture):
    assert run_call(server, fixture) is None
    assert any(PLATFORMS[fixture.platform].call_of(r) == "hide" for r in server.requests)


def test_wordpress_users_me_gives_our_user_id(server):
    fixture = load("wordpress", "users_me")
    assert run_call(server, fixture) == fixture.expect["user_id"]


@pytest.mark.parametrize("platform,name", [("facebook", "feed_page"), ("instagram", "media_page")])
def test_the_documented_post_and_media_lists_lead_to_each_ones_comments(server, platform, name):
    fixture = load(platform, name)
    run_call(server, fixture)
    read = {r.path.split("/")[2] for r in server.requests if PLATFORMS[platform].call_of(r) == "comments"}
    assert read == set(fixture.expect.get("posts") or fixture.expect["media"])


def test_our_own_documented_replies_keep_the_answered_youtube_thread_out(server):
    # The thread says it has more replies than it carries, so the connector reads comments.list.
    threads = load("youtube", "comment_threads_page").body()
    threads.pop("nextPageToken")
    answered = threads["items"][1]
    answered["snippet"]["totalReplyCount"] = 6
    answered.pop("replies")
    replies = load("youtube", "comments_page")
    calls = PLATFORMS["youtube"]
    server.play(calls.script({"list": json_answer(threads), "replies": fixture_answer("youtube", replies.name)}))
    listing = calls.client(server.base_url).list_new_comments(None)
    assert [c.ref.external_id for c in listing.comments] == ["UgzX1a2b3c"] and not reasons(listing)
    assert [r.query["parentId"] for r in server.requests if calls.call_of(r) == "replies"] == [answered["id"]]


def test_our_own_documented_x_timeline_marks_the_mention_we_answered(server):
    calls = PLATFORMS["x"]
    server.play(calls.script({"list": fixture_answer("x", "mentions_page"),
                              "own_tweets": fixture_answer("x", "user_tweets_page")}))
    listing = calls.client(server.base_url).list_new_comments(None)
    answered = load("x", "user_tweets_page").expect["answered"]
    assert answered and not {c.ref.external_id for c in listing.comments} & set(answered)
    assert len(listing.comments) == 1


def test_graph_usage_headers_give_the_wait_in_seconds():
    fixture = load("facebook", "error_page_throttled")
    usage = json.loads(fixture.headers["X-Business-Use-Case-Usage"])
    minutes = next(iter(usage.values()))[0]["estimated_time_to_regain_access"]
    assert fixture.expect["retry_after"] == minutes * 60


@pytest.mark.parametrize("platform", list(PLATFORMS))
def test_each_platform_has_a_list_page_an_error_and_a_created_reply_on_file(platform):
    fixtures = all_fixtures(platform)
    assert any(f.call == LIST_CALL[platform] and "comments" in f.expect for f in fixtures)
    assert any("error" in f.expect for f in fixtures)
    assert any("reply_id" in f.expect for f in fixtures)
    for fixture in fixtures:
        assert fixture.body_file.suffix == ".html" or fixture.body() is not None


def test_the_contracts_readme_lists_every_fixture_with_its_source():
    readme = (CONTRACTS / "README.md").read_text(encoding="utf-8")
    for fixture in FIXTURES:
        assert f"| `{fixture.name}` | {fixture.call} | {fixture.status} | {fixture.source} |" in readme, fixture.id
