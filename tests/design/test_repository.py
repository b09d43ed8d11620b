"""Imported ingredients: stored, merged into the catalogue, audited, all or nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.accounts.records import AuditEvent, Role
from exoderm.design import Catalogue, load_catalogue
from exoderm.design.records import ImportedIngredient
from exoderm.design.repository import import_ingredients
from exoderm.errors import PermissionDenied, ValidationFailed
from exoderm.storage import Database

ADMIN = Actor("tester", Role.admin)


def test_import_adds_and_replaces(any_db: Database, catalogue: Catalogue) -> None:
    extra = catalogue.get("niacinamide").model_copy(update={"key": "niacinamide-4pct"})
    with any_db.transaction() as session:
        assert import_ingredients(session, [extra], actor=ADMIN, source="a.yaml") == {
            "niacinamide-4pct": "added"
        }
    changed = extra.model_copy(update={"cost_tier": 3})
    with any_db.transaction() as session:
        assert import_ingredients(session, [changed], actor=ADMIN)["niacinamide-4pct"] == (
            "replaced"
        )
    with any_db.reader() as session:
        merged = load_catalogue(session)
        assert merged.get("niacinamide-4pct").cost_tier == 3
        assert "niacinamide-4pct" in merged.imported
        assert len(merged) == len(catalogue) + 1
        events = session.scalars(select(AuditEvent)).all()
        assert [e.action for e in events] == ["design.catalogue.import"] * 2
        assert events_for(session, "design_ingredient", "niacinamide-4pct")


def test_viewer_may_not_import(sqlite_db: Database, catalogue: Catalogue) -> None:
    with pytest.raises(PermissionDenied), sqlite_db.transaction() as session:
        import_ingredients(session, [catalogue.get("niacinamide")], actor=Actor("v", Role.viewer))
    with sqlite_db.reader() as session:
        assert session.scalars(select(ImportedIngredient)).all() == []


def test_failure_writes_nothing(sqlite_db: Database, catalogue: Catalogue) -> None:
    with pytest.raises(RuntimeError), sqlite_db.transaction() as session:
        import_ingredients(session, [catalogue.get("niacinamide")], actor=ADMIN)
        raise RuntimeError("crash after the import")
    with sqlite_db.reader() as session:
        assert session.scalars(select(ImportedIngredient)).all() == []


def test_a_stored_row_that_no_longer_validates_is_reported(sqlite_db: Database) -> None:
    with sqlite_db.transaction() as session:
        session.add(ImportedIngredient(key="broken", payload={"key": "broken"}))
    with sqlite_db.reader() as session, pytest.raises(ValidationFailed, match="broken"):
        load_catalogue(session)
