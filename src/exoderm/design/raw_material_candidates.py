"""A formulator's raw materials as the optimiser's candidates.

With a raw-material list, the optimiser chooses among the raw materials a formulator can
buy rather than among bare INCI names: every raw material that carries a catalogue
active (an EV source or co-active, matched by INCI name) becomes a candidate whose
evidence is the evidence of the actives it carries, dosed so that its main active is at
its use level, and whose cost tier follows from what it adds to a kilogram of product.
Catalogue actives that some raw material carries are then offered only through those
raw materials; actives no raw material carries stay candidates as INCI names (the
composer notes them as unpriced). Raw materials without an active (water, glycerin,
thickeners…) are left to the composer, which fills the product skeleton's slots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from exoderm.design.catalogue import Catalogue
from exoderm.design.ingredient import Effect, Ingredient, Kind, Origin, PhWindow
from exoderm.design.inventory import fold_inci
from exoderm.design.raw_materials import RawMaterial, RawMaterialList

#: Cost tiers from the cost a raw material adds to 1 kg of product at its dose (price per
#: kg × share): exoderm's bands, chosen so that commodity actives (niacinamide at 5 %
#: from a 20 EUR/kg powder adds 1 EUR) sit in tier 2 and biologics in tier 3.
COST_BANDS_PER_KG = (0.5, 2.0)
PREFIX = "rm-"


def raw_material_key(trade_name: str) -> str:
    """The catalogue key of a raw material candidate.

    Examples
    --------
    >>> raw_material_key("Example Niacinamide PC")
    'rm-example-niacinamide-pc'
    """
    return PREFIX + re.sub(r"[^a-z0-9]+", "-", trade_name.lower()).strip("-")


@dataclass(frozen=True)
class Carried:
    """A catalogue active inside a raw material, with its share (% w/w of the material)."""

    item: Ingredient
    share: float


def _carried(material: RawMaterial, actives: dict[str, Ingredient]) -> list[Carried]:
    found = [
        Carried(actives[fold_inci(c.inci)], c.percent)
        for c in material.components
        if fold_inci(c.inci) in actives
    ]
    return sorted(found, key=lambda c: -c.share)


def _effects(carried: list[Carried]) -> list[Effect]:
    by_target: dict[str, list] = {}
    for c in carried:
        for effect in c.item.effects:
            by_target.setdefault(effect.target, []).extend(effect.evidence)
    return [Effect(target=t, evidence=items) for t, items in by_target.items()]


def _ph(carried: list[Carried]) -> PhWindow | None:
    windows = [c.item.ph for c in carried if c.item.ph is not None]
    if not windows:
        return None
    low, high = max(w.min for w in windows), min(w.max for w in windows)
    if low > high:
        return windows[0]
    return PhWindow(min=low, max=high, source="; ".join(w.source for w in windows))


def _tier(material: RawMaterial, main: Carried) -> int:
    dose = main.item.use_level.typical if main.item.use_level else 1.0
    added = material.cost_per_kg * dose / main.share
    return 1 + sum(added >= band for band in COST_BANDS_PER_KG)


def _candidate(material: RawMaterial, carried: list[Carried]) -> Ingredient:
    main = carried[0]
    items = [c.item for c in carried]
    shares = ", ".join(f"{c.item.inci} {c.share:g} %" for c in carried)
    routes = [r for r in main.item.routes if all(r in i.routes for i in items)]
    classes = [k for k in main.item.classes if all(k in i.classes for i in items)]
    human = any(i.origin is Origin.human for i in items)
    return Ingredient(
        key=raw_material_key(material.trade_name),
        name=material.trade_name,
        inci=main.item.inci,
        kind=Kind.ev_source if main.item.kind is Kind.ev_source else Kind.co_active,
        origin=Origin.human if human else main.item.origin,
        role=f"raw material from {material.supplier}: {shares}",
        routes=routes or main.item.routes,
        classes=classes or main.item.classes,
        vegan=all(i.vegan for i in items),
        cost_tier=_tier(material, main),
        risk=max(i.risk for i in items),
        risk_basis="; ".join(dict.fromkeys(i.risk_basis for i in items)),
        kg_node=main.item.kg_node,
        allergens=sorted({a for i in items for a in i.allergens}),
        incompatible_with=sorted({k for i in items for k in i.incompatible_with}),
        use_level=main.item.use_level,
        ph=_ph(carried),
        stability=main.item.stability,
        effects=_effects(carried),
        notes=f"{material.cost_per_kg:g} {material.currency}/kg",
    )


def with_raw_materials(catalogue: Catalogue, materials: RawMaterialList) -> Catalogue:
    """The catalogue whose actives are offered through the raw materials that carry them.

    Parameters
    ----------
    catalogue : Catalogue
        The catalogue (packaged, formulary actives, imported entries).
    materials : RawMaterialList
        The formulator's raw materials.

    Returns
    -------
    Catalogue
        Vehicles, delivery options and actives no raw material carries, plus one
        candidate per raw material that carries an active.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009, Art. 19(1)(g): the label lists the INCI names
       of every ingredient, so a blend contributes each of its components.

    Examples
    --------
    >>> from exoderm.design.catalogue import load_catalogue
    >>> from exoderm.design.raw_materials import RawMaterialComponent
    >>> niacinamide = RawMaterial(trade_name="B3 powder", supplier="A", cost_per_kg=20.0,
    ...     components=(RawMaterialComponent(inci="Niacinamide", percent=100.0),))
    >>> c = with_raw_materials(load_catalogue(), RawMaterialList(materials=(niacinamide,)))
    >>> "niacinamide" in c.ingredients, c.get("rm-b3-powder").inci
    (False, 'Niacinamide')
    """
    actives = {fold_inci(i.inci): i for i in catalogue if i.is_active and i.inci}
    candidates: list[Ingredient] = []
    carried_keys: set[str] = set()
    for material in materials.materials:
        carried = _carried(material, actives)
        if carried:
            candidates.append(_candidate(material, carried))
            carried_keys |= {c.item.key for c in carried}
    kept = {k: i for k, i in catalogue.ingredients.items() if k not in carried_keys}
    kept.update({c.key: c for c in candidates})
    return Catalogue(kept, catalogue.targets, catalogue.synergies, catalogue.imported)


def material_of(item: Ingredient, materials: RawMaterialList | None) -> RawMaterial | None:
    """The raw material a candidate stands for (None for a plain catalogue ingredient)."""
    if materials is None or not item.key.startswith(PREFIX):
        return None
    return next(
        (m for m in materials.materials if raw_material_key(m.trade_name) == item.key), None
    )
