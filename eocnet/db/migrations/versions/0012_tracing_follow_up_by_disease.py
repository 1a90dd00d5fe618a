"""tracing: each person's disease and follow-up end (retention counts from it)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("traced_person", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("disease", sa.String(length=40), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("follow_up_until", sa.Date(), nullable=True))
        batch_op.create_index("ix_traced_person_follow_up", ["follow_up_until"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("traced_person", schema=None) as batch_op:
        batch_op.drop_index("ix_traced_person_follow_up")
        batch_op.drop_column("follow_up_until")
        batch_op.drop_column("disease")
