"""What a user asks the simulator: a treatment scenario, validated at the edge.

A scenario names the model (wound, photo-ageing, atopic dermatitis), the exosome source,
the dose and its unit, the route and the schedule (days on which a dose is given). The
inputs are those of a dosing regimen in a PK/PD model (dose, unit, source,
route, schedule, skin state, co-procedure: the co-procedure is folded into the route,
``post-laser`` and ``microneedling``).
"""

from __future__ import annotations

import enum

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from exoderm.errors import Location as ErrorLocation
from exoderm.errors import Problem, ValidationFailed, validation_failed


class ModelName(enum.StrEnum):
    wound = "wound"
    photoageing = "photoageing"
    ad = "ad"


class DoseUnit(enum.StrEnum):
    particles = "particles"
    ug = "ug"
    percent = "percent"


class Route(enum.StrEnum):
    topical = "topical"
    microneedling = "microneedling"
    post_laser = "post-laser"
    injection = "injection"


class Source(enum.StrEnum):
    adipose_msc = "adipose-msc"
    umbilical_msc = "umbilical-msc"
    bone_marrow_msc = "bone-marrow-msc"
    ipsc = "ipsc"
    esc = "esc"
    huvec = "huvec"
    fibroblast = "fibroblast"
    plant = "plant"


#: Default simulated duration per model (days): 60 d wound (bench anchor), 4 wk
#: photo-ageing (Yanuar 2023 design), 16 wk AD (Miyano 2021 week-16 endpoint).
DEFAULT_DURATION_DAYS: dict[ModelName, float] = {
    ModelName.wound: 60.0,
    ModelName.photoageing: 28.0,
    ModelName.ad: 112.0,
}


#: The latest day at which a model's endpoints are read (the wound model: closure at day
#: 7 and day 14); a shorter simulation could not report them.
MIN_DURATION_DAYS: dict[ModelName, float] = {ModelName.wound: 14.0}


class TreatmentScenario(BaseModel):
    """A formulation and regimen to simulate.

    ``schedule`` holds the days (from the start of the simulation) on which a dose is
    given; days are rounded to 0.05 d (1.2 h) so they fall on the integrators' grid.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: ModelName = ModelName.wound
    source: Source = Source.adipose_msc
    dose: float = Field(ge=0.0, description="dose per administration, in `unit`")
    unit: DoseUnit = DoseUnit.particles
    route: Route = Route.injection
    schedule: tuple[float, ...] = (0.0,)
    diabetic: bool = False
    photoaged: bool = True
    duration_days: float | None = Field(default=None, gt=0.0, le=3650.0)
    particles_per_ug: float | None = Field(
        default=None,
        gt=0.0,
        le=1e14,
        description="The preparation's particle:protein ratio (particles per µg protein), "
        "e.g. from its QC release; default the dose layer's assumed 3e10 (Webber & Clayton "
        "2013 high-purity threshold).",
    )
    ug_per_percent: float | None = Field(
        default=None,
        gt=0.0,
        le=1e6,
        description="µg exosome protein delivered per application per 1 % w/w of exosome "
        "preparation; default the dose layer's assumed 10.",
    )

    @field_validator("schedule")
    @classmethod
    def _days(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if not value:
            raise ValueError("give at least one dosing day")
        if any(d < 0 for d in value):
            raise ValueError("dosing days must be >= 0")
        return tuple(sorted(round(float(d) * 20.0) / 20.0 for d in value))

    @model_validator(mode="after")
    def _long_enough(self) -> TreatmentScenario:
        shortest = MIN_DURATION_DAYS.get(self.model)
        if shortest is not None and self.duration < shortest:
            raise ValueError(
                f"the {self.model.value} model reads its endpoints up to day {shortest:g}; "
                f"simulate at least {shortest:g} days (got {self.duration:g})"
            )
        return self

    @property
    def duration(self) -> float:
        """Simulated duration in days."""
        return self.duration_days or DEFAULT_DURATION_DAYS[self.model]

    def untreated(self) -> TreatmentScenario:
        """The same scenario with no exosome dose (the control arm)."""
        return self.model_copy(update={"dose": 0.0})


def parse_schedule(text: str) -> tuple[float, ...]:
    """Parse ``"0,7,14"`` into days; a bad item is a one-line error naming the item."""
    days: list[float] = []
    for i, item in enumerate(t.strip() for t in text.split(",")):
        try:
            days.append(float(item))
        except ValueError:
            raise ValidationFailed(
                [
                    Problem(
                        f"item {i + 1} {item!r} is not a number",
                        ErrorLocation(field="schedule"),
                        "comma-separated days, e.g. 0,7,14",
                    )
                ],
                subject="schedule",
            ) from None
    return tuple(days)


def build_scenario(**fields: object) -> TreatmentScenario:
    """Validate a scenario; pydantic errors become one ``ValidationFailed`` (no traceback)."""
    try:
        return TreatmentScenario.model_validate(fields)
    except ValidationError as exc:
        raise validation_failed(exc, subject="scenario") from None
