"""The Instagram simulator honours the Graph API contract (reference section 3) over real HTTP."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from simulator.instagram import (
    INSTAGRAM_DEMO_TOKEN,
    INSTAGRAM_USER_ID,
    INSTAGRAM_USERNAME,
    SEED_AWAITING_ANSWER,
    SEED_VISITOR_COMMENTS,
    InstagramSite,
    seed_instagram,
)
from tests.simulated import graph_get, graph_post

TOKEN = INSTAGRAM_DEMO_TOKEN
REPLY_FIELDS = "id,text,timestamp,username,from{id,username},parent_id"
COMMENT_FIELDS = f"id,text,timestamp,username,from{{id,username}},like_count,hidden,parent_id,replies{{{REPLY_FIELDS}}}"
GRAPH_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0000$")


@pytest.fixture
def site() -> InstagramSite:
    return seed_instagram(InstagramSite())


def get(sim, path, token=TOKEN, **params):
    return graph_get(sim, path, token, **params)


def post(sim, path, token=TOKEN, **data):
    return graph_post(sim, path, token, **data)


def question(site) -> dict:
    """The seed's top-level question that already has the account's reply."""
    return next(c for c in site.comments if c["id"] == site.replies_by_us()[0]["parent"])


def visitor(site, username: str) -> dict:
    return next(c for c in site.comments if c["author_name"] == username)


# -- seed -------------------------------------------------------------------------------------


def test_seed_has_visitor_comments_within_three_days_and_one_older_own_reply(site):
    comments = site.comments
    visitors = [c for c in comments if not c["official"]]
    assert len(visitors) == SEED_VISITOR_COMMENTS == 10 and SEED_AWAITING_ANSWER == 9
    own = site.replies_by_us()
    assert len(own) == 1 and own[0]["author_name"] == INSTAGRAM_USERNAME
    now = datetime.now(timezone.utc)
    assert all(now - c["created"] < timedelta(days=3) for c in comments)
    later = next(c for c in visitors if c["parent"] == own[0]["parent"])
    assert question(site)["created"] < own[0]["created"] < later["created"]
    texts = " ".join(c["text"] for c in comments)
    assert "slot gacor" in texts and "🌶️" in texts


# -- reading ----------------------------------------------------------------------------------


def test_media_come_newest_first_with_comments_count_including_replies(sim, site):
    media = get(sim, f"{INSTAGRAM_USER_ID}/media", fields="id,caption,timestamp,permalink,comments_count").json()
    assert [m["id"] for m in media["data"]] == [m["id"] for m in site.media]
    assert all(GRAPH_TIME.match(m["timestamp"]) for m in media["data"])
    thread_media = question(site)["media"]
    counted = next(m for m in media["data"] if m["id"] == thread_media)["comments_count"]
    assert counted == len([c for c in site.comments if c["media"] == thread_media])
    assert get(sim, INSTAGRAM_USER_ID, fields="id,username").json() == {"id": INSTAGRAM_USER_ID,
                                                                        "username": INSTAGRAM_USERNAME}


def test_comments_are_top_level_newest_first_with_replies_nested_oldest_first(sim, site):
    thread = question(site)
    data = get(sim, f"{thread['media']}/comments", fields=COMMENT_FIELDS).json()["data"]
    stamps = [c["timestamp"] for c in data]
    assert stamps == sorted(stamps, reverse=True)
    assert all("parent_id" not in c for c in data)
    nested = next(c for c in data if c["id"] == thread["id"])["replies"]["data"]
    assert [r["parent_id"] for r in nested] == [thread["id"]] * 2
    assert [r["timestamp"] for r in nested] == sorted(r["timestamp"] for r in nested)
    assert nested[0]["from"] == {"id": INSTAGRAM_USER_ID, "username": INSTAGRAM_USERNAME}
    assert set(data[0]) == {"id", "text", "timestamp", "username", "from", "like_count", "hidden", "replies"}
    assert get(sim, f"{thread['media']}/comments", since="1700000000", fields="id").status_code == 200  # ignored


def test_nested_replies_page_through_their_own_next_link(sim, site):
    site.nested_limit = 1
    thread = question(site)
    data = get(sim, f"{thread['media']}/comments", fields=COMMENT_FIELDS).json()["data"]
    replies = next(c for c in data if c["id"] == thread["id"])["replies"]
    assert len(replies["data"]) == 1
    link = replies["paging"]["next"]
    assert f"/{thread['id']}/replies?" in link and f"access_token={TOKEN}" in link
    rest = requests.get(link, timeout=5).json()
    assert len(rest["data"]) == 1 and set(rest["data"][0]) == {"id", "text", "timestamp", "username", "from",
                                                                "parent_id"}
    limited = get(sim, f"{thread['media']}/comments", fields="id,replies.limit(2){id}").json()["data"]
    assert len(next(c for c in limited if c["id"] == thread["id"])["replies"]["data"]) == 2


def test_comment_pages_are_capped_and_a_page_of_deleted_comments_still_has_next(sim, site):
    media = site.add_media("Media uji")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    ids = [site.add_comment(media, f"Komentar {n}", username=f"tamu{n}", created=start + timedelta(minutes=n))
           for n in range(9)]
    site.limit_cap = 3
    for comment_id in ids[3:6]:
        site.delete_comment(comment_id)
    first = get(sim, f"{media}/comments", limit=50, fields="id,text").json()
    assert [c["id"] for c in first["data"]] == ids[8:5:-1]  # newest first
    second = requests.get(first["paging"]["next"], timeout=5).json()
    assert second["data"] == [] and "next" in second["paging"]
    third = requests.get(second["paging"]["next"], timeout=5).json()
    assert [c["id"] for c in third["data"]] == ids[2::-1] and "next" not in third.get("paging", {})


def test_hidden_comments_are_shown_to_the_owner_with_hidden_true(sim, site):
    spam = visitor(site, "slotgacor88.maxwin")
    assert post(sim, spam["id"], hide="true").json() == {"success": True}
    item = get(sim, spam["id"], fields="id,hidden,text").json()
    assert item["hidden"] is True and item["text"].startswith("slot gacor")
    assert "slot gacor" not in requests.get(f"{sim.base_url}/", timeout=5).text
    own = site.replies_by_us()[0]
    assert post(sim, own["id"], hide="true").json()["error"]["code"] == 100


# -- errors -----------------------------------------------------------------------------------


def test_errors_have_the_graph_shape(sim, site):
    bad = get(sim, INSTAGRAM_USER_ID, token="IG-salah")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 190 and bad.json()["error"]["fbtrace_id"]
    missing = get(sim, "17800000000000000").json()["error"]
    assert (missing["code"], missing["error_subcode"]) == (100, 33)
    assert get(sim, question(site)["id"], fields="id,message").json()["error"]["code"] == 100  # IG says `text`
    assert "X-App-Usage" in bad.headers and "Retry-After" not in bad.headers


# -- writing ----------------------------------------------------------------------------------


def test_replies_go_to_the_top_level_comment_and_a_duplicate_is_refused(sim, site):
    rina = visitor(site, "rina.wulandari88")
    created = post(sim, f"{rina['id']}/replies", message="@rina.wulandari88 Cukup rekomendasi dinas.")
    assert created.status_code == 200 and set(created.json()) == {"id"}
    stored = next(c for c in site.comments if c["id"] == created.json()["id"])
    assert stored["official"] and stored["parent"] == rina["id"]
    to_reply = post(sim, f"{stored['id']}/replies", message="Info lengkap di tautan bio.").json()
    assert next(c for c in site.comments if c["id"] == to_reply["id"])["parent"] == rina["id"]
    duplicate = post(sim, f"{rina['id']}/replies", message="Info lengkap di tautan bio.")
    assert duplicate.status_code == 400 and duplicate.json()["error"]["code"] == 368


def test_hidden_comments_disabled_media_too_long_and_read_only_tokens_are_refused(sim, site):
    dimas = visitor(site, "dimas_pratama")
    assert post(sim, f"{dimas['id']}/replies", message="x" * 2_201).json()["error"]["code"] == 100
    assert post(sim, f"{dimas['id']}/replies", message="🌾" * 1_100).status_code == 200  # 2,200 UTF-16 units
    site.set_hidden(dimas["id"])
    hidden = post(sim, f"{dimas['id']}/replies", message="Halo").json()["error"]
    assert hidden["code"] == 100 and "hidden" in hidden["message"]
    site.set_comments_enabled(dimas["media"], False)
    rina = visitor(site, "rina.wulandari88")
    assert "disabled" in post(sim, f"{rina['id']}/replies", message="Halo").json()["error"]["message"]
    site.add_token("IG-hanya-baca", can_manage=False)
    denied = post(sim, f"{visitor(site, 'yoga.tani')['id']}/replies", token="IG-hanya-baca", message="Halo")
    assert denied.status_code == 403 and denied.json()["error"]["code"] == 200


# -- faults -----------------------------------------------------------------------------------


def test_rate_limit_fault_is_code_4_with_usage_headers_and_no_retry_after(sim, site):
    site.regain_minutes = 2
    site.fault("rate_limit")
    response = get(sim, INSTAGRAM_USER_ID)
    assert response.status_code == 400 and response.json()["error"]["code"] == 4
    assert json.loads(response.headers["X-App-Usage"]) == {"call_count": 100, "total_cputime": 100, "total_time": 100}
    business = json.loads(response.headers["X-Business-Use-Case-Usage"])[INSTAGRAM_USER_ID][0]
    assert business["type"] == "instagram" and business["estimated_time_to_regain_access"] == 2
    assert "Retry-After" not in response.headers
    site.rate_limit_code = 80002
    site.fault("rate_limit")
    assert "Instagram account" in get(sim, INSTAGRAM_USER_ID).json()["error"]["message"]


def test_http500_timeout_garbage_and_post_then_500_faults(sim, site):
    site.fault("http500")
    assert get(sim, INSTAGRAM_USER_ID).json()["error"]["code"] == 2
    site.timeout_seconds = 0.6
    site.fault("timeout")
    started = time.monotonic()
    assert get(sim, INSTAGRAM_USER_ID).status_code == 200 and time.monotonic() - started >= 0.5
    site.fault("garbage")
    with pytest.raises(ValueError):
        get(sim, INSTAGRAM_USER_ID).json()
    rina = visitor(site, "rina.wulandari88")
    site.fault("post_then_500")
    assert post(sim, f"{rina['id']}/replies", message="Terkirim tapi jawabannya hilang").status_code == 500
    assert [c["text"] for c in site.replies_by_us() if c["parent"] == rina["id"]] == ["Terkirim tapi jawabannya hilang"]


# -- public page and state --------------------------------------------------------------------


def test_public_profile_page_is_indonesian_escaped_and_marks_official_replies(sim, site):
    site.add_comment(site.media[0]["id"], "<img src=x onerror=alert(1)> keren", username="iseng")
    page = requests.get(f"{sim.base_url}/", timeout=5)
    assert page.status_code == 200 and "charset=UTF-8" in page.headers["Content-Type"]
    assert '<html lang="id">' in page.text and "Balasan resmi" in page.text
    assert "<img src=x" not in page.text and "&lt;img src=x" in page.text
    single = requests.get(f"{sim.base_url}/p/{site.media[0]['shortcode']}/", timeout=5)
    assert single.status_code == 200 and "iseng" in single.text
