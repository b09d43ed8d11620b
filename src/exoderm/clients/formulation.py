"""The one place where a regimen asks the design engine for a home-care product.

Contract (issue: design): ``exoderm.design.formulate(FormulationRequest(...))`` returns a
result with ``.best`` (and ``.alternatives``) or raises ``InfeasibleError`` with
``.conflicts``. The client's constraints become the request: market, no human-origin
material where the market prohibits it, vegan / plant-only preferences, allergens and
screened-out ingredients excluded. If the engine is missing or the problem infeasible,
the regimen says so and carries on without a product — it never invents one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exoderm.clients.profile import ClientProfile
from exoderm.clients.screening import HUMAN_EV_PROHIBITED_MARKETS, INGREDIENT_KINDS


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


def _listed(obj: Any, name: str) -> list[Any]:
    """An attribute that may be a property or a method returning a list."""
    value = getattr(obj, name, [])
    return list(value() if callable(value) else value)


def _line(line: Any) -> dict[str, Any]:
    return {
        "key": getattr(line, "key", None),
        "kind": getattr(line, "kind", None),
        "inci": getattr(line, "inci", str(line)),
        "percent": getattr(line, "percent", None),
        "role": getattr(line, "role", ""),
        "name": getattr(line, "name", "") or getattr(line, "inci", str(line)),
        "covers": [
            {
                "target": getattr(c, "label", str(c)),
                "evidence_level": getattr(c, "best_level", None) or "inferred only",
                "citations": [str(x) for x in getattr(c, "citations", ())][:3],
            }
            for c in getattr(line, "covers", ())
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
        from exoderm.design import FormulationRequest, InfeasibleError, formulate
    except ImportError as exc:
        return ProductChoice(
            False,
            reason=f"design engine not available ({exc.name}); no product proposed",
            request=request,
        )
    try:
        result = formulate(FormulationRequest(**request))
    except InfeasibleError as exc:
        conflicts = [str(c) for c in getattr(exc, "conflicts", [])]
        return ProductChoice(
            False,
            reason="no formulation satisfies the constraints: " + "; ".join(conflicts),
            request=request,
        )
    best = result.best
    actives = _listed(best, "actives")
    inci = _listed(best, "inci_list")
    targets_out = [
        {
            "target": getattr(t, "label", str(t)),
            "weight": getattr(t, "weight", None),
            "contributors": list(getattr(t, "contributors", ())),
        }
        for t in getattr(best, "targets", [])
    ]
    return ProductChoice(
        True,
        name="personal serum: "
        + (", ".join(getattr(a, "name", "") or getattr(a, "inci", "") for a in actives) or "base"),
        inci=list(inci),
        actives=[_line(a) for a in actives],
        targets=targets_out,
        warnings=[str(w) for w in getattr(best, "warnings", [])],
        request=request,
    )
