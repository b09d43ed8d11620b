"""qc: a lot number is unique per organisation, not across all of them

Revision ID: qc_0002
Revises: qc_0001
Create Date: 2026-12-07 06:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "qc_0002"
down_revision: str | Sequence[str] | None = "qc_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("qc_batch", schema=None) as batch_op:
        batch_op.drop_constraint("uq_qc_batch_lot", type_="unique")
    op.create_index(
        "uq_qc_batch_organisation_lot",
        "qc_batch",
        [sa.text("coalesce(organisation_id, 0)"), "lot"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_qc_batch_organisation_lot", table_name="qc_batch")
    with op.batch_alter_table("qc_batch", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_qc_batch_lot", ["lot"])
