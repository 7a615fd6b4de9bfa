"""The wp/v2 contract, quirks included, checked on the simulator and on a real WordPress alike.

Each test runs twice: `[simulator]` and `[real]` (Debian's WordPress 6.1 on MariaDB, see
tests/realwp). Where the simulator once disagreed with the real site, the test says which
quirk of the real site it pins.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import requests

from simulator.seed import SEED_APPROVED_COMMENTS, SEED_HELD_COMMENTS, SEED_POSTS

TIMEOUT = 10


def get(url, **kwargs):
    return requests.get(url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)


def post(url, **kwargs):
    return requests.post(url, timeout=kwargs.pop("timeout", TIMEOUT), **kwargs)


@pytest.fixture
def wp(wordpress_site):
    return wordpress_site


@pytest.fixture
def comments_url(wp) -> str:
    return f"{wp.api_base}/comments"


def question(wp) -> dict:
    """A recent approved top-level visitor question to reply to (Rina's)."""
    return wp.comment(wp.seed_comment("approve-1"))


def reply_to(comments_url, comment, content, auth, **kwargs):
    return post(comments_url, json={"post": comment["post"], "parent": comment["id"], "content": content},
                auth=auth, **kwargs)


# -- listing ----------------------------------------------------------------------------------


def test_a_visitor_sees_only_approved_comments_and_a_moderator_also_the_held_ones(wp, comments_url):
    public = get(comments_url, params={"per_page": 100})
    assert public.headers["X-WP-Total"] == str(SEED_APPROVED_COMMENTS)
    assert {c["status"] for c in public.json()} == {"approved"}
    held = get(comments_url, params={"status": "hold", "per_page": 100}, auth=wp.official)
    assert held.status_code == 200
    assert len(held.json()) == SEED_HELD_COMMENTS and {c["status"] for c in held.json()} == {"hold"}
    assert wp.seed_comment("hold-1") in [c["id"] for c in held.json()]


def test_listing_reports_totals_and_links_to_the_next_page(wp, comments_url):
    response = get(comments_url, params={"per_page": 5})
    assert response.status_code == 200
    assert response.headers["X-WP-Total"] == str(SEED_APPROVED_COMMENTS)
    assert response.headers["X-WP-TotalPages"] == "3"
    assert response.links["next"]["url"] == f"{comments_url}?per_page=5&page=2"
    assert "prev" not in response.links
    # Pins: paging links replace the api.w.org link; a list on one page carries that instead.
    assert "https://api.w.org/" not in response.links
    whole = get(comments_url, params={"per_page": 100})
    assert whole.links == {"https://api.w.org/": {"url": f"{wp.base_url}/wp-json/", "rel": "https://api.w.org/"}}
    assert "," in get(comments_url, params={"per_page": 5, "page": 2}).headers["Link"]  # prev and next, one header


def test_following_next_links_visits_every_comment_once(comments_url):
    seen, url, pages = [], f"{comments_url}?per_page=5", 0
    while url:
        response = get(url)
        seen += [c["id"] for c in response.json()]
        url = response.links.get("next", {}).get("url")
        pages += 1
    assert pages == 3
    assert len(seen) == len(set(seen)) == SEED_APPROVED_COMMENTS


def test_default_order_is_newest_first(comments_url):
    dates = [c["date_gmt"] for c in get(comments_url, params={"per_page": 100}).json()]
    assert dates == sorted(dates, reverse=True)
    ascending = [c["date_gmt"] for c in get(comments_url, params={"per_page": 100, "order": "asc"}).json()]
    assert ascending == sorted(dates)


def test_an_item_has_the_core_fields_in_order_and_dates_in_site_time(wp, comments_url):
    """Pins: the item ends with `_links` (self, collection, up; author and in-reply-to when set)."""
    item = get(comments_url, params={"per_page": 1}).json()[0]
    assert list(item) == ["id", "post", "parent", "author", "author_name", "author_url", "date", "date_gmt",
                          "content", "link", "status", "type", "author_avatar_urls", "meta", "_links"]
    assert item["status"] == "approved" and item["type"] == "comment" and item["meta"] == []
    assert set(item["author_avatar_urls"]) == {"24", "48", "96"}
    assert item["_links"]["self"] == [{"href": f"{comments_url}/{item['id']}"}]
    assert item["_links"]["up"][0]["href"] == f"{wp.api_base}/posts/{item['post']}"
    local, utc = datetime.fromisoformat(item["date"]), datetime.fromisoformat(item["date_gmt"])
    assert local - utc == timedelta(hours=7)  # Asia/Jakarta
    assert item["link"].endswith(f"/#comment-{item['id']}")


def test_per_page_above_100_is_an_invalid_param(comments_url):
    response = get(comments_url, params={"per_page": 101})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rest_invalid_param" and body["data"]["status"] == 400
    assert body["data"]["params"]["per_page"] == "per_page must be between 1 (inclusive) and 100 (inclusive)"


def test_a_page_past_the_end_is_an_empty_list(comments_url):
    response = get(comments_url, params={"page": 99})
    assert response.status_code == 200 and response.json() == []
    assert response.headers["X-WP-Total"] == str(SEED_APPROVED_COMMENTS)
    assert "page=2" in response.links["prev"]["url"]


def newest(wp, comments_url) -> dict:
    item = get(comments_url, params={"per_page": 1}).json()[0]
    return wp.comment(item["id"])


def test_after_is_exclusive_and_compared_with_local_time(wp, comments_url):
    latest = newest(wp, comments_url)
    at_the_second = get(comments_url, params={"after": latest["date"].isoformat()}).json()
    one_second_before = get(comments_url, params={"after": (latest["date"] - timedelta(seconds=1)).isoformat()}).json()
    assert latest["id"] not in [c["id"] for c in at_the_second]
    assert [c["id"] for c in one_second_before] == [latest["id"]]


def test_after_with_an_offset_is_converted_to_site_local_time(wp, comments_url):
    latest = newest(wp, comments_url)
    utc = latest["date_gmt"].replace(tzinfo=None)
    with_z = get(comments_url, params={"after": f"{(utc - timedelta(seconds=1)).isoformat()}Z"}).json()
    with_offset = get(comments_url, params={"after": f"{utc.isoformat()}+00:00"}).json()
    utc_without_offset = get(comments_url, params={"after": utc.isoformat()}).json()
    assert [c["id"] for c in with_z] == [latest["id"]]
    assert with_offset == []
    # A naive value is read as WIB, so a UTC time without offset reaches 7 hours further back.
    assert latest["id"] in [c["id"] for c in utc_without_offset] and len(utc_without_offset) > 1


def test_an_unparseable_after_is_an_invalid_param(comments_url):
    for value in ("kemarin", "2026-11-27"):
        response = get(comments_url, params={"after": value})
        assert response.status_code == 400
        assert response.json()["code"] == "rest_invalid_param"
        assert response.json()["data"]["params"]["after"] == "Invalid date."


def test_the_rest_route_form_gives_the_same_comments_and_links_in_the_sites_own_form(wp, comments_url):
    """Pins: on a site with pretty permalinks the Link URLs of a ?rest_route= request are pretty,
    and carry rest_route along as a query parameter (add_query_arg over the request's own)."""
    plain = get(f"{wp.base_url}/", params={"rest_route": "/wp/v2/comments", "per_page": 4, "page": 2})
    pretty = get(comments_url, params={"per_page": 4, "page": 2})
    assert plain.status_code == 200
    assert [c["id"] for c in plain.json()] == [c["id"] for c in pretty.json()]
    assert plain.headers["X-WP-Total"] == pretty.headers["X-WP-Total"]
    assert plain.links["next"]["url"] == f"{comments_url}?rest_route=%2Fwp%2Fv2%2Fcomments&per_page=4&page=3"
    assert plain.links["prev"]["url"] == f"{comments_url}?rest_route=%2Fwp%2Fv2%2Fcomments&per_page=4&page=1"
    assert [c["id"] for c in get(plain.links["next"]["url"]).json()] == \
        [c["id"] for c in get(pretty.links["next"]["url"]).json()]


def test_a_site_with_plain_permalinks_hands_out_index_php_urls(wp):
    """Pins: rest_url() is index.php?rest_route=<route>; with other parameters added (paging,
    children) the route comes out encoded and first."""
    wp.use_plain_permalinks()
    plain = f"{wp.base_url}/index.php?rest_route="
    thread = wp.seed_comment("question")
    page = get(f"{wp.base_url}/", params={"rest_route": "/wp/v2/comments", "per_page": 4, "page": 2})
    assert page.links["next"]["url"] == f"{plain}%2Fwp%2Fv2%2Fcomments&per_page=4&page=3"
    item = get(f"{wp.base_url}/", params={"rest_route": f"/wp/v2/comments/{thread}"}).json()
    assert item["_links"]["self"] == [{"href": f"{plain}/wp/v2/comments/{thread}"}]
    assert item["_links"]["children"] == [{"embeddable": True, "href": f"{plain}%2Fwp%2Fv2%2Fcomments&parent={thread}"}]
    assert item["link"] == f"{wp.base_url}/?p={item['post']}#comment-{thread}"
    created = post(f"{wp.base_url}/", params={"rest_route": "/wp/v2/comments"},
                   json={"post": item["post"], "parent": thread, "content": "Terima kasih."}, auth=wp.official)
    assert created.headers["Location"] == f"{plain}/wp/v2/comments/{created.json()['id']}"
    assert created.links["https://api.w.org/"]["url"] == f"{plain}/"


def test_filters_by_post_and_parent(wp, comments_url):
    thread = wp.seed_comment("question")
    replies = get(comments_url, params={"parent": thread}).json()
    top_level = get(comments_url, params={"parent": 0, "per_page": 100}).json()
    assert len(replies) == 2
    assert len(top_level) == SEED_APPROVED_COMMENTS - 2
    post_id = wp.seed_post("hortikultura")
    assert {c["post"] for c in get(comments_url, params={"post": post_id}).json()} == {post_id}


def test_status_and_author_filters_need_a_moderator(wp, comments_url):
    anonymous = get(comments_url, params={"status": "hold"})
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "rest_forbidden_param"
    assert get(comments_url, params={"author": wp.official_id}).status_code == 401
    mine = get(comments_url, params={"author": wp.official_id}, auth=wp.official)
    assert mine.status_code == 200 and [c["author"] for c in mine.json()] == [wp.official_id]


def test_edit_context_adds_raw_content_for_a_moderator(wp, comments_url):
    assert get(comments_url, params={"context": "edit"}).json()["code"] == "rest_forbidden_context"
    item = get(comments_url, params={"context": "edit", "per_page": 1}, auth=wp.official).json()[0]
    assert {"raw", "rendered"} <= set(item["content"]) and "author_email" in item and "author_ip" in item


def test_rendered_content_is_html_and_escaped_markup_stays_escaped(comments_url):
    items = {c["author_name"]: c for c in get(comments_url, params={"per_page": 100}).json()}
    xss = items["Yoga Pratama"]["content"]["rendered"]
    assert xss == "<p>&lt;script&gt;alert(&#8216;xss&#8217;)&lt;/script&gt; Mantap pelatihannya 👍🌾🇮🇩</p>\n"
    multi_line = items["Wahyu Nugroho"]["content"]["rendered"]
    assert multi_line.count("<p>") == 2 and "<br />\n" in multi_line
    spam = items["Slot Gacor88"]["content"]["rendered"]
    assert '<a href="https://gacor88-maxwin.example/daftar" rel="nofollow ugc">' in spam
    assert "🙂" in items["Hj. Siti Aminah"]["content"]["rendered"]


def test_the_raw_text_differs_from_the_rendered_one(wp, comments_url):
    """Pins: rendered curls quotes and turns :) into an emoji; raw is what was stored."""
    typed = 'Apakah "gratis"? :)\nBaris dua & tiga'
    cid = wp.add_comment(wp.seed_post("hortikultura"), "Tes Raw", typed)
    item = get(f"{comments_url}/{cid}", params={"context": "edit"}, auth=wp.official).json()
    assert item["content"]["raw"] == typed
    assert item["content"]["rendered"] == "<p>Apakah &#8220;gratis&#8221;? 🙂<br />\nBaris dua &#038; tiga</p>\n"


def test_a_visitors_comment_is_filtered_when_it_is_saved_not_when_it_is_shown(wp, comments_url):
    """Pins: kses runs on saving, for authors without unfiltered_html; rendering does not strip tags.

    So content.raw of a visitor's comment has the <script> tag gone (its text kept) and links
    marked rel="nofollow ugc", while a comment stored by a trusted hand keeps its markup.
    """
    visitor = wp.visitor()
    typed = '<script>alert(1)</script><b>tebal</b> & <a href="http://x.example">x</a>'
    response = post(comments_url, json={"post": wp.seed_post("kunjungan"), "content": typed}, auth=visitor)
    assert response.status_code == 201
    assert response.json()["status"] == "hold"  # a first comment from this account waits for moderation
    saved = wp.comment(response.json()["id"])
    assert saved["raw"] == 'alert(1)<b>tebal</b> &amp; <a href="http://x.example" rel="nofollow ugc">x</a>'

    trusted = wp.add_comment(wp.seed_post("kunjungan"), "Impor", "<script>alert(2)</script><b>tebal</b>")
    rendered = get(f"{comments_url}/{trusted}").json()["content"]["rendered"]
    assert rendered == "<p><script>alert(2)</script><b>tebal</b></p>\n"


def test_a_visitor_posting_again_within_15_seconds_is_a_flood_but_the_office_never_is(wp, comments_url):
    visitor = wp.visitor()
    target = wp.seed_post("kunjungan")
    assert post(comments_url, json={"post": target, "content": "Pertama."}, auth=visitor).status_code == 201
    again = post(comments_url, json={"post": target, "content": "Kedua."}, auth=visitor)
    assert again.status_code == 400 and again.json()["code"] == "comment_flood"
    for text in ("Jawaban satu.", "Jawaban dua."):
        assert post(comments_url, json={"post": target, "content": text}, auth=wp.official).status_code == 201


def test_a_single_comment_and_an_unknown_id(wp, comments_url):
    comment = question(wp)
    assert get(f"{comments_url}/{comment['id']}").json()["id"] == comment["id"]
    missing = get(f"{comments_url}/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "rest_comment_invalid_id"
    held = get(f"{comments_url}/{wp.seed_comment('hold-1')}")
    assert held.status_code == 401 and held.json()["code"] == "rest_cannot_read"


def test_posts_list_and_item(wp):
    posts = get(f"{wp.api_base}/posts")
    assert posts.status_code == 200 and len(posts.json()) == SEED_POSTS
    assert posts.headers["X-WP-Total"] == str(SEED_POSTS)
    item = get(f"{wp.api_base}/posts/{wp.seed_post('petani-milenial')}").json()
    assert item["title"]["rendered"].startswith("Pembukaan Pendaftaran") and item["comment_status"] == "open"
    assert get(f"{wp.api_base}/posts", params={"page": 2}).json()["code"] == "rest_post_invalid_page_number"


def test_users_me_needs_authentication(wp):
    me = get(f"{wp.api_base}/users/me", auth=wp.official)
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["slug"], me.json()["name"]) == (wp.official_id, "humas-bbpp",
                                                                       "Humas BBPP Ketindan")
    anonymous = get(f"{wp.api_base}/users/me")
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "rest_not_logged_in"


def test_users_me_in_edit_context_tells_what_our_account_may_do(wp):
    me = get(f"{wp.api_base}/users/me", params={"context": "edit"}, auth=wp.official).json()
    assert me["roles"] == ["editor"]
    assert me["capabilities"]["moderate_comments"] is True and me["capabilities"]["unfiltered_html"] is True
    visitor = get(f"{wp.api_base}/users/me", params={"context": "edit"}, auth=wp.visitor()).json()
    assert visitor["roles"] == ["subscriber"] and "moderate_comments" not in visitor["capabilities"]


def test_an_unknown_route_is_rest_no_route(wp):
    response = get(f"{wp.base_url}/wp-json/wp/v2/komentar")
    assert response.status_code == 404
    assert response.json() == {"code": "rest_no_route",
                               "message": "No route was found matching the URL and request method.",
                               "data": {"status": 404}}


# -- replying ---------------------------------------------------------------------------------


def test_an_official_reply_is_created_with_201_and_a_location(wp, comments_url):
    target = question(wp)
    response = reply_to(comments_url, target, "Terima kasih, Ibu Rina. Cukup rekomendasi dinas.", wp.official)
    assert response.status_code == 201
    item = response.json()
    assert response.headers["Location"] == f"{comments_url}/{item['id']}"
    assert (item["post"], item["parent"], item["author"]) == (target["post"], target["id"], wp.official_id)
    assert item["author_name"] == "Humas BBPP Ketindan" and item["status"] == "approved"
    assert item["content"]["raw"] == "Terima kasih, Ibu Rina. Cukup rekomendasi dinas."
    assert get(response.headers["Location"]).json()["id"] == item["id"]
    assert [c["id"] for c in wp.replies_by_us(target["id"])] == [item["id"]]


def test_a_form_encoded_reply_with_a_password_without_spaces_works(wp, comments_url):
    """Pins: Location is in the site's own form (pretty permalinks), whatever form the request used."""
    target = question(wp)
    response = post(f"{wp.base_url}/?rest_route=/wp/v2/comments",
                    data={"post": target["post"], "parent": target["id"], "content": "Baik, terima kasih."},
                    auth=(wp.username, wp.password.replace(" ", "")))
    assert response.status_code == 201
    assert response.headers["Location"] == f"{comments_url}/{response.json()['id']}"


def test_posting_the_same_reply_twice_is_a_409_comment_duplicate(wp, comments_url):
    target = question(wp)
    assert reply_to(comments_url, target, "Silakan cek laman pendaftaran.", wp.official).status_code == 201
    again = reply_to(comments_url, target, "silakan cek laman pendaftaran.", wp.official)  # MySQL ignores case
    assert again.status_code == 409
    assert again.json() == {
        "code": "comment_duplicate",
        "message": "Duplicate comment detected; it looks as though you&#8217;ve already said that!",
        "data": {"status": 409},
    }
    assert len(wp.replies_by_us(target["id"])) == 1


def test_a_reply_to_a_held_comment_is_accepted_and_the_comment_stays_held(wp, comments_url):
    """Pins: WordPress does not check the parent's status; our reply is public, its question is not."""
    held = wp.comment(wp.seed_comment("hold-1"))
    response = reply_to(comments_url, held, "Pelatihan tidak dipungut biaya.", wp.official)
    assert response.status_code == 201 and response.json()["status"] == "approved"
    assert wp.comment(held["id"])["status"] == "hold"


def test_an_anonymous_reply_is_401_login_required(wp, comments_url):
    response = post(comments_url, json={"post": question(wp)["post"], "content": "Halo"})
    assert response.status_code == 401 and response.json()["code"] == "rest_comment_login_required"


@pytest.mark.parametrize("username", ["humas-bbpp", "tidak-ada"], ids=["wrong-password", "unknown-user"])
def test_wrong_credentials_leave_the_request_anonymous(wp, comments_url, username):
    """Pins: WordPress 6.1 records the failed application password only after the REST API has
    asked for errors, so the request goes on as a visitor's: a list reads fine, users/me and
    posting are 401 "not logged in", never "incorrect_password"."""
    bad = (username, "wrong pass word xxxx")
    listing = get(comments_url, params={"status": "hold"}, auth=bad)
    assert listing.status_code == 401 and listing.json()["code"] == "rest_forbidden_param"
    public = get(comments_url, auth=bad)
    assert public.status_code == 200 and {c["status"] for c in public.json()} == {"approved"}
    me = get(f"{wp.api_base}/users/me", auth=bad)
    assert me.status_code == 401 and me.json()["code"] == "rest_not_logged_in"
    reply = reply_to(comments_url, question(wp), "Halo", bad)
    assert reply.status_code == 401 and reply.json()["code"] == "rest_comment_login_required"


def test_a_reply_on_a_closed_post_is_403(wp, comments_url):
    closed = wp.add_post("Arsip", "arsip", "Lama.", comments_open=False)
    response = post(comments_url, json={"post": closed, "content": "Halo"}, auth=wp.official)
    assert response.status_code == 403 and response.json()["code"] == "rest_comment_closed"
    unknown = post(comments_url, json={"post": 99999, "content": "Halo"}, auth=wp.official)
    assert unknown.status_code == 403 and unknown.json()["code"] == "rest_comment_invalid_post_id"


def test_empty_and_overlong_content_are_rejected(wp, comments_url):
    target = question(wp)
    empty = reply_to(comments_url, target, "   ", wp.official)
    assert empty.status_code == 400 and empty.json()["code"] == "rest_comment_content_invalid"
    # The limit counts bytes: 32,763 two-byte characters are 65,526 bytes.
    overlong = reply_to(comments_url, target, "é" * 32_763, wp.official)
    assert overlong.status_code == 400 and overlong.json()["code"] == "comment_content_column_length"
    assert reply_to(comments_url, target, "a" * 65_525, wp.official).status_code == 201


def test_author_fields_in_a_reply_detach_it_from_the_official_account(wp, comments_url):
    """Pins: a name without an e-mail is refused (require_name_email); with both, the comment
    is no longer ours (author 0) and, from a new e-mail address, waits for moderation."""
    target = question(wp)
    body = {"post": target["post"], "parent": target["id"], "content": "Halo", "author_name": "Humas"}
    no_email = post(comments_url, json=body, auth=wp.official)
    assert no_email.status_code == 400 and no_email.json()["code"] == "rest_comment_author_data_required"
    item = post(comments_url, json={**body, "author_email": "humas@example.id"}, auth=wp.official).json()
    assert item["author"] == 0 and item["author_name"] == "Humas" and item["status"] == "hold"


# -- moderation -------------------------------------------------------------------------------


def test_a_comment_approved_later_keeps_its_original_date(wp, comments_url):
    written = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=6)
    cid = wp.add_comment(wp.seed_post("hortikultura"), "Ditahan Dulu", "Mohon info kuota peserta.",
                         date=written, status="hold")
    assert cid not in [c["id"] for c in get(comments_url, params={"per_page": 100}).json()]
    wp.set_status(cid, "approve")
    item = get(f"{comments_url}/{cid}").json()
    assert item["status"] == "approved"
    assert datetime.fromisoformat(item["date_gmt"]).replace(tzinfo=timezone.utc) == written


def test_moderators_set_the_status_with_the_names_the_api_shows(wp, comments_url):
    cid = question(wp)["id"]
    held = post(f"{comments_url}/{cid}", json={"status": "hold"}, auth=wp.official)
    assert held.status_code == 200 and held.json()["status"] == "hold"
    approved = post(f"{comments_url}/{cid}", json={"status": "approved"}, auth=wp.official)
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
