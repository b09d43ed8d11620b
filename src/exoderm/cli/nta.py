"""``exoderm nta``: analyse NTA videos, simulate them, calibrate the scattering volume.

This module only parses options and prints; the work is in :mod:`exoderm.nta`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from exoderm.cli.output import emit_object, emit_rows, info, progress
from exoderm.cli.state import STATE, OutputFormat
from exoderm.errors import UserInputError

if TYPE_CHECKING:
    from exoderm.nta import AnalysisSettings

app = typer.Typer(
    help="Nanoparticle tracking analysis: video → size distribution and concentration.",
    no_args_is_help=True,
)


def parse_exposure_ms(text: str) -> float:
    """``30ms``, ``0.03s``, ``30000us`` or a bare number of milliseconds → milliseconds."""
    from exoderm.nta import parse_exposure_ms as parse

    return parse(text)


Temperature = Annotated[float, typer.Option("--temperature", help="Sample temperature, °C.")]
PixelSize = Annotated[float, typer.Option("--pixel-size", help="µm per pixel.")]
Fps = Annotated[float, typer.Option("--fps", help="Frames per second.")]
Exposure = Annotated[str, typer.Option("--exposure", help="Exposure per frame, e.g. 30ms.")]


def _settings(
    *,
    temperature: float,
    pixel_size: float,
    fps: float,
    exposure: str,
    viscosity: float | None,
    dilution: float,
    calibration: Path | None,
    effective_volume: float | None,
    invert: bool,
    radius: int,
    threshold: float,
    search_range: float | None,
    memory: int,
    estimator: str,
    bootstrap: int,
    min_track_length: int,
    drift: bool,
    max_frames: int | None,
    mixture: bool = False,
    max_components: int = 4,
) -> AnalysisSettings:
    from exoderm.nta import Calibration, analysis_settings, load_calibration

    if calibration is not None and effective_volume is not None:
        raise UserInputError(
            "give --calibration or --effective-volume, not both", field="--effective-volume"
        )
    cal = load_calibration(calibration) if calibration else None
    if effective_volume is not None:
        cal = Calibration.from_volume(effective_volume)
    settings = analysis_settings(
        temperature=temperature,
        pixel_size=pixel_size,
        fps=fps,
        exposure=exposure,
        viscosity=viscosity,
        dilution=dilution,
        calibration=cal,
        radius=radius,
        threshold=threshold,
        invert=invert,
        search_range=search_range,
        memory=memory,
        estimator=estimator,
        bootstrap=bootstrap,
        min_track_length=min_track_length,
        drift=drift,
        max_frames=max_frames,
    )
    # the range of max_components is checked by its option (the field's bounds, 1–6)
    return settings.model_copy(
        update={"mixture": mixture, "mixture_max_components": max_components}
    )


def _summary_row(result: Any) -> dict[str, Any]:
    s = result.summary
    conc = result.concentration
    return {
        "source": result.source,
        "frames": result.frames,
        "particles_per_frame": round(result.particles_per_frame, 2),
        "tracks": result.tracks,
        "sized_tracks": result.sized_tracks,
        "mode_nm": s.get("mode_nm"),
        "mean_nm": s.get("mean_nm"),
        "sd_nm": s.get("sd_nm"),
        "d10_nm": s.get("d10_nm"),
        "d50_nm": s.get("d50_nm"),
        "d90_nm": s.get("d90_nm"),
        "concentration_per_ml": conc.concentration_per_ml if conc else None,
        "ci_low_per_ml": conc.ci_low_per_ml if conc else None,
        "ci_high_per_ml": conc.ci_high_per_ml if conc else None,
        "blur_r": round(result.blur_r, 4),
        "viscosity_mpas": round(result.viscosity_mpas, 5),
        "warnings": "; ".join(result.warnings),
    }


@app.command()
def analyze(
    videos: Annotated[list[Path], typer.Argument(help="TIFF stack, AVI/MP4, image folder, .npy")],
    temperature: Temperature,
    pixel_size: PixelSize,
    fps: Fps,
    exposure: Exposure,
    viscosity: Annotated[
        float | None, typer.Option(help="Dispersant viscosity, mPa·s (default: water at T).")
    ] = None,
    dilution: Annotated[float, typer.Option(help="Dilution factor of the sample.")] = 1.0,
    calibration: Annotated[
        Path | None, typer.Option(help="Volume calibration JSON from 'nta calibrate'.")
    ] = None,
    effective_volume: Annotated[
        float | None,
        typer.Option("--effective-volume", help="Stated effective scattering volume, pL."),
    ] = None,
    batch: Annotated[
        str | None, typer.Option("--batch", help="Record the result on this QC batch lot.")
    ] = None,
    instrument: Annotated[str, typer.Option(help="Instrument name for the QC record.")] = (
        "NTA video"
    ),
    out: Annotated[Path | None, typer.Option(help="Write JSON, CSV and PNG here.")] = None,
    summary_csv: Annotated[
        Path | None,
        typer.Option(
            "--summary-csv",
            help="Write a NanoSight-style ExperimentSummary.csv (one column per video; "
            "needs a calibration).",
        ),
    ] = None,
    invert: Annotated[bool, typer.Option(help="Dark particles on a bright background.")] = False,
    channel: Annotated[int | None, typer.Option(help="Colour channel (0=R, 1=G, 2=B).")] = None,
    radius: Annotated[int, typer.Option(help="Spot radius in pixels.")] = 4,
    threshold: Annotated[float, typer.Option(help="Detection threshold, × noise SD.")] = 6.0,
    search_range: Annotated[
        float | None, typer.Option(help="Linking search range, px (default from physics).")
    ] = None,
    memory: Annotated[int, typer.Option(help="Frames a particle may vanish.")] = 2,
    estimator: Annotated[str, typer.Option(help="cve or msd.")] = "cve",
    bootstrap: Annotated[int, typer.Option(help="Bootstrap resamples for the CIs.")] = 100,
    min_track_length: Annotated[int, typer.Option(help="Positions needed to size a track.")] = 10,
    drift: Annotated[bool, typer.Option(help="Correct drift.")] = True,
    max_frames: Annotated[int | None, typer.Option(help="Analyse only the first N frames.")] = None,
    scheduler: Annotated[
        str | None, typer.Option(help="Dask scheduler address for many videos.")
    ] = None,
    workers: Annotated[int, typer.Option(help="Local Dask workers for many videos.")] = 2,
    mixture: Annotated[
        bool,
        typer.Option(
            "--mixture/--no-mixture",
            help="Also fit discrete size populations (EM mixture, K chosen by BIC).",
        ),
    ] = False,
    max_components: Annotated[
        int,
        typer.Option("--max-components", min=1, max=6, help="Most populations tried."),
    ] = 4,
) -> None:
    """Size distribution (and concentration, with --calibration) of one or more videos."""
    from exoderm.nta import analyze_many, write_report

    settings = _settings(
        temperature=temperature,
        pixel_size=pixel_size,
        fps=fps,
        exposure=exposure,
        viscosity=viscosity,
        dilution=dilution,
        calibration=calibration,
        effective_volume=effective_volume,
        invert=invert,
        radius=radius,
        threshold=threshold,
        search_range=search_range,
        memory=memory,
        estimator=estimator,
        bootstrap=bootstrap,
        min_track_length=min_track_length,
        drift=drift,
        max_frames=max_frames,
        mixture=mixture,
        max_components=max_components,
    )
    if summary_csv is not None and settings.calibration is None:
        raise UserInputError(
            "--summary-csv needs a concentration: give --calibration or --effective-volume",
            field="--summary-csv",
        )
    if len(videos) == 1 or batch is not None:
        # recording on a batch goes through the service, video by video
        results: list[Any] = [_analyse_one(v, settings, batch, instrument, channel) for v in videos]
    else:
        info(f"analysing {len(videos)} videos with Dask")
        results = list(
            analyze_many(videos, settings, scheduler=scheduler, n_workers=workers, channel=channel)
        )
    for video, result in zip(videos, results, strict=True):
        if out is not None:
            paths = write_report(result, out, stem=video.stem)
            info(f"wrote {', '.join(str(p) for p in paths)}")
    if summary_csv is not None:
        _write_summary_csv(summary_csv, results, sample=batch or videos[0].stem)
    for result in results:
        for warning in result.warnings:
            info(f"warning ({result.source}): {warning}")
    rows = [_summary_row(r) for r in results]
    as_json = STATE.format is OutputFormat.json
    if mixture and as_json:
        # one JSON document on stdout: the components go into each summary
        for row, result in zip(rows, results, strict=True):
            row["mixture"] = _mixture_rows(result)
    if len(rows) == 1:
        emit_object(rows[0], title="NTA")
    else:
        emit_rows(rows, title="NTA")
    if mixture and not as_json:
        for result in results:
            _emit_mixture(result)


def _mixture_rows(result: Any) -> list[dict[str, Any]]:
    """The mixture components of a result, one record each (empty without a fit)."""
    if result.mixture is None:
        return []
    records: list[dict[str, Any]] = result.mixture.to_frame().to_dict("records")
    return records


def _emit_mixture(result: Any) -> None:
    if result.mixture is None:
        info(f"{result.source}: too few sized tracks for a mixture fit")
        return
    mix = result.mixture
    title = (
        f"{result.source}: {mix.n_components} population(s) of {mix.n_tracks} tracks "
        f"(BIC; {100 * mix.level:.0f} % intervals from {mix.bootstrap} bootstrap resamples)"
    )
    emit_rows(_mixture_rows(result), title=title)


def _write_summary_csv(path: Path, results: list[Any], sample: str) -> None:
    from exoderm.nta.nanosight_export import experiment_summary_csv

    text = experiment_summary_csv(results, sample=sample)
    try:
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as exc:
        raise UserInputError(f"cannot write file: {exc.strerror}", file=path) from exc
    info(f"wrote {path}")


def _analyse_one(
    video: Path,
    settings: AnalysisSettings,
    batch: str | None,
    instrument: str,
    channel: int | None,
) -> Any:
    """One video through the service (role check, QC fencing and record, as on the web)."""
    from exoderm.accounts.actor import local_operator
    from exoderm.nta import open_frames, service

    total = open_frames(video, channel=channel).n_frames
    if settings.max_frames is not None and total is not None:
        total = min(total, settings.max_frames)
    db = STATE.database() if batch is not None else None
    with progress(f"analysing {video.name}", total) as advance:
        if db is None:
            from exoderm.storage.scratch import scratch_database

            db = scratch_database()
        with db.transaction() as session:
            result = service.analyze(
                session,
                local_operator(),
                video=video,
                settings=settings,
                record_on_batch=batch,
                instrument=instrument,
                channel=channel,
                progress=advance,
            )
    if result.stored_measurement_id is not None:
        info(f"recorded measurement {result.stored_measurement_id} on batch {batch}")
    return result


@app.command()
def simulate(
    out: Annotated[Path, typer.Argument(help="Output TIFF stack (.tif).")],
    size: Annotated[
        list[str], typer.Option("--size", help="DIAMETER[:FRACTION[:GSD]] in nm; repeatable.")
    ] = ["100"],  # noqa: B006
    frames: Annotated[int, typer.Option(help="Number of frames.")] = 200,
    concentration: Annotated[float, typer.Option(help="Particles per mL in the cell.")] = 4e8,
    temperature: Annotated[float, typer.Option(help="°C.")] = 22.0,
    pixel_size: Annotated[float, typer.Option(help="µm per pixel.")] = 0.166,
    fps: Annotated[float, typer.Option(help="Frames per second.")] = 25.0,
    exposure: Annotated[str, typer.Option(help="Exposure, e.g. 30ms.")] = "30ms",
    width: Annotated[int, typer.Option(help="Frame width, px.")] = 512,
    height: Annotated[int, typer.Option(help="Frame height, px.")] = 512,
    brightness_exponent: Annotated[float, typer.Option(help="Brightness ∝ d^exponent.")] = 6.0,
    drift: Annotated[tuple[float, float], typer.Option(help="Drift px/frame (x y).")] = (0, 0),
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
) -> None:
    """Write a synthetic NTA video (TIFF, streamed) and its ground truth (JSON)."""
    from exoderm.nta.synthetic import SimulationSettings, SizeComponent, write_simulation

    components = []
    for item in size:
        parts = item.split(":")
        try:
            values = [float(p) for p in parts]
        except ValueError as exc:
            raise UserInputError(
                f"cannot read size '{item}'", field="--size", expected="DIAMETER[:FRACTION[:GSD]]"
            ) from exc
        keys = ("diameter_nm", "fraction", "geometric_sd")
        components.append(SizeComponent(**dict(zip(keys, values, strict=False))))
    settings = SimulationSettings(
        width=width,
        height=height,
        n_frames=frames,
        pixel_size_um=pixel_size,
        fps=fps,
        exposure_ms=parse_exposure_ms(exposure),
        temperature_c=temperature,
        sizes=components,
        concentration_per_ml=concentration,
        n_particles=None,
        brightness_exponent=brightness_exponent,
        drift_px_per_frame=drift,
        seed=seed,
    )
    with progress(f"simulating {out.name}", frames) as advance:
        truth = write_simulation(settings, out, advance)
    emit_object({k: v for k, v in truth.items() if k != "settings"})


@app.command()
def calibrate(
    video: Annotated[Path, typer.Argument(help="Video of the concentration standard.")],
    standard_concentration: Annotated[
        float, typer.Option(help="Certified concentration of the standard, particles/mL.")
    ],
    temperature: Temperature,
    pixel_size: PixelSize,
    fps: Fps,
    exposure: Exposure,
    standard: Annotated[str, typer.Option(help="Name / lot of the standard.")] = "standard",
    dilution: Annotated[float, typer.Option(help="Dilution of the standard.")] = 1.0,
    out: Annotated[Path, typer.Option(help="Calibration file to write.")] = Path(
        "nta-calibration.json"
    ),
    invert: Annotated[bool, typer.Option(help="Dark particles on a bright background.")] = False,
    channel: Annotated[int | None, typer.Option(help="Colour channel.")] = None,
    radius: Annotated[int, typer.Option(help="Spot radius in pixels.")] = 4,
    threshold: Annotated[float, typer.Option(help="Detection threshold, × noise SD.")] = 6.0,
    max_frames: Annotated[int | None, typer.Option(help="Use only the first N frames.")] = None,
) -> None:
    """Fit the effective scattering volume from a standard of known concentration."""
    from exoderm.nta import open_frames
    from exoderm.nta.calibration import calibrate_from_video

    settings = _settings(
        temperature=temperature,
        pixel_size=pixel_size,
        fps=fps,
        exposure=exposure,
        viscosity=None,
        dilution=1.0,
        calibration=None,
        effective_volume=None,
        invert=invert,
        radius=radius,
        threshold=threshold,
        search_range=None,
        memory=2,
        estimator="cve",
        bootstrap=0,
        min_track_length=10,
        drift=True,
        max_frames=max_frames,
    )
    source = open_frames(video, channel=channel)
    with progress(f"counting {video.name}", source.n_frames) as advance:
        cal = calibrate_from_video(
            source,
            settings,
            standard_concentration,
            standard=standard,
            dilution=dilution,
            progress=advance,
        )
    cal.save(out)
    info(f"wrote {out}")
    emit_object(cal.model_dump(mode="json", exclude={"settings"}))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="nta")
