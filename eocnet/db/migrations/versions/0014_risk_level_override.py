"""risk assessments: the assessors' override of the matrix cell, with its justification;
the risk question, and the risk at the national and global levels

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01 21:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("matrix_risk_level", sa.String(length=12), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "risk_level_override", sa.String(length=12), server_default="", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("override_justification", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("risk_question", sa.Text(), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("levels", sa.JSON(), server_default="{}", nullable=False))
    # every assessment so far took the matrix cell as its overall risk
    op.execute("UPDATE risk_assessment SET matrix_risk_level = risk_level")


def downgrade() -> None:
    with op.batch_alter_table("risk_assessment", schema=None) as batch_op:
        batch_op.drop_column("levels")
        batch_op.drop_column("risk_question")
        batch_op.drop_column("override_justification")
        batch_op.drop_column("risk_level_override")
        batch_op.drop_column("matrix_risk_level")
