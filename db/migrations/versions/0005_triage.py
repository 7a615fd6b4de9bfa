"""Triage and draft basis: why a comment got its category, and what a machine draft stands on.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('triage', sa.JSON(), nullable=True))
    with op.batch_alter_table('reply_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('basis', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reply_version', schema=None) as batch_op:
        batch_op.drop_column('basis')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('triage')
