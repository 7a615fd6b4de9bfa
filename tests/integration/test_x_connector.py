"""The X connector against the X simulator over real HTTP."""

from __future__ import annotations

import json
import time
from datetime import timezone

import pytest
import requests

from simulator.x import (
    SEED_AWAITING_ANSWER,
    X_APP_ONLY_TOKEN,
    X_DEMO_TOKEN,
    X_OFFICIAL_USER_ID,
    X_OFFICIAL_USERNAME,
)
from tanggap.settings import ChannelConfig
from tasks.channels.base import AuthError, CommentRef, Duplicate, NotFound, RateLimited, Rejected, Unavailable
from tasks.channels.x import XClient
from tests.harness import look_for_our_reply


@pytest.fixture
def x(fresh_x):
    return fresh_x


def client_for(server, *, token: str = X_DEMO_TOKEN, timeout: float = 5.0, account: str = X_OFFICIAL_USER_ID,
               base_url: str | None = None) -> XClient:
    config = ChannelConfig(key="x", kind="x", name="X BBPP Ketindan", base_url=base_url or server.base_url,
                           account=account, secret="x-user-token",
                           options={"username": X_OFFICIAL_USERNAME, "web_url": server.base_url})
    return XClient(config, token, timeout=timeout)


def mention_by(listing, username):
    return next(c for c in listing.comments if c.link.split("/")[-3] == username)


def our_replies_to(site, tweet_id):
    return site.replies_by(X_OFFICIAL_USER_ID, to=tweet_id)


# -- listing -------------------------------------------------------------------------------------------


def test_first_listing_reads_every_unanswered_mention_but_never_our_own_tweets(x):
    listing = client_for(x).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER
    assert all(c.author_external_id != X_OFFICIAL_USER_ID for c in listing.comments)
    assert listing.cursor == {"since_id": max((c.ref.external_id for c in listing.comments), key=int)}
    assert not listing.problems and not listing.unreadable
    answered = our_replies_to(x.site, x.site.replies_by(X_OFFICIAL_USER_ID)[0]["parent"])
    assert answered and answered[0]["parent"] not in {c.ref.external_id for c in listing.comments}


def test_a_mention_becomes_plain_text_with_thread_parent_link_and_utc_time(x):
    listing = client_for(x).list_new_comments(None)
    complaint = mention_by(listing, "agus_tani_mlg")
    assert "<belum> ada kabar & teman2" in complaint.text  # X's &lt; &amp; undone
    assert "&lt;belum&gt;" in complaint.raw["text"]
    announcement = next(t for t in x.site.all_tweets
                        if t["author_id"] == X_OFFICIAL_USER_ID and "Pendaftaran" in t["text"])
    assert complaint.ref.thread_id == announcement["id"] == complaint.ref.parent_external_id
    assert complaint.author_name == "Agus Santoso"
    assert complaint.link == f"{x.base_url}/agus_tani_mlg/status/{complaint.ref.external_id}"
    assert complaint.posted_at.tzinfo == timezone.utc
    standalone = mention_by(listing, "budikopi_dampit")
    assert standalone.ref.parent_external_id is None and standalone.ref.thread_id == standalone.ref.external_id
    assert requests.get(standalone.link, timeout=5).status_code == 200  # the simulator serves the link


def test_listing_follows_pages_from_the_cursor_and_moves_it_to_the_newest(x):
    client = client_for(x)
    first = client.list_new_comments(None)
    for n in range(230):
        x.site.add_comment(f"Pertanyaan nomor {n}", author=f"peserta_{n % 7}")
    requests_before = x.site.request_count("GET")
    second = client.list_new_comments(first.cursor)
    assert x.site.request_count("GET") - requests_before == 3 + 1  # three pages of 100, then our timeline
    numbers = {c.text for c in second.comments}
    assert len(numbers) == 230 and all("Pertanyaan nomor" in t for t in numbers)
    assert int(second.cursor["since_id"]) > int(first.cursor["since_id"])
    third = client.list_new_comments(second.cursor)
    assert third.comments == [] and third.cursor == second.cursor  # nothing new: the cursor stays


def test_a_failed_page_loses_nothing_because_the_cursor_only_moves_on_success(x):
    client = client_for(x)
    first = client.list_new_comments(None)
    for n in range(150):
        x.site.add_comment(f"Komentar {n}", author="warga_ramai")
    x.site.fault("http500", methods=("GET",))
    with pytest.raises(Unavailable):
        client.list_new_comments(first.cursor)
    assert len(client.list_new_comments(first.cursor).comments) == 150


class _Replay(requests.adapters.BaseAdapter):
    """Recorded mention pages whose boundary overlaps by one tweet."""

    def __init__(self, pages):
        super().__init__()
        self.pages, self.calls = pages, []

    def send(self, request, **kwargs):
        self.calls.append(request.url)
        response = requests.Response()
        response.status_code, response.url, response.request = 200, request.url, request
        if "/mentions" in request.url:
            body = self.pages[1] if "pagination_token" in request.url else self.pages[0]
        else:
            body = {"meta": {"result_count": 0}}
        response._content = json.dumps(body).encode()
        response.headers["Content-Type"] = "application/json"
        return response

    def close(self):
        pass


def test_a_tweet_repeated_across_pages_is_listed_once(x):
    fields = {"tweet.fields": "created_at,author_id,conversation_id,referenced_tweets", "expansions": "author_id",
              "user.fields": "username,name", "max_results": 5}
    headers = {"Authorization": f"Bearer {X_DEMO_TOKEN}"}
    url = f"{x.base_url}/2/users/{X_OFFICIAL_USER_ID}/mentions"
    first = requests.get(url, params=fields, headers=headers, timeout=5).json()
    second = requests.get(url, params={**fields, "pagination_token": first["meta"]["next_token"]},
                          headers=headers, timeout=5).json()
    second["data"].insert(0, first["data"][-1])
    client = client_for(x, base_url="http://rekaman.test")
    client.http.mount("http://rekaman.test", _Replay([first, second]))
    listing = client.list_new_comments(None)
    ids = [c.ref.external_id for c in listing.comments]
    assert len(ids) == len(set(ids)) == 9  # every mention once (the recorded pages skip the answered check)
    assert listing.cursor == {"since_id": first["meta"]["newest_id"]}


def test_own_tweets_in_mentions_are_skipped_and_mentions_we_answered_by_hand_dropped(x):
    site = x.site
    client = client_for(x)
    budi = mention_by(client.list_new_comments(None), "budikopi_dampit")
    dewi = mention_by(client.list_new_comments(None), "dewi_penyuluh")
    # The office answered Budi in the X app, naming its own handle: that tweet is in our mentions.
    site.add_tweet(X_OFFICIAL_USER_ID, "@budikopi_dampit Jadwal pelatihan kopi diumumkan di akun @bbppketindan "
                   "bulan depan.", reply_to=budi.ref.external_id)
    site.add_tweet(X_OFFICIAL_USER_ID, "@dewi_penyuluh Teknisi sudah kami kirim ke blok C.",
                   reply_to=dewi.ref.external_id)
    listing = client.list_new_comments(None)
    ids = {c.ref.external_id for c in listing.comments}
    assert all(c.author_external_id != X_OFFICIAL_USER_ID for c in listing.comments)
    assert budi.ref.external_id not in ids and dewi.ref.external_id not in ids
    assert len(listing.comments) == SEED_AWAITING_ANSWER - 2


def test_when_our_timeline_cannot_be_read_the_listing_still_arrives_with_a_problem_noted(x):
    x.site.rate_limits["user_tweets"] = 0
    listing = client_for(x).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER + 1  # the answered one comes back, flagged
    assert listing.problems and "balasan akun resmi" in listing.problems[0]


def test_an_unknown_account_id_is_not_found(x):
    with pytest.raises(NotFound) as error:
        client_for(x, account="999").list_new_comments(None)
    assert not error.value.transient and "Could not find user" in error.value.detail


# -- replies ---------------------------------------------------------------------------------------------


def test_reply_lands_once_under_the_mention_and_is_found_again(x):
    client = client_for(x)
    target = mention_by(client.list_new_comments(None), "rinawulandari_")
    reply = client.reply(target.ref, "Pendaftaran ditutup 30 November 2026, Kak. Usia maksimal 39 tahun.")
    stored = our_replies_to(x.site, target.ref.external_id)
    assert [s["id"] for s in stored] == [reply.external_id]
    assert stored[0]["conversation_id"] == target.ref.thread_id
    assert stored[0]["text"].startswith("@rinawulandari_ ")
    assert reply.link == f"{x.base_url}/{X_OFFICIAL_USERNAME}/status/{reply.external_id}"
    found = look_for_our_reply(client, target.ref, "Pendaftaran ditutup 30 November 2026, Kak. Usia maksimal 39 tahun.")
    assert found.external_id == reply.external_id
    assert found.text == "Pendaftaran ditutup 30 November 2026, Kak. Usia maksimal 39 tahun."  # without "@rina..."
    assert client.our_replies(mention_by(client.list_new_comments(None), "dewi_penyuluh").ref) == []


def test_posting_the_same_reply_twice_is_refused_and_the_first_is_found(x):
    client = client_for(x)
    target = mention_by(client.list_new_comments(None), "agus_tani_mlg")
    first = client.reply(target.ref, "Mohon maaf, sertifikat sedang diproses.")
    with pytest.raises(Duplicate):  # X answers 403 duplicate
        client.reply(target.ref, "Mohon maaf, sertifikat sedang diproses.")
    assert look_for_our_reply(client, target.ref, "x").external_id == first.external_id
    assert len(our_replies_to(x.site, target.ref.external_id)) == 1


def test_a_duplicate_without_our_reply_under_this_mention_is_a_duplicate_error(x):
    client = client_for(x)
    x.site.add_comment("Satu lagi min, apakah sertifikat bisa dikirim lewat pos?", author="hendra_hortik")
    listing = client.list_new_comments(None)
    second, first = (c for c in listing.comments if c.link.split("/")[-3] == "hendra_hortik")
    client.reply(first.ref, "Terima kasih, akan kami tindak lanjuti.")
    # Same visitor, same text: X sees the same "@hendra_hortik ..." tweet again and refuses it.
    with pytest.raises(Duplicate) as error:
        client.reply(second.ref, "Terima kasih, akan kami tindak lanjuti.")
    assert not error.value.transient and "duplicate content" in error.value.detail
    assert "sama" in error.value.reason
    assert our_replies_to(x.site, second.ref.external_id) == []


def test_a_reply_that_landed_before_a_500_is_found_and_never_posted_twice(x):
    client = client_for(x)
    target = mention_by(client.list_new_comments(None), "budikopi_dampit")
    x.site.fault("post_then_500")
    with pytest.raises(Unavailable) as error:
        client.reply(target.ref, "Pelatihan pengolahan kopi dijadwalkan Maret 2027.")
    assert error.value.transient and "131" in error.value.detail
    found = look_for_our_reply(client, target.ref, "Pelatihan pengolahan kopi dijadwalkan Maret 2027.")
    assert found is not None
    with pytest.raises(Duplicate):  # a blind retry is refused by X itself
        client.reply(target.ref, "Pelatihan pengolahan kopi dijadwalkan Maret 2027.")
    assert len(our_replies_to(x.site, target.ref.external_id)) == 1


def test_a_reply_whose_answer_timed_out_is_found_once_the_platform_finishes(x):
    client = client_for(x, timeout=0.3)
    target = mention_by(client.list_new_comments(None), "sitinurhaliza_p")
    x.site.timeout_seconds = 0.6
    x.site.fault("timeout", methods=("POST",))
    with pytest.raises(Unavailable):
        client.reply(target.ref, "Terima kasih atas apresiasinya, Kak!")
    deadline, found = time.monotonic() + 3, None
    while found is None and time.monotonic() < deadline:
        time.sleep(0.2)
        found = look_for_our_reply(client, target.ref, "Terima kasih atas apresiasinya, Kak!")
    assert found is not None and len(our_replies_to(x.site, target.ref.external_id)) == 1


# -- faults and permanent errors -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["rate_limit", "rate_limit_legacy", "http500", "garbage", "timeout"])
def test_platform_faults_are_transient_and_the_next_try_goes_through(x, mode):
    client = client_for(x, timeout=0.3)
    x.site.timeout_seconds = 0.6
    x.site.fault(mode)
    with pytest.raises((RateLimited, Unavailable)) as error:
        client.list_new_comments(None)
    assert error.value.transient
    if mode.startswith("rate_limit"):
        assert isinstance(error.value, RateLimited) and 1 <= error.value.retry_after <= 61
    assert len(client.list_new_comments(None).comments) == SEED_AWAITING_ANSWER


def test_a_rate_limited_reply_says_when_to_come_back_and_posts_nothing(x):
    client = client_for(x)
    target = mention_by(client.list_new_comments(None), "rinawulandari_")
    x.site.fault("rate_limit", methods=("POST",))
    with pytest.raises(RateLimited) as error:
        client.reply(target.ref, "Pendaftaran ditutup 30 November.")
    assert error.value.retry_after >= 1 and "Too Many Requests" in error.value.detail
    assert our_replies_to(x.site, target.ref.external_id) == []
    assert client.reply(target.ref, "Pendaftaran ditutup 30 November.").external_id


def test_a_wrong_token_is_an_auth_error_not_a_retry_and_never_shows_the_token(x):
    with pytest.raises(AuthError) as error:
        client_for(x, token="token-rahasia-salah").list_new_comments(None)
    assert not error.value.transient and "401" in error.value.detail
    assert "token-rahasia-salah" not in str(error.value)
    assert error.value.reason.startswith("Akses ke kanal ditolak")


def test_an_app_only_token_cannot_reply_and_that_is_an_auth_error(x):
    client = client_for(x, token=X_APP_ONLY_TOKEN)
    target = mention_by(client.list_new_comments(None), "rinawulandari_")
    with pytest.raises(AuthError) as error:
        client.reply(target.ref, "Halo")
    assert not error.value.transient and "unsupported-authentication" in error.value.detail


def test_a_conversation_closed_to_us_rejects_the_reply_for_good(x):
    site = x.site
    root = site.add_tweet("warga_lain", "Diskusi pupuk organik, hanya yang saya sebut.",
                          reply_settings="mentionedUsers")
    reply = site.add_comment("@warga_lain sebaiknya tanya @bbppketindan", author="agus_tani_mlg", reply_to=root)
    with pytest.raises(Rejected) as error:
        client_for(x).reply(CommentRef(external_id=reply, thread_id=root, parent_external_id=root), "Silakan DM kami.")
    assert not error.value.transient and "not allowed" in error.value.detail
    assert error.value.reason == "Kanal menolak isi atau permintaan"


def test_a_reply_to_a_deleted_tweet_is_not_found(x):
    gone = x.site.add_comment("Halo min", author="warga_hapus")
    x.site.delete_tweet(gone)
    with pytest.raises(NotFound) as error:
        client_for(x).reply(CommentRef(external_id=gone, thread_id=gone), "Halo")
    assert not error.value.transient


def test_reply_length_matches_what_the_platform_accepts_at_the_limit(x):
    client = client_for(x)
    target = mention_by(client.list_new_comments(None), "dewi_penyuluh")
    exact = ("Mohon maaf atas ketidaknyamanannya 🙏🏽. Info: https://bbppketindan.bppsdmp.pertanian.go.id/asrama "
             "— 農業 ")
    exact += "a" * (XClient.reply_limit - XClient.reply_length(exact))
    assert XClient.reply_length(exact) == XClient.reply_limit == 280 and len(exact) > 280
    with pytest.raises(Rejected) as error:
        client.reply(target.ref, exact + "!")
    assert not error.value.transient and "too long" in error.value.detail
    assert client.reply(target.ref, exact).external_id


# -- hiding ------------------------------------------------------------------------------------------------


def test_hiding_spam_under_our_post_takes_it_off_the_public_page(x):
    client = client_for(x)
    spam = next(c for c in client.list_new_comments(None).comments if "slot gacor" in c.text)
    client.hide(spam.ref)
    assert next(c for c in x.site.comments if c["id"] == spam.ref.external_id)["hidden"] is True
    page = requests.get(f"{x.base_url}/", timeout=5).text
    assert "Balasan disembunyikan" in page


def test_a_standalone_mention_cannot_be_hidden_and_that_is_rejected(x):
    client = client_for(x)
    mention = mention_by(client.list_new_comments(None), "budikopi_dampit")
    with pytest.raises(Rejected) as error:
        client.hide(mention.ref)
    assert not error.value.transient and "403" in error.value.detail
