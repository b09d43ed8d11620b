"""Outcomes: change from baseline, percent improvement, responders by published MCID."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from exoderm.accounts.actor import Actor
from exoderm.clients import client_outcomes, plot_outcomes, record_assessment
from exoderm.storage import Database

from .conftest import AddClient

REGIONS = ("head_neck", "upper_limbs", "trunk", "lower_limbs")
SIGNS = ("erythema", "induration", "excoriation", "lichenification")


def easi(sign: float, area: int) -> dict[str, float]:
    out = {f"{r}.{s}": sign for r in REGIONS for s in SIGNS}
    out |= {f"{r}.area": area for r in REGIONS}
    return {**out, "age_years": 30}


def dlqi(total: int) -> dict[str, int]:
    answers = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    return {f"q{i + 1}": a for i, a in enumerate(answers + [0] * (10 - len(answers)))}


def test_easi_and_dlqi_responders(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    p = new_client(concerns=[{"name": "atopic dermatitis"}]).pseudonym
    with sqlite_db.transaction() as s:
        # EASI 4 signs × 2 = 8 per region; area 3; Σ multipliers 1.0 → 24
        record_assessment(s, clinician, p, "easi", easi(2, 3), visit_date=date(2026, 1, 5))
        record_assessment(
            s, clinician, p, "easi", easi(1, 3), visit_date=date(2026, 3, 2)
        )  # 12: −50 %
        record_assessment(s, clinician, p, "easi", easi(1, 1), visit_date=date(2026, 5, 4))  # 4
        record_assessment(s, clinician, p, "dlqi", dlqi(14), visit_date=date(2026, 1, 5))
        record_assessment(s, clinician, p, "dlqi", dlqi(11), visit_date=date(2026, 3, 2))
        record_assessment(s, clinician, p, "dlqi", dlqi(10), visit_date=date(2026, 5, 4))
        report = client_outcomes(s, clinician, p)
    e = [pt for pt in report.points if pt.instrument == "easi"]
    assert [pt.value for pt in e] == pytest.approx([24, 12, 4])
    assert e[1].change == pytest.approx(-12) and e[1].percent_improvement == pytest.approx(50)
    assert e[1].responders["EASI-50"] is True and e[1].responders["EASI-75"] is False
    assert e[2].responders["EASI-75"] is True
    assert "unverified" in e[2].note  # the absolute MCID 6.6 is marked [U]
    d = [pt for pt in report.points if pt.instrument == "dlqi"]
    assert d[1].responders == {"MCID 4": False}  # 3 points
    assert d[2].responders == {"MCID 4": True}  # 4 points: the MCID itself


def test_higher_is_better_devices_and_sites(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    p = new_client().pseudonym
    with sqlite_db.transaction() as s:
        record_assessment(
            s,
            clinician,
            p,
            "corneometer",
            {"value": 30, "site": "left cheek"},
            visit_date=date(2026, 1, 1),
        )
        record_assessment(
            s,
            clinician,
            p,
            "corneometer",
            {"value": 80, "site": "forearm"},
            visit_date=date(2026, 1, 1),
        )
        record_assessment(
            s,
            clinician,
            p,
            "corneometer",
            {"value": 45, "site": "left cheek"},
            visit_date=date(2026, 2, 1),
        )
        report = client_outcomes(s, clinician, p)
    cheek = [pt for pt in report.points if pt.series == "corneometer@left cheek"]
    assert cheek[-1].baseline == 30 and cheek[-1].percent_improvement == pytest.approx(50)
    assert cheek[-1].note == "no published MCID for this instrument"
    arm = [pt for pt in report.points if pt.series == "corneometer@forearm"]
    assert len(arm) == 1 and arm[0].change == 0


def test_viga_success_needs_clear_or_almost_clear_and_two_grades(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    p = new_client().pseudonym
    with sqlite_db.transaction() as s:
        for day, grade in ((1, 3), (2, 2), (3, 1)):
            record_assessment(
                s, clinician, p, "viga_ad", {"grade": grade}, visit_date=date(2026, day, 1)
            )
        report = client_outcomes(s, clinician, p)
    flags = [next(iter(pt.responders.values())) for pt in report.points]
    assert flags == [False, False, True]


def test_future_visit_is_rejected(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    from exoderm.errors import UserInputError

    p = new_client().pseudonym
    with pytest.raises(UserInputError, match="future"), sqlite_db.transaction() as s:
        record_assessment(s, clinician, p, "dlqi", dlqi(3), visit_date=date(2999, 1, 1))


def test_plot_is_written(
    sqlite_db: Database, new_client: AddClient, clinician: Actor, tmp_path: Path
) -> None:
    p = new_client().pseudonym
    with sqlite_db.transaction() as s:
        record_assessment(s, clinician, p, "dlqi", dlqi(12), visit_date=date(2026, 1, 1))
        record_assessment(s, clinician, p, "dlqi", dlqi(6), visit_date=date(2026, 3, 1))
        report = client_outcomes(s, clinician, p)
    out = plot_outcomes(report, tmp_path / "o.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert out.stat().st_size > 5000
