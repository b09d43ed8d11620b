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
- Pipeline: :func:`analyze`, :class:`AnalysisSettings`, :class:`Acquisition`,
  :class:`NtaResult`, :func:`analyze_many` (Dask), :func:`write_report`,
  :func:`to_measurement` (→ :class:`exoderm.qc.ParticleMeasurement`).
- Simulation: :class:`VideoSimulator`, :class:`SimulationSettings`,
  :class:`SizeComponent`, :func:`simulate_tracks`.
"""

from exoderm.nta.analysis import (
    Acquisition,
    AnalysisSettings,
    NtaResult,
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
from exoderm.nta.simulate import SimulationSettings, SizeComponent, VideoSimulator, simulate_tracks
from exoderm.nta.sizing import Distribution, SizingSettings, walker_distribution

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
    "SimulationSettings",
    "SizeComponent",
    "SizingSettings",
    "VideoSimulator",
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
    "simulate_tracks",
    "track_video",
    "walker_distribution",
    "water_viscosity_mpas",
    "write_report",
]


def to_measurement(*args, **kwargs):  # type: ignore[no-untyped-def]
    """See :func:`exoderm.nta.measurement.to_measurement` (imported lazily: it needs qc)."""
    from exoderm.nta.measurement import to_measurement as convert

    return convert(*args, **kwargs)
