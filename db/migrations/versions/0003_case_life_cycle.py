"""Case life cycle: needs-attention state, sending lease, refused answers, unreadable items,
hide capability, the reply as it stands on the channel, one reply per case.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

STATUSES = ('new', 'drafted', 'awaiting_correction', 'awaiting_decision', 'approved', 'closed', 'published',
            'confirmed', 'archived', 'needs_attention')


def upgrade() -> None:
    op.create_table('unreadable_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=128), nullable=True),
    sa.Column('thread_id', sa.String(length=128), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('excerpt', sa.Text(), nullable=False),
    sa.Column('check_run_id', sa.Integer(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_tried_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], ),
    sa.ForeignKeyConstraint(['check_run_id'], ['check_run.id'], ),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel_id', 'external_id', name='uq_unreadable_channel_external')
    )
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('can_hide', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('restarts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('correction_round', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('hide_requested', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('hide_result', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attention_step', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('resume_status', sa.Enum(*STATUSES, name='casestatus', native_enum=False,
                                                               length=32), nullable=True))
        batch_op.add_column(sa.Column('attention_count', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answer_ref', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('refused', sa.Boolean(), nullable=False, server_default=sa.false()))

    # Cases closed as spam before this revision asked for hiding through their decision.
    op.execute("UPDATE comment SET hide_requested = (EXISTS (SELECT 1 FROM decision d "
               "WHERE d.comment_id = comment.id AND d.action = 'sembunyikan'))")

    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('channel_text', sa.Text(), nullable=True))
    op.execute("UPDATE publication SET channel_id = "
               "(SELECT c.channel_id FROM comment c WHERE c.id = publication.comment_id)")
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.alter_column('channel_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint('uq_publication_channel_reply', ['channel_id', 'external_reply_id'])
        batch_op.create_foreign_key('fk_publication_channel', 'channel', ['channel_id'], ['id'])

    # The server defaults only filled existing rows; the models set every value themselves.
    with op.batch_alter_table('comment', schema=None) as batch_op:
        for column in ('can_hide', 'restarts', 'correction_round', 'hide_requested', 'attention_count'):
            batch_op.alter_column(column, server_default=None)
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.alter_column('refused', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_constraint('fk_publication_channel', type_='foreignkey')
        batch_op.drop_constraint('uq_publication_channel_reply', type_='unique')
        batch_op.drop_column('channel_text')
        batch_op.drop_column('channel_id')

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('refused')
        batch_op.drop_column('answer_ref')

    with op.batch_alter_table('comment', schema=None) as batch_op:
        for column in ('attention_count', 'resume_status', 'attention_step', 'claimed_until', 'claimed_by',
                       'hide_result', 'hide_requested', 'correction_round', 'restarts', 'can_hide'):
            batch_op.drop_column(column)

    op.drop_table('unreadable_item')
