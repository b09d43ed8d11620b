"""One catalogue ingredient: what it is, where it may be used, and what supports it.

Ingredients are EV sources, co-actives, vehicles and delivery options. Every number
carries its source (``source``/``citation`` strings with confidence markers: [V]
verified in the cited source, [S] secondary or vendor source, [U] unverified).
"""

from __future__ import annotations

import enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator


class Kind(enum.StrEnum):
    ev_source = "ev_source"
    co_active = "co_active"
    vehicle = "vehicle"
    delivery = "delivery"


class Origin(enum.StrEnum):
    plant = "plant"
    human = "human"
    animal = "animal"
    microbial = "microbial"
    synthetic = "synthetic"


class Route(enum.StrEnum):
    leave_on = "leave-on"
    rinse_off = "rinse-off"
    post_procedure = "post-procedure-topical"
    intradermal = "intradermal-injection"


class ProductClass(enum.StrEnum):
    cosmetic = "cosmetic"
    medical_device = "medical-device"
    drug = "drug"


class StudyDesign(enum.StrEnum):
    """Evidence tiers: OCEBM 2011 levels of evidence with GRADE starting levels
    (Guyatt et al. 2008, BMJ 336:924, doi:10.1136/bmj.39489.470347.AD)."""

    sr_rct = "sr_rct"
    rct = "rct"
    non_randomised = "non_randomised"
    uncontrolled_human = "uncontrolled_human"
    animal = "animal"
    ex_vivo = "ex_vivo"
    in_vitro = "in_vitro"
    mechanism = "mechanism"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EvidenceItem(_Strict):
    """One study behind an ingredient–target link."""

    design: StudyDesign
    citation: str = Field(min_length=3)
    route: str = "topical"
    relevance: Annotated[float, Field(gt=0, le=1)] = 1.0
    negated: bool = False


class Effect(_Strict):
    """An ingredient's evidence for one target (a dermal effect or skin concern)."""

    target: str
    evidence: list[EvidenceItem] = Field(min_length=1)


class UseLevel(_Strict):
    """Use level in % w/w of the finished product."""

    typical: Annotated[float, Field(gt=0, le=100)]
    min: Annotated[float, Field(gt=0, le=100)]
    max: Annotated[float, Field(gt=0, le=100)]
    source: str = Field(min_length=3)

    @field_validator("max")
    @classmethod
    def _ordered(cls, value: float, info: ValidationInfo) -> float:
        data = info.data
        low, typical = data.get("min"), data.get("typical")
        if low is not None and typical is not None and not low <= typical <= value:
            raise ValueError("expected min <= typical <= max")
        return value


class PhWindow(_Strict):
    min: Annotated[float, Field(ge=0, le=14)]
    max: Annotated[float, Field(ge=0, le=14)]
    source: str = Field(min_length=3)

    def contains(self, ph: float) -> bool:
        return self.min <= ph <= self.max

    def overlaps(self, other: PhWindow) -> bool:
        return max(self.min, other.min) <= min(self.max, other.max)


class Stability(_Strict):
    shelf_life_months: Annotated[int, Field(ge=0)]
    storage: str
    source: str = Field(min_length=3)


class BaseComponent(_Strict):
    """A vehicle's own ingredient (glycerin, preservative…)."""

    inci: str
    percent: Annotated[float, Field(gt=0, lt=100)]
    role: str


class RegulatoryOverride(_Strict):
    market: str
    product_class: ProductClass
    status: str
    basis: str = Field(min_length=3)


class Ingredient(_Strict):
    """A catalogue entry. ``key`` is the stable identifier used on the command line."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    inci: str
    kind: Kind
    origin: Origin
    role: str
    routes: list[Route] = Field(min_length=1)
    classes: list[ProductClass] = Field(min_length=1)
    vegan: bool
    cost_tier: Annotated[int, Field(ge=1, le=3)]
    risk: Annotated[float, Field(ge=0, le=1)]
    risk_basis: str = Field(min_length=3)
    kg_node: str | None = None
    allergens: list[str] = Field(default_factory=list)
    incompatible_with: list[str] = Field(default_factory=list)
    use_level: UseLevel | None = None
    ph: PhWindow | None = None
    stability: Stability | None = None
    base: list[BaseComponent] = Field(default_factory=list)
    effects: list[Effect] = Field(default_factory=list)
    regulatory: list[RegulatoryOverride] = Field(default_factory=list)
    notes: str | None = None

    @property
    def is_active(self) -> bool:
        """EV sources and co-actives count towards ``max_actives``."""
        return self.kind in (Kind.ev_source, Kind.co_active)

    @property
    def label_name(self) -> str:
        """The INCI name, or the common name for procedures (not on the label)."""
        return self.inci or self.name

    def effect_for(self, target: str) -> Effect | None:
        return next((e for e in self.effects if e.target == target), None)
