"""From concerns to a protocol: targets, a product, sessions, home care, follow-ups.

1. Concerns, weighted by severity (1–3), become design targets (``data/concerns.yaml``).
2. Screening removes what the client must not have; the design engine formulates the
   home-care product under the client's constraints (:mod:`.formulation`).
3. One in-clinic course is chosen for the most severe concern that has one: the first
   option in evidence order that screening allows; with a PIH risk, the lowest-energy
   allowed option is preferred (Manuskiatti 2013) and the trade-off is explained.
4. Follow-up visits name the instruments to measure; reassessment falls 8–12 weeks
   after the start (``data/protocol.yaml`` names the source).

Screening verdicts are constraints, not footnotes:

* a caution against non-sterile topicals during microneedling (rule
  ``microneedling-topicals-intradermal``) means the session uses only a sterile product:
  the design engine formulates it (product type ``post-procedure-sterile``, a sterile,
  preservative-free single-dose solution on the post-procedure route) and it is applied
  after the needling, never a cosmetic serum during it; if no such product can be designed
  under the client's constraints, microneedling is dropped and the plan says why;
* a PIH risk takes the ablative options out of the candidates (rule
  ``pih-risk-ablative``: physician review, never planned), picks the lowest-energy allowed
  procedure and sets conservative settings (rule ``pih-risk-phototype``), not only a
  warning line.

Every choice and session names the rule that shaped it (``rule``), and the plan's
cautions are grouped once per rule over the options of the plan they concern.

On request (``simulate=True``) the regimen also carries ``expected_outcome``: the
simulator's prediction for the home-care product (topical, daily) and for the in-clinic
route (:func:`exoderm.simulate.expectation.expected_for_sources`), each labelled as a
model prediction with its assumptions.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.concerns import concern_table, resolve_concern
from exoderm.clients.formulation import (
    STERILE_PRODUCT_TYPE,
    ProductChoice,
    evidence_summary,
    propose_product,
)
from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.profile import ClientProfile, Concern
from exoderm.clients.records import RegimenRecord
from exoderm.clients.repository import profile_of
from exoderm.clients.screening import ScreeningResult, Verdict, procedures, screen
from exoderm.errors import UserInputError
from exoderm.markets import Market
from exoderm.simulate.intervals import Band

#: Design weight added to 'pigmentation' to prime PIH-prone skin (exoderm default).
PRIMING_WEIGHT = 1.0
ENERGY_RANK = {"none": 0, "mechanical": 1, "chemical": 2, "non_ablative": 2, "ablative": 3}
#: Screening rules the planner obeys as constraints (data/screening_rules.yaml ids).
PIH_RULE = "pih-risk-phototype"
PIH_ABLATIVE_RULE = "pih-risk-ablative"
MICRONEEDLING_TOPICALS_RULE = "microneedling-topicals-intradermal"
#: How the sterile product is used under MICRONEEDLING_TOPICALS_RULE.
STERILE_USE = (
    "sterile, preservative-free single dose, applied only after the needling "
    "(no cosmetic serum before or during it)"
)
#: Conservative settings under PIH_RULE (lower energy, test spot first), per energy.
PIH_SETTINGS = {
    "mechanical": "conservative settings for PIH-prone skin: shallow needle depth, "
    "fewer passes, a test spot first",
    "non_ablative": "conservative settings for PIH-prone skin: low density and energy, "
    "a test spot first",
    "chemical": "superficial strength only for PIH-prone skin, a test spot first",
}


class ProcedureOption(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    sessions: int = Field(ge=1, le=20)
    interval_weeks: int = Field(ge=1, le=26)
    evidence: Literal["direct", "indirect"]
    source: str


class ConcernSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    synonyms: list[str] = Field(default_factory=list)
    targets: dict[str, float]
    instruments: list[str]
    procedures: list[ProcedureOption] = Field(default_factory=list)
    disease: bool = False
    home_care_source: str | None = None


def _data(name: str) -> Any:
    text = resources.files("exoderm.clients").joinpath("data", name).read_text("utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=1)
def concern_specs() -> dict[str, ConcernSpec]:
    """Concern name → targets, instruments and procedure options."""
    return {k: ConcernSpec.model_validate(v) for k, v in concern_table().items()}


@lru_cache(maxsize=1)
def protocol_constants() -> dict[str, Any]:
    return dict(_data("protocol.yaml"))


class Choice(BaseModel):
    """One decision the regimen made, and why."""

    topic: str
    decision: str
    reason: str
    source: str = ""
    rule: str = Field(
        default="",
        description="The rule that shaped this line: a screening rule id or a planner rule.",
    )


class Session_(BaseModel):
    number: int
    procedure: str
    procedure_name: str
    product: str
    week: int
    date: date
    settings: str = ""
    rule: str = Field(default="", description="The rule(s) that shaped this session.")


class Visit(BaseModel):
    kind: Literal["baseline", "session", "reassessment"]
    week: int
    date: date
    instruments: list[str]


class CoverRead(BaseModel):
    """What an active covers, how well it is evidenced, and the first citations."""

    target: str
    evidence_level: str
    citations: list[str] = Field(default_factory=list)


class ActiveRead(BaseModel):
    """One active of the home-care product, at its % w/w."""

    key: str | None = None
    kind: str | None = None
    inci: str
    percent: float | None = None
    role: str = ""
    name: str = ""
    covers: list[CoverRead] = Field(default_factory=list)


class TargetRead(BaseModel):
    """A design target of the product, its weight and the actives serving it."""

    target: str
    weight: float | None = None
    contributors: list[str] = Field(default_factory=list)


class ProductRequestRead(BaseModel):
    """The client's constraints as sent to the design engine."""

    targets: dict[str, float]
    market: Market
    route: str | None = None
    product_type: str | None = None
    no_human: bool
    vegan: bool = False
    plant_only: bool = False
    allergens: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    top: int = 1


class ProductRead(BaseModel):
    """The home-care product the design engine chose (or why there is none)."""

    available: bool
    name: str = ""
    inci: list[str] = Field(default_factory=list)
    actives: list[ActiveRead] = Field(default_factory=list)
    targets: list[TargetRead] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    reason: str = ""
    request: ProductRequestRead
    product_type: str = Field(default="", description="product skeleton id ('' = home care)")
    sterile: bool = False

    @classmethod
    def of(cls, choice: ProductChoice) -> ProductRead:
        """The typed record of the design seam's answer."""
        return cls.model_validate(asdict(choice))


class RegimenConcern(BaseModel):
    """A concern the regimen treats, by its canonical name, with severity 1–3."""

    name: str
    severity: int


class ExpectedPart(BaseModel):
    """The simulator's expected outcome for one part of the plan (a model prediction)."""

    part: str
    model: str | None
    available: bool
    targets: list[str] = Field(default_factory=list)
    ingredient: str | None = None
    label: str = ""
    scenario: str | None = Field(default=None, description="The scenario run, as JSON text.")
    endpoints: dict[str, float | None] = Field(default_factory=dict)
    intervals: dict[str, Band] = Field(
        default_factory=dict, description="90 % interval of each endpoint (see interval_label)"
    )
    interval_label: str = ""
    headline: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    reason: str = ""

    @field_validator("scenario", mode="before")
    @classmethod
    def _scenario_as_text(cls, value: object) -> object:
        """Plans stored before the scenario became JSON text held it as a mapping."""
        if isinstance(value, dict):
            return json.dumps(value, sort_keys=True, default=str)
        return value


class Regimen(BaseModel):
    """A personal protocol, ready to store as JSON and to render for the client."""

    pseudonym: str
    start: date
    concerns: list[RegimenConcern]
    targets: dict[str, float]
    product: ProductRead
    session_product: ProductRead | None = Field(
        default=None,
        description="the sterile product applied in clinic after microneedling, if planned",
    )
    sessions: list[Session_]
    session_interval_weeks: int | None
    home_care: dict[str, list[str]]
    sun_protection: str
    visits: list[Visit]
    reassess_after_weeks: int
    choices: list[Choice]
    warnings: list[Verdict]
    blocked: list[Verdict]
    expected_outcome: list[ExpectedPart] = Field(default_factory=list)
    disclaimer: str = (
        "This plan supports, and does not replace, the judgement of the treating "
        "practitioner; a human reviews every algorithmic change."
    )


def weighted_targets(concerns: list[Concern]) -> tuple[dict[str, float], list[Choice]]:
    """Design targets: Σ severity × share over concerns; a concern named twice counts once."""
    targets: dict[str, float] = {}
    notes: list[Choice] = []
    seen: set[str] = set()
    for concern in concerns:
        canonical = resolve_concern(concern.name)
        if canonical in seen:
            continue
        seen.add(canonical)
        spec = concern_specs()[canonical]
        for target, share in spec.targets.items():
            targets[target] = round(targets.get(target, 0.0) + int(concern.severity) * share, 3)
        notes.append(
            Choice(
                topic=f"concern: {canonical}",
                decision=f"severity {int(concern.severity)} → targets "
                + ", ".join(f"{t} ×{s}" for t, s in spec.targets.items()),
                reason="severity (1 mild – 3 severe) weights the concern's design targets",
                source="exoderm/clients/data/concerns.yaml",
                rule="planner: severity-weighted targets",
            )
        )
    return targets, notes


#: Screening actions the planner treats as "not planned": a physician decides first.
NOT_PLANNED_RULES = (PIH_ABLATIVE_RULE,)


def _not_planned(screening: ScreeningResult) -> dict[str, list[Verdict]]:
    """Allowed procedures the planner leaves out because a screening rule says so."""
    out: dict[str, list[Verdict]] = {}
    for v in screening.warnings:
        if v.kind == "procedure" and v.rule in NOT_PLANNED_RULES:
            out.setdefault(v.option, []).append(v)
    return out


def _why_not(option: str, screening: ScreeningResult, dropped: dict[str, Choice]) -> Choice:
    """Why ``option`` is not planned: a blocking rule, a 'not planned' rule, or a drop."""
    if option in dropped:
        return dropped[option]
    blockers = [v.rule for v in screening.blockers_of(option)]
    if blockers:
        return Choice(
            topic="",
            decision="",
            reason=f"blocked by screening rule(s): {', '.join(blockers)}",
            rule=", ".join(blockers),
        )
    held = _not_planned(screening).get(option, [])
    return Choice(
        topic="",
        decision="",
        reason="not planned: " + "; ".join(v.reason.split(" - ", 1)[-1] for v in held),
        rule=", ".join(dict.fromkeys(v.rule for v in held)),
        source=held[0].source if held else "",
    )


def _choose_procedure(
    concerns: list[Concern],
    screening: ScreeningResult,
    dropped: dict[str, Choice] | None = None,
) -> tuple[tuple[str, ProcedureOption] | None, list[Choice]]:
    """The in-clinic course for the most severe concern that has a usable option.

    Blocked options, options a 'not planned' screening rule holds back (rule
    ``pih-risk-ablative``: ablative resurfacing in PIH-prone skin) and ``dropped`` options
    (id → the choice saying why) are skipped, each with a line naming its rule. With a
    PIH risk the lowest-energy usable option is chosen (rule ``pih-risk-phototype``);
    otherwise the first in evidence order.
    """
    dropped = dropped or {}
    choices: list[Choice] = []
    pih = "pih_risk" in screening.flags
    allowed = set(screening.allowed_procedures) - set(_not_planned(screening)) - set(dropped)
    ordered = sorted(concerns, key=lambda c: -int(c.severity))
    for concern in ordered:
        canonical = resolve_concern(concern.name)
        options = concern_specs()[canonical].procedures
        if not options:
            continue
        usable = [o for o in options if o.id in allowed]
        for o in options:
            if o.id not in allowed:
                why = _why_not(o.id, screening, dropped)
                choices.append(
                    why.model_copy(
                        update={
                            "topic": f"procedure for {canonical}",
                            "decision": f"not {procedures()[o.id].name}",
                        }
                    )
                )
        if not usable:
            continue
        best = usable[0]
        reason = f"first allowed option in evidence order ({best.evidence} evidence)"
        rule = "planner: evidence order"
        if pih:
            best = min(usable, key=lambda o: ENERGY_RANK[procedures()[o.id].energy])
            rule = PIH_RULE
            first = options[0]
            if best is not first:
                reason = (
                    f"phototype carries a PIH risk (rule {PIH_RULE}): the lower-energy "
                    f"{procedures()[best.id].name} is preferred over "
                    f"{procedures()[first.id].name}, whose evidence for {canonical} is "
                    f"{first.evidence}; the chosen option's evidence is {best.evidence}"
                )
            else:
                reason += f"; lowest-energy allowed option (rule {PIH_RULE})"
        choices.append(
            Choice(
                topic=f"procedure for {canonical}",
                decision=f"{procedures()[best.id].name}: {best.sessions} sessions, "
                f"every {best.interval_weeks} weeks",
                reason=reason,
                source=best.source,
                rule=rule,
            )
        )
        return (canonical, best), choices
    return None, choices


def _instruments_for(concerns: list[str], clinician: bool) -> list[str]:
    out: list[str] = []
    for name in concerns:
        for code in concern_specs()[name].instruments:
            if code in out or (INSTRUMENTS[code].info.clinician_only and not clinician):
                continue
            out.append(code)
    return out


def _home_care(product: ProductChoice, screening: ScreeningResult) -> dict[str, list[str]]:
    serum = product.name if product.available else "serum: to be chosen by the practitioner"
    am = ["gentle cleanser", serum, "moisturiser", "broad-spectrum sunscreen SPF 30+"]
    pm = ["gentle cleanser", serum, "moisturiser"]
    covers_pigment = any("pigment" in c["target"] for a in product.actives for c in a["covers"])
    if "pih_risk" in screening.flags and not covers_pigment:
        pm.insert(2, "topical depigmenting active (priming before procedures)")
    return {"am": am, "pm": pm}


#: Clinic procedure id (data/procedures.yaml) -> simulator route. Peels and
#: dermabrasion have no simulator route, so they get no prediction (no guessing).
SIMULATOR_ROUTE = {
    "microneedling": "microneedling",
    "laser_fractional_ablative": "post-laser",
    "laser_ablative_full": "post-laser",
    "laser_nonablative": "post-laser",
    "injection": "injection",
}


def expected_effects(
    product: ProductChoice,
    targets: list[str],
    sessions: list[Session_],
    session_product: ProductChoice | None = None,
) -> list[ExpectedPart]:
    """The simulator's expected outcome of the home-care product and the clinic route.

    Home care: the product's EV source at its % w/w, topical, daily. Clinic: the EV
    source of the product used in the sessions (``session_product``, the sterile solution
    after microneedling; else the home-care product) by the chosen procedure's route on
    the session days (weeks from the first session). Each entry is labelled ``part``
    ('home care' or the procedure name) and is a model prediction, not a promise
    (:mod:`exoderm.simulate.expectation`).
    """
    from exoderm.simulate.expectation import EvSourceDose, expected_for_sources

    def ev_sources(choice: ProductChoice) -> list[EvSourceDose]:
        return [
            EvSourceDose(
                key=a.get("key"), name=a.get("name") or a["inci"], percent=a.get("percent")
            )
            for a in choice.actives
            if a.get("kind") == "ev_source"
        ]

    sources = ev_sources(product)
    clinic_sources = ev_sources(session_product) if session_product else sources
    out = [
        _expected("home care", e.as_dict())
        for e in expected_for_sources(sources, route="topical", targets=targets)
    ]
    if sessions:
        first = sessions[0]
        route = SIMULATOR_ROUTE.get(first.procedure)
        if route is None:
            out.append(
                ExpectedPart(
                    part=first.procedure_name,
                    model=None,
                    available=False,
                    reason=f"no simulator route for {first.procedure_name}",
                )
            )
        else:
            days = [7.0 * (s.week - first.week) for s in sessions]
            out += [
                _expected(first.procedure_name, e.as_dict())
                for e in expected_for_sources(
                    clinic_sources, route=route, schedule_days=days, targets=targets
                )
            ]
    return out


def _expected(part: str, answer: dict[str, Any]) -> ExpectedPart:
    """One simulator answer as a typed part of the plan (the scenario kept as JSON text)."""
    return ExpectedPart.model_validate({"part": part, **answer})


def _rule_source(screening: ScreeningResult, rule: str) -> str:
    return next((v.source for v in screening.warnings if v.rule == rule), "")


def needs_sterile_product(procedure: str, screening: ScreeningResult) -> bool:
    """Whether a screening rule allows only a sterile product on this procedure's skin."""
    return MICRONEEDLING_TOPICALS_RULE in {v.rule for v in screening.warnings_for(procedure)}


def _session_plan(
    procedure: str, screening: ScreeningResult, sterile: ProductChoice | None
) -> tuple[str, str, list[str]]:
    """Product, settings and shaping rules of a procedure's sessions."""
    cautions = {v.rule for v in screening.warnings_for(procedure)}
    product = "topical exosome product applied in clinic"
    rules: list[str] = []
    if MICRONEEDLING_TOPICALS_RULE in cautions and sterile is not None:
        product = f"{sterile.name}; {STERILE_USE}"
        rules.append(MICRONEEDLING_TOPICALS_RULE)
    settings = ""
    if PIH_RULE in cautions:
        settings = PIH_SETTINGS.get(procedures()[procedure].energy, "")
        rules.append(PIH_RULE)
    return product, settings, rules


def plan_cautions(screening: ScreeningResult, planned: list[str]) -> list[Verdict]:
    """The cautions that concern this plan, once per rule (cause), options joined.

    A caution concerns the plan when it is about a planned procedure or about an
    ingredient (the home-care product); cautions about procedures the plan does not use
    stay in the screening report. Options are listed by their display names.

    Parameters
    ----------
    screening
        The client's screening result.
    planned
        Procedure ids the plan uses.

    Returns
    -------
    list[Verdict]
        One verdict per rule, in first-seen order; ``option`` lists the options it
        concerns, separated by "; ".

    References
    ----------
    Davis EC, Callender VD (2010). Postinflammatory hyperpigmentation: a review of the
    epidemiology, clinical features, and treatment options in skin of color. J Clin Aesthet
    Dermatol 3(7):20-31. PMCID PMC2921758 (no DOI).

    Manuskiatti W et al. (2013). J Eur Acad Dermatol Venereol. doi:10.1111/jdv.12050
    (lower-energy procedures and priming in phototypes IV-VI; the screening rule's source).

    Examples
    --------
    >>> from exoderm.clients import parse_profile
    >>> from exoderm.clients.screening import screen
    >>> result = screen(parse_profile({"fitzpatrick": {"phototype": 5},
    ...                                "concerns": [{"name": "acne scars", "severity": 2}]}))
    >>> rules = [v.rule for v in plan_cautions(result, ["microneedling"])]
    >>> len(rules) == len(set(rules)), "pih-risk-phototype" in rules
    (True, True)
    """
    grouped: dict[str, list[Verdict]] = {}
    for v in screening.warnings:
        if v.kind == "procedure" and v.option not in planned:
            continue
        grouped.setdefault(v.rule, []).append(v)
    out = []
    for verdicts in grouped.values():
        names = [
            procedures()[v.option].name if v.kind == "procedure" else v.option for v in verdicts
        ]
        out.append(verdicts[0].model_copy(update={"option": "; ".join(dict.fromkeys(names))}))
    return out


def _procedure_and_sterile_product(
    profile: ClientProfile, screening: ScreeningResult, targets: dict[str, float]
) -> tuple[tuple[str, ProcedureOption] | None, list[Choice], ProductChoice | None]:
    """The in-clinic course and, for microneedling, the sterile product it needs.

    Under rule ``microneedling-topicals-intradermal`` only a sterile product may touch
    needled skin: the design engine is asked for one (product type
    ``post-procedure-sterile``); if none can be designed under the client's constraints,
    microneedling is dropped with that reason and the next usable option is chosen.
    """
    dropped: dict[str, Choice] = {}
    while True:
        chosen, choices = _choose_procedure(profile.concerns, screening, dropped)
        if chosen is None or not needs_sterile_product(chosen[1].id, screening):
            return chosen, choices, None
        sterile = propose_product(
            targets, profile, screening.excluded_ingredients, product_type=STERILE_PRODUCT_TYPE
        )
        if sterile.available:
            return chosen, choices, sterile
        dropped[chosen[1].id] = Choice(
            topic="",
            decision="",
            reason="only a sterile product may touch needled skin and none can be designed "
            f"under the client's constraints ({sterile.reason})",
            source=_rule_source(screening, MICRONEEDLING_TOPICALS_RULE),
            rule=MICRONEEDLING_TOPICALS_RULE,
        )


def build_regimen(
    pseudonym: str,
    profile: ClientProfile,
    *,
    start: date,
    clinician: bool = True,
    simulate: bool = False,
) -> Regimen:
    """The regimen for ``profile`` (pure: no storage; see :func:`create_regimen`).

    ``simulate`` adds the simulator's ``expected_outcome`` (see :func:`expected_effects`).
    """
    if not profile.concerns:
        raise UserInputError(
            "the client has no concerns recorded", field="concerns", expected="at least one concern"
        )
    screening = screen(profile)
    targets, choices = weighted_targets(profile.concerns)
    chosen, proc_choices, sterile = _procedure_and_sterile_product(profile, screening, targets)
    if chosen and "pih_risk" in screening.flags:
        targets["pigmentation"] = round(targets.get("pigmentation", 0.0) + PRIMING_WEIGHT, 3)
        choices.append(
            Choice(
                topic="priming target",
                decision=f"pigmentation weight +{PRIMING_WEIGHT} in the home-care product",
                reason="PIH risk before procedures: prime with topical depigmenting actives",
                source="Manuskiatti, JEADV 2013, doi:10.1111/jdv.12050 (weight: exoderm default)",
                rule=PIH_RULE,
            )
        )
    product = propose_product(targets, profile, screening.excluded_ingredients)
    choices.append(
        Choice(
            topic="home-care product",
            decision=product.name if product.available else "none proposed",
            reason=product.reason
            or "design engine optimum under market, allergen and preference constraints",
            rule="design engine: optimum under the client's constraints",
        )
    )
    for active in product.actives:
        cited = [
            x for c in active["covers"] for x in c["citations"] if not x.startswith("inferred")
        ]
        choices.append(
            Choice(
                topic=f"active: {active['name']}",
                decision=f"{active['percent']} %" if active["percent"] is not None else "included",
                reason="covers " + evidence_summary(active),
                source="; ".join(dict.fromkeys(cited)),
                rule="design engine: target coverage",
            )
        )
    for note in product.warnings:
        choices.append(
            Choice(
                topic="product warning",
                decision=note,
                reason="design engine",
                rule="design engine: product check",
            )
        )
    choices += proc_choices
    consts = protocol_constants()
    delay = 0
    if chosen and "pih_risk" in screening.flags:
        delay = int(consts["pih_priming"]["weeks"])
        choices.append(
            Choice(
                topic="priming",
                decision=f"start procedures after {delay} weeks of home care",
                reason="PIH risk: prime with topical depigmenting actives",
                source=consts["pih_priming"]["source"],
                rule=PIH_RULE,
            )
        )
    canon = [resolve_concern(c.name) for c in profile.concerns]
    instruments = _instruments_for(list(dict.fromkeys(canon)), clinician)
    sessions: list[Session_] = []
    visits = [Visit(kind="baseline", week=0, date=start, instruments=instruments)]
    last_week = 0
    if chosen:
        _, option = chosen
        proc = procedures()[option.id]
        product_text, settings, rules = _session_plan(option.id, screening, sterile)
        for rule in rules:
            if rule == MICRONEEDLING_TOPICALS_RULE and sterile is not None:
                choices.append(
                    Choice(
                        topic="product during sessions",
                        decision=product_text,
                        reason="products applied before or during microneedling reach the "
                        "dermis: the design engine formulated a sterile, preservative-free "
                        "single-dose solution for needled skin (route post-procedure-topical), "
                        "applied after the needling",
                        source=_rule_source(screening, rule),
                        rule=rule,
                    )
                )
            elif rule == PIH_RULE and settings:
                choices.append(
                    Choice(
                        topic="session settings",
                        decision=settings,
                        reason="PIH risk: prefer lower-energy settings",
                        source=_rule_source(screening, rule),
                        rule=rule,
                    )
                )
        for n in range(option.sessions):
            week = delay + n * option.interval_weeks
            day = start + timedelta(weeks=week)
            sessions.append(
                Session_(
                    number=n + 1,
                    procedure=option.id,
                    procedure_name=proc.name,
                    product=product_text,
                    week=week,
                    date=day,
                    settings=settings,
                    rule=", ".join(rules) or "planner: evidence order",
                )
            )
            if week:
                visits.append(
                    Visit(kind="session", week=week, date=day, instruments=instruments[:1])
                )
            last_week = week
    rc = consts["reassessment"]
    reassess = min(
        max(last_week + int(rc["after_last_session_weeks"]), rc["min_weeks"]), rc["max_weeks"]
    )
    visits.append(
        Visit(
            kind="reassessment",
            week=reassess,
            date=start + timedelta(weeks=reassess),
            instruments=[*instruments, *(["gais"] if "gais" not in instruments else [])],
        )
    )
    choices.append(
        Choice(
            topic="reassessment",
            decision=f"week {reassess}, then every {rc['min_weeks']}–{rc['max_weeks']} weeks",
            reason="re-assess, reformulate and have a human review the change",
            source=rc["source"],
            rule="protocol: reassessment window",
        )
    )
    return Regimen(
        pseudonym=pseudonym,
        start=start,
        concerns=[
            RegimenConcern(name=resolve_concern(c.name), severity=int(c.severity))
            for c in profile.concerns
        ],
        targets=targets,
        product=ProductRead.of(product),
        session_product=ProductRead.of(sterile) if sterile is not None and sessions else None,
        sessions=sessions,
        session_interval_weeks=chosen[1].interval_weeks if chosen else None,
        home_care=_home_care(product, screening),
        sun_protection=consts["sun_protection"]["text"]
        + f" ({consts['sun_protection']['source']})",
        visits=visits,
        reassess_after_weeks=reassess,
        choices=choices,
        warnings=plan_cautions(screening, [s.procedure for s in sessions[:1]]),
        blocked=list(screening.blocked),
        expected_outcome=expected_effects(
            product, [*targets, *canon], sessions, sterile if sessions else None
        )
        if simulate
        else [],
    )


def create_regimen(
    session: Session,
    actor: Actor,
    pseudonym: str,
    *,
    start: date | None = None,
    simulate: bool = False,
) -> Regimen:
    """Build, store and audit a regimen for a stored client (``simulate``: see above)."""
    client = access.load_client(session, actor, pseudonym, action="create regimens")
    from exoderm.accounts.actor import CLINICIAN_ROLES

    regimen = build_regimen(
        client.pseudonym,
        profile_of(client),
        start=start or date.today(),
        clinician=actor.role in CLINICIAN_ROLES,
        simulate=simulate,
    )
    record = RegimenRecord(
        client_id=client.id, plan=regimen.model_dump(mode="json"), created_by=actor.username
    )
    session.add(record)
    session.flush()
    access.log(session, actor, "regimen", client, {"regimen": record.id})
    return regimen
