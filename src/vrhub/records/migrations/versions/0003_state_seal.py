"""Audit head: state_seal, the seal over the governed tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 13:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.add_column(sa.Column("state_seal", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_head") as batch:
        batch.drop_column("state_seal")
