"""Per-track CVE diffusion coefficients with 95 % intervals (issue 17).

Coverage of the interval over many simulated tracks must lie in [0.90, 0.99] for NTA-like
tracks (10–50 positions, 25 fps, 30 ms exposure, 40 nm localisation error, 100 nm
particles in water at 22 °C, D ≈ 4.5 µm²/s).
"""

from __future__ import annotations

import numpy as np
import pytest

from exoderm.nta.physics import diffusion_from_diameter, water_viscosity_mpas
from exoderm.nta.synthetic import simulate_tracks, track_table_from_positions
from exoderm.nta.track_diffusion import COLUMNS, track_diffusion

ETA = water_viscosity_mpas(22.0)
D100 = diffusion_from_diameter(100.0, 22.0, ETA)
DT, EXPOSURE = 0.04, 0.03


@pytest.mark.parametrize("length", [10, 20, 50])
@pytest.mark.parametrize("sigma_um", [0.02, 0.06])
def test_interval_coverage(length: int, sigma_um: float) -> None:
    rng = np.random.default_rng(length + int(sigma_um * 1000))
    n = 3000  # SE of a 0.95 coverage: 0.004
    pos = simulate_tracks(rng, n, length, D100, DT, sigma_um, EXPOSURE)
    table = track_table_from_positions(pos, np.full(n, length), np.zeros(n, np.int64))
    out = track_diffusion(
        table,
        pixel_size_um=1.0,
        frame_interval_s=DT,
        blur_r=EXPOSURE / DT / 6.0,
        temperature_c=22.0,
        viscosity_mpas=ETA,
    )
    assert list(out.columns) == COLUMNS and len(out) == n
    inside = (out.D_low_um2_s <= D100) & (out.D_high_um2_s >= D100)
    assert 0.90 <= inside.mean() <= 0.99
    # the diameter interval is the Stokes–Einstein image of the D interval
    d = (out.diameter_low_nm <= 100.0) & (out.diameter_high_nm >= 100.0)
    assert (d == inside).mean() > 0.999
    # CVE is unbiased: mean D within 4 standard errors
    se = np.sqrt(out.D_var.mean() / n)
    assert abs(out.D_um2_s.mean() - D100) < 4 * se
