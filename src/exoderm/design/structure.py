"""A formula with its real structure: phases, order of addition, raw materials, cost.

:func:`compose_structure` turns the optimiser's actives and the chosen product type
(:mod:`exoderm.design.skeletons`) into a formula a laboratory can make. Each slot of the
skeleton (humectant, thickener, preservative…) is filled from the user's raw materials
when a list is given, else from the curated formulary: the cheapest ingredient that fills
the function, works at the formula's pH, is not incompatible with what is already in,
keeps the user's flags (vegan, excluded allergens) and is allowed at its level for the
route. Each is dosed at the slot's default, clamped to its own use level and to the
annex limit. Actives go into the skeleton's actives phase, heat-limited ones into the
first phase cool enough for them, EV sources into the EV phase (last, at 30 °C or below,
low shear). The continuous phase is quantum satis, so the INCI percentages add up to
exactly 100. With raw materials, every blend contributes each of its INCI names (water
and preservatives inside a raw material count toward the totals and limits), and the
cost per kg is the sum of each raw material's share times its price.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.annex_limits import limit_for, prohibited
from exoderm.design.compatibility import Finding, check_rules, reference_note
from exoderm.design.formulary import Formulary, FormularyEntry, Function
from exoderm.design.ingredient import PhWindow
from exoderm.design.inventory import fold_inci
from exoderm.design.raw_materials import RawMaterial, RawMaterialList
from exoderm.design.skeletons import Skeleton, Slot
from exoderm.markets import Market

#: Decimals of every % w/w on a formula (0.0001 % = 1 ppm).
DECIMALS = 4


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ActiveDose(_Frozen):
    """An active the optimiser chose, at its use level."""

    inci: str
    percent: float = Field(gt=0, le=100)
    key: str | None = None
    name: str = ""
    is_ev: bool = False
    ph: PhWindow | None = None
    max_temperature_c: float | None = None
    rule: str = "active chosen by the optimiser"
    raw_material: str | None = Field(
        None, description="trade name of the raw material the optimiser chose for it"
    )


class StructureLine(_Frozen):
    """One INCI name of the formula, its total % w/w, function, phase and why it is there."""

    inci: str
    percent: float
    function: str
    phase: str
    rule: str
    key: str | None = None
    limit: str | None = None


class RawMaterialUse(_Frozen):
    """A raw material placed in the formula, with what it contributes."""

    trade_name: str
    supplier: str
    percent: float
    phase: str
    cost_per_kg: float
    currency: str
    contributes: tuple[tuple[str, float], ...]


class ProcedureStep(_Frozen):
    """One phase of the manufacturing procedure, in order of addition."""

    phase: str
    name: str
    temperature_c: float
    shear: str
    instruction: str
    materials: tuple[str, ...]


class FormulaStructure(_Frozen):
    """The composed formula: INCI lines, raw materials, procedure, pH target, cost."""

    product_type: str
    label: str
    lines: tuple[StructureLine, ...]
    raw_materials: tuple[RawMaterialUse, ...]
    procedure: tuple[ProcedureStep, ...]
    ph_target: tuple[float, float] | None
    cost_per_kg: float | None
    currency: str | None
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]

    @property
    def total(self) -> float:
        return round(sum(ln.percent for ln in self.lines), DECIMALS)

    @property
    def percentages(self) -> dict[str, float]:
        return {ln.inci: ln.percent for ln in self.lines}


@dataclass
class _Draft:
    """The formula while it is being composed (private, mutable)."""

    skeleton: Skeleton
    route: AnnexRoute
    window: PhWindow | None
    parts: list[tuple[StructureLine, RawMaterial | None, float]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def incis(self) -> set[str]:
        out = {fold_inci(line.inci) for line, _, _ in self.parts}
        for _, material, _ in self.parts:
            if material is not None:
                out |= {fold_inci(c.inci) for c in material.components}
        return out


@dataclass(frozen=True)
class Preferences:
    """The user's flags every slot filler must keep."""

    vegan: bool = False
    allergens: tuple[str, ...] = ()


def _narrow(window: PhWindow | None, other: PhWindow | None) -> PhWindow | None:
    if window is None or other is None:
        return window or other
    low, high = max(window.min, other.min), min(window.max, other.max)
    if low > high:
        return window
    return PhWindow(min=low, max=high, source=f"{window.source}; {other.source}")


def _allowed_at(inci: str, percent: float, route: AnnexRoute) -> float | None:
    """The highest % ``inci`` may have for ``route`` (100 if unlimited), None if never."""
    if prohibited(inci) is not None:
        return None
    limit = limit_for(inci, route)
    if limit is None:
        return 100.0
    if not limit.allowed:
        return None
    return limit.max_percent if limit.max_percent is not None else percent


def _entry_ok(entry: FormularyEntry, draft: _Draft, prefs: Preferences) -> bool:
    present = draft.incis()
    if entry.folded in present or entry.human_derived:
        return False
    if prefs.vegan and not entry.vegan:
        return False
    if {fold_inci(a) for a in entry.allergens} & {fold_inci(a) for a in prefs.allergens}:
        return False
    if any(fold_inci(bad.inci) in present for bad in entry.incompatible_with):
        return False
    if entry.ph is not None and draft.window is not None and not entry.ph.overlaps(draft.window):
        return False
    return _allowed_at(entry.inci, entry.use_level.min, draft.route) is not None


def _dose(entry: FormularyEntry, default: float, route: AnnexRoute) -> float:
    level = entry.use_level
    percent = min(max(default, level.min), level.max)
    ceiling = _allowed_at(entry.inci, percent, route)
    return min(percent, ceiling) if ceiling is not None else percent


def _main_inci(material: RawMaterial) -> str:
    """The INCI a raw material is bought for: its largest component other than water."""
    parts = sorted(material.components, key=lambda c: -c.percent)
    useful = [c for c in parts if fold_inci(c.inci) not in {"aqua", "water"}]
    return (useful or parts)[0].inci


def _material_fills(material: RawMaterial, function: Function, formulary: Formulary) -> bool:
    if function in material.functions:
        return True
    entry = formulary.get(_main_inci(material))
    return entry is not None and entry.fills(function)


def _material_rank(
    material: RawMaterial, function: Function, prefer: list[str], formulary: Formulary
) -> tuple[int, bool, float, str]:
    """The slot's usual choices first, then materials bought for this function, then price."""
    main = _main_inci(material)
    wanted = [fold_inci(name) for name in prefer]
    rank = wanted.index(fold_inci(main)) if fold_inci(main) in wanted else len(wanted)
    entry = formulary.get(main)
    secondary = entry is None or entry.functions[0] is not function
    return rank, secondary, material.cost_per_kg, material.trade_name


def _fill_from_materials(
    function: Function,
    default: float,
    phase: str,
    prefer: list[str],
    draft: _Draft,
    materials: RawMaterialList,
    formulary: Formulary,
) -> bool:
    candidates = [m for m in materials.materials if _material_fills(m, function, formulary)]
    candidates = [
        m
        for m in candidates
        if all(_allowed_at(c.inci, 0.0, draft.route) is not None for c in m.components)
        and fold_inci(_main_inci(m)) not in draft.incis()
    ]
    if not candidates:
        return False
    material = min(candidates, key=lambda m: _material_rank(m, function, prefer, formulary))
    main = _main_inci(material)
    entry = formulary.get(main)
    share = next(c.percent for c in material.components if c.inci == main) / 100.0
    inci_percent = _dose(entry, default, draft.route) if entry else default
    line = StructureLine(
        inci=main,
        percent=inci_percent,
        function=function.value,
        phase=phase,
        rule=f"{function.value} slot of the {draft.skeleton.label} (from your raw materials)",
    )
    draft.parts.append((line, material, inci_percent / share))
    if entry is not None:
        draft.window = _narrow(draft.window, entry.ph)
    return True


def _fill_slot(
    slot: Slot,
    draft: _Draft,
    formulary: Formulary,
    prefs: Preferences,
) -> bool:
    function, default, phase, prefer = slot.function, slot.percent or 0.0, slot.phase, slot.prefer
    preferred = [e for e in (formulary.get(name) for name in prefer) if e is not None]
    for entry in [*preferred, *formulary.by_function(function)]:
        if _entry_ok(entry, draft, prefs):
            line = StructureLine(
                inci=entry.inci,
                percent=_dose(entry, default, draft.route),
                function=function.value,
                phase=phase,
                rule=f"{function.value} slot of the {draft.skeleton.label}; "
                f"use level {entry.use_level.source}",
            )
            draft.parts.append((line, None, line.percent))
            draft.window = _narrow(draft.window, entry.ph)
            return True
    return False


def _active_phase(active: ActiveDose, skeleton: Skeleton) -> str:
    if active.is_ev:
        ev = skeleton.ev_phase
        return ev.id if ev is not None else skeleton.actives_phase
    if active.max_temperature_c is not None:
        cool = skeleton.coolest_phase_at_most(active.max_temperature_c, skeleton.actives_phase)
        if cool is not None:
            return cool.id
    return skeleton.actives_phase


def _active_material(active: ActiveDose, materials: RawMaterialList | None) -> RawMaterial | None:
    if materials is None:
        return None
    if active.raw_material is not None:
        return materials.find(active.raw_material)
    key = fold_inci(active.inci)
    holding = [
        m for m in materials.materials if any(fold_inci(c.inci) == key for c in m.components)
    ]
    if not holding:
        return None
    return max(
        holding,
        key=lambda m: next(c.percent for c in m.components if fold_inci(c.inci) == key),
    )


def _place_actives(
    actives: Sequence[ActiveDose], draft: _Draft, materials: RawMaterialList | None
) -> None:
    for active in actives:
        percent = active.percent
        ceiling = _allowed_at(active.inci, percent, draft.route)
        limit = None
        if ceiling is not None and ceiling < percent:
            limit = f"dosed at the annex maximum of {ceiling:g} % (use level {percent:g} %)"
            percent = ceiling
        line = StructureLine(
            inci=active.inci,
            percent=percent,
            function="EV source" if active.is_ev else "active",
            phase=_active_phase(active, draft.skeleton),
            rule=active.rule,
            key=active.key,
            limit=limit,
        )
        material = _active_material(active, materials)
        amount = percent
        if material is not None:
            share = next(
                c.percent
                for c in material.components
                if fold_inci(c.inci) == fold_inci(active.inci)
            )
            amount = percent / (share / 100.0)
        elif materials is not None:
            draft.notes.append(f"no raw material in the list carries {active.inci}; not priced")
        draft.parts.append((line, material, amount))
        draft.window = _narrow(draft.window, active.ph)


def _spelled(inci: str, formulary: Formulary) -> str:
    """The formulary's spelling of an INCI name (CosIng prints them in capitals)."""
    entry = formulary.get(inci)
    return entry.inci if entry is not None else inci


def _contributions(draft: _Draft, formulary: Formulary) -> dict[str, tuple[float, StructureLine]]:
    """Total % per INCI (blends expanded), keyed by folded name."""
    totals: dict[str, tuple[float, StructureLine]] = {}
    for line, material, amount in draft.parts:
        pieces = (
            [(_spelled(c.inci, formulary), amount * c.percent / 100.0) for c in material.components]
            if material is not None
            else [(line.inci, line.percent)]
        )
        for inci, percent in pieces:
            key = fold_inci(inci)
            own = line if key == fold_inci(line.inci) else None
            if own is not None:
                own = own.model_copy(update={"inci": _spelled(own.inci, formulary)})
            before, first = totals.get(key, (0.0, own))
            template = (
                first
                or own
                or StructureLine(
                    inci=inci,
                    percent=0.0,
                    function=f"carried by {material.trade_name}" if material else line.function,
                    phase=line.phase,
                    rule=f"part of the raw material {material.trade_name}"
                    if material
                    else line.rule,
                )
            )
            totals[key] = (before + percent, template)
    return totals


def _qs_material(draft: _Draft, materials: RawMaterialList | None) -> RawMaterial | None:
    if materials is None:
        return None
    qs_inci = fold_inci(draft.skeleton.qs_slot.function.value)
    pure = [m for m in materials.materials if len(m.components) == 1]
    water = [m for m in pure if fold_inci(m.components[0].inci) in {"aqua", "water"}]
    return min(water, key=lambda m: m.cost_per_kg) if water and qs_inci == "solvent" else None


def _qs_line(draft: _Draft, formulary: Formulary, prefs: Preferences) -> StructureLine | None:
    slot = draft.skeleton.qs_slot
    if slot.function is Function.solvent:
        return StructureLine(
            inci="Aqua",
            percent=0.0,
            function="solvent",
            phase=slot.phase,
            rule=f"continuous phase of the {draft.skeleton.label}, quantum satis to 100 %",
        )
    preferred = [e for e in (formulary.get(name) for name in slot.prefer) if e is not None]
    for entry in [*preferred, *formulary.by_function(slot.function)]:
        if _entry_ok(entry, draft, prefs):
            return StructureLine(
                inci=entry.inci,
                percent=0.0,
                function=slot.function.value,
                phase=slot.phase,
                rule=f"continuous phase of the {draft.skeleton.label}, quantum satis to 100 %",
            )
    return None


def _finish(
    draft: _Draft,
    formulary: Formulary,
    materials: RawMaterialList | None,
    prefs: Preferences,
    market: Market,
) -> FormulaStructure:
    totals = _contributions(draft, formulary)
    rounded = {k: (round(p, DECIMALS), ln) for k, (p, ln) in totals.items()}
    qs = _qs_line(draft, formulary, prefs)
    lines = [ln.model_copy(update={"percent": p}) for p, ln in rounded.values() if p > 0]
    filled = round(sum(ln.percent for ln in lines), DECIMALS)
    qs_material = _qs_material(draft, materials)
    used = _material_uses(draft, totals)
    if qs is not None:
        key = fold_inci(qs.inci)
        rest = round(100.0 - filled, DECIMALS)
        existing = next((ln for ln in lines if fold_inci(ln.inci) == key), None)
        if existing is not None:
            lines[lines.index(existing)] = existing.model_copy(
                update={
                    "percent": round(existing.percent + rest, DECIMALS),
                    "rule": qs.rule,
                    "function": qs.function,
                    "phase": qs.phase,
                }
            )
        else:
            lines.append(qs.model_copy(update={"percent": rest}))
        if qs_material is not None:
            used.append(_use(qs_material, rest, qs.phase))
    if filled > 100.0:
        draft.notes.append(f"ingredients add up to {filled:g} % before the continuous phase")
    lines.sort(key=lambda ln: (-ln.percent, ln.inci))
    percentages = {ln.inci: ln.percent for ln in lines}
    findings = check_rules(percentages, formulary=formulary, route=draft.route)
    note = reference_note(market)
    notes = [*draft.notes, *([note] if note else [])]
    cost, currency = _cost(used, lines, materials, notes)
    return FormulaStructure(
        product_type=draft.skeleton.id,
        label=draft.skeleton.label,
        lines=tuple(lines),
        raw_materials=tuple(used),
        procedure=_procedure(draft.skeleton, lines, used),
        ph_target=(
            (draft.window.min, draft.window.max)
            if draft.window and draft.skeleton.ph is not None
            else None
        ),
        cost_per_kg=cost,
        currency=currency,
        findings=tuple(findings),
        notes=tuple(notes),
    )


def _use(material: RawMaterial, percent: float, phase: str) -> RawMaterialUse:
    return RawMaterialUse(
        trade_name=material.trade_name,
        supplier=material.supplier,
        percent=round(percent, DECIMALS),
        phase=phase,
        cost_per_kg=material.cost_per_kg,
        currency=material.currency,
        contributes=tuple(
            (c.inci, round(percent * c.percent / 100.0, DECIMALS)) for c in material.components
        ),
    )


def _material_uses(
    draft: _Draft, totals: dict[str, tuple[float, StructureLine]]
) -> list[RawMaterialUse]:
    return [
        _use(material, amount, line.phase)
        for line, material, amount in draft.parts
        if material is not None
    ]


def _cost(
    used: list[RawMaterialUse],
    lines: list[StructureLine],
    materials: RawMaterialList | None,
    notes: list[str],
) -> tuple[float | None, str | None]:
    if materials is None or not used:
        return None, None
    currencies = {u.currency for u in used}
    if len(currencies) != 1:
        notes.append(
            f"raw materials are priced in several currencies ({', '.join(sorted(currencies))})"
        )
        return None, None
    covered = sum(u.percent for u in used)
    if covered < 100.0 - 10 ** -(DECIMALS - 1):
        notes.append(
            f"only {covered:.2f} % of the formula comes from priced raw materials; "
            "the cost per kg covers that share"
        )
    cost = sum(u.percent / 100.0 * u.cost_per_kg for u in used)
    return round(cost, 2), currencies.pop()


def _procedure(
    skeleton: Skeleton, lines: list[StructureLine], used: list[RawMaterialUse]
) -> tuple[ProcedureStep, ...]:
    by_phase: dict[str, list[str]] = {}
    named = {fold_inci(c[0]) for u in used for c in u.contributes}
    for u in used:
        by_phase.setdefault(u.phase, []).append(f"{u.trade_name} {u.percent:g} %")
    for ln in lines:
        if fold_inci(ln.inci) not in named:
            by_phase.setdefault(ln.phase, []).append(f"{ln.inci} {ln.percent:g} %")
    return tuple(
        ProcedureStep(
            phase=p.id,
            name=p.name,
            temperature_c=p.temperature_c,
            shear=p.shear.value,
            instruction=p.instruction,
            materials=tuple(by_phase.get(p.id, [])),
        )
        for p in skeleton.phases
    )


def compose_structure(
    skeleton: Skeleton,
    actives: Sequence[ActiveDose],
    *,
    formulary: Formulary,
    market: Market = Market.EU,
    route: AnnexRoute = "leave-on",
    raw_materials: RawMaterialList | None = None,
    preferences: Preferences | None = None,
) -> FormulaStructure:
    """Compose a formula a laboratory can make from the product type and the actives.

    Parameters
    ----------
    skeleton : Skeleton
        The product type (:func:`exoderm.design.skeletons.skeleton`).
    actives : sequence of ActiveDose
        The actives with their % w/w.
    formulary : Formulary
        Curated slot fillers (:func:`exoderm.design.formulary.load_formulary`).
    market : Market
        Where the product is sold (annex limits; markets without an offline register
        get the EU limits as the reference, noted on the result).
    route : {'leave-on', 'rinse-off'}
        Which annex limits apply.
    raw_materials : RawMaterialList, optional
        The user's raw materials: slots and actives are placed as raw materials and
        expanded into INCI names; the cost per kg follows from their prices.
    preferences : Preferences, optional
        Vegan only, allergens to avoid.

    Returns
    -------
    FormulaStructure
        INCI lines adding up to 100 % (4 decimals), raw materials, procedure by phase,
        target pH window, cost per kg and every rule finding.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 19(1)(g) (INCI list in descending order)
       and Annexes II-VI (limits).
    .. [2] Barel AO, Paye M, Maibach HI (eds.), Handbook of Cosmetic Science and
       Technology, 4th ed., CRC Press, 2014 (phases and order of addition).

    Examples
    --------
    >>> from exoderm.design.formulary import load_formulary
    >>> from exoderm.design.skeletons import skeleton
    >>> s = compose_structure(skeleton("aqueous-serum"), [], formulary=load_formulary())
    >>> s.total
    100.0
    """
    prefs = preferences or Preferences()
    draft = _Draft(skeleton=skeleton, route=route, window=skeleton.ph)
    if any(a.is_ev for a in actives) and not skeleton.accepts_ev:
        draft.notes.append(
            f"this product type ({skeleton.label}) cannot carry an aqueous EV preparation; "
            "choose another product type"
        )
    _place_actives(actives, draft, raw_materials)
    for slot in skeleton.slots:
        if slot.qs or slot.percent is None:
            continue
        placed = raw_materials is not None and _fill_from_materials(
            slot.function, slot.percent, slot.phase, slot.prefer, draft, raw_materials, formulary
        )
        if not placed and not _fill_slot(slot, draft, formulary, prefs):
            draft.notes.append(
                f"no allowed ingredient can fill the {slot.function.value} slot "
                f"(phase {slot.phase}) under these constraints"
            )
    return _finish(draft, formulary, raw_materials, prefs, market)
