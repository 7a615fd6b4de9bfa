"""A spam wave past its moderation deadline is recorded once, like an overdue case step.

Revision ID: 0010_wave_deadlines
Revises: 0009_spamwave
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_wave_deadlines'
down_revision = '0009_spamwave'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('spam_wave', schema=None) as batch_op:
        batch_op.add_column(sa.Column('overdue_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('spam_wave', schema=None) as batch_op:
        batch_op.drop_column('overdue_at')
