"""What a formulator asks for: targets with weights, and constraints.

Validated at the edge with pydantic; a bad value names the field and what was
expected. ``route=None`` means a leave-on topical product (the ordinary cosmetic
route). ``plant_only`` restricts the *EV sources* to plant-derived vesicles (co-actives
such as niacinamide are synthetic and remain allowed); ``no_human`` excludes
human-origin material of any kind.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from exoderm.design.ingredient import ProductClass, Route
from exoderm.errors import validation_failed
from exoderm.markets import Market


class FormulationRequest(BaseModel):
    """Targets (id or alias → weight > 0) and the constraints of one design."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    targets: dict[str, Annotated[float, Field(gt=0, le=100)]] = Field(min_length=1)
    market: Market = Market.EU
    product_class: ProductClass = ProductClass.cosmetic
    route: Route | None = None
    vehicle: str | None = None
    product_type: str | None = Field(
        None, description="a product skeleton (e.g. ow-emulsion); chooses the vehicle"
    )
    plant_only: bool = False
    no_human: bool = False
    vegan: bool = False
    exclude: list[str] = Field(default_factory=list)
    allergens: list[str] = Field(default_factory=list)
    max_actives: Annotated[int, Field(ge=1, le=30)] = 4
    budget_tier: Annotated[int, Field(ge=1, le=3)] | None = None
    ph: Annotated[float, Field(ge=0, le=14)] | None = None
    required: list[str] = Field(default_factory=list)
    top: Annotated[int, Field(ge=1, le=20)] = 1
    min_ev_sources: Annotated[int, Field(ge=0, le=10)] = 1
    risk_weight: Annotated[float, Field(ge=0)] = 0.25
    cost_weight: Annotated[float, Field(ge=0)] = 0.01
    cover_every_target: bool = Field(
        True,
        description="each requested target must get an ingredient with evidence for it",
    )
    min_coverage: Annotated[float, Field(ge=0, le=10)] = Field(
        0.0,
        description="evidence score an ingredient must exceed to count as covering a target",
    )

    @field_validator("market", mode="before")
    @classmethod
    def _upper_market(cls, value: object) -> object:
        return value.strip().upper() if isinstance(value, str) else value

    @property
    def effective_route(self) -> Route:
        return self.route or Route.leave_on

    @classmethod
    def parse(cls, data: dict[str, object], *, source: str = "request") -> FormulationRequest:
        """Validate raw input; every problem is reported with its field."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise validation_failed(exc, subject=source) from exc
