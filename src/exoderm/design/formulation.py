"""A proposed formulation: ingredients with concentrations, roles, evidence and notes.

Concentrations: each active at its catalogue use level, the vehicle's own base
ingredients at their stated percentages, and water (the vehicle's first INCI name,
"Aqua") quantum satis to 100 %. The INCI list is in descending order of concentration
as Reg. (EC) 1223/2009 Art. 19(1)(g) requires (ingredients below 1 % may follow in any
order; we keep them sorted too).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from exoderm.design.annexes import annex_findings
from exoderm.design.claims import ClaimVerdict
from exoderm.design.ingredient import Ingredient, Kind
from exoderm.design.regulation import Verdict
from exoderm.design.structure import FormulaStructure


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Coverage(_Frozen):
    """How one ingredient covers one target, with the evidence behind it."""

    target: str
    label: str
    score: float
    refuting: float
    best_level: str | None
    citations: tuple[str, ...]


class Line(_Frozen):
    """One entry of the INCI list (a catalogue ingredient or a vehicle base component)."""

    inci: str
    percent: float | None
    role: str
    key: str | None = None
    name: str = ""
    kind: str = "base"
    covers: tuple[Coverage, ...] = ()
    regulatory: str = ""
    regulatory_basis: str = ""
    annex: tuple[str, ...] = ()
    stability: str = ""
    ph: str = ""
    risk_basis: str = ""
    use_range: str = ""
    notes: str = ""
    phase: str = ""


class TargetResult(_Frozen):
    """The formulation's combined coverage of one requested target."""

    target: str
    label: str
    weight: float
    utility: float
    contributors: tuple[str, ...]
    is_disease: bool


class Formulation(BaseModel):
    """One optimised formulation (rank 1 is the optimum): the library's typed result."""

    rank: int
    objective: float
    proven_optimal: bool
    market: str
    product_class: str
    route: str
    selected: tuple[str, ...]
    lines: list[Line]
    procedures: list[Line]
    targets: list[TargetResult]
    synergies: list[str]
    terms: dict[str, float]
    ph_window: tuple[float, float] | None
    warnings: list[str] = Field(default_factory=list)
    claims: list[ClaimVerdict] = Field(default_factory=list)
    evidence_provider: str = "catalogue"
    annex_register: str = ""
    structure: FormulaStructure | None = Field(
        None,
        description="Phases, procedure, raw materials and cost (product types with a skeleton).",
    )

    @property
    def actives(self) -> list[Line]:
        return [ln for ln in self.lines if ln.kind in (Kind.ev_source.value, Kind.co_active.value)]

    @property
    def inci_list(self) -> list[str]:
        return [ln.inci for ln in self.lines]


def _stability_text(item: Ingredient) -> str:
    s = item.stability
    if s is None:
        return ""
    life = f"{s.shelf_life_months} months" if s.shelf_life_months else "use immediately"
    return f"{life}, {s.storage} ({s.source})"


def _ph_text(item: Ingredient) -> str:
    return f"{item.ph.min:g}-{item.ph.max:g} ({item.ph.source})" if item.ph else ""


def ingredient_line(item: Ingredient, covers: tuple[Coverage, ...], verdict: Verdict) -> Line:
    level = item.use_level
    return Line(
        inci=item.label_name,
        percent=level.typical if level else None,
        role=item.role,
        key=item.key,
        name=item.name,
        kind=item.kind.value,
        covers=covers,
        regulatory=verdict.status.value,
        regulatory_basis=verdict.basis,
        annex=tuple(f.describe() for f in annex_findings(item.inci)),
        stability=_stability_text(item),
        ph=_ph_text(item),
        risk_basis=item.risk_basis,
        use_range=(
            f"{level.min:g}-{level.max:g} % (typical {level.typical:g} %; {level.source})"
            if level
            else "no use level in the catalogue"
        ),
        notes=item.notes or "",
    )


def compose_lines(vehicle: Ingredient | None, actives: list[Line]) -> tuple[list[Line], list[str]]:
    """Actives plus the vehicle base plus water q.s., sorted by concentration."""
    warnings: list[str] = []
    lines = list(actives)
    if vehicle is not None:
        for part in vehicle.base:
            lines.append(
                Line(
                    inci=part.inci,
                    percent=part.percent,
                    role=part.role,
                    kind="base",
                    annex=tuple(f.describe() for f in annex_findings(part.inci)),
                )
            )
    total = sum(ln.percent or 0.0 for ln in lines)
    if total >= 100:
        warnings.append(f"ingredients add up to {total:g} % before water; reduce use levels")
    if vehicle is not None:
        water = max(0.0, 100.0 - total)
        lines.append(
            Line(
                inci=vehicle.inci or "Aqua",
                percent=round(water, 4),
                role=f"solvent, q.s. ({vehicle.name})",
                key=vehicle.key,
                name=vehicle.name,
                kind=Kind.vehicle.value,
                stability=_stability_text(vehicle),
                ph=_ph_text(vehicle),
            )
        )
    lines.sort(key=lambda ln: -(ln.percent or 0.0))
    return lines, warnings


def structure_lines(
    structure: FormulaStructure, actives: list[Line], vehicle: Ingredient
) -> list[Line]:
    """The INCI list of a composed formula: actives keep their evidence, the continuous
    phase is the vehicle's line, every other line says which slot it fills and why."""
    by_key = {ln.key: ln for ln in actives if ln.key}
    qs = next((ln for ln in structure.lines if "quantum satis" in ln.rule), None)
    out: list[Line] = []
    for sl in structure.lines:
        active = by_key.get(sl.key) if sl.key else None
        if active is not None:
            notes = "; ".join(x for x in (active.notes, sl.limit or "") if x)
            out.append(
                active.model_copy(update={"percent": sl.percent, "phase": sl.phase, "notes": notes})
            )
        elif sl is qs:
            out.append(
                Line(
                    inci=sl.inci,
                    percent=sl.percent,
                    role=f"{sl.function}, q.s. ({vehicle.name})",
                    key=vehicle.key,
                    name=vehicle.name,
                    kind=Kind.vehicle.value,
                    stability=_stability_text(vehicle),
                    ph=_ph_text(vehicle),
                    phase=sl.phase,
                    notes=sl.rule,
                )
            )
        else:
            out.append(
                Line(
                    inci=sl.inci,
                    percent=sl.percent,
                    role=sl.function,
                    kind="base",
                    annex=tuple(f.describe() for f in annex_findings(sl.inci)),
                    phase=sl.phase,
                    notes=sl.rule,
                )
            )
    return out
