"""An NTA result as a QC characterisation result (:class:`exoderm.qc.ParticleMeasurement`).

Every setting that shaped the numbers (acquisition, detection, linking, estimator, sizing
grid, calibration) travels in ``settings`` so a batch record can be re-derived and audited.
"""

from __future__ import annotations

from exoderm import __version__
from exoderm.nta.analysis import NtaResult, result_settings
from exoderm.qc import ParticleMeasurement, SizeBin


def to_measurement(
    result: NtaResult,
    *,
    instrument: str = "NTA video",
    sample_name: str | None = None,
    source_sha256: str | None = None,
) -> ParticleMeasurement:
    """Convert a result; concentrations are per bin so their sum is the total."""
    conc = result.concentration
    total = conc.concentration_per_ml if conc else None
    bins = [
        SizeBin(
            centre_nm=b.centre_nm,
            lower_nm=b.lower_nm,
            upper_nm=b.upper_nm,
            concentration_per_ml=(b.fraction * total) if total is not None else None,
            percent=100.0 * b.fraction,
        )
        for b in result.bins
        if b.fraction > 0
    ]
    s = result.summary
    notes = list(result.warnings)
    if conc is None:
        notes.append("no concentration: analysed without a volume calibration")
    return ParticleMeasurement(
        method="NTA",
        instrument=instrument,
        software=f"exoderm {__version__} (exoderm.nta: CVE + Walker/FTLA deconvolution)",
        settings=result_settings(result)
        | {
            "blur_r": result.blur_r,
            "viscosity_mpas": result.viscosity_mpas,
            "search_range_px": result.search_range_px,
        },
        sample_name=sample_name,
        dilution=result.settings.dilution,
        dilution_applied=True,
        weighting="number",
        concentration_per_ml=total,
        concentration_ci_low_per_ml=conc.ci_low_per_ml if conc else None,
        concentration_ci_high_per_ml=conc.ci_high_per_ml if conc else None,
        mean_nm=s.get("mean_nm"),
        mode_nm=s.get("mode_nm"),
        sd_nm=s.get("sd_nm"),
        d10_nm=s.get("d10_nm"),
        d50_nm=s.get("d50_nm"),
        d90_nm=s.get("d90_nm"),
        particles_counted=result.sized_tracks,
        reported={
            "particles_per_frame": result.particles_per_frame,
            "tracks": result.tracks,
            "frames": result.frames,
            "localisation_sigma_nm": result.localisation_sigma_nm,
            "drift_um_per_s": list(result.drift_um_per_s),
            "intervals_95": {k: list(v) for k, v in result.intervals.items()},
        },
        bins=bins,
        source_file=result.source,
        source_sha256=source_sha256,
        notes=notes,
    )
