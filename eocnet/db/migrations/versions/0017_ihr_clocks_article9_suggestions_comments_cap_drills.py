"""IHR: the 48-hour assessment clock (first assessment time), Annex 2 suggestions kept
apart from the party's own assessments, Article 9.2 records of WHO informed; comments
on risk assessments; CAP status and scope of advisories (drills)

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import eocnet.db.types

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = eocnet.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ihr_assessed_at", WHEN, nullable=True))
    with op.batch_alter_table("ihr_assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=12), server_default="assessment", nullable=False)
        )
        batch_op.add_column(
            sa.Column("party_code", sa.String(length=8), server_default="", nullable=False)
        )
    # the first assessment of every event assessed so far stops its 48-hour clock
    op.execute(
        "UPDATE event SET ihr_assessed_at = (SELECT min(a.assessed_at) FROM ihr_assessment a "
        "WHERE a.event_id = event.id)"
    )
    op.execute(
        "UPDATE ihr_assessment SET party_code = (SELECT e.owner_party FROM event e "
        "WHERE e.id = ihr_assessment.event_id)"
    )
    op.create_table(
        "ihr_article9_report",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("event_id", BIG_ID, nullable=False),
        sa.Column("party_code", sa.String(length=8), nullable=False),
        sa.Column("tracing_notice_id", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("informed_at", WHEN, nullable=False),
        sa.Column("informed_by", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_ihr_article9_report_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ihr_article9_report")),
        sa.UniqueConstraint("event_id", "party_code", name="uq_article9_event_party"),
    )
    op.create_table(
        "risk_assessment_comment",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("assessment_id", BIG_ID, nullable=False),
        sa.Column("party_code", sa.String(length=8), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["risk_assessment.id"],
            name=op.f("fk_risk_assessment_comment_assessment_id_risk_assessment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_assessment_comment")),
    )
    with op.batch_alter_table("risk_assessment_comment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_risk_assessment_comment_assessment_id"), ["assessment_id"], unique=False
        )
    with op.batch_alter_table("advisory", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("cap_status", sa.String(length=12), server_default="Actual", nullable=False)
        )
        batch_op.add_column(
            sa.Column("scope", sa.String(length=12), server_default="Public", nullable=False)
        )
        batch_op.add_column(
            sa.Column("restriction", sa.String(length=300), server_default="", nullable=False)
        )
    with op.batch_alter_table("advisory_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("public", sa.Boolean(), server_default=sa.text("(true)"), nullable=False)
        )
    with op.batch_alter_table("advisory_translation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("audience", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("area_descriptions", sa.JSON(), server_default="[]", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("advisory_message", schema=None) as batch_op:
        batch_op.drop_column("public")
    with op.batch_alter_table("advisory_translation", schema=None) as batch_op:
        batch_op.drop_column("area_descriptions")
        batch_op.drop_column("audience")
    with op.batch_alter_table("advisory", schema=None) as batch_op:
        batch_op.drop_column("restriction")
        batch_op.drop_column("scope")
        batch_op.drop_column("cap_status")
    with op.batch_alter_table("risk_assessment_comment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_risk_assessment_comment_assessment_id"))
    op.drop_table("risk_assessment_comment")
    op.drop_table("ihr_article9_report")
    with op.batch_alter_table("ihr_assessment", schema=None) as batch_op:
        batch_op.drop_column("party_code")
        batch_op.drop_column("kind")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("ihr_assessed_at")
