"""The X simulator honours the API v2 contract, quirks included, over real HTTP."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from simulator.x import (
    SEED_AWAITING_ANSWER,
    SEED_OFFICIAL_REPLIES,
    SEED_VISITOR_MENTIONS,
    X_APP_ONLY_TOKEN,
    X_DEMO_TOKEN,
    X_OFFICIAL_USER_ID,
    X_OFFICIAL_USERNAME,
    XSite,
    tweet_length,
)

TIMEOUT = 5
AUTH = {"Authorization": f"Bearer {X_DEMO_TOKEN}"}
FIELDS = {"tweet.fields": "created_at,author_id,conversation_id,referenced_tweets", "expansions": "author_id",
          "user.fields": "username,name"}


@pytest.fixture
def sim(fresh_x):
    return fresh_x


@pytest.fixture
def site(sim) -> XSite:
    return sim.site


def api(sim, method, path, *, token=X_DEMO_TOKEN, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.request(method, f"{sim.base_url}/2/{path}", headers=headers,
                            timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)


def mentions(sim, **params):
    return api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/mentions", params={**FIELDS, **params})


def visitor_mention(site, author="rinawulandari_"):
    return next(c for c in site.comments if c["username"] == author)


def standalone_mention(site):
    return next(c for c in site.comments if c["username"] == "budikopi_dampit")


# -- seed --------------------------------------------------------------------------------------------


def test_seed_holds_visitor_mentions_spam_emoji_and_one_older_official_reply(site):
    comments = site.comments
    visitors = [c for c in comments if c["author_id"] != X_OFFICIAL_USER_ID and X_OFFICIAL_USER_ID in c["mentions"]]
    official = site.replies_by(X_OFFICIAL_USER_ID)
    assert len(visitors) == SEED_VISITOR_MENTIONS == 9
    assert len(official) == SEED_OFFICIAL_REPLIES == 1
    assert SEED_AWAITING_ANSWER == 8
    assert any("slot gacor" in c["text"] for c in visitors)
    assert any("👍🏽" in c["text"] for c in visitors)
    answered = official[0]["parent"]
    later = [c for c in visitors if c["id"] != answered]
    assert official[0]["created"] < min(c["created"] for c in later)
    now = datetime.now(timezone.utc)
    assert all(now - timedelta(days=3) < t["created"] <= now for t in site.all_tweets)


# -- listing -----------------------------------------------------------------------------------------


def test_mentions_come_newest_first_with_millisecond_timestamps_and_expanded_authors(sim):
    response = mentions(sim, max_results=100)
    assert response.status_code == 200
    body = response.json()
    ids = [int(t["id"]) for t in body["data"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == SEED_VISITOR_MENTIONS
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t["created_at"]) for t in body["data"])
    assert {u["id"] for u in body["includes"]["users"]} == {t["author_id"] for t in body["data"]}
    assert body["meta"] == {"result_count": 9, "newest_id": body["data"][0]["id"], "oldest_id": body["data"][-1]["id"]}
    reply = next(t for t in body["data"] if t["id"] != t["conversation_id"])
    assert reply["referenced_tweets"][0]["type"] == "replied_to"


def test_only_requested_fields_are_returned_and_unknown_fields_are_refused(sim):
    plain = api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/mentions").json()
    assert set(plain["data"][0]) == {"id", "text", "edit_history_tweet_ids"}
    assert "includes" not in plain and len(plain["data"]) == 9  # default max_results is 10
    refused = api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/mentions", params={"tweet.fields": "created_at,warna"})
    assert refused.status_code == 400 and refused.json()["title"] == "Invalid Request"


def test_text_keeps_x_html_escaping_of_ampersand_and_angle_brackets(sim):
    texts = [t["text"] for t in mentions(sim, max_results=100).json()["data"]]
    complaint = next(t for t in texts if "hidroponik" in t)
    assert "&lt;belum&gt;" in complaint and "&amp; teman2" in complaint


def test_paging_follows_next_token_without_gaps_or_overlap_and_back_with_previous_token(sim):
    first = mentions(sim, max_results=5).json()
    assert first["meta"]["result_count"] == 5 and "next_token" in first["meta"]
    assert "previous_token" not in first["meta"]
    second = mentions(sim, max_results=5, pagination_token=first["meta"]["next_token"]).json()
    assert second["meta"]["result_count"] == 4 and "next_token" not in second["meta"]
    ids = [t["id"] for t in first["data"] + second["data"]]
    assert len(set(ids)) == 9
    back = mentions(sim, max_results=5, pagination_token=second["meta"]["previous_token"]).json()
    assert [t["id"] for t in back["data"]] == [t["id"] for t in first["data"]]


def test_since_id_is_exclusive_and_an_empty_page_is_only_meta(sim):
    newest = mentions(sim, max_results=5).json()["meta"]["newest_id"]
    empty = mentions(sim, since_id=newest)
    assert empty.status_code == 200 and empty.json() == {"meta": {"result_count": 0}}
    sim.site.add_comment("Apakah ada pelatihan bulan depan?", author="warga_baru")
    fresh = mentions(sim, since_id=newest).json()
    assert fresh["meta"]["result_count"] == 1 and fresh["data"][0]["text"].startswith(f"@{X_OFFICIAL_USERNAME} ")


def test_start_time_filters_and_badly_formed_parameters_are_invalid_requests(sim):
    since = (datetime.now(timezone.utc) - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    recent = mentions(sim, max_results=100, start_time=since).json()
    assert 0 < recent["meta"]["result_count"] < 9
    for params in ({"start_time": "2026-01-01 00:00:00"}, {"max_results": 101}, {"max_results": 4},
                   {"since_id": "abc"}, {"pagination_token": "bukan-token"}):
        response = mentions(sim, **params)
        body = response.json()
        assert response.status_code == 400, params
        assert body["type"] == "https://api.twitter.com/2/problems/invalid-request"
        assert body["errors"][0]["message"] and "parameters" in body["errors"][0]


def test_an_unknown_user_is_a_200_answer_carrying_only_errors(sim):
    response = api(sim, "GET", "users/123456/mentions")
    assert response.status_code == 200
    error = response.json()["errors"][0]
    assert "data" not in response.json() and error["title"] == "Not Found Error"
    assert error["type"].endswith("resource-not-found")


def test_our_timeline_lists_our_replies_with_what_they_answer(sim):
    body = api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/tweets",
               params={"tweet.fields": "referenced_tweets", "max_results": 5, "exclude": "retweets"}).json()
    replies = [t for t in body["data"] if "referenced_tweets" in t]
    assert body["meta"]["result_count"] == 3 and len(replies) == 1
    no_replies = api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/tweets",
                     params={"exclude": "replies", "max_results": 5}).json()
    assert no_replies["meta"]["result_count"] == 2


# -- auth and errors -----------------------------------------------------------------------------------


def test_a_wrong_or_missing_token_is_a_401_problem(sim):
    wrong = api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/mentions", token="salah")
    missing = api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/mentions", token=None)
    for response in (wrong, missing):
        assert response.status_code == 401
        assert response.json() == {"title": "Unauthorized", "type": "about:blank", "status": 401,
                                   "detail": "Unauthorized"}


def test_an_app_only_token_reads_but_may_not_write(sim, site):
    assert mentions(sim).status_code == 200
    assert api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/mentions", token=X_APP_ONLY_TOKEN).status_code == 200
    response = api(sim, "POST", "tweets", token=X_APP_ONLY_TOKEN,
                   json={"text": "Halo", "reply": {"in_reply_to_tweet_id": visitor_mention(site)["id"]}})
    assert response.status_code == 403
    assert response.json()["type"] == "https://api.twitter.com/2/problems/unsupported-authentication"


def test_an_unknown_route_answers_the_legacy_error_shape(sim):
    response = api(sim, "GET", "tweets/search/entah")
    assert response.status_code == 404
    assert response.json() == {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]}


def test_rate_limit_headers_come_on_every_answer_and_the_window_is_enforced(sim, site):
    first = mentions(sim)
    second = mentions(sim)
    assert first.headers["x-rate-limit-limit"] == "180"
    assert int(second.headers["x-rate-limit-remaining"]) == int(first.headers["x-rate-limit-remaining"]) - 1
    assert int(first.headers["x-rate-limit-reset"]) > time.time()
    site.rate_limits["mentions"] = 3
    mentions(sim)
    throttled = mentions(sim)
    assert throttled.status_code == 429
    assert throttled.json() == {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
                                "status": 429}
    assert throttled.headers["x-rate-limit-remaining"] == "0"
    assert api(sim, "GET", f"users/{X_OFFICIAL_USER_ID}/tweets").status_code == 200  # per endpoint


# -- replies -----------------------------------------------------------------------------------------


def test_a_reply_is_201_and_gets_the_replied_to_authors_mention_in_front(sim, site):
    target = visitor_mention(site)
    response = api(sim, "POST", "tweets", json={"text": "Pendaftaran ditutup 30 November, Kak.",
                                                "reply": {"in_reply_to_tweet_id": target["id"]}})
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["text"] == "@rinawulandari_ Pendaftaran ditutup 30 November, Kak."
    assert data["edit_history_tweet_ids"] == [data["id"]]
    stored = site.replies_by(X_OFFICIAL_USER_ID, to=target["id"])
    assert [s["id"] for s in stored] == [data["id"]]
    assert stored[0]["conversation_id"] == target["conversation_id"]
    assert stored[0]["in_reply_to_user_id"] == target["author_id"]
    assert int(data["id"]) > int(target["id"])  # snowflake ids order by time


def test_the_same_text_twice_is_a_403_duplicate(sim, site):
    body = {"text": "Terima kasih atas pertanyaannya.", "reply": {"in_reply_to_tweet_id": visitor_mention(site)["id"]}}
    assert api(sim, "POST", "tweets", json=body).status_code == 201
    again = api(sim, "POST", "tweets", json=body)
    assert again.status_code == 403
    assert again.json()["detail"] == "You are not allowed to create a Tweet with duplicate content."
    assert again.json()["status"] == 403 and again.json()["title"] == "Forbidden"
    assert len(site.replies_by(X_OFFICIAL_USER_ID)) == SEED_OFFICIAL_REPLIES + 1


def test_length_counts_weighted_and_refuses_more_than_280(sim, site):
    target = visitor_mention(site)["id"]
    exact = "https://bbppketindan.bppsdmp.pertanian.go.id/jadwal " + "👍🏽" + "日" * 10 + "a" * 234
    assert tweet_length(exact) == 280
    accepted = api(sim, "POST", "tweets", json={"text": exact, "reply": {"in_reply_to_tweet_id": target}})
    assert accepted.status_code == 201
    over = api(sim, "POST", "tweets", json={"text": exact + "b", "reply": {"in_reply_to_tweet_id": target}})
    assert over.status_code == 403 and over.json()["detail"].startswith("Your Tweet text is too long.")


def test_replies_to_deleted_tweets_and_restricted_conversations_are_forbidden(sim, site):
    gone = site.add_comment("Halo", author="hilang")
    site.delete_tweet(gone)
    response = api(sim, "POST", "tweets", json={"text": "Halo", "reply": {"in_reply_to_tweet_id": gone}})
    assert response.status_code == 403 and "deleted or not visible" in response.json()["detail"]
    root = site.add_tweet("warga_lain", "Diskusi pupuk organik, hanya yang saya sebut.",
                          reply_settings="mentionedUsers")
    reply = site.add_comment("@warga_lain menurut saya perlu tanya @bbppketindan", author="agus_tani_mlg",
                             reply_to=root)
    refused = api(sim, "POST", "tweets",
                  json={"text": "Silakan hubungi kami.", "reply": {"in_reply_to_tweet_id": reply}})
    assert refused.status_code == 403 and "not allowed" in refused.json()["detail"]


def test_a_body_without_text_is_an_invalid_request(sim):
    response = api(sim, "POST", "tweets", json={"reply": {"in_reply_to_tweet_id": "1"}})
    assert response.status_code == 400 and response.json()["title"] == "Invalid Request"


# -- hiding -------------------------------------------------------------------------------------------


def test_replies_in_our_own_conversation_can_be_hidden_other_tweets_not(sim, site):
    spam = next(c for c in site.comments if "slot gacor" in c["text"])
    response = api(sim, "PUT", f"tweets/{spam['id']}/hidden", json={"hidden": True})
    assert response.status_code == 200 and response.json() == {"data": {"hidden": True}}
    assert next(c for c in site.comments if c["id"] == spam["id"])["hidden"] is True
    refused = api(sim, "PUT", f"tweets/{standalone_mention(site)['id']}/hidden", json={"hidden": True})
    assert refused.status_code == 403 and refused.json()["title"] == "Forbidden"
    missing = api(sim, "PUT", "tweets/1/hidden", json={"hidden": True})
    assert missing.status_code == 404


# -- faults -------------------------------------------------------------------------------------------


def test_rate_limit_fault_is_a_429_problem_with_a_reset_header(sim, site):
    site.fault("rate_limit")
    response = mentions(sim)
    assert response.status_code == 429 and response.json()["title"] == "Too Many Requests"
    assert response.headers["x-rate-limit-remaining"] == "0"
    assert 0 < int(response.headers["x-rate-limit-reset"]) - time.time() <= 61
    assert mentions(sim).status_code == 200


def test_legacy_rate_limit_fault_uses_code_88(sim, site):
    site.fault("rate_limit_legacy")
    response = mentions(sim)
    assert response.status_code == 429
    assert response.json() == {"errors": [{"code": 88, "message": "Rate limit exceeded"}]}
    assert "x-rate-limit-reset" in response.headers


def test_http500_fault_is_a_legacy_internal_error(sim, site):
    site.fault("http500")
    response = mentions(sim)
    assert response.status_code == 500 and response.json()["errors"][0]["code"] == 131


def test_garbage_fault_is_not_json(sim, site):
    site.fault("garbage")
    response = mentions(sim)
    assert response.status_code == 200
    with pytest.raises(ValueError):
        json.loads(response.text)


def test_post_then_500_writes_the_reply_and_still_answers_500(sim, site):
    site.fault("post_then_500")
    target = visitor_mention(site)
    assert mentions(sim).status_code == 200  # a GET does not take the POST-only fault
    response = api(sim, "POST", "tweets", json={"text": "Jadwal menyusul, Kak.",
                                                "reply": {"in_reply_to_tweet_id": target["id"]}})
    assert response.status_code == 500
    assert len(site.replies_by(X_OFFICIAL_USER_ID, to=target["id"])) == 1


# -- public pages and state ----------------------------------------------------------------------------


def test_public_page_threads_conversations_marks_official_replies_and_escapes(sim, site):
    spam = next(c for c in site.comments if "slot gacor" in c["text"])
    site.tweets[spam["id"]]["hidden"] = True
    response = requests.get(f"{sim.base_url}/", timeout=TIMEOUT)
    page = response.text
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert '<html lang="id">' in page and '<meta charset="utf-8">' in page
    assert page.count("Balasan resmi") == 1 and "Akun resmi" in page
    assert "&lt;belum&gt;" in page and "<belum>" not in page
    assert "Balasan disembunyikan" in page
    assert "Ada yang sudah pernah ikut" not in page  # not about the office's account
    status = requests.get(f"{sim.base_url}/rinawulandari_/status/{visitor_mention(site)['id']}", timeout=TIMEOUT)
    assert status.status_code == 200 and "Pendaftaran Pelatihan Petani Milenial" in status.text
    assert requests.get(f"{sim.base_url}/i/status/1", timeout=TIMEOUT).status_code == 404
