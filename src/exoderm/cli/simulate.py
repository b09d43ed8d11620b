"""``exoderm simulate``: mechanistic models of exosome action on skin.

Options are parsed here; all work is done by :mod:`exoderm.simulate`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.simulate.scenario import (
    DoseUnit,
    ModelName,
    Route,
    Source,
    build_scenario,
    parse_schedule,
)

app = typer.Typer(
    help="Simulate exosome effects on wound healing, photo-ageing and AD.", no_args_is_help=True
)

SourceOpt = Annotated[Source, typer.Option("--source", help="Exosome source.")]
DoseOpt = Annotated[float, typer.Option("--dose", help="Dose per administration (in --unit).")]
UnitOpt = Annotated[DoseUnit, typer.Option("--unit", help="Dose unit.")]
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
) -> Any:
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


def _run(scenario: Any, plot: Path | None) -> None:
    from exoderm.simulate.outcomes import predict_outcomes

    out = predict_outcomes(scenario)
    emit_object(out.as_dict(), title=f"simulate {scenario.model.value}")
    if plot is not None:
        from exoderm.simulate.plots import plot_outcome

        info(f"plot written to {plot_outcome(out, plot)}")


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
) -> None:
    """Wound healing (Waugh & Sherratt 2007 + wound area): closure with vs without exosomes."""
    _run(
        _scenario(ModelName.wound, source, dose, unit, route, schedule, days, diabetic=diabetic),
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
) -> None:
    """Atopic dermatitis (Miyano 2021 QSP): EASI, barrier, TEWL vs vehicle."""
    _run(_scenario(ModelName.ad, source, dose, unit, route, schedule, days), plot)


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
    from exoderm.simulate.population import cohort as run_cohort

    sc = _scenario(model, source, dose, unit, route, schedule, days, diabetic=diabetic)
    summary = run_cohort(sc, patients, seed, cv)
    emit_rows(
        [{"endpoint": k, **v} for k, v in summary.items()],
        ["endpoint", "median", "p05", "p95", "n_missing", "rate_pct"],
        title=f"{patients} virtual patients",
    )


@app.command()
def calibrate(
    write: Annotated[bool, typer.Option("--write", help="Overwrite the shipped fit.")] = False,
) -> None:
    """Refit the exosome-effect parameters to the calibration targets (least squares)."""
    from exoderm.simulate.calibration import calibrate as run
    from exoderm.simulate.calibration import write_calibration

    info("fitting to W1, P1, P2, F1 (about 20 s)…")
    result = run()
    emit_rows(result.rows(), title=f"weighted least squares, cost {result.cost:.3g}")
    if write:
        info(f"written to {write_calibration(result)}")


@app.command()
def validate(
    out: Annotated[Path, typer.Option("--out", help="Report path.")] = Path("docs/validation.md"),
) -> None:
    """Check baselines, calibration targets and direction checks; write docs/validation.md."""
    from exoderm.simulate.validation import write_report

    rows = write_report(out)
    emit_rows(rows, ["id", "target", "model", "result"])
    failed = [r["id"] for r in rows if r["result"] != "pass"]
    info(f"report written to {out}; {len(rows) - len(failed)}/{len(rows)} pass")
    if failed:
        raise typer.Exit(1)


@app.command()
def parameters(
    model: Annotated[
        ModelName | None, typer.Option("--model", help="Model (default: the dose layer).")
    ] = None,
) -> None:
    """List a model's parameters with unit and source (ASSUMPTION = no published value)."""
    from exoderm.simulate.parameters import load_table

    files = {
        ModelName.wound: "waugh2007.json",
        ModelName.photoageing: "photoageing.json",
        ModelName.ad: "miyano2021.json",
    }
    table = load_table(files[model] if model else "exosome_layer.json")
    emit_rows(table.rows(), title=table.model)
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
    from exoderm.simulate.sbml import export_scenario

    sc = _scenario(model, source, dose, unit, route, schedule, None, diabetic=diabetic)
    out.write_text(export_scenario(sc), encoding="utf-8")
    emit_object({"model": model.value, "sbml": str(out)})


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="simulate")
