"""The Facebook connector against the Facebook Page simulator over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from simulator.facebook import (
    FACEBOOK_DEMO_TOKEN,
    FACEBOOK_PAGE_ID,
    SEED_AWAITING_ANSWER,
)
from tanggap.settings import ChannelConfig
from tasks.channels.base import AuthError, CommentRef, Duplicate, NotFound, RateLimited, Rejected, Unavailable
from tasks.channels.facebook import FacebookClient
from tests.harness import look_for_our_reply
from tests.simulated import served


facebook = served("facebook")


def client_for(server, *, token: str = FACEBOOK_DEMO_TOKEN, timeout: float = 5.0, **options) -> FacebookClient:
    config = ChannelConfig(key="facebook", kind="facebook", name="Facebook BBPP Ketindan", base_url=server.base_url,
                           account=FACEBOOK_PAGE_ID, secret="unused", options=options)
    return FacebookClient(config, token, timeout=timeout)


def ours_under(site, comment_id: str) -> list[dict]:
    return [c for c in site.replies_by_us() if c["parent"] == comment_id]


def by_author(listing, name: str):
    return next(c for c in listing.comments if c.author_name == name)


# -- listing ----------------------------------------------------------------------------------


def test_first_listing_reads_every_unanswered_visitor_comment_but_never_the_pages_own(facebook):
    listing = client_for(facebook).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER
    assert all(c.author_external_id != FACEBOOK_PAGE_ID for c in listing.comments)
    answered = facebook.site.replies_by_us()[0]["parent"]
    assert answered not in {c.ref.external_id for c in listing.comments}
    assert not listing.problems and not listing.unreadable and listing.cursor["since"] > 0
    for comment in listing.comments:
        assert comment.posted_at.tzinfo is not None and comment.posted_at.utcoffset() == timedelta(0)
        assert comment.link and comment.raw["id"] == comment.ref.external_id
        assert comment.ref.thread_id.startswith(FACEBOOK_PAGE_ID + "_")
    nameless = by_author(listing, "Pengguna Facebook")
    assert nameless.author_external_id is None and "from" not in nameless.raw
    assert nameless.text == ("Mohon info jadwal pelatihan hortikultura berikutnya.\n"
                             "Apakah ada kelas khusus untuk penyuluh swadaya?")
    reply = by_author(listing, "Lalu Ahmad Zaini")
    assert reply.ref.parent_external_id == answered


def test_incremental_listing_follows_several_pages_and_the_overlap_stays_unique(facebook):
    site = facebook.site
    client = client_for(facebook)
    first = client.list_new_comments(None)
    site.limit_cap = 5  # Graph caps `limit`: 23 new comments take several pages per post
    start = datetime.now(timezone.utc) - timedelta(minutes=1)
    posts = [p["id"] for p in site.posts]
    for n in range(23):
        site.add_comment(posts[n % 3], f"Komentar baru nomor {n}", author_name=f"Peserta {n}",
                         created=start + timedelta(seconds=n))
    second = client.list_new_comments(first.cursor)
    fresh = {c.text for c in second.comments if c.text.startswith("Komentar baru")}
    assert len(fresh) == 23
    ids = [c.ref.external_id for c in second.comments]
    assert len(ids) == len(set(ids))
    # The old ones stay behind the cursor, apart from the few minutes of overlap.
    assert len(second.comments) < 23 + SEED_AWAITING_ANSWER
    third = client.list_new_comments(second.cursor)
    assert {c.ref.external_id for c in third.comments} <= set(ids)
    assert third.cursor["since"] == second.cursor["since"]


def test_ranked_order_and_pages_emptied_by_deletions_lose_nothing(facebook):
    site = facebook.site
    site.limit_cap = 2
    site.ranked_order = True
    post = site.add_post("Kiriman baru")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    ids = [site.add_comment(post, f"Urutan {n}", author_name="Peserta", created=start + timedelta(minutes=n))
           for n in range(8)]
    for n, comment_id in enumerate(ids):
        site.set_like_count(comment_id, n % 3)
    # Delete two that share one page window in ranked order: that page comes back empty with `next`.
    site.delete_comment(ids[2])
    site.delete_comment(ids[5])
    listing = client_for(facebook).list_new_comments(None)
    got = {c.ref.external_id for c in listing.comments if c.text.startswith("Urutan")}
    assert got == set(ids) - {ids[2], ids[5]}
    assert len(listing.comments) == SEED_AWAITING_ANSWER + 6


def test_only_the_most_recent_posts_are_scanned(facebook):
    site = facebook.site
    oldest_post = site.posts[-1]["id"]
    site.add_comment(oldest_post, "Komentar di kiriman lama", author_name="Tamu")
    everything = client_for(facebook).list_new_comments(None)
    narrow = client_for(facebook, posts_to_scan=2).list_new_comments(None)
    assert any(c.text == "Komentar di kiriman lama" for c in everything.comments)
    assert all(c.ref.thread_id != oldest_post for c in narrow.comments)


def test_hidden_comments_are_not_listed_and_hide_works(facebook):
    client = client_for(facebook)
    spam = by_author(client.list_new_comments(None), "Slot Gacor88")
    client.hide(spam.ref)
    stored = next(c for c in facebook.site.comments if c["id"] == spam.ref.external_id)
    assert stored["hidden"] is True
    assert spam.ref.external_id not in {c.ref.external_id for c in client.list_new_comments(None).comments}
    own = facebook.site.replies_by_us()[0]
    with pytest.raises(Rejected) as error:
        client.hide(CommentRef(external_id=own["id"], thread_id=own["post"]))
    assert not error.value.transient


# -- replying ---------------------------------------------------------------------------------


def test_a_reply_lands_once_under_the_comment_and_drops_it_from_the_next_listing(facebook):
    client = client_for(facebook)
    target = by_author(client.list_new_comments(None), "Rina Wulandari")
    reply = client.reply(target.ref, "Syaratnya cukup rekomendasi dinas, Ibu Rina.")
    assert reply.external_id and reply.link and "comment_id=" in reply.link
    assert [c["id"] for c in ours_under(facebook.site, target.ref.external_id)] == [reply.external_id]
    found = look_for_our_reply(client, target.ref, "Syaratnya cukup rekomendasi dinas, Ibu Rina.")
    assert found.external_id == reply.external_id and found.posted_at is not None
    again = client.list_new_comments(None)
    assert target.ref.external_id not in {c.ref.external_id for c in again.comments}
    assert len(again.comments) == SEED_AWAITING_ANSWER - 1


def test_a_reply_to_a_reply_goes_under_the_top_level_comment_and_is_found_by_its_text(facebook):
    client = client_for(facebook)
    nested = by_author(client.list_new_comments(None), "Lalu Ahmad Zaini")
    top = nested.ref.parent_external_id
    # The Page's old answer to the question sits in the same thread: it is not ours for this one.
    assert client.our_replies(nested.ref)  # the old answer is ours, under the same top-level comment ...
    assert look_for_our_reply(client, nested.ref, "Email konfirmasi dikirim paling lambat 3 hari kerja.") is None
    reply = client.reply(nested.ref, "Email konfirmasi dikirim paling lambat 3 hari kerja.")
    assert next(c for c in facebook.site.comments if c["id"] == reply.external_id)["parent"] == top
    found = look_for_our_reply(client, nested.ref, "Email konfirmasi dikirim paling lambat 3 hari kerja.")
    assert found.external_id == reply.external_id  # ... but only the new one has this case's text


def test_the_duplicate_error_is_raised_and_the_reply_already_there_is_found(facebook):
    client = client_for(facebook)
    target = by_author(client.list_new_comments(None), "Dimas Pratama")
    first = client.reply(target.ref, "Mohon maaf, tim kami sedang memperbaiki formulir.")
    with pytest.raises(Duplicate):  # Graph answers 368
        client.reply(target.ref, "Mohon maaf, tim kami sedang memperbaiki formulir.")
    found = look_for_our_reply(client, target.ref, "Mohon maaf, tim kami sedang memperbaiki formulir.")
    assert found.external_id == first.external_id
    assert len(ours_under(facebook.site, target.ref.external_id)) == 1


def test_a_lost_answer_after_the_post_is_found_instead_of_posting_twice(facebook):
    client = client_for(facebook)
    target = by_author(client.list_new_comments(None), "Endang Sri Lestari")
    text = "Terima kasih, AC kamar 12 sudah kami perbaiki."
    facebook.site.fault("post_then_500")
    with pytest.raises(Unavailable) as error:
        client.reply(target.ref, text)
    assert error.value.transient
    found = look_for_our_reply(client, target.ref, text)  # what the publishing step does before retrying
    assert found is not None
    assert [c["id"] for c in ours_under(facebook.site, target.ref.external_id)] == [found.external_id]


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["rate_limit", "http500", "garbage", "timeout"])
def test_each_fault_is_a_transient_error_and_the_next_listing_loses_nothing(facebook, mode):
    client = client_for(facebook, timeout=0.5)
    facebook.site.timeout_seconds = 1.0
    facebook.site.fault(mode, methods=("GET",))
    with pytest.raises((RateLimited, Unavailable)) as error:
        client.list_new_comments(None)
    assert error.value.transient
    assert FACEBOOK_DEMO_TOKEN not in str(error.value)
    assert len(client.list_new_comments(None).comments) == SEED_AWAITING_ANSWER


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80001])
def test_throttling_codes_are_rate_limits_with_the_wait_from_the_usage_headers(facebook, code):
    facebook.site.rate_limit_code, facebook.site.regain_minutes = code, 7
    facebook.site.fault("rate_limit")
    with pytest.raises(RateLimited) as error:
        client_for(facebook).list_new_comments(None)
    assert error.value.retry_after == 7 * 60
    assert f"code {code}" in error.value.detail


def test_a_fault_in_the_middle_of_paging_fails_the_listing_and_the_old_cursor_still_works(facebook):
    site = facebook.site
    client = client_for(facebook)
    first = client.list_new_comments(None)
    site.limit_cap = 3
    post = site.posts[0]["id"]
    for n in range(7):
        site.add_comment(post, f"Tengah {n}", author_name="Peserta")
    calls, send = [], client.http.request

    def fail_the_third_call(*args, **kwargs):  # the feed and one comments page answer, then a 500
        calls.append(args[1])
        if len(calls) == 3:
            site.fault("http500")
        return send(*args, **kwargs)

    client.http.request = fail_the_third_call
    with pytest.raises(Unavailable):
        client.list_new_comments(first.cursor)
    retry = client.list_new_comments(first.cursor)
    assert {f"Tengah {n}" for n in range(7)} <= {c.text for c in retry.comments}


def test_a_failed_post_is_transient_and_posts_nothing(facebook):
    client = client_for(facebook)
    target = by_author(client.list_new_comments(None), "Agus Setiawan")
    facebook.site.fault("http500", methods=("POST",))
    with pytest.raises(Unavailable):
        client.reply(target.ref, "Sertifikat terbit minggu depan.")
    assert ours_under(facebook.site, target.ref.external_id) == []
    client.reply(target.ref, "Sertifikat terbit minggu depan.")
    assert len(ours_under(facebook.site, target.ref.external_id)) == 1


def test_a_bad_token_is_an_auth_error_that_does_not_retry(facebook):
    with pytest.raises(AuthError) as error:
        client_for(facebook, token="EAA-kedaluwarsa").list_new_comments(None)
    assert not error.value.transient and "code 190" in error.value.detail
    assert str(error.value).startswith("Akses ke kanal ditolak")
    assert "EAA-kedaluwarsa" not in str(error.value)


def test_a_missing_permission_is_an_auth_error(facebook):
    facebook.site.add_token("EAA-hanya-baca", can_manage=False)
    client = client_for(facebook, token="EAA-hanya-baca")
    target = client.list_new_comments(None).comments[0]
    with pytest.raises(AuthError) as error:
        client.reply(target.ref, "Halo")
    assert "code 200" in error.value.detail and not error.value.transient


def test_comments_turned_off_and_too_long_replies_are_rejected_for_good(facebook):
    client = client_for(facebook)
    target = by_author(client.list_new_comments(None), "Fajar Hidayat")
    with pytest.raises(Rejected) as too_long:
        client.reply(target.ref, "a" * (client.reply_limit + 1))
    assert not too_long.value.transient and str(too_long.value).startswith("Kanal menolak")
    facebook.site.set_comments_allowed(target.ref.thread_id, False)
    with pytest.raises(Rejected) as closed:
        client.reply(target.ref, "Terima kasih!")
    assert not closed.value.transient and "turned off" in closed.value.detail
    assert ours_under(facebook.site, target.ref.external_id) == []


def test_a_comment_that_no_longer_exists_is_not_found(facebook):
    with pytest.raises(NotFound) as error:
        client_for(facebook).reply(CommentRef(external_id="1_2", thread_id="3_4"), "Halo")
    assert not error.value.transient


def test_reply_length_counts_utf16_units_against_the_8000_limit(facebook):
    client = client_for(facebook)
    assert client.reply_limit == 8_000
    assert client.reply_length("Halo 🌾") == 7  # the emoji counts 2
    target = by_author(client.list_new_comments(None), "Yoga Pratama")
    longest = "🌾" * 3_999 + "ok"
    assert client.reply_length(longest) == client.reply_limit
    client.reply(target.ref, longest)
    assert ours_under(facebook.site, target.ref.external_id)[0]["text"] == longest
