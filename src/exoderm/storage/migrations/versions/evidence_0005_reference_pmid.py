"""evidence references carry a PubMed identifier

Revision ID: evidence_0005
Revises: evidence_0004
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0005"
down_revision: str | Sequence[str] | None = "evidence_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("evidence_reference", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pmid", sa.String(length=20), nullable=True))
        batch_op.create_index(batch_op.f("ix_evidence_reference_pmid"), ["pmid"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence_reference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_reference_pmid"))
        batch_op.drop_column("pmid")
