"""event-based surveillance: signal sources, signals, verification requests

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 23:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import eocnet.db.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "signal_source",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("visibility", sa.String(length=12), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("parties_key", sa.String(length=400), nullable=False),
        sa.Column("owner_party", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(length=300), nullable=False),
        sa.Column("last_modified", sa.String(length=100), nullable=False),
        sa.Column("health", sa.String(length=12), nullable=False),
        sa.Column("error_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("malformed_count", sa.Integer(), nullable=False),
        sa.Column("items_count", sa.Integer(), nullable=False),
        sa.Column("last_polled_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.BigInteger(), nullable=False),
        sa.Column("created_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_party"], ["party.code"], name=op.f("fk_signal_source_owner_party_party")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal_source")),
        sa.UniqueConstraint("owner_party", "url", name=op.f("uq_signal_source_owner_party")),
    )
    with op.batch_alter_table("signal_source", schema=None) as batch_op:
        batch_op.create_index("ix_signal_source_next_poll", ["next_poll_at"], unique=False)

    op.create_table(
        "signal",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("url_key", sa.String(length=1000), nullable=False),
        sa.Column("title_key", sa.String(length=500), nullable=False),
        sa.Column("published_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("language", sa.String(length=35), nullable=False),
        sa.Column("hazards", sa.JSON(), nullable=False),
        sa.Column("countries", sa.JSON(), nullable=False),
        sa.Column("countries_key", sa.String(length=400), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("reliability", sa.String(length=1), nullable=False),
        sa.Column("credibility", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("event_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("rumour_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.Column("also_seen", sa.JSON(), nullable=False),
        sa.Column("visibility", sa.String(length=12), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("parties_key", sa.String(length=400), nullable=False),
        sa.Column("owner_party", sa.String(length=8), nullable=False),
        sa.Column("reported_by", sa.BigInteger(), nullable=True),
        sa.Column("created_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_signal_event_id_event")),
        sa.ForeignKeyConstraint(["rumour_id"], ["rumour.id"], name=op.f("fk_signal_rumour_id_rumour")),
        sa.ForeignKeyConstraint(
            ["owner_party"], ["party.code"], name=op.f("fk_signal_owner_party_party")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["signal_source.id"],
            name=op.f("fk_signal_source_id_signal_source"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signal")),
    )
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.create_index("ix_signal_source_created", ["source_id", "created_at"], unique=False)
        batch_op.create_index("ix_signal_status_created", ["status", "created_at"], unique=False)
        batch_op.create_index("ix_signal_url_key", ["url_key"], unique=False)

    op.create_table(
        "verification_request",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "signal_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("requester_party", sa.String(length=8), nullable=False),
        sa.Column("requested_party", sa.String(length=8), nullable=False),
        sa.Column("requested_by", sa.BigInteger(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("created_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledge_by", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("respond_by", eocnet.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.BigInteger(), nullable=True),
        sa.Column("responded_at", eocnet.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("responded_by", sa.BigInteger(), nullable=True),
        sa.Column("response_status", sa.String(length=24), nullable=False),
        sa.Column("response_text", sa.Text(), nullable=False),
        sa.Column("reminder_stage", sa.Integer(), nullable=False),
        sa.Column("exercise", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_party"],
            ["party.code"],
            name=op.f("fk_verification_request_requested_party_party"),
        ),
        sa.ForeignKeyConstraint(
            ["requester_party"],
            ["party.code"],
            name=op.f("fk_verification_request_requester_party_party"),
        ),
        sa.ForeignKeyConstraint(
            ["signal_id"],
            ["signal.id"],
            name=op.f("fk_verification_request_signal_id_signal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_request")),
    )
    with op.batch_alter_table("verification_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_verification_request_requested", ["requested_party", "created_at"], unique=False
        )
        batch_op.create_index("ix_verification_request_signal", ["signal_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("verification_request", schema=None) as batch_op:
        batch_op.drop_index("ix_verification_request_signal")
        batch_op.drop_index("ix_verification_request_requested")

    op.drop_table("verification_request")
    with op.batch_alter_table("signal", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_url_key")
        batch_op.drop_index("ix_signal_status_created")
        batch_op.drop_index("ix_signal_source_created")

    op.drop_table("signal")
    with op.batch_alter_table("signal_source", schema=None) as batch_op:
        batch_op.drop_index("ix_signal_source_next_poll")

    op.drop_table("signal_source")
