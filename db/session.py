"""Engine and session setup. The caller owns the transaction: `with session_scope() as s:`."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session

from tanggap.settings import get_settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def get_engine(url: str | None = None) -> Engine:
    """The engine for `url`, or for the configured database; one per URL per process."""
    return _engine_for(url or get_settings().database_url)


@lru_cache(maxsize=None)
def _engine_for(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Several flow-run processes write at once: WAL lets readers go on meanwhile.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: commits on success, rolls back on error."""
    with Session(get_engine(url), expire_on_commit=False) as session, session.begin():
        yield session


def lock_for_writing(session: Session) -> None:
    """Make what this transaction reads next hold until it commits, as SELECT ... FOR UPDATE does.

    PostgreSQL takes row locks from the query's FOR UPDATE. SQLite has no row locks: the
    transaction takes the database's write lock now (BEGIN IMMEDIATE), waiting for the busy
    timeout if another writer has it, so no other process changes what it is about to read.
    Call it first in the transaction.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite" and not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(url: str | None = None) -> None:
    """Bring the schema to the newest Alembic revision (the only way the schema changes)."""
    from alembic import command  # imported here: flow runs never migrate, and Alembic costs ~0.2 s
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = get_engine(url)
    command.upgrade(config, "head")
