"""qc: PostgreSQL row-level security on batches, measurements and certificates

A batch is admitted when the transaction's ``exoderm.organisation`` setting names its
organisation or is ``*``, and batches entered without an organisation are admitted to
everyone (as :func:`exoderm.qc.repository.visible_to` rules); measurements and
certificates follow their batch. The policies are forced for the tables' owner, so only a
superuser or a BYPASSRLS role passes them; exoderm connects as an ordinary role
(PostgreSQL 15 manual §5.8). Nothing changes on SQLite.

Revision ID: qc_0003
Revises: qc_0002
Create Date: 2026-12-07 06:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "qc_0003"
down_revision: str | Sequence[str] | None = "qc_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SETTING = "current_setting('exoderm.organisation', true)"
BATCH = (
    f"(coalesce({SETTING}, '') = '*' OR organisation_id IS NULL "
    f"OR organisation_id::text = {SETTING})"
)
OF_A_VISIBLE_BATCH = "(batch_id IN (SELECT id FROM qc_batch))"

POLICIES = {
    "qc_batch": BATCH,
    "qc_measurement": OF_A_VISIBLE_BATCH,
    "qc_certificate": OF_A_VISIBLE_BATCH,
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, condition in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(
            f"CREATE POLICY organisation_fence ON {table} USING {condition} WITH CHECK {condition}"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS organisation_fence ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
