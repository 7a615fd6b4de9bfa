"""Indexes for millions of stored comments: approval queue, inventory, open and troubled
cases (measured in benchmarks/queries.py; "our own replies" use uq_publication_channel_reply).

Revision ID: 0007_perf
Revises: 0006_records
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_perf'
down_revision = '0006_records'
branch_labels = None
depends_on = None

OPEN = sa.text("status <> 'archived'")
TROUBLED = sa.text("last_error IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.create_index('ix_comment_status_found_at', ['status', 'found_at'], unique=False)
        batch_op.create_index('ix_comment_check_run_id', ['check_run_id'], unique=False)
        batch_op.create_index('ix_comment_open', ['status'], unique=False, postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('ix_comment_troubled', ['id'], unique=False, postgresql_where=TROUBLED,
                              sqlite_where=TROUBLED)


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_troubled')
        batch_op.drop_index('ix_comment_open')
        batch_op.drop_index('ix_comment_check_run_id')
        batch_op.drop_index('ix_comment_status_found_at')
