"""Doses in every unit, each conversion shown and challengeable, in every face."""

from __future__ import annotations

import json

import pytest

from exoderm.cli.main import main
from exoderm.simulate.dose_equivalents import dose_equivalents
from exoderm.simulate.outcomes import predict_outcomes
from exoderm.simulate.scenario import build_scenario


def test_one_dose_in_particles_ug_and_percent() -> None:
    d = dose_equivalents(build_scenario(model="wound", dose=2.0, unit="percent", route="topical"))
    assert d.percent_w_w == pytest.approx(2.0)
    assert d.ug_protein == pytest.approx(20.0)  # 10 µg per application per 1 % (assumed)
    assert d.particles == pytest.approx(20.0 * 3e10)  # Webber & Clayton high-purity ratio
    assert d.delivered_ug == pytest.approx(20.0 * 0.05)  # F_route topical (assumed)
    names = [c.name for c in d.conversions]
    assert names[0] == "particles per µg protein" and names[2] == "F_route (topical)"
    topical = d.conversions[2]
    assert topical.source == "ASSUMPTION" and topical.prior_gsd == 3.0
    assert "Webber" in d.conversions[0].rests_on


def test_a_measured_particle_ratio_replaces_the_assumed_one_and_moves_the_prediction() -> None:
    base = build_scenario(model="wound", dose=1e12, schedule=(0, 7, 14), diabetic=True)
    # a less pure preparation: fewer particles per µg means more protein per particle dose
    impure = base.model_copy(update={"particles_per_ug": 3e9})
    assert dose_equivalents(impure).ug_protein == pytest.approx(
        10 * dose_equivalents(base).ug_protein
    )
    assert dose_equivalents(impure).conversions[0].given_by_user
    more = predict_outcomes(impure).endpoints["closure_difference_day14_pp"]
    less = predict_outcomes(base).endpoints["closure_difference_day14_pp"]
    assert more > less


def test_the_cli_prints_the_dose_and_its_conversions(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        ["--format", "json", "simulate", "wound", "--dose", "1e12", "--schedule", "0,7",
         "--particles-per-ug", "1e10"]
    )  # fmt: skip
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["dose"]["ug_protein"] == pytest.approx(100.0)
    assert out["dose"]["conversions"][0]["source"] == "USER"
