"""The clinical profile of a client: skin, concerns, conditions, medicines, history.

It holds no identifying data (that is :mod:`exoderm.clients.personal`), so it can stay
after erasure for anonymised statistics. Fields follow a dermatology intake: the
Fitzpatrick phototype with raw answers and band version (Fitzpatrick, Arch Dermatol
1988;124:869, doi:10.1001/archderm.1988.01670060015008), the Glogau photoageing type
(Glogau, Semin Cutan Med Surg 1996;15:134), the contraindication checklist, isotretinoin
timing (Spring et al., JAMA Dermatol 2017;153:802, doi:10.1001/jamadermatol.2017.2077)
and PIH risk (Manuskiatti et al., JEADV 2013, doi:10.1111/jdv.12050). ``market`` is one
:class:`exoderm.markets.Market`.
"""

from __future__ import annotations

from datetime import date
from enum import IntEnum, StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from exoderm.clients.concerns import resolve_concern
from exoderm.clients.instruments.fitzpatrick import phototype
from exoderm.errors import UserInputError
from exoderm.markets import Market


class Severity(IntEnum):
    mild = 1
    moderate = 2
    severe = 3


class Isotretinoin(StrEnum):
    """Isotretinoin exposure; procedure timing rules depend on it (Spring et al. 2017)."""

    never = "never"
    current = "current"
    stopped_within_6_months = "stopped_within_6_months"
    stopped_over_6_months = "stopped_over_6_months"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Fitzpatrick(_Model):
    """Phototype I–VI; when answers are given, the type is computed from them."""

    phototype: int | None = Field(default=None, ge=1, le=6)
    answers: list[int] | None = Field(default=None, min_length=10, max_length=10)
    band_version: Literal["a", "b"] = "a"
    questionnaire_version: str | None = Field(default=None, max_length=40)

    @field_validator("answers")
    @classmethod
    def _items_0_to_4(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(not 0 <= a <= 4 for a in value):
            raise ValueError("each answer must be 0–4")
        return value

    @model_validator(mode="after")
    def _derive(self) -> Fitzpatrick:
        if self.answers is not None:
            computed, _ = phototype(sum(self.answers), self.band_version)
            if self.phototype is not None and self.phototype != computed:
                raise ValueError(
                    f"phototype {self.phototype} contradicts the answers (sum "
                    f"{sum(self.answers)} → type {computed} in band version {self.band_version})"
                )
            self.phototype = computed
        if self.phototype is None:
            raise ValueError("give a phototype (1–6) or the ten questionnaire answers")
        return self


class Concern(_Model):
    """A concern named like the evidence graph's nodes (e.g. 'acne scars', 'wrinkles')."""

    name: str = Field(min_length=2, max_length=100)
    severity: Severity = Severity.moderate
    site: str | None = Field(default=None, max_length=100)

    @field_validator("name")
    @classmethod
    def _canonical(cls, value: str) -> str:
        try:
            return resolve_concern(value)
        except UserInputError as exc:
            raise ValueError(str(exc.problem.message) + f" ({exc.problem.expected})") from None

    @field_validator("severity", mode="before")
    @classmethod
    def _named_severity(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.isdigit():
            try:
                return Severity[value.strip().lower()]
            except KeyError:
                raise ValueError("severity must be mild, moderate, severe or 1–3") from None
        return value


class History(_Model):
    """The contraindication checklist asked before any in-clinic procedure."""

    keloid_tendency: bool = False
    herpes_simplex_history: bool = False
    herpes_active_at_site: bool = False
    active_infection_at_site: bool = False
    active_acne_pustules: bool = False
    active_dermatosis_flare: bool = False
    autoimmune_disease: bool = False
    malignancy_at_site: bool = False
    chemo_or_radiotherapy: bool = False
    isotretinoin: Isotretinoin = Isotretinoin.never
    anticoagulants: bool = False
    immunosuppressants: bool = False
    uncontrolled_diabetes: bool = False
    # recent procedures (timing rules): answered as the
    # checklist asks them, so screening stays a pure function of the profile
    filler_within_12_months: bool = Field(
        default=False, description="dermal filler in the treatment area in the last 12 months"
    )
    neurotoxin_within_3_months: bool = Field(
        default=False, description="botulinum neurotoxin in the treatment area in the last 3 months"
    )
    deep_peel_within_30_days: bool = Field(
        default=False, description="medium-depth or deep peel in the last 30 days"
    )
    facial_surgery_within_12_months: bool = Field(
        default=False,
        description="facial surgery (scars in the treatment area) in the last 12 months",
    )


class Biomarker(_Model):
    """An optional EV biomarker result (e.g. a skin-tape or sebum EV miRNA level)."""

    name: str = Field(min_length=1, max_length=100)
    value: float
    unit: str = Field(max_length=40)
    method: str | None = Field(default=None, max_length=200)
    measured_on: date | None = None


class ClientProfile(_Model):
    """Everything clinical about a client; personal data are kept elsewhere."""

    fitzpatrick: Fitzpatrick | None = None
    asian_ancestry: bool | None = Field(
        default=None,
        description="PIH risk starts at phototype III in Asian skin (Manuskiatti 2013)",
    )
    glogau: int | None = Field(default=None, ge=1, le=4)
    skin_type: Literal["normal", "dry", "oily", "combination"] | None = None
    sensitivity: Literal["low", "moderate", "high"] | None = None
    concerns: list[Concern] = Field(default_factory=list)
    conditions: list[str] = Field(default_factory=list)
    medications: list[str] = Field(default_factory=list)
    pregnant: bool = False
    breastfeeding: bool = False
    allergies: list[str] = Field(default_factory=list)
    history: History = Field(default_factory=History)
    biomarkers: list[Biomarker] = Field(default_factory=list)
    market: Market = Field(default=Market.EU, description="where products are supplied")
    vegan: bool = False
    plant_only: bool = False

    @field_validator("conditions", "medications", "allergies")
    @classmethod
    def _clean_list(cls, values: list[str]) -> list[str]:
        return [" ".join(v.lower().split()) for v in values if v.strip()]

    @field_validator("market", mode="before")
    @classmethod
    def _known_market(cls, value: object) -> object:
        if isinstance(value, str) and not isinstance(value, Market):
            try:
                return Market.parse(value)
            except UserInputError:
                known = ", ".join(m.value for m in Market)
                raise ValueError(f"unknown market {value!r}; known markets: {known}") from None
        return value

    def anonymised(self) -> ClientProfile:
        """The profile kept after erasure: free text and biomarker dates are dropped."""
        return self.model_copy(
            update={
                "medications": [],
                "conditions": [],
                "biomarkers": [
                    b.model_copy(update={"measured_on": None, "method": None})
                    for b in self.biomarkers
                ],
            }
        )
