"""``exoderm simulate``: mechanistic models of exosome action on skin.

Options are parsed here; all work is done by :mod:`exoderm.simulate.service`, as the
local operator.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exoderm.accounts.actor import local_operator
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE, OutputFormat
from exoderm.settings import private_data_dir, private_folder
from exoderm.simulate import service as simulate
from exoderm.simulate.plots import endpoint_label
from exoderm.simulate.reads import SimulationRead
from exoderm.simulate.scenario import (
    DoseUnit,
    ModelName,
    Route,
    Source,
    TreatmentScenario,
    build_scenario,
    parse_schedule,
)

app = typer.Typer(
    help="Simulate exosome effects on wound healing, photo-ageing and AD.", no_args_is_help=True
)

SourceOpt = Annotated[Source, typer.Option("--source", help="Exosome source.")]
DoseOpt = Annotated[float, typer.Option("--dose", help="Dose per administration (in --unit).")]
UnitOpt = Annotated[DoseUnit, typer.Option("--unit", help="Dose unit.")]
PerUgOpt = Annotated[
    float | None,
    typer.Option(
        "--particles-per-ug",
        min=1.0,
        help="Your preparation's particle:protein ratio (default the assumed 3e10).",
    ),
]
PerPercentOpt = Annotated[
    float | None,
    typer.Option(
        "--ug-per-percent",
        min=1e-6,
        help="µg protein per application per 1 % w/w (default the assumed 10).",
    ),
]
RouteOpt = Annotated[Route, typer.Option("--route", help="Route of administration.")]
ScheduleOpt = Annotated[str, typer.Option("--schedule", help="Dosing days, e.g. 0,7,14.")]
DaysOpt = Annotated[float | None, typer.Option("--days", help="Simulated duration (days).")]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a PNG of the time course.")]


def _scenario(
    model: ModelName,
    source: Source,
    dose: float,
    unit: DoseUnit,
    route: Route,
    schedule: str,
    days: float | None,
    **extra: Any,
) -> TreatmentScenario:
    return build_scenario(
        model=model,
        source=source,
        dose=dose,
        unit=unit,
        route=route,
        schedule=parse_schedule(schedule),
        duration_days=days,
        **extra,
    )


def simulation_record(out: SimulationRead, *, as_json: bool = False) -> dict[str, Any]:
    """What ``simulate wound|photoageing|ad`` prints: every endpoint with its 90 % interval.

    Tables and CSV show each endpoint as ``"value (90 % interval a–b)"``, then each
    headline quantity for the treated and control arms and their paired difference, what
    the interval covers, and the dose finding (whether the dose gives a meaningful
    difference and from which dose the model predicts one). JSON keeps every endpoint as a
    number at the top level (as before) and adds ``intervals`` (``value``/``low``/``high``
    per endpoint), ``headline``, ``interval_label`` and ``dose_effect``.

    Parameters
    ----------
    out : SimulationRead
        The service's answer (with intervals and dose finding).
    as_json : bool
        The record for ``--format json`` (numbers stay numbers).

    Returns
    -------
    dict
        Field -> value, in print order.

    References
    ----------
    .. [1] JCGM 100:2008. Evaluation of measurement data — Guide to the expression of
       uncertainty in measurement, §7 (reporting uncertainty with the result). BIPM.

    Examples
    --------
    >>> from exoderm.accounts.actor import local_operator
    >>> from exoderm.simulate.scenario import build_scenario
    >>> out = simulate.run(local_operator(), scenario=build_scenario(
    ...     model="wound", dose=1e10, schedule=(0, 7, 14), diabetic=True), draws=20)
    >>> record = simulation_record(out)
    >>> "90 % interval" in record["closure_day14_pct"], "no meaningful" in record["dose effect"]
    (True, True)
    """
    bands = out.intervals.endpoints if out.intervals is not None else {}
    sentence = out.dose_effect_sentence or ""
    if as_json:
        return {
            "model": out.model,
            **out.endpoints,
            "intervals": {k: b.model_dump() for k, b in bands.items()},
            "headline": [h.model_dump() for h in out.intervals.headline] if out.intervals else [],
            "interval_label": out.intervals.label if out.intervals else None,
            "dose_effect": sentence,
            "dose": out.dose.model_dump() if out.dose is not None else None,
        }
    record: dict[str, Any] = {"model": out.model}
    if out.dose is not None:
        record["dose"] = out.dose.sentence()
        record["dose conversions"] = "; ".join(
            f"{c.name} {c.value:.3g} ({'given' if c.given_by_user else c.source})"
            for c in out.dose.conversions
        )
    for name, value in out.endpoints.items():
        record[name] = bands[name].text() if name in bands else value
    for h in out.intervals.headline if out.intervals else []:
        record[f"{h.quantity} ({h.unit})"] = (
            f"treated {h.treated.text()}; control {h.control.text()}; "
            f"difference {h.difference.text()}"
        )
    if out.intervals is not None:
        record["interval"] = out.intervals.label
    if out.dose_effect is not None and not out.dose_effect.meaningful:
        record["dose effect"] = sentence
    return record


def _run(scenario: TreatmentScenario, plot: Path | None) -> None:
    out = simulate.run(local_operator(), scenario=scenario, max_points=None, plot=plot)
    record = simulation_record(out, as_json=STATE.format is OutputFormat.json)
    emit_object(record, title=f"simulate {out.model}")
    if plot is not None:
        info(f"plot written to {plot}")


@app.command()
def wound(
    source: SourceOpt = Source.adipose_msc,
    dose: DoseOpt = 1e10,
    unit: UnitOpt = DoseUnit.particles,
    route: RouteOpt = Route.injection,
    schedule: ScheduleOpt = "0",
    diabetic: Annotated[bool, typer.Option("--diabetic", help="Diabetic set (model B).")] = False,
    days: DaysOpt = None,
    plot: PlotOpt = None,
    particles_per_ug: PerUgOpt = None,
    ug_per_percent: PerPercentOpt = None,
) -> None:
    """Wound healing (Waugh & Sherratt 2007 + wound area): closure with vs without exosomes."""
    conversions = {"particles_per_ug": particles_per_ug, "ug_per_percent": ug_per_percent}
    _run(
        _scenario(
            ModelName.wound,
            source,
            dose,
            unit,
            route,
            schedule,
            days,
            diabetic=diabetic,
            **conversions,
        ),
        plot,
    )


@app.command()
def photoageing(
    source: SourceOpt = Source.adipose_msc,
    dose: DoseOpt = 1e10,
    unit: UnitOpt = DoseUnit.particles,
    route: RouteOpt = Route.injection,
    schedule: ScheduleOpt = "0,7,14,21",
    intrinsic: Annotated[bool, typer.Option("--intrinsic", help="Aged skin without UV.")] = False,
    days: DaysOpt = None,
    plot: PlotOpt = None,
    particles_per_ug: PerUgOpt = None,
    ug_per_percent: PerPercentOpt = None,
) -> None:
    """Photo-ageing dermis: MMP-1, TNF-α, ROS, TGF-β, procollagen I, collagen."""
    _run(
        _scenario(
            ModelName.photoageing,
            source,
            dose,
            unit,
            route,
            schedule,
            days,
            photoaged=not intrinsic,
            particles_per_ug=particles_per_ug,
            ug_per_percent=ug_per_percent,
        ),
        plot,
    )


@app.command()
def ad(
    source: SourceOpt = Source.adipose_msc,
    dose: DoseOpt = 1e10,
    unit: UnitOpt = DoseUnit.particles,
    route: RouteOpt = Route.topical,
    schedule: ScheduleOpt = "0,7,14,21,28,35,42,49,56,63,70,77,84,91,98,105",
    days: DaysOpt = None,
    plot: PlotOpt = None,
    particles_per_ug: PerUgOpt = None,
    ug_per_percent: PerPercentOpt = None,
) -> None:
    """Atopic dermatitis (Miyano 2021 QSP): EASI, barrier, TEWL vs vehicle."""
    sc = _scenario(
        ModelName.ad,
        source,
        dose,
        unit,
        route,
        schedule,
        days,
        particles_per_ug=particles_per_ug,
        ug_per_percent=ug_per_percent,
    )
    _run(sc, plot)


@app.command()
def cohort(
    model: Annotated[ModelName, typer.Option("--model", help="Model.")] = ModelName.wound,
    source: SourceOpt = Source.adipose_msc,
    dose: DoseOpt = 1e10,
    unit: UnitOpt = DoseUnit.particles,
    route: RouteOpt = Route.injection,
    schedule: ScheduleOpt = "0,7,14",
    diabetic: Annotated[bool, typer.Option("--diabetic")] = False,
    patients: Annotated[int, typer.Option("--patients", min=1, max=1_000_000)] = 1000,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    cv: Annotated[
        float, typer.Option("--cv", min=0.0, max=2.0, help="Between-patient CV (assumption).")
    ] = 0.2,
    days: DaysOpt = None,
) -> None:
    """Virtual population: median and 90 % interval of each endpoint."""
    sc = _scenario(model, source, dose, unit, route, schedule, days, diabetic=diabetic)
    summary = simulate.run_cohort(
        local_operator(), scenario=sc, patients=patients, seed=seed, cv=cv
    )
    rows = []
    for key, stats in summary.endpoints.items():
        name, measured_in = endpoint_label(sc.model.value, key)
        label = f"{name} ({measured_in})" if measured_in else name
        rows.append({"endpoint": key, "name": label, **stats})
    numbers = ["median", "p05", "p95", "n_missing", "rate_pct"]
    machine = STATE.format is not OutputFormat.table  # JSON and CSV keep the key too
    emit_rows(
        rows,
        ["endpoint", "name", *numbers] if machine else ["name", *numbers],
        title=f"{patients:,} virtual patients (median and 5th–95th percentile)",
    )


@app.command()
def calibrate(
    write: Annotated[bool, typer.Option("--write", help="Overwrite the shipped fit.")] = False,
) -> None:
    """Refit the exosome-effect parameters to the calibration targets (least squares)."""
    info("fitting to W1, P1, P2, F1 (about 20 s)…")
    result = simulate.calibrate(local_operator(), write=write)
    emit_rows(
        [p.model_dump() for p in result.parameters],
        title=f"weighted least squares, cost {result.cost:.3g}",
    )
    if result.written is not None:
        info(f"written to {result.written}")


#: Where ``simulate validate`` writes its report without ``--output``: the data directory.
REPORT_NAME = "validation.md"


def default_report() -> Path:
    """The validation report's default place: ``reports/validation.md`` in the data
    directory, which is created private to its owner (never a folder of the current
    directory)."""
    return private_folder(private_data_dir() / "reports") / REPORT_NAME


@app.command()
def validate(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "--out",
            "-o",
            help="Write the Markdown report here (default: reports/validation.md in the "
            "data directory).",
        ),
    ] = None,
    out_of_sample: Annotated[
        bool,
        typer.Option(
            "--out-of-sample",
            help="Also refit without each calibration target and predict the independent "
            "outcomes (leave-one-out and out-of-sample tables; a few minutes).",
        ),
    ] = False,
) -> None:
    """Check baselines, calibration targets and direction checks; print them and write
    the Markdown report to --output (with --out-of-sample, also the out-of-sample
    validation). Exits 1 if a check fails."""
    out = output if output is not None else default_report()
    done = simulate.validate(local_operator(), out=out, out_of_sample=out_of_sample)
    rows = [c.model_dump() for c in done.checks]
    emit_rows(rows, ["id", "target", "model", "result"])
    failed = done.failed
    info(f"{len(rows) - len(failed)}/{len(rows)} checks pass; report written to {out}")
    if failed:
        raise typer.Exit(1)


@app.command()
def parameters(
    model: Annotated[
        ModelName | None, typer.Option("--model", help="Model (default: the dose layer).")
    ] = None,
) -> None:
    """List a model's parameters with unit and source (ASSUMPTION = no published value)."""
    table = simulate.parameters(local_operator(), model=model)
    emit_rows([p.model_dump() for p in table.parameters], title=table.model)
    for key, citation in table.sources.items():
        info(f"{key}: {citation}")


@app.command("export-sbml")
def export_sbml(
    model: Annotated[ModelName, typer.Option("--model", help="Model.")] = ModelName.wound,
    out: Annotated[Path, typer.Option("--out", help="SBML file to write.")] = Path("model.xml"),
    source: SourceOpt = Source.adipose_msc,
    dose: DoseOpt = 1e10,
    unit: UnitOpt = DoseUnit.particles,
    route: RouteOpt = Route.injection,
    schedule: ScheduleOpt = "0",
    diabetic: Annotated[bool, typer.Option("--diabetic")] = False,
) -> None:
    """Export a model with its regimen as SBML (simulates identically in libRoadRunner)."""
    sc = _scenario(model, source, dose, unit, route, schedule, None, diabetic=diabetic)
    out.write_text(simulate.export_sbml(local_operator(), scenario=sc), encoding="utf-8")
    emit_object({"model": model.value, "sbml": str(out)})


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="simulate")
