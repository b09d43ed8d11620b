"""evidence: curator-imported claims, references and nodes (the seed ships as data files)

Revision ID: evidence_0001
Revises: core_0001
Create Date: 2026-11-27 07:49:13.585743
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "evidence_0001"
down_revision: str | Sequence[str] | None = "core_0001"
branch_labels: str | Sequence[str] | None = ("evidence",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "evidence_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("claim_count", sa.Integer(), nullable=False),
        sa.Column("reference_count", sa.Integer(), nullable=False),
        sa.Column("node_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_import")),
    )
    op.create_table(
        "evidence_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_key", sa.String(length=200), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("predicate", sa.String(length=40), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("negated", sa.Boolean(), nullable=False),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("area", sa.String(length=200), nullable=True),
        sa.Column("evidence_level", sa.String(length=60), nullable=False),
        sa.Column("model_system", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("relevance", sa.Float(), nullable=False),
        sa.Column("effect_size", sa.String(length=300), nullable=False),
        sa.Column("reference_keys", sa.JSON(), nullable=False),
        sa.Column("contradicts", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["evidence_import.id"],
            name=op.f("fk_evidence_claim_import_id_evidence_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_claim")),
        sa.UniqueConstraint("claim_key", name=op.f("uq_evidence_claim_claim_key")),
    )
    with op.batch_alter_table("evidence_claim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evidence_claim_import_id"), ["import_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_evidence_claim_object"), ["object"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_claim_subject"), ["subject"], unique=False)

    op.create_table(
        "evidence_node",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("node_key", sa.String(length=200), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("synonyms", sa.JSON(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["evidence_import.id"],
            name=op.f("fk_evidence_node_import_id_evidence_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_node")),
        sa.UniqueConstraint("node_key", name=op.f("uq_evidence_node_node_key")),
    )
    with op.batch_alter_table("evidence_node", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_node_import_id"), ["import_id"], unique=False)

    op.create_table(
        "evidence_reference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref_key", sa.String(length=200), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("journal", sa.String(length=300), nullable=False),
        sa.Column("volume", sa.String(length=50), nullable=False),
        sa.Column("pages", sa.String(length=50), nullable=False),
        sa.Column("doi", sa.String(length=300), nullable=True),
        sa.Column("study_type", sa.String(length=100), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["evidence_import.id"],
            name=op.f("fk_evidence_reference_import_id_evidence_import"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_reference")),
        sa.UniqueConstraint("ref_key", name=op.f("uq_evidence_reference_ref_key")),
    )
    with op.batch_alter_table("evidence_reference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_reference_doi"), ["doi"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_evidence_reference_import_id"), ["import_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("evidence_reference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_reference_import_id"))
        batch_op.drop_index(batch_op.f("ix_evidence_reference_doi"))

    op.drop_table("evidence_reference")
    with op.batch_alter_table("evidence_node", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_node_import_id"))

    op.drop_table("evidence_node")
    with op.batch_alter_table("evidence_claim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_claim_subject"))
        batch_op.drop_index(batch_op.f("ix_evidence_claim_object"))
        batch_op.drop_index(batch_op.f("ix_evidence_claim_import_id"))

    op.drop_table("evidence_claim")
    op.drop_table("evidence_import")
