"""Direction checks: signs at every dose and monotone in dose (issue 8 acceptance)."""

from __future__ import annotations

from exoderm.simulate.directions import direction_checks
from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.scenario import build_scenario


def test_all_direction_checks_pass() -> None:
    rows = direction_checks()
    assert len(rows) == 11
    assert [r["id"] for r in rows if r["result"] != "pass"] == []


def test_mmp1_goes_down_not_up() -> None:
    """The whitepaper says exosomes raise MMP-1; the literature (Hu 2019) says down."""
    sc = build_scenario(model="photoageing", dose=1e12, schedule=(0, 7, 14, 21))
    ep = predict_outcomes(sc).endpoints
    assert ep["mmp1_mean_change_pct"] < 0
    assert ep["procollagen_i_mean_change_pct"] > 0


def test_zero_dose_changes_nothing() -> None:
    sc = build_scenario(model="photoageing", dose=0.0, schedule=(0, 7))
    ep = predict_outcomes(sc).endpoints
    assert abs(ep["mmp1_mean_change_pct"]) < 1e-12
    assert abs(ep["collagen_change_pct"]) < 1e-12
