"""Comments held for moderation on their platform (WordPress "hold").

Revision ID: 0003_website_moderation
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_website_moderation'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_moderation', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('awaiting_moderation')
