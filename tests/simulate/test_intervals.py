"""90 % intervals over the fit's parameter uncertainty: containment, width, pairing, seed,
and what the CLI prints (the HTTP response is checked in tests/api/test_simulate.py)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from exoderm.cli.main import main
from exoderm.simulate.effective_range import effective_range
from exoderm.simulate.intervals import (
    INTERVAL_LABEL,
    Band,
    PredictionIntervals,
    fitted_draws,
    scenario_intervals,
)
from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.reads import SimulationRead
from exoderm.simulate.scenario import TreatmentScenario, build_scenario

#: The README's wound example: 1e10 particles of ADSC exosomes, injection, days 0, 7, 14.
README = {
    "model": "wound",
    "source": "adipose-msc",
    "dose": 1e10,
    "route": "injection",
    "schedule": (0, 7, 14),
    "diabetic": True,
}
SCENARIOS = {
    "wound": build_scenario(**{**README, "dose": 1e12}),
    "photoageing": build_scenario(model="photoageing", dose=1e12, schedule=(0, 7, 14, 21)),
    "ad": build_scenario(model="ad", dose=1e12, schedule=(0, 7, 14), duration_days=56),
}


def _width(band: Band) -> float:
    assert band.low is not None and band.high is not None
    return band.high - band.low


@pytest.mark.parametrize("model", sorted(SCENARIOS))
def test_interval_contains_the_point_estimate(model: str) -> None:
    scenario = SCENARIOS[model]
    out = scenario_intervals(scenario, draws=60)
    point = predict_outcomes(scenario).endpoints
    assert set(out.endpoints) == set(point)
    for name, value in point.items():
        band = out.endpoints[name]
        if math.isnan(value):
            assert band.value is None
            continue
        assert band.value == pytest.approx(value, rel=1e-6, abs=1e-6), name
        assert band.low is not None and band.high is not None, name
        tol = 1e-6 * max(1.0, abs(value))  # the stiff AD solver's tolerance
        assert band.low - tol <= value <= band.high + tol, name


def test_interval_widens_when_the_covariance_is_scaled_up() -> None:
    scenario = SCENARIOS["wound"]
    narrow = scenario_intervals(scenario, draws=80, covariance_scale=0.25)
    fit = scenario_intervals(scenario, draws=80)
    wide = scenario_intervals(scenario, draws=80, covariance_scale=4.0)
    for name in ("closure_difference_day7_pp", "closure_difference_day14_pp"):
        w = [_width(x.endpoints[name]) for x in (narrow, fit, wide)]
        assert 0.0 < w[0] < w[1] < w[2], (name, w)


def test_photoageing_interval_widens_too() -> None:
    scenario = SCENARIOS["photoageing"]
    fit = scenario_intervals(scenario, draws=80)
    wide = scenario_intervals(scenario, draws=80, covariance_scale=4.0)
    name = "mmp1_mean_change_pct"
    assert _width(wide.endpoints[name]) > _width(fit.endpoints[name]) > 0.0


def test_difference_interval_is_paired() -> None:
    """The difference band is over per-draw differences: narrower than treated - control
    bounds would give when the arms move together (photo-ageing: fitted parameters set both
    arms), and equal to the endpoint's own difference band in the wound model."""
    photo = scenario_intervals(SCENARIOS["photoageing"], draws=80)
    mmp = next(h for h in photo.headline if h.key == "mmp1_mean")
    unpaired = _width(mmp.treated) + _width(mmp.control)  # [t.low - c.high, t.high - c.low]
    assert 0.0 < _width(mmp.difference) < 0.8 * unpaired
    assert _width(mmp.control) > 0.0  # every draw has its own control row
    wound = scenario_intervals(SCENARIOS["wound"], draws=80)
    day14 = next(h for h in wound.headline if h.key == "closure_day14")
    assert day14.control.low == day14.control.high  # Φ = 0: no fitted parameter enters
    assert day14.difference == wound.endpoints["closure_difference_day14_pp"]
    assert day14.difference.low is not None and day14.difference.low > 0.0


def test_deterministic_with_a_seed() -> None:
    scenario = SCENARIOS["wound"]
    a = scenario_intervals(scenario, draws=30, seed=7)
    b = scenario_intervals(scenario, draws=30, seed=7)
    c = scenario_intervals(scenario, draws=30, seed=8)
    assert a == b
    assert a.endpoints["closure_difference_day7_pp"] != c.endpoints["closure_difference_day7_pp"]
    assert fitted_draws(4, seed=1) == fitted_draws(4, seed=1)


def test_draws_follow_the_fit_covariance() -> None:
    draws = fitted_draws(400)
    log_ec50 = np.log([d["ec50_ug"] for d in draws])
    from exoderm.simulate.calibrated import calibrated

    se = (
        calibrated()["parameters"]["ec50_ug"]["se"] / calibrated()["parameters"]["ec50_ug"]["value"]
    )
    assert np.std(log_ec50) == pytest.approx(se, rel=0.2)


def test_wound_interval_is_fast() -> None:
    import time

    start = time.perf_counter()
    scenario_intervals(build_scenario(**README))
    assert time.perf_counter() - start < 2.0 * 2  # target 2 s; room for a loaded machine


def test_read_model_types_the_intervals() -> None:
    schema = SimulationRead.model_json_schema()
    assert "intervals" in schema["properties"] and "dose_effect" in schema["properties"]
    assert "PredictionIntervals" in json.dumps(schema)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


README_ARGV = [
    "simulate",
    "wound",
    "--source",
    "adipose-msc",
    "--dose",
    "1e10",
    "--route",
    "injection",
    "--schedule",
    "0,7,14",
    "--diabetic",
]


def test_cli_wound_at_readme_dose_prints_intervals_and_range(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["--format", "csv", *README_ARGV], capsys)
    assert code == 0
    found = effective_range(TreatmentScenario.model_validate(README))
    assert not found.meaningful
    lines = {ln.split(",", 1)[0]: ln for ln in out.splitlines()}
    assert "90 % interval" in lines["closure_difference_day14_pp"]
    assert "90 %" in out and "parameter uncertainty" in out
    assert "the model predicts no meaningful difference" in out
    assert "from 10¹¹ particles per administration" in out


def test_cli_json_keeps_numbers_and_adds_intervals(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--format", "json", *README_ARGV], capsys)
    assert code == 0
    data = json.loads(out)
    value = data["closure_difference_day14_pp"]
    band = data["intervals"]["closure_difference_day14_pp"]
    assert isinstance(value, float) and band["low"] <= value <= band["high"]
    assert data["interval_label"] == INTERVAL_LABEL
    assert "no meaningful difference" in data["dose_effect"]
    assert PredictionIntervals.model_validate(
        {"draws": 200, "seed": 0, "endpoints": data["intervals"], "headline": data["headline"]}
    )


def test_every_assumed_dose_factor_has_a_prior_except_the_references() -> None:
    from exoderm.simulate.exposure import LAYER_FILE
    from exoderm.simulate.parameters import load_table

    table = load_table(LAYER_FILE)
    references = {"route_injection", "source_adipose-msc", "source_huvec"}
    for name, param in table.parameters.items():
        if name.startswith(("route_", "source_")) or name == "k_el":
            if name in references:
                assert param.prior is None, name
            else:
                assert param.prior is not None and param.prior.gsd > 1.0, name
                assert param.prior.basis.startswith("assumed"), name


def test_assumed_draws_are_lognormal_around_the_assumed_value() -> None:
    from exoderm.simulate.intervals import assumed_draws

    sc = build_scenario(model="wound", dose=1e12, route="topical", source="plant")
    d = assumed_draws(sc, 4000, seed=3)
    assert d.sampled == ("k_el", "route_topical", "source_plant")
    assert d.factor[0] == pytest.approx(0.05 * 0.3) and d.k_el[0] == pytest.approx(0.693)
    log_factor = np.log(d.factor[1:] / d.factor[0])
    # route gsd 3 and source gsd 3 combine: sd of the log is sqrt(2) ln 3
    assert abs(np.median(log_factor)) < 0.1
    assert np.std(log_factor) == pytest.approx(math.sqrt(2) * math.log(3.0), rel=0.05)
    reference = assumed_draws(build_scenario(model="wound", dose=1e12), 100, seed=3)
    assert reference.sampled == ("k_el",) and np.all(reference.factor == 1.0)


def test_the_assumed_priors_widen_the_interval_of_a_topical_regimen() -> None:
    from exoderm.simulate.intervals import AssumedDraws, _optimum, _wound, assumed_draws

    sc = build_scenario(model="wound", dose=3e13, route="topical", schedule=(0, 7, 14))
    sets = [_optimum(), *fitted_draws(60)]
    sampled = assumed_draws(sc, 60)
    held = AssumedDraws(np.full(61, sampled.factor[0]), np.full(61, sampled.k_el[0]), ())
    wide = _wound(sc, sets, sampled).endpoints["closure_difference_day14_pp"][1:]
    narrow = _wound(sc, sets, held).endpoints["closure_difference_day14_pp"][1:]
    assert _spread(wide) > 1.5 * _spread(narrow)


def _spread(x: np.ndarray) -> float:
    return float(np.percentile(x, 95) - np.percentile(x, 5))
