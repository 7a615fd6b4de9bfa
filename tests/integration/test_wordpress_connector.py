"""The WordPress connector against the simulator over real HTTP."""

from datetime import datetime, timedelta, timezone

import pytest

from tanggap.settings import ChannelConfig
from tasks.channels.base import AuthError, CommentRef, Duplicate, Rejected, Unavailable
from tasks.channels.wordpress import WordPressClient
from tests.harness import WORDPRESS_PASSWORD

OFFICIAL_USER_ID = 2


def client_for(server, *, pretty: bool = True, password: str = WORDPRESS_PASSWORD, timeout: float = 5.0):
    config = ChannelConfig(key="website", kind="wordpress", name="Website", base_url=server.base_url,
                           account="humas-bbpp", secret="unused", options={"pretty_permalinks": pretty})
    return WordPressClient(config, password, timeout=timeout)


@pytest.mark.parametrize("pretty", [True, False], ids=["wp-json", "rest_route"])
def test_first_listing_reads_every_unanswered_visitor_comment_but_never_our_own(wordpress, pretty):
    from simulator.seed import SEED_AWAITING_ANSWER

    listing = client_for(wordpress, pretty=pretty).list_new_comments(None)
    assert len(listing.comments) == SEED_AWAITING_ANSWER
    assert all(c.author_external_id != str(OFFICIAL_USER_ID) for c in listing.comments)
    assert listing.cursor["after_local"]
    assert not listing.problems and not listing.unreadable


def test_listing_follows_pages_and_overlap_is_left_to_the_database(wordpress):
    site = wordpress.site
    post = site.comments[0]["post"]
    client = client_for(wordpress)
    first = client.list_new_comments(None)
    start = datetime.now(timezone.utc) - timedelta(minutes=2)
    for n in range(230):
        site.add_comment(post, author_name=f"Peserta {n}", content=f"Komentar nomor {n}",
                         date=start + timedelta(seconds=n // 3))
    second = client.list_new_comments(first.cursor)
    numbers = {c.text for c in second.comments if c.text.startswith("Komentar nomor")}
    assert len(numbers) == 230  # three pages of 100
    # The overlap window may bring back recent ones; ids stay unique within a listing.
    ids = [c.ref.external_id for c in second.comments]
    assert len(ids) == len(set(ids))
    third = client.list_new_comments(second.cursor)
    assert {c.ref.external_id for c in third.comments} <= set(ids)


def test_html_and_entities_become_plain_text(wordpress):
    site = wordpress.site
    cid = site.add_comment(site.comments[0]["post"], author_name="Tes &amp; Uji",
                           content="Apakah \"gratis\"?\nBaris dua & tiga")
    listing = client_for(wordpress).list_new_comments(None)
    comment = next(c for c in listing.comments if c.ref.external_id == str(cid))
    assert comment.text == "Apakah “gratis”?\nBaris dua & tiga"
    assert comment.raw["content"]["rendered"].startswith("<p>")


def test_reply_goes_to_the_parents_post_and_is_found_again(wordpress):
    client = client_for(wordpress)
    target = client.list_new_comments(None).comments[0]
    reply = client.reply(target.ref, "Terima kasih, <b>jadwal</b> menyusul.")
    assert [r.external_id for r in client.our_replies(target.ref)] == [reply.external_id]
    stored = next(c for c in wordpress.site.comments if str(c["id"]) == reply.external_id)
    assert str(stored["post"]) == target.ref.thread_id and str(stored["parent"]) == target.ref.external_id
    assert stored["user_id"] == OFFICIAL_USER_ID


def test_posting_the_same_reply_twice_is_refused_and_the_first_is_found(wordpress):
    client = client_for(wordpress)
    target = client.list_new_comments(None).comments[0]
    first = client.reply(target.ref, "Jawaban yang sama")
    with pytest.raises(Duplicate):  # the site answers 409 comment_duplicate
        client.reply(target.ref, "Jawaban yang sama")
    assert [r.external_id for r in client.our_replies(target.ref)] == [first.external_id]
    assert len([c for c in wordpress.site.comments if c["user_id"] == OFFICIAL_USER_ID
                and str(c["parent"]) == target.ref.external_id]) == 1


def test_a_wrong_password_is_an_auth_error_not_a_retry(wordpress):
    with pytest.raises(AuthError) as error:
        client_for(wordpress, password="salah").list_new_comments(None)
    assert not error.value.transient


def test_a_reply_to_a_missing_post_is_rejected(wordpress):
    with pytest.raises(Rejected):
        client_for(wordpress).reply(CommentRef(external_id="1", thread_id="99999"), "Halo")


@pytest.mark.parametrize("mode", ["http500", "http429", "garbage", "timeout"])
def test_platform_faults_are_transient_errors(wordpress, mode):
    client = client_for(wordpress, timeout=1.0)
    client.my_user_id()
    wordpress.site.timeout_seconds = 2
    wordpress.site.fault(mode, times=1)
    with pytest.raises(Unavailable if mode != "http429" else Exception) as error:
        client.list_new_comments(None)
    assert error.value.transient
    assert len(client.list_new_comments(None).comments) > 0  # the next try goes through


def test_hiding_a_comment_takes_it_off_the_public_listing(wordpress):
    client = client_for(wordpress)
    target = client.list_new_comments(None).comments[0]
    client.hide(target.ref)
    again = client.list_new_comments(None)
    assert target.ref.external_id not in {c.ref.external_id for c in again.comments}
    stored = next(c for c in wordpress.site.comments if str(c["id"]) == target.ref.external_id)
    assert stored["status"] == "hold"
