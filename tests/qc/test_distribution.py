"""Properties of the binned-distribution statistics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from exoderm.qc.distribution import number_stats
from exoderm.qc.measurement import SizeBin

weights = st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=60).filter(
    lambda w: sum(w) > 0
)


def _bins(ws: list[float], width: float = 10.0) -> list[SizeBin]:
    return [
        SizeBin(
            centre_nm=width * (i + 0.5),
            lower_nm=width * i,
            upper_nm=width * (i + 1),
            concentration_per_ml=w,
        )
        for i, w in enumerate(ws)
    ]


@settings(max_examples=60, deadline=None)
@given(weights)
def test_statistics_are_ordered_and_bounded(ws: list[float]) -> None:
    s = number_stats(_bins(ws))
    top = 10.0 * len(ws)
    assert 0 <= s.d10_nm <= s.d50_nm <= s.d90_nm <= top
    assert 0 < s.mean_nm < top and s.sd_nm >= 0
    assert 0 <= s.fraction_30_150 <= 1 + 1e-12 and 0 <= s.fraction_below_200 <= 1 + 1e-12
    assert s.total == pytest.approx(sum(ws))


def test_uniform_bins_have_known_percentiles() -> None:
    s = number_stats(_bins([1.0] * 20))  # uniform on 0–200 nm
    assert (s.d10_nm, s.d50_nm, s.d90_nm) == pytest.approx((20, 100, 180))
    assert s.fraction_below_200 == pytest.approx(1.0)
    assert s.fraction_30_150 == pytest.approx(0.6)
    assert s.span == pytest.approx((180 - 20) / 100)
    assert s.sd_nm == pytest.approx(((sum((10 * i + 5 - 100) ** 2 for i in range(20))) / 20) ** 0.5)


def test_edges_are_inferred_from_centres() -> None:
    s = number_stats([SizeBin(centre_nm=c, count=1) for c in (10, 20, 30, 40)])
    assert s.d50_nm == pytest.approx(25)
    with pytest.raises(ValueError):
        number_stats([SizeBin(centre_nm=1, count=0)])
