"""An acne-scar client: the plan's expected ECCA change beside the observed ECCA."""

from __future__ import annotations

from datetime import date

from exoderm.accounts.actor import Actor
from exoderm.clients import PersonalData, parse_profile, service
from exoderm.storage import Database

GRADES = ("v_shaped", "u_shaped", "m_shaped", "superficial_elastolysis")


def _ecca(grade: int) -> dict[str, int]:
    return {k: (grade if k in GRADES else 0) for k in GRADES} | {
        "hypertrophic_recent": 0,
        "keloid_or_hypertrophic_old": 0,
    }


def test_the_expected_ecca_change_stands_beside_the_observed_one(
    sqlite_db: Database, clinician: Actor
) -> None:
    with sqlite_db.transaction() as s:
        p = service.add_client(
            s,
            clinician,
            personal=PersonalData(name="Scar Client", date_of_birth=date(1990, 1, 1)),
            profile=parse_profile(
                {"fitzpatrick": {"phototype": 2}, "concerns": [{"name": "acne scars"}]}
            ),
        ).pseudonym
        service.record_assessment(
            s, clinician, p, instrument="ecca", inputs=_ecca(2), visit_date=date(2026, 1, 5)
        )
        plan = service.create_regimen(s, clinician, p, start=date(2026, 1, 5))
        service.record_assessment(
            s, clinician, p, instrument="ecca", inputs=_ecca(1), visit_date=date(2026, 4, 6)
        )
    assert plan.sessions, "an acne-scar plan has clinic sessions"
    with sqlite_db.transaction() as s:
        shown = service.expected_vs_observed(s, clinician, p)
    [row] = [e for e in shown.instruments if e.instrument == "ecca"]
    assert row.observed_baseline == 220.0 and row.observed_latest == 110.0
    assert row.observed_change == -110.0
    lo, _, hi = row.expected.attributable_pct
    assert lo < hi  # an interval, not a point
    assert "expected ECCA" in row.text and "90 % interval" in row.text
    assert f"week {row.expected.week:g}" in row.text
    assert "Kwon" in row.expected.citation
    if row.expected.total_points is not None:
        p_lo, p_med, p_hi = row.expected.total_points
        assert p_lo < p_med < p_hi < 0.0
        assert f"{p_med:+.0f} points" in row.text
