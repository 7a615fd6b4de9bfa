"""What only the WordPress simulator has: its seed, its answers under injected faults and its
public pages (the control route and state file: test_simulator_scaffold.py). The wp/v2 contract itself is checked on the simulator and a real WordPress alike, in
test_wordpress_site_contract.py."""

from __future__ import annotations

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
from simulator.wordpress import WordPressSite

OFFICIAL = (OFFICIAL_USERNAME, OFFICIAL_APP_PASSWORD)
TIMEOUT = 5


@pytest.fixture
def site() -> WordPressSite:
    return seed_wordpress(WordPressSite())


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


def test_seed_holds_twelve_top_level_visitor_comments_two_held_and_an_old_official_reply(site):
    comments = site.comments
    visitors = [c for c in comments if c["user_id"] != OFFICIAL_USER_ID]
    official = site.replies_by(OFFICIAL_USER_ID)
    assert len(comments) == SEED_COMMENTS == 14
    assert len(visitors) == SEED_VISITOR_COMMENTS == 13
    assert len([c for c in visitors if c["parent"] == 0]) == 12
    assert [c["author_name"] for c in comments if c["status"] == "hold"] == ["Bambang Sutejo", "Dana Kilat"]
    assert len(official) == 1
    thread = {official[0]["id"], official[0]["parent"]}
    assert official[0]["date"] < min(c["date"] for c in comments if c["id"] not in thread)
    assert official[0]["date_gmt"].tzinfo is not None and official[0]["date"].utcoffset() == timedelta(hours=7)


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
