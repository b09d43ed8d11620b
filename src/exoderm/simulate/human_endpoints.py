"""Human endpoints: model quantities in the units of the instruments a clinician records.

Each instrument exoderm scores has a *bridge* in ``data/human_endpoints.json``: its
citation, the model quantity it rests on and the assumption, or the reason no number can
be given. Three kinds exist:

* **scaling on one trial** (ECCA). Kwon et al. 2020 (split-face, n = 25, three fractional
  CO2 laser sessions, week 12) report the ECCA reduction on the exosome side (32.5 %) and
  the control side (19.9 %). The reduction attributable to the exosome product at the
  client's regimen is the trial's between-side difference scaled by the wound model's
  relative effect::

      attributable = (32.5 - 19.9) × M(client) / M(trial)

  with M the closure difference of the laser micro-wounds (treated − untreated, mean of
  days 7 and 14 after each laser session, percentage points). A client whose plan has
  fractional CO2 laser sessions also gets the trial's control-side 19.9 % (laser plus a
  control gel) added, so the total is comparable with the change the clinician observes.
  The wound model's collagen state is not used: at week 12 its treated − untreated change
  is below 0.01 %, too small for a ratio. The trial's dose is not reported (100 µg per
  session on days 0, 28, 56 is assumed), so the ratio is a statement about dose *relative*
  to that assumption.
* **direct** (EASI): the Miyano 2021 QSP model outputs EASI itself.
* **none** (GAIS, Lemperle wrinkle classes, POSAS, VSS): the trials report a p-value or a
  direction only, or exoderm has no model of the quantity; no number is given.

Uncertainty. M is computed for every draw of the fitted parameters from the Laplace
approximation of the calibration's posterior (:func:`~.oos.sample_parameters`), the same
draws for the client and the trial, so their ratio carries the model's uncertainty. The
trial reports no SD or CI, only p < 0.01; with a paired t-test on n = 25 that bounds the
standard error of the between-side difference by 12.6 / t(0.995, 24) = 4.5 pp, the largest
value compatible with the report (conservative). The between-side difference is drawn
from N(12.6, 4.5²) independently of the model draws and multiplied by each draw's ratio
(Monte Carlo product); the 90 % interval is the 5th–95th percentile. The control side's
19.9 % carries no reported spread and is added as a fixed value.

References
----------
.. [1] Kwon HH, Yang SH, Lee J, et al. (2020). Combination treatment with human adipose
   tissue stem cell-derived exosomes and fractional CO2 laser for acne scars. Acta Derm
   Venereol 100(18):adv00310. doi:10.2340/00015555-3666
.. [2] Miyano T, Irvine AD, Tanaka RJ (2021). A mathematical model to identify optimal
   combinations of drug targets for dupilumab poor responders in atopic dermatitis.
   Allergy. doi:10.1111/all.14870
.. [3] Dréno B, Khammari A, Orain N, et al. (2007). ECCA grading scale: an original
   validated acne scar grading scale for clinical practice in dermatology. Dermatology
   214(1):46–51. doi:10.1159/000096912
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field
from scipy import stats

from exoderm.simulate.atopic import PLACEBO, AtopicModel, ad_parameters, easi
from exoderm.simulate.calibrated import calibrated
from exoderm.simulate.calibration import NAMES
from exoderm.simulate.exposure import Exposure, dose_in_ug, layer_values
from exoderm.simulate.integrate import solve_rk4, solve_stacked
from exoderm.simulate.oos import sample_parameters
from exoderm.simulate.outcomes import ad_baseline
from exoderm.simulate.parameters import load_table, read_data
from exoderm.simulate.scenario import DoseUnit
from exoderm.simulate.wound import WoundModel

Array = NDArray[np.float64]
DATA_FILE = "human_endpoints.json"
#: Model draws per mapped change and trial draws per model draw (Monte Carlo).
DRAWS = 48
TRIAL_DRAWS = 64
SEED = 20261206
#: Days after each session at which the wound model's closure difference is read.
READ_DAYS_AFTER_SESSION = (7.0, 14.0)


class Citation(BaseModel):
    """A bridge's source, as the paper states it."""

    authors: str
    year: int
    title: str
    journal: str
    doi: str | None = None

    def text(self) -> str:
        doi = f", doi:{self.doi}" if self.doi else ""
        return f"{self.authors} ({self.year}). {self.journal}{doi}"


class Bridge(BaseModel):
    """How one instrument is reached from the model, or why it is not."""

    instrument: str
    kind: str = Field(description="'scaling' (on one trial), 'direct' or 'none'")
    citation: Citation
    model: str | None = None
    quantity: str | None = None
    assumption: str = ""
    reason: str = ""
    trial: dict[str, Any] | None = None


class MappedChange(BaseModel):
    """An expected change on an instrument's scale, with its 90 % interval."""

    instrument: str
    week: float
    kind: str
    attributable_pct: tuple[float, float, float] = Field(
        description="reduction attributable to the exosome product, % of baseline: p05, median, p95"
    )
    total_pct: tuple[float, float, float] | None = Field(
        None, description="procedure + exosome product reduction, % of baseline (p05, median, p95)"
    )
    total_points: tuple[float, float, float] | None = Field(
        None, description="expected change in points from the baseline given (negative = better)"
    )
    model_ratio: tuple[float, float, float]
    citation: str
    assumptions: list[str]


@dataclass(frozen=True)
class Administration:
    """One application: day from the first session and delivered µg (route, source applied)."""

    day: float
    ug: float


def bridges() -> dict[str, Bridge]:
    """Every instrument's bridge, by instrument code (``data/human_endpoints.json``).

    Returns
    -------
    dict of str to Bridge
        One bridge per instrument; ``kind`` says whether a number can be given.

    References
    ----------
    .. [1] Kwon HH et al. (2020). Acta Derm Venereol 100:adv00310. doi:10.2340/00015555-3666

    Examples
    --------
    >>> b = bridges()
    >>> b["ecca"].kind, b["easi"].kind, b["gais"].kind
    ('scaling', 'direct', 'none')
    """
    raw: list[dict[str, Any]] = read_data(DATA_FILE)["bridges"]
    return {r["instrument"]: Bridge.model_validate(r) for r in raw}


def delivered_ug(dose: float, unit: str, route: str, source: str) -> float:
    """Delivered µg per application by the dose layer (unit, F_route, F_source).

    Parameters
    ----------
    dose : float
        Dose per application in ``unit``.
    unit : str
        ``ug``, ``particles`` or ``percent`` (:class:`~.scenario.DoseUnit`).
    route, source : str
        Simulator route and source (keys of ``data/exosome_layer.json``).

    Returns
    -------
    float
        µg of exosome protein reaching the dermis per application.

    References
    ----------
    .. [1] Webber J, Clayton A (2013). How pure are your vesicles? J Extracell Vesicles
       2:19861. doi:10.3402/jev.v2i0.19861

    Examples
    --------
    >>> delivered_ug(100.0, "ug", "post-laser", "adipose-msc")
    100.0
    """
    layer = layer_values()
    ug = dose_in_ug(float(dose), DoseUnit(unit), layer)
    return float(ug * layer[f"route_{route}"] * layer[f"source_{source}"])


@cache
def _draws(n: int) -> tuple[tuple[tuple[str, float], ...], ...]:
    shipped = calibrated()
    log_x = np.log([shipped["parameters"][k]["value"] for k in NAMES])
    out = sample_parameters(log_x, np.asarray(shipped["covariance_log"]), n, SEED)
    return tuple(tuple(sorted(d.items())) for d in out)


def posterior_draws(n: int = DRAWS) -> list[dict[str, float]]:
    """``n`` reproducible draws of the fitted parameters (the shipped fit's posterior)."""
    return [dict(d) for d in _draws(n)]


def closure_effect(
    administrations: Sequence[Administration],
    session_days: Sequence[float],
    draws: list[dict[str, float]],
) -> Array:
    """Wound-model closure difference (pp) per draw, mean of days 7 and 14 after each session.

    Each laser session opens a fresh micro-wound: the normal (model A) wound is simulated
    from day 0 of each session for 14 days with the administrations that fall in that
    window, and the differences are averaged over sessions and read days.

    Parameters
    ----------
    administrations : sequence of Administration
        Every application of the regimen (days from the first session).
    session_days : sequence of float
        Days of the procedure sessions (each opens a wound).
    draws : list of dict
        Fitted-parameter draws (:func:`posterior_draws`).

    Returns
    -------
    ndarray
        One value per draw (treated − untreated closure, percentage points).

    References
    ----------
    .. [1] Waugh HV, Sherratt JA (2007). Modeling the effects of treating diabetic wounds
       with engineered skin substitutes. Wound Repair Regen 15(4):556–565.
       doi:10.1111/j.1524-475X.2007.00270.x

    Examples
    --------
    >>> d = posterior_draws(4)
    >>> e = closure_effect([Administration(0.0, 100.0)], [0.0], d)
    >>> e.shape, bool((e > 0).all())
    ((4,), True)
    """
    model = WoundModel()
    n = len(draws)
    p: dict[str, Any] = load_table("waugh2007.json").values("normal")
    p["theta_wound"] = np.repeat([d["theta_wound"] for d in draws], 2)
    ec50 = np.repeat([d["ec50_ug"] for d in draws], 2)
    span = max(READ_DAYS_AFTER_SESSION)
    per_session = []
    for start in session_days:
        given = [a for a in administrations if start <= a.day <= start + span]
        if not given:
            per_session.append(np.zeros(n))
            continue
        times = np.array([a.day - start for a in given])
        amounts = np.zeros((2 * n, len(given)))
        amounts[1::2] = [a.ug for a in given]
        ex = Exposure(times, amounts, layer_values()["k_el"], ec50)
        record = np.array([0.0, *READ_DAYS_AFTER_SESSION])
        y0 = model.initial_state(p, 2 * n)
        tr = solve_rk4(model, p, y0, ex, record, 0.05, states=["W"])
        closure = 100.0 * (1.0 - tr.states[:, 1:, 0])
        per_session.append((closure[1::2] - closure[0::2]).mean(axis=1))
    out: Array = np.mean(per_session, axis=0)
    return out


def _kwon() -> Bridge:
    return bridges()["ecca"]


def trial_administrations() -> tuple[list[Administration], list[float]]:
    """The Kwon 2020 regimen as the model sees it (assumed dose and days, see the data)."""
    trial = _kwon().trial or {}
    dose = trial["dose"]
    ug = delivered_ug(dose["value"], dose["unit"], dose["route"], dose["source"])
    days = [float(d) for d in trial["session_days"]]
    return [Administration(d, ug) for d in days], days


def trial_difference_se() -> float:
    """Largest SE of the between-side difference compatible with the reported p < 0.01.

    Paired t-test on n split faces: |difference| / SE > t(1 - p/2, n - 1).

    Examples
    --------
    >>> round(trial_difference_se(), 2)
    4.5
    """
    trial = _kwon().trial or {}
    diff = trial["exosome_side_reduction_pct"] - trial["control_side_reduction_pct"]
    t_crit = float(stats.t.ppf(1.0 - trial["p_value_below"] / 2.0, trial["n"] - 1))
    return float(diff / t_crit)


def _interval(x: Array) -> tuple[float, float, float]:
    lo, med, hi = np.percentile(x, [5.0, 50.0, 95.0])
    return (round(float(lo), 2), round(float(med), 2), round(float(hi), 2))


def ecca_change(
    administrations: Sequence[Administration],
    session_days: Sequence[float],
    *,
    fractional_co2: bool = True,
    baseline_ecca: float | None = None,
    draws: int = DRAWS,
) -> MappedChange:
    """Expected ECCA reduction of a regimen by week 12, scaled on Kwon et al. 2020.

    Parameters
    ----------
    administrations : sequence of Administration
        Every exosome application (days from the first session, delivered µg).
    session_days : sequence of float
        Days of the laser sessions; sessions after day 84 are outside the trial's span.
    fractional_co2 : bool
        The sessions are fractional CO2 laser (the trial's procedure): the control side's
        reduction is added to give the total. Otherwise only the attributable part is given.
    baseline_ecca : float, optional
        The client's baseline ECCA (points): the total is also given in points.
    draws : int
        Model draws (each multiplied by :data:`TRIAL_DRAWS` draws of the trial difference).

    Returns
    -------
    MappedChange
        Attributable and total reductions (% of baseline, positive = fewer scar points),
        the total in points (negative = better), the model ratio, all as (p05, median, p95).

    References
    ----------
    .. [1] Kwon HH et al. (2020). Acta Derm Venereol 100:adv00310. doi:10.2340/00015555-3666

    Examples
    --------
    At the trial's own (assumed) regimen the ratio is 1 and the trial's 12.6 pp come back:

    >>> given, days = trial_administrations()
    >>> m = ecca_change(given, days, baseline_ecca=100.0, draws=4)
    >>> m.model_ratio[1], 10.0 < m.attributable_pct[1] < 15.0
    (1.0, True)
    """
    bridge = _kwon()
    trial = bridge.trial or {}
    horizon = float(trial["readout_day"])
    sessions = [float(d) for d in session_days if 0.0 <= d <= horizon]
    sample = posterior_draws(draws)
    trial_given, trial_days = trial_administrations()
    ratio = np.zeros(draws)
    if sessions:
        client = closure_effect(list(administrations), sessions, sample)
        reference = closure_effect(trial_given, trial_days, sample)
        ratio = client / reference
    diff = trial["exosome_side_reduction_pct"] - trial["control_side_reduction_pct"]
    rng = np.random.default_rng(SEED)
    delta = rng.normal(diff, trial_difference_se(), size=(draws, TRIAL_DRAWS))
    attributable = (delta * ratio[:, None]).ravel()
    notes = [
        "scaling on one trial (Kwon 2020, n = 25 split faces): "
        f"attributable = {diff:.1f} pp × model effect at this regimen / at the trial's",
        bridge.assumption,
        f"trial SE of the between-side difference {trial_difference_se():.2f} pp "
        "(largest compatible with p < 0.01, paired t, n = 25); drawn independently of the "
        "model draws and multiplied by each draw's ratio",
    ]
    if not sessions:
        notes.append("no laser session in the first 12 weeks: the trial's bridge gives 0")
    total = None
    points = None
    if fractional_co2 and sessions:
        total_x = attributable + trial["control_side_reduction_pct"]
        total = _interval(total_x)
        notes.append(
            f"total = attributable + the control side's {trial['control_side_reduction_pct']} % "
            "(laser and control gel; no spread reported, added as a fixed value)"
        )
        if baseline_ecca is not None:
            points = _interval(-total_x * baseline_ecca / 100.0)
    elif not fractional_co2:
        notes.append(
            "the sessions are not fractional CO2 laser: only the exosome-attributable part "
            "is given, extrapolated from the trial's laser micro-wounds"
        )
    return MappedChange(
        instrument="ecca",
        week=horizon / 7.0,
        kind=bridge.kind,
        attributable_pct=_interval(attributable),
        total_pct=total,
        total_points=points,
        model_ratio=_interval(ratio),
        citation=bridge.citation.text(),
        assumptions=notes,
    )


def easi_change(
    administrations: Sequence[Administration], weeks: float, *, draws: int = DRAWS
) -> MappedChange:
    """Expected EASI change (the AD model's own output) vs vehicle, with its 90 % interval.

    Parameters
    ----------
    administrations : sequence of Administration
        Every application (days from the start, delivered µg).
    weeks : float
        Read-out week.
    draws : int
        EC50 draws from the fitted posterior (the only fitted parameter the AD model uses).

    Returns
    -------
    MappedChange
        ``attributable_pct``: EASI reduction vs vehicle, % of the model baseline;
        ``total_points``: EASI change from baseline in points (vehicle + exosomes).

    References
    ----------
    .. [1] Miyano T, Irvine AD, Tanaka RJ (2021). Allergy. doi:10.1111/all.14870

    Examples
    --------
    >>> m = easi_change([Administration(7.0 * w, 100.0) for w in range(4)], 4.0, draws=3)
    >>> m.instrument, m.kind, len(m.attributable_pct)
    ('easi', 'direct', 3)
    """
    bridge = bridges()["easi"]
    model = AtopicModel(PLACEBO)
    p = ad_parameters()
    sample = posterior_draws(draws)
    y0 = np.tile(ad_baseline(p), (draws + 1, 1))
    times = np.array([a.day for a in administrations], dtype=float)
    amounts = np.zeros((draws + 1, len(times)))
    amounts[1:] = [a.ug for a in administrations]
    ec50 = np.array([1.0, *[d["ec50_ug"] for d in sample]])
    ex = Exposure(times, amounts, layer_values()["k_el"], ec50)
    tr = solve_stacked(model, p, y0, ex, np.array([0.0, weeks]))
    e = easi(tr.states[:, :, model.state_names.index("s")], tr.states[:, :, 1])
    vs_vehicle = 100.0 * (e[0, -1] - e[1:, -1]) / e[0, 0]
    change = e[1:, -1] - e[1:, 0]
    return MappedChange(
        instrument="easi",
        week=weeks,
        kind=bridge.kind,
        attributable_pct=_interval(vs_vehicle),
        total_points=_interval(change),
        model_ratio=(1.0, 1.0, 1.0),
        citation=bridge.citation.text(),
        assumptions=[bridge.assumption],
    )
