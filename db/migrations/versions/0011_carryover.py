"""The runs a case had before its current one: a restarted run takes the answers they received.

Revision ID: 0011_carryover
Revises: 0010_wave_deadlines
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_carryover'
down_revision = '0010_wave_deadlines'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('earlier_flow_run_ids', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('earlier_flow_run_ids')
