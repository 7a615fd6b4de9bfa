"""Storing a listing: one statement for all new comments, and no loss when a concurrent check
stored some of them first."""

from datetime import datetime, timezone

from sqlalchemy import func, select

from db.models import Channel, Comment, Event
from db.session import session_scope
from tasks.inventory import _insert_new


def row(channel_id: int, external_id: str) -> dict:
    return dict(channel_id=channel_id, external_id=external_id, thread_id="1", parent_external_id=None,
                author_name="Peserta", author_external_id=None, text=f"Komentar {external_id}", link=None,
                posted_at=datetime(2026, 11, 30, tzinfo=timezone.utc), raw_payload={"id": external_id},
                check_run_id=None, category="umum")


def test_a_listing_whose_comment_a_concurrent_check_stored_first_keeps_all_the_others_once(tanggap_env):
    with session_scope() as session:
        channel = Channel(key="website", kind="wordpress", name="Website")
        session.add(channel)
        session.flush()
        channel_id = channel.id
    with session_scope() as session:  # the concurrent check, committed between our look-up and our insert
        _insert_new(session, [row(channel_id, "2")])

    with session_scope() as session:
        new_ids = _insert_new(session, [row(channel_id, str(n)) for n in (1, 2, 3)])
    assert len(new_ids) == 2

    with session_scope() as session:
        stored = session.execute(select(Comment.id, Comment.external_id).order_by(Comment.external_id)).all()
        assert [external for _, external in stored] == ["1", "2", "3"]
        assert {case for case, external in stored if external != "2"} == set(new_ids)
        assert session.scalar(select(func.count()).select_from(Event)) == 0  # events are the caller's


def test_a_check_stores_every_new_comment_with_its_two_events(tanggap_env):
    from tanggap.settings import get_settings
    from tasks.inventory import fetch_new_comments, open_check_run, store_comments

    config = get_settings().channels()[0]
    check_id = open_check_run.fn()
    new = store_comments.fn(check_id, config, fetch_new_comments.fn(config))
    with session_scope() as session:
        cases = session.scalars(select(Comment.id)).all()
        events = session.execute(select(Event.comment_id, Event.step, Event.phase)
                                 .where(Event.comment_id.is_not(None))).all()
    assert new == len(cases) > 0
    assert sorted(events) == sorted([(case, "check", phase) for case in cases for phase in ("start", "end")])
