"""tracing: each person's disease and follow-up end (retention counts from it), and
the daily follow-up status of each person

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import eocnet.db.types

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
    op.create_table(
        "follow_up_visit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "person_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "notice_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("recorded_by", sa.BigInteger(), nullable=False),
        sa.Column("recorded_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["tracing_notice.id"],
            name=op.f("fk_follow_up_visit_notice_id_tracing_notice"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["traced_person.id"],
            name=op.f("fk_follow_up_visit_person_id_traced_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_visit")),
        sa.UniqueConstraint("person_id", "day", name="uq_follow_up_visit_person_day"),
    )
    with op.batch_alter_table("follow_up_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_follow_up_visit_notice_id"), ["notice_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("follow_up_visit")
    with op.batch_alter_table("traced_person", schema=None) as batch_op:
        batch_op.drop_index("ix_traced_person_follow_up")
        batch_op.drop_column("follow_up_until")
        batch_op.drop_column("disease")
