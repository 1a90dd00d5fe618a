"""web push: VAPID keys, subscriptions, delivery log

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import eocnet.db.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = eocnet.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "push_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("vapid_private_sealed", sa.Text(), nullable=False),
        sa.Column("vapid_public_key", sa.String(length=120), nullable=False),
        sa.Column("last_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_state")),
    )
    op.create_table(
        "push_subscription",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("user_id", BIG_ID, nullable=False),
        sa.Column("endpoint", sa.String(length=2000), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("user_agent", sa.String(length=300), nullable=False),
        sa.Column("first_entry_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("last_success_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_push_subscription_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_subscription")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_push_subscription_endpoint")),
    )
    with op.batch_alter_table("push_subscription", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_push_subscription_user_id"), ["user_id"], unique=False
        )
    op.create_table(
        "push_delivery",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", BIG_ID, nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("entry_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["push_subscription.id"],
            name=op.f("fk_push_delivery_subscription_id_push_subscription"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_push_delivery")),
    )
    with op.batch_alter_table("push_delivery", schema=None) as batch_op:
        batch_op.create_index("ix_push_delivery_due", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_push_delivery_user", ["user_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_table("push_delivery")
    op.drop_table("push_subscription")
    op.drop_table("push_state")
