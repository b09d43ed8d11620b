"""The simulate capability's verbs: what the CLI, the API and the web pages ask of it.

Every function takes the acting ``actor`` and checks its role; answers are Read models
of :mod:`exoderm.simulate.reads`.

**No session, no organisation data.** The simulator runs mechanistic models on the
scenario it is given and the parameter tables it ships with; it reads and writes no
database record (no client, no formulation record), so there is nothing to fence and
nothing to audit. Every role of every organisation may simulate (the ``simulate:read``
scope of each role); refitting the shipped calibration needs ``simulate:write`` roles.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import UserInputError
from exoderm.simulate.expectation import EvSourceDose, expected_for_sources
from exoderm.simulate.intervals import DRAWS
from exoderm.simulate.reads import (
    MAX_POINTS,
    CalibrationRead,
    CheckRead,
    CohortRead,
    ExpectedOutcomeRead,
    FittedParameterRead,
    ParameterTableRead,
    SimulationRead,
    ValidationRead,
    finite,
)
from exoderm.simulate.scenario import ModelName, TreatmentScenario

#: Every role may simulate (each role has the ``simulate:read`` scope).
READ_ROLES: tuple[Role, ...] = tuple(Role)
#: Roles that may refit and overwrite the shipped calibration (``simulate:write``).
CALIBRATE_ROLES: tuple[Role, ...] = (Role.admin, Role.scientist)
#: Longest simulation an HTTP request runs (≈ 4 s for the wound model); longer runs
#: belong to the CLI or the Python API, where nothing waits on a connection.
REQUEST_MAX_DAYS = 365.0
#: Parameter table of each model; ``None`` is the exosome dose layer.
PARAMETER_FILES: dict[ModelName | None, str] = {
    ModelName.wound: "waugh2007.json",
    ModelName.photoageing: "photoageing.json",
    ModelName.ad: "miyano2021.json",
    None: "exosome_layer.json",
}

#: ``progress(fraction_done, message)``, called while a long run works.
Progress = Callable[[float, str], None]

__all__ = [
    "CALIBRATE_ROLES",
    "READ_ROLES",
    "REQUEST_MAX_DAYS",
    "calibrate",
    "check_request",
    "expected_outcomes",
    "export_sbml",
    "parameters",
    "run",
    "run_cohort",
    "validate",
]


def _may_simulate(actor: Actor) -> None:
    actor.require(*READ_ROLES, action="run simulations")


def _check_duration(scenario: TreatmentScenario, max_days: float | None) -> None:
    if max_days is not None and scenario.duration > max_days:
        raise UserInputError(
            f"{scenario.duration:g} days is longer than the service simulates per request",
            field="duration_days",
            expected=f"at most {max_days:g} days (use 'exoderm simulate' for longer)",
        )


def check_request(
    actor: Actor, *, scenario: TreatmentScenario, max_days: float | None = None
) -> TreatmentScenario:
    """Refuse a scenario before any work starts (e.g. before a cohort job is queued).

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    scenario : TreatmentScenario
        The scenario to be run.
    max_days : float, optional
        Longest duration accepted (the HTTP faces pass :data:`REQUEST_MAX_DAYS`).

    Returns
    -------
    TreatmentScenario
        The scenario, unchanged, when it may run.

    Raises
    ------
    PermissionDenied
        The actor may not simulate.
    UserInputError
        The scenario is longer than ``max_days``.

    References
    ----------
    .. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V2 "Validation and Business Logic" (limits on resource-intensive requests).

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.simulate.scenario import build_scenario
    >>> check_request(Actor("ada", Role.viewer), max_days=REQUEST_MAX_DAYS,
    ...               scenario=build_scenario(model="ad", dose=1.0, duration_days=400))
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: field 'duration_days': 400 days is longer than ...
    """
    _may_simulate(actor)
    _check_duration(scenario, max_days)
    return scenario


def run(
    actor: Actor,
    *,
    scenario: TreatmentScenario,
    max_days: float | None = None,
    max_points: int | None = MAX_POINTS,
    plot: Path | None = None,
    draws: int = DRAWS,
) -> SimulationRead:
    """Simulate one scenario with and without exosomes: endpoints, intervals, time courses.

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    scenario : TreatmentScenario
        Model (wound, photo-ageing, atopic dermatitis), source, dose, route, schedule.
    max_days : float, optional
        Refuse scenarios longer than this (the HTTP faces pass
        :data:`REQUEST_MAX_DAYS`).
    max_points : int or None
        Thin each time course to at most this many points (``None``: every point).
    plot : Path, optional
        Also write a PNG of the key time courses there.
    draws : int
        Posterior draws behind the 90 % intervals (seeded, so reproducible).

    Returns
    -------
    SimulationRead
        The scenario run (typed), endpoints (``None`` where not reached), their 90 %
        intervals over the fit's parameter uncertainty (``intervals``), whether the
        dose gives a meaningful difference and from which dose one is predicted
        (``dose_effect``), times and the treated and control series of every state.

    Raises
    ------
    UserInputError
        The scenario is longer than ``max_days``.

    References
    ----------
    .. [1] Waugh, H. V. & Sherratt, J. A. (2007). Modeling the effects of treating
       diabetic wounds with engineered skin substitutes. Wound Repair and Regeneration
       15(4), 556-565. PMID 17650100.
    .. [2] Fisher, G. J. et al. (2002). Mechanisms of photoaging and chronological skin
       aging. Archives of Dermatology 138(11), 1462-1470.
       doi:10.1001/archderm.138.11.1462
    .. [3] Miyano, T., Irvine, A. D. & Tanaka, R. J. (2022). A mathematical model to
       identify optimal combinations of drug targets for dupilumab poor responders in
       atopic dermatitis. Allergy 77(2), 582-594. doi:10.1111/all.14870

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.simulate.scenario import build_scenario
    >>> scenario = build_scenario(model="wound", dose=1e10, schedule=(0,), duration_days=15)
    >>> out = run(Actor("ada", Role.viewer), scenario=scenario, max_points=5)
    >>> out.scenario.model.value, len(out.times), out.endpoints["closure_day7_pct"] > 0
    ('wound', 5, True)
    >>> band = out.intervals.endpoints["closure_day7_pct"]
    >>> band.low <= out.endpoints["closure_day7_pct"] <= band.high, out.dose_effect.meaningful
    (True, False)
    """
    from exoderm.simulate.dose_equivalents import dose_equivalents
    from exoderm.simulate.effective_range import effective_range
    from exoderm.simulate.intervals import scenario_intervals
    from exoderm.simulate.outcomes import predict_outcomes

    _may_simulate(actor)
    _check_duration(scenario, max_days)
    summary = predict_outcomes(scenario)
    if plot is not None:
        from exoderm.simulate.plots import plot_outcome

        plot_outcome(summary, plot)
    return SimulationRead.of(
        summary,
        max_points,
        intervals=scenario_intervals(scenario, draws=draws),
        dose_effect=effective_range(scenario),
        dose=dose_equivalents(scenario),
    )


def run_cohort(
    actor: Actor,
    *,
    scenario: TreatmentScenario,
    patients: int = 1000,
    seed: int = 0,
    cv: float = 0.2,
    max_days: float | None = None,
    progress: Progress | None = None,
) -> CohortRead:
    """Simulate a virtual-patient cohort: median and 90 % interval of each endpoint.

    Selected rate constants and the delivered dose vary log-normally between patients
    (coefficient of variation ``cv``; an assumption, no published distributions).

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    scenario : TreatmentScenario
        The regimen every patient receives.
    patients : int
        Cohort size, 1 to 1,000,000.
    seed : int
        Seed of the random draws (a seed gives the same cohort every time).
    cv : float
        Between-patient coefficient of variation of the varied parameters, 0 to 2.
    max_days : float, optional
        Refuse scenarios longer than this.
    progress : callable, optional
        ``progress(fraction_done, message)``, e.g. a background job's reporter.

    Returns
    -------
    CohortRead
        Per endpoint ``median``, ``p05``, ``p95``, ``n_missing``; response rates as
        ``rate_pct``. Non-finite values are ``None``.

    Raises
    ------
    UserInputError
        A count or CV out of range, or a scenario longer than ``max_days``.

    References
    ----------
    .. [1] Allen, R. J., Rieger, T. R. & Musante, C. J. (2016). Efficient generation and
       selection of virtual populations in quantitative systems pharmacology models.
       CPT: Pharmacometrics & Systems Pharmacology 5(3), 140-146. doi:10.1002/psp4.12063

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.simulate.scenario import build_scenario
    >>> scenario = build_scenario(model="wound", dose=1e10, schedule=(0,), duration_days=15)
    >>> out = run_cohort(Actor("ada", Role.viewer), scenario=scenario, patients=10)
    >>> sorted(out.endpoints["closure_day7_pct"])
    ['median', 'n_missing', 'p05', 'p95']
    """
    from exoderm.simulate.population import cohort

    _may_simulate(actor)
    if not 1 <= patients <= 1_000_000:
        raise UserInputError(
            f"{patients} patients", field="patients", expected="1 to 1000000 patients"
        )
    if not 0.0 <= cv <= 2.0:
        raise UserInputError(f"cv {cv:g}", field="cv", expected="a coefficient of variation 0-2")
    _check_duration(scenario, max_days)
    if progress is not None:
        progress(0.05, f"simulating {patients} virtual patients")
    result = cohort(scenario, patients, seed, cv)
    if progress is not None:
        progress(1.0, "done")
    return CohortRead(
        scenario=scenario,
        patients=patients,
        seed=seed,
        cv=cv,
        endpoints={
            name: {k: finite(v) for k, v in stats.items()} for name, stats in result.items()
        },
    )


def export_sbml(actor: Actor, *, scenario: TreatmentScenario) -> str:
    """A model with the scenario's regimen as SBML Level 3 (treated arm).

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    scenario : TreatmentScenario
        The model and regimen to export.

    Returns
    -------
    str
        The SBML document; it simulates identically in libRoadRunner.

    References
    ----------
    .. [1] Keating, S. M. et al. (2020). SBML Level 3: an extensible format for the
       exchange and reuse of biological models. Molecular Systems Biology 16(8), e9110.
       doi:10.15252/msb.20199110

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.simulate.scenario import build_scenario
    >>> xml = export_sbml(Actor("ada", Role.viewer),
    ...                   scenario=build_scenario(model="wound", dose=1e10, schedule=(0,)))
    >>> "<sbml" in xml
    True
    """
    from exoderm.simulate.sbml import export_scenario

    _may_simulate(actor)
    return export_scenario(scenario)


def expected_outcomes(
    actor: Actor,
    *,
    sources: Sequence[EvSourceDose],
    route: str = "topical",
    schedule_days: Sequence[float] | None = None,
    targets: Sequence[str] = (),
) -> list[ExpectedOutcomeRead]:
    """The expected outcome of a product's EV sources, one per model its targets call for.

    Every answer is a model prediction, labelled so, with the scenario run and every
    assumption made on the way (source mapping, dose, schedule, duration).

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    sources : sequence of EvSourceDose
        The EV source ingredients: catalogue key, name, % w/w, origin.
    route : str
        A design route or procedure key (``topical``, ``microneedling``, ...).
    schedule_days : sequence of float, optional
        Dosing days; by default daily (topical) or weekly sessions (procedures).
    targets : sequence of str
        Concerns or effects (wrinkles, atopic dermatitis, scars, ...).

    Returns
    -------
    list of ExpectedOutcomeRead
        One per model; one with ``model=None`` and the reason when nothing is modelled.

    References
    ----------
    .. [1] Yanuar, A. et al. (2023). Journal of Applied Pharmaceutical Science 13(2).
       doi:10.7324/JAPS.2023.130214
    .. [2] Miyano, T., Irvine, A. D. & Tanaka, R. J. (2022). A mathematical model to
       identify optimal combinations of drug targets for dupilumab poor responders in
       atopic dermatitis. Allergy 77(2), 582-594. doi:10.1111/all.14870

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> found = expected_outcomes(Actor("ada", Role.viewer),
    ...     sources=[EvSourceDose(key="adsc-exosomes", name="ADSC exosomes", percent=1.0)],
    ...     targets=["wrinkles"])
    >>> found[0].model, found[0].scenario.source.value
    ('photoageing', 'adipose-msc')
    """
    _may_simulate(actor)
    found = expected_for_sources(sources, route=route, schedule_days=schedule_days, targets=targets)
    return [ExpectedOutcomeRead.of(e) for e in found]


def parameters(actor: Actor, *, model: ModelName | None = None) -> ParameterTableRead:
    """A model's parameters with unit and source (``ASSUMPTION`` = no published value).

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    model : ModelName, optional
        The model; by default the exosome dose layer.

    Returns
    -------
    ParameterTableRead
        Every parameter and the full citation of each source key.

    References
    ----------
    .. [1] Waugh, H. V. & Sherratt, J. A. (2007). Modeling the effects of treating
       diabetic wounds with engineered skin substitutes. Wound Repair and Regeneration
       15(4), 556-565. PMID 17650100.
    .. [2] Miyano, T., Irvine, A. D. & Tanaka, R. J. (2022). A mathematical model to
       identify optimal combinations of drug targets for dupilumab poor responders in
       atopic dermatitis. Allergy 77(2), 582-594. doi:10.1111/all.14870

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> table = parameters(Actor("ada", Role.viewer), model=ModelName.wound)
    >>> len(table.parameters) > 10
    True
    """
    from exoderm.simulate.parameters import load_table

    _may_simulate(actor)
    return ParameterTableRead.of(load_table(PARAMETER_FILES[model]))


def validate(actor: Actor, *, out: Path, out_of_sample: bool = False) -> ValidationRead:
    """Check baselines, calibration targets and direction checks; write the report.

    Parameters
    ----------
    actor : Actor
        Who asks; every role may simulate.
    out : Path
        The Markdown report to write (not a directory).
    out_of_sample : bool
        Also refit the calibration without each target in turn and predict the
        independent outcomes (leave-one-out and out-of-sample tables; a few minutes).

    Returns
    -------
    ValidationRead
        Every check (``result`` is ``pass`` or ``fail``) and the report's path.

    Raises
    ------
    UserInputError
        ``out`` is a directory.

    References
    ----------
    .. [1] ASME (2018). V&V 40-2018: Assessing Credibility of Computational Modeling
       through Verification and Validation: Application to Medical Devices.

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.records import Role
    >>> validate(Actor("ada", Role.viewer), out=Path(tempfile.mkdtemp()))
    Traceback (most recent call last):
    ...
    exoderm.errors.UserInputError: ...: is a directory (expected a Markdown file to write)
    """
    from exoderm.simulate.validation import write_report

    _may_simulate(actor)
    if out.is_dir():
        raise UserInputError("is a directory", file=out, expected="a Markdown file to write")
    rows = write_report(out, out_of_sample=out_of_sample)
    return ValidationRead(report=out, checks=[CheckRead.model_validate(r) for r in rows])


def calibrate(actor: Actor, *, write: bool = False) -> CalibrationRead:
    """Refit the exosome-effect parameters to the calibration targets (least squares).

    Parameters
    ----------
    actor : Actor
        An admin or a scientist (the fit can overwrite the shipped calibration).
    write : bool
        Overwrite the shipped fit with the result.

    Returns
    -------
    CalibrationRead
        The weighted cost, each parameter with its standard error and 95 % interval,
        and the file written (if any).

    Raises
    ------
    PermissionDenied
        The actor may not calibrate.

    References
    ----------
    .. [1] Raue, A. et al. (2009). Structural and practical identifiability analysis of
       partially observed dynamical models by exploiting the profile likelihood.
       Bioinformatics 25(15), 1923-1929. doi:10.1093/bioinformatics/btp358

    Examples
    --------
    >>> from exoderm.accounts.records import Role
    >>> calibrate(Actor("ada", Role.viewer))
    Traceback (most recent call last):
    ...
    exoderm.errors.PermissionDenied: ada (viewer) may not calibrate the simulator; ...
    """
    from exoderm.simulate.calibration import calibrate as fit
    from exoderm.simulate.calibration import write_calibration

    actor.require(*CALIBRATE_ROLES, action="calibrate the simulator")
    result = fit()
    written = write_calibration(result) if write else None
    return CalibrationRead(
        cost=result.cost,
        parameters=[FittedParameterRead.model_validate(r) for r in result.rows()],
        written=written,
    )
