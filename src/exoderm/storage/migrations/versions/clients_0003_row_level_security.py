"""clients: PostgreSQL row-level security on every client table

A client row is admitted when the transaction's ``exoderm.organisation`` setting names
its organisation or is ``*``; a client's assessments, consents, regimens, links, photos,
treatments and personal data follow their client. The policies are forced for the
tables' owner, so only a superuser or a BYPASSRLS role passes them; exoderm connects as
an ordinary role (PostgreSQL 15 manual §5.8). Nothing changes on SQLite.

Revision ID: clients_0003
Revises: clients_0002
Create Date: 2026-12-07 06:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "clients_0003"
down_revision: str | Sequence[str] | None = "clients_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SETTING = "current_setting('exoderm.organisation', true)"
ORGANISATION = f"(coalesce({SETTING}, '') = '*' OR organisation_id::text = {SETTING})"
OF_A_VISIBLE_CLIENT = "(client_id IN (SELECT id FROM clients_client))"

POLICIES = {
    "clients_client": ORGANISATION,
    "clients_contribution": ORGANISATION,
    "clients_personal": OF_A_VISIBLE_CLIENT,
    "clients_consent": OF_A_VISIBLE_CLIENT,
    "clients_assessment": OF_A_VISIBLE_CLIENT,
    "clients_regimen": OF_A_VISIBLE_CLIENT,
    "clients_invitation": OF_A_VISIBLE_CLIENT,
    "clients_photo": OF_A_VISIBLE_CLIENT,
    "clients_treatment": OF_A_VISIBLE_CLIENT,
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
