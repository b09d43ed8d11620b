"""The NTA pipeline: frames → detections → tracks → diffusion → sizes and concentration.

:func:`analyze` streams a :class:`~exoderm.nta.frames.FrameSource` once (detection and
linking happen frame by frame, so memory does not grow with the video), then estimates
each track's diffusion coefficient with the CVE (or an MSD fit), deconvolves the size
distribution (Walker/FTLA), and, when a calibration is given, the concentration.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypedDict, Unpack

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exoderm.errors import UserInputError, validation_failed
from exoderm.nta.acquisition import Acquisition
from exoderm.nta.concentration import (
    Calibration,
    ConcentrationResult,
    concentration,
    correlation_frames,
    ppf_warnings,
)
from exoderm.nta.detect import Detections, DetectionSettings, locate
from exoderm.nta.detection_volume import (
    CalibrationFreeConcentration,
    calibration_free_concentration,
)
from exoderm.nta.diffusion import cve, increments, msd_fit
from exoderm.nta.flow import FlowDiagnostics, flow_diagnostics
from exoderm.nta.frames import FrameSource, open_frames
from exoderm.nta.link import LinkedFrame, Linker, LinkSettings
from exoderm.nta.mixture import MixtureSummary, fit_mixture
from exoderm.nta.physics import (
    diameter_from_diffusion,
    diffusion_from_diameter,
    stokes_einstein_constant,
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
from exoderm.nta.track_diffusion import track_diffusion
from exoderm.nta.tracks import TrackBuilder, TrackTable, estimate_drift, subtract_drift

if TYPE_CHECKING:
    import pandas as pd

Progress = Callable[[int], None]


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
    detection_threads: int = Field(
        2,
        ge=1,
        le=16,
        description="threads that detect frames ahead of the linker (results do not depend "
        "on it: each frame is detected alone and linked in order)",
    )
    flow_diagnostics: bool = Field(
        True, description="test for drift, flow fields and a time trend of D (cheap)"
    )
    mixture: bool = Field(
        False, description="also fit discrete populations by EM with BIC (bootstrap: slow)"
    )
    mixture_max_components: int = Field(4, ge=1, le=6)
    calibration_free_concentration: bool = Field(
        True,
        description="also estimate the detection volume from the track durations (no standard)",
    )
    calibration_free_bootstrap: int = Field(
        100, ge=0, le=10000, description="track resamples for its interval (0: none)"
    )

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
    flow: FlowDiagnostics | None = None
    mixture: MixtureSummary | None = None
    calibration_free: CalibrationFreeConcentration | None = None

    def distribution(self) -> Distribution:
        edges = np.array([b.lower_nm for b in self.bins] + [self.bins[-1].upper_nm])
        return Distribution(edges, np.array([b.fraction for b in self.bins]))

    def to_frame(self, table: Literal["distribution", "tracks"] = "distribution") -> pd.DataFrame:
        """The size distribution (one row per bin) or the sized tracks as a DataFrame.

        Examples
        --------
        >>> from exoderm.nta import simulate_video
        >>> video = simulate_video(n_frames=30, width=96, height=96, n_particles=12, seed=1)
        >>> result = analyze(video, temperature=22, pixel_size=0.166, fps=25,
        ...                  exposure="30ms", bootstrap=0)
        >>> list(result.to_frame().columns)
        ['lower_nm', 'upper_nm', 'centre_nm', 'fraction', 'density_per_nm']
        >>> list(result.to_frame("tracks").columns)
        ['track', 'positions', 'diffusion_um2_s', 'sigma_nm', 'diameter_nm']
        """
        import pandas as pd

        rows: list[BaseModel] = list(self.bins if table == "distribution" else self.track_rows)
        model = SizeBinRow if table == "distribution" else TrackRow
        return pd.DataFrame([r.model_dump() for r in rows], columns=list(model.model_fields))


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


#: Frames detected ahead of the linker per detection thread (bounds the frames in memory).
LOOKAHEAD_PER_THREAD = 4


def detected_frames(
    frames: Iterable[NDArray[Any]], detection: DetectionSettings, threads: int
) -> Iterator[tuple[NDArray[Any], Detections]]:
    """Each frame with its detections, in order, detected by ``threads`` threads ahead.

    The filters and array kernels of :func:`~exoderm.nta.detect.locate` release the GIL,
    so threads detect frames in parallel while the caller links the earlier ones; at most
    ``LOOKAHEAD_PER_THREAD × threads`` frames are held at once.
    """
    if threads == 1:
        for frame in frames:
            yield frame, locate(frame, detection)
        return
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="nta-detect") as pool:
        pending: deque[tuple[NDArray[Any], Future[Detections]]] = deque()
        for frame in frames:
            pending.append((frame, pool.submit(locate, frame, detection)))
            if len(pending) >= LOOKAHEAD_PER_THREAD * threads:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def track_video(
    source: FrameSource, settings: AnalysisSettings, progress: Progress | None = None
) -> TrackTable:
    """Detect (on ``settings.detection_threads`` threads) and link, streaming the frames once."""
    linker = Linker(settings.link_settings())
    builder = TrackBuilder()
    frames = islice(source, settings.max_frames) if settings.max_frames else iter(source)
    found_frames = detected_frames(frames, settings.detection, settings.detection_threads)
    for index, (frame, found) in enumerate(found_frames):
        linked = linker.add(index, found.x, found.y, shape=frame.shape[:2])
        builder.add(index, found, linked.track_ids, linked.unambiguous)
        if progress is not None:
            progress(1)
    table = builder.finish()
    if table.n_frames == 0:
        raise UserInputError("the video has no frames", file=source.name)
    return table


def _recording_shape(source: FrameSource, shape: list[tuple[int, int]]) -> FrameSource:
    """``source`` passed through unchanged; the (rows, columns) of its frames go into ``shape``."""

    def frames() -> Iterator[NDArray[Any]]:
        for frame in source:
            if not shape:
                shape.append((int(frame.shape[0]), int(frame.shape[1])))
            yield frame

    return FrameSource(source.name, frames(), source.n_frames)


def _calibration_free(
    table: TrackTable,
    settings: AnalysisSettings,
    frame_shape: tuple[int, int],
    diffusion: NDArray[np.float64],
    steps: NDArray[np.float64],
) -> CalibrationFreeConcentration | None:
    """The detection volume from the track durations, with the population D of the tracks."""
    good = np.isfinite(diffusion) & (diffusion > 0)
    if good.sum() < 2 or table.n_frames < 2:
        return None
    acq = settings.acquisition
    detection = settings.detection
    return calibration_free_concentration(
        table,
        frame_shape=frame_shape,
        border_px=max(detection.radius, detection.min_separation) + 1,
        pixel_size_um=acq.pixel_size_um,
        frame_interval_s=acq.frame_interval_s,
        diffusion_um2_s=float(np.average(diffusion[good], weights=steps[good])),
        memory=settings.memory,
        dilution=settings.dilution,
        calibration=settings.calibration,
        bootstrap=settings.calibration_free_bootstrap,
        seed=settings.sizing.seed,
    )


def _msd_per_track(table: TrackTable, ids: np.ndarray, dt: float, blur: float) -> np.ndarray:
    out = np.full(len(ids), np.nan)
    for n, tid in enumerate(ids):
        _, x, y = table.positions(int(tid))
        out[n] = msd_fit(np.column_stack([x, y]), dt, blur)[0]
    return out


def analyze_tracks(
    table: TrackTable,
    settings: AnalysisSettings,
    source: str,
    frame_shape: tuple[int, int] | None = None,
) -> NtaResult:
    """Diffusion, sizes and concentration from a linked track table (pixel units).

    With ``frame_shape`` (rows, columns) and ``settings.calibration_free_concentration``
    the concentration is also estimated without a standard
    (:func:`~exoderm.nta.detection_volume.calibration_free_concentration`).
    """
    acq = settings.acquisition
    px = acq.pixel_size_um
    dt = acq.frame_interval_s
    blur = acq.blur
    warnings: list[str] = []
    drift_rate = (0.0, 0.0)
    flow = None
    if settings.flow_diagnostics and table.n_frames > 1:
        flow = flow_diagnostics(table, pixel_size_um=px, frame_interval_s=dt)
        warnings.extend(flow.warnings)
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
    mixture = _mixture(table, settings) if settings.mixture and ids.size >= 2 else None
    conc = None
    if settings.calibration is not None:
        conc = concentration(ppf, f_eff, settings.calibration, settings.dilution)
        warnings.extend(conc.warnings)
    else:
        warnings.extend(ppf_warnings(ppf))
    free = None
    if settings.calibration_free_concentration and frame_shape is not None:
        free = _calibration_free(table, settings, frame_shape, diffusion, est.n_steps[ids])
        if free is not None:
            warnings.extend(free.warnings)
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
        flow=flow,
        mixture=mixture,
        calibration_free=free,
    )


def _mixture(table: TrackTable, settings: AnalysisSettings) -> MixtureSummary:
    """EM mixture of diffusion populations over the (drift-corrected) tracks."""
    acq = settings.acquisition
    per_track = track_diffusion(
        table,
        pixel_size_um=acq.pixel_size_um,
        frame_interval_s=acq.frame_interval_s,
        blur_r=acq.blur,
        temperature_c=acq.temperature_c,
        viscosity_mpas=acq.viscosity,
        min_positions=settings.sizing.min_track_length,
    )
    return fit_mixture(
        per_track,
        frame_interval_s=acq.frame_interval_s,
        blur_r=acq.blur,
        temperature_c=acq.temperature_c,
        viscosity_mpas=acq.viscosity,
        max_components=settings.mixture_max_components,
        bootstrap=settings.sizing.bootstrap,
        seed=settings.sizing.seed,
    )


class SettingsOptions(TypedDict, total=False):
    """The optional keywords of :func:`analysis_settings` and :func:`analyze`."""

    viscosity: float | None
    dilution: float | None
    calibration: Calibration | None
    radius: int | None
    threshold: float | None
    invert: bool | None
    search_range: float | None
    memory: int | None
    estimator: Literal["cve", "msd"] | str | None
    bootstrap: int | None
    min_track_length: int | None
    drift: bool | None
    max_frames: int | None
    flow_diagnostics: bool | None
    mixture: bool | None
    mixture_max_components: int | None
    calibration_free_concentration: bool | None


def _given(**values: object) -> dict[str, object]:
    return {k: v for k, v in values.items() if v is not None}


def analysis_settings(
    *,
    temperature: float | None,
    pixel_size: float | None,
    fps: float | None,
    exposure: str | float | None,
    **options: Unpack[SettingsOptions],
) -> AnalysisSettings:
    """The settings of an analysis from plain keywords; the one policy of every face.

    Temperature (°C), pixel size (µm), frame rate (fps) and exposure (``"30ms"``, or a
    number of ms) are required; every other keyword left at ``None`` takes the library
    default. Bad values raise one :class:`~exoderm.errors.ValidationFailed` listing every
    problem with its field (``acquisition.temperature_c`` …).

    Examples
    --------
    >>> s = analysis_settings(temperature=22, pixel_size=0.166, fps=25, exposure="30ms")
    >>> s.acquisition.exposure_ms, s.sizing.bootstrap
    (30.0, 100)
    >>> analysis_settings(temperature=None, pixel_size=0.166, fps=25, exposure="30ms")
    Traceback (most recent call last):
    ...
    exoderm.errors.ValidationFailed: NTA analysis settings: 1 problem: field
    'acquisition.temperature_c': Field required
    """
    o = options
    data = {
        "acquisition": _given(
            temperature_c=temperature,
            pixel_size_um=pixel_size,
            fps=fps,
            exposure_ms=exposure,
            viscosity_mpas=o.get("viscosity"),
        ),
        "detection": _given(
            radius=o.get("radius"), threshold_snr=o.get("threshold"), invert=o.get("invert")
        ),
        "sizing": _given(bootstrap=o.get("bootstrap"), min_track_length=o.get("min_track_length")),
    } | _given(
        search_range_px=o.get("search_range"),
        memory=o.get("memory"),
        estimator=o.get("estimator"),
        drift_correction=o.get("drift"),
        dilution=o.get("dilution"),
        calibration=o.get("calibration"),
        max_frames=o.get("max_frames"),
        flow_diagnostics=o.get("flow_diagnostics"),
        mixture=o.get("mixture"),
        mixture_max_components=o.get("mixture_max_components"),
        calibration_free_concentration=o.get("calibration_free_concentration"),
    )
    try:
        return AnalysisSettings.model_validate(data)
    except ValidationError as exc:
        raise validation_failed(exc, subject="NTA analysis settings") from exc


def analyze(
    video: FrameSource | str | Path,
    settings: AnalysisSettings | None = None,
    progress: Progress | None = None,
    *,
    temperature: float | None = None,
    pixel_size: float | None = None,
    fps: float | None = None,
    exposure: str | float | None = None,
    channel: int | None = None,
    **options: Unpack[SettingsOptions],
) -> NtaResult:
    """Analyse one video end to end: detect, link, estimate diffusion, size, count.

    Give either ``settings`` or the keywords of :func:`analysis_settings`
    (``temperature=22, pixel_size=0.166, fps=25, exposure="30ms"`` and optional ones such as
    ``bootstrap=0`` or ``calibration=``); ``video`` is a path (TIFF stack, AVI/MP4, image
    folder, ``.npy``) or an open :class:`~exoderm.nta.frames.FrameSource`.

    Parameters
    ----------
    video : FrameSource, str or Path
        The video.
    settings : AnalysisSettings, optional
        Every choice of the analysis; or build it from the keywords.
    progress : callable, optional
        Called with 1 after each frame.
    temperature, pixel_size, fps, exposure
        The acquisition (°C, µm per pixel, frames per second, ``"30ms"`` or ms).
    channel : int, optional
        Colour channel of a colour video (0 = R, 1 = G, 2 = B).
    **options
        See :class:`SettingsOptions`.

    Returns
    -------
    NtaResult
        Counts, per-track sizes, the deconvolved distribution (``to_frame()``) and, with a
        calibration, the concentration.

    References
    ----------
    .. [1] Vestergaard, C. L., Blainey, P. C. & Flyvbjerg, H. (2014). Optimal estimation of
       diffusion coefficients from single-particle trajectories. Phys. Rev. E 89, 022726.
       doi:10.1103/PhysRevE.89.022726
    .. [2] Walker, J. G. (2012). Improved nano-particle tracking analysis. Meas. Sci.
       Technol. 23, 065605. doi:10.1088/0957-0233/23/6/065605
    .. [3] Einstein, A. (1905). Über die von der molekularkinetischen Theorie der Wärme
       geforderte Bewegung von in ruhenden Flüssigkeiten suspendierten Teilchen. Ann. Phys.
       322, 549–560 (Stokes–Einstein relation).
    .. [4] Huber, M. L. et al. (2009). New international formulation for the viscosity of
       H2O. J. Phys. Chem. Ref. Data 38, 101–125. doi:10.1063/1.3088050

    Examples
    --------
    >>> from exoderm.nta import simulate_video
    >>> video = simulate_video(n_frames=30, width=96, height=96, n_particles=12, seed=1)
    >>> result = analyze(video, temperature=22, pixel_size=0.166, fps=25, exposure="30ms",
    ...                  bootstrap=0)
    >>> result.frames, result.tracks > 0
    (30, True)
    """
    keywords = (temperature, pixel_size, fps, exposure)
    if settings is None:
        settings = analysis_settings(
            temperature=temperature, pixel_size=pixel_size, fps=fps, exposure=exposure, **options
        )
    elif any(k is not None for k in keywords) or options:
        raise UserInputError(
            "give either settings or acquisition keywords, not both", field="settings"
        )
    source = video if isinstance(video, FrameSource) else open_frames(video, channel=channel)
    shape: list[tuple[int, int]] = []
    table = track_video(_recording_shape(source, shape), settings, progress)
    return analyze_tracks(table, settings, source.name, shape[0] if shape else None)


def result_settings(result: NtaResult) -> dict[str, Any]:
    """The settings of a result as plain JSON data (for QC records and reports)."""
    return result.settings.model_dump(mode="json", exclude={"calibration"}) | {
        "calibration": result.settings.calibration.model_dump(mode="json")
        if result.settings.calibration
        else None
    }
