"""The one place where a regimen asks the design engine for a home-care product.

Contract: ``exoderm.design.formulate(FormulationRequest(...))`` returns a typed
:class:`~exoderm.design.FormulationResult` whose ``.best`` is a
:class:`~exoderm.design.Formulation`, or raises :class:`~exoderm.design.InfeasibleError`
with ``.conflicts``. The client's constraints become the request: market, no human-origin
material where the market prohibits it, vegan / plant-only preferences, allergens and
screened-out ingredients excluded. If the problem is infeasible, the regimen says so and
carries on without a product — it never invents one.

The same seam designs the product applied in clinic after microneedling: route
``post-procedure-topical`` with the product type ``post-procedure-sterile`` (a sterile,
preservative-free single-dose solution, :mod:`exoderm.design.skeletons`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exoderm.clients.profile import ClientProfile
from exoderm.clients.screening import HUMAN_EV_PROHIBITED_MARKETS, INGREDIENT_KINDS
from exoderm.design import Formulation, FormulationRequest, InfeasibleError, Line, formulate
from exoderm.design.skeletons import skeleton

#: Design route and product type of the product put on microneedled skin.
POST_PROCEDURE_ROUTE = "post-procedure-topical"
STERILE_PRODUCT_TYPE = "post-procedure-sterile"


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
    product_type: str = ""
    sterile: bool = False


def design_request(
    targets: dict[str, float],
    profile: ClientProfile,
    excluded: list[str],
    *,
    product_type: str | None = None,
) -> dict[str, Any]:
    """The FormulationRequest fields for this client (plain data, so it is reportable).

    ``product_type`` ``post-procedure-sterile`` asks for the product put on microneedled
    skin, on the post-procedure route; without it, a leave-on home-care product.
    """
    placement: dict[str, Any] = {}
    if product_type == STERILE_PRODUCT_TYPE:
        placement = {"route": POST_PROCEDURE_ROUTE, "product_type": product_type}
    elif product_type is not None:
        placement = {"product_type": product_type}
    return {
        **placement,
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
    targets: dict[str, float],
    profile: ClientProfile,
    excluded: list[str],
    *,
    product_type: str | None = None,
) -> ProductChoice:
    """Ask the design engine for the best product under the client's constraints.

    Parameters
    ----------
    targets
        Design targets with weights.
    profile
        The client (market, preferences, allergies).
    excluded
        Ingredients screening removed.
    product_type
        A product skeleton id; ``post-procedure-sterile`` designs the sterile solution
        applied after microneedling (route ``post-procedure-topical``).

    Returns
    -------
    ProductChoice
        The product, or ``available=False`` with the design engine's conflicts.

    References
    ----------
    Soltani-Arabshahi R et al. (2014). Facial allergic granulomatous reaction and systemic
    hypersensitivity associated with microneedle therapy for skin rejuvenation. JAMA
    Dermatol 150(1):68-72. doi:10.1001/jamadermatol.2013.6955 (why only a product meant for
    needled skin may touch it).

    Examples
    --------
    >>> from exoderm.clients import parse_profile
    >>> client = parse_profile({"fitzpatrick": {"phototype": 5},
    ...                         "concerns": [{"name": "acne scars", "severity": 2}]})
    >>> sterile = propose_product({"acne-scars": 2.0, "collagen": 1.0}, client, [],
    ...                           product_type="post-procedure-sterile")
    >>> sterile.available, sterile.sterile, sterile.request["route"]
    (True, True, 'post-procedure-topical')
    """
    request = design_request(targets, profile, excluded, product_type=product_type)
    try:
        result = formulate(FormulationRequest.parse(request, source="client constraints"))
    except InfeasibleError as exc:
        conflicts = [str(c) for c in exc.conflicts]
        return ProductChoice(
            False,
            reason="no formulation satisfies the constraints: " + "; ".join(conflicts),
            request=request,
        )
    return _choice(result.best, request, product_type)


def _choice(best: Formulation, request: dict[str, Any], product_type: str | None) -> ProductChoice:
    actives = best.actives
    kind = skeleton(product_type) if product_type else None
    return ProductChoice(
        True,
        name=(kind.label.split(" (")[0] if kind else "personal serum")
        + ": "
        + (", ".join(a.name or a.inci for a in actives) or "base"),
        inci=best.inci_list,
        actives=[_line(a) for a in actives],
        targets=[
            {"target": t.label, "weight": t.weight, "contributors": list(t.contributors)}
            for t in best.targets
        ],
        warnings=list(best.warnings),
        request=request,
        product_type=kind.id if kind else "",
        sterile=kind.sterile if kind else False,
    )
