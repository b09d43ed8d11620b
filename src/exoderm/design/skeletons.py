"""Product skeletons: what each product type is made of, phase by phase.

A skeleton names the phases of a product type in order of addition (temperature, shear,
what to do) and the functional slots each phase holds (a humectant at 3 % in the water
phase, a preservative in the cool-down phase, water quantum satis). The composer
(:mod:`exoderm.design.structure`) fills each slot from the formulary or the user's raw
materials. Skeletons ship in ``design/data/skeletons.yaml`` with the sources behind the
process rules: hot-process emulsions at 70-80 °C, heat-sensitive materials below 40 °C,
and extracellular vesicles last, at 30 °C or below, with low shear only.
"""

from __future__ import annotations

import enum
from functools import lru_cache
from importlib import resources
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exoderm.design.formulary import Function
from exoderm.design.ingredient import PhWindow
from exoderm.errors import NotFoundError, read_yaml, validation_failed

#: Hottest an EV preparation may meet once added (skeleton rule; sources in the data file).
EV_MAX_TEMPERATURE_C = 30.0


class Shear(enum.StrEnum):
    low = "low"
    moderate = "moderate"
    high = "high"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PhaseStep(_Strict):
    """One phase, in order of addition."""

    id: str = Field(pattern=r"^[A-Z]$")
    name: str
    temperature_c: Annotated[float, Field(ge=0, le=100)]
    shear: Shear
    instruction: str = Field(min_length=3)
    ev_phase: bool = False


class Slot(_Strict):
    """A function the product needs, in one phase, at a default % w/w."""

    function: Function
    phase: str
    percent: Annotated[float, Field(gt=0, lt=100)] | None = None
    qs: bool = False
    prefer: list[str] = Field(
        default_factory=list,
        description="INCI names tried first, in order (the usual choice for this slot)",
    )

    @model_validator(mode="after")
    def _percent_or_qs(self) -> Slot:
        if self.qs == (self.percent is not None):
            raise ValueError("a slot has either a percent or qs: true")
        return self


class Skeleton(_Strict):
    """A product type's phases and slots."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    label: str
    vehicles: list[str] = Field(min_length=1)
    continuous: str
    preserved: bool
    sterile: bool
    ph: PhWindow | None
    phases: list[PhaseStep] = Field(min_length=1)
    slots: list[Slot] = Field(min_length=1)
    actives_phase: str
    accepts_ev: bool = True
    emulsifier_type: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Skeleton:
        ids = [p.id for p in self.phases]
        for name in [s.phase for s in self.slots] + [self.actives_phase]:
            if name not in ids:
                raise ValueError(f"phase {name!r} is not one of {ids}")
        if sum(s.qs for s in self.slots) != 1:
            raise ValueError("exactly one slot is quantum satis")
        self._ev_phase_is_gentle(ids)
        return self

    def _ev_phase_is_gentle(self, ids: list[str]) -> None:
        ev = [i for i, p in enumerate(self.phases) if p.ev_phase]
        if self.accepts_ev and len(ev) != 1:
            raise ValueError("a skeleton that accepts EVs has exactly one EV phase")
        for p in self.phases[ev[0] :] if ev else []:
            if p.shear is Shear.high or p.temperature_c > EV_MAX_TEMPERATURE_C:
                raise ValueError(
                    f"phase {p.id} after the EV addition has {p.shear.value} shear at "
                    f"{p.temperature_c:g} °C (EVs allow low shear at <= "
                    f"{EV_MAX_TEMPERATURE_C:g} °C)"
                )

    def phase(self, phase_id: str) -> PhaseStep:
        return next(p for p in self.phases if p.id == phase_id)

    @property
    def ev_phase(self) -> PhaseStep | None:
        return next((p for p in self.phases if p.ev_phase), None)

    @property
    def qs_slot(self) -> Slot:
        return next(s for s in self.slots if s.qs)

    def coolest_phase_at_most(self, temperature_c: float, after: str) -> PhaseStep | None:
        """The first phase from ``after`` on that is no hotter than ``temperature_c``."""
        start = [p.id for p in self.phases].index(after)
        return next((p for p in self.phases[start:] if p.temperature_c <= temperature_c), None)


class _SkeletonFile(_Strict):
    sources: dict[str, str]
    product_types: list[Skeleton] = Field(min_length=1)


@lru_cache(maxsize=1)
def _file() -> _SkeletonFile:
    name = "skeletons.yaml"
    text = (resources.files("exoderm.design") / "data" / name).read_text(encoding="utf-8")
    doc = read_yaml(text, source=name)
    try:
        return _SkeletonFile.model_validate(doc.data)
    except ValidationError as exc:
        raise validation_failed(exc, subject=name, document=doc) from exc


def skeletons() -> list[Skeleton]:
    """Every product type exoderm can build.

    Examples
    --------
    >>> [s.id for s in skeletons()][:2]
    ['aqueous-serum', 'ow-emulsion']
    """
    return list(_file().product_types)


def process_sources() -> dict[str, str]:
    """The sources behind the process rules (heating, cool-down, EV heat and shear, sterility)."""
    return dict(_file().sources)


def skeleton(product_type: str) -> Skeleton:
    """The skeleton of ``product_type`` (its id, e.g. ``ow-emulsion``).

    Parameters
    ----------
    product_type : str
        A skeleton id.

    Returns
    -------
    Skeleton
        Its phases in order of addition and its slots.

    References
    ----------
    .. [1] Barel AO, Paye M, Maibach HI (eds.), Handbook of Cosmetic Science and
       Technology, 4th ed., CRC Press, 2014 (hot-process emulsions).

    Examples
    --------
    >>> [p.temperature_c for p in skeleton("ow-emulsion").phases][:2]
    [75.0, 75.0]
    """
    for s in skeletons():
        if s.id == product_type:
            return s
    names = ", ".join(s.id for s in skeletons())
    raise NotFoundError(f"unknown product type {product_type!r} (expected one of: {names})")


def skeleton_for_vehicle(vehicle_key: str) -> Skeleton | None:
    """The skeleton that builds the catalogue vehicle ``vehicle_key``, if any.

    Examples
    --------
    >>> skeleton_for_vehicle("cream").id
    'ow-emulsion'
    """
    return next((s for s in skeletons() if vehicle_key in s.vehicles), None)
