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
    #: Volume and surface area in the bin as the instrument prints them (ZetaView's
    #: ``Volume / nm^3`` and ``Area / nm^2`` columns); None elsewhere.
    volume_nm3: float | None = None
    area_nm2: float | None = None

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


class WeightedSummary(BaseModel):
    """One weighting block of a NanoSight ``[Size Data]`` or ``[Diffusion Coefficient Data]``.

    Sizes are in nm; diffusion coefficients in the file's unit, 1e4 nm²/s (the
    ``Bin centre (E4 nm²/s)`` column). ``*_se`` fields are the file's ``Standard Error``
    column (filled on a measurement's averages only).
    """

    model_config = ConfigDict(extra="forbid")

    weighting: str
    unit: str = "nm"
    mean: float | None = None
    mode: float | None = None
    sd: float | None = None
    d10: float | None = None
    d50: float | None = None
    d90: float | None = None
    valid_tracks: int | None = None
    mean_se: float | None = None
    mode_se: float | None = None
    sd_se: float | None = None
    d10_se: float | None = None
    d50_se: float | None = None
    d90_se: float | None = None
    percentiles: list[float] = Field(default_factory=list)
    #: The block's ``Graph Data``: bin centres and the ``Concentration average`` column
    #: as printed (particles/mL per bin unit); on a measurement's averages only.
    graph_centres: list[float] = Field(default_factory=list)
    graph_average: list[float] = Field(default_factory=list)


class InstrumentWarning(BaseModel):
    """A check the instrument software itself failed (its own words, per video)."""

    model_config = ConfigDict(extra="forbid")

    section: str
    item: str
    value: str
    replicate: str | None = None

    @property
    def text(self) -> str:
        where = f" ({self.replicate})" if self.replicate else ""
        return f"{self.item}: {self.value}{where}"


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
    particles_per_frame: float | None = None
    particles_per_frame_se: float | None = None
    centres_per_frame: float | None = None
    centres_per_frame_se: float | None = None
    completed_tracks: int | None = None
    x_drift_pix_per_frame: float | None = None
    y_drift_pix_per_frame: float | None = None
    concentration_upgrade: bool | None = None
    #: Every size weighting block (Number, Surface Area, Volume) the file prints.
    weightings: list[WeightedSummary] = Field(default_factory=list)
    #: Every diffusion-coefficient weighting block the file prints (1e4 nm²/s).
    diffusion: list[WeightedSummary] = Field(default_factory=list)
    #: The instrument's own checks (``[Concentration Warnings]``), label → its word.
    concentration_warnings: dict[str, str] = Field(default_factory=dict)
    #: The instrument's ``[Information]`` lines (validity, noise, vibration), label → text.
    information: dict[str, str] = Field(default_factory=dict)
    #: Every other number or text the instrument printed, under the file's own label.
    reported: dict[str, Reported] = Field(default_factory=dict)


class Replicate(SizeSummary):
    """One video (NTA), record (DLS) or run; its own distribution if the file has one."""

    name: str
    bins: list[SizeBin] = Field(default_factory=list)
    #: Every particle size the instrument lists for this video, in file order (ViewSizer
    #: ``Videos_*.dat``); empty when the file gives no per-particle list.
    particle_sizes_nm: list[float] = Field(default_factory=list)


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
    operator: str | None = None
    #: Cell conditions and camera settings a ZetaView header prints (None elsewhere).
    ph: float | None = None
    conductivity_us_per_cm: float | None = None
    camera_gain: float | None = None
    max_brightness: float | None = None
    micrometre_per_pixel: float | None = None
    #: Instrument-printed medians of the concentration- and volume-weighted distributions.
    d50_concentration_nm: float | None = None
    d50_volume_nm: float | None = None
    #: A second table of the same distribution in logarithmic classes (ZetaView).
    log_bins: list[SizeBin] = Field(default_factory=list)
    dilution: float = Field(default=1.0, gt=0)
    dilution_applied: bool = False
    #: False when the file says the dilution was not recorded: stock concentration unknown.
    dilution_recorded: bool = True
    #: The instrument's own failed checks; they make the criteria that use this
    #: measurement ``needs review``.
    warnings: list[InstrumentWarning] = Field(default_factory=list)
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
        """Particles per mL of the undiluted sample; unknown if the dilution was not recorded."""
        if self.concentration_per_ml is None or not self.dilution_recorded:
            return None
        if self.dilution_applied:
            return self.concentration_per_ml
        return self.concentration_per_ml * self.dilution


__all__ = [
    "InstrumentWarning",
    "Method",
    "ParticleMeasurement",
    "Replicate",
    "Reported",
    "SizeBin",
    "SizeSummary",
    "WeightedSummary",
    "Weighting",
]
