"""MASI and mMASI — Melasma Area and Severity Index and its modified form.

MASI (Kimbrough-Green et al., Arch Dermatol 1994;130:727)::

    MASI = Σ_zones f_z × A_z × (D_z + H_z)          range 0–48
    f: forehead 0.3, right malar 0.3, left malar 0.3, chin 0.1
    A: area grade 0–6 (EASI bands); D: darkness 0–4; H: homogeneity 0–4

mMASI (Pandya et al., J Am Acad Dermatol 2011;64:78) drops homogeneity::

    mMASI = Σ_zones f_z × A_z × D_z                  range 0–24

No MCID is published for either.
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
    region_area,
)

ZONES: dict[str, float] = {"forehead": 0.3, "right_malar": 0.3, "left_malar": 0.3, "chin": 0.1}


def _zone_fields(with_homogeneity: bool) -> tuple[str, ...]:
    items = ["area", "area_percent", "darkness"] + (["homogeneity"] if with_homogeneity else [])
    return tuple(f"{zone}.{item}" for zone in ZONES for item in items)


def _score(code: str, with_homogeneity: bool, inputs: Mapping[str, Any]) -> InstrumentScore:
    components: dict[str, float] = {}
    normalised: dict[str, Any] = {}
    for zone, factor in ZONES.items():
        area = region_area(inputs, zone)
        darkness = number(inputs, f"{zone}.darkness", 0, 4)
        pigment = darkness
        normalised.update({f"{zone}.area": area, f"{zone}.darkness": darkness})
        if with_homogeneity:
            homogeneity = number(inputs, f"{zone}.homogeneity", 0, 4)
            normalised[f"{zone}.homogeneity"] = homogeneity
            pigment += homogeneity
        components[zone] = round(factor * area * pigment, 4)
    return InstrumentScore(code, round(sum(components.values()), 4), None, components, normalised)


MASI = Instrument(
    InstrumentInfo(
        code="masi",
        name="MASI",
        measures="melasma extent, darkness and homogeneity",
        minimum=0,
        maximum=48,
        unit="points",
        direction=Direction.higher_is_worse,
        source="Kimbrough-Green et al., Arch Dermatol 1994;130:727",
        note="MCID not published",
    ),
    lambda inputs: _score("masi", True, inputs),
    _zone_fields(True),
)

MMASI = Instrument(
    InstrumentInfo(
        code="mmasi",
        name="mMASI",
        measures="melasma extent and darkness",
        minimum=0,
        maximum=24,
        unit="points",
        direction=Direction.higher_is_worse,
        source="Pandya et al., J Am Acad Dermatol 2011;64:78",
        note="MCID and severity cut-offs not found in the source",
    ),
    lambda inputs: _score("mmasi", False, inputs),
    _zone_fields(False),
)
