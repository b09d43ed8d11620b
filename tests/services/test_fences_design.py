"""Design holds no organisation data: its services work alike for every organisation.

The packaged catalogue ships with exoderm and ``design_ingredient`` has no
organisation column, so an imported ingredient is shared catalogue data (like a
pharmacopoeia entry), not one organisation's record. There is therefore no fence to
test; this file asserts the opposite: org B sees exactly what org A sees, and only the
catalogue editors (admin, scientist) of any organisation may change it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.design import FormulationRequest, service
from exoderm.design.catalogue import packaged_catalogue
from exoderm.design.records import ImportedIngredient
from exoderm.errors import PermissionDenied
from exoderm.markets import Market
from tests.services.conftest import Tenants

READERS = [r for r in Role if r is not Role.admin]

Read = Callable[[Session, Actor], object]

READS: dict[str, Read] = {
    "catalogue": lambda s, a: service.catalogue(s, a, market=Market.UK).model_dump(),
    "ingredient": lambda s, a: service.ingredient(s, a, "org-a-b3").model_dump(),
    "targets": lambda s, a: [t.id for t in service.targets(s, a)],
    "check_claim": lambda s, a: service.check_claim(s, a, "treats acne", market="UK").rule_id,
    "formulate": lambda s, a: (
        service.formulate(
            s, a, FormulationRequest(targets={"pigmentation": 1}), use_knowledge_base=False
        ).best.selected
    ),
}


def test_imported_ingredients_carry_no_organisation() -> None:
    columns = {c.key for c in inspect(ImportedIngredient).columns}
    assert not any("organisation" in c for c in columns)


@pytest.fixture
def imported(tenants: Tenants) -> Tenants:
    mine = packaged_catalogue().get("niacinamide").model_copy(update={"key": "org-a-b3"})
    with tenants.db.transaction() as s:
        service.import_ingredients(s, tenants.a[Role.scientist], [mine], source="a.yaml")
    return tenants


def test_org_b_sees_what_org_a_sees(imported: Tenants) -> None:
    """Every reading verb, for every role of org B: the same answer as for org A."""
    with imported.db.reader() as s:
        for verb, read in sorted(READS.items()):
            for role in READERS:
                assert read(s, imported.b[role]) == read(s, imported.a[role]), (verb, role)


def test_only_catalogue_editors_change_the_shared_catalogue(tenants: Tenants) -> None:
    mine = packaged_catalogue().get("niacinamide").model_copy(update={"key": "b-b3"})
    for role in (Role.qc_analyst, Role.clinician, Role.viewer):
        with pytest.raises(PermissionDenied), tenants.db.transaction() as s:
            service.import_ingredients(s, tenants.b[role], [mine])


def test_an_editor_of_org_b_may_replace_an_ingredient_org_a_imported(imported: Tenants) -> None:
    again = packaged_catalogue().get("niacinamide").model_copy(update={"key": "org-a-b3"})
    with imported.db.transaction() as s:
        outcome = service.import_ingredients(s, imported.b[Role.scientist], [again])
    assert outcome == {"org-a-b3": "replaced"}
