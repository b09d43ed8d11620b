from __future__ import annotations

from exoderm.accounts.records import Role
from tests.services.conftest import Tenants


def test_two_organisations_with_every_role(tenants: Tenants) -> None:
    assert tenants.a[Role.clinician].organisation_id != tenants.b[Role.clinician].organisation_id
    assert set(tenants.a) == set(Role) - {Role.admin}
