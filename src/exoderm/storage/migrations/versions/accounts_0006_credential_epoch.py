"""accounts: the credential epoch, bumped by every change to users, tokens and factors

Revision ID: accounts_0006
Revises: accounts_0005
Create Date: 2026-12-08 02:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts_0006"
down_revision: str | Sequence[str] | None = "accounts_0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts_credential_epoch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_credential_epoch")),
    )


def downgrade() -> None:
    op.drop_table("accounts_credential_epoch")
