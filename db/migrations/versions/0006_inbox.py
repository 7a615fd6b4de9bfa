"""The SOP clock and the approver's NIP: when a case entered its status, when that step was found
overdue, and the NIP declared with a decision.

Revision ID: 0006_inbox
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa



revision = '0006_inbox'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True))
    # Cases already waiting get their clock from when they were found.
    op.execute("UPDATE comment SET status_since = found_at")
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_nip', sa.String(length=18), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('actor_nip')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('overdue_at')
        batch_op.drop_column('status_since')
