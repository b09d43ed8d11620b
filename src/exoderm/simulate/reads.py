"""Read models of the simulate capability: what its service returns to every face.

Numbers that are not finite (an endpoint not reached within the simulated time) are
``None``: JSON has no NaN. The scenario is echoed back as the typed
:class:`~exoderm.simulate.scenario.TreatmentScenario` that was run.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike
from pydantic import BaseModel, Field

from exoderm.simulate.dose_equivalents import DoseEquivalentsRead
from exoderm.simulate.effective_range import EffectiveRange
from exoderm.simulate.expectation import ExpectedOutcome
from exoderm.simulate.intervals import INTERVAL_LABEL, Band, PredictionIntervals
from exoderm.simulate.outcomes import OutcomeSummary
from exoderm.simulate.parameters import ParameterTable
from exoderm.simulate.scenario import TreatmentScenario

#: Time courses are thinned to at most this many points per series by default.
MAX_POINTS = 400


def finite(value: float) -> float | None:
    """``value`` as a float, or ``None`` when it is NaN or infinite."""
    number = float(value)
    return number if math.isfinite(number) else None


def thin(times: ArrayLike, max_points: int | None = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread samples (first and last kept)."""
    n = len(np.asarray(times))
    if max_points is None or n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


class TimeCourse(BaseModel):
    """One state variable over time, with exosomes and untreated (or vehicle)."""

    variable: str
    treated: list[float | None]
    control: list[float | None]


class SimulationRead(BaseModel):
    """One scenario's endpoints and time courses, treated vs untreated."""

    model: str
    scenario: TreatmentScenario
    endpoints: dict[str, float | None]
    intervals: PredictionIntervals | None = Field(
        default=None,
        description="90 % interval of every endpoint and of each headline quantity (treated, "
        "control, paired difference) over the fit's parameter uncertainty; `label` says what "
        "it covers.",
    )
    dose_effect: EffectiveRange | None = Field(
        default=None,
        description="Whether the dose gives a meaningful difference, and from which dose "
        "the model predicts one (`sentence` is the finding in words).",
    )
    dose_effect_sentence: str | None = None
    dose: DoseEquivalentsRead | None = Field(
        default=None,
        description="The dose per administration in particles, µg protein and % w/w, the µg "
        "reaching the dermis, and each conversion with what it rests on.",
    )
    time_unit: str
    times: list[float]
    series: list[TimeCourse]

    @classmethod
    def of(
        cls,
        out: OutcomeSummary,
        max_points: int | None = MAX_POINTS,
        intervals: PredictionIntervals | None = None,
        dose_effect: EffectiveRange | None = None,
        dose: DoseEquivalentsRead | None = None,
    ) -> SimulationRead:
        idx = thin(out.times, max_points)
        return cls(
            model=out.scenario.model.value,
            scenario=out.scenario,
            endpoints={k: finite(v) for k, v in out.endpoints.items()},
            intervals=intervals,
            dose_effect=dose_effect,
            dose_effect_sentence=dose_effect.sentence() if dose_effect is not None else None,
            dose=dose,
            time_unit=out.time_unit,
            times=[float(t) for t in np.asarray(out.times)[idx]],
            series=[
                TimeCourse(
                    variable=name,
                    treated=[finite(v) for v in np.asarray(values)[idx]],
                    control=[finite(v) for v in np.asarray(out.control[name])[idx]],
                )
                for name, values in out.treated.items()
                if name in out.control
            ],
        )

    def series_of(self, variable: str) -> TimeCourse:
        """The time course of one state variable."""
        return next(s for s in self.series if s.variable == variable)


class CohortRead(BaseModel):
    """Outcome distributions of a virtual-patient cohort."""

    scenario: TreatmentScenario
    patients: int
    seed: int
    cv: float
    endpoints: dict[str, dict[str, float | None]] = Field(
        description="Per endpoint: median, p05, p95, n_missing; rates: rate_pct."
    )


class ExpectedOutcomeRead(BaseModel):
    """The simulator's expected outcome for one model, or why there is none."""

    model: str | None
    targets: list[str]
    ingredient: str | None
    available: bool
    label: str
    scenario: TreatmentScenario | None
    endpoints: dict[str, float | None]
    intervals: dict[str, Band] = Field(
        default_factory=dict, description="90 % interval of each endpoint (see interval_label)."
    )
    interval_label: str = INTERVAL_LABEL
    headline: list[str]
    assumptions: list[str]
    reason: str

    @classmethod
    def of(cls, e: ExpectedOutcome) -> ExpectedOutcomeRead:
        return cls(
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


class ParameterRead(BaseModel):
    """One model parameter: value, unit, the key of its source, and an assumed prior."""

    parameter: str
    value: float
    unit: str
    source: str
    note: str
    prior_gsd: float | None = Field(
        None,
        description="Geometric SD of the assumed log-normal prior sampled into every 90 % "
        "interval (None: held at its value).",
    )
    prior_basis: str | None = None


class ParameterTableRead(BaseModel):
    """Every parameter of one model, and the full citation of each source key."""

    model: str
    time_unit: str
    parameters: list[ParameterRead]
    sources: dict[str, str]

    @classmethod
    def of(cls, table: ParameterTable) -> ParameterTableRead:
        return cls(
            model=table.model,
            time_unit=table.time_unit,
            parameters=[
                ParameterRead(
                    parameter=p.name,
                    value=p.value,
                    unit=p.unit,
                    source=p.source,
                    note=p.note,
                    prior_gsd=p.prior.gsd if p.prior else None,
                    prior_basis=p.prior.basis if p.prior else None,
                )
                for p in table.parameters.values()
            ],
            sources=dict(table.sources),
        )


class CheckRead(BaseModel):
    """One validation check: a published target and what the model gives."""

    id: str
    quantity: str
    target: int | float | str
    model: int | float | str
    result: str
    source: str


class ValidationRead(BaseModel):
    """Every validation check, and the report written."""

    report: Path
    checks: list[CheckRead]

    @property
    def failed(self) -> list[str]:
        return [c.id for c in self.checks if c.result != "pass"]


class FittedParameterRead(BaseModel):
    """One fitted exosome-effect parameter with its standard error and 95 % interval."""

    parameter: str
    value: float
    se: float
    ci95_low: float
    ci95_high: float


class CalibrationRead(BaseModel):
    """A weighted least-squares fit of the exosome-effect parameters."""

    cost: float
    parameters: list[FittedParameterRead]
    written: Path | None
