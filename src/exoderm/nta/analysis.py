"""The NTA pipeline: frames → detections → tracks → diffusion → sizes and concentration.

:func:`analyze` streams a :class:`~exoderm.nta.frames.FrameSource` once (detection and
linking happen frame by frame, so memory does not grow with the video), then estimates
each track's diffusion coefficient with the CVE (or an MSD fit), deconvolves the size
distribution (Walker/FTLA), and, when a calibration is given, the concentration.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from exoderm.errors import UserInputError
from exoderm.nta.concentration import (
    Calibration,
    ConcentrationResult,
    concentration,
    correlation_frames,
    ppf_warnings,
)
from exoderm.nta.detect import DetectionSettings, locate
from exoderm.nta.diffusion import cve, increments, msd_fit
from exoderm.nta.frames import FrameSource
from exoderm.nta.link import LinkedFrame, Linker, LinkSettings
from exoderm.nta.physics import (
    blur_factor,
    diameter_from_diffusion,
    diffusion_from_diameter,
    stokes_einstein_constant,
    water_viscosity_mpas,
)
from exoderm.nta.sizing import (
    Distribution,
    SizingSettings,
    TrackSteps,
    bootstrap,
    localisation_variance_by_brightness,
    summarise,
    walker_distribution,
)
from exoderm.nta.tracks import TrackBuilder, TrackTable, estimate_drift, subtract_drift

Progress = Callable[[int], None]


class Acquisition(BaseModel):
    """How the video was recorded. Everything sizing depends on is explicit here."""

    model_config = ConfigDict(extra="forbid")

    temperature_c: float = Field(..., description="sample temperature (°C)")
    pixel_size_um: float = Field(..., gt=0, description="µm per pixel in the sample plane")
    fps: float = Field(..., gt=0, description="frames per second")
    exposure_ms: float = Field(..., ge=0, description="camera exposure per frame (ms)")
    viscosity_mpas: float | None = Field(
        None, gt=0, description="dispersant viscosity; default water at the temperature (IAPWS)"
    )

    @property
    def frame_interval_s(self) -> float:
        return 1.0 / self.fps

    @property
    def viscosity(self) -> float:
        if self.viscosity_mpas is not None:
            return self.viscosity_mpas
        return water_viscosity_mpas(self.temperature_c)

    @property
    def blur(self) -> float:
        return blur_factor(self.exposure_ms / 1000.0, self.frame_interval_s)


class AnalysisSettings(BaseModel):
    """Every choice of an analysis; stored with the result so it can be reproduced."""

    model_config = ConfigDict(extra="forbid")

    acquisition: Acquisition
    detection: DetectionSettings = Field(default_factory=DetectionSettings)
    search_range_px: float | None = Field(
        None, gt=0, description="default: 4.5 step SDs of the smallest particle of interest"
    )
    smallest_diameter_nm: float = Field(30.0, gt=0, description="sets the default search range")
    memory: int = Field(2, ge=0, le=20)
    exclude_ambiguous: bool = Field(
        True, description="drop steps whose identity a neighbour could have swapped"
    )
    estimator: Literal["cve", "msd"] = "cve"
    drift_correction: bool = True
    drift_window: int = Field(25, ge=1)
    sizing: SizingSettings = Field(default_factory=SizingSettings)
    dilution: float = Field(1.0, gt=0)
    calibration: Calibration | None = None
    max_frames: int | None = Field(None, ge=1)

    def link_settings(self) -> LinkSettings:
        if self.search_range_px is not None:
            return LinkSettings(search_range=self.search_range_px, memory=self.memory)
        acq = self.acquisition
        d = diffusion_from_diameter(self.smallest_diameter_nm, acq.temperature_c, acq.viscosity)
        step_px = math.sqrt(2.0 * d * acq.frame_interval_s) / acq.pixel_size_um
        return LinkSettings(search_range=4.5 * step_px, memory=self.memory)


class TrackRow(BaseModel):
    """One sized track (µm²/s, nm)."""

    track: int
    positions: int
    diffusion_um2_s: float
    sigma_nm: float | None
    diameter_nm: float | None


class SizeBinRow(BaseModel):
    lower_nm: float
    upper_nm: float
    centre_nm: float
    fraction: float
    density_per_nm: float


class NtaResult(BaseModel):
    """Everything one video gives: settings, counts, distribution, summary, concentration."""

    source: str
    settings: AnalysisSettings
    frames: int
    detections: int
    particles_per_frame: float
    tracks: int
    sized_tracks: int
    blur_r: float
    viscosity_mpas: float
    search_range_px: float
    localisation_sigma_nm: float
    drift_um_per_s: tuple[float, float]
    summary: dict[str, float]
    intervals: dict[str, tuple[float, float]] = Field(default_factory=dict)
    bins: list[SizeBinRow] = Field(default_factory=list)
    track_rows: list[TrackRow] = Field(default_factory=list)
    concentration: ConcentrationResult | None = None
    independent_frames: float
    warnings: list[str] = Field(default_factory=list)

    def distribution(self) -> Distribution:
        edges = np.array([b.lower_nm for b in self.bins] + [self.bins[-1].upper_nm])
        return Distribution(edges, np.array([b.fraction for b in self.bins]))


def follow(
    linker: Linker,
    builder: TrackBuilder,
    index: int,
    frame: NDArray[Any],
    detection: DetectionSettings,
) -> LinkedFrame:
    """Detect the particles of one frame, link them, and add them to ``builder``."""
    found = locate(frame, detection)
    linked = linker.add(index, found.x, found.y, shape=frame.shape[:2])
    builder.add(index, found, linked.track_ids, linked.unambiguous)
    return linked


def track_video(
    source: FrameSource, settings: AnalysisSettings, progress: Progress | None = None
) -> TrackTable:
    """Detect and link, streaming the frames once."""
    linker = Linker(settings.link_settings())
    builder = TrackBuilder()
    for index, frame in enumerate(source):
        if settings.max_frames is not None and index >= settings.max_frames:
            break
        follow(linker, builder, index, frame, settings.detection)
        if progress is not None:
            progress(1)
    table = builder.finish()
    if table.n_frames == 0:
        raise UserInputError("the video has no frames", file=source.name)
    return table


def _msd_per_track(table: TrackTable, ids: np.ndarray, dt: float, blur: float) -> np.ndarray:
    out = np.full(len(ids), np.nan)
    for n, tid in enumerate(ids):
        _, x, y = table.positions(int(tid))
        out[n] = msd_fit(np.column_stack([x, y]), dt, blur)[0]
    return out


def analyze_tracks(table: TrackTable, settings: AnalysisSettings, source: str) -> NtaResult:
    """Diffusion, sizes and concentration from a linked track table (pixel units)."""
    acq = settings.acquisition
    px = acq.pixel_size_um
    dt = acq.frame_interval_s
    blur = acq.blur
    warnings: list[str] = []
    drift_rate = (0.0, 0.0)
    if settings.drift_correction and table.n_frames > 1:
        drift = estimate_drift(table, settings.drift_window)
        table = subtract_drift(table, drift)
        span = max(table.n_frames - 1, 1) * dt
        drift_rate = (float(drift[-1, 0] * px / span), float(drift[-1, 1] * px / span))
    usable = table.unambiguous if settings.exclude_ambiguous else None
    stats = increments(table.track, table.frame, table.x * px, table.y * px, table.n_tracks, usable)
    est = cve(stats, dt, blur)
    lengths = stats.n_positions
    sized = (lengths >= settings.sizing.min_track_length) & (est.n_steps >= 2)
    ids = np.flatnonzero(sized)
    diffusion = est.diffusion[ids]
    if settings.estimator == "msd":
        diffusion = _msd_per_track(table, ids, dt, blur) * px**2
    sigma2_tracks = est.sigma2[ids]
    brightness = np.bincount(table.track, weights=table.mass, minlength=table.n_tracks)[ids]
    sigma2_grouped = localisation_variance_by_brightness(
        stats.sum_sq[ids],
        stats.n_sq[ids],
        stats.sum_cov[ids],
        stats.n_cov[ids],
        brightness / np.maximum(lengths[ids], 1),
        blur,
    )
    sigma2 = float(np.average(sigma2_grouped, weights=lengths[ids])) if ids.size else 0.0
    se = stokes_einstein_constant(acq.temperature_c, acq.viscosity)
    rows = [
        TrackRow(
            track=int(t),
            positions=int(lengths[t]),
            diffusion_um2_s=float(d),
            sigma_nm=float(math.sqrt(s2) * 1000) if s2 > 0 else None,
            diameter_nm=float(diameter_from_diffusion(d, acq.temperature_c, acq.viscosity))
            if d > 0
            else None,
        )
        for t, d, s2 in zip(ids, diffusion, sigma2_tracks, strict=True)
    ]
    ppf = float(table.detections_per_frame.mean())
    tau = correlation_frames(lengths)
    f_eff = table.n_frames / tau
    summary: dict[str, float] = {}
    intervals: dict[str, tuple[float, float]] = {}
    bins: list[SizeBinRow] = []
    if ids.size >= 2:
        steps = TrackSteps(est.mean_sq_step[ids], est.n_steps[ids], lengths[ids].astype(float))
        dist, likelihood = walker_distribution(steps, se, dt, blur, sigma2_grouped, settings.sizing)
        summary = summarise(dist)
        if settings.sizing.bootstrap:
            intervals = bootstrap(likelihood, steps, dist, settings.sizing).intervals
        bins = [
            SizeBinRow(lower_nm=lo, upper_nm=hi, centre_nm=c, fraction=f, density_per_nm=dn)
            for lo, hi, c, f, dn in zip(
                dist.edges_nm[:-1],
                dist.edges_nm[1:],
                dist.centres_nm,
                dist.probability,
                dist.density_per_nm,
                strict=True,
            )
        ]
    else:
        warnings.append("fewer than 2 tracks long enough to size: no size distribution")
    conc = None
    if settings.calibration is not None:
        conc = concentration(ppf, f_eff, settings.calibration, settings.dilution)
        warnings.extend(conc.warnings)
    else:
        warnings.extend(ppf_warnings(ppf))
    return NtaResult(
        source=source,
        settings=settings,
        frames=table.n_frames,
        detections=int(table.detections_per_frame.sum()),
        particles_per_frame=ppf,
        tracks=table.n_tracks,
        sized_tracks=int(ids.size),
        blur_r=blur,
        viscosity_mpas=acq.viscosity,
        search_range_px=settings.link_settings().search_range,
        localisation_sigma_nm=math.sqrt(sigma2) * 1000,
        drift_um_per_s=drift_rate,
        summary=summary,
        intervals=intervals,
        bins=bins,
        track_rows=rows,
        concentration=conc,
        independent_frames=f_eff,
        warnings=warnings,
    )


def analyze(
    source: FrameSource, settings: AnalysisSettings, progress: Progress | None = None
) -> NtaResult:
    """Analyse one video end to end."""
    table = track_video(source, settings, progress)
    return analyze_tracks(table, settings, source.name)


def result_settings(result: NtaResult) -> dict[str, Any]:
    """The settings of a result as plain JSON data (for QC records and reports)."""
    return result.settings.model_dump(mode="json", exclude={"calibration"}) | {
        "calibration": result.settings.calibration.model_dump(mode="json")
        if result.settings.calibration
        else None
    }
