"""Alembic environment: the engine comes from `db.session` (settings), never from an ini file."""

from alembic import context

from db.models import Base
from db.session import get_engine

engine = context.config.attributes.get("engine") or get_engine()

with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
