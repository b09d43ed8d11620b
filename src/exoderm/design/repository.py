"""Reading and writing imported catalogue ingredients (caller owns the transaction)."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import AuditScalar, record
from exoderm.accounts.records import Role
from exoderm.design.ingredient import Ingredient
from exoderm.design.records import ImportedIngredient
from exoderm.errors import Location, Problem, ValidationFailed, problems_from_validation

#: Roles that may change the shared catalogue.
CATALOGUE_EDITORS = (Role.admin, Role.scientist)


def imported_ingredients(session: Session) -> list[Ingredient]:
    """Every imported ingredient, validated; a row that no longer validates is an error."""
    rows = session.scalars(select(ImportedIngredient).order_by(ImportedIngredient.key)).all()
    problems: list[Problem] = []
    out: list[Ingredient] = []
    for row in rows:
        try:
            out.append(Ingredient.model_validate(row.payload))
        except ValidationError as exc:
            found = problems_from_validation(exc, file="design_ingredient")
            problems += [
                Problem(
                    p.message, Location("design_ingredient", None, f"{row.key}.{p.location.field}")
                )
                for p in found[:1]
            ]
    if problems:
        raise ValidationFailed(problems, subject="stored catalogue ingredients")
    return out


def import_ingredients(
    session: Session,
    ingredients: Sequence[Ingredient],
    *,
    actor: Actor,
    source: str = "",
) -> dict[str, str]:
    """Add or replace imported ingredients; returns ``{key: "added" | "replaced"}``.

    Everything happens in the caller's transaction, so a failure writes nothing.
    """
    actor.require(*CATALOGUE_EDITORS, action="change the ingredient catalogue")
    existing = {
        row.key: row
        for row in session.scalars(
            select(ImportedIngredient).where(
                ImportedIngredient.key.in_([i.key for i in ingredients])
            )
        )
    }
    outcome: dict[str, str] = {}
    for ingredient in ingredients:
        payload = ingredient.model_dump(mode="json")
        row = existing.get(ingredient.key)
        if row is None:
            session.add(
                ImportedIngredient(
                    key=ingredient.key,
                    payload=payload,
                    source_file=source,
                    imported_by=actor.username,
                )
            )
            outcome[ingredient.key] = "added"
        else:
            row.payload = payload
            row.source_file = source
            row.imported_by = actor.username
            outcome[ingredient.key] = "replaced"
    record(
        session,
        actor=actor.username,
        action="design.catalogue.import",
        subject_type="design_ingredient",
        subject_id=",".join(sorted(outcome))[:100],
        detail={"source": source, "outcome": _scalars(outcome)},
    )
    return outcome


def _scalars(outcome: dict[str, str]) -> dict[str, AuditScalar]:
    return dict(outcome)
