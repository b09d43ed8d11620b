"""accounts: a keyed hash chain over the audit log (seal, sealed_after, the chain's head)

Revision ID: accounts_0007
Revises: accounts_0006
Create Date: 2026-12-08 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts_0007"
down_revision: str | Sequence[str] | None = "accounts_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("seal", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("sealed_after", sa.Integer(), nullable=True))
    op.create_table(
        "accounts_audit_seal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_audit_seal")),
    )


def downgrade() -> None:
    op.drop_table("accounts_audit_seal")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("sealed_after")
        batch.drop_column("seal")
