"""The case steps in order, on a real database and the simulator, without the orchestrator."""

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select

from db.models import CaseStatus, Comment, Event
from db.session import session_scope
from tanggap.settings import get_settings
from tasks.archiving import archive_case
from tasks.records.archive_store import resolve
from tasks.channels.base import Unavailable
from tasks.drafting import draft_reply
from tasks.inventory import fetch_new_comments, open_check_run, store_comments
from tasks.publishing import confirm_reply, publish_reply
from tasks.review import prepare_form, record_correction

APPROVE = {"action": "setujui", "reply_text": "Pendaftaran dibuka 1 Desember.", "note": "",
           "approver_name": "Kepala Bagian Umum (uji)", "answer_ref": "uji:koreksi-1"}


def inventory_once() -> list[int]:
    check_id = open_check_run.fn()
    config = get_settings().channels()[0]
    store_comments.fn(check_id, config, fetch_new_comments.fn(config))
    with session_scope() as session:
        return list(session.scalars(select(Comment.id).order_by(Comment.id)))


def approved_case() -> int:
    case_id = inventory_once()[0]
    draft_reply.fn(case_id)
    prepare_form.fn(case_id, "correction")
    record_correction.fn(case_id, APPROVE)
    return case_id


def our_replies(site) -> list[dict]:
    return [c for c in site.comments if c["user_id"] == 2 and c["content"] == APPROVE["reply_text"]]


def test_storing_the_same_listing_twice_keeps_one_row_per_comment(tanggap_env):
    first = inventory_once()
    assert inventory_once() == first


def test_a_post_that_landed_but_was_answered_with_500_is_not_posted_again(tanggap_env, wordpress):
    case_id = approved_case()
    wordpress.site.fault("post_then_500", times=1)
    with pytest.raises(Unavailable):
        publish_reply.fn(case_id)
    publish_reply.fn(case_id)  # what Prefect's retry does
    assert len(our_replies(wordpress.site)) == 1
    with session_scope() as session:
        case = session.get(Comment, case_id)
        assert case.status == CaseStatus.PUBLISHED and case.publication.attempts == 2
        errors = session.scalars(select(Event).where(Event.comment_id == case_id, Event.phase == "error")).all()
        assert [e.step for e in errors] == ["publish"] and "HTTP 500" in errors[0].detail


def test_publishing_again_after_success_does_nothing(tanggap_env, wordpress):
    case_id = approved_case()
    first = publish_reply.fn(case_id)
    assert publish_reply.fn(case_id) == first
    assert len(our_replies(wordpress.site)) == 1


def test_a_confirmed_case_is_archived_with_matching_hashes(tanggap_env, wordpress):
    case_id = approved_case()
    publish_reply.fn(case_id)
    confirm_reply.fn(case_id)
    assert archive_case.fn(case_id) == "archived"
    assert archive_case.fn(case_id) == "archived"  # a replay changes nothing
    with session_scope() as session:
        archives = session.get(Comment, case_id).archives
        assert {a.kind for a in archives} == {"softfile", "hardfile"}
        for archive in archives:
            assert not Path(archive.path).is_absolute()  # the archive folder may move
            assert hashlib.sha256(resolve(archive.path).read_bytes()).hexdigest() == archive.sha256
            assert resolve(archive.path).is_relative_to(get_settings().archive_dir)


def test_a_malformed_item_is_reported_and_the_rest_of_the_listing_is_kept(tanggap_env, wordpress):
    from simulator.seed import SEED_AWAITING_ANSWER

    from db.models import CheckRun

    # The connector's first GET asks who we are (users/me, not a list); the second is the listing.
    wordpress.site.fault("malformed_item", times=2, methods=("GET",))
    stored = inventory_once()
    with session_scope() as session:
        errors = session.scalars(select(CheckRun.errors)).one()
    assert len(stored) == SEED_AWAITING_ANSWER - 1  # only the broken one is missing
    assert "1 item tidak terbaca" in errors["website"]
    # The cursor did not move past it: once the platform answers properly, it is kept.
    assert len(inventory_once()) == SEED_AWAITING_ANSWER
