"""The schema comes from Alembic and behaves the same on SQLite and PostgreSQL."""

from datetime import datetime, timezone

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import CaseStatus, Channel, Comment, Event
from db.session import get_engine, migrate, session_scope

TABLES = {"channel", "check_run", "comment", "reply_version", "decision", "publication", "archive_record", "event",
          "purge_record",
          "alembic_version"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'db.sqlite'}"
    return request.getfixturevalue("postgres_url")


def a_comment(channel: Channel, external_id: str = "412") -> Comment:
    return Comment(channel=channel, external_id=external_id, thread_id="87", author_name="Sari",
                   text="Kapan dibuka? 🌾", posted_at=datetime(2026, 3, 4, 9, 15, tzinfo=timezone.utc),
                   raw_payload={"id": 412, "content": {"rendered": "<p>Kapan dibuka? 🌾</p>"}})


def test_migration_creates_every_table_and_can_run_twice(database_url):
    migrate(database_url)
    migrate(database_url)
    assert TABLES <= set(inspect(get_engine(database_url)).get_table_names())


def test_a_comment_is_unique_per_channel_and_external_id(database_url):
    migrate(database_url)
    with session_scope(database_url) as session:
        channel = Channel(key="website", kind="wordpress", name="Website")
        session.add(a_comment(channel))
    with pytest.raises(IntegrityError):
        with session_scope(database_url) as session:
            channel = session.scalar(select(Channel))
            session.add(a_comment(channel))


def test_times_come_back_aware_utc_and_payload_and_status_round_trip(database_url):
    migrate(database_url)
    with session_scope(database_url) as session:
        session.add(a_comment(Channel(key="website", kind="wordpress", name="Website")))
    with session_scope(database_url) as session:
        comment = session.scalar(select(Comment))
        assert comment.posted_at == datetime(2026, 3, 4, 9, 15, tzinfo=timezone.utc)
        assert comment.raw_payload["content"]["rendered"] == "<p>Kapan dibuka? 🌾</p>"
        assert comment.status == CaseStatus.NEW and comment.text.endswith("🌾")


def test_the_event_log_refuses_changes(database_url):
    migrate(database_url)
    with session_scope(database_url) as session:
        session.add(Event(step="check", phase="start"))
    with Session(get_engine(database_url)) as session:
        event = session.scalar(select(Event))
        event.detail = "rewritten"
        with pytest.raises(ValueError, match="append-only"):
            session.flush()


def test_the_migrations_build_exactly_the_schema_the_models_describe(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.models import Base

    migrate(database_url)
    with get_engine(database_url).connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
