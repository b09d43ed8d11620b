"""Expected outcome of a formulation and regimen, as design and personalisation ask it.

:func:`expected_outcomes` turns a :class:`exoderm.design.Formulation` (its EV source
ingredient and concentration, its route) into a :class:`TreatmentScenario` per relevant
model and runs :func:`exoderm.simulate.outcomes.predict_outcomes` (docs/simulate.md,
"Python API (for design and personalisation)"). :func:`expected_for_sources` does the same
from plain data (catalogue key, name, % w/w), which is what a client regimen carries.

Every answer is a *model prediction*, never a measured result, and carries the scenario
used and the assumptions made on the way:

* **Source mapping.** Catalogue EV sources map to the simulator's sources
  (``exoderm/design/data/catalogue.yaml`` ``kg_node`` → :class:`~.scenario.Source`);
  plant-origin vesicles use the simulator's ``plant`` source (factor 0.3, an assumption,
  ``data/exosome_layer.json``). A source with no simulator counterpart (platelet-rich
  plasma, bovine milk EVs) gets no prediction and says so — no guessing.
* **Dose.** The concentration in % w/w enters with unit ``percent``; the dose layer
  converts it with ``ug_per_percent`` (10 µg per application per 1 %, an assumption that
  sets the EC50 scale; Yanuar 2023 design, doi:10.7324/JAPS.2023.130214).
* **Schedule.** Every model runs 28 days — the Yanuar 2023 4-week design for
  photo-ageing, and the shortest span that still gives the day-7/day-14 wound endpoints
  and a 4-week EASI change (shorter than the 112-d AD and 60-d wound defaults, so a call
  stays well under a second; wound time-to-95 % closure is then usually ``None``, not
  reached). Home care (topical) is one application a day; procedure routes default to
  weekly sessions on days 0, 7, 14 and 21 (the photo-ageing example of docs/simulate.md).
* **Model choice.** Targets pick the model: wrinkles, fine lines, collagen, elasticity,
  sun damage, pigmentation → photo-ageing (Fisher/Varani loop, PMC2887041); atopic
  dermatitis, eczema, barrier → the Miyano 2021 AD QSP; wounds, scars, acne scars → the
  Waugh & Sherratt 2007 wound model. The photo-ageing model has no melanin state, so for
  pigmentation only its dermal mediators are reported.
* **Intervals.** Every endpoint carries its 90 % interval over the calibration's
  parameter uncertainty (:mod:`exoderm.simulate.intervals`, :data:`EXPECTATION_DRAWS`
  posterior draws); route, source and dose conversions are held at their assumed values,
  so the interval is a lower bound on the uncertainty.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exoderm.simulate.exposure import dose_in_ug
from exoderm.simulate.intervals import INTERVAL_LABEL, Band, scenario_intervals
from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.scenario import (
    DEFAULT_DURATION_DAYS,
    DoseUnit,
    ModelName,
    Route,
    Source,
    build_scenario,
)

if TYPE_CHECKING:
    from exoderm.design.formulation import Formulation

PREDICTION_LABEL = (
    "model prediction (exoderm.simulate, docs/simulate.md): treated vs untreated/vehicle "
    "arm of a mechanistic ODE model with assumed and fitted parameters, not a measured "
    "or guaranteed result"
)

#: Design catalogue key -> simulator source (kg_node ``source:*`` of catalogue.yaml).
SOURCE_BY_KEY: dict[str, Source] = {
    "adsc-exosomes": Source.adipose_msc,
    "bm-msc-exosomes": Source.bone_marrow_msc,
    "uc-msc-exosomes": Source.umbilical_msc,
}

#: Normalised target names -> model (see the module docstring for the reasons).
MODEL_BY_TARGET: dict[str, ModelName] = {
    **dict.fromkeys(
        (
            "wrinkles",
            "fine-lines",
            "fine-lines-and-wrinkles",
            "lines",
            "collagen",
            "procollagen",
            "firmness",
            "elasticity",
            "sun-damage",
            "photoageing",
            "photo-ageing",
            "photodamage",
            "anti-ageing",
            "ageing",
            "pigmentation",
            "hyperpigmentation",
            "dark-spots",
        ),
        ModelName.photoageing,
    ),
    **dict.fromkeys(
        (
            "atopic-dermatitis",
            "atopic",
            "ad",
            "eczema",
            "dermatitis",
            "barrier",
            "barrier-function",
            "tewl",
        ),
        ModelName.ad,
    ),
    **dict.fromkeys(
        (
            "wound-healing",
            "wound",
            "wounds",
            "scars",
            "scar",
            "scarring",
            "acne-scars",
            "acne-scar",
            "re-epithelialisation",
        ),
        ModelName.wound,
    ),
}

#: Formulation routes (design) and procedure keys -> simulator route.
ROUTE_BY_NAME: dict[str, Route] = {
    "topical": Route.topical,
    "leave-on": Route.topical,
    "rinse-off": Route.topical,
    "post-procedure-topical": Route.post_laser,
    "microneedling": Route.microneedling,
    "fractional-laser": Route.post_laser,
    "laser": Route.post_laser,
    "post-laser": Route.post_laser,
    "injection": Route.injection,
    "intradermal-injection": Route.injection,
}

PROCEDURE_SCHEDULE_DAYS: tuple[float, ...] = (0.0, 7.0, 14.0, 21.0)
#: Simulated span for every model (days); see the module docstring.
DURATION_DAYS = 28.0
#: Posterior draws behind each endpoint's 90 % interval (fewer than a single simulation's
#: 200: a regimen asks for several models and parts at once).
EXPECTATION_DRAWS = 100

#: Endpoints shown first per model (the ones a formulator reads; all are returned).
HEADLINE: dict[ModelName, tuple[str, ...]] = {
    ModelName.photoageing: (
        "mmp1_mean_change_pct",
        "procollagen_i_mean_change_pct",
        "collagen_change_pct",
    ),
    ModelName.ad: ("easi_change_pct", "easi_change_vehicle_pct", "tewl_change_pct"),
    ModelName.wound: ("closure_difference_day7_pp", "closure_difference_day14_pp"),
}


@dataclass(frozen=True)
class EvSourceDose:
    """One EV source ingredient of a product: catalogue key, name, % w/w, origin."""

    key: str | None
    name: str
    percent: float | None
    origin: str | None = None


@dataclass(frozen=True)
class ExpectedOutcome:
    """The simulator's answer for one model (or why there is none).

    ``endpoints`` are :meth:`OutcomeSummary.as_dict` values (treated vs control; ``None``
    where an endpoint is not reached); ``scenario`` the scenario run (JSON data);
    ``intervals`` the 90 % interval of each endpoint over the fit's parameter uncertainty
    (:func:`exoderm.simulate.intervals.scenario_intervals`; what it covers is
    ``interval_label``).
    """

    model: str | None
    targets: tuple[str, ...]
    ingredient: str | None
    scenario: dict[str, Any] | None
    endpoints: dict[str, float | None]
    assumptions: tuple[str, ...] = ()
    reason: str = ""
    label: str = PREDICTION_LABEL
    headline: tuple[str, ...] = field(default=())
    intervals: dict[str, Band] = field(default_factory=dict)
    interval_label: str = INTERVAL_LABEL

    @property
    def available(self) -> bool:
        return self.model is not None and bool(self.endpoints)

    def as_dict(self) -> dict[str, Any]:
        return {
            "model": self.model,
            "targets": list(self.targets),
            "ingredient": self.ingredient,
            "available": self.available,
            "label": self.label,
            "scenario": self.scenario,
            "endpoints": self.endpoints,
            "headline": list(self.headline),
            "intervals": {k: b.model_dump() for k, b in self.intervals.items()},
            "interval_label": self.interval_label,
            "assumptions": list(self.assumptions),
            "reason": self.reason,
        }


def _norm(name: str) -> str:
    return name.strip().lower().replace(" ", "-").replace("_", "-")


def catalogue_origin(key: str | None) -> str | None:
    """The ``origin`` of a packaged design-catalogue ingredient (``None`` if unknown)."""
    if key is None:
        return None
    from exoderm.design.catalogue import packaged_catalogue

    item = packaged_catalogue().ingredients.get(key)
    return item.origin.value if item is not None else None


def simulator_source(key: str | None, origin: str | None = None) -> Source | None:
    """The simulator source for a catalogue EV source, or ``None`` if there is none.

    ``origin`` (plant, human, animal, ...) is looked up in the packaged catalogue when not
    given; only plant origin has a generic simulator source.
    """
    if key in SOURCE_BY_KEY:
        return SOURCE_BY_KEY[key]
    origin = origin or catalogue_origin(key)
    if origin is not None and _norm(origin) == "plant":
        return Source.plant
    return None


def simulator_route(name: str) -> Route:
    """Map a design route or procedure key to a simulator route (unknown -> error)."""
    try:
        return ROUTE_BY_NAME[_norm(name)]
    except KeyError:
        from exoderm.errors import UserInputError

        raise UserInputError(
            f"unknown route {name!r}",
            field="route",
            expected="one of " + ", ".join(sorted(ROUTE_BY_NAME)),
        ) from None


def models_for(targets: Sequence[str]) -> dict[ModelName, list[str]]:
    """Targets grouped by the model that represents them (unmodelled targets dropped)."""
    out: dict[ModelName, list[str]] = {}
    for target in targets:
        model = MODEL_BY_TARGET.get(_norm(target))
        if model is not None:
            out.setdefault(model, []).append(target)
    return out


def _no_prediction(targets: Sequence[str], ingredient: str | None, reason: str) -> ExpectedOutcome:
    return ExpectedOutcome(None, tuple(targets), ingredient, None, {}, reason=reason)


def _schedule(route: Route, schedule_days: Sequence[float] | None) -> tuple[tuple[float, ...], str]:
    duration = DURATION_DAYS
    if schedule_days is not None:
        given = [float(d) for d in schedule_days]
        days = tuple(d for d in given if 0.0 <= d <= duration) or (0.0,)
        dropped = len(given) - len(days)
        note = f"schedule: days {_days(days)} (given by the caller"
        note += f"; {dropped} day(s) outside 0-{duration:g} not simulated)" if dropped > 0 else ")"
        return days, note
    if route is Route.topical:
        days = tuple(float(d) for d in range(int(duration)))
        return (
            days,
            f"schedule: one application a day for {duration:g} days (home care; assumption)",
        )
    days = tuple(d for d in PROCEDURE_SCHEDULE_DAYS if d <= duration)
    return days, f"schedule: sessions on days {_days(days)} (weekly; assumption)"


def _days(days: Sequence[float]) -> str:
    return ", ".join(f"{d:g}" for d in days)


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)


def _clean_band(band: Band) -> Band:
    """A band rounded as the endpoints are (4 decimals; ``None`` stays "not reached")."""

    def r(x: float | None) -> float | None:
        return None if x is None else round(x, 4)

    return Band(value=r(band.value), low=r(band.low), high=r(band.high))


def expected_for_sources(
    sources: Sequence[EvSourceDose],
    *,
    route: str = "topical",
    schedule_days: Sequence[float] | None = None,
    targets: Sequence[str] = (),
) -> list[ExpectedOutcome]:
    """Predictions for a product's EV sources, one per model the ``targets`` call for.

    The simulator takes one source per scenario, so the mappable EV source with the
    highest concentration is simulated and the others are named in the assumptions.
    Without an EV source, a mappable source, a concentration or a modelled target, the
    answer is one :class:`ExpectedOutcome` with ``model=None`` and the reason.
    """
    wanted = list(targets)
    if not sources:
        return [_no_prediction(wanted, None, "no EV source in the formulation: nothing to model")]
    by_model = models_for(wanted)
    if not by_model:
        return [
            _no_prediction(
                wanted,
                None,
                "no model for these targets ("
                + (", ".join(wanted) or "none given")
                + "): the simulator models photo-ageing, atopic dermatitis and wounds",
            )
        ]
    mapped = [(s, simulator_source(s.key, s.origin)) for s in sources]
    usable = [(s, src) for s, src in mapped if src is not None and s.percent]
    if not usable:
        names = ", ".join(s.name or str(s.key) for s in sources)
        return [
            _no_prediction(
                wanted,
                names,
                f"no model for this source ({names}): the simulator has no counterpart "
                "(or no concentration is given)",
            )
        ]
    usable.sort(key=lambda pair: -(pair[0].percent or 0.0))
    primary, source = usable[0]
    sim_route = simulator_route(route)
    percent = float(primary.percent or 0.0)
    common = [
        f"source: {primary.name or primary.key} -> simulator source '{source.value}'"
        + (" (plant vesicles: source factor an assumption)" if source is Source.plant else ""),
        f"dose: {percent:g} % w/w per application -> {dose_in_ug(percent, DoseUnit.percent):g} µg "
        "(ug_per_percent = 10 µg per 1 %, an assumption)",
        f"route: {route} -> simulator route '{sim_route.value}'",
    ]
    common += [
        f"not simulated: {s.name or s.key} (the simulator takes one source per scenario)"
        for s, _ in usable[1:]
    ]
    common += [
        f"not simulated: {s.name or s.key} (no simulator source)"
        for s, src in mapped
        if src is None
    ]
    out: list[ExpectedOutcome] = []
    for model, model_targets in by_model.items():
        days, schedule_note = _schedule(sim_route, schedule_days)
        scenario = build_scenario(
            model=model.value,
            source=source.value,
            dose=percent,
            unit=DoseUnit.percent.value,
            route=sim_route.value,
            schedule=days,
            photoaged=True,
            duration_days=DURATION_DAYS,
        )
        summary = predict_outcomes(scenario)
        endpoints = {k: _clean(v) for k, v in summary.endpoints.items()}
        bands = scenario_intervals(scenario, draws=EXPECTATION_DRAWS).endpoints
        notes = [
            *common,
            schedule_note,
            f"duration: {scenario.duration:g} days (model default "
            f"{DEFAULT_DURATION_DAYS[model]:g} days; see the module docstring)",
        ]
        if model is ModelName.photoageing:
            notes.append("skin state: photoaged preset")
            if any(_norm(t) in ("pigmentation", "hyperpigmentation", "dark-spots") for t in wanted):
                notes.append("pigmentation: no melanin state; dermal mediators only")
        out.append(
            ExpectedOutcome(
                model=model.value,
                targets=tuple(model_targets),
                ingredient=primary.name or primary.key,
                scenario=scenario.model_dump(mode="json"),
                endpoints=endpoints,
                assumptions=tuple(notes),
                headline=HEADLINE[model],
                intervals={k: _clean_band(bands[k]) for k in endpoints if k in bands},
            )
        )
    return out


def _formulation_route(formulation: Formulation) -> str:
    keys = {p.key for p in formulation.procedures}
    if "microneedling" in keys:
        return "microneedling"
    if "fractional-laser" in keys:
        return "fractional-laser"
    return formulation.route


def expected_outcomes(
    formulation: Formulation,
    *,
    route: str | None = None,
    schedule_days: Sequence[float] | None = None,
    targets: Sequence[str] | None = None,
) -> list[ExpectedOutcome]:
    """The simulator's expected outcome of a design formulation.

    ``route`` defaults to the formulation's own (a microneedling or laser procedure wins;
    ``intradermal-injection`` -> injection; leave-on -> topical); ``targets`` to the
    formulation's requested targets.
    """
    from exoderm.design.ingredient import Kind

    sources = [
        EvSourceDose(key=ln.key, name=ln.name or ln.inci, percent=ln.percent)
        for ln in formulation.lines
        if ln.kind == Kind.ev_source.value
    ]
    return expected_for_sources(
        sources,
        route=route or _formulation_route(formulation),
        schedule_days=schedule_days,
        targets=list(targets) if targets is not None else [t.target for t in formulation.targets],
    )
