"""The batch record: what a QC analyst knows about one lot of EVs before releasing it.

Fields follow what MISEV2018 asks authors to report (collection, production, separation,
storage, characterisation; Théry et al. 2018, doi:10.1080/20013078.2018.1535750, sections
2–4) and what the clinical-grade release specifications test (safety, identity, potency;
World J Stem Cells 17(10):110445 (2025) Table 1; Signal Transduct Target Ther (2025)
doi:10.1038/s41392-025-02262-3 Table 1).
Particle measurements are not part of this model: they are imported from instrument files
(:mod:`exoderm.qc.importers`) or recorded by the NTA engine with
:func:`exoderm.qc.repository.record_measurement`, and stored alongside the batch.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SourceKind = Literal["cell", "tissue", "plant", "milk", "biofluid", "other"]
SerumKind = Literal["ev_depleted_serum", "serum_free", "serum", "not_applicable"]
Biogenesis = Literal["none", "endosomal_demonstrated", "plasma_membrane_demonstrated"]
TestOutcome = Literal["negative", "positive"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Manufacturer(_Strict):
    """Who made the lot and where (the manufacturer block of a certificate of analysis;
    ICH Q7 (2000) §11.43: name and address of the original manufacturer)."""

    name: str = Field(min_length=1, max_length=200)
    site: str | None = Field(default=None, max_length=200)
    address: str | None = Field(default=None, max_length=500)


class Source(_Strict):
    """Where the vesicles come from (cell, tissue or plant), with donor/cultivar and passage."""

    kind: SourceKind
    species: str | None = None
    cell_type: str | None = None
    tissue: str | None = None
    donor: str | None = None
    cultivar: str | None = None
    passage: int | None = Field(default=None, ge=0)


class Production(_Strict):
    """Culture that conditioned the medium (MISEV2018 §collection; EV-TRACK fields)."""

    culture_conditions: str | None = None
    conditioning_time_h: float | None = Field(default=None, ge=0)
    medium: str | None = None
    serum: SerumKind | None = None
    cell_viability_percent: float | None = Field(default=None, ge=0, le=100)
    input_volume_ml: float | None = Field(default=None, gt=0)


class Storage(_Strict):
    """How the preparation is stored (MISEV2018 asks for temperature, buffer, freeze–thaw)."""

    temperature_c: float | None = None
    buffer: str | None = None
    freeze_thaw_cycles: int | None = Field(default=None, ge=0)
    cryoprotectant: str | None = None


class ProteinAmount(_Strict):
    """Total protein of the preparation, e.g. by BCA (needed for the particle:protein ratio)."""

    method: str = "BCA"
    ug_per_ml: float = Field(gt=0)


class LipidAmount(_Strict):
    method: str
    nmol_per_ml: float = Field(gt=0)


class MarkerResult(_Strict):
    """One protein tested for presence (e.g. CD63 by western blot)."""

    protein: str
    method: str = "western blot"
    present: bool
    #: MISEV2018 Table 3 category; filled from the evidence ontology when not given.
    category: str | None = None

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str | None) -> str | None:
        from exoderm.evidence.misev import MarkerCategory

        allowed = [c.value for c in MarkerCategory]
        if value is not None and value not in allowed:
            raise ValueError(f"unknown MISEV2018 category {value!r}; use one of {allowed}")
        return value


class ImagingResult(_Strict):
    """Single-vesicle imaging (TEM, cryo-EM, AFM, super-resolution)."""

    method: str
    wide_field: bool = False
    close_up: bool = False
    finding: str | None = None


class Safety(_Strict):
    sterility: TestOutcome | None = None
    endotoxin_eu_per_ml: float | None = Field(default=None, ge=0)
    mycoplasma: TestOutcome | None = None


class Potency(_Strict):
    assay: str
    readout: str
    value: float | None = None
    unit: str | None = None
    passes_reference: bool | None = None


class Reporting(_Strict):
    """Method-specific reporting, for the EV-METRIC-style transparency score."""

    protocol_details_reported: bool = False
    uc_specifics_reported: bool | None = None
    antibody_specifics_reported: bool | None = None
    lysate_preparation_reported: bool | None = None


class BatchRecord(_Strict):
    """Everything known about one lot, as entered by a QC analyst (validated at the edge)."""

    product: str = Field(min_length=1, max_length=200)
    lot: str = Field(min_length=1, max_length=100)
    manufacturer: Manufacturer | None = None
    manufactured_on: date | None = None
    #: Expiry date of the lot, or ...
    expires_on: date | None = None
    #: ... the date by which it must be re-tested (ICH Q7 (2000) §11.41 and §11.6).
    retest_on: date | None = None
    source: Source
    production: Production = Field(default_factory=Production)
    separation: list[str] = Field(default_factory=list)
    concentration_methods: list[str] = Field(default_factory=list)
    storage: Storage = Field(default_factory=Storage)
    protein: ProteinAmount | None = None
    lipid: LipidAmount | None = None
    markers: list[MarkerResult] = Field(default_factory=list)
    imaging: list[ImagingResult] = Field(default_factory=list)
    topology: str | None = None
    detergent_lysis_sensitive: bool | None = None
    safety: Safety = Field(default_factory=Safety)
    potency: Potency | None = None
    biogenesis_evidence: Biogenesis = "none"
    labelled_particles_per_ml: float | None = Field(default=None, gt=0)
    reporting: Reporting = Field(default_factory=Reporting)
    notes: str | None = None

    @field_validator("lot", "product")
    @classmethod
    def _no_slashes(cls, value: str) -> str:
        if "/" in value or "\\" in value:
            raise ValueError("must not contain slashes")
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> BatchRecord:
        made = self.manufactured_on
        for name, later in (("expires_on", self.expires_on), ("retest_on", self.retest_on)):
            if made is not None and later is not None and later <= made:
                raise ValueError(f"{name} ({later}) must come after manufactured_on ({made})")
        return self


__all__ = [
    "BatchRecord",
    "ImagingResult",
    "LipidAmount",
    "Manufacturer",
    "MarkerResult",
    "Potency",
    "Production",
    "ProteinAmount",
    "Reporting",
    "Safety",
    "Source",
    "Storage",
]
