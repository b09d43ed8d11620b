"""Nanoparticle tracking analysis: from raw video to size distribution and concentration.

Public API (the CLI, the API and other capabilities call these):

- Frames: :func:`open_frames`, :func:`from_array`, :class:`FrameSource`.
- Detection and linking: :func:`locate`, :class:`DetectionSettings`, :class:`Linker`,
  :class:`LinkSettings`.
- Diffusion: :func:`cve`, :func:`increments`, :func:`msd_fit`,
  :func:`cramer_rao_relative_variance`, :func:`cve_relative_variance`.
- Sizing: :func:`walker_distribution`, :class:`SizingSettings`, :class:`Distribution`.
- Physics: :func:`water_viscosity_mpas`, :func:`diffusion_from_diameter`,
  :func:`diameter_from_diffusion`, :func:`blur_factor`.
- Concentration: :class:`Calibration`, :func:`fit_calibration`, :func:`load_calibration`,
  :func:`concentration`.
- Acquisition: :class:`Acquisition` (validated at construction), :func:`parse_exposure_ms`.
- Pipeline: :func:`analyze` (``analyze("video.tif", temperature=22, pixel_size=0.166,
  fps=25, exposure="30ms")``), :func:`analysis_settings`, :class:`AnalysisSettings`,
  :class:`NtaResult` (``to_frame()``), :func:`analyze_many` (Dask), :func:`write_report`,
  :func:`to_measurement` (→ :class:`exoderm.qc.ParticleMeasurement`).
- Service (faces call these): :mod:`exoderm.nta.service` (:func:`~exoderm.nta.service.analyze`
  with role check, QC fencing and recording), :class:`NtaResultRead`.
- Synthetic videos: :func:`simulate_video`, :class:`VideoSimulator`,
  :class:`SimulationSettings`, :class:`SizeComponent`, :func:`simulate_tracks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from exoderm.nta.acquisition import Acquisition, parse_exposure_ms
from exoderm.nta.analysis import (
    AnalysisSettings,
    NtaResult,
    SettingsOptions,
    analysis_settings,
    analyze,
    analyze_tracks,
    track_video,
)
from exoderm.nta.concentration import (
    Calibration,
    ConcentrationResult,
    concentration,
    fit_calibration,
    load_calibration,
    read_calibration,
)
from exoderm.nta.detect import Detections, DetectionSettings, locate
from exoderm.nta.diffusion import (
    cramer_rao_relative_variance,
    cve,
    cve_relative_variance,
    increments,
    msd_fit,
)
from exoderm.nta.frames import FrameSource, from_array, open_frames
from exoderm.nta.link import Linker, LinkSettings
from exoderm.nta.parallel import analyze_many
from exoderm.nta.physics import (
    blur_factor,
    diameter_from_diffusion,
    diffusion_from_diameter,
    water_viscosity_mpas,
)
from exoderm.nta.report import write_report
from exoderm.nta.results import NtaResultRead
from exoderm.nta.sizing import Distribution, SizingSettings, walker_distribution
from exoderm.nta.synthetic import (
    SimulationSettings,
    SizeComponent,
    VideoSimulator,
    simulate_tracks,
    simulate_video,
)

if TYPE_CHECKING:
    from exoderm.qc import ParticleMeasurement

__all__ = [
    "Acquisition",
    "AnalysisSettings",
    "Calibration",
    "ConcentrationResult",
    "DetectionSettings",
    "Detections",
    "Distribution",
    "FrameSource",
    "LinkSettings",
    "Linker",
    "NtaResult",
    "NtaResultRead",
    "SettingsOptions",
    "SimulationSettings",
    "SizeComponent",
    "SizingSettings",
    "VideoSimulator",
    "analysis_settings",
    "analyze",
    "analyze_many",
    "analyze_tracks",
    "blur_factor",
    "concentration",
    "cramer_rao_relative_variance",
    "cve",
    "cve_relative_variance",
    "diameter_from_diffusion",
    "diffusion_from_diameter",
    "fit_calibration",
    "from_array",
    "increments",
    "load_calibration",
    "locate",
    "msd_fit",
    "open_frames",
    "parse_exposure_ms",
    "read_calibration",
    "simulate_tracks",
    "simulate_video",
    "track_video",
    "walker_distribution",
    "water_viscosity_mpas",
    "write_report",
]


def to_measurement(
    result: NtaResult,
    *,
    instrument: str = "NTA video",
    sample_name: str | None = None,
    source_sha256: str | None = None,
) -> ParticleMeasurement:
    """See :func:`exoderm.nta.measurement.to_measurement` (imported lazily: it needs qc)."""
    from exoderm.nta.measurement import to_measurement as convert

    return convert(
        result, instrument=instrument, sample_name=sample_name, source_sha256=source_sha256
    )
