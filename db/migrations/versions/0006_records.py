"""Records: the approver's NIP, removal of personal data, destroyed archive files, the
destruction records (berita acara pemusnahan).

Revision ID: 0006_records
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_records'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_nip', sa.String(length=32), nullable=True))
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_removed_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('archive_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('destroyed_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('purge_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('executed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('approver_name', sa.String(length=200), nullable=False),
    sa.Column('approver_nip', sa.String(length=32), nullable=True),
    sa.Column('approver_role', sa.String(length=100), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('document_path', sa.String(length=1000), nullable=True),
    sa.Column('document_sha256', sa.String(length=64), nullable=True),
    sa.Column('flow_run_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )


def downgrade() -> None:
    op.drop_table('purge_record')
    with op.batch_alter_table('archive_record', schema=None) as batch_op:
        batch_op.drop_column('destroyed_at')
    with op.batch_alter_table('comment', schema=None) as batch_op:
        batch_op.drop_column('personal_data_removed_at')
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('actor_nip')
