"""Regulatory status of an ingredient for a market and product class.

Status comes from three layers, most specific first: the ingredient's own
``regulatory`` overrides in the catalogue; for the EU, the CosIng annexes looked up by
INCI name (:mod:`exoderm.design.annexes`); then the origin/kind rules of
``design/data/regulation.yaml`` (EU Annex II 416 and China item 390 for human-origin
material, MFDS culture-fluid rule, FDA's position on exosome products). Routes are tied
to product classes there too: intradermal injection is never a cosmetic route.

The UK applies Regulation (EC) No 1223/2009 as retained in UK law (SI 2019/696,
Schedule 34) with the annex lists as retained, so the annex lookup and the
human-origin prohibition (Annex II entry 416) apply to the UK as to the EU.

References
----------
.. [1] Regulation (EC) No 1223/2009 of the European Parliament and of the Council of
   30 November 2009 on cosmetic products, Annex II entry 416. OJ L 342, 22.12.2009, p. 59.
.. [2] The Product Safety and Metrology etc. (Amendment etc.) (EU Exit) Regulations
   2019, SI 2019/696, Schedule 34 (Regulation (EC) No 1223/2009 as retained in UK law).
.. [3] US FDA. Public Safety Notification on Exosome Products, 6 December 2019.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from exoderm.design.annexes import annex_findings
from exoderm.design.ingredient import Ingredient, ProductClass, Route
from exoderm.markets import Market


class Status(enum.StrEnum):
    permitted = "permitted"
    restricted = "restricted"
    investigational = "investigational"
    unknown = "unknown"
    prohibited = "prohibited"

    @property
    def usable(self) -> bool:
        return self is not Status.prohibited

    @property
    def flagged(self) -> bool:
        """Usable, but the formulation sheet must show the condition or the gap."""
        return self in (Status.restricted, Status.investigational, Status.unknown)


#: Markets whose cosmetic law uses the EU annex lists (the UK retained them in 2019).
ANNEX_MARKETS = frozenset({Market.EU.value, Market.UK.value})


@dataclass(frozen=True)
class Verdict:
    """An ingredient's status in one market and class, and why."""

    status: Status
    basis: str


@dataclass(frozen=True)
class RouteRule:
    route: Route
    classes: tuple[ProductClass, ...]
    basis: str


@lru_cache(maxsize=1)
def _rules() -> dict[str, Any]:
    text = (resources.files("exoderm.design") / "data" / "regulation.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def route_rules() -> list[RouteRule]:
    return [
        RouteRule(Route(r["route"]), tuple(ProductClass(c) for c in r["classes"]), r["basis"])
        for r in _rules()["route_rules"]
    ]


def route_allowed(route: Route, product_class: ProductClass) -> Verdict:
    """Whether a product of this class may be applied by this route."""
    for rule in route_rules():
        if rule.route is route and product_class not in rule.classes:
            return Verdict(Status.prohibited, rule.basis)
    return Verdict(Status.permitted, "no route restriction for this class")


def _rule_matches(rule: dict[str, Any], ingredient: Ingredient, market: str, cls: str) -> bool:
    checks = {
        "market": market,
        "class": cls,
        "origin": ingredient.origin.value,
        "kind": ingredient.kind.value,
    }
    return all(rule[key] == value for key, value in checks.items() if key in rule)


def status(ingredient: Ingredient, market: Market | str, product_class: ProductClass) -> Verdict:
    """The status of ``ingredient`` in ``market`` for ``product_class``."""
    market = Market.parse(market).value
    for override in ingredient.regulatory:
        if override.market == market and override.product_class is product_class:
            return Verdict(Status(override.status), override.basis)
    if product_class not in ingredient.classes:
        return Verdict(
            Status.prohibited,
            f"not offered for class {product_class.value} in the catalogue entry",
        )
    if market in ANNEX_MARKETS and product_class is ProductClass.cosmetic:
        annex = _annex_verdict(ingredient)
        if annex is not None:
            return annex
    for rule in _rules()["rules"]:
        if _rule_matches(rule, ingredient, market, product_class.value):
            return Verdict(Status(rule["status"]), rule["basis"])
    return Verdict(Status.unknown, "no rule matched")


def _annex_verdict(ingredient: Ingredient) -> Verdict | None:
    """EU and UK cosmetics: an INCI name listed in Annex II is prohibited, III restricted."""
    findings = annex_findings(ingredient.inci)
    prohibited = [f for f in findings if f.annex == "II"]
    if prohibited:
        return Verdict(Status.prohibited, "; ".join(f.describe() for f in prohibited))
    restricted = [f for f in findings if f.annex in ("III", "IV", "V", "VI")]
    if restricted:
        return Verdict(Status.restricted, "; ".join(f.describe() for f in restricted))
    return None
