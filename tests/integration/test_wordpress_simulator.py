"""The WordPress simulator honours the wp/v2 contract, quirks included, over real HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import requests

from simulator.seed import (
    OFFICIAL_APP_PASSWORD,
    OFFICIAL_USER_ID,
    OFFICIAL_USERNAME,
    SEED_COMMENTS,
    SEED_VISITOR_COMMENTS,
    seed_wordpress,
)
from simulator.wordpress import WordPressSimulator, WordPressSite

OFFICIAL = (OFFICIAL_USERNAME, OFFICIAL_APP_PASSWORD)
TIMEOUT = 5


@pytest.fixture
def site() -> WordPressSite:
    return seed_wordpress(WordPressSite())


@pytest.fixture
def sim(site):
    simulator = WordPressSimulator(site).start()
    yield simulator
    simulator.stop()


@pytest.fixture
def comments_url(sim) -> str:
    return f"{sim.api_base}/comments"


def get(url, **kwargs):
    return requests.get(url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)


def post(url, **kwargs):
    return requests.post(url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)


def first_question(site: WordPressSite) -> dict:
    """A recent top-level visitor comment to reply to."""
    return next(c for c in site.comments if c["parent"] == 0 and c["author_name"] == "Rina Wulandari")


def reply_to(comments_url, comment, content, auth=OFFICIAL, **kwargs):
    body = {"post": comment["post"], "parent": comment["id"], "content": content}
    return post(comments_url, json=body, auth=auth, **kwargs)


# -- seed -------------------------------------------------------------------------------------


def test_seed_holds_ten_top_level_visitor_comments_and_an_old_official_reply(site):
    comments = site.comments
    visitors = [c for c in comments if c["user_id"] != OFFICIAL_USER_ID]
    official = site.replies_by(OFFICIAL_USER_ID)
    assert len(comments) == SEED_COMMENTS == 12
    assert len(visitors) == SEED_VISITOR_COMMENTS == 11
    assert len([c for c in visitors if c["parent"] == 0]) == 10
    assert len(official) == 1
    thread = {official[0]["id"], official[0]["parent"]}
    assert official[0]["date"] < min(c["date"] for c in comments if c["id"] not in thread)
    assert official[0]["date_gmt"].tzinfo is not None and official[0]["date"].utcoffset() == timedelta(hours=7)


# -- listing ----------------------------------------------------------------------------------


def test_listing_reports_totals_and_links_to_the_next_page(comments_url):
    response = get(comments_url, params={"per_page": 5})
    assert response.status_code == 200
    assert response.headers["X-WP-Total"] == "12"
    assert response.headers["X-WP-TotalPages"] == "3"
    assert response.links["next"]["url"] == f"{comments_url}?per_page=5&page=2"
    assert "prev" not in response.links
    assert "https://api.w.org/" in response.links


def test_following_next_links_visits_every_comment_once(comments_url):
    seen, url, pages = [], f"{comments_url}?per_page=5", 0
    while url:
        response = get(url)
        seen += [c["id"] for c in response.json()]
        url = response.links.get("next", {}).get("url")
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == 12


def test_default_order_is_newest_first(comments_url):
    dates = [c["date_gmt"] for c in get(comments_url, params={"per_page": 100}).json()]
    assert dates == sorted(dates, reverse=True)
    ascending = [c["date_gmt"] for c in get(comments_url, params={"per_page": 100, "order": "asc"}).json()]
    assert ascending == sorted(dates)


def test_item_has_the_reference_shape_and_local_dates(comments_url, site):
    item = get(comments_url, params={"per_page": 1}).json()[0]
    assert list(item) == ["id", "post", "parent", "author", "author_name", "author_url", "date", "date_gmt",
                          "content", "link", "status", "type", "author_avatar_urls", "meta"]
    assert item["status"] == "approved" and item["type"] == "comment" and item["meta"] == []
    assert set(item["author_avatar_urls"]) == {"24", "48", "96"}
    record = next(c for c in site.comments if c["id"] == item["id"])
    assert item["date"] == record["date"].strftime("%Y-%m-%dT%H:%M:%S")
    assert item["date_gmt"] == record["date_gmt"].strftime("%Y-%m-%dT%H:%M:%S")
    assert item["link"].endswith(f"/#comment-{item['id']}") and "/berita/" in item["link"]


def test_per_page_above_100_is_an_invalid_param(comments_url):
    response = get(comments_url, params={"per_page": 101})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param"
    assert body["data"]["status"] == 400
    assert body["data"]["params"]["per_page"] == "per_page must be between 1 (inclusive) and 100 (inclusive)"


def test_page_past_the_end_is_an_empty_list(comments_url):
    response = get(comments_url, params={"page": 99})
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["X-WP-Total"] == "12"
    assert "page=2" in response.links["prev"]["url"]


def test_after_is_exclusive_and_compared_with_local_time(comments_url, site):
    newest = max(site.comments, key=lambda c: c["date_gmt"])
    local = newest["date"].replace(tzinfo=None)

    at_the_second = get(comments_url, params={"after": local.isoformat()}).json()
    one_second_before = get(comments_url, params={"after": (local - timedelta(seconds=1)).isoformat()}).json()

    assert newest["id"] not in [c["id"] for c in at_the_second]
    assert [c["id"] for c in one_second_before] == [newest["id"]]


def test_after_with_an_offset_is_converted_to_site_local_time(comments_url, site):
    newest = max(site.comments, key=lambda c: c["date_gmt"])
    utc = newest["date_gmt"].replace(tzinfo=None)

    with_z = get(comments_url, params={"after": f"{(utc - timedelta(seconds=1)).isoformat()}Z"}).json()
    with_offset = get(comments_url, params={"after": f"{utc.isoformat()}+00:00"}).json()
    utc_without_offset = get(comments_url, params={"after": utc.isoformat()}).json()

    assert [c["id"] for c in with_z] == [newest["id"]]
    assert with_offset == []
    # A naive value is read as WIB, so a UTC time without offset reaches 7 hours further back.
    assert newest["id"] in [c["id"] for c in utc_without_offset]
    assert len(utc_without_offset) > 1


def test_unparseable_after_is_an_invalid_param(comments_url):
    for value in ("kemarin", "2026-11-27"):
        response = get(comments_url, params={"after": value})
        assert response.status_code == 400
        assert response.json()["code"] == "rest_invalid_param"
        assert response.json()["data"]["params"]["after"] == "Invalid date."


def test_rest_route_form_gives_the_same_comments_and_links_in_its_own_form(sim, comments_url):
    plain = get(f"{sim.base_url}/", params={"rest_route": "/wp/v2/comments", "per_page": 4, "page": 2})
    pretty = get(comments_url, params={"per_page": 4, "page": 2})
    assert plain.status_code == 200
    assert plain.json() == pretty.json()
    assert plain.headers["X-WP-Total"] == pretty.headers["X-WP-Total"]
    assert plain.links["next"]["url"].startswith(f"{sim.base_url}/?rest_route=%2Fwp%2Fv2%2Fcomments&")
    assert "page=3" in plain.links["next"]["url"] and "page=1" in plain.links["prev"]["url"]
    assert get(plain.links["next"]["url"]).json() == get(pretty.links["next"]["url"]).json()


def test_filters_by_post_and_parent(comments_url, site):
    thread_parent = site.replies_by(OFFICIAL_USER_ID)[0]["parent"]
    replies = get(comments_url, params={"parent": thread_parent}).json()
    top_level = get(comments_url, params={"parent": 0, "per_page": 100}).json()
    assert len(replies) == 2
    assert len(top_level) == 10
    post_id = site.posts[1]["id"]
    assert {c["post"] for c in get(comments_url, params={"post": post_id}).json()} == {post_id}


def test_status_and_author_filters_need_a_moderator(comments_url):
    anonymous = get(comments_url, params={"status": "hold"})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "rest_forbidden_param"
    assert get(comments_url, params={"author": OFFICIAL_USER_ID}).status_code == 401
    mine = get(comments_url, params={"author": OFFICIAL_USER_ID}, auth=OFFICIAL)
    assert mine.status_code == 200 and [c["author"] for c in mine.json()] == [OFFICIAL_USER_ID]


def test_edit_context_adds_raw_content_for_a_moderator(comments_url):
    assert get(comments_url, params={"context": "edit"}).json()["code"] == "rest_forbidden_context"
    item = get(comments_url, params={"context": "edit", "per_page": 1}, auth=OFFICIAL).json()[0]
    assert {"raw", "rendered"} <= set(item["content"]) and "author_email" in item and "author_ip" in item


def test_rendered_content_is_html_and_escaped_markup_stays_escaped(comments_url, site):
    items = {c["author_name"]: c for c in get(comments_url, params={"per_page": 100}).json()}
    xss = items["Yoga Pratama"]["content"]["rendered"]
    assert xss == "<p>&lt;script&gt;alert(&#8216;xss&#8217;)&lt;/script&gt; Mantap pelatihannya 👍🌾🇮🇩</p>\n"
    multi_line = items["Wahyu Nugroho"]["content"]["rendered"]
    assert multi_line.count("<p>") == 2 and "<br />\n" in multi_line
    assert '<a href="https://gacor88-maxwin.example/daftar" rel="nofollow ugc">' in items["Slot Gacor88"]["content"]["rendered"]
    assert "🙂" in items["Hj. Siti Aminah"]["content"]["rendered"]


def test_a_visitors_raw_script_tag_is_stripped_from_the_rendered_html(comments_url, site):
    site.add_comment(site.posts[0]["id"], author_name="Iseng", content="<script>alert(1)</script><b>tebal</b>")
    items = get(comments_url, params={"search": "tebal"}).json()
    assert items[0]["content"]["rendered"] == "<p>alert(1)<b>tebal</b></p>\n"


def test_single_comment_and_unknown_id(comments_url, site):
    comment = first_question(site)
    assert get(f"{comments_url}/{comment['id']}").json()["id"] == comment["id"]
    missing = get(f"{comments_url}/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "rest_comment_invalid_id"


def test_posts_list_and_item(sim, site):
    posts = get(f"{sim.api_base}/posts")
    assert posts.status_code == 200 and len(posts.json()) == 3 and posts.headers["X-WP-Total"] == "3"
    item = get(f"{sim.api_base}/posts/{site.posts[0]['id']}").json()
    assert item["title"]["rendered"].startswith("Pembukaan Pendaftaran") and item["comment_status"] == "open"
    assert get(f"{sim.api_base}/posts", params={"page": 2}).json()["code"] == "rest_post_invalid_page_number"


def test_users_me_needs_authentication(sim):
    me = get(f"{sim.api_base}/users/me", auth=OFFICIAL)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["slug"], me.json()["name"]) == (2, "humas-bbpp", "Humas BBPP Ketindan")
    anonymous = get(f"{sim.api_base}/users/me")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "rest_not_logged_in"


def test_unknown_route_is_rest_no_route(sim):
    response = get(f"{sim.base_url}/wp-json/wp/v2/komentar")
    assert response.status_code == 404
    assert response.json() == {"code": "rest_no_route",
                               "message": "No route was found matching the URL and request method.",
                               "data": {"status": 404}}


# -- replying ---------------------------------------------------------------------------------


def test_official_reply_is_created_with_201_and_a_location(comments_url, site):
    question = first_question(site)
    response = reply_to(comments_url, question, "Terima kasih, Ibu Rina. Cukup rekomendasi dinas.")
    assert response.status_code == 201
    item = response.json()
    assert response.headers["Location"] == f"{comments_url}/{item['id']}"
    assert (item["post"], item["parent"], item["author"]) == (question["post"], question["id"], OFFICIAL_USER_ID)
    assert item["author_name"] == "Humas BBPP Ketindan" and item["status"] == "approved"
    assert item["content"]["raw"] == "Terima kasih, Ibu Rina. Cukup rekomendasi dinas."
    assert get(response.headers["Location"]).json()["id"] == item["id"]
    assert [c["id"] for c in site.replies_by(OFFICIAL_USER_ID)][-1] == item["id"]


def test_form_encoded_reply_with_a_password_without_spaces_works(sim, site):
    question = first_question(site)
    response = post(f"{sim.base_url}/?rest_route=/wp/v2/comments",
                    data={"post": question["post"], "parent": question["id"], "content": "Baik, terima kasih."},
                    auth=(OFFICIAL_USERNAME, OFFICIAL_APP_PASSWORD.replace(" ", "")))
    assert response.status_code == 201
    assert response.headers["Location"] == f"{sim.base_url}/?rest_route=/wp/v2/comments/{response.json()['id']}"


def test_posting_the_same_reply_twice_is_a_409_comment_duplicate(comments_url, site):
    question = first_question(site)
    assert reply_to(comments_url, question, "Silakan cek laman pendaftaran.").status_code == 201
    again = reply_to(comments_url, question, "silakan cek laman pendaftaran.")  # MySQL ignores case
    assert again.status_code == 409
    assert again.json() == {
        "code": "comment_duplicate",
        "message": "Duplicate comment detected; it looks as though you&#8217;ve already said that!",
        "data": {"status": 409},
    }
    assert len(site.replies_by(OFFICIAL_USER_ID)) == 2


def test_anonymous_reply_is_401_login_required(comments_url, site):
    response = reply_to(comments_url, first_question(site), "Halo", auth=None)
    assert response.status_code == 401
    assert response.json()["code"] == "rest_comment_login_required"


def test_wrong_application_password_is_401_even_for_reading(comments_url, site):
    bad = (OFFICIAL_USERNAME, "wrong pass word xxxx")
    for response in (reply_to(comments_url, first_question(site), "Halo", auth=bad), get(comments_url, auth=bad)):
        assert response.status_code == 401
        assert response.json()["code"] == "incorrect_password"
        assert response.json()["message"] == "The provided password is an invalid application password."


def test_reply_on_a_closed_post_is_403(comments_url, site):
    closed = site.add_post(title="Arsip", slug="arsip", content="Lama.", comments_open=False)
    response = post(comments_url, json={"post": closed, "content": "Halo"}, auth=OFFICIAL)
    assert response.status_code == 403 and response.json()["code"] == "rest_comment_closed"
    unknown = post(comments_url, json={"post": 999, "content": "Halo"}, auth=OFFICIAL)
    assert unknown.status_code == 403 and unknown.json()["code"] == "rest_comment_invalid_post_id"


def test_empty_and_overlong_content_are_rejected(comments_url, site):
    question = first_question(site)
    empty = reply_to(comments_url, question, "   ")
    assert empty.status_code == 400 and empty.json()["code"] == "rest_comment_content_invalid"
    # The limit counts bytes: 32,763 two-byte characters are 65,526 bytes.
    overlong = reply_to(comments_url, question, "é" * 32_763)
    assert overlong.status_code == 400 and overlong.json()["code"] == "comment_content_column_length"
    assert reply_to(comments_url, question, "a" * 65_525).status_code == 201


def test_author_fields_in_a_reply_detach_it_from_the_official_account(comments_url, site):
    question = first_question(site)
    body = {"post": question["post"], "parent": question["id"], "content": "Halo", "author_name": "Humas"}
    item = post(comments_url, json=body, auth=OFFICIAL).json()
    assert item["author"] == 0 and item["author_name"] == "Humas"


# -- faults -----------------------------------------------------------------------------------


def test_http500_fault_answers_a_wordpress_critical_error_once(comments_url, site):
    site.fault("http500")
    failed = get(comments_url)
    assert failed.status_code == 500
    assert failed.json()["code"] == "internal_server_error" and failed.json()["data"] == {"status": 500}
    assert get(comments_url).status_code == 200


def test_http429_fault_is_an_html_page_with_retry_after(comments_url, site):
    site.fault("http429", times=2)
    for _ in range(2):
        response = get(comments_url)
        assert response.status_code == 429
        assert response.headers["Retry-After"] == "2"
        assert response.headers["Content-Type"].startswith("text/html")
        with pytest.raises(ValueError):
            response.json()
    assert get(comments_url).status_code == 200


def test_timeout_fault_stalls_the_answer(comments_url, site):
    site.timeout_seconds = 0.6
    site.fault("timeout")
    with pytest.raises(requests.Timeout):
        get(comments_url, timeout=0.2)
    assert get(comments_url, timeout=2).status_code == 200


def test_garbage_fault_prefixes_a_php_warning(comments_url, site):
    site.fault("garbage")
    response = get(comments_url)
    assert response.status_code == 200
    assert response.text.startswith("<br />\n<b>Warning</b>")
    with pytest.raises(ValueError):
        response.json()


def test_post_then_500_stores_the_reply_but_answers_an_error(comments_url, site):
    site.fault("post_then_500", methods=("POST",))
    assert get(comments_url).status_code == 200  # GETs are not affected
    question = first_question(site)
    response = reply_to(comments_url, question, "Jadwal menyusul, terima kasih.")
    assert response.status_code == 500
    landed = site.replies_by(OFFICIAL_USER_ID)[-1]
    assert (landed["parent"], landed["content"]) == (question["id"], "Jadwal menyusul, terima kasih.")
    assert reply_to(comments_url, question, "Jadwal menyusul, terima kasih.").status_code == 409


def test_post_then_timeout_stores_the_reply_before_stalling(comments_url, site):
    site.timeout_seconds = 0.6
    site.fault("post_then_timeout")
    with pytest.raises(requests.Timeout):
        reply_to(comments_url, first_question(site), "Mohon ditunggu.", timeout=0.2)
    assert site.replies_by(OFFICIAL_USER_ID)[-1]["content"] == "Mohon ditunggu."


def test_faults_can_be_set_over_http_and_spare_the_public_page(sim, comments_url):
    control = post(f"{sim.base_url}/__sim/fault", json={"mode": "http500", "times": 1, "methods": ["GET"]})
    assert control.status_code == 200
    assert get(f"{sim.base_url}/").status_code == 200
    assert get(comments_url).status_code == 500
    assert get(comments_url).status_code == 200
    assert post(f"{sim.base_url}/__sim/fault", json={"mode": "meteor"}).status_code == 400


def test_clear_faults_removes_pending_faults(comments_url, site):
    site.fault("http500", times=5)
    site.clear_faults()
    assert get(comments_url).status_code == 200


# -- public page ------------------------------------------------------------------------------


def test_public_page_shows_a_posted_reply_under_its_question(sim, comments_url, site):
    question = first_question(site)
    reply = reply_to(comments_url, question, "Cukup rekomendasi dinas, Bu.").json()
    page = get(f"{sim.base_url}/")
    assert page.status_code == 200
    assert '<html lang="id">' in page.text and '<meta charset="utf-8">' in page.text
    assert "BBPP Ketindan — Simulator Website" in page.text
    question_at = page.text.index(f'id="comment-{question["id"]}"')
    reply_at = page.text.index(f'id="comment-{reply["id"]}"')
    assert question_at < reply_at
    assert "Cukup rekomendasi dinas, Bu." in page.text[reply_at:]
    assert "Balasan resmi" in page.text[reply_at:reply_at + 500]
    post_page = get(reply["link"].split("#")[0])
    assert post_page.status_code == 200 and f'id="comment-{reply["id"]}"' in post_page.text


def test_public_page_escapes_a_hostile_author_name(sim, site):
    site.add_comment(site.posts[0]["id"], author_name='<script>alert("nama")</script><img src=x onerror=alert(1)>',
                     content="Halo admin")
    page = get(f"{sim.base_url}/").text
    assert '<script>alert("nama")' not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;nama&quot;)&lt;/script&gt;" in page


def test_unknown_article_is_a_404_page(sim):
    response = get(f"{sim.base_url}/berita/tidak-ada/")
    assert response.status_code == 404 and "Halaman tidak ditemukan" in response.text


def test_control_endpoint_lists_what_landed(sim):
    records = get(f"{sim.base_url}/__sim/comments").json()
    assert len(records) == 12 and json.dumps(records)
