"""qc: batches, particle measurements, signed certificates

Revision ID: qc_0001
Revises: core_0001
Create Date: 2026-11-27 07:36:35.317834
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "qc_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("qc",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "qc_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("lot", sa.String(length=100), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_qc_batch_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_batch")),
        sa.UniqueConstraint("lot", name=op.f("uq_qc_batch_lot")),
    )
    with op.batch_alter_table("qc_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qc_batch_product"), ["product"], unique=False)

    op.create_table(
        "qc_certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("spec_id", sa.String(length=100), nullable=False),
        sa.Column("spec_version", sa.String(length=20), nullable=False),
        sa.Column("signed_by", sa.String(length=100), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["qc_batch.id"],
            name=op.f("fk_qc_certificate_batch_id_qc_batch"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_certificate")),
        sa.UniqueConstraint("batch_id", "version", name=op.f("uq_qc_certificate_batch_id")),
    )
    with op.batch_alter_table("qc_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qc_certificate_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "qc_measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("instrument", sa.String(length=200), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=True),
        sa.Column("source_sha256", sa.String(length=64), nullable=True),
        sa.Column("concentration_per_ml", sa.Float(), nullable=True),
        sa.Column("stock_concentration_per_ml", sa.Float(), nullable=True),
        sa.Column("mean_nm", sa.Float(), nullable=True),
        sa.Column("mode_nm", sa.Float(), nullable=True),
        sa.Column("d50_nm", sa.Float(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["qc_batch.id"],
            name=op.f("fk_qc_measurement_batch_id_qc_batch"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qc_measurement")),
    )
    with op.batch_alter_table("qc_measurement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qc_measurement_batch_id"), ["batch_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("qc_measurement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qc_measurement_batch_id"))

    op.drop_table("qc_measurement")
    with op.batch_alter_table("qc_certificate", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qc_certificate_batch_id"))

    op.drop_table("qc_certificate")
    with op.batch_alter_table("qc_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qc_batch_product"))

    op.drop_table("qc_batch")
