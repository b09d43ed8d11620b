"""accounts: FIDO2/WebAuthn security keys and their pending challenges

Revision ID: accounts_0005
Revises: accounts_0004
Create Date: 2026-12-07 18:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "accounts_0005"
down_revision: str | Sequence[str] | None = "accounts_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accounts_security_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_accounts_security_key_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_security_key")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_accounts_security_key_credential_id")),
    )
    op.create_index(op.f("ix_accounts_security_key_user_id"), "accounts_security_key", ["user_id"])
    op.create_table(
        "accounts_security_key_challenge",
        sa.Column("ticket", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=12), nullable=False),
        sa.Column("challenge", sa.String(length=200), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_accounts_security_key_challenge_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket", name=op.f("pk_accounts_security_key_challenge")),
    )
    op.create_index(
        op.f("ix_accounts_security_key_challenge_user_id"),
        "accounts_security_key_challenge",
        ["user_id"],
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_accounts_security_key_challenge_user_id"),
        table_name="accounts_security_key_challenge",
    )
    op.drop_table("accounts_security_key_challenge")
    op.drop_index(op.f("ix_accounts_security_key_user_id"), table_name="accounts_security_key")
    op.drop_table("accounts_security_key")
