"""The one place where a regimen asks the design engine for a home-care product.

Contract: ``exoderm.design.formulate(FormulationRequest(...))`` returns a typed
:class:`~exoderm.design.FormulationResult` whose ``.best`` is a
:class:`~exoderm.design.Formulation`, or raises :class:`~exoderm.design.InfeasibleError`
with ``.conflicts``. The client's constraints become the request: market, no human-origin
material where the market prohibits it, vegan / plant-only preferences, allergens and
screened-out ingredients excluded. If the problem is infeasible, the regimen says so and
carries on without a product — it never invents one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exoderm.clients.profile import ClientProfile
from exoderm.clients.screening import HUMAN_EV_PROHIBITED_MARKETS, INGREDIENT_KINDS
from exoderm.design import Formulation, FormulationRequest, InfeasibleError, Line, formulate


@dataclass
class ProductChoice:
    """The home-care product chosen by the design engine (or why there is none)."""

    available: bool
    name: str = ""
    inci: list[str] = field(default_factory=list)
    actives: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reason: str = ""
    request: dict[str, Any] = field(default_factory=dict)


def design_request(
    targets: dict[str, float], profile: ClientProfile, excluded: list[str]
) -> dict[str, Any]:
    """The FormulationRequest fields for this client (plain data, so it is reportable)."""
    return {
        "targets": targets,
        "market": profile.market,
        "no_human": profile.market in HUMAN_EV_PROHIBITED_MARKETS,
        "vegan": profile.vegan,
        "plant_only": profile.plant_only,
        "allergens": list(profile.allergies),
        # Kinds ("human-derived EV") are enforced by ``no_human``; allergens by ``allergens``.
        "exclude": [
            e for e in excluded if e not in profile.allergies and e not in INGREDIENT_KINDS
        ],
        "top": 1,
    }


def _line(line: Line) -> dict[str, Any]:
    return {
        "key": line.key,
        "kind": line.kind,
        "inci": line.inci,
        "percent": line.percent,
        "role": line.role,
        "name": line.name or line.inci,
        "covers": [
            {
                "target": c.label,
                "evidence_level": c.best_level or "inferred only",
                "citations": list(c.citations)[:3],
            }
            for c in line.covers
        ],
    }


def evidence_summary(active: dict[str, Any]) -> str:
    """'texture (case_series), collagen (in_vitro)': what an active covers, and how well."""
    return ", ".join(f"{c['target']} ({c['evidence_level']})" for c in active["covers"])


def propose_product(
    targets: dict[str, float], profile: ClientProfile, excluded: list[str]
) -> ProductChoice:
    """Ask the design engine for the best product under the client's constraints."""
    request = design_request(targets, profile, excluded)
    try:
        result = formulate(FormulationRequest.parse(request, source="client constraints"))
    except InfeasibleError as exc:
        conflicts = [str(c) for c in exc.conflicts]
        return ProductChoice(
            False,
            reason="no formulation satisfies the constraints: " + "; ".join(conflicts),
            request=request,
        )
    return _choice(result.best, request)


def _choice(best: Formulation, request: dict[str, Any]) -> ProductChoice:
    actives = best.actives
    return ProductChoice(
        True,
        name="personal serum: " + (", ".join(a.name or a.inci for a in actives) or "base"),
        inci=best.inci_list,
        actives=[_line(a) for a in actives],
        targets=[
            {"target": t.label, "weight": t.weight, "contributors": list(t.contributors)}
            for t in best.targets
        ],
        warnings=list(best.warnings),
        request=request,
    )
