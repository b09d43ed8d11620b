"""accounts: stored answers of creating requests sent with an Idempotency-Key

Revision ID: accounts_0003
Revises: accounts_0002
Create Date: 2026-12-07 07:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts_0003"
down_revision: str | Sequence[str] | None = "accounts_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts_idempotency",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("media_type", sa.String(length=200), nullable=True),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_accounts_idempotency")),
    )
    with op.batch_alter_table("accounts_idempotency", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accounts_idempotency_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("accounts_idempotency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_idempotency_created_at"))
    op.drop_table("accounts_idempotency")
