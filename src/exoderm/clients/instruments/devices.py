"""Device measurements, compared only within the same person and site.

* TEWL — transepidermal water loss in g/m²/h (open-chamber probe, e.g. Tewameter).
  "A 'normal' TEWL does not exist": it varies with site, temperature, humidity and
  device (Akdeniz et al., Br J Dermatol 2018), so no absolute band is shown. A flux
  cannot be negative.
* Corneometer CM 825 — stratum-corneum capacitance in arbitrary units, scale 0–120
  (Courage + Khazaka; https://dermatest.com/test-methods/corneometry).
* Elasticity — Cutometer R2 "gross elasticity" Ua/Uf, a ratio of 0–1 where 1 is fully
  elastic (MDPI Cosmetics 12(5):186).

Each reading names its site; the site must match for a change to be computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exoderm.clients.instruments.base import (
    Direction,
    Instrument,
    InstrumentInfo,
    InstrumentScore,
    number,
)
from exoderm.errors import UserInputError


def _site(inputs: Mapping[str, Any]) -> str:
    site = str(inputs.get("site") or "").strip()
    if not site:
        raise UserInputError("missing measurement site", field="site", expected="e.g. 'left cheek'")
    return site


def _device(info: InstrumentInfo, high: float | None, extras: tuple[str, ...] = ()) -> Instrument:
    def score(inputs: Mapping[str, Any]) -> InstrumentScore:
        value = number(inputs, "value", info.minimum, high, step=None)
        normalised: dict[str, Any] = {"value": value, "site": _site(inputs)}
        if "temperature_c" in extras and inputs.get("temperature_c") is not None:
            normalised["temperature_c"] = number(inputs, "temperature_c", -10, 50, step=None)
        if "humidity_percent" in extras and inputs.get("humidity_percent") is not None:
            normalised["humidity_percent"] = number(inputs, "humidity_percent", 0, 100, step=None)
        return InstrumentScore(info.code, value, None, {}, normalised)

    return Instrument(info, score, ("value", "site", *extras))


TEWL = _device(
    InstrumentInfo(
        code="tewl",
        name="TEWL",
        measures="transepidermal water loss (barrier)",
        minimum=0,
        maximum=None,
        unit="g/m²/h",
        direction=Direction.higher_is_worse,
        source="Akdeniz et al., Br J Dermatol 2018 (reference values vary by site)",
        within_subject_only=True,
        note="log temperature and humidity; compare the same site only",
    ),
    None,
    ("temperature_c", "humidity_percent"),
)

CORNEOMETER = _device(
    InstrumentInfo(
        code="corneometer",
        name="Corneometer CM 825",
        measures="stratum-corneum hydration",
        minimum=0,
        maximum=120,
        unit="AU",
        direction=Direction.higher_is_better,
        source="Courage + Khazaka CM 825 (dermatest.com/test-methods/corneometry)",
        within_subject_only=True,
    ),
    120,
)

ELASTICITY = _device(
    InstrumentInfo(
        code="elasticity",
        name="Cutometer R2 gross elasticity",
        measures="skin elasticity (Ua/Uf)",
        minimum=0,
        maximum=1,
        unit="ratio",
        direction=Direction.higher_is_better,
        source="Cutometer R2 = Ua/Uf (MDPI Cosmetics 12(5):186)",
        within_subject_only=True,
    ),
    1,
)
