"""Fitting a volume calibration from a video of a concentration standard."""

from __future__ import annotations

from exoderm.nta.analysis import AnalysisSettings, Progress, track_video
from exoderm.nta.concentration import Calibration, correlation_frames, fit_calibration
from exoderm.nta.frames import FrameSource


def calibrate_from_video(
    source: FrameSource,
    settings: AnalysisSettings,
    standard_concentration_per_ml: float,
    *,
    standard: str,
    dilution: float = 1.0,
    progress: Progress | None = None,
) -> Calibration:
    """Count the standard with exactly the detection settings later used on samples.

    The calibration stores those settings: a volume is only valid for the optics, camera
    and detection threshold it was fitted with.
    """
    table = track_video(source, settings, progress)
    ppf = float(table.detections_per_frame.mean())
    f_eff = table.n_frames / correlation_frames(table.lengths())
    return fit_calibration(
        ppf,
        f_eff,
        standard_concentration_per_ml,
        standard,
        dilution,
        settings=settings.model_dump(mode="json", exclude={"calibration", "sizing"})
        | {"source": source.name},
    )
