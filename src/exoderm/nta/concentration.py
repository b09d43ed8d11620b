"""Particle concentration: particles per frame over an explicit, calibrated scattering volume.

``c = (mean particles per frame / V_eff) × dilution``. ``V_eff`` is not a geometric
constant: the depth from which a particle is detected depends on the optics, the camera
level, the detection threshold and the particles themselves (Filipe, Hawe & Jiskoot 2010,
"Critical evaluation of Nanoparticle Tracking Analysis (NTA) by NanoSight for the
measurement of nanoparticles and protein aggregates", Pharm. Res. 27:796–810,
doi:10.1007/s11095-010-0073-2); the volumes implied by public NanoSight exports span
99–186 pL with the camera level. So ``V_eff`` is a *calibration* a user fits from a standard
of known concentration measured with the same settings (:func:`fit_calibration`), stored as
a versioned JSON file and applied to samples — or states directly
(:meth:`Calibration.from_volume`) when the instrument's volume is known.

**Uncertainty.** Frame counts are correlated: a particle stays in view for several frames,
so ``F`` frames hold only ``F_eff = F / τ`` independent counts, ``τ = Σ L² / Σ L`` (the
integrated autocorrelation time of the count of a particle population whose residence
times are the track lengths ``L``). The interval is the exact (Garwood) Poisson interval on
``ppf × F_eff`` counts, combined in quadrature (log scale) with the calibration's own.

**Range.** Outside 20–100 particles per frame a warning is raised: too few counts give wide
intervals, too many overlap and merge. The band is the commonly quoted NanoSight guidance;
no primary source is known for it, so it only warns.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from scipy.stats import chi2, norm

from exoderm.errors import UserInputError, validation_failed
from exoderm.qc.measurement import Reported

#: mL per picolitre.
ML_PER_PL = 1e-9
#: Particles per frame for which NTA concentrations are usually trusted (guidance, [U]).
RECOMMENDED_PPF = (20.0, 100.0)
CALIBRATION_VERSION = 1


class Calibration(BaseModel):
    """An effective scattering volume fitted from a standard of known concentration."""

    model_config = ConfigDict(extra="forbid")

    version: int = CALIBRATION_VERSION
    effective_volume_pl: float = Field(..., gt=0)
    relative_se: float = Field(0.0, ge=0, description="relative SE of the volume")
    standard: str = Field(..., description="what was measured (name, lot, nominal size)")
    standard_concentration_per_ml: float | None = Field(
        None, gt=0, description="None when the volume was stated, not fitted"
    )
    standard_dilution: float = Field(1.0, gt=0)
    particles_per_frame: float | None = Field(None, ge=0)
    independent_frames: float | None = Field(None, gt=0)
    fitted_at: datetime | None = Field(
        default_factory=lambda: datetime.now(UTC), description="None for a stated volume"
    )
    settings: dict[str, Reported] = Field(
        default_factory=dict, description="analysis settings used"
    )

    @classmethod
    def from_volume(
        cls, effective_volume_pl: float, relative_se: float = 0.0, *, standard: str = "stated"
    ) -> Calibration:
        """A calibration from a known effective volume (pL) instead of a fitted standard.

        Examples
        --------
        >>> Calibration.from_volume(120.0, 0.05).effective_volume_pl
        120.0
        """
        try:
            return cls(
                effective_volume_pl=effective_volume_pl,
                relative_se=relative_se,
                standard=f"{standard} volume",
                fitted_at=None,
            )
        except ValidationError as exc:
            raise validation_failed(exc, subject="NTA calibration") from exc

    def save(self, path: str | Path) -> None:
        Path(path).write_text(self.model_dump_json(indent=2), encoding="utf-8")


def read_calibration(text: str | bytes, source: str | Path) -> Calibration:
    """A calibration from the JSON that ``exoderm nta calibrate`` writes.

    Every problem is reported with ``source`` and its field.

    Examples
    --------
    >>> read_calibration('{"effective_volume_pl": -1, "standard": "x"}', "cal.json")
    Traceback (most recent call last):
    ...
    exoderm.errors.ValidationFailed: NTA calibration: 1 problem: cal.json, field
    'effective_volume_pl': Input should be greater than 0
    """
    try:
        return Calibration.model_validate_json(text)
    except ValidationError as exc:
        raise validation_failed(exc, subject="NTA calibration", file=source) from exc


def load_calibration(path: str | Path) -> Calibration:
    """Read a calibration file; every problem is reported with its field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UserInputError("calibration file not found", file=p) from exc
    return read_calibration(text, p)


class ConcentrationResult(BaseModel):
    """Concentration of the sample (after the dilution) with its 95 % interval."""

    particles_per_frame: float
    independent_frames: float
    in_cell_per_ml: float
    concentration_per_ml: float
    ci_low_per_ml: float
    ci_high_per_ml: float
    dilution: float
    effective_volume_pl: float
    warnings: list[str] = Field(default_factory=list)


def correlation_frames(track_lengths: NDArray[np.int64]) -> float:
    """``τ = Σ L² / Σ L``: frames over which a frame count stays correlated (≥ 1)."""
    lengths = np.asarray(track_lengths, dtype=float)
    if lengths.size == 0 or lengths.sum() == 0:
        return 1.0
    return max(float(np.sum(lengths**2) / np.sum(lengths)), 1.0)


def poisson_interval(count: float, level: float = 0.95) -> tuple[float, float]:
    """Exact (Garwood 1936) interval for a Poisson mean given ``count`` events."""
    alpha = 1.0 - level
    low = 0.0 if count <= 0 else float(chi2.ppf(alpha / 2, 2 * count) / 2)
    high = float(chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
    return low, high


def ppf_warnings(ppf: float) -> list[str]:
    low, high = RECOMMENDED_PPF
    if ppf < low:
        return [f"{ppf:.1f} particles per frame is below {low:g}: dilute less or record longer"]
    if ppf > high:
        return [f"{ppf:.1f} particles per frame is above {high:g}: dilute the sample further"]
    return []


def fit_calibration(
    particles_per_frame: float,
    independent_frames: float,
    standard_concentration_per_ml: float,
    standard: str,
    standard_dilution: float = 1.0,
    settings: dict[str, Any] | None = None,
) -> Calibration:
    """``V_eff = ppf / (c_standard / dilution)``, with its Poisson relative SE."""
    in_cell = standard_concentration_per_ml / standard_dilution
    volume_ml = particles_per_frame / in_cell
    counts = particles_per_frame * independent_frames
    return Calibration(
        effective_volume_pl=volume_ml / ML_PER_PL,
        relative_se=1.0 / math.sqrt(counts) if counts > 0 else math.inf,
        standard=standard,
        standard_concentration_per_ml=standard_concentration_per_ml,
        standard_dilution=standard_dilution,
        particles_per_frame=particles_per_frame,
        independent_frames=independent_frames,
        settings=settings or {},
    )


def concentration(
    particles_per_frame: float,
    independent_frames: float,
    calibration: Calibration,
    dilution: float = 1.0,
    level: float = 0.95,
) -> ConcentrationResult:
    """Sample concentration from a mean count per frame and a calibration."""
    volume_ml = calibration.effective_volume_pl * ML_PER_PL
    in_cell = particles_per_frame / volume_ml
    value = in_cell * dilution
    counts = particles_per_frame * independent_frames
    low, high = poisson_interval(counts, level)
    z = float(norm.ppf(0.5 + level / 2))
    cal = (
        math.exp(z * calibration.relative_se)
        if math.isfinite(calibration.relative_se)
        else math.inf
    )
    rel_low = low / counts if counts > 0 else 0.0
    rel_high = high / counts if counts > 0 else math.inf
    # combine the count and calibration intervals on the log scale
    log_low = -math.sqrt(math.log(max(rel_low, 1e-300)) ** 2 + math.log(cal) ** 2)
    log_high = math.sqrt(math.log(rel_high) ** 2 + math.log(cal) ** 2)
    warnings = ppf_warnings(particles_per_frame)
    return ConcentrationResult(
        particles_per_frame=particles_per_frame,
        independent_frames=independent_frames,
        in_cell_per_ml=in_cell,
        concentration_per_ml=value,
        ci_low_per_ml=value * math.exp(log_low),
        ci_high_per_ml=value * math.exp(log_high),
        dilution=dilution,
        effective_volume_pl=calibration.effective_volume_pl,
        warnings=warnings,
    )
