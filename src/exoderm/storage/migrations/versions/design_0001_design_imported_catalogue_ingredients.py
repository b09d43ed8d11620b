"""design: imported catalogue ingredients

Revision ID: design_0001
Revises: core_0001
Create Date: 2026-11-27 07:48:31.424123
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "design_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("design",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "design_ingredient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_design_ingredient")),
        sa.UniqueConstraint("key", name=op.f("uq_design_ingredient_key")),
    )


def downgrade() -> None:
    op.drop_table("design_ingredient")
