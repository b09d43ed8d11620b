"""The release decision: every criterion of a spec sheet with measured value, limit, verdict.

Verdicts: ``pass``; ``fail`` (tested and out of specification); ``review`` (data missing
or a check that needs a person, e.g. an incomplete MISEV checklist); ``info`` (reported,
no limit); ``n/a`` (an optional criterion without data). The decision is **reject** if
any criterion fails, **needs review** if any is in review, otherwise **release**: a batch
is never released on missing data, and never rejected for a test that was not done.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

from exoderm.qc.evmetric import EvMetric, ev_metric
from exoderm.qc.facts import SINGLE_PARTICLE_METHODS, BatchFacts, measurement_label
from exoderm.qc.measurement import ParticleMeasurement
from exoderm.qc.misev_checklist import Checklist, misev_checklist
from exoderm.qc.nomenclature import NameVerdict, nomenclature_gate
from exoderm.qc.purity import purity_tier
from exoderm.qc.separation import assess_separation
from exoderm.qc.specs import Criterion, Spec

Verdict = Literal["pass", "fail", "review", "info", "n/a"]
Decision = Literal["release", "reject", "needs review"]


@dataclass(frozen=True)
class CriterionResult:
    id: str
    title: str
    measured: str
    limit: str
    verdict: Verdict
    source: str
    #: The measurement(s) this criterion read (method, instrument, file).
    measurements: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReleaseDecision:
    lot: str
    product: str
    spec: str
    decision: Decision
    criteria: tuple[CriterionResult, ...]
    checklist: Checklist
    metric: EvMetric
    naming: NameVerdict

    def as_rows(self) -> list[dict[str, Any]]:
        return [c.__dict__ for c in self.criteria]


def _fmt(value: Any, unit: str | None = None) -> str:
    if value is None:
        return "not measured"
    if unit == "fraction" and isinstance(value, int | float):
        return f"{value:.1%}"
    text = f"{value:.3g}" if isinstance(value, float) else str(value)
    return f"{text} {unit}" if unit else text


ATTRIBUTES: dict[str, Callable[[BatchFacts], Any]] = {
    "sterility": lambda f: f.record.safety.sterility,
    "mycoplasma": lambda f: f.record.safety.mycoplasma,
    "endotoxin_eu_per_ml": lambda f: f.record.safety.endotoxin_eu_per_ml,
    "mode_nm": lambda f: f.mode_nm,
    "fraction_50_400": lambda f: f.fraction_50_400,
    "fraction_below_200": lambda f: f.value("fraction_below_200"),
    "fraction_30_150": lambda f: f.value("fraction_30_150"),
    "particles_per_ug_protein": lambda f: f.particles_per_ug_protein,
    "particles_per_ml": lambda f: f.particles_per_ml,
    "d50_nm": lambda f: f.value("d50_nm"),
    "detergent_lysis_sensitive": lambda f: (
        None
        if f.record.detergent_lysis_sensitive is None
        else str(f.record.detergent_lysis_sensitive).lower()
    ),
    "potency_value": lambda f: f.record.potency.value if f.record.potency else None,
}


def _recorded_unit(c: Criterion, facts: BatchFacts) -> str | None:
    """The unit the batch record gives a value the spec leaves without one (potency)."""
    potency = facts.record.potency
    if c.attribute != "potency_value" or potency is None or potency.value is None:
        return None
    return potency.unit or "(unit not recorded)"


def _missing(c: Criterion) -> Verdict:
    return "review" if c.required else "n/a"


def _limit_check(c: Criterion, value: Any) -> tuple[str, Verdict]:
    sign = {"max": "<" if c.strict else "≤", "min": ">" if c.strict else "≥"}[c.kind]
    limit = f"{sign} {_fmt(c.limit, c.unit)}"
    if value is None:
        return limit, _missing(c)
    assert c.limit is not None
    if c.kind == "max":
        ok = value < c.limit if c.strict else value <= c.limit
    else:
        ok = value > c.limit if c.strict else value >= c.limit
    return limit, "pass" if ok else "fail"


def _markers(c: Criterion, facts: BatchFacts) -> tuple[str, str, Verdict]:
    wanted = {m.upper() for m in c.markers}
    tested = [m for m in facts.record.markers if m.protein.upper() in wanted]
    if c.kind == "markers_present":
        present = [m.protein for m in tested if m.present]
        limit = f"≥ {c.min_count} of {', '.join(c.markers)} present"
        if len(present) >= c.min_count:
            return ", ".join(present) + " present", limit, "pass"
        if any(not m.present for m in tested):
            absent = ", ".join(m.protein for m in tested if not m.present)
            return f"{absent} absent", limit, "fail"
        return (", ".join(present) or "not tested"), limit, _missing(c)
    limit = f"≥ {c.min_count} of {', '.join(c.markers)} tested, all absent"
    present = [m.protein for m in tested if m.present]
    if present:
        return ", ".join(present) + " present", limit, "fail"
    if len(tested) >= c.min_count:
        return ", ".join(m.protein for m in tested) + " absent", limit, "pass"
    return "not tested", limit, _missing(c)


def _separation(c: Criterion, facts: BatchFacts) -> tuple[str, str, Verdict]:
    """MISEV2018 recovery/specificity class of the separation design; flags purity risks."""
    methods = facts.record.separation + facts.record.concentration_methods
    limit = "known MISEV class, not precipitation alone"
    if not methods:
        return "not recorded", limit, _missing(c)
    a = assess_separation(methods)
    classes = ", ".join(
        f"{m} (class {k.value})" if k is not None else f"{m} (class unknown)"
        for m, k in a.per_method.items()
    )
    overall = f"; overall class {a.overall.value}" if a.overall is not None else ""
    measured = classes + overall + (f"; {a.purity_risk}" if a.purity_risk else "")
    ok = a.overall is not None and a.purity_risk is None
    return measured, limit, "pass" if ok else "review"


#: Criteria read from the single-particle measurement (its warnings concern them).
COUNTER_ATTRIBUTES = frozenset(
    {
        "mode_nm",
        "fraction_50_400",
        "fraction_below_200",
        "fraction_30_150",
        "particles_per_ug_protein",
        "particles_per_ml",
        "d50_nm",
    }
)
#: Criteria that need the stock concentration, hence a recorded dilution.
STOCK_ATTRIBUTES = frozenset({"particles_per_ug_protein", "particles_per_ml"})
UNKNOWN_DILUTION = "unknown (dilution not recorded)"
SIZING_METHODS = frozenset({"NTA", "TRPS", "flow", "DLS"})


def _size_of(m: ParticleMeasurement) -> tuple[str, float] | None:
    for label, value in (("mode", m.mode_nm), ("D50", m.d50_nm), ("Z-average", m.z_average_nm)):
        if value is not None:
            return label, value
    return None


def _orthogonal(c: Criterion, facts: BatchFacts) -> tuple[str, str, Verdict, tuple[str, ...]]:
    """Every other sizing measurement against the one the criteria use, within tolerance."""
    tolerance = c.tolerance if c.tolerance is not None else 0.2
    factor = c.factor if c.factor is not None else 2.0
    limit = f"size within ± {tolerance:.0%}, concentration within × {factor:g}"
    base = facts.counter
    replicates = facts.replicates or ((base,) if base else ())
    others = [
        m
        for m in facts.measurements
        if all(m is not r for r in replicates) and m.method in SIZING_METHODS
    ]
    if base is None or not others:
        return "one sizing measurement: nothing to compare", limit, "n/a", ()
    used = (*(measurement_label(r) for r in replicates), *(measurement_label(m) for m in others))
    findings: list[str] = []
    compared: list[str] = []
    base_size = _size_of(base)
    # replicates of the base measurement are compared through their combined mean
    combined_key = {"mode": "mode_nm", "D50": "d50_nm"}
    if base_size is not None and base_size[0] in combined_key:
        mean = facts.value(combined_key[base_size[0]])
        base_size = (base_size[0], mean if mean is not None else base_size[1])
    base_stock = facts.particles_per_ml
    for m in others:
        size = _size_of(m)
        if base_size is not None and size is not None and base_size[0] == size[0]:
            a, b = base_size[1], size[1]
            compared.append(f"{size[0]} {a:.4g} vs {b:.4g} nm")
            if abs(a - b) > tolerance * max(a, b):
                findings.append(
                    f"{size[0]} {a:.4g} nm ({measurement_label(base)}) vs {b:.4g} nm "
                    f"({measurement_label(m)}) differ by more than {tolerance:.0%}"
                )
        ca, cb = base_stock, m.stock_concentration_per_ml
        if m.method in SINGLE_PARTICLE_METHODS and ca and cb:
            compared.append(f"stock {ca:.3g} vs {cb:.3g} particles/mL")
            if max(ca, cb) / min(ca, cb) > factor:
                findings.append(
                    f"stock concentration {ca:.3g}/mL ({measurement_label(base)}) vs "
                    f"{cb:.3g}/mL ({measurement_label(m)}) differ by more than × {factor:g}"
                )
    if findings:
        return "; ".join(findings), limit, "review", used
    if not compared:
        return "no common value to compare", limit, "review", used
    return "agree: " + "; ".join(compared), limit, "pass", used


#: Counter attributes whose value scales with the stock concentration (SE scales too).
_STOCK_SCALE: dict[str, Callable[[BatchFacts], float | None]] = {
    "particles_per_ml": lambda f: 1.0,
    "particles_per_ug_protein": lambda f: (
        1.0 / f.record.protein.ug_per_ml if f.record.protein else None
    ),
}


def _replicate_text(c: Criterion, facts: BatchFacts) -> str | None:
    """``± SE (mean ± SE over n = k replicate measurements)`` when there are several."""
    key = "particles_per_ml" if c.attribute in _STOCK_SCALE else c.attribute
    combined = facts.combined.get(key or "")
    if combined is None or combined.n < 2 or combined.se is None:
        return None
    scale = _STOCK_SCALE[c.attribute](facts) if c.attribute in _STOCK_SCALE else 1.0
    if scale is None:
        return None
    se = combined.se * scale
    text = f"{se:.1%}" if c.unit == "fraction" else f"{se:.2g}"
    return f"± {text} (mean ± SE over n = {combined.n} replicate measurements)"


def _instrument_check(c: Criterion, facts: BatchFacts, result: CriterionResult) -> CriterionResult:
    """Instrument warnings and an unknown dilution make a counter criterion need review.

    With several replicate measurements (same method and instrument) the value is their
    mean ± SE and the criterion names every one of them.
    """
    m = facts.counter
    if m is None or c.attribute not in COUNTER_ATTRIBUTES:
        return result
    replicates = facts.replicates or (m,)
    measured, verdict = result.measured, result.verdict
    spread = _replicate_text(c, facts)
    if spread and measured not in ("not measured", ""):
        measured = f"{measured} {spread}"
    if c.attribute in STOCK_ATTRIBUTES and any(not r.dilution_recorded for r in replicates):
        measured, verdict = UNKNOWN_DILUTION, "review"
    warnings = [w for r in replicates for w in r.warnings]
    if warnings:
        words = "; ".join(dict.fromkeys(w.text for w in warnings))
        measured = f"{measured}; instrument warning: {words}"
        verdict = "review"
    key = "particles_per_ml" if c.attribute in _STOCK_SCALE else c.attribute
    combined = facts.combined.get(key or "")
    used = combined.used if combined else tuple(measurement_label(r) for r in replicates)
    return replace(result, measured=measured, verdict=verdict, measurements=used)


def _evaluate(
    c: Criterion, facts: BatchFacts, checklist: Checklist, naming: NameVerdict
) -> CriterionResult:
    if c.kind == "orthogonal":
        measured, limit, verdict, used = _orthogonal(c, facts)
        return CriterionResult(c.id, c.title, measured, limit, verdict, c.source, used)
    return _instrument_check(c, facts, _plain(c, facts, checklist, naming))


def _plain(
    c: Criterion, facts: BatchFacts, checklist: Checklist, naming: NameVerdict
) -> CriterionResult:
    value = ATTRIBUTES[c.attribute](facts) if c.attribute in ATTRIBUTES else None
    measured, limit = _fmt(value, c.unit or _recorded_unit(c, facts)), ""
    verdict: Verdict = "info"
    if c.kind in ("max", "min"):
        limit, verdict = _limit_check(c, value)
    elif c.kind == "equals":
        limit = f"= {c.expected}"
        verdict = _missing(c) if value is None else ("pass" if value == c.expected else "fail")
    elif c.kind in ("markers_present", "markers_absent"):
        measured, limit, verdict = _markers(c, facts)
    elif c.kind == "misev_checklist":
        limit = "all mandatory items met"
        verdict = "pass" if checklist.passed else "review"
        measured = "complete" if checklist.passed else "; ".join(checklist.reasons)
    elif c.kind == "nomenclature":
        limit = f"may be called '{naming.allowed_term}'"
        verdict = "pass" if naming.ok else "review"
        measured = "no naming issue" if naming.ok else "; ".join(naming.findings)
    elif c.kind == "separation":
        measured, limit, verdict = _separation(c, facts)
    elif c.kind == "provided":
        limit = "quantitative readout reported"
        verdict = "pass" if value is not None else _missing(c)
    elif c.kind == "label_tolerance":
        label = facts.record.labelled_particles_per_ml
        tol = c.tolerance or 0.0
        limit = f"label ± {tol:.0%}" if label is None else f"{label:.3g} ± {tol:.0%}"
        if label is None or value is None:
            verdict = _missing(c) if label is not None else "n/a"
        else:
            verdict = "pass" if abs(value - label) <= tol * label else "fail"
    elif c.kind == "report" and c.attribute == "particles_per_ug_protein" and value is not None:
        measured = f"{value:.3g} ({purity_tier(value)})"
    return CriterionResult(c.id, c.title, measured, limit, verdict, c.source)


def decide(results: tuple[CriterionResult, ...]) -> Decision:
    if any(r.verdict == "fail" for r in results):
        return "reject"
    if any(r.verdict == "review" for r in results):
        return "needs review"
    return "release"


def evaluate(facts: BatchFacts, spec: Spec) -> ReleaseDecision:
    """Test a batch against a specification."""
    checklist = misev_checklist(facts)
    naming = nomenclature_gate(facts)
    results = tuple(_evaluate(c, facts, checklist, naming) for c in spec.criteria)
    return ReleaseDecision(
        lot=facts.record.lot,
        product=facts.record.product,
        spec=spec.ref,
        decision=decide(results),
        criteria=results,
        checklist=checklist,
        metric=ev_metric(facts),
        naming=naming,
    )
