"""The formulation sheet as JSON, Markdown or HTML.

One dictionary (:func:`sheet_data`) carries everything a formulator needs — the INCI
list in descending order of concentration with percentages and roles, the targets each
active covers with evidence scores and citations, stability and pH notes, regulatory
status and annex findings, expected effects, candidate claims with verdicts — and the
three renderers only lay it out.

On request (``expected=``, from :func:`exoderm.simulate.expectation.expected_outcomes`)
the sheet adds "Expected effects (model)": the simulator's treated-vs-control endpoints
with the scenario and assumptions behind them (docs/simulate.md). Without it the sheet is
unchanged and nothing is simulated. HTML is rendered by Jinja2 with autoescaping, so
catalogue text can never inject markup.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import BaseModel, Field

from exoderm.design.claims import ClaimVerdictRead
from exoderm.design.formulation import Formulation, Line
from exoderm.design.structure import FormulaStructure
from exoderm.simulate.intervals import Band
from exoderm.simulate.scenario import TreatmentScenario

if TYPE_CHECKING:
    from exoderm.simulate.expectation import ExpectedOutcome

SheetFormat = Literal["json", "markdown", "html"]

CAVEAT = (
    "Evidence scores rank the support for each link (Open Targets-style harmonic sum, "
    "Ochoa et al. 2021, doi:10.1093/nar/gkaa1027); they are not probabilities. "
    "Ingredient evidence must be shown to hold for the finished product before a claim is "
    "made (Reg. (EU) 655/2013)."
)


class CoverageSheet(BaseModel):
    """One target an ingredient covers, with its evidence score and citations."""

    target: str
    label: str
    score: float
    refuting: float
    best_evidence: str | None
    citations: list[str]


class LineSheet(BaseModel):
    """One INCI line of the sheet (or one application procedure)."""

    inci: str
    percent: float | None
    role: str
    key: str | None
    name: str
    kind: str
    use_range: str
    regulatory_status: str
    regulatory_basis: str
    annex: list[str]
    stability: str
    ph: str
    risk: str
    notes: str
    covers: list[CoverageSheet]


class EffectSheet(BaseModel):
    """The formulation's weighted coverage of one requested target."""

    target: str
    label: str
    weight: float
    weighted_coverage: float
    contributors: list[str]
    is_disease: bool


class ClaimSheet(ClaimVerdictRead):
    """A claim verdict as the sheet shows it (the product class under ``class``)."""

    product_class: str = Field(serialization_alias="class")


class PredictionSheet(BaseModel):
    """The simulator's expected outcome for one model (a labelled model prediction)."""

    model: str | None
    targets: list[str]
    ingredient: str | None
    available: bool
    label: str
    scenario: TreatmentScenario | None
    endpoints: dict[str, float | None]
    intervals: dict[str, Band] = Field(default_factory=dict)
    interval_label: str = ""
    headline: list[str]
    assumptions: list[str]
    reason: str


class FormulationSheetRead(BaseModel):
    """The formulation sheet: everything a formulator needs, typed."""

    rank: int
    objective: float
    proven_optimal: bool
    market: str
    product_class: str
    route: str
    inci_list: list[str]
    ingredients: list[LineSheet]
    application: list[LineSheet]
    ph_window: list[float] | None
    expected_effects: list[EffectSheet]
    synergies: list[str]
    objective_terms: dict[str, float]
    claims: list[ClaimSheet]
    warnings: list[str]
    evidence_provider: str
    annex_register: str
    caveat: str
    expected_model: list[PredictionSheet] | None = Field(
        None, description="The simulator's predictions, only when asked for."
    )
    structure: FormulaStructure | None = Field(
        None,
        description="Phases in order of addition with temperatures, raw materials and cost "
        "(product types with a skeleton).",
    )


class FormulationSheetsRead(BaseModel):
    """The optimum's sheet and the sheets of the next distinct alternatives."""

    best: FormulationSheetRead = Field(description="The optimum's formulation sheet.")
    alternatives: list[FormulationSheetRead] = Field(description="Next distinct formulations.")


def _line(line: Line) -> LineSheet:
    return LineSheet(
        inci=line.inci,
        percent=line.percent,
        role=line.role,
        key=line.key,
        name=line.name,
        kind=line.kind,
        use_range=line.use_range,
        regulatory_status=line.regulatory,
        regulatory_basis=line.regulatory_basis,
        annex=list(line.annex),
        stability=line.stability,
        ph=line.ph,
        risk=line.risk_basis,
        notes=line.notes,
        covers=[
            CoverageSheet(
                target=c.target,
                label=c.label,
                score=round(c.score, 4),
                refuting=round(c.refuting, 4),
                best_evidence=c.best_level,
                citations=list(c.citations),
            )
            for c in line.covers
        ],
    )


def _prediction(e: ExpectedOutcome) -> PredictionSheet:
    return PredictionSheet(
        model=e.model,
        targets=list(e.targets),
        ingredient=e.ingredient,
        available=e.available,
        label=e.label,
        scenario=TreatmentScenario.model_validate(e.scenario) if e.scenario else None,
        endpoints=dict(e.endpoints),
        intervals=dict(e.intervals),
        interval_label=e.interval_label,
        headline=list(e.headline),
        assumptions=list(e.assumptions),
        reason=e.reason,
    )


def sheet(
    formulation: Formulation, expected: Sequence[ExpectedOutcome] | None = None
) -> FormulationSheetRead:
    """The typed formulation sheet; ``expected`` (model predictions) adds ``expected_model``."""
    f = formulation
    return FormulationSheetRead(
        rank=f.rank,
        objective=round(f.objective, 6),
        proven_optimal=f.proven_optimal,
        market=f.market,
        product_class=f.product_class,
        route=f.route,
        inci_list=f.inci_list,
        ingredients=[_line(ln) for ln in f.lines],
        application=[_line(ln) for ln in f.procedures],
        ph_window=list(f.ph_window) if f.ph_window else None,
        expected_effects=[
            EffectSheet(
                target=t.target,
                label=t.label,
                weight=t.weight,
                weighted_coverage=round(t.utility, 4),
                contributors=list(t.contributors),
                is_disease=t.is_disease,
            )
            for t in f.targets
        ],
        synergies=f.synergies,
        objective_terms={k: round(v, 6) for k, v in f.terms.items()},
        claims=[ClaimSheet.model_validate(c.model_dump()) for c in f.claims],
        warnings=f.warnings,
        evidence_provider=f.evidence_provider,
        annex_register=f.annex_register,
        caveat=CAVEAT,
        expected_model=[_prediction(e) for e in expected] if expected is not None else None,
        structure=f.structure,
    )


def sheet_data(
    formulation: Formulation, expected: Sequence[ExpectedOutcome] | None = None
) -> dict[str, Any]:
    """The formulation sheet as plain JSON-able data (:func:`sheet`, dumped).

    ``expected`` (model predictions) adds the ``expected_model`` section; ``None`` (the
    default) leaves the sheet exactly as before.
    """
    typed = sheet(formulation, expected)
    exclude = {"expected_model"} if expected is None else set()
    data: dict[str, Any] = typed.model_dump(mode="json", by_alias=True, exclude=exclude)
    return data


def render_json(formulation: Formulation, expected: Sequence[ExpectedOutcome] | None = None) -> str:
    return json.dumps(sheet_data(formulation, expected), indent=2, ensure_ascii=False)


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("exoderm.design", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = _percent
    return env


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g} %"


def _md_escape(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_html(formulation: Formulation, expected: Sequence[ExpectedOutcome] | None = None) -> str:
    template = _environment().get_template("sheet.html.j2")
    return template.render(sheet=sheet_data(formulation, expected))


def _value(value: float | None) -> str:
    return "not reached" if value is None else f"{value:.4g}"


def _band(band: dict[str, float | None] | None) -> str:
    if not band or band.get("low") is None or band.get("high") is None:
        return "—"
    return f"{band['low']:.4g} to {band['high']:.4g}"


def _model_markdown(predictions: list[dict[str, Any]]) -> list[str]:
    """The "Expected effects (model)" section (the simulator's predictions)."""
    e = _md_escape
    out = ["", "## Expected effects (model)", ""]
    for p in predictions:
        if not p["available"]:
            out.append(f"- no prediction: {e(p['reason'])}")
            continue
        out.append(f"### {e(p['model'])} — {e(', '.join(p['targets']))} ({e(p['ingredient'])})")
        out += ["", f"_{e(p['label'])}_", "", "| endpoint | value | 90 % interval |"]
        out.append("|---|---|---|")
        names = p["headline"] + [k for k in p["endpoints"] if k not in p["headline"]]
        out += [
            f"| {e(k)} | {_value(p['endpoints'][k])} | {_band(p['intervals'].get(k))} |"
            for k in names
        ]
        if p["interval_label"]:
            out += ["", f"_{e(p['interval_label'])}_"]
        out += ["", "Assumptions:", ""] + [f"- {e(a)}" for a in p["assumptions"]]
        out.append("")
    return out


def render_markdown(
    formulation: Formulation, expected: Sequence[ExpectedOutcome] | None = None
) -> str:
    """Markdown for reports and pull requests (tables escape '|')."""
    s = sheet_data(formulation, expected)
    e = _md_escape
    out = [
        f"# Formulation {s['rank']} — {s['market']} {s['product_class']}, {s['route']}",
        "",
        f"Objective {s['objective']:.4f} ({_proof(s['proven_optimal'])});"
        f" pH window {_ph(s['ph_window'])}; evidence from the {s['evidence_provider']}.",
        "",
        "## INCI list (descending concentration)",
        "",
        "| INCI | % w/w | role | status |",
        "|---|---|---|---|",
    ]
    for ing in s["ingredients"]:
        out.append(
            f"| {e(ing['inci'])} | {_percent(ing['percent'])} | {e(ing['role'])} "
            f"| {e(ing['regulatory_status'] or '—')} |"
        )
    if s.get("structure"):
        out += _structure_markdown(s["structure"])
    if s["application"]:
        out += ["", "## Application", ""]
        out += [f"- **{e(p['name'])}** — {e(p['risk'])}" for p in s["application"]]
    out += ["", "## Targets covered and evidence", ""]
    for ing in s["ingredients"] + s["application"]:
        for c in ing["covers"]:
            cites = "; ".join(c["citations"])
            out.append(
                f"- **{e(ing['name'] or ing['inci'])} → {e(c['label'])}**: score {c['score']:.3f}"
                f" (refuting {c['refuting']:.3f}; best {c['best_evidence']}). {e(cites)}"
            )
    out += ["", "## Expected effects", ""]
    for t in s["expected_effects"]:
        who = ", ".join(t["contributors"]) or "not covered"
        out.append(f"- {e(t['label'])}: weighted coverage {t['weighted_coverage']:.3f} ({who})")
    if "expected_model" in s:
        out += _model_markdown(s["expected_model"])
    out += ["", "## Stability and pH", ""]
    for ing in s["ingredients"]:
        if ing["key"]:
            out.append(
                f"- {e(ing['inci'])}: stability {e(ing['stability'] or 'n/a')}; "
                f"pH {e(ing['ph'] or 'n/a')}"
            )
    out += [
        "",
        "## Claims",
        "",
        "| claim | verdict | reason | rule | rewording |",
        "|---|---|---|---|---|",
    ]
    for c in s["claims"]:
        verdict = "accepted" if c["accepted"] else "rejected"
        out.append(
            f"| {e(c['text'])} | {verdict} | {e(c['reason'])} | {e(c['rule'])} "
            f"| {e(c['rewording'] or '')} |"
        )
    if s["synergies"]:
        out += ["", "## Synergies", ""] + [f"- {e(x)}" for x in s["synergies"]]
    if s["warnings"]:
        out += ["", "## Warnings", ""] + [f"- {e(w)}" for w in s["warnings"]]
    out += ["", f"_{CAVEAT}_", "", f"_Annex register: {e(s['annex_register'])}_", ""]
    return "\n".join(out)


def _structure_markdown(st: dict[str, Any]) -> list[str]:
    """Procedure by phase, raw materials and cost (a composed formula)."""
    e = _md_escape
    total = sum(ln["percent"] for ln in st["lines"])
    ph = st["ph_target"]
    cost = st["cost_per_kg"]
    out = [
        "",
        f"## Manufacturing procedure — {e(st['label'])}",
        "",
        f"Total {total:.2f} % w/w; target pH "
        + (f"{ph[0]:g}-{ph[1]:g}" if ph else "not applicable (anhydrous)")
        + "; cost "
        + (f"{cost:.2f} {st['currency']} per kg" if cost is not None else "not priced")
        + ".",
        "",
        "| phase | step | °C | shear | materials | instruction |",
        "|---|---|---|---|---|---|",
    ]
    for step in st["procedure"]:
        out.append(
            f"| {step['phase']} | {e(step['name'])} | {step['temperature_c']:g} | {step['shear']} "
            f"| {e('; '.join(step['materials']))} | {e(step['instruction'])} |"
        )
    if st["raw_materials"]:
        out += [
            "",
            "## Raw materials",
            "",
            "| trade name | supplier | % w/w | phase | price per kg | contributes |",
            "|---|---|---|---|---|---|",
        ]
        for rm in st["raw_materials"]:
            parts = "; ".join(f"{inci} {pct:g} %" for inci, pct in rm["contributes"])
            out.append(
                f"| {e(rm['trade_name'])} | {e(rm['supplier'])} | {rm['percent']:g} | "
                f"{rm['phase']} | {rm['cost_per_kg']:.2f} {rm['currency']} | {e(parts)} |"
            )
    if st["findings"]:
        out += ["", "## Rule findings", ""]
        out += [f"- {f['severity']}: {e(f['message'])} ({e(f['rule'])})" for f in st["findings"]]
    return out


def _proof(proven: bool) -> str:
    return "proven optimal" if proven else "best found within the time limit"


def _ph(window: list[float] | None) -> str:
    return f"{window[0]:g}-{window[1]:g}" if window else "not constrained"


def render_sheet(
    formulation: Formulation,
    fmt: SheetFormat = "markdown",
    *,
    expected: Sequence[ExpectedOutcome] | None = None,
) -> str:
    """The sheet in ``fmt`` ('json', 'markdown' or 'html').

    ``expected`` adds the "Expected effects (model)" section (see :func:`sheet_data`).
    """
    renderers = {"json": render_json, "markdown": render_markdown, "html": render_html}
    return renderers[fmt](formulation, expected)
