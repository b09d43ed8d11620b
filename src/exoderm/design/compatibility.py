"""Rules a formula must keep, checked on its INCI percentages: each finding names its rule.

* **Annex II**: an INCI name the EU lists as prohibited in cosmetic products.
* **Annex III, V, VI limits**: the maximum concentration in the ready-for-use product
  for the route (leave-on or rinse-off), and entries restricted to other product types.
* **pH windows**: every ingredient with a pH window must work at the formula's pH; with
  no pH given, the windows must overlap.
* **Declared incompatible pairs** (formulary, with sources).
* **Electrolyte-sensitive thickeners** with salts in the same formula.

Limits are read from the EU annexes (Reg. (EC) 1223/2009); the UK keeps them as retained
law. For other markets exoderm has no offline register and applies the EU limits as the
reference, saying so on every finding list.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.annex_limits import limit_for, prohibited
from exoderm.design.formulary import Formulary
from exoderm.design.ingredient import PhWindow
from exoderm.design.inventory import fold_inci
from exoderm.markets import Market

#: Markets whose own law the annex limits are (retained in the UK by SI 2019/696).
ANNEX_LAW = frozenset({Market.EU, Market.UK})
#: Carbomer-type thickeners lose viscosity when salts are present (Lubrizol, "Formulating
#: Carbopol polymers: electrolyte tolerance", technical data sheet TDS-237 [S]).
ELECTROLYTE_RULE = "electrolyte-sensitive thickener with salts (Lubrizol TDS-237 [S])"
_SALT_PREFIXES = ("sodium ", "potassium ", "magnesium ", "calcium ", "zinc ", "disodium ")
_SALT_EXCEPTIONS = ("sodium hyaluronate", "sodium polyacrylate", "sodium carbomer")


class Severity(enum.StrEnum):
    error = "error"
    warning = "warning"


class FindingKind(enum.StrEnum):
    prohibited = "prohibited"
    over_limit = "over-limit"
    not_for_route = "not-for-route"
    ph_clash = "ph-clash"
    incompatible = "incompatible"
    electrolyte = "electrolyte"
    unpreserved = "unpreserved"


class Finding(BaseModel):
    """One broken (or at-risk) rule, with the ingredients and the rule's source."""

    model_config = ConfigDict(frozen=True)

    kind: FindingKind
    severity: Severity
    ingredients: tuple[str, ...]
    message: str
    rule: str


def _annex_findings(percentages: Mapping[str, float], route: AnnexRoute) -> list[Finding]:
    out: list[Finding] = []
    for inci, percent in percentages.items():
        banned = prohibited(inci)
        if banned is not None:
            out.append(
                Finding(
                    kind=FindingKind.prohibited,
                    severity=Severity.error,
                    ingredients=(inci,),
                    message=f"{inci} is prohibited in cosmetic products",
                    rule=banned,
                )
            )
            continue
        limit = limit_for(inci, route)
        if limit is None:
            continue
        if not limit.allowed:
            out.append(
                Finding(
                    kind=FindingKind.not_for_route,
                    severity=Severity.error,
                    ingredients=(inci,),
                    message=f"{inci} is restricted to other product types than {route} "
                    f"products ({limit.product_types or 'see the annex'})",
                    rule=limit.citation,
                )
            )
        elif limit.max_percent is not None and percent > limit.max_percent + 1e-9:
            out.append(
                Finding(
                    kind=FindingKind.over_limit,
                    severity=Severity.error,
                    ingredients=(inci,),
                    message=f"{inci} at {percent:g} % exceeds the maximum of "
                    f"{limit.max_percent:g} % for {route} products",
                    rule=limit.citation,
                )
            )
    return out


def _windows(percentages: Mapping[str, float], formulary: Formulary) -> dict[str, PhWindow]:
    out: dict[str, PhWindow] = {}
    for inci in percentages:
        entry = formulary.get(inci)
        if entry is not None and entry.ph is not None:
            out[inci] = entry.ph
    return out


def ph_findings(
    percentages: Mapping[str, float], formulary: Formulary, ph: float | None
) -> list[Finding]:
    """pH clashes: an ingredient that does not work at ``ph``, or two disjoint windows.

    Examples
    --------
    >>> from exoderm.design.formulary import load_formulary
    >>> ph_findings({"Aqua": 99.0}, load_formulary(), 6.5)
    []
    """
    windows = _windows(percentages, formulary)
    if ph is not None:
        return [
            Finding(
                kind=FindingKind.ph_clash,
                severity=Severity.error,
                ingredients=(inci,),
                message=f"{inci} needs pH {w.min:g}-{w.max:g}; the formula is at pH {ph:g}",
                rule=w.source,
            )
            for inci, w in windows.items()
            if not w.contains(ph)
        ]
    out: list[Finding] = []
    names = list(windows)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            if not windows[a].overlaps(windows[b]):
                wa, wb = windows[a], windows[b]
                out.append(
                    Finding(
                        kind=FindingKind.ph_clash,
                        severity=Severity.error,
                        ingredients=(a, b),
                        message=f"{a} needs pH {wa.min:g}-{wa.max:g} but {b} needs pH "
                        f"{wb.min:g}-{wb.max:g}: no pH suits both",
                        rule=f"{wa.source}; {wb.source}",
                    )
                )
    return out


def _pair_findings(percentages: Mapping[str, float], formulary: Formulary) -> list[Finding]:
    present = {fold_inci(name): name for name in percentages}
    out: list[Finding] = []
    for inci in percentages:
        entry = formulary.get(inci)
        for bad in entry.incompatible_with if entry else []:
            other = present.get(fold_inci(bad.inci))
            if other is not None:
                out.append(
                    Finding(
                        kind=FindingKind.incompatible,
                        severity=Severity.error,
                        ingredients=(inci, other),
                        message=f"{inci} with {other}: {bad.reason}",
                        rule=bad.source,
                    )
                )
    return out


def is_salt(inci: str) -> bool:
    """Whether an INCI name is an inorganic or small organic salt (an electrolyte).

    Examples
    --------
    >>> is_salt("Sodium Citrate"), is_salt("Sodium Hyaluronate"), is_salt("Glycerin")
    (True, False, False)
    """
    name = " ".join(inci.lower().split())
    return name.startswith(_SALT_PREFIXES) and not name.startswith(_SALT_EXCEPTIONS)


def _electrolyte_findings(percentages: Mapping[str, float], formulary: Formulary) -> list[Finding]:
    salts = [inci for inci, p in percentages.items() if is_salt(inci) and p >= 0.5]
    out: list[Finding] = []
    for inci in percentages:
        entry = formulary.get(inci)
        if entry is not None and entry.electrolyte_sensitive and salts:
            out.append(
                Finding(
                    kind=FindingKind.electrolyte,
                    severity=Severity.warning,
                    ingredients=(inci, *salts),
                    message=f"{inci} loses viscosity with salts ({', '.join(salts)} at >= 0.5 %)",
                    rule=ELECTROLYTE_RULE,
                )
            )
    return out


def check_rules(
    percentages: Mapping[str, float],
    *,
    formulary: Formulary,
    route: AnnexRoute = "leave-on",
    ph: float | None = None,
) -> list[Finding]:
    """Every rule finding for a formula given as INCI → % w/w.

    Parameters
    ----------
    percentages : mapping of str to float
        INCI name → % w/w of the finished product (raw materials already expanded).
    formulary : Formulary
        Curated pH windows, incompatibilities and electrolyte sensitivity.
    route : {'leave-on', 'rinse-off'}
        Which annex limits apply.
    ph : float, optional
        The formula's pH; without it, pH windows are checked for overlap.

    Returns
    -------
    list of Finding
        Errors first; empty when the formula keeps every rule.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 on cosmetic products, Annexes II, III, V and VI.

    Examples
    --------
    >>> from exoderm.design.formulary import load_formulary
    >>> [f.kind.value for f in check_rules({"Phenoxyethanol": 1.5, "Aqua": 98.5},
    ...                                    formulary=load_formulary())]
    ['over-limit']
    """
    found = (
        _annex_findings(percentages, route)
        + ph_findings(percentages, formulary, ph)
        + _pair_findings(percentages, formulary)
        + _electrolyte_findings(percentages, formulary)
    )
    return sorted(found, key=lambda f: f.severity is not Severity.error)


def reference_note(market: Market) -> str | None:
    """What the limits mean for ``market`` when they are not its own law."""
    if market in ANNEX_LAW:
        return None
    return (
        f"exoderm has no offline register of {market.value} ingredient limits; the EU annex "
        "limits (Reg. (EC) 1223/2009) were applied as the reference - confirm against "
        f"the {market.value} rules before filing"
    )
