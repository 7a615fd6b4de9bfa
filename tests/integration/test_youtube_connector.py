"""The YouTube connector against the simulator over real HTTP."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

import simulator.youtube as youtube_sim
from simulator.youtube import (
    SEED_AWAITING_ANSWER,
    YOUTUBE_CHANNEL_ID,
    YOUTUBE_DEMO_TOKEN,
    YOUTUBE_READONLY_TOKEN,
    YouTubeSimulator,
    YouTubeSite,
)
from tanggap.settings import ChannelConfig
from tasks.channels.base import AuthError, CommentRef, NotFound, RateLimited, Rejected, Unavailable
from tasks.channels.youtube import OVERLAP, YouTubeClient, seconds_until_quota_reset
from tests.harness import look_for_our_reply
from tests.simulated import served


class BudgetLedger:
    """A tiny in-memory QuotaLedger: books units per purpose and refuses past the budget."""

    def __init__(self, read: int = 1_000, write: int = 1_000):
        self.budget = {"read": read, "write": write}
        self.spent = {"read": 0, "write": 0}
        self.calls: list[tuple[int, str]] = []

    def spend(self, units: int, *, purpose: str) -> None:
        if self.spent[purpose] + units > self.budget[purpose]:
            raise RateLimited(f"anggaran {purpose} habis", retry_after=3600)
        self.spent[purpose] += units
        self.calls.append((units, purpose))


youtube = served("youtube")


def client_for(server, *, token: str = YOUTUBE_DEMO_TOKEN, timeout: float = 5.0, ledger=None, **options):
    config = ChannelConfig(key="youtube", kind="youtube", name="YouTube BBPP Ketindan", base_url=server.base_url,
                           account=YOUTUBE_CHANNEL_ID, secret="youtube-token", options=options)
    return YouTubeClient(config, token, timeout=timeout, ledger=ledger)


def by_author(listing, author: str):
    return next(c for c in listing.comments if c.author_name == author)


def own_replies(site, top_id: str) -> list[dict]:
    return [r for r in site.replies_of(top_id) if r["author_id"] == YOUTUBE_CHANNEL_ID]


def wait_for(predicate, seconds: float = 4.0):
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


# -- listing ------------------------------------------------------------------------------------
def test_first_listing_reads_every_unanswered_visitor_comment_but_never_our_own(youtube):
    listing = client_for(youtube).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER
    assert not listing.problems and not listing.unreadable
    assert all(c.author_external_id != YOUTUBE_CHANNEL_ID for c in listing.comments)
    # The old question already carries the official reply; the newer visitor reply under it does not.
    assert "@sutrisno_lotim" not in {c.author_name for c in listing.comments}
    reply = by_author(listing, "@laluahmadzaini")
    assert reply.ref.parent_external_id and reply.ref.external_id.startswith(reply.ref.parent_external_id + ".")
    for comment in listing.comments:
        assert comment.posted_at.tzinfo is not None and comment.posted_at.utcoffset() == timedelta(0)
        assert comment.link == (f"https://www.youtube.com/watch?v={comment.ref.thread_id}"
                                f"&lc={comment.ref.external_id}")
    emoji = by_author(listing, "@yogapratama")
    assert emoji.text == '<b>Mantap</b> pelatihannya 👍🌾🇮🇩 ilmunya "daging" semua & gratis!'
    assert emoji.raw["kind"] == "youtube#commentThread"  # the platform's item as received
    assert listing.cursor["watermark"].endswith("Z") and listing.cursor["threads"]


def test_incremental_listing_follows_pages_and_dedupes_within_a_listing(youtube):
    site = youtube.site
    client = client_for(youtube)
    first = client.list_new_comments(None)
    video = first.comments[0].ref.thread_id
    start = datetime.now(timezone.utc) - timedelta(seconds=30)
    for n in range(250):
        site.add_comment(video, f"Komentar nomor {n}", author_name=f"@peserta{n}",
                         created=start + timedelta(seconds=n // 10))
    before = site.request_count("GET")
    second = client.list_new_comments(first.cursor)
    numbers = {c.text for c in second.comments if c.text.startswith("Komentar nomor")}
    assert len(numbers) == 250
    assert site.request_count("GET") - before == 3  # three pages of 100 threads, no more
    ids = [c.ref.external_id for c in second.comments]
    assert len(ids) == len(set(ids))
    # Of the first listing only what lies within the overlap before its watermark comes back.
    again = {c.ref.external_id for c in first.comments} & set(ids)
    watermark = datetime.fromisoformat(first.cursor["watermark"].replace("Z", "+00:00"))
    assert again == {c.ref.external_id for c in first.comments if c.posted_at >= watermark - OVERLAP}
    third = client.list_new_comments(second.cursor)
    assert {c.ref.external_id for c in third.comments} <= set(ids)  # only the overlap comes back


def test_a_new_reply_on_a_known_thread_is_found_even_beyond_the_five_a_thread_carries(youtube):
    site = youtube.site
    client = client_for(youtube)
    first = client.list_new_comments(None)
    old = by_author(first, "@wahyunugroho")  # 60 hours old: far behind the watermark
    for n in range(6):
        site.add_comment(old.ref.thread_id, f"Saya juga ingin tahu ({n})", author_name=f"@penyuluh{n}",
                         parent=old.ref.external_id, created=datetime.now(timezone.utc) + timedelta(seconds=n))
    second = client.list_new_comments(first.cursor)
    found = sorted(c.text for c in second.comments if c.ref.parent_external_id == old.ref.external_id)
    assert found == [f"Saya juga ingin tahu ({n})" for n in range(6)]  # the sixth only via comments.list
    assert old.ref.external_id not in {c.ref.external_id for c in second.comments}
    assert second.cursor["threads"][old.ref.external_id] == 6
    gets = site.request_count("GET")
    third = client.list_new_comments(second.cursor)
    assert site.request_count("GET") - gets == 1  # count unchanged: the replies are not read again
    assert {c.ref.external_id for c in third.comments} <= {c.ref.external_id for c in second.comments}


def test_a_reply_on_a_thread_older_than_the_reply_window_is_not_seen(youtube):
    """The documented limit of order=time: only threads inside reply_window_days are re-read."""
    site = youtube.site
    video = site.videos[0]["id"]
    ten_days = datetime.now(timezone.utc) - timedelta(days=10)
    old = site.add_comment(video, "Pertanyaan lama", author_name="@lama", created=ten_days)
    narrow, wide = client_for(youtube), client_for(youtube, reply_window_days=14)
    narrow_cursor = narrow.list_new_comments(None).cursor
    wide_cursor = wide.list_new_comments(None).cursor
    site.add_comment(video, "Balasan baru di utas lama", author_name="@baru", parent=old)
    assert "Balasan baru di utas lama" not in {c.text for c in narrow.list_new_comments(narrow_cursor).comments}
    assert "Balasan baru di utas lama" in {c.text for c in wide.list_new_comments(wide_cursor).comments}


def test_a_quiet_channel_is_not_read_back_to_its_last_comment_on_every_check():
    site = YouTubeSite()
    video = site.add_video("Video lama", published=datetime.now(timezone.utc) - timedelta(days=40))
    for days in (25, 20):
        site.add_comment(video, f"Komentar {days} hari lalu", author_name=f"@lama{days}",
                         created=datetime.now(timezone.utc) - timedelta(days=days))
    with YouTubeSimulator(site) as server:
        client = client_for(server)
        first = client.list_new_comments(None)
        assert [c.text for c in first.comments] == ["Komentar 25 hari lalu", "Komentar 20 hari lalu"]
        second = client.list_new_comments(first.cursor)
        assert second.comments == [] and second.cursor["threads"] == {}
        site.add_comment(video, "Komentar baru", author_name="@baru")
        assert [c.text for c in client.list_new_comments(second.cursor).comments] == ["Komentar baru"]


def test_a_visitor_reply_our_reply_addresses_is_dropped_from_the_same_listing(youtube):
    site = youtube.site
    video = site.videos[1]["id"]
    top = site.add_comment(video, "Kapan jadwal angkatan V?", author_name="@tanya")
    site.add_comment(video, "Saya juga menunggu", author_name="@ikut", parent=top)
    site.add_comment(video, "@ikut Jadwal diumumkan pekan depan.", author_id=YOUTUBE_CHANNEL_ID, parent=top)
    site.add_comment(video, "Terima kasih min", author_name="@ikut2", parent=top)
    texts = {c.text for c in client_for(youtube).list_new_comments(None).comments}
    # Our reply addressed @ikut, so the top-level question still waits; @ikut2 came later.
    assert {"Kapan jadwal angkatan V?", "Terima kasih min"} <= texts
    assert "Saya juga menunggu" not in texts and "@ikut Jadwal diumumkan pekan depan." not in texts


def test_an_unreadable_item_becomes_a_problem_not_a_crash(youtube, monkeypatch):
    original = youtube_sim.comment_resource

    def broken(site, record, *args, **kwargs):
        item = original(site, record, *args, **kwargs)
        if record["author_name"] == "@fajarhidayat":
            del item["snippet"]["publishedAt"]
        return item

    monkeypatch.setattr(youtube_sim, "comment_resource", broken)
    listing = client_for(youtube).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER - 1
    assert len(listing.unreadable) == 1 and "publishedAt" in listing.unreadable[0].reason
    assert listing.unreadable[0].external_id  # kept with its id, so a later check fetches it again


# -- replying -----------------------------------------------------------------------------------
def test_a_reply_lands_once_under_the_top_level_comment_and_is_found_again(youtube):
    client = client_for(youtube)
    target = by_author(client.list_new_comments(None), "@rinawulandari88")
    reply = client.reply(target.ref, "Cukup rekomendasi dinas, Kak.")
    assert reply.link == f"https://www.youtube.com/watch?v={target.ref.thread_id}&lc={reply.external_id}"
    stored = youtube.site.comment(reply.external_id)
    assert stored["parent"] == target.ref.external_id and stored["author_id"] == YOUTUBE_CHANNEL_ID
    assert look_for_our_reply(client, target.ref, "Cukup rekomendasi dinas, Kak.").external_id == reply.external_id
    assert look_for_our_reply(client, target.ref, "Jawaban lain") is None


def test_a_reply_to_a_reply_goes_to_the_thread_and_is_told_apart_by_its_text(youtube):
    client = client_for(youtube)
    visitor_reply = by_author(client.list_new_comments(None), "@laluahmadzaini")
    question_ref = CommentRef(external_id=visitor_reply.ref.parent_external_id, thread_id=visitor_reply.ref.thread_id)
    earlier = client.our_replies(question_ref)  # the seed's older official answer to the question
    assert len(earlier) == 1
    text = "@laluahmadzaini Email konfirmasi dikirim paling lambat 3 hari kerja."
    assert look_for_our_reply(client, visitor_reply.ref, text) is None  # that answer is not this one
    reply = client.reply(visitor_reply.ref, text)
    assert youtube.site.comment(reply.external_id)["parent"] == question_ref.external_id
    assert look_for_our_reply(client, visitor_reply.ref, text).external_id == reply.external_id
    # Addressed to the visitor, so never a candidate for the question itself.
    assert client.our_replies(question_ref) == earlier


def test_youtube_accepts_duplicates_so_looking_before_posting_is_what_keeps_it_to_one(youtube):
    client = client_for(youtube)
    target = by_author(client.list_new_comments(None), "@endanglestari")
    text = "Mohon maaf atas ketidaknyamanannya, AC kamar 12 sudah diperbaiki."
    for _ in range(2):  # what the publishing task does on every attempt
        look_for_our_reply(client, target.ref, text) or client.reply(target.ref, text)
    assert len(own_replies(youtube.site, target.ref.external_id)) == 1
    client.reply(target.ref, text)  # posting blindly really does post twice: no duplicate error exists
    assert len(own_replies(youtube.site, target.ref.external_id)) == 2


def test_post_then_500_is_transient_and_the_reply_is_found_instead_of_posted_again(youtube):
    client = client_for(youtube)
    target = by_author(client.list_new_comments(None), "@agussetiawan.ppl")
    text = "Sertifikat angkatan Februari terbit pekan ini."
    youtube.site.fault("post_then_500")
    with pytest.raises(Unavailable) as error:
        client.reply(target.ref, text)
    assert error.value.transient and "backendError" in error.value.detail
    found = look_for_our_reply(client, target.ref, text)
    assert found is not None
    assert [r["id"] for r in own_replies(youtube.site, target.ref.external_id)] == [found.external_id]


@pytest.mark.parametrize("mode", ["http500", "rate_limit", "garbage", "timeout"])
def test_a_fault_on_reply_is_transient_and_the_reply_still_lands_exactly_once(youtube, mode):
    site = youtube.site
    client = client_for(youtube, timeout=0.5)
    target = by_author(client.list_new_comments(None), "@dimaspratama.tani")
    text = "Kendala unggah KTP sudah diperbaiki, silakan coba lagi."
    site.timeout_seconds = 1.0
    site.fault(mode, methods=("POST",))
    with pytest.raises((Unavailable, RateLimited)) as error:
        client.reply(target.ref, text)
    assert error.value.transient
    if mode in ("garbage", "timeout"):  # the write went through although the answer was lost
        wait_for(lambda: own_replies(site, target.ref.external_id))
    reply = look_for_our_reply(client, target.ref, text) or client.reply(target.ref, text)
    assert [r["id"] for r in own_replies(site, target.ref.external_id)] == [reply.external_id]


# -- faults and errors --------------------------------------------------------------------------
@pytest.mark.parametrize("mode,expected", [("http500", Unavailable), ("rate_limit", RateLimited),
                                           ("garbage", Unavailable), ("timeout", Unavailable)])
def test_a_fault_while_listing_is_transient_and_loses_no_comment(youtube, mode, expected):
    site = youtube.site
    client = client_for(youtube, timeout=0.5)
    first = client.list_new_comments(None)
    site.add_comment(site.videos[2]["id"], "Komentar saat gangguan", author_name="@saatgangguan")
    site.timeout_seconds = 1.0
    site.fault(mode, methods=("GET",))
    with pytest.raises(expected) as error:
        client.list_new_comments(first.cursor)
    assert error.value.transient
    if mode == "rate_limit":  # YouTube's quotaExceeded: wait for the Pacific midnight
        assert abs(error.value.retry_after - seconds_until_quota_reset()) < 5
        assert "Kuota harian YouTube" in str(error.value)
    again = client.list_new_comments(first.cursor)
    assert "Komentar saat gangguan" in {c.text for c in again.comments}


def test_the_platform_quota_running_out_is_rate_limited_until_pacific_midnight(youtube):
    youtube.site.daily_quota = 1
    client = client_for(youtube)
    first = client.list_new_comments(None)
    with pytest.raises(RateLimited) as error:
        client.list_new_comments(first.cursor)
    assert error.value.transient and "quotaExceeded" in error.value.detail
    assert 0 < error.value.retry_after <= 25 * 3600


def test_a_bad_token_is_a_permanent_auth_error_that_never_shows_the_token(youtube):
    with pytest.raises(AuthError) as error:
        client_for(youtube, token="ya29.rahasia-kedaluwarsa").list_new_comments(None)
    assert not error.value.transient
    assert "authError" in error.value.detail and "Token akses YouTube" in error.value.reason
    assert "rahasia" not in str(error.value)


def test_a_read_only_token_cannot_reply_and_says_which_permission_is_missing(youtube):
    target = by_author(client_for(youtube).list_new_comments(None), "@fajarhidayat")
    with pytest.raises(AuthError) as error:
        client_for(youtube, token=YOUTUBE_READONLY_TOKEN).reply(target.ref, "Terima kasih")
    assert not error.value.transient and "youtube.force-ssl" in error.value.reason


def test_permanent_rejections_are_not_retried_and_say_why_in_indonesian(youtube):
    site = youtube.site
    client = client_for(youtube)
    listing = client.list_new_comments(None)
    long_target = by_author(listing, "@sitiaminah_kwt")
    with pytest.raises(Rejected) as too_long:
        client.reply(long_target.ref, "a" * 10_001)
    assert "terlalu panjang" in too_long.value.reason and "commentTextTooLong" in too_long.value.detail

    held = by_author(listing, "@wahyunugroho")
    site.set_moderation(held.ref.external_id, "heldForReview")
    with pytest.raises(Rejected) as private:
        client.reply(held.ref, "Halo")
    assert "tidak publik" in private.value.reason

    closed = by_author(listing, "@endanglestari")
    site.set_comments_disabled(closed.ref.thread_id)
    with pytest.raises(Rejected) as disabled:
        client.reply(closed.ref, "Halo")
    assert disabled.value.reason == "Komentar dinonaktifkan pada video ini"
    assert "commentsDisabled" in disabled.value.detail and "<" not in disabled.value.detail

    with pytest.raises(NotFound):
        client.reply(CommentRef(external_id="UgTidakAda", thread_id=closed.ref.thread_id), "Halo")
    for error in (too_long, private, disabled):
        assert not error.value.transient


# -- hiding, length, quota ledger ---------------------------------------------------------------
def test_hiding_holds_the_comment_for_review_and_takes_it_off_the_listing(youtube):
    ledger = BudgetLedger()
    client = client_for(youtube, ledger=ledger)
    spam = by_author(client.list_new_comments(None), "@slotgacor88maxwin")
    client.hide(spam.ref)
    assert ledger.calls[-1] == (50, "write")
    stored = youtube.site.comment(spam.ref.external_id)
    assert stored["hidden"] and stored["moderation"] == "heldForReview"
    assert spam.ref.external_id not in {c.ref.external_id for c in client.list_new_comments(None).comments}
    with pytest.raises(NotFound):
        client.hide(CommentRef(external_id="UgTidakAda", thread_id=spam.ref.thread_id))


def test_reply_length_counts_utf16_units_against_the_ten_thousand_limit(youtube):
    assert YouTubeClient.reply_limit == 10_000
    assert YouTubeClient.reply_length("Terima kasih") == 12
    assert YouTubeClient.reply_length("🌾") == 2  # never less than what YouTube may count
    client = client_for(youtube)
    target = by_author(client.list_new_comments(None), "@fajarhidayat")
    at_limit = "🌾" + "a" * 9_998
    assert YouTubeClient.reply_length(at_limit) == YouTubeClient.reply_limit
    assert client.reply(target.ref, at_limit).external_id


def test_the_ledger_is_charged_before_each_call_and_stops_the_connector_when_spent(youtube):
    site = youtube.site
    ledger = BudgetLedger(read=3, write=50)
    client = client_for(youtube, ledger=ledger)
    listing = client.list_new_comments(None)
    assert ledger.calls == [(1, "read")] and site.quota_used == 1  # one page of threads
    client.reply(listing.comments[0].ref, "Terima kasih")
    assert ledger.calls[-1] == (50, "write") and site.quota_used == 51
    posts = site.request_count("POST")
    with pytest.raises(RateLimited):
        client.reply(listing.comments[1].ref, "Terima kasih")
    assert site.request_count("POST") == posts  # refused before anything was sent
    client.list_new_comments(listing.cursor)
    client.list_new_comments(listing.cursor)
    gets = site.request_count("GET")
    with pytest.raises(RateLimited):
        client.list_new_comments(listing.cursor)
    assert site.request_count("GET") == gets


# -- quota day ----------------------------------------------------------------------------------
@pytest.mark.parametrize("now,seconds", [
    (datetime(2026, 6, 15, 6, 59, tzinfo=timezone.utc), 60),  # 23:59 PDT
    (datetime(2026, 1, 15, 8, 0, tzinfo=timezone.utc), 24 * 3600),  # 00:00 PST: a whole day ahead
    (datetime(2026, 3, 8, 8, 0, tzinfo=timezone.utc), 23 * 3600),  # spring forward: a 23-hour day
    (datetime(2026, 11, 1, 7, 0, tzinfo=timezone.utc), 25 * 3600),  # fall back: a 25-hour day
    (datetime(2026, 11, 1, 10, 0, tzinfo=timezone(timedelta(hours=7))), 4 * 3600),  # 03:00 UTC = 20:00 PDT
    (datetime(2026, 6, 15, 6, 59), 60),  # naive: taken as UTC
])
def test_seconds_until_quota_reset_counts_to_the_next_pacific_midnight(now, seconds):
    assert seconds_until_quota_reset(now) == seconds
