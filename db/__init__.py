"""Database layer: models, engine/session setup and Alembic migrations."""
