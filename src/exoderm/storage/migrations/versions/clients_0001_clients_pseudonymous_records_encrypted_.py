"""clients: pseudonymous records, encrypted personal data, consents, assessments, regimens

Revision ID: clients_0001
Revises: core_0001
Create Date: 2026-11-27 07:43:22.654960
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "clients_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("clients",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clients_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("age_band", sa.String(length=10), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_clients_client_organisation_id_organisation"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients_client")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_clients_client_pseudonym")),
    )
    with op.batch_alter_table("clients_client", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clients_client_organisation_id"), ["organisation_id"], unique=False
        )

    op.create_table(
        "clients_assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("instrument", sa.String(length=40), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("band", sa.String(length=60), nullable=True),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients_client.id"],
            name=op.f("fk_clients_assessment_client_id_clients_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients_assessment")),
    )
    with op.batch_alter_table("clients_assessment", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clients_assessment_client_id"), ["client_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_clients_assessment_instrument"), ["instrument"], unique=False
        )

    op.create_table(
        "clients_consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("given", sa.Boolean(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients_client.id"],
            name=op.f("fk_clients_consent_client_id_clients_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients_consent")),
    )
    with op.batch_alter_table("clients_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clients_consent_client_id"), ["client_id"], unique=False
        )

    op.create_table(
        "clients_personal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients_client.id"],
            name=op.f("fk_clients_personal_client_id_clients_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients_personal")),
        sa.UniqueConstraint("client_id", name=op.f("uq_clients_personal_client_id")),
    )
    op.create_table(
        "clients_regimen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"],
            ["clients_client.id"],
            name=op.f("fk_clients_regimen_client_id_clients_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clients_regimen")),
    )
    with op.batch_alter_table("clients_regimen", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_clients_regimen_client_id"), ["client_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("clients_regimen", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_regimen_client_id"))

    op.drop_table("clients_regimen")
    op.drop_table("clients_personal")
    with op.batch_alter_table("clients_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_consent_client_id"))

    op.drop_table("clients_consent")
    with op.batch_alter_table("clients_assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_assessment_instrument"))
        batch_op.drop_index(batch_op.f("ix_clients_assessment_client_id"))

    op.drop_table("clients_assessment")
    with op.batch_alter_table("clients_client", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clients_client_organisation_id"))

    op.drop_table("clients_client")
