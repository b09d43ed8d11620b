"""The ingredient catalogue: packaged data plus ingredients imported by users.

The packaged catalogue (``design/data/catalogue.yaml``) and target list
(``design/data/targets.yaml``) ship with exoderm. Users extend it with YAML or JSON
files of the same shape (``exoderm design catalogue import``); imported ingredients
are stored in the ``design_ingredient`` table and override packaged ones of the same
key. Files are validated as a whole: every problem is reported with file, line and
field, and nothing is imported unless all entries are valid.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from exoderm.design.formulary import formulary_actives, load_formulary
from exoderm.design.ingredient import EvidenceItem, Ingredient, Kind
from exoderm.design.inventory import fold_inci
from exoderm.errors import (
    Location,
    NotFoundError,
    Problem,
    UserInputError,
    ValidationFailed,
    problems_from_validation,
    read_yaml,
)


class Target(BaseModel):
    """A dermal effect or skin concern a formulation can be designed for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    kg_node: str
    aliases: list[str] = Field(default_factory=list)
    is_disease: bool = False
    claim: str


class Synergy(BaseModel):
    """``source`` enhances ``target`` (an ingredient key or ``kind:<kind>``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    target: str
    evidence: list[EvidenceItem] = Field(min_length=1)

    def matches(self, a: Ingredient, b: Ingredient) -> bool:
        return _selects(self.source, a) and _selects(self.target, b)

    def selects_source(self, a: Ingredient) -> bool:
        return _selects(self.source, a)


def _selects(selector: str, ingredient: Ingredient) -> bool:
    if selector.startswith("kind:"):
        return ingredient.kind.value == selector.removeprefix("kind:")
    return ingredient.key == selector


@dataclass
class Catalogue:
    """Ingredients by key, the target vocabulary and the synergy table."""

    ingredients: dict[str, Ingredient]
    targets: dict[str, Target]
    synergies: list[Synergy] = field(default_factory=list)
    imported: frozenset[str] = frozenset()

    def __iter__(self) -> Iterator[Ingredient]:
        return iter(self.ingredients.values())

    def __len__(self) -> int:
        return len(self.ingredients)

    def get(self, key: str) -> Ingredient:
        """The ingredient with this key, or a :class:`NotFoundError` with suggestions."""
        try:
            return self.ingredients[key]
        except KeyError:
            raise NotFoundError(
                f"no ingredient {key!r} in the catalogue{_did_you_mean(key, self.ingredients)}"
            ) from None

    def target(self, name: str) -> Target:
        """Resolve a target id or alias (case-insensitive)."""
        wanted = name.strip().lower().replace(" ", "-").replace("_", "-")
        for target in self.targets.values():
            if wanted == target.id or wanted in target.aliases:
                return target
        raise UserInputError(
            f"unknown target {name!r}{_did_you_mean(wanted, self.targets)}",
            field="target",
            expected="one of " + ", ".join(sorted(self.targets)),
        )

    def of_kind(self, kind: Kind) -> list[Ingredient]:
        return [i for i in self if i.kind is kind]

    def with_ingredients(self, extra: Iterable[Ingredient]) -> Catalogue:
        """A copy in which ``extra`` ingredients replace or add to these."""
        merged = dict(self.ingredients)
        keys = set(self.imported)
        for ingredient in extra:
            merged[ingredient.key] = ingredient
            keys.add(ingredient.key)
        return Catalogue(merged, self.targets, self.synergies, frozenset(keys))


def _did_you_mean(key: str, known: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, list(known), n=3, cutoff=0.5)
    return f" (did you mean {', '.join(close)}?)" if close else ""


# --------------------------------------------------------------------------- parsing


def parse_ingredients(text: str, source: str | Path) -> list[Ingredient]:
    """Validate every ingredient in a catalogue document; report all problems at once."""
    doc = read_yaml(text, source)
    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("ingredients"), list):
        raise UserInputError(
            "no 'ingredients' list",
            file=source,
            line=1,
            field="ingredients",
            expected="a mapping with 'ingredients: [ ... ]'",
        )
    problems: list[Problem] = []
    parsed: list[Ingredient] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(data["ingredients"]):
        try:
            ingredient = Ingredient.model_validate(raw)
        except ValidationError as exc:
            found = problems_from_validation(exc, document=doc, at=("ingredients", index))
            problems += [_labelled(p, index, raw) for p in found]
            continue
        if ingredient.key in seen:
            where = Location(source, doc.line_of(("ingredients", index, "key")), "key")
            problems.append(Problem(f"duplicate key {ingredient.key!r}", where, "unique keys"))
        seen[ingredient.key] = index
        parsed.append(ingredient)
    if problems:
        raise ValidationFailed(problems, subject=f"catalogue {source}")
    return parsed


def _labelled(problem: Problem, index: int, raw: object) -> Problem:
    """The problem with its field named after the entry: ``ingredients[3] (key).kind``."""
    key = raw.get("key") if isinstance(raw, dict) else None
    label = f"ingredients[{index}]" + (f" ({key})" if key else "")
    fld = f"{label}.{problem.location.field}" if problem.location.field else label
    where = Location(problem.location.file, problem.location.line, fld)
    return Problem(problem.message, where, problem.expected)


def read_ingredient_file(path: Path) -> list[Ingredient]:
    """Read and validate an import file (YAML or JSON)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UserInputError(f"cannot read file: {exc.strerror}", file=path) from exc
    return parse_ingredients(text, path)


@lru_cache(maxsize=1)
def packaged_catalogue() -> Catalogue:
    """The catalogue shipped in ``exoderm/design/data`` (parsed once per process)."""
    data_dir = resources.files("exoderm.design") / "data"
    catalogue_text = (data_dir / "catalogue.yaml").read_text(encoding="utf-8")
    ingredients = parse_ingredients(catalogue_text, "exoderm/design/data/catalogue.yaml")
    raw = yaml.safe_load(catalogue_text)
    synergies = [Synergy.model_validate(s) for s in raw.get("synergies", [])]
    targets_raw = yaml.safe_load((data_dir / "targets.yaml").read_text(encoding="utf-8"))
    targets = [Target.model_validate(t) for t in targets_raw["targets"]]
    known = {fold_inci(i.inci) for i in ingredients if i.inci}
    keys = {i.key for i in ingredients}
    extra = [a for a in formulary_actives(load_formulary(), known) if a.key not in keys]
    return Catalogue(
        ingredients={i.key: i for i in [*ingredients, *extra]},
        targets={t.id: t for t in targets},
        synergies=synergies,
    )


def load_catalogue(session: Session | None = None) -> Catalogue:
    """The packaged catalogue, plus the ingredients imported into the database if a
    ``session`` is given (imported entries override packaged ones with the same key)."""
    base = packaged_catalogue()
    if session is None:
        return base
    from exoderm.design.repository import imported_ingredients

    return base.with_ingredients(imported_ingredients(session))
