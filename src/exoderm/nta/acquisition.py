"""How an NTA video was recorded: the one validated :class:`Acquisition` every face uses.

Sizing needs four numbers that only the person who recorded the video knows — the sample
temperature, the pixel size in the sample plane, the frame rate and the exposure — so they
are required everywhere and never defaulted. Each is checked when an :class:`Acquisition`
is built, with a message naming the field and the accepted range, so the CLI, the API and
the web pages reject the same input with the same words.

Ranges:

- temperature 0–100 °C: liquid water at 0.1 MPa, inside the validity range of the IAPWS
  2008 viscosity correlation at atmospheric pressure (Huber, M. L. et al. 2009, "New
  international formulation for the viscosity of H2O", J. Phys. Chem. Ref. Data 38:101,
  doi:10.1063/1.3088050);
- pixel size 0–25 µm: a camera pixel (≤ ~25 µm) imaged at ≥ 1× magnification;
- frame rate 0–10,000 fps;
- exposure 0 ≤ t_E ≤ 1/fps: the camera integrates over at most one frame interval (the blur
  model of Vestergaard, Blainey & Flyvbjerg 2014, Phys. Rev. E 89:022726,
  doi:10.1103/PhysRevE.89.022726); 0 is the idealised instantaneous snapshot.
"""

from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from exoderm.errors import UserInputError
from exoderm.nta.physics import blur_factor, water_viscosity_mpas

#: Accepted sample temperatures, °C (liquid water at 0.1 MPa).
TEMPERATURE_RANGE_C = (0.0, 100.0)
#: Largest accepted pixel size in the sample plane, µm.
MAX_PIXEL_SIZE_UM = 25.0
#: Largest accepted frame rate, frames per second.
MAX_FPS = 10_000.0

_DURATION = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*(ms|s|us|µs|μs)?\s*$")
_UNIT_MS = {"ms": 1.0, "s": 1000.0, "us": 1e-3, "µs": 1e-3, "μs": 1e-3, None: 1.0}


def parse_exposure_ms(text: str) -> float:
    """An exposure such as ``30ms``, ``0.03 s``, ``30000us`` or ``30000µs``, in milliseconds.

    A bare number is read as milliseconds.

    Examples
    --------
    >>> parse_exposure_ms("0.03 s"), parse_exposure_ms("30000µs"), parse_exposure_ms("12")
    (30.0, 30.0, 12.0)
    """
    match = _DURATION.match(text)
    if not match:
        raise UserInputError(
            f"cannot read exposure '{text}'",
            field="exposure",
            expected="a duration such as 30ms, 0.03 s or 30000us",
        )
    return float(match.group(1)) * _UNIT_MS[match.group(2)]


def _out_of_range(what: str, value: float, unit: str, expected: str) -> PydanticCustomError:
    """A range error whose message names the quantity, the value and the accepted range."""
    return PydanticCustomError("nta_range", f"{what} {value:g}{unit} is outside {expected}")


class Acquisition(BaseModel):
    """How the video was recorded; every value is checked when the model is built.

    Examples
    --------
    >>> acq = Acquisition(temperature_c=22, pixel_size_um=0.166, fps=25, exposure_ms="30ms")
    >>> acq.exposure_ms, round(acq.blur, 3)
    (30.0, 0.125)
    >>> Acquisition(temperature_c=120, pixel_size_um=0.166, fps=25, exposure_ms=30)
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Acquisition
    temperature_c
      temperature 120 °C is outside 0 to 100 °C (liquid water at 0.1 MPa) ...
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature_c: float = Field(..., description="sample temperature, °C (0–100)")
    pixel_size_um: float = Field(..., description="µm per pixel in the sample plane (0–25)")
    fps: float = Field(..., description="frames per second (0–10,000)")
    exposure_ms: float = Field(
        ..., description="exposure per frame: ms, or a string with units such as '30ms'"
    )
    viscosity_mpas: float | None = Field(
        None, description="dispersant viscosity, mPa·s; default water at the temperature (IAPWS)"
    )

    @field_validator("temperature_c")
    @classmethod
    def _temperature(cls, value: float) -> float:
        low, high = TEMPERATURE_RANGE_C
        if not (math.isfinite(value) and low <= value <= high):
            raise _out_of_range(
                "temperature", value, " °C", f"{low:g} to {high:g} °C (liquid water at 0.1 MPa)"
            )
        return value

    @field_validator("pixel_size_um")
    @classmethod
    def _pixel_size(cls, value: float) -> float:
        if not (math.isfinite(value) and 0 < value <= MAX_PIXEL_SIZE_UM):
            raise _out_of_range(
                "pixel size", value, " µm", f"0 < pixel size ≤ {MAX_PIXEL_SIZE_UM:g} µm per pixel"
            )
        return value

    @field_validator("fps")
    @classmethod
    def _fps(cls, value: float) -> float:
        if not (math.isfinite(value) and 0 < value <= MAX_FPS):
            raise _out_of_range("frame rate", value, " fps", f"0 < fps ≤ {MAX_FPS:g}")
        return value

    @field_validator("exposure_ms", mode="before")
    @classmethod
    def _parse_exposure(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                return parse_exposure_ms(value)
            except UserInputError as exc:
                raise PydanticCustomError(
                    "nta_exposure",
                    "cannot read exposure '{text}' (expected a duration such as 30ms, 0.03 s "
                    "or 30000us)",
                    {"text": value},
                ) from exc
        return value

    @field_validator("exposure_ms")
    @classmethod
    def _exposure(cls, value: float) -> float:
        if not (math.isfinite(value) and value >= 0):
            raise _out_of_range("exposure", value, " ms", "0 ≤ exposure ≤ 1/fps")
        return value

    @field_validator("viscosity_mpas")
    @classmethod
    def _viscosity(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value > 0):
            raise _out_of_range("viscosity", value, " mPa·s", "a positive viscosity in mPa·s")
        return value

    @model_validator(mode="after")
    def _exposure_fits(self) -> Acquisition:
        interval_ms = 1000.0 / self.fps
        if self.exposure_ms > interval_ms * (1 + 1e-9):
            raise PydanticCustomError(
                "nta_exposure",
                f"exposure {self.exposure_ms:.4g} ms does not fit in the frame interval "
                f"{interval_ms:.4g} ms at {self.fps:g} fps (expected 0 ≤ exposure ≤ 1/fps)",
            )
        return self

    @property
    def frame_interval_s(self) -> float:
        return 1.0 / self.fps

    @property
    def exposure_s(self) -> float:
        return self.exposure_ms / 1000.0

    @property
    def viscosity(self) -> float:
        if self.viscosity_mpas is not None:
            return self.viscosity_mpas
        return water_viscosity_mpas(self.temperature_c)

    @property
    def blur(self) -> float:
        return blur_factor(self.exposure_s, self.frame_interval_s)
