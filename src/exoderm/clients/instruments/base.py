"""What every assessment instrument shares: its identity card, its score, input checks.

An instrument is a published scoring rule. Each module in this package holds one rule,
names its source and rejects out-of-range input with the allowed range, because a
silently clipped or mistyped item would corrupt every later change-from-baseline.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from exoderm.errors import UserInputError


class Direction(StrEnum):
    """Which way is better on the instrument's scale."""

    higher_is_worse = "higher_is_worse"
    higher_is_better = "higher_is_better"


@dataclass(frozen=True)
class Responder:
    """A responder definition: an absolute drop, or a percent improvement from baseline."""

    label: str
    absolute: float | None = None
    percent: float | None = None
    source: str = ""
    verified: bool = True


@dataclass(frozen=True)
class InstrumentInfo:
    """The identity card of an instrument: what it measures, its range, source and MCID."""

    code: str
    name: str
    measures: str
    minimum: float
    maximum: float | None
    unit: str
    direction: Direction
    source: str
    clinician_only: bool = False
    #: Completed by the patient (may be sent as a link to fill from home).
    patient_reported: bool = False
    responders: tuple[Responder, ...] = ()
    within_subject_only: bool = False
    note: str = ""

    @property
    def range_text(self) -> str:
        upper = "∞" if self.maximum is None else _fmt(self.maximum)
        return f"{_fmt(self.minimum)}–{upper}"


@dataclass(frozen=True)
class InstrumentScore:
    """A scored assessment: the total, its band, the parts and the normalised inputs."""

    instrument: str
    value: float
    band: str | None
    components: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class Instrument:
    """An instrument: its card and the function that scores validated inputs."""

    info: InstrumentInfo
    scorer: Callable[[Mapping[str, Any]], InstrumentScore]
    fields: tuple[str, ...]

    def score(self, inputs: Mapping[str, Any]) -> InstrumentScore:
        """Score ``inputs`` (field → value); unknown fields are rejected by name."""
        unknown = sorted(set(inputs) - set(self.fields))
        if unknown:
            raise UserInputError(
                f"{self.info.name} has no item {unknown[0]!r}",
                field=unknown[0],
                expected="one of " + ", ".join(self.fields),
            )
        return self.scorer(inputs)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def number(
    inputs: Mapping[str, Any],
    name: str,
    low: float,
    high: float | None,
    *,
    step: float | None = 1.0,
    required: bool = True,
    default: float | None = None,
) -> float:
    """The value of item ``name`` checked against ``low``–``high`` in multiples of ``step``.

    Raises :class:`UserInputError` naming the item and its allowed range, so the scorer
    never sees a value outside the published scale.
    """
    upper = "" if high is None else f"–{_fmt(high)}"
    steps = "" if step is None else (" in whole numbers" if step == 1 else f" in steps of {step}")
    allowed = f"{_fmt(low)}{upper}{steps}" if high is not None else f"≥ {_fmt(low)}"
    raw = inputs.get(name)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            raise UserInputError("missing item", field=name, expected=allowed)
        return float(default if default is not None else 0.0)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise UserInputError(f"not a number: {raw!r}", field=name, expected=allowed) from None
    if math.isnan(value) or value < low or (high is not None and value > high):
        raise UserInputError(f"{_fmt(value)} is out of range", field=name, expected=allowed)
    if step is not None and not math.isclose(value / step, round(value / step), abs_tol=1e-9):
        raise UserInputError(f"{_fmt(value)} is not on the scale", field=name, expected=allowed)
    return value


def choice(inputs: Mapping[str, Any], name: str, options: tuple[str, ...], default: str) -> str:
    """A categorical item, one of ``options``."""
    raw = inputs.get(name, default)
    value = str(raw).strip().lower()
    if value not in options:
        raise UserInputError(f"{raw!r} is not allowed", field=name, expected=" or ".join(options))
    return value


def band(value: float, bands: tuple[tuple[float, str], ...]) -> str:
    """The label of the first band whose upper limit (inclusive) is ≥ ``value``."""
    for upper, label in bands:
        if value <= upper + 1e-9:
            return label
    return bands[-1][1]


#: The EASI/MASI area grade: % of the region affected → 0–6 (DermNet NZ, EASI).
AREA_GRADE_BANDS: tuple[tuple[float, int], ...] = (
    (0, 0),
    (9, 1),
    (29, 2),
    (49, 3),
    (69, 4),
    (89, 5),
    (100, 6),
)


def area_grade(percent: float) -> int:
    """Convert % of a region affected to the 0–6 area grade used by EASI and MASI.

    Bands: 0 none; 1 = 1–9 %; 2 = 10–29 %; 3 = 30–49 %; 4 = 50–69 %; 5 = 70–89 %;
    6 = 90–100 % (DermNet NZ, http://dermnetnz.org/dermatitis/easi.html). Fractions between
    two bands (e.g. 9.5 %) belong to the upper band.
    """
    if percent <= 0:
        return 0
    for upper, grade in AREA_GRADE_BANDS[1:]:
        if percent < upper + 1:
            return grade
    return 6


def region_area(inputs: Mapping[str, Any], region: str) -> float:
    """A region's area grade from ``<region>.area`` (0–6) or ``<region>.area_percent``."""
    grade_key, pct_key = f"{region}.area", f"{region}.area_percent"
    if inputs.get(grade_key) is not None and inputs.get(pct_key) is not None:
        raise UserInputError(
            "give the area as a grade or as a percent, not both",
            field=grade_key,
            expected=f"only one of {grade_key} (0–6) or {pct_key} (0–100)",
        )
    if inputs.get(pct_key) is not None:
        return float(area_grade(number(inputs, pct_key, 0, 100, step=None)))
    return number(inputs, grade_key, 0, 6)
