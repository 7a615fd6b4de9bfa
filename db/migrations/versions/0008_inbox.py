"""The SOP clock: when a case entered its status, and when that step was found overdue.

Revision ID: 0008_inbox
Revises: 0007_perf
"""
from alembic import op
import sqlalchemy as sa



revision = '0008_inbox'
down_revision = '0007_perf'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True))
    # Cases already waiting get their clock from when they were found.
    op.execute("UPDATE comment SET status_since = found_at")


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('overdue_at')
        batch_op.drop_column('status_since')
