"""The formulary: curated design data for the ingredients a real formula is made of.

The CosIng inventory (:mod:`exoderm.design.inventory`) knows every INCI name and its
functions; the formulary adds what a formulator needs to *use* one: the function it
fills in a formula, the phase it goes into, its use level, pH window, heat limit,
solubility, cost tier and flags (vegan, human-derived, allergens, electrolyte
sensitivity), and for actives the evidence per target. Every number carries its
source string (confidence markers as in the catalogue: [V] verified in the cited
source, [S] secondary or vendor source, [U] general literature, not yet checked).

The packaged formulary is ``design/data/formulary/*.yaml`` (one file per group of
functions). Entries are validated as a whole when loaded; an entry whose INCI name is
not in the CosIng inventory is refused, so the formulary cannot drift from the names
a label may carry.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exoderm.design.ingredient import (
    Effect,
    Ingredient,
    Kind,
    Origin,
    PhWindow,
    ProductClass,
    Route,
    UseLevel,
)
from exoderm.design.inventory import fold_inci, is_inventory_name
from exoderm.errors import (
    LinedDocument,
    Location,
    NotFoundError,
    Problem,
    ValidationFailed,
    problems_from_validation,
    read_yaml,
)


class Function(enum.StrEnum):
    """The job an ingredient does in a formula (the slots of a product skeleton)."""

    solvent = "solvent"
    humectant = "humectant"
    emollient = "emollient"
    occlusive = "occlusive"
    emulsifier = "emulsifier"
    co_emulsifier = "co-emulsifier"
    thickener = "thickener"
    gelling_agent = "gelling-agent"
    preservative = "preservative"
    preservative_booster = "preservative-booster"
    chelator = "chelator"
    ph_adjuster = "ph-adjuster"
    buffer = "buffer"
    antioxidant = "antioxidant"
    active = "active"
    soothing = "soothing"
    solubiliser = "solubiliser"
    film_former = "film-former"
    texturiser = "texturiser"
    skin_conditioning = "skin-conditioning"


class Phase(enum.StrEnum):
    """Where an ingredient is added: heated water phase, heated oil phase, cool-down
    phase (below about 40 °C, for heat-sensitive materials), or either."""

    water = "water"
    oil = "oil"
    cool_down = "cool-down"
    any = "any"


class Solubility(enum.StrEnum):
    water = "water"
    oil = "oil"
    dispersible = "dispersible"
    insoluble = "insoluble"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SourcedValue(_Strict):
    """A number with the source it comes from."""

    value: float
    source: str = Field(min_length=3)


class Incompatibility(_Strict):
    """Another ingredient (INCI name) this one must not be combined with, and why."""

    inci: str = Field(min_length=2)
    reason: str = Field(min_length=3)
    source: str = Field(min_length=3)


class FormularyEntry(_Strict):
    """One curated ingredient of the formulary (keyed by its INCI name)."""

    inci: str = Field(min_length=2)
    functions: list[Function] = Field(min_length=1)
    phase: Phase
    solubility: Solubility
    use_level: UseLevel
    ph: PhWindow | None = None
    max_temperature_c: SourcedValue | None = None
    cost_tier: Annotated[int, Field(ge=1, le=3)]
    cost_basis: str = Field(min_length=3)
    vegan: bool
    human_derived: bool = False
    allergens: list[str] = Field(default_factory=list)
    electrolyte_sensitive: bool = False
    incompatible_with: list[Incompatibility] = Field(default_factory=list)
    effects: list[Effect] = Field(default_factory=list)
    notes: str | None = None

    @model_validator(mode="after")
    def _actives_have_evidence(self) -> FormularyEntry:
        if Function.active in self.functions and not self.effects:
            raise ValueError("an entry with the function 'active' needs at least one effect")
        return self

    @property
    def folded(self) -> str:
        return fold_inci(self.inci)

    def fills(self, function: Function) -> bool:
        return function in self.functions


class _FormularyFile(_Strict):
    source: str = Field(min_length=3)
    ingredients: list[FormularyEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Formulary:
    """Curated entries by folded INCI name."""

    entries: Mapping[str, FormularyEntry]

    def __iter__(self) -> Iterator[FormularyEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, inci: str) -> FormularyEntry | None:
        """The entry for ``inci`` (case, spacing and punctuation folded), if curated."""
        return self.entries.get(fold_inci(inci))

    def require(self, inci: str) -> FormularyEntry:
        entry = self.get(inci)
        if entry is None:
            raise NotFoundError(f"{inci!r} is not in the formulary")
        return entry

    def by_function(self, function: Function) -> list[FormularyEntry]:
        """Entries that can fill ``function``: those whose main (first) function it is
        first, then cheapest first, then by name."""
        found = [e for e in self if e.fills(function)]
        return sorted(found, key=lambda e: (e.functions[0] is not function, e.cost_tier, e.inci))


def _check_names(entries: list[FormularyEntry], doc: LinedDocument) -> list[Problem]:
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        if not is_inventory_name(entry.inci):
            where = Location(doc.source, doc.line_of(("ingredients", index, "inci")), "inci")
            problems.append(
                Problem(
                    f"{entry.inci!r} is not an INCI name of the CosIng inventory",
                    where,
                    "an INCI name as CosIng spells it",
                )
            )
    return problems


def parse_formulary(texts: Mapping[str, str]) -> Formulary:
    """Validate formulary files (name → YAML text) into one :class:`Formulary`.

    Parameters
    ----------
    texts
        File name → YAML text of the shape ``{source: ..., ingredients: [...]}``.

    Returns
    -------
    Formulary
        Entries by folded INCI name; a name curated twice is an error.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 19(1)(g) and Art. 33 (INCI names of the
       common ingredient glossary on the label).

    Examples
    --------
    >>> text = '''
    ... source: example
    ... ingredients:
    ...   - inci: Glycerin
    ...     functions: [humectant]
    ...     phase: water
    ...     solubility: water
    ...     use_level: {min: 1, typical: 3, max: 10, source: example}
    ...     cost_tier: 1
    ...     cost_basis: commodity
    ...     vegan: true
    ... '''
    >>> parse_formulary({"example.yaml": text}).require("glycerin").phase.value
    'water'
    """
    entries: dict[str, FormularyEntry] = {}
    problems: list[Problem] = []
    for name, text in texts.items():
        doc = read_yaml(text, source=name)
        try:
            parsed = _FormularyFile.model_validate(doc.data)
        except ValidationError as exc:
            problems += problems_from_validation(exc, document=doc)
            continue
        problems += _check_names(parsed.ingredients, doc)
        for index, entry in enumerate(parsed.ingredients):
            if entry.folded in entries:
                where = Location(name, doc.line_of(("ingredients", index, "inci")), "inci")
                problems.append(
                    Problem(f"{entry.inci!r} is curated twice", where, "each INCI name once")
                )
            entries[entry.folded] = entry
    if problems:
        raise ValidationFailed(problems, subject="formulary")
    return Formulary(entries)


@lru_cache(maxsize=1)
def load_formulary() -> Formulary:
    """The packaged formulary (``design/data/formulary/*.yaml``).

    Examples
    --------
    >>> len(load_formulary()) > 0
    True
    """
    folder = resources.files("exoderm.design") / "data" / "formulary"
    texts = {
        f"formulary/{item.name}": item.read_text(encoding="utf-8")
        for item in sorted(folder.iterdir(), key=lambda p: p.name)
        if item.name.endswith(".yaml")
    }
    return parse_formulary(texts)


#: Risk given to formulary actives, which carry no product-specific safety grading
#: (catalogue scale: 0.02 none reported, 0.1 irritant or sensitiser at use level).
UNGRADED_RISK = 0.05


def _key(inci: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", inci.lower()).strip("-")


def _origin(entry: FormularyEntry) -> Origin:
    if entry.human_derived:
        return Origin.human
    return Origin.synthetic if entry.vegan else Origin.animal


def as_catalogue_active(entry: FormularyEntry) -> Ingredient:
    """A formulary active as a catalogue co-active the optimiser can choose.

    Examples
    --------
    >>> e = FormularyEntry.model_validate({
    ...     "inci": "Retinol", "functions": ["active"], "phase": "cool-down",
    ...     "solubility": "oil", "cost_tier": 2, "cost_basis": "ex.", "vegan": True,
    ...     "use_level": {"min": 0.01, "typical": 0.1, "max": 0.3, "source": "ex."},
    ...     "effects": [{"target": "wrinkles",
    ...                  "evidence": [{"design": "rct", "citation": "ex."}]}]})
    >>> as_catalogue_active(e).key
    'retinol'
    """
    incompatible = [_key(bad.inci) for bad in entry.incompatible_with]
    return Ingredient(
        key=_key(entry.inci),
        name=entry.inci,
        inci=entry.inci,
        kind=Kind.co_active,
        origin=_origin(entry),
        role=", ".join(f.value for f in entry.functions),
        routes=[Route.leave_on, Route.rinse_off],
        classes=list(ProductClass),
        vegan=entry.vegan,
        cost_tier=entry.cost_tier,
        risk=UNGRADED_RISK,
        risk_basis="formulary active without product-specific safety grading; keep within "
        f"the use level ({entry.use_level.source})",
        allergens=list(entry.allergens),
        incompatible_with=incompatible,
        use_level=entry.use_level,
        ph=entry.ph,
        effects=list(entry.effects),
        notes=entry.notes,
    )


def formulary_actives(formulary: Formulary, known_inci: set[str]) -> list[Ingredient]:
    """Catalogue co-actives for every formulary entry with evidence whose INCI name the
    catalogue does not already carry (``known_inci``: folded names)."""
    return [
        as_catalogue_active(entry)
        for entry in formulary
        if entry.effects and entry.folded not in known_inci
    ]
