"""Synthetic NTA videos and trajectories with ground truth.

Two simulators, both streaming-friendly and seeded:

- :func:`simulate_tracks` draws 2-D Brownian trajectories *without images*, with the exact
  Gaussian statistics of motion blur (the camera reports the time average of the path over
  the exposure) and static localisation noise. It is the ground truth the diffusion
  estimators are validated against (Vestergaard, Blainey & Flyvbjerg 2014, Phys. Rev. E 89:022726,
  doi:10.1103/PhysRevE.89.022726).
- :class:`VideoSimulator` renders a light-sheet NTA video frame by frame: particles of a
  chosen size distribution diffuse in 3-D (Stokes–Einstein, temperature, viscosity) in a
  periodic box around a laser sheet; brightness depends on size (scattered intensity
  ∝ d^exponent; Rayleigh scattering gives 6 for d ≪ λ, Bohren & Huffman 1983 §5.1) and on the
  sheet profile; the spot widens out of focus (Gaussian-beam defocus
  ``σ(z) = σ₀√(1 + (z/z_R)²)``, conserving the spot's light); motion blur is the average of
  ``blur_substeps`` spots over the exposure; drift is a uniform flow; the camera adds a
  background, Poisson shot noise and Gaussian read noise. Only the current frame is in
  memory, so a 10,000-frame 1 Mpx video streams in constant memory.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from exoderm.nta.frames import FrameSource
from exoderm.nta.physics import diffusion_from_diameter, water_viscosity_mpas
from exoderm.nta.tracks import TrackTable

FloatArray = NDArray[np.float64]

#: Expected counts above which shot noise is drawn as a Gaussian (see ``_render``).
POISSON_GAUSS_COUNTS = 30.0
#: µm³ per mL (1 mL = 1 cm³ = 10¹² µm³).
UM3_PER_ML = 1e12


def simulate_tracks(
    rng: np.random.Generator,
    n_tracks: int,
    n_positions: int,
    diffusion: float,
    frame_interval: float,
    sigma: float = 0.0,
    exposure: float = 0.0,
    drift: FloatArray | tuple[float, float] = (0.0, 0.0),
) -> FloatArray:
    """Observed 2-D positions ``(n_tracks, n_positions, 2)`` of freely diffusing particles.

    ``drift`` is a displacement per frame interval added to the Brownian path (a flow
    carrying the particles): one ``(vx, vy)`` for all tracks, or an ``(n_tracks, 2)``
    array giving each track its own velocity (a position-dependent flow such as a
    convection roll, evaluated where each track starts). The default adds nothing.

    Each frame reports the time average of the true path over ``[t_n, t_n + exposure]``
    plus Gaussian noise of SD ``sigma`` per axis. Per axis and interval, the endpoint
    ``W(t_E)`` and the mean ``A = (1/t_E)∫₀^{t_E} W dt`` of a Brownian path are jointly
    Gaussian with ``Var W = 2Dt_E``, ``Var A = 2Dt_E/3`` and ``Cov(W, A) = Dt_E``, which is
    sampled exactly (no sub-step discretisation); the rest of the interval adds
    ``N(0, 2D(Δt − t_E))``.
    """
    shape = (n_tracks, n_positions, 2)
    te = exposure
    if te > 0:
        var_w, var_a, cov = 2 * diffusion * te, 2 * diffusion * te / 3, diffusion * te
        w = rng.standard_normal(shape) * math.sqrt(var_w)
        cond_sd = math.sqrt(max(var_a - cov**2 / var_w, 0.0))
        blur = w * (cov / var_w) + rng.standard_normal(shape) * cond_sd
    else:
        w = np.zeros(shape)
        blur = np.zeros(shape)
    rest = rng.standard_normal(shape) * math.sqrt(2 * diffusion * (frame_interval - te))
    step = w + rest
    start = np.cumsum(step, axis=1) - step  # path position at each frame start
    observed = start + blur
    if sigma > 0:
        observed += rng.standard_normal(shape) * sigma
    velocity = np.broadcast_to(np.asarray(drift, dtype=np.float64), (n_tracks, 2))
    if velocity.any():
        observed += velocity[:, None, :] * np.arange(n_positions, dtype=np.float64)[None, :, None]
    return observed


def track_table_from_positions(
    positions: FloatArray, lengths: NDArray[np.int64], start_frames: NDArray[np.int64]
) -> TrackTable:
    """A :class:`~exoderm.nta.tracks.TrackTable` from simulated positions, in their units.

    Track ``i`` keeps its first ``lengths[i]`` positions of ``positions[i]`` (shape
    ``(n_tracks, n_positions, 2)``, as from :func:`simulate_tracks`) and is seen from frame
    ``start_frames[i]`` on, so the table stands in for linked detections of a video.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> pos = simulate_tracks(rng, 3, 5, diffusion=1.0, frame_interval=0.04)
    >>> table = track_table_from_positions(pos, np.array([5, 3, 4]), np.array([0, 2, 1]))
    >>> table.n_tracks, table.n_frames, table.lengths().tolist()
    (3, 5, [5, 3, 4])
    """
    n_tracks, n_positions, _ = positions.shape
    lengths = np.clip(np.asarray(lengths, dtype=np.int64), 0, n_positions)
    keep = np.arange(n_positions)[None, :] < lengths[:, None]
    track = np.broadcast_to(np.arange(n_tracks, dtype=np.int64)[:, None], keep.shape)[keep]
    frame = (np.asarray(start_frames, dtype=np.int64)[:, None] + np.arange(n_positions))[keep]
    n_frames = int(frame.max()) + 1 if frame.size else 0
    ones = np.ones(frame.size)
    return TrackTable(
        frame=frame,
        track=track,
        x=positions[:, :, 0][keep],
        y=positions[:, :, 1][keep],
        mass=ones,
        sigma=ones,
        n_frames=n_frames,
        detections_per_frame=np.bincount(frame, minlength=n_frames).astype(np.int64),
        unambiguous=np.ones(frame.size, dtype=bool),
    )


class SizeComponent(BaseModel):
    """One population: a median diameter, its share by number and a lognormal spread."""

    model_config = ConfigDict(extra="forbid")

    diameter_nm: float = Field(..., gt=0)
    fraction: float = Field(1.0, gt=0)
    geometric_sd: float = Field(1.0, ge=1.0, description="1 = monodisperse")


class SimulationSettings(BaseModel):
    """Everything that defines a synthetic video. Defaults resemble a NanoSight NS300."""

    model_config = ConfigDict(extra="forbid")

    width: int = Field(512, ge=16)
    height: int = Field(512, ge=16)
    n_frames: int = Field(100, ge=1)
    pixel_size_um: float = Field(0.166, gt=0)
    fps: float = Field(25.0, gt=0)
    exposure_ms: float = Field(30.0, ge=0)
    temperature_c: float = 22.0
    viscosity_mpas: float | None = Field(None, gt=0, description="default: water at T")
    sizes: list[SizeComponent] = Field(default_factory=lambda: [SizeComponent(diameter_nm=100)])
    concentration_per_ml: float | None = Field(None, gt=0)
    n_particles: int | None = Field(None, ge=0)
    sheet_half_thickness_um: float | None = Field(
        3.0,
        gt=0,
        description="flat-top sheet half width; None = all in focus (2-D)",
    )
    depth_margin_um: float = Field(3.0, ge=0, description="box extends this far beyond the sheet")
    xy_margin_px: int = Field(16, ge=0)
    rayleigh_range_um: float = Field(3.0, gt=0, description="defocus length z_R")
    psf_sigma_px: float = Field(1.5, gt=0)
    brightness_at_100nm: float = Field(400.0, gt=0, description="peak counts of a 100 nm spot")
    brightness_exponent: float = Field(6.0, ge=0)
    background: float = Field(100.0, ge=0)
    read_noise: float = Field(5.0, ge=0)
    shot_noise: bool = True
    drift_px_per_frame: tuple[float, float] = (0.0, 0.0)
    blur_substeps: int = Field(8, ge=1, le=64)
    seed: int = 0

    @model_validator(mode="after")
    def _exposure_fits(self) -> SimulationSettings:
        if self.exposure_ms > 1000.0 / self.fps + 1e-9:
            raise ValueError("exposure_ms is longer than the frame interval 1000/fps")
        if (self.concentration_per_ml is None) == (self.n_particles is None):
            if self.n_particles is None:
                self.n_particles = 200
            else:
                raise ValueError("give concentration_per_ml or n_particles, not both")
        return self

    @property
    def viscosity(self) -> float:
        return self.viscosity_mpas or water_viscosity_mpas(self.temperature_c)

    @property
    def frame_interval_s(self) -> float:
        return 1.0 / self.fps

    @property
    def box_um(self) -> tuple[float, float, float]:
        """Box size (x, y, z) in µm; z spans the sheet plus margins (0 when 2-D)."""
        px = self.pixel_size_um
        z = 0.0
        if self.sheet_half_thickness_um is not None:
            z = 2.0 * (self.sheet_half_thickness_um + self.depth_margin_um)
        return (
            (self.width + 2 * self.xy_margin_px) * px,
            (self.height + 2 * self.xy_margin_px) * px,
            z,
        )


@dataclass
class FrameTruth:
    """Where every particle was during one frame (pixels; blur-averaged, drift included)."""

    ids: NDArray[np.int64]
    x: FloatArray
    y: FloatArray
    z_um: FloatArray
    peak: FloatArray


@dataclass
class VideoSimulator:
    """A streaming synthetic NTA video. Iterate :meth:`frames`; ground truth in :attr:`truth`."""

    settings: SimulationSettings
    record_truth: bool = True
    truth: list[FrameTruth] = field(default_factory=list)

    def __post_init__(self) -> None:
        s = self.settings
        self._rng = np.random.default_rng(s.seed)
        bx, by, bz = s.box_um
        if s.n_particles is not None:
            n = s.n_particles
        else:
            volume = bx * by * (bz if bz > 0 else 1.0)
            n = round(float(s.concentration_per_ml or 0) * volume / UM3_PER_ML)
        self.n_particles = n
        self.diameters_nm = self._draw_sizes(n)
        self.diffusion_um2_s = np.array(
            [diffusion_from_diameter(d, s.temperature_c, s.viscosity) for d in self.diameters_nm]
        )
        m = s.xy_margin_px * s.pixel_size_um
        self._pos = np.column_stack(
            [
                self._rng.uniform(0, bx, n) - m,
                self._rng.uniform(0, by, n) - m,
                self._rng.uniform(-bz / 2, bz / 2, n) if bz > 0 else np.zeros(n),
            ]
        )

    @property
    def number_density_per_ml(self) -> float:
        """The true number concentration of the simulated sample (particles per mL)."""
        bx, by, bz = self.settings.box_um
        return self.n_particles / (bx * by * bz) * UM3_PER_ML if bz > 0 else math.nan

    def _draw_sizes(self, n: int) -> FloatArray:
        comps = self.settings.sizes
        weights = np.array([c.fraction for c in comps])
        which = self._rng.choice(len(comps), size=n, p=weights / weights.sum())
        medians = np.array([c.diameter_nm for c in comps])[which]
        spreads = np.log(np.array([c.geometric_sd for c in comps]))[which]
        return np.asarray(medians * np.exp(spreads * self._rng.standard_normal(n)))

    def _wrap(self) -> None:
        bx, by, bz = self.settings.box_um
        m = self.settings.xy_margin_px * self.settings.pixel_size_um
        self._pos[:, 0] = (self._pos[:, 0] + m) % bx - m
        self._pos[:, 1] = (self._pos[:, 1] + m) % by - m
        if bz > 0:
            self._pos[:, 2] = (self._pos[:, 2] + bz / 2) % bz - bz / 2

    def _step(self, duration_s: float) -> None:
        if duration_s <= 0:
            return
        sd = np.sqrt(2.0 * self.diffusion_um2_s * duration_s)[:, None]
        dims = 3 if self.settings.box_um[2] > 0 else 2
        self._pos[:, :dims] += self._rng.standard_normal((self.n_particles, dims)) * sd

    def _sheet(self, z: FloatArray) -> FloatArray:
        h = self.settings.sheet_half_thickness_um
        if h is None:
            return np.ones_like(z)
        return np.asarray(np.exp(-0.5 * (z / h) ** 8))  # flat-top (super-Gaussian, order 8)

    def frames(self) -> Iterator[NDArray[np.uint16]]:
        """Yield ``n_frames`` uint16 frames, one at a time."""
        s = self.settings
        dt = s.frame_interval_s
        te = s.exposure_ms / 1000.0
        k = s.blur_substeps if te > 0 else 1
        sub = te / k
        amp0 = s.brightness_at_100nm * (self.diameters_nm / 100.0) ** s.brightness_exponent
        drift = np.array(s.drift_px_per_frame) * s.pixel_size_um
        for index in range(s.n_frames):
            samples = []
            self._step(sub / 2 if te > 0 else 0.0)
            for j in range(k):
                samples.append(self._pos.copy())
                if j < k - 1:
                    self._step(sub)
            path = np.stack(samples)  # (substeps, particles, 3)
            self._step(dt - te + sub / 2 if te > 0 else dt)
            offset = drift * index
            image = self._render(path, amp0, offset)
            self._wrap()
            yield image

    def _render(self, path: FloatArray, amp0: FloatArray, offset: FloatArray) -> NDArray[np.uint16]:
        s = self.settings
        px = s.pixel_size_um
        z = path[:, :, 2]
        sheet = self._sheet(z)
        widen = 1.0 + (z / s.rayleigh_range_um) ** 2  # σ² grows, peak falls as 1/σ²
        sigma2 = s.psf_sigma_px**2 * widen
        peak = amp0[None, :] * sheet / widen / path.shape[0]
        xs = (path[:, :, 0] + offset[0]) / px
        ys = (path[:, :, 1] + offset[1]) / px
        # a particle whose spot adds < 2 % of the read noise (or of 1 count) is invisible
        visible = peak.sum(axis=0) > 0.02 * max(s.read_noise, 1.0)
        if self.record_truth:
            mean_peak = peak.sum(axis=0)
            self.truth.append(
                FrameTruth(
                    np.flatnonzero(visible),
                    xs.mean(axis=0)[visible],
                    ys.mean(axis=0)[visible],
                    z.mean(axis=0)[visible],
                    mean_peak[visible],
                )
            )
        expected = np.full(s.height * s.width, s.background, dtype=np.float64)
        if visible.any():
            self._add_spots(
                expected, xs[:, visible], ys[:, visible], sigma2[:, visible], peak[:, visible]
            )
        image = expected.reshape(s.height, s.width)
        if s.shot_noise and image.min() >= POISSON_GAUSS_COUNTS:
            # Poisson(λ) ≈ Normal(λ, λ) within 1 % in every moment that matters here
            # when λ ≥ 30; drawn together with the read noise, it is 3× faster.
            sd = np.sqrt(image + s.read_noise**2)
            image = image + sd * self._rng.standard_normal(image.shape, dtype=np.float32)
        else:
            if s.shot_noise:
                image = self._rng.poisson(image).astype(np.float64)
            if s.read_noise > 0:
                image = image + self._rng.normal(0.0, s.read_noise, image.shape)
        return np.clip(np.rint(image), 0, 65535).astype(np.uint16)

    def _add_spots(
        self, flat: FloatArray, xs: FloatArray, ys: FloatArray, sigma2: FloatArray, peak: FloatArray
    ) -> None:
        s = self.settings
        r = math.ceil(3.5 * math.sqrt(float(sigma2.max())))
        r = min(r, 20)
        off = np.arange(-r, r + 1)
        cx = np.rint(xs).astype(np.int64)
        cy = np.rint(ys).astype(np.int64)
        px = cx[..., None] + off  # (k, n, w)
        py = cy[..., None] + off
        gx = np.exp(-((px - xs[..., None]) ** 2) / (2 * sigma2[..., None]))
        gy = np.exp(-((py - ys[..., None]) ** 2) / (2 * sigma2[..., None]))
        values = peak[..., None, None] * gy[..., :, None] * gx[..., None, :]
        rows = np.broadcast_to(py[..., :, None], values.shape)
        cols = np.broadcast_to(px[..., None, :], values.shape)
        inside = (rows >= 0) & (rows < s.height) & (cols >= 0) & (cols < s.width)
        index = rows[inside] * s.width + cols[inside]
        flat += np.bincount(index, weights=values[inside], minlength=flat.size)


def write_simulation(
    settings: SimulationSettings, path: str | Path, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """Stream a simulated video into a TIFF stack; write ``<name>.truth.json`` beside it.

    Returns the ground truth summary (number density, sizes drawn, settings).
    """
    import json

    import tifffile

    out = Path(path)
    sim = VideoSimulator(settings, record_truth=False)
    with tifffile.TiffWriter(out, bigtiff=True) as tif:
        for frame in sim.frames():
            tif.write(frame, contiguous=True)
            if progress is not None:
                progress(1)
    truth = {
        "video": str(out),
        "frames": settings.n_frames,
        "particles": sim.n_particles,
        "number_density_per_ml": sim.number_density_per_ml,
        "mean_diameter_nm": float(np.mean(sim.diameters_nm)) if sim.n_particles else None,
        "median_diameter_nm": float(np.median(sim.diameters_nm)) if sim.n_particles else None,
        "viscosity_mpas": settings.viscosity,
        "settings": settings.model_dump(mode="json"),
    }
    out.with_suffix(".truth.json").write_text(json.dumps(truth, indent=2), encoding="utf-8")
    return truth


def simulate_video(
    path: str | Path | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    **settings: object,
) -> FrameSource:
    """A synthetic NTA video with known sizes: in memory, or written as a TIFF stack.

    ``settings`` are the fields of :class:`SimulationSettings` (``n_frames``, ``width``,
    ``height``, ``sizes``, ``n_particles`` or ``concentration_per_ml``, ``temperature_c``,
    ``seed`` …). With ``path`` the frames are streamed into a TIFF stack with its ground
    truth beside it (``<name>.truth.json``) and the file is returned opened; without, the
    frames are rendered lazily as they are read.

    Parameters
    ----------
    path : str or Path, optional
        TIFF stack to write.
    progress : callable, optional
        Called with 1 after each frame written.
    **settings
        Fields of :class:`SimulationSettings`.

    Returns
    -------
    FrameSource
        The video, ready for :func:`exoderm.nta.analyze`.

    References
    ----------
    .. [1] Vestergaard, C. L., Blainey, P. C. & Flyvbjerg, H. (2014). Optimal estimation of
       diffusion coefficients from single-particle trajectories. Phys. Rev. E 89, 022726.
       doi:10.1103/PhysRevE.89.022726 (blurred, noisy Brownian observations).
    .. [2] Bohren, C. F. & Huffman, D. R. (1983). Absorption and Scattering of Light by Small
       Particles. Wiley, §5.1 (Rayleigh scattering ∝ d⁶).

    Examples
    --------
    >>> video = simulate_video(n_frames=5, width=64, height=64, n_particles=4, seed=2)
    >>> [frame.shape for frame in video][:2]
    [(64, 64), (64, 64)]
    """
    from exoderm.errors import validation_failed
    from exoderm.nta.frames import open_frames

    try:
        parsed = SimulationSettings.model_validate(settings)
    except ValidationError as exc:
        raise validation_failed(exc, subject="NTA simulation settings") from exc
    if path is not None:
        write_simulation(parsed, path, progress)
        return open_frames(path)
    name = f"simulated-{parsed.seed}"
    frames = VideoSimulator(parsed, record_truth=False).frames()
    return FrameSource(name, frames, parsed.n_frames)
