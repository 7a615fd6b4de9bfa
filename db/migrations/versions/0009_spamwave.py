"""Spam waves: all spam one check found is moderated as one decision in one run.

Revision ID: 0009_spamwave
Revises: 0008_inbox
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_spamwave'
down_revision = '0008_inbox'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'spam_wave',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('flow_run_id', sa.String(64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('restarts', sa.Integer(), nullable=False, server_default='0'),
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('spam_wave_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_comment_spam_wave', 'spam_wave', ['spam_wave_id'], ['id'])
        batch_op.create_index('ix_comment_spam_wave_id', ['spam_wave_id'])


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_index('ix_comment_spam_wave_id')
        batch_op.drop_constraint('fk_comment_spam_wave', type_='foreignkey')
        batch_op.drop_column('spam_wave_id')
    op.drop_table('spam_wave')
