"""The Facebook Page simulator honours the Graph API contract (reference section 2) over real HTTP."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from simulator.facebook import (
    FACEBOOK_DEMO_TOKEN,
    FACEBOOK_PAGE_ID,
    SEED_AWAITING_ANSWER,
    SEED_VISITOR_COMMENTS,
    FacebookSite,
    seed_facebook,
)
from tests.simulated import graph_get, graph_post

TOKEN = FACEBOOK_DEMO_TOKEN
COMMENT_FIELDS = "id,message,from{id,name},created_time,permalink_url,parent{id},comment_count,is_hidden,can_hide"
GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


@pytest.fixture
def site() -> FacebookSite:
    return seed_facebook(FacebookSite())


def get(sim, path, token=TOKEN, **params):
    return graph_get(sim, path, token, **params)


def post(sim, path, token=TOKEN, **data):
    return graph_post(sim, path, token, **data)


def newest_post(site) -> str:
    return site.posts[0]["id"]


def visitor_top_level(site) -> dict:
    return next(c for c in site.comments if c["author_name"] == "Rina Wulandari")


# -- seed -------------------------------------------------------------------------------------


def test_seed_has_visitor_comments_within_three_days_and_one_older_official_reply(site):
    comments = site.comments
    visitors = [c for c in comments if not c["official"]]
    official = site.replies_by_us()
    assert len(visitors) == SEED_VISITOR_COMMENTS == 11
    assert len(official) == 1 and SEED_AWAITING_ANSWER == 10
    now = datetime.now(timezone.utc)
    assert all(now - c["created"] < timedelta(days=3) for c in comments)
    question = next(c for c in comments if c["id"] == official[0]["parent"])
    later_reply = next(c for c in visitors if c["parent"] == question["id"])
    assert question["created"] < official[0]["created"] < later_reply["created"]
    texts = " ".join(c["text"] for c in comments)
    assert "slot gacor" in texts and "👍" in texts
    assert any(not c["public_profile"] for c in visitors)


# -- reading ----------------------------------------------------------------------------------


def test_feed_lists_posts_newest_first_with_only_the_requested_fields(sim, site):
    response = get(sim, f"{FACEBOOK_PAGE_ID}/feed", fields="id,message,created_time,permalink_url")
    assert response.status_code == 200
    posts = response.json()["data"]
    assert [p["id"] for p in posts] == [p["id"] for p in site.posts]
    assert set(posts[0]) == {"id", "message", "created_time", "permalink_url"}
    assert all(GRAPH_TIME.match(p["created_time"]) for p in posts)
    assert get(sim, "me").json() == {"name": "BBPP Ketindan", "id": FACEBOOK_PAGE_ID}


def test_comment_pages_follow_next_links_that_carry_the_token_until_next_is_absent(sim, site):
    post_id = site.add_post("Kiriman uji halaman")
    base = datetime.now(timezone.utc) - timedelta(hours=1)
    for n in range(12):
        site.add_comment(post_id, f"Komentar {n}", author_name=f"Peserta {n}", created=base + timedelta(seconds=n))
    site.limit_cap = 5
    response = get(sim, f"{post_id}/comments", limit=100, filter="stream", fields="id,message")
    seen, pages = [], 0
    while True:
        body = response.json()
        pages += 1
        assert len(body["data"]) <= 5
        seen += [c["id"] for c in body["data"]]
        if "next" not in body.get("paging", {}):
            break
        assert f"access_token={TOKEN}" in body["paging"]["next"]
        assert body["paging"]["cursors"]["after"]
        response = requests.get(body["paging"]["next"], timeout=5)
    assert pages == 3 and len(seen) == len(set(seen)) == 12
    assert get(sim, f"{post_id}/comments", limit="abc").json()["error"]["code"] == 100


def test_stream_returns_replies_with_their_parent_and_toplevel_does_not(sim, site):
    official = site.replies_by_us()[0]
    post_id = official["post"]
    stream = get(sim, f"{post_id}/comments", filter="stream", fields=COMMENT_FIELDS).json()["data"]
    top = get(sim, f"{post_id}/comments", fields=COMMENT_FIELDS).json()["data"]
    replies = [c for c in stream if "parent" in c]
    assert {c["parent"]["id"] for c in replies} == {official["parent"]}
    assert official["id"] in {c["id"] for c in replies}
    assert all("parent" not in c for c in top) and len(top) == len(stream) - len(replies)
    page_reply = next(c for c in stream if c["id"] == official["id"])
    assert page_reply["from"] == {"id": FACEBOOK_PAGE_ID, "name": "BBPP Ketindan"} and page_reply["can_hide"] is False
    assert all(GRAPH_TIME.match(c["created_time"]) for c in stream)


def test_order_and_since_filter_but_ranked_order_overrides_order(sim, site):
    post_id = newest_post(site)
    stream = dict(filter="stream", fields="id,created_time", order="reverse_chronological")
    newest_first = [c["created_time"] for c in get(sim, f"{post_id}/comments", **stream).json()["data"]]
    assert newest_first == sorted(newest_first, reverse=True)
    since = int((datetime.now(timezone.utc) - timedelta(hours=10)).timestamp())
    recent = get(sim, f"{post_id}/comments", since=since, **stream).json()["data"]
    assert 0 < len(recent) < len(newest_first)
    site.ranked_order = True
    liked = next(c for c in site.comments if c["post"] == post_id and c["parent"] is None and not c["official"])
    site.set_like_count(liked["id"], 40)
    ranked = get(sim, f"{post_id}/comments", **stream).json()["data"]
    assert ranked[0]["id"] == liked["id"]
    assert sorted(c["created_time"] for c in ranked) == sorted(newest_first)


def test_a_page_of_deleted_comments_is_empty_and_still_has_next(sim, site):
    post_id = site.add_post("Kiriman uji halaman kosong")
    base = datetime.now(timezone.utc) - timedelta(minutes=30)
    ids = [site.add_comment(post_id, f"Komentar {n}", author_name="Peserta", created=base + timedelta(seconds=n))
           for n in range(9)]
    for comment_id in ids[3:6]:
        site.delete_comment(comment_id)
    first = get(sim, f"{post_id}/comments", limit=3).json()
    second = requests.get(first["paging"]["next"], timeout=5).json()
    assert second["data"] == [] and "next" in second["paging"]
    third = requests.get(second["paging"]["next"], timeout=5).json()
    assert [c["id"] for c in third["data"]] == ids[6:] and "next" not in third.get("paging", {})


def test_from_is_missing_for_people_whose_profile_the_page_cannot_see(sim, site):
    hidden_profile = next(c for c in site.comments if not c.get("public_profile", True))
    item = get(sim, hidden_profile["id"], fields="id,message,from{id,name}").json()
    assert "from" not in item and item["message"] == hidden_profile["text"]


# -- errors -----------------------------------------------------------------------------------


def test_errors_have_the_graph_shape_and_branch_on_code(sim, site):
    bad = get(sim, "me", token="EAA-salah")
    assert bad.status_code == 400
    error = bad.json()["error"]
    assert error["code"] == 190 and error["type"] == "OAuthException" and error["fbtrace_id"]
    assert "invalid_token" in bad.headers["WWW-Authenticate"]
    assert get(sim, "me", token=None).json()["error"]["code"] == 104
    missing = get(sim, "123_456").json()["error"]
    assert (missing["code"], missing["error_subcode"], missing["type"]) == (100, 33, "GraphMethodException")
    field = get(sim, newest_post(site), fields="id,bukan_field").json()["error"]
    assert field["code"] == 100 and "bukan_field" in field["message"]
    assert get(sim, f"{newest_post(site)}/tidak_ada").json()["error"]["code"] == 2500


def test_every_answer_carries_usage_headers_and_never_retry_after(sim):
    response = get(sim, "me")
    usage = json.loads(response.headers["X-App-Usage"])
    assert set(usage) >= {"call_count", "total_cputime", "total_time"}
    business = json.loads(response.headers["X-Business-Use-Case-Usage"])
    assert business[FACEBOOK_PAGE_ID][0]["type"] == "pages"
    assert "Retry-After" not in response.headers


# -- writing ----------------------------------------------------------------------------------


def test_a_reply_is_written_by_the_page_and_a_reply_to_a_reply_joins_the_top_level_thread(sim, site):
    top = visitor_top_level(site)
    first = post(sim, f"{top['id']}/comments", message="Terima kasih, Ibu Rina.")
    assert first.status_code == 200 and set(first.json()) == {"id"}
    stored = next(c for c in site.comments if c["id"] == first.json()["id"])
    assert stored["official"] and stored["parent"] == top["id"]
    nested = post(sim, f"{first.json()['id']}/comments", message="Informasi tambahan menyusul.").json()
    assert next(c for c in site.comments if c["id"] == nested["id"])["parent"] == top["id"]


def test_the_same_reply_twice_in_a_row_is_refused_with_code_368(sim, site):
    top = visitor_top_level(site)
    assert post(sim, f"{top['id']}/comments", message="Jawaban yang sama").status_code == 200
    again = post(sim, f"{top['id']}/comments", message="Jawaban yang sama")
    assert again.status_code == 400
    error = again.json()["error"]
    assert error["code"] == 368 and "already posted" in error["message"]
    assert len([c for c in site.replies_by_us() if c["parent"] == top["id"]]) == 1


def test_too_long_comments_off_and_missing_permission_are_refused(sim, site):
    top = visitor_top_level(site)
    too_long = post(sim, f"{top['id']}/comments", message="a" * 8_001).json()["error"]
    assert too_long["code"] == 100 and "8000" in too_long["message"]
    assert post(sim, f"{top['id']}/comments", message="🌾" * 4_000).status_code == 200  # 8,000 UTF-16 units
    assert post(sim, f"{top['id']}/comments", message="🌾" * 4_001).json()["error"]["code"] == 100
    site.set_comments_allowed(top["post"], False)
    closed = post(sim, f"{top['id']}/comments", message="Halo").json()["error"]
    assert closed["code"] == 100 and "turned off" in closed["message"]
    site.add_token("EAA-hanya-baca", can_manage=False)
    denied = post(sim, f"{top['id']}/comments", token="EAA-hanya-baca", message="Halo")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == 200


def test_hiding_marks_the_comment_and_takes_it_off_the_public_page(sim, site):
    spam = next(c for c in site.comments if "slot gacor" in c["text"])
    assert "slot gacor" in requests.get(f"{sim.base_url}/", timeout=5).text
    assert post(sim, spam["id"], is_hidden="true").json() == {"success": True}
    assert get(sim, spam["id"], fields="is_hidden").json()["is_hidden"] is True
    assert "slot gacor" not in requests.get(f"{sim.base_url}/", timeout=5).text
    own = site.replies_by_us()[0]
    assert post(sim, own["id"], is_hidden="true").json()["error"]["code"] == 100


# -- faults -----------------------------------------------------------------------------------


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_rate_limit_fault_is_a_graph_throttle_with_usage_headers(sim, site, code):
    site.rate_limit_code, site.regain_minutes = code, 3
    site.fault("rate_limit")
    response = get(sim, "me")
    assert response.status_code == 400 and "Retry-After" not in response.headers
    error = response.json()["error"]
    assert error["code"] == code and error["is_transient"] is True
    assert json.loads(response.headers["X-App-Usage"]) == {"call_count": 100, "total_cputime": 100, "total_time": 100}
    business = json.loads(response.headers["X-Business-Use-Case-Usage"])[FACEBOOK_PAGE_ID][0]
    assert business["call_count"] == 100 and business["estimated_time_to_regain_access"] == 3
    assert get(sim, "me").status_code == 200


def test_http500_timeout_and_garbage_faults(sim, site):
    site.fault("http500")
    failed = get(sim, "me")
    assert failed.status_code == 500 and failed.json()["error"]["code"] == 2
    site.timeout_seconds = 0.6
    site.fault("timeout")
    started = time.monotonic()
    assert get(sim, "me").status_code == 200 and time.monotonic() - started >= 0.5
    site.fault("garbage")
    broken = get(sim, "me")
    with pytest.raises(ValueError):
        broken.json()
    assert site.request_count("GET") == 3


def test_post_then_500_writes_the_reply_and_loses_the_answer(sim, site):
    top = visitor_top_level(site)
    site.fault("post_then_500")
    assert get(sim, "me").status_code == 200  # reads are not affected
    lost = post(sim, f"{top['id']}/comments", message="Sudah kami terima.")
    assert lost.status_code == 500
    assert [c["text"] for c in site.replies_by_us() if c["parent"] == top["id"]] == ["Sudah kami terima."]


# -- public page and state --------------------------------------------------------------------


def test_public_page_is_indonesian_escaped_and_marks_official_replies(sim, site):
    top = visitor_top_level(site)
    site.add_comment(top["post"], "<script>alert(1)</script> & \"kutip\"", author_name="<b>Iseng</b>")
    page = requests.get(f"{sim.base_url}/", timeout=5)
    assert page.status_code == 200 and "charset=UTF-8" in page.headers["Content-Type"]
    assert '<html lang="id">' in page.text and "Balasan resmi" in page.text
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text and "&lt;b&gt;Iseng" in page.text
    post_page = requests.get(site.post_link(top["post"]), timeout=5)
    assert post_page.status_code == 200 and "Rina Wulandari" in post_page.text
    assert requests.get(f"{sim.base_url}/tidak-ada", timeout=5).status_code == 404
