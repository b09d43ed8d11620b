"""Does a scenario's dose give a meaningful effect, and from which dose would one?

The exosome effect saturates as Φ = E/(EC50 + E) (:mod:`exoderm.simulate.exposure`), so a
dose far below the EC50 gives treated and untreated curves that lie on top of each other.
:func:`effective_range` says so in numbers: it reads each model's headline quantity for
the untreated arm and for the scenario's dose, calls the difference *meaningful* when it
is at least :data:`MEANINGFUL_SHARE` (1 %) of the untreated value, and scans a grid of
doses (whole decades of the scenario's dose unit, same source, route and schedule) for
the smallest dose that reaches that difference.

Headline quantities (the first headline endpoint of each model in
:data:`exoderm.simulate.expectation.HEADLINE`, read from the same equations):

* wound — wound area closed at day 14 (% of the initial area);
* photo-ageing — MMP-1 averaged over the simulated time (relative to young skin);
* atopic dermatitis — EASI at the end of the simulation (points, 0–72).

All doses of the grid are one vectorised integration (one row per dose, as the cohort
runs patients), so the scan takes well under a second.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.calibrated import calibrated_value
from exoderm.simulate.exposure import bioavailable_fraction, exposure_for, scenario_dose_ug
from exoderm.simulate.integrate import solve_rk4, solve_stacked
from exoderm.simulate.outcomes import PHOTO_DT, WOUND_DT, ad_baseline
from exoderm.simulate.photoageing import PhotoageingModel, photo_parameters
from exoderm.simulate.scenario import DoseUnit, ModelName, TreatmentScenario
from exoderm.simulate.wound import WoundModel, wound_parameters

Array = NDArray[np.float64]

#: A treated-vs-untreated difference below this share of the untreated value is "no
#: meaningful difference" (a stated threshold of exoderm, not a clinical MCID).
MEANINGFUL_SHARE = 0.01
#: The grid spans the doses whose first-administration exposure is 10⁻³ to 10³ × EC50.
GRID_DECADES_BELOW_EC50 = 3
GRID_DECADES_ABOVE_EC50 = 3
#: Largest formulation concentration the grid offers (% w/w).
MAX_PERCENT = 100.0

#: The headline quantity of each model: name and unit.
HEADLINE: dict[ModelName, tuple[str, str]] = {
    ModelName.wound: ("wound closed at day 14", "% of the initial area"),
    ModelName.photoageing: ("MMP-1 (time-averaged)", "relative to young skin"),
    ModelName.ad: ("EASI at the end", "points"),
}
#: The day at which the wound headline is read (the scan integrates only that far).
WOUND_HEADLINE_DAY = 14.0


class DosePoint(BaseModel):
    """The headline quantity at one dose of the grid."""

    model_config = ConfigDict(frozen=True)

    dose: float
    treated: float
    difference: float
    meaningful: bool


class EffectiveRange(BaseModel):
    """Whether the scenario's dose gives a meaningful effect, and the scanned doses."""

    model_config = ConfigDict(frozen=True)

    model: ModelName
    quantity: str
    unit: str
    dose: float
    dose_unit: DoseUnit
    control: float
    treated: float
    threshold: float
    meaningful: bool
    grid: list[DosePoint]
    lowest_meaningful_dose: float | None

    @property
    def difference(self) -> float:
        """Treated minus untreated headline value, in :attr:`unit`."""
        return self.treated - self.control

    def sentence(self) -> str:
        """The finding in one or two plain sentences (what a page or the CLI prints)."""
        control = "vehicle" if self.model is ModelName.ad else "untreated"
        arms = (
            f"{self.quantity}: {self.treated:.3g} vs {self.control:.3g} {self.unit} {control}, "
            f"a difference of {abs(self.difference):.2g}"
        )
        if self.meaningful:
            return f"At this dose the model predicts a difference ({arms})."
        need = f"{self.threshold:.2g} {self.unit}"
        head = (
            f"At this dose the model predicts no meaningful difference ({arms}; meaningful "
            f"means at least 1 % of the {control} value, {need})."
        )
        if self.lowest_meaningful_dose is None:
            top = _dose_text(max(p.dose for p in self.grid), self.dose_unit)
            return f"{head} No dose up to {top} per administration reaches that difference."
        start = _dose_text(self.lowest_meaningful_dose, self.dose_unit)
        return (
            f"{head} It predicts a difference of at least {need} from {start} per "
            "administration (same source, route and schedule)."
        )


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _dose_text(dose: float, unit: DoseUnit) -> str:
    names = {DoseUnit.particles: "particles", DoseUnit.ug: "µg", DoseUnit.percent: "% w/w"}
    exponent = round(math.log10(dose))
    if -2 <= exponent <= 3:
        return f"{dose:g} {names[unit]}"
    return f"10{str(exponent).translate(_SUPERSCRIPT)} {names[unit]}"


def dose_grid(scenario: TreatmentScenario) -> list[float]:
    """Whole decades of the scenario's dose unit around the model's EC50.

    Parameters
    ----------
    scenario : TreatmentScenario
        Its unit, source and route set what one unit of dose delivers.

    Returns
    -------
    list of float
        Doses in the scenario's unit, ascending, from the decade whose delivered amount is
        10⁻³ EC50 to the one at 10³ EC50 (percentages at most 100 % w/w).

    References
    ----------
    .. [1] Gabrielsson, J. & Weiner, D. (2016). Pharmacokinetic and Pharmacodynamic Data
       Analysis: Concepts and Applications, 5th ed. Swedish Pharmaceutical Press
       (Emax model: the effect saturates above EC50).

    Examples
    --------
    >>> from exoderm.simulate.scenario import build_scenario
    >>> grid = dose_grid(build_scenario(model="wound", dose=1e10, schedule=(0,)))
    >>> grid[0] < 1e10 < grid[-1], all(b / a == 10.0 for a, b in zip(grid, grid[1:]))
    (True, True)
    """
    per_unit = scenario_dose_ug(scenario, dose=1.0) * bioavailable_fraction(scenario)
    ec50 = calibrated_value("ec50_ug")
    low = math.floor(math.log10(ec50 / per_unit) - GRID_DECADES_BELOW_EC50)
    high = math.ceil(math.log10(ec50 / per_unit) + GRID_DECADES_ABOVE_EC50)
    grid = [10.0**k for k in range(low, high + 1)]
    if scenario.unit is DoseUnit.percent:
        grid = [d for d in grid if d <= MAX_PERCENT]
    return grid


def _headline(scenario: TreatmentScenario, doses: list[float]) -> Array:
    """The headline quantity for each dose (one row each), integrated in one run."""
    arms = [scenario.model_copy(update={"dose": d}) for d in doses]
    ex = exposure_for(arms, calibrated_value("ec50_ug"))
    n = len(doses)
    if scenario.model is ModelName.wound:
        wm = WoundModel()
        p = wound_parameters(scenario.diabetic)
        times = np.round(np.arange(0.0, WOUND_HEADLINE_DAY + 0.05, 0.1), 10)
        tr = solve_rk4(wm, p, wm.initial_state(p, n), ex, times, WOUND_DT)
        closed: Array = 100.0 * (1.0 - tr.state("W")[:, -1])
        return closed
    if scenario.model is ModelName.photoageing:
        pm = PhotoageingModel()
        p = photo_parameters("photoaged" if scenario.photoaged else "aged")
        times = np.round(np.arange(0.0, scenario.duration + 0.5, 1.0), 10)
        tr = solve_rk4(pm, p, pm.initial_state(p, n), ex, times, PHOTO_DT)
        mmp: Array = tr.state("MMP1").mean(axis=1)
        return mmp
    p = ad_parameters()
    weeks = np.round(np.arange(0.0, scenario.duration / 7.0 + 0.05, 0.1), 10)
    tr = solve_stacked(AtopicModel(PLACEBO), p, np.tile(ad_baseline(p), (n, 1)), ex, weeks)
    score: Array = easi(tr.state("s"), tr.state("p"))[:, -1]
    return score


def effective_range(scenario: TreatmentScenario) -> EffectiveRange:
    """Whether the scenario's dose gives a meaningful effect, and from which dose one does.

    Parameters
    ----------
    scenario : TreatmentScenario
        The regimen asked about; the grid keeps its source, route, unit and schedule.

    Returns
    -------
    EffectiveRange
        The headline quantity untreated and at the scenario's dose, the threshold
        (1 % of the untreated value), the value at each dose of :func:`dose_grid` and the
        smallest grid dose whose difference reaches the threshold (``None`` if none does).

    References
    ----------
    .. [1] Gabrielsson, J. & Weiner, D. (2016). Pharmacokinetic and Pharmacodynamic Data
       Analysis: Concepts and Applications, 5th ed. Swedish Pharmaceutical Press.
    .. [2] Waugh, H. V. & Sherratt, J. A. (2007). Modeling the effects of treating
       diabetic wounds with engineered skin substitutes. Wound Repair and Regeneration
       15(4), 556-565. PMID 17650100.

    Examples
    --------
    >>> from exoderm.simulate.scenario import build_scenario
    >>> found = effective_range(build_scenario(model="wound", dose=1e10,
    ...                                        schedule=(0, 7, 14), diabetic=True))
    >>> found.meaningful, found.lowest_meaningful_dose is not None
    (False, True)
    >>> found.lowest_meaningful_dose > 1e10
    True
    """
    grid = dose_grid(scenario)
    values = _headline(scenario, [0.0, scenario.dose, *grid])
    control, treated = float(values[0]), float(values[1])
    threshold = MEANINGFUL_SHARE * abs(control)
    points = [
        DosePoint(
            dose=d,
            treated=float(v),
            difference=float(v) - control,
            meaningful=abs(float(v) - control) >= threshold,
        )
        for d, v in zip(grid, values[2:], strict=True)
    ]
    lowest = next((p.dose for p in points if p.meaningful), None)
    return EffectiveRange(
        model=scenario.model,
        quantity=HEADLINE[scenario.model][0],
        unit=HEADLINE[scenario.model][1],
        dose=scenario.dose,
        dose_unit=scenario.unit,
        control=control,
        treated=treated,
        threshold=threshold,
        meaningful=abs(treated - control) >= threshold,
        grid=points,
        lowest_meaningful_dose=lowest,
    )
