"""Stokes–Einstein and water viscosity against the values in nta.md §3.1–3.2."""

from __future__ import annotations

import math

import pytest

from exoderm.errors import UserInputError
from exoderm.nta.physics import (
    blur_factor,
    diameter_from_diffusion,
    diffusion_from_diameter,
    water_viscosity_mpas,
)


@pytest.mark.parametrize(
    ("temperature_c", "four_d"),
    # 4D of a 1 µm sphere quoted in nta.md §4 (bulk_water): 1.71 / 1.81 / 1.96 µm²/s
    [(20.0, 1.71), (22.0, 1.81), (25.0, 1.96)],
)
def test_one_micron_sphere_matches_reference(temperature_c: float, four_d: float) -> None:
    d = diffusion_from_diameter(1000.0, temperature_c, water_viscosity_mpas(temperature_c))
    assert 4 * d == pytest.approx(four_d, abs=0.006)


@pytest.mark.parametrize(
    ("diameter", "temperature_c", "expected"),
    # nta.md §3.1 table (IAPWS/Huber viscosity)
    [(30, 20, 14.29), (100, 25, 4.91), (150, 37, 4.38), (50, 25, 9.82)],
)
def test_ev_scale_diffusion_table(diameter: float, temperature_c: float, expected: float) -> None:
    eta = water_viscosity_mpas(temperature_c)
    assert diffusion_from_diameter(diameter, temperature_c, eta) == pytest.approx(
        expected, abs=0.006
    )


def test_nanosight_viscosity_sits_015_percent_below_huber() -> None:
    # nta.md §3.2: NanoSight reports 0.952941 cP at 22.000 °C, Huber is 0.15 % above
    assert water_viscosity_mpas(22.0) / 0.952941 - 1 == pytest.approx(0.0015, abs=0.0003)


def test_size_round_trip() -> None:
    eta = water_viscosity_mpas(22.0)
    d = diffusion_from_diameter(87.0, 22.0, eta)
    assert diameter_from_diffusion(d, 22.0, eta) == pytest.approx(87.0, rel=1e-12)
    assert math.isinf(diameter_from_diffusion(0.0, 22.0, eta))


def test_viscosity_outside_validity_is_a_user_error() -> None:
    with pytest.raises(UserInputError, match="temperature"):
        water_viscosity_mpas(150.0)


def test_blur_factor() -> None:
    assert blur_factor(0.0, 0.04) == 0.0
    assert blur_factor(0.04, 0.04) == pytest.approx(1 / 6)
    # nta.md §3.7: NanoSight 30.15 ms shutter at 24.9825 fps → R = 0.126
    assert blur_factor(0.03015, 1 / 24.9825) == pytest.approx(0.126, abs=0.0005)
    with pytest.raises(UserInputError, match="exposure"):
        blur_factor(0.05, 0.04)
