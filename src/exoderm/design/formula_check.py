"""Checking a formula a formulator already has: every rule it breaks, with the rule.

The formula arrives as INCI names and raw materials with percentages
(:mod:`exoderm.design.formula_file`); raw materials are expanded into their INCI names,
so a preservative inside a blend counts toward the preservative's limit. The findings are
those of :func:`exoderm.design.compatibility.check_rules` (Annex II prohibitions, annex
limits for the route, pH windows at the formula's pH, declared incompatible pairs,
electrolyte-sensitive thickeners) plus two checks of the whole formula: human-derived
material where the market prohibits it in cosmetics, and an aqueous product without a
preservative.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, computed_field

from exoderm.design.annex_limits import Route as AnnexRoute
from exoderm.design.compatibility import (
    Finding,
    FindingKind,
    Severity,
    check_rules,
    reference_note,
)
from exoderm.design.formula_file import FormulaFile
from exoderm.design.formulary import Formulary, Function
from exoderm.design.inventory import fold_inci
from exoderm.markets import Market

#: Above this much water an unpreserved product needs a challenge test to show it is
#: protected (ISO 11930:2019, evaluation of the antimicrobial protection of a cosmetic
#: product; ISO 29621:2017 names low-risk products such as anhydrous ones).
WATER_NEEDING_PRESERVATION = 10.0
PRESERVATION_RULE = (
    "ISO 11930:2019 (antimicrobial protection of a cosmetic product) and ISO 29621:2017 "
    "(low-risk products): an aqueous product needs a preservative or a challenge test"
)


class FormulaCheckRead(BaseModel):
    """The verdict on one formula: its INCI totals and every finding."""

    model_config = ConfigDict(frozen=True)

    source: str
    market: str
    route: str
    ph: float | None
    total_percent: float
    inci_percentages: dict[str, float]
    findings: list[Finding]
    notes: list[str]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.error]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def passed(self) -> bool:
        """No rule is broken (warnings may remain)."""
        return not self.errors


def _preservation(percentages: dict[str, float], formulary: Formulary) -> list[Finding]:
    water = sum(p for inci, p in percentages.items() if fold_inci(inci) in {"aqua", "water"})
    if water < WATER_NEEDING_PRESERVATION:
        return []
    preserved = any(
        (entry := formulary.get(inci)) is not None and entry.fills(Function.preservative)
        for inci in percentages
    )
    if preserved:
        return []
    return [
        Finding(
            kind=FindingKind.unpreserved,
            severity=Severity.warning,
            ingredients=("Aqua",),
            message=f"{water:g} % water and no preservative the formulary knows: show "
            "protection with a challenge test or add a preservative",
            rule=PRESERVATION_RULE,
        )
    ]


def _human_derived(percentages: dict[str, float], formulary: Formulary) -> list[Finding]:
    human = [
        inci
        for inci in percentages
        if (entry := formulary.get(inci)) is not None and entry.human_derived
    ]
    return [
        Finding(
            kind=FindingKind.prohibited,
            severity=Severity.error,
            ingredients=(inci,),
            message=f"{inci} is of human origin",
            rule="Reg. (EC) 1223/2009 Annex II entry 416 (cells, tissues or products of "
            "human origin)",
        )
        for inci in human
    ]


def check_formula(
    formula: FormulaFile,
    *,
    formulary: Formulary,
    market: Market = Market.EU,
    route: AnnexRoute = "leave-on",
) -> FormulaCheckRead:
    """Every rule an existing formula breaks, for a market and route.

    Parameters
    ----------
    formula : FormulaFile
        The formula (:func:`exoderm.design.formula_file.read_formula`); its pH, if given,
        is the pH the windows are checked at.
    formulary : Formulary
        pH windows, incompatibilities, functions.
    market : Market
        Where the product is sold (markets without an offline register get the EU limits
        as the reference, noted).
    route : {'leave-on', 'rinse-off'}
        Which annex limits apply.

    Returns
    -------
    FormulaCheckRead
        The expanded INCI percentages and the findings, errors first.

    References
    ----------
    .. [1] Regulation (EC) No 1223/2009 on cosmetic products, Annexes II, III, V and VI.
    .. [2] ISO 11930:2019, Cosmetics - Microbiology - Evaluation of the antimicrobial
       protection of a cosmetic product.

    Examples
    --------
    >>> from exoderm.design.formula_file import formula_from_records
    >>> from exoderm.design.formulary import load_formulary
    >>> rows = [(2, {"ingredient": "Aqua", "percent": "98.5"}),
    ...         (3, {"ingredient": "Phenoxyethanol", "percent": "1.5"})]
    >>> check = check_formula(formula_from_records(rows), formulary=load_formulary())
    >>> [f.kind.value for f in check.findings]
    ['over-limit']
    """
    percentages = formula.inci_percentages()
    findings = check_rules(percentages, formulary=formulary, route=route, ph=formula.ph)
    findings += _human_derived(percentages, formulary) + _preservation(percentages, formulary)
    note = reference_note(market)
    return FormulaCheckRead(
        source=str(formula.source),
        market=market.value,
        route=route,
        ph=formula.ph,
        total_percent=round(formula.total_percent, 4),
        inci_percentages=percentages,
        findings=sorted(findings, key=lambda f: f.severity is not Severity.error),
        notes=[note] if note else [],
    )
