"""job schedule shared by every process

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 20:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import eocnet.db.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_schedule",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("next_run_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_result", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_schedule")),
    )


def downgrade() -> None:
    op.drop_table("job_schedule")
