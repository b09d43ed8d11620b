"""Expected outcomes of design formulations (exoderm.simulate.expectation).

Directions follow docs/simulate.md: with exosomes MMP-1 goes down and procollagen I up
(Hu 2019 PMC7032013; Oh 2018 doi:10.3390/ijms19061715), EASI falls more than with vehicle
(Miyano 2021 arms, exoderm hypothesis hooks), wound closure is faster (Liu 2024 W1).
"""

from __future__ import annotations

import time

import pytest

from exoderm.design import Formulation, FormulationRequest, formulate
from exoderm.simulate.expectation import (
    EvSourceDose,
    expected_for_sources,
    expected_outcomes,
    models_for,
    simulator_source,
)
from exoderm.simulate.scenario import ModelName, Source


def _design(**kwargs: object) -> Formulation:
    request = FormulationRequest.model_validate(kwargs)
    return formulate(request, use_knowledge_base=False).best


@pytest.fixture(scope="module")
def adsc() -> Formulation:
    """A US cosmetic with human adipose-MSC exosomes (allowed outside the EU)."""
    return _design(targets={"wrinkles": 1}, market="US", required=["adsc-exosomes"])


def test_wrinkles_give_a_photoageing_prediction_with_mmp1_down_procollagen_up(
    adsc: Formulation,
) -> None:
    (out,) = expected_outcomes(adsc, targets=["wrinkles"])
    assert out.available and out.model == "photoageing"
    assert out.endpoints["mmp1_mean_change_pct"] is not None
    assert out.endpoints["mmp1_mean_change_pct"] < 0
    assert out.endpoints["procollagen_i_mean_change_pct"] is not None
    assert out.endpoints["procollagen_i_mean_change_pct"] > 0
    assert out.scenario is not None
    assert out.scenario["source"] == "adipose-msc"
    assert out.scenario["unit"] == "percent" and out.scenario["dose"] == pytest.approx(1.0)
    assert out.scenario["route"] == "topical"  # leave-on serum
    assert len(out.scenario["schedule"]) == 28  # daily home care
    text = " ".join(out.assumptions)
    assert "adipose-msc" in text and "ug_per_percent" in text and "schedule" in text
    assert "model prediction" in out.label


def test_atopic_dermatitis_gives_an_ad_prediction_with_easi_below_vehicle(
    adsc: Formulation,
) -> None:
    (out,) = expected_outcomes(adsc, targets=["atopic dermatitis"])
    assert out.model == "ad"
    easi, vehicle = out.endpoints["easi_change_pct"], out.endpoints["easi_change_vehicle_pct"]
    assert easi is not None and vehicle is not None
    assert easi < 0 and easi < vehicle


def test_procedure_route_beats_topical_and_scars_pick_the_wound_model(
    adsc: Formulation,
) -> None:
    topical = expected_outcomes(adsc, targets=["acne scars"])[0]
    laser = expected_outcomes(adsc, targets=["acne scars"], route="post-laser")[0]
    assert topical.model == laser.model == "wound"
    assert laser.scenario is not None and laser.scenario["schedule"] == [0.0, 7.0, 14.0, 21.0]
    day7 = "closure_difference_day7_pp"
    assert topical.endpoints[day7] is not None and laser.endpoints[day7] is not None
    assert laser.endpoints[day7] > topical.endpoints[day7] > 0


def test_default_targets_come_from_the_formulation_and_one_call_is_fast(
    adsc: Formulation,
) -> None:
    start = time.perf_counter()
    outs = expected_outcomes(adsc)
    assert time.perf_counter() - start < 1.0
    assert [o.model for o in outs] == ["photoageing"]
    assert outs[0].targets == ("wrinkles",)


def test_plant_vesicles_use_the_plant_source() -> None:
    best = _design(targets={"wrinkles": 1}, plant_only=True)
    (out,) = expected_outcomes(best)
    assert out.scenario is not None and out.scenario["source"] == "plant"
    assert any("plant" in a for a in out.assumptions)


def test_no_ev_source_no_mappable_source_or_no_modelled_target_give_reasons() -> None:
    (none,) = expected_for_sources([], targets=["wrinkles"])
    assert not none.available and "no EV source" in none.reason
    milk = EvSourceDose(key="bovine-milk-evs", name="Bovine milk EVs", percent=1.0)
    (unmapped,) = expected_for_sources([milk], targets=["wrinkles"])
    assert not unmapped.available and "no model for this source" in unmapped.reason
    assert simulator_source("prp") is None
    rose = EvSourceDose(key="rose-vesicles", name="rose", percent=1.0)
    (untargeted,) = expected_for_sources([rose], targets=["pores"])
    assert untargeted.model is None and "no model for these targets" in untargeted.reason


def test_target_mapping_and_source_mapping() -> None:
    groups = models_for(["fine lines", "Eczema", "barrier", "wound-healing", "pores"])
    assert groups == {
        ModelName.photoageing: ["fine lines"],
        ModelName.ad: ["Eczema", "barrier"],
        ModelName.wound: ["wound-healing"],
    }
    assert simulator_source("bm-msc-exosomes") is Source.bone_marrow_msc
    assert simulator_source("centella-vesicles") is Source.plant


def test_highest_concentration_source_is_simulated_and_others_named() -> None:
    low = EvSourceDose(key="rose-vesicles", name="rose", percent=0.5)
    high = EvSourceDose(key="adsc-exosomes", name="adsc", percent=1.5)
    (out,) = expected_for_sources([low, high], targets=["collagen"], schedule_days=[0, 14, 99])
    assert out.scenario is not None
    assert out.scenario["source"] == "adipose-msc" and out.scenario["schedule"] == [0.0, 14.0]
    assert any("not simulated: rose" in a for a in out.assumptions)
    assert any("not simulated)" in a for a in out.assumptions)  # day 99 dropped, and said


def test_every_endpoint_carries_its_90_percent_interval() -> None:
    found = expected_for_sources(
        [EvSourceDose(key="adsc-exosomes", name="ADSC exosomes", percent=1.0)],
        route="microneedling",
        targets=["wrinkles", "acne scars"],
    )
    assert {e.model for e in found} == {"photoageing", "wound"}
    for e in found:
        assert set(e.intervals) == set(e.endpoints)
        for key in e.headline:
            value, band = e.endpoints[key], e.intervals[key]
            assert value is not None and band.low is not None and band.high is not None
            assert band.low <= value <= band.high and band.low < band.high
        assert e.as_dict()["intervals"][e.headline[0]]["low"] == e.intervals[e.headline[0]].low
        assert "parameter uncertainty" in e.as_dict()["interval_label"]


def test_expected_template_shows_the_intervals() -> None:
    from exoderm.web.templating import templates

    found = expected_for_sources(
        [EvSourceDose(key="adsc-exosomes", name="ADSC exosomes", percent=1.0)],
        route="microneedling",
        targets=["acne scars"],
    )
    html = templates.env.get_template("simulate/_expected.html").render(
        expected=[e.as_dict() for e in found]
    )
    band = found[0].intervals["closure_difference_day14_pp"]
    assert '<th scope="col">90 % interval</th>' in html
    assert f"{band.low:.3g} – {band.high:.3g}" in html
    assert "parameter uncertainty" in html
    without = dict(found[0].as_dict(), intervals={})
    plain = templates.env.get_template("simulate/_expected.html").render(expected=[without])
    assert "90 % interval" not in plain  # an answer stored before intervals still renders
