"""The Instagram connector against the Instagram simulator over real HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from simulator.instagram import (
    INSTAGRAM_DEMO_TOKEN,
    INSTAGRAM_USER_ID,
    INSTAGRAM_USERNAME,
    SEED_AWAITING_ANSWER,
)
from tanggap.settings import ChannelConfig
from tasks.channels.base import AuthError, CommentRef, Duplicate, NotFound, RateLimited, Rejected, Unavailable
from tasks.channels.instagram import InstagramClient
from tests.harness import look_for_our_reply
from tests.simulated import served


instagram = served("instagram")


def client_for(server, *, token: str = INSTAGRAM_DEMO_TOKEN, timeout: float = 5.0, **options) -> InstagramClient:
    config = ChannelConfig(key="instagram", kind="instagram", name="Instagram BBPP Ketindan",
                           base_url=server.base_url, account=INSTAGRAM_USER_ID, secret="unused",
                           options={"username": INSTAGRAM_USERNAME, **options})
    return InstagramClient(config, token, timeout=timeout)


def ours_under(site, comment_id: str) -> list[dict]:
    return [c for c in site.replies_by_us() if c["parent"] == comment_id]


def by_author(listing, username: str):
    return next(c for c in listing.comments if c.author_name == username)


def crowded_media(site, count: int = 30) -> tuple[str, list[str]]:
    """A media with `count` comments from two days ago, oldest first."""
    media = site.add_media("Media ramai", created=datetime.now(timezone.utc) - timedelta(days=3))
    start = datetime.now(timezone.utc) - timedelta(days=2)
    ids = [site.add_comment(media, f"Komentar lama {n}", username=f"tamu{n}", created=start + timedelta(minutes=n))
           for n in range(count)]
    return media, ids


# -- listing ----------------------------------------------------------------------------------


def test_first_listing_reads_every_unanswered_visitor_comment_and_reply_but_never_our_own(instagram):
    listing = client_for(instagram).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER
    assert all(c.author_external_id != INSTAGRAM_USER_ID and c.author_name != INSTAGRAM_USERNAME
               for c in listing.comments)
    answered = instagram.site.replies_by_us()[0]["parent"]
    assert answered not in {c.ref.external_id for c in listing.comments}
    assert not listing.problems and not listing.unreadable
    assert datetime.fromisoformat(listing.cursor["watermark"]).tzinfo is not None
    assert set(listing.cursor["comments_count"]) == {m["id"] for m in instagram.site.media}
    reply = by_author(listing, "lalu.zaini")
    assert reply.ref.parent_external_id == answered and reply.raw["parent_id"] == answered
    for comment in listing.comments:
        assert comment.posted_at.utcoffset() == timedelta(0) and comment.link.endswith("/")
        assert comment.raw["id"] == comment.ref.external_id
    assert by_author(listing, "yoga.tani").text == "Mantap panennya 🌶️🔥👍 kapan ada pelatihan cabai lagi?"


def test_incremental_listing_pages_through_new_comments_and_stops_at_a_page_of_old_ones(instagram):
    site = instagram.site
    site.limit_cap = 3
    media, _ = crowded_media(site)
    client = client_for(instagram)
    first = client.list_new_comments(None)
    assert {f"Komentar lama {n}" for n in range(30)} <= {c.text for c in first.comments}
    start = datetime.now(timezone.utc) - timedelta(seconds=30)
    for n in range(7):
        site.add_comment(media, f"Komentar baru {n}", username=f"baru{n}", created=start + timedelta(seconds=n))
    calls, send = [], client.http.request
    client.http.request = lambda *args, **kwargs: calls.append(args[1]) or send(*args, **kwargs)
    second = client.list_new_comments(first.cursor)
    assert {c.text for c in second.comments if c.text.startswith("Komentar baru")} == {f"Komentar baru {n}"
                                                                                         for n in range(7)}
    assert not any(c.text.startswith("Komentar lama") for c in second.comments)
    ids = [c.ref.external_id for c in second.comments]
    assert len(ids) == len(set(ids))
    # 7 new ones take 3 pages (the third ends with old ones), then one page of only old ones
    # ends the walk: 4 of the 10 pages of that media.
    assert len([url for url in calls if f"/{media}/comments" in url]) == 4
    assert len([url for url in calls if "/replies" in url]) == 0
    third = client.list_new_comments(second.cursor)
    assert {c.ref.external_id for c in third.comments} <= set(ids)


def test_a_new_reply_under_an_old_comment_is_found_through_the_comment_count(instagram):
    site = instagram.site
    site.limit_cap = 3
    media, ids = crowded_media(site)
    client = client_for(instagram)
    first = client.list_new_comments(None)
    late = site.add_comment(media, "Balasan baru di komentar paling lama", username="penanya", parent=ids[0])
    second = client.list_new_comments(first.cursor)
    found = next(c for c in second.comments if c.ref.external_id == late)
    assert found.ref.parent_external_id == ids[0]


def test_pages_emptied_by_deletions_and_paged_nested_replies_lose_nothing(instagram):
    site = instagram.site
    site.limit_cap, site.nested_limit = 3, 2
    media, ids = crowded_media(site, 9)
    for comment_id in ids[3:6]:
        site.delete_comment(comment_id)  # the middle page comes back empty, with `next`
    replies = [site.add_comment(media, f"Balasan {n}", username=f"pembalas{n}", parent=ids[0]) for n in range(5)]
    listing = client_for(instagram).list_new_comments(None)
    got = {c.ref.external_id for c in listing.comments}
    assert set(ids) - set(ids[3:6]) <= got and set(replies) <= got
    assert not got & set(ids[3:6])


def test_hidden_comments_are_not_listed_and_hide_works(instagram):
    client = client_for(instagram)
    spam = by_author(client.list_new_comments(None), "slotgacor88.maxwin")
    client.hide(spam.ref)
    assert next(c for c in instagram.site.comments if c["id"] == spam.ref.external_id)["hidden"] is True
    assert spam.ref.external_id not in {c.ref.external_id for c in client.list_new_comments(None).comments}


def test_media_to_scan_limits_the_media_read(instagram):
    oldest = instagram.site.media[-1]["id"]
    narrow = client_for(instagram, media_to_scan=2).list_new_comments(None)
    assert narrow.comments and all(c.ref.thread_id != oldest for c in narrow.comments)


# -- replying ---------------------------------------------------------------------------------


def test_a_reply_lands_once_and_the_answered_comment_leaves_the_next_listing(instagram):
    client = client_for(instagram)
    target = by_author(client.list_new_comments(None), "rina.wulandari88")
    reply = client.reply(target.ref, "@rina.wulandari88 Cukup rekomendasi dinas, Kak.")
    assert reply.link and reply.link.endswith("/")
    assert [c["id"] for c in ours_under(instagram.site, target.ref.external_id)] == [reply.external_id]
    found = look_for_our_reply(client, target.ref, "@rina.wulandari88 Cukup rekomendasi dinas, Kak.")
    assert found.external_id == reply.external_id
    again = client.list_new_comments(None)
    assert len(again.comments) == SEED_AWAITING_ANSWER - 1


def test_a_reply_to_a_reply_goes_to_the_top_level_comment_and_is_found_by_its_text(instagram):
    client = client_for(instagram)
    nested = by_author(client.list_new_comments(None), "lalu.zaini")
    text = "@lalu.zaini Email konfirmasi dikirim paling lambat 3 hari kerja."
    assert look_for_our_reply(client, nested.ref, text) is None
    reply = client.reply(nested.ref, text)
    stored = next(c for c in instagram.site.comments if c["id"] == reply.external_id)
    assert stored["parent"] == nested.ref.parent_external_id
    assert look_for_our_reply(client, nested.ref, text).external_id == reply.external_id


def test_the_duplicate_error_is_raised_and_the_reply_already_there_is_found(instagram):
    client = client_for(instagram)
    target = by_author(client.list_new_comments(None), "dimas_pratama")
    first = client.reply(target.ref, "Mohon maaf, formulir sedang diperbaiki.")
    with pytest.raises(Duplicate):
        client.reply(target.ref, "Mohon maaf, formulir sedang diperbaiki.")
    assert look_for_our_reply(client, target.ref, "Mohon maaf, formulir sedang diperbaiki.").external_id == \
        first.external_id
    assert len(ours_under(instagram.site, target.ref.external_id)) == 1


def test_a_lost_answer_after_the_post_is_found_instead_of_posting_twice(instagram):
    client = client_for(instagram)
    target = by_author(client.list_new_comments(None), "endang.lestari")
    text = "Terima kasih, air kamar mandi lantai 2 sudah kami perbaiki."
    instagram.site.fault("post_then_500")
    with pytest.raises(Unavailable) as error:
        client.reply(target.ref, text)
    assert error.value.transient
    found = look_for_our_reply(client, target.ref, text)
    assert found is not None
    assert [c["id"] for c in ours_under(instagram.site, target.ref.external_id)] == [found.external_id]


# -- failures ---------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["rate_limit", "http500", "garbage", "timeout"])
def test_each_fault_is_a_transient_error_and_the_next_listing_loses_nothing(instagram, mode):
    client = client_for(instagram, timeout=0.5)
    instagram.site.timeout_seconds = 1.0
    instagram.site.fault(mode, methods=("GET",))
    with pytest.raises((RateLimited, Unavailable)) as error:
        client.list_new_comments(None)
    assert error.value.transient and INSTAGRAM_DEMO_TOKEN not in str(error.value)
    assert len(client.list_new_comments(None).comments) == SEED_AWAITING_ANSWER


@pytest.mark.parametrize("code", [4, 80002])
def test_throttling_is_a_rate_limit_with_the_wait_from_the_usage_headers(instagram, code):
    instagram.site.rate_limit_code, instagram.site.regain_minutes = code, 5
    instagram.site.fault("rate_limit")
    with pytest.raises(RateLimited) as error:
        client_for(instagram).list_new_comments(None)
    assert error.value.retry_after == 300 and f"code {code}" in error.value.detail


def test_a_failure_while_paging_nested_replies_fails_the_listing_and_the_retry_reads_all(instagram):
    site = instagram.site
    site.nested_limit = 1
    client = client_for(instagram)
    calls, send = [], client.http.request

    def fail_the_replies_page(*args, **kwargs):
        calls.append(args[1])
        if "/replies" in args[1] and len([c for c in calls if "/replies" in c]) == 1:
            site.fault("http500")
        return send(*args, **kwargs)

    client.http.request = fail_the_replies_page
    with pytest.raises(Unavailable):
        client.list_new_comments(None)
    assert len(client.list_new_comments(None).comments) == SEED_AWAITING_ANSWER


def test_a_bad_token_is_an_auth_error_that_does_not_retry(instagram):
    with pytest.raises(AuthError) as error:
        client_for(instagram, token="IG-kedaluwarsa").list_new_comments(None)
    assert not error.value.transient and str(error.value).startswith("Akses ke kanal ditolak")
    assert "IG-kedaluwarsa" not in str(error.value)


def test_a_missing_permission_is_an_auth_error(instagram):
    instagram.site.add_token("IG-hanya-baca", can_manage=False)
    client = client_for(instagram, token="IG-hanya-baca")
    with pytest.raises(AuthError):
        client.reply(client.list_new_comments(None).comments[0].ref, "Halo")


def test_hidden_comments_disabled_media_and_too_long_replies_are_rejected_for_good(instagram):
    site = instagram.site
    client = client_for(instagram)
    listing = client.list_new_comments(None)
    target = by_author(listing, "agus.ppl.malang")
    with pytest.raises(Rejected) as too_long:
        client.reply(target.ref, "a" * (client.reply_limit + 1))
    assert not too_long.value.transient and str(too_long.value).startswith("Kanal menolak")
    site.set_hidden(target.ref.external_id)
    with pytest.raises(Rejected) as hidden:
        client.reply(target.ref, "Sertifikat terbit minggu depan.")
    assert "hidden" in hidden.value.detail and not hidden.value.transient
    other = by_author(listing, "sitiaminah_kwt")
    site.set_comments_enabled(other.ref.thread_id, False)
    with pytest.raises(Rejected):
        client.reply(other.ref, "Terima kasih!")
    assert ours_under(site, target.ref.external_id) == ours_under(site, other.ref.external_id) == []


def test_a_comment_that_no_longer_exists_is_not_found(instagram):
    with pytest.raises(NotFound):
        client_for(instagram).reply(CommentRef(external_id="17800000000000001", thread_id="1"), "Halo")


def test_reply_length_counts_utf16_units_against_the_2200_limit(instagram):
    client = client_for(instagram)
    assert client.reply_limit == 2_200
    assert client.reply_length("🌶️") == 3  # the pepper outside the BMP counts 2, its variation selector 1
    target = by_author(client.list_new_comments(None), "bu_harti.kwt")
    longest = "🌾" * 1_099 + "ok"
    assert client.reply_length(longest) == client.reply_limit
    client.reply(target.ref, longest)
    assert ours_under(instagram.site, target.ref.external_id)[0]["text"] == longest
