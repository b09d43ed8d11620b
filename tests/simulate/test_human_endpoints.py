"""Human endpoints: every bridge cited, the ECCA scaling honest about its trial."""

from __future__ import annotations

from exoderm.simulate.human_endpoints import (
    Administration,
    bridges,
    easi_change,
    ecca_change,
    trial_administrations,
    trial_difference_se,
)


def test_every_instrument_bridge_names_its_source_and_no_number_without_one() -> None:
    found = bridges()
    assert {"ecca", "gais", "lemperle", "easi", "posas", "vss"} <= set(found)
    for b in found.values():
        assert b.citation.authors and b.citation.year and b.citation.journal
        if b.kind == "none":
            assert b.reason and b.model is None and b.trial is None
        else:
            assert b.assumption and b.model
    assert found["ecca"].citation.doi == "10.2340/00015555-3666"


def test_ecca_at_the_trials_own_regimen_reproduces_its_reported_change() -> None:
    given, days = trial_administrations()
    m = ecca_change(given, days, baseline_ecca=100.0, draws=8)
    lo, med, hi = m.total_pct or (0.0, 0.0, 0.0)
    assert lo < 32.5 < hi  # the exosome side's reported reduction
    assert abs(med - 32.5) < trial_difference_se()
    a_lo, _, a_hi = m.attributable_pct
    assert a_lo < 32.5 - 19.9 < a_hi
    assert a_hi - a_lo > 1.0  # non-degenerate interval
    p_lo, _, p_hi = m.total_points or (0.0, 0.0, 0.0)
    assert p_hi < 0.0 and p_lo < p_hi  # fewer scar points


def test_a_higher_dose_gives_at_least_as_large_an_expected_change() -> None:
    given, days = trial_administrations()
    low = ecca_change([Administration(a.day, a.ug * 0.1) for a in given], days, draws=8)
    high = ecca_change([Administration(a.day, a.ug * 0.5) for a in given], days, draws=8)
    assert low.model_ratio[2] <= 1.0  # the closure effect rises with dose here
    assert high.attributable_pct[1] >= low.attributable_pct[1]
    assert high.model_ratio[1] >= low.model_ratio[1]


def test_no_laser_session_no_attributable_change_and_no_total() -> None:
    m = ecca_change([Administration(float(d), 1.0) for d in range(84)], [], draws=4)
    assert m.total_pct is None and m.attributable_pct == (0.0, 0.0, 0.0)


def test_easi_comes_from_the_ad_models_own_output_with_an_interval() -> None:
    m = easi_change([Administration(7.0 * w, 100.0) for w in range(4)], 4.0, draws=6)
    lo, _, hi = m.attributable_pct
    assert m.kind == "direct" and hi > lo
