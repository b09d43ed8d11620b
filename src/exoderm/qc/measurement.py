"""A particle size / concentration measurement, as every importer and the NTA engine produce it.

One model for every counting or sizing method (NTA, TRPS, flow, DLS) so that a batch record,
the release decision and the trend charts never care which instrument produced the numbers.
Values are the instrument's *reported* values (read, not recomputed: e.g. NanoSight's mode is
computed on a smoothed curve and its NTA 3.2 percentiles differ from a bin interpolation,
as seen in the ExperimentSummary exports of Malvern Panalytical NanoSight NTA 3.2 and 3.4);
exoderm's own computations live in :mod:`exoderm.qc.distribution` and are stored separately
when a value was not reported.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal, Union

from pydantic import BaseModel, ConfigDict, Field, model_validator
from typing_extensions import TypeAliasType

#: Counting / sizing methods named in MISEV2018 §characterisation (single-particle counters
#: NTA, TRPS, high-resolution flow; DLS as an ensemble method; ELS = electrophoretic light
#: scattering, the zeta-potential mode of a Zetasizer); Théry et al. 2018,
#: doi:10.1080/20013078.2018.1535750, section 4 "Characterisation".
Method = Literal["NTA", "TRPS", "flow", "DLS", "ELS"]
Weighting = Literal["number", "intensity", "volume"]

#: A value an instrument printed: a number, a text, or a list or table of them (JSON).
Reported = TypeAliasType(
    "Reported",
    "Union[str, int, float, bool, list[Reported], dict[str, Reported], None]",  # noqa: UP007
)


class SizeBin(BaseModel):
    """One bin of a size distribution.

    ``concentration_per_ml`` is the number of particles per mL *in this bin* (density times
    bin width), so that the sum over bins is the total concentration. ``count`` is the raw
    number of particles; ``percent`` is a DLS-style share (intensity, volume or number %).
    """

    model_config = ConfigDict(extra="forbid")

    centre_nm: float
    lower_nm: float | None = None
    upper_nm: float | None = None
    concentration_per_ml: float | None = Field(default=None, ge=0)
    count: float | None = Field(default=None, ge=0)
    percent: float | None = None

    @property
    def width_nm(self) -> float | None:
        if self.lower_nm is None or self.upper_nm is None:
            return None
        return self.upper_nm - self.lower_nm

    @property
    def weight(self) -> float:
        """The number weight of the bin: concentration, else count, else percent."""
        for value in (self.concentration_per_ml, self.count, self.percent):
            if value is not None:
                return value
        return 0.0


class SizeSummary(BaseModel):
    """The summary numbers a sizing instrument reports for one video, record or average."""

    model_config = ConfigDict(extra="forbid")

    concentration_per_ml: float | None = Field(default=None, ge=0)
    concentration_se_per_ml: float | None = Field(default=None, ge=0)
    concentration_ci_low_per_ml: float | None = Field(default=None, ge=0)
    concentration_ci_high_per_ml: float | None = Field(default=None, ge=0)
    mean_nm: float | None = None
    mode_nm: float | None = None
    sd_nm: float | None = None
    d10_nm: float | None = None
    d50_nm: float | None = None
    d90_nm: float | None = None
    z_average_nm: float | None = None
    pdi: float | None = None
    zeta_potential_mv: float | None = None
    particles_counted: int | None = None
    #: Every other number or text the instrument printed, under the file's own label.
    reported: dict[str, Reported] = Field(default_factory=dict)


class Replicate(SizeSummary):
    """One video (NTA), record (DLS) or run; its own distribution if the file has one."""

    name: str
    bins: list[SizeBin] = Field(default_factory=list)


class ParticleMeasurement(SizeSummary):
    """A complete measurement of one sample: settings, summary, distribution, replicates.

    ``concentration_per_ml`` is the value the instrument reported. ``dilution`` is the
    factor the sample was diluted by before measuring; ``dilution_applied`` says whether
    the instrument already multiplied its concentration by it (NanoSight does when the
    factor was entered: the ``Dilution factor (concentrations adjusted for this factor)``
    row of an NTA 3.x ExperimentSummary file). :attr:`stock_concentration_per_ml` gives the
    concentration of the undiluted sample either way.
    """

    method: Method
    instrument: str
    software: str | None = None
    settings: dict[str, Reported] = Field(default_factory=dict)
    sample_name: str | None = None
    measured_at: datetime | None = None
    dilution: float = Field(default=1.0, gt=0)
    dilution_applied: bool = False
    weighting: Weighting = "number"
    bins: list[SizeBin] = Field(default_factory=list)
    replicates: list[Replicate] = Field(default_factory=list)
    source_file: str | None = None
    source_sha256: str | None = None
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ci_ordered(self) -> ParticleMeasurement:
        low, high = self.concentration_ci_low_per_ml, self.concentration_ci_high_per_ml
        if low is not None and high is not None and low > high:
            raise ValueError("concentration CI low bound is above the high bound")
        return self

    @property
    def stock_concentration_per_ml(self) -> float | None:
        """Particles per mL of the undiluted sample (concentration with dilution)."""
        if self.concentration_per_ml is None:
            return None
        if self.dilution_applied:
            return self.concentration_per_ml
        return self.concentration_per_ml * self.dilution


__all__ = [
    "Method",
    "ParticleMeasurement",
    "Replicate",
    "Reported",
    "SizeBin",
    "SizeSummary",
    "Weighting",
]
