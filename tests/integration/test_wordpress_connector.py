"""The WordPress connector over real HTTP, on the simulator and on a real WordPress alike.

Tests taking `wp` run twice, `[simulator]` and `[real]`; the fault tests need the simulator's
fault injection and run there only.
"""

from datetime import datetime, timedelta, timezone

import pytest

from simulator.seed import SEED_APPROVED_COMMENTS, SEED_AWAITING_ANSWER, SEED_HELD_COMMENTS
from tanggap.settings import ChannelConfig
from tasks.channels.base import AuthError, CommentRef, Duplicate, NotFound, Rejected, Unavailable
from tasks.channels.text import html_to_text
from tasks.channels.wordpress import WordPressClient
from tests.dropping_proxy import DroppingProxy
from tests.harness import look_for_our_reply


@pytest.fixture
def wp(wordpress_site):
    return wordpress_site


def client_for(wp, *, pretty: bool = True, username: str | None = None, password: str | None = None,
               timeout: float = 5.0, base_url: str | None = None) -> WordPressClient:
    config = ChannelConfig(key="website", kind="wordpress", name="Website", base_url=base_url or wp.base_url,
                           account=username or wp.username, secret="unused", options={"pretty_permalinks": pretty})
    return WordPressClient(config, password or wp.password, timeout=timeout)


def by_id(listing, comment_id) -> object:
    return next(c for c in listing.comments if c.ref.external_id == str(comment_id))


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


# -- listing ----------------------------------------------------------------------------------


@pytest.mark.parametrize("pretty", [True, False], ids=["wp-json", "rest_route"])
def test_the_first_listing_reads_every_unanswered_visitor_comment_held_ones_marked(wp, pretty):
    listing = client_for(wp, pretty=pretty).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER
    assert all(c.author_external_id != str(wp.official_id) for c in listing.comments)
    held = {c.ref.external_id for c in listing.comments if c.awaiting_moderation}
    assert held == {str(wp.seed_comment("hold-1")), str(wp.seed_comment("hold-2"))}
    assert len(held) == SEED_HELD_COMMENTS
    assert listing.cursor["after_local"] and not listing.problems and not listing.unreadable


def test_listing_follows_pages_and_overlap_is_left_to_the_database(wp):
    client = client_for(wp)
    first = client.list_new_comments(None)
    start = now() - timedelta(minutes=2)
    wp.add_comments(wp.seed_post("kunjungan"),
                    [(f"Peserta {n}", f"Komentar nomor {n}", start + timedelta(seconds=n // 3)) for n in range(230)])
    second = client.list_new_comments(first.cursor)
    numbers = {c.text for c in second.comments if c.text.startswith("Komentar nomor")}
    assert len(numbers) == 230  # three pages of 100
    # The overlap window may bring back recent ones; ids stay unique within a listing.
    ids = [c.ref.external_id for c in second.comments]
    assert len(ids) == len(set(ids))
    third = client.list_new_comments(second.cursor)
    assert {c.ref.external_id for c in third.comments} <= set(ids)


def test_the_text_is_what_was_typed_not_what_wordpress_renders(wp):
    """Issue 6, finding 2: content.raw (context=edit), entities unescaped; rendered only for display."""
    typed = 'Apakah "gratis"? :)\nBaris dua & tiga <script>alert(1)</script>'
    cid = wp.add_comment(wp.seed_post("hortikultura"), "Tes &amp; Uji", typed)
    comment = by_id(client_for(wp).list_new_comments(None), cid)
    assert comment.text == typed
    assert comment.author_name == "Tes & Uji"
    rendered = comment.raw["content"]["rendered"]
    assert "&#8220;gratis&#8221;" in rendered and "🙂" in rendered  # WordPress's display, kept for the record
    assert "author_email" not in comment.raw and "author_ip" not in comment.raw  # not ours to keep


def test_a_visitors_comment_reads_as_wordpress_stored_it(wp):
    """What a visitor posts is filtered by kses on saving: the raw text is that filtered text."""
    import requests

    response = requests.post(f"{wp.api_base}/comments", auth=wp.visitor(), timeout=10, json={
        "post": wp.seed_post("kunjungan"), "content": 'Nilai "A" & <script>alert(1)</script>:)'})
    assert response.status_code == 201
    comment = by_id(client_for(wp).list_new_comments(None), response.json()["id"])
    assert comment.text == 'Nilai "A" & alert(1):)' and comment.awaiting_moderation


def test_without_moderation_rights_the_rendered_text_is_read_and_held_comments_are_not_seen(wp):
    username, password = wp.visitor()
    listing = client_for(wp, username=username, password=password).list_new_comments(None)
    assert len(listing.comments) == SEED_APPROVED_COMMENTS  # the office's answer is someone else's here
    assert not any(c.awaiting_moderation for c in listing.comments)
    siti = next(c for c in listing.comments if c.author_name == "Hj. Siti Aminah")
    assert siti.text == html_to_text(siti.raw["content"]["rendered"]) and siti.text.endswith("🙂")


def test_a_held_comment_approved_after_a_later_check_comes_back_once_as_approved(wp):
    """Issue 6, finding 1: approved hours later, it keeps its old date, older than the cursor."""
    client = client_for(wp)
    first = client.list_new_comments(None)
    written = now() - timedelta(hours=6)
    late = wp.add_comment(wp.seed_post("hortikultura"), "Ditahan Dulu", "Kuota peserta berapa orang?",
                          date=written, status="hold")
    second = client.list_new_comments(first.cursor)
    assert by_id(second, late).awaiting_moderation
    wp.set_status(late, "approve")
    third = client.list_new_comments(second.cursor)
    approved = by_id(third, late)
    assert not approved.awaiting_moderation and approved.posted_at == written
    assert late not in {int(c.ref.external_id) for c in client.list_new_comments(third.cursor).comments}


def test_a_held_comment_we_answered_comes_back_once_to_say_it_is_public_now(wp):
    """Our Approve and Reply answers it: it still comes back, once, so its case learns the new state."""
    client = client_for(wp)
    first = client.list_new_comments(None)
    held = by_id(first, wp.seed_comment("hold-1"))
    client.reply(held.ref, "Pelatihan ini tidak dipungut biaya.")
    second = client.list_new_comments(first.cursor)
    assert not by_id(second, held.ref.external_id).awaiting_moderation
    assert held.ref.external_id not in {c.ref.external_id for c in client.list_new_comments(second.cursor).comments}


def test_a_held_comment_thrown_away_by_a_moderator_is_no_longer_followed(wp):
    client = client_for(wp)
    first = client.list_new_comments(None)
    spam = wp.seed_comment("hold-2")
    wp.set_status(spam, "spam")
    second = client.list_new_comments(first.cursor)
    assert str(spam) not in {c.ref.external_id for c in second.comments}
    assert str(spam) not in second.cursor.get("held", [])


# -- replying ---------------------------------------------------------------------------------


def test_a_reply_goes_to_the_parents_post_and_is_found_again(wp):
    client = client_for(wp)
    target = by_id(client.list_new_comments(None), wp.seed_comment("approve-1"))
    reply = client.reply(target.ref, "Terima kasih, jadwal menyusul.")
    found = client.our_replies(target.ref)
    assert [r.external_id for r in found] == [reply.external_id] and found[0].text == "Terima kasih, jadwal menyusul."
    stored = wp.comment(int(reply.external_id))
    assert (str(stored["post"]), str(stored["parent"])) == (target.ref.thread_id, target.ref.external_id)
    assert stored["author"] == wp.official_id and stored["status"] == "approve"
    assert [c["id"] for c in wp.replies_by_us(int(target.ref.external_id))] == [int(reply.external_id)]


def test_our_replies_and_the_comments_they_answer_are_not_listed_again(wp):
    client = client_for(wp)
    first = client.list_new_comments(None)
    target = by_id(first, wp.seed_comment("approve-1"))
    reply = client.reply(target.ref, "Cukup rekomendasi dinas, Bu.")
    again = client.list_new_comments(None)
    ids = {c.ref.external_id for c in again.comments}
    assert reply.external_id not in ids and target.ref.external_id not in ids
    assert len(again.comments) == len(first.comments) - 1


def test_html_and_emoji_in_a_reply_are_shown_as_typed(wp):
    client = client_for(wp)
    target = by_id(client.list_new_comments(None), wp.seed_comment("approve-2"))
    text = "Terima kasih <b>Bapak/Ibu</b> & salam <script>x</script> 🌾🙏🏽"
    reply = client.reply(target.ref, text)
    stored = wp.comment(int(reply.external_id))
    assert stored["raw"] == "Terima kasih &lt;b&gt;Bapak/Ibu&lt;/b&gt; &amp; salam &lt;script&gt;x&lt;/script&gt; 🌾🙏🏽"
    seen = client.our_replies(target.ref)
    assert [r.external_id for r in seen] == [reply.external_id] and seen[0].text == text


def test_posting_the_same_reply_twice_is_refused_and_the_first_is_found(wp):
    client = client_for(wp)
    target = by_id(client.list_new_comments(None), wp.seed_comment("approve-1"))
    first = client.reply(target.ref, "Jawaban yang sama")
    with pytest.raises(Duplicate):  # the site answers 409 comment_duplicate
        client.reply(target.ref, "Jawaban yang sama")
    assert [r.external_id for r in client.our_replies(target.ref)] == [first.external_id]
    assert len(wp.replies_by_us(int(target.ref.external_id))) == 1


def test_a_reply_whose_answer_was_lost_is_retried_into_one_reply(wp):
    proxy = DroppingProxy(wp.base_url).start()
    try:
        client = client_for(wp, base_url=proxy.base_url)
        target = by_id(client.list_new_comments(None), wp.seed_comment("approve-3"))
        proxy.drop_next("POST")
        with pytest.raises(Unavailable):
            client.reply(target.ref, "Mohon maaf, tautan tersebut bukan dari kami.")
        assert proxy.dropped == 1
        # What publishing does on its retry: look first, post only when nothing is there.
        found = look_for_our_reply(client, target.ref, "Mohon maaf, tautan tersebut bukan dari kami.")
        with pytest.raises(Duplicate):  # a blind retry is refused by WordPress itself (409)
            client.reply(target.ref, "Mohon maaf, tautan tersebut bukan dari kami.")
    finally:
        proxy.stop()
    replies = wp.replies_by_us(int(target.ref.external_id))
    assert len(replies) == 1 and found.external_id == str(replies[0]["id"])


def test_replying_to_a_held_comment_approves_it_as_wp_admin_does(wp):
    """Approve and Reply: WordPress accepts a reply under a held comment but shows neither."""
    client = client_for(wp)
    held = by_id(client.list_new_comments(None), wp.seed_comment("hold-1"))
    reply = client.reply(held.ref, "Pelatihan ini tidak dipungut biaya.")
    assert wp.comment(int(held.ref.external_id))["status"] == "approve"
    assert wp.comment(int(reply.external_id))["status"] == "approve"


def test_a_wrong_password_is_an_auth_error_not_a_retry(wp):
    with pytest.raises(AuthError) as error:
        client_for(wp, password="salah salah salah").list_new_comments(None)
    assert not error.value.transient


def test_a_reply_to_a_comment_that_is_gone_is_not_found_and_on_a_closed_post_is_rejected(wp):
    client = client_for(wp)
    with pytest.raises(NotFound):
        client.reply(CommentRef(external_id="999999", thread_id=str(wp.seed_post("kunjungan"))), "Halo")
    closed = wp.add_post("Arsip", "arsip", "Lama.", comments_open=False)
    [old] = wp.add_comments(closed, [("Warga Lama", "Masih buka?", now() - timedelta(days=1))])
    with pytest.raises(Rejected) as error:
        client.reply(CommentRef(external_id=str(old), thread_id=str(closed)), "Halo")
    assert "rest_comment_closed" in str(error.value) and not error.value.transient


def test_hiding_a_comment_puts_it_back_in_moderation(wp):
    client = client_for(wp)
    target = by_id(client.list_new_comments(None), wp.seed_comment("approve-3"))
    client.hide(target.ref)
    assert wp.comment(int(target.ref.external_id))["status"] == "hold"
    assert by_id(client.list_new_comments(None), target.ref.external_id).awaiting_moderation


# -- faults (the simulator's) -----------------------------------------------------------------


@pytest.mark.parametrize("mode", ["http500", "http429", "garbage", "timeout"])
def test_platform_faults_are_transient_errors(wordpress, mode):
    from tests.wordpress_sites import SimulatedWordPress

    client = client_for(SimulatedWordPress(wordpress), timeout=1.0)
    client.list_new_comments(None)  # who we are is known from here on
    wordpress.site.timeout_seconds = 2
    wordpress.site.fault(mode, times=1)
    with pytest.raises(Unavailable if mode != "http429" else Exception) as error:
        client.list_new_comments(None)
    assert error.value.transient
    assert len(client.list_new_comments(None).comments) > 0  # the next try goes through


def test_a_paging_link_to_another_host_is_followed_on_our_own_site(wp):
    """The application password goes only to the configured site, whatever a Link header says."""
    client = client_for(wp)
    assert client._on_our_site("https://elsewhere.example/wp-json/wp/v2/comments?page=2") == \
        f"{wp.base_url.rstrip('/')}/wp-json/wp/v2/comments?page=2"


def test_a_comment_hidden_after_a_check_is_held_at_the_next_one_and_followed(wp):
    """The next check's one request shows the newest comments' states: the hidden one is held."""
    client = client_for(wp)
    first = client.list_new_comments(None)
    target = by_id(first, wp.seed_comment("approve-3"))
    client.hide(target.ref)
    second = client.list_new_comments(first.cursor)
    assert by_id(second, target.ref.external_id).awaiting_moderation
    assert target.ref.external_id in second.cursor["held"]
    wp.set_status(int(target.ref.external_id), "approve")
    assert not by_id(client.list_new_comments(second.cursor), target.ref.external_id).awaiting_moderation
