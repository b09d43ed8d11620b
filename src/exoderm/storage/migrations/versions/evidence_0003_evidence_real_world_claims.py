"""evidence real-world claims from clinics' outcomes

Revision ID: evidence_0003
Revises: evidence_0002
Create Date: 2026-12-06 22:46:01.227752
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0003"
down_revision: str | Sequence[str] | None = "evidence_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_rwe_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("exposure", sa.String(length=200), nullable=False),
        sa.Column("route", sa.String(length=30), nullable=False),
        sa.Column("concern", sa.String(length=200), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("organisations", sa.Integer(), nullable=False),
        sa.Column("mean_improvement", sa.Float(), nullable=False),
        sa.Column("ci_low", sa.Float(), nullable=False),
        sa.Column("ci_high", sa.Float(), nullable=False),
        sa.Column("sd", sa.Float(), nullable=False),
        sa.Column("responder_definition", sa.String(length=60), nullable=True),
        sa.Column("responders", sa.Integer(), nullable=True),
        sa.Column("responder_low", sa.Float(), nullable=True),
        sa.Column("responder_high", sa.Float(), nullable=True),
        sa.Column("follow_up_months", sa.Float(), nullable=False),
        sa.Column("min_cell", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("built_by", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_rwe_claim")),
    )
    with op.batch_alter_table("evidence_rwe_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_rwe_claim_concern"), ["concern"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_evidence_rwe_claim_exposure"), ["exposure"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_rwe_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_rwe_claim_exposure"))
        batch_op.drop_index(batch_op.f("ix_evidence_rwe_claim_concern"))

    op.drop_table("evidence_rwe_claim")
