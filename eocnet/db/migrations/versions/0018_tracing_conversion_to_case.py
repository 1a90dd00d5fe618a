"""tracing: a followed contact who became a case (since when, its classification), and
the notice that lists a case's own contacts linked to that person (chains of
transmission)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("traced_person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("case_since", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "case_classification", sa.String(length=12), server_default="", nullable=False
            )
        )
    with op.batch_alter_table("tracing_notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source_person_id", sa.BigInteger(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_tracing_notice_source_person_id"), ["source_person_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tracing_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracing_notice_source_person_id"))
        batch_op.drop_column("source_person_id")
    with op.batch_alter_table("traced_person", schema=None) as batch_op:
        batch_op.drop_column("case_classification")
        batch_op.drop_column("case_since")
