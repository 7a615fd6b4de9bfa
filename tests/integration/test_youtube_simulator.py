"""The YouTube simulator honours the Data API v3 comment contract, quirks included, over real HTTP."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from simulator.youtube import (
    INLINE_REPLIES,
    PACIFIC,
    SEED_AWAITING_ANSWER,
    SEED_COMMENTS,
    SEED_OFFICIAL_COMMENTS,
    SEED_VISITOR_COMMENTS,
    YOUTUBE_CHANNEL_ID,
    YOUTUBE_DEMO_TOKEN,
    YOUTUBE_READONLY_TOKEN,
    YouTubeSite,
    seed_youtube,
)

TIMEOUT = 5
AUTH = {"Authorization": f"Bearer {YOUTUBE_DEMO_TOKEN}"}
RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def site() -> YouTubeSite:
    return seed_youtube(YouTubeSite())


def get(sim, resource, headers=AUTH, **params):
    return requests.get(f"{sim.api_base}/{resource}", params=params, headers=headers, timeout=TIMEOUT)


def threads(sim, headers=AUTH, **params):
    query = {"part": "snippet,replies", "allThreadsRelatedToChannelId": YOUTUBE_CHANNEL_ID, **params}
    return get(sim, "commentThreads", headers=headers, **query)


def insert(sim, parent_id, text, headers=AUTH, timeout=TIMEOUT):
    return requests.post(f"{sim.api_base}/comments", params={"part": "snippet"}, headers=headers, timeout=timeout,
                         json={"snippet": {"parentId": parent_id, "textOriginal": text}})


def moderate(sim, comment_id, status="heldForReview", **extra):
    return requests.post(f"{sim.api_base}/comments/setModerationStatus", headers=AUTH, timeout=TIMEOUT,
                         params={"id": comment_id, "moderationStatus": status, **extra})


def visitor_top(site, author="@rinawulandari88") -> dict:
    return next(c for c in site.comments if c["author_name"] == author)


def reason_of(response) -> str:
    return response.json()["error"]["errors"][0]["reason"]


# -- seed ---------------------------------------------------------------------------------------
def test_seed_holds_visitor_questions_spam_emoji_and_one_older_official_reply(site):
    comments = site.comments
    official = site.by_official_account()
    visitors = [c for c in comments if c["author_id"] != YOUTUBE_CHANNEL_ID]
    assert len(comments) == SEED_COMMENTS and len(visitors) == SEED_VISITOR_COMMENTS
    assert len(official) == SEED_OFFICIAL_COMMENTS
    answered = {r["parent"] for r in official if r["parent"]}
    assert SEED_AWAITING_ANSWER == len([c for c in visitors if c["id"] not in answered]) == 10
    official_reply = next(r for r in official if r["parent"])
    visitor_reply = next(c for c in visitors if c["parent"] == official_reply["parent"])
    assert official_reply["published"] < visitor_reply["published"]
    now = datetime.now(timezone.utc)
    assert all(now - timedelta(days=3) <= c["published"] <= now for c in comments)
    assert any("slot gacor" in c["text"] for c in comments)
    assert any("🌾" in c["text"] for c in comments)
    assert any(v["comments_disabled"] for v in site.videos)


# -- listing ------------------------------------------------------------------------------------
def test_threads_come_newest_first_by_top_level_time_in_pages_with_tokens(sim, site):
    seen, token, pages = [], None, 0
    while True:
        response = threads(sim, maxResults=4, order="time", **({"pageToken": token} if token else {}))
        assert response.status_code == 200
        body = response.json()
        pages += 1
        assert body["kind"] == "youtube#commentThreadListResponse"
        # The real API's quirk: totalResults is the number of items on this page.
        assert body["pageInfo"] == {"totalResults": len(body["items"]), "resultsPerPage": 4}
        seen += body["items"]
        token = body.get("nextPageToken")
        if not token:
            break
    top_levels = [c for c in site.comments if c["parent"] is None and not c["hidden"]]
    assert pages == 3 and len(seen) == len(top_levels) == 11
    stamps = [t["snippet"]["topLevelComment"]["snippet"]["publishedAt"] for t in seen]
    assert stamps == sorted(stamps, reverse=True)
    assert all(RFC3339_Z.match(s) for s in stamps)
    # A new reply does not bring an old thread forward.
    oldest = seen[-1]
    site.add_comment(oldest["snippet"]["videoId"], "Balasan baru", author_name="@baru", parent=oldest["id"])
    assert threads(sim, maxResults=1).json()["items"][0]["id"] != oldest["id"]


def test_pages_do_not_shift_when_comments_arrive_while_paging(sim, site):
    first = threads(sim, maxResults=5).json()
    video = first["items"][0]["snippet"]["videoId"]
    for n in range(3):
        site.add_comment(video, f"Komentar sela {n}", author_name="@sela")
    second = threads(sim, maxResults=5, pageToken=first["nextPageToken"]).json()
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}


def test_a_thread_carries_at_most_five_replies_and_the_rest_come_from_comments_list(sim, site):
    top = visitor_top(site)
    for n in range(7):
        site.add_comment(top["video_id"], f"Balasan ke-{n}", author_name=f"@warga{n}", parent=top["id"],
                         created=datetime.now(timezone.utc) + timedelta(seconds=n))
    thread = next(t for t in threads(sim).json()["items"] if t["id"] == top["id"])
    assert thread["snippet"]["totalReplyCount"] == 7
    assert len(thread["replies"]["comments"]) == INLINE_REPLIES
    assert all(r["snippet"]["parentId"] == top["id"] for r in thread["replies"]["comments"])
    replies, token = [], None
    while True:
        body = get(sim, "comments", part="snippet", parentId=top["id"], maxResults=3,
                   **({"pageToken": token} if token else {})).json()
        assert body["kind"] == "youtube#commentListResponse"
        replies += body["items"]
        token = body.get("nextPageToken")
        if not token:
            break
    assert [r["snippet"]["textOriginal"] for r in replies] == [f"Balasan ke-{n}" for n in range(7)]
    assert all(r["id"].startswith(top["id"] + ".") for r in replies)


def test_text_format_html_escapes_and_plain_text_does_not(sim, site):
    target = visitor_top(site, "@yogapratama")
    by_format = {}
    for text_format in ("html", "plainText"):
        items = threads(sim, textFormat=text_format).json()["items"]
        by_format[text_format] = next(t for t in items if t["id"] == target["id"])["snippet"]["topLevelComment"]
    assert by_format["plainText"]["snippet"]["textDisplay"] == target["text"]
    html_text = by_format["html"]["snippet"]["textDisplay"]
    assert html_text.startswith("&lt;b&gt;Mantap&lt;/b&gt;") and "&quot;daging&quot;" in html_text
    assert by_format["html"]["snippet"]["textOriginal"] == target["text"]
    spam = next(t for t in threads(sim).json()["items"] if "gacor" in t["snippet"]["topLevelComment"]["snippet"]
                ["textOriginal"])
    assert '<a href="https://gacor88-maxwin.example/daftar">' in spam["snippet"]["topLevelComment"]["snippet"][
        "textDisplay"]


def test_parameter_errors_use_googles_error_shape(sim):
    too_many = threads(sim, maxResults=101)
    assert too_many.status_code == 400 and reason_of(too_many) == "invalidParameter"
    assert too_many.json()["error"]["code"] == 400
    no_filter = get(sim, "commentThreads", part="snippet")
    assert no_filter.status_code == 400 and reason_of(no_filter) == "missingRequiredParameter"
    both = get(sim, "commentThreads", part="snippet", videoId="x", allThreadsRelatedToChannelId=YOUTUBE_CHANNEL_ID)
    assert reason_of(both) == "incompatibleParameters"
    bad_token = threads(sim, pageToken="bukan-token")
    assert bad_token.status_code == 400 and reason_of(bad_token) == "invalidPageToken"
    unknown = get(sim, "commentThreads", part="snippet", allThreadsRelatedToChannelId="UCtidakada")
    assert unknown.status_code == 404 and reason_of(unknown) == "channelNotFound"


def test_a_video_with_comments_disabled_answers_comments_disabled(sim, site):
    closed = next(v for v in site.videos if v["comments_disabled"])
    response = get(sim, "commentThreads", part="snippet", videoId=closed["id"])
    assert response.status_code == 403 and reason_of(response) == "commentsDisabled"
    assert "<code>" in response.json()["error"]["message"]  # the real messages carry HTML


# -- auth and quota -----------------------------------------------------------------------------
def test_a_bad_token_is_a_401_auth_error_and_no_token_a_403(sim):
    bad = threads(sim, headers={"Authorization": "Bearer ya29.kedaluwarsa"})
    assert bad.status_code == 401 and reason_of(bad) == "authError"
    assert bad.json()["error"]["status"] == "UNAUTHENTICATED"
    assert "invalid_token" in bad.headers["WWW-Authenticate"]
    missing = threads(sim, headers={})
    assert missing.status_code == 403 and reason_of(missing) == "forbidden"


def test_a_read_only_token_cannot_reply(sim, site):
    read_only = {"Authorization": f"Bearer {YOUTUBE_READONLY_TOKEN}"}
    response = insert(sim, visitor_top(site)["id"], "Halo", headers=read_only)
    assert response.status_code == 403 and reason_of(response) == "insufficientPermissions"
    assert len(site.comments) == SEED_COMMENTS


def test_quota_costs_one_per_list_and_fifty_per_write_and_runs_out_with_quota_exceeded(sim, site):
    assert site.quota_used == 0
    threads(sim)
    assert site.quota_used == 1
    insert(sim, visitor_top(site)["id"], "Terima kasih")
    assert site.quota_used == 51
    site.daily_quota = 60
    assert moderate(sim, visitor_top(site, "@slotgacor88maxwin")["id"]).status_code == 403
    for _ in range(9):
        assert threads(sim).status_code == 200
    exhausted = threads(sim)
    assert exhausted.status_code == 403 and reason_of(exhausted) == "quotaExceeded"
    assert exhausted.json()["error"]["errors"][0]["domain"] == "youtube.quota"
    assert not {"Retry-After", "X-RateLimit-Remaining", "X-RateLimit-Reset"} & set(exhausted.headers)


def test_the_quota_day_turns_at_midnight_pacific_time(sim, site):
    site.clock = lambda: datetime(2026, 3, 8, 7, 59, tzinfo=timezone.utc)  # 23:59 PST on 7 March
    site.daily_quota = 1
    assert threads(sim).status_code == 200
    assert reason_of(threads(sim)) == "quotaExceeded"
    site.clock = lambda: datetime(2026, 3, 8, 8, 0, tzinfo=timezone.utc)  # 00:00 PST on 8 March
    assert site.clock().astimezone(PACIFIC).hour == 0
    assert threads(sim).status_code == 200


# -- writing ------------------------------------------------------------------------------------
def test_a_reply_is_filed_under_the_top_level_comment_and_returned_as_a_comment(sim, site):
    top = visitor_top(site)
    response = insert(sim, top["id"], "Cukup rekomendasi dinas, Kak.\nSalam.")
    assert response.status_code == 200
    item = response.json()
    assert item["kind"] == "youtube#comment" and item["id"].startswith(top["id"] + ".")
    assert item["snippet"]["parentId"] == top["id"]
    assert item["snippet"]["authorChannelId"]["value"] == YOUTUBE_CHANNEL_ID
    assert item["snippet"]["textOriginal"] == "Cukup rekomendasi dinas, Kak.\nSalam."
    assert RFC3339_Z.match(item["snippet"]["publishedAt"])
    stored = site.comment(item["id"])
    assert stored["parent"] == top["id"] and not stored["hidden"]


def test_youtube_has_no_duplicate_error_the_same_reply_twice_is_stored_twice(sim, site):
    top = visitor_top(site)
    assert insert(sim, top["id"], "Sama persis").status_code == 200
    assert insert(sim, top["id"], "Sama persis").status_code == 200
    assert len([r for r in site.replies_of(top["id"]) if r["text"] == "Sama persis"]) == 2


def test_insert_errors_follow_the_documented_reasons(sim, site):
    top = visitor_top(site)
    reply = site.replies_of(visitor_top(site, "@sutrisno_lotim")["id"])[0]
    cases = [
        (insert(sim, top["id"], "x" * 10_001), 400, "commentTextTooLong"),
        (insert(sim, top["id"], "   "), 400, "commentTextRequired"),
        (insert(sim, "", "Halo"), 400, "parentIdMissing"),
        (insert(sim, "UgTidakAda", "Halo"), 404, "parentCommentNotFound"),
        (insert(sim, reply["id"], "Halo"), 400, "operationNotSupported"),
    ]
    for response, status, reason in cases:
        assert (response.status_code, reason_of(response)) == (status, reason)
    assert insert(sim, top["id"], "x" * 10_000).status_code == 200
    site.set_moderation(top["id"], "heldForReview")
    private = insert(sim, top["id"], "Halo")
    assert (private.status_code, reason_of(private)) == (400, "parentCommentIsPrivate")
    site.set_moderation(top["id"], "published")
    site.set_comments_disabled(top["video_id"])
    disabled = insert(sim, top["id"], "Halo")
    assert (disabled.status_code, reason_of(disabled)) == (403, "commentsDisabled")


def test_set_moderation_status_holds_a_comment_back_with_204(sim, site):
    spam = visitor_top(site, "@slotgacor88maxwin")
    response = moderate(sim, spam["id"])
    assert response.status_code == 204 and response.content == b""
    assert site.comment(spam["id"])["hidden"]
    assert spam["id"] not in {t["id"] for t in threads(sim).json()["items"]}
    held = threads(sim, moderationStatus="heldForReview").json()["items"]
    assert [t["id"] for t in held] == [spam["id"]]
    assert held[0]["snippet"]["topLevelComment"]["snippet"]["moderationStatus"] == "heldForReview"
    assert reason_of(moderate(sim, spam["id"], banAuthor="true")) == "banWithoutReject"
    missing = moderate(sim, "UgTidakAda")
    assert missing.status_code == 404 and reason_of(missing) == "commentNotFound"


# -- faults -------------------------------------------------------------------------------------
def test_rate_limit_fault_is_youtubes_own_quota_exceeded(sim, site):
    site.fault("rate_limit")
    response = threads(sim)
    assert response.status_code == 403 and reason_of(response) == "quotaExceeded"
    assert threads(sim).status_code == 200
    assert site.request_count("GET") == 2


def test_http500_fault_answers_backend_error_once(sim, site):
    site.fault("http500")
    response = threads(sim)
    assert response.status_code == 500 and reason_of(response) == "backendError"
    assert threads(sim).status_code == 200


def test_timeout_fault_on_a_reply_still_stores_it_after_the_stall(sim, site):
    site.timeout_seconds = 0.5
    site.fault("timeout", methods=("POST",))
    top = visitor_top(site)
    with pytest.raises(requests.Timeout):
        insert(sim, top["id"], "Balasan yang tertunda", timeout=0.2)
    deadline = time.monotonic() + 3
    while not site.replies_of(top["id"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [r["text"] for r in site.replies_of(top["id"])] == ["Balasan yang tertunda"]


def test_garbage_fault_breaks_the_json(sim, site):
    site.fault("garbage")
    response = threads(sim)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        response.json()


def test_post_then_500_stores_the_reply_then_answers_500(sim, site):
    top = visitor_top(site)
    site.fault("post_then_500")
    assert threads(sim).status_code == 200  # the fault waits for a POST
    response = insert(sim, top["id"], "Sudah kami teruskan ke panitia.")
    assert response.status_code == 500 and reason_of(response) == "backendError"
    assert [r["text"] for r in site.replies_of(top["id"])] == ["Sudah kami teruskan ke panitia."]


# -- public page and state ----------------------------------------------------------------------
def test_the_public_page_shows_threads_escaped_with_the_official_badge(sim, site):
    page = requests.get(f"{sim.base_url}/", timeout=TIMEOUT)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html; charset=UTF-8")
    body = page.text
    assert '<html lang="id">' in body and "Balasan resmi" in body
    assert "&lt;b&gt;Mantap&lt;/b&gt;" in body and "<b>Mantap</b>" not in body
    assert "Komentar dinonaktifkan." in body
    spam = visitor_top(site, "@slotgacor88maxwin")
    site.set_moderation(spam["id"], "heldForReview")
    assert "slot gacor" not in requests.get(f"{sim.base_url}/", timeout=TIMEOUT).text
    video = site.videos[0]["id"]
    assert requests.get(f"{sim.base_url}/watch", params={"v": video}, timeout=TIMEOUT).status_code == 200
    assert requests.get(f"{sim.base_url}/watch", params={"v": "tidakada"}, timeout=TIMEOUT).status_code == 404
