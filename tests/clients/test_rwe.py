"""Clinics' outcomes become real-world evidence: opt-in, k >= 10 per organisation, no
identifiers, shown in explain as observational, and erasure removes a client."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent, Role
from exoderm.clients import PersonalData, parse_profile, service
from exoderm.clients.treatments import Route, TreatmentInput
from exoderm.errors import PermissionDenied, UserInputError
from exoderm.evidence import service as evidence
from exoderm.evidence.rwe import GRADE, STUDY_TYPE
from exoderm.storage import Database

ADMIN = Actor(username="admin", role=Role.admin)
ADSC_KEY = "adsc-exosomes"


def _treated(db: Database, actor: Actor, n: int, *, gain_of: int = 0) -> list[str]:
    """``n`` clients, each with a DLQI at baseline and 3 months after an ADSC course."""
    names = []
    for i in range(n):
        with db.transaction() as s:
            p = service.add_client(
                s,
                actor,
                personal=PersonalData(name=f"Client {i}", date_of_birth=date(1980, 1, 1)),
                profile=parse_profile({"concerns": [{"name": "wrinkles"}]}),
            ).pseudonym
            before = {f"q{k}": 2 for k in range(1, 11)}  # 20
            after = {f"q{k}": (1 if k <= (i + gain_of) % 10 else 2) for k in range(1, 11)}
            service.record_assessment(
                s, actor, p, instrument="dlqi", inputs=before, visit_date=date(2026, 1, 5)
            )
            service.record_treatment(
                s,
                actor,
                p,
                treatment=TreatmentInput(
                    exposure="ADSC",
                    route=Route.microneedling,
                    concern="wrinkles",
                    started_on=date(2026, 1, 12),
                ),
            )
            service.record_assessment(
                s, actor, p, instrument="dlqi", inputs=after, visit_date=date(2026, 4, 6)
            )
        names.append(p)
    return names


@pytest.fixture
def clinics(
    sqlite_db: Database, orgs: tuple[int, int], clinician: Actor, other_clinician: Actor
) -> tuple[list[str], list[str]]:
    a = _treated(sqlite_db, clinician, 30)
    b = _treated(sqlite_db, other_clinician, 6)
    with sqlite_db.transaction() as s:
        for org in orgs:
            service.set_rwe_contribution(s, ADMIN, organisation_id=org, contributes=True)
    return a, b


def _expected_gains(n: int) -> list[float]:
    return [float(i % 10) for i in range(n)]


def test_only_cells_of_k_or_more_clients_leave_an_organisation(
    sqlite_db: Database, clinics: tuple[list[str], list[str]], orgs: tuple[int, int]
) -> None:
    with sqlite_db.transaction() as s:
        (claim,) = service.build_real_world_evidence(s, ADMIN)
    assert (claim.exposure, claim.route, claim.concern, claim.instrument) == (
        "source:adipose-msc",
        "microneedling",
        "concern:wrinkles",
        "dlqi",
    )
    assert claim.n == 30 and claim.organisations == 1  # the 6 of clinic B stay home
    gains = _expected_gains(30)
    assert claim.mean_improvement == pytest.approx(sum(gains) / 30)
    assert claim.ci_low < claim.mean_improvement < claim.ci_high
    # MCID 4 points: clients whose gain is >= 4 respond (6 of every 10)
    assert claim.responders == sum(g >= 4 for g in gains) == 18
    assert claim.responder_low is not None and claim.responder_low < 0.6 < (
        claim.responder_high or 0
    )
    assert claim.follow_up_months == 3
    assert claim.study_type == STUDY_TYPE and claim.grade == GRADE
    with sqlite_db.reader() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "rwe.contribute")))
    assert [e.organisation_id for e in events] == [orgs[0]]
    assert events[0].detail is not None and events[0].detail["n"] == 30
    text = claim.model_dump_json()
    for pseudonym in clinics[0]:
        assert pseudonym not in text
    assert "2026-01" not in text and "2026-04" not in text


def test_explain_shows_the_claim_as_observational_beside_the_literature(
    sqlite_db: Database, clinics: tuple[list[str], list[str]]
) -> None:
    viewer = Actor(username="ada", role=Role.viewer, organisation_id=1)
    with sqlite_db.reader() as s:
        literature = evidence.explain(s, viewer, source="ADSC", target="wrinkles")
    assert literature.real_world == []
    with sqlite_db.transaction() as s:
        service.build_real_world_evidence(s, ADMIN)
    with sqlite_db.reader() as s:
        both = evidence.explain(s, viewer, source="ADSC", target="wrinkles")
    (rwe,) = both.real_world
    assert rwe.study_type == "observational (clinic registry)" and rwe.n == 30
    assert both.score == literature.score  # never netted with the literature
    assert "n = 30" in rwe.sentence()


def test_erasing_a_client_removes_them_from_the_next_aggregate(
    sqlite_db: Database, clinics: tuple[list[str], list[str]], clinician: Actor
) -> None:
    with sqlite_db.transaction() as s:
        service.erase_client(s, clinician, clinics[0][7])
    with sqlite_db.transaction() as s:
        (claim,) = service.build_real_world_evidence(s, ADMIN)
    assert claim.n == 29
    gains = _expected_gains(30)
    del gains[7]
    assert claim.mean_improvement == pytest.approx(sum(gains) / 29)


def test_opting_out_and_the_minimum_cell(
    sqlite_db: Database, clinics: tuple[list[str], list[str]], orgs: tuple[int, int]
) -> None:
    with sqlite_db.transaction() as s:
        assert len(service.build_real_world_evidence(s, ADMIN, min_cell=5)) == 1
        (claim,) = evidence.real_world_claims(s, ADMIN, concern="wrinkles")
    assert claim.n == 36 and claim.organisations == 2
    with sqlite_db.transaction() as s:
        service.set_rwe_contribution(s, ADMIN, organisation_id=orgs[0], contributes=False)
        service.set_rwe_contribution(s, ADMIN, organisation_id=orgs[1], contributes=False)
        assert service.build_real_world_evidence(s, ADMIN) == []
    with sqlite_db.transaction() as s, pytest.raises(UserInputError, match="identifies"):
        service.build_real_world_evidence(s, ADMIN, min_cell=1)


def test_only_admins_build_or_opt_in(
    sqlite_db: Database, clinician: Actor, orgs: tuple[int, int]
) -> None:
    with sqlite_db.transaction() as s, pytest.raises(PermissionDenied):
        service.build_real_world_evidence(s, clinician)
    with sqlite_db.transaction() as s, pytest.raises(PermissionDenied):
        service.set_rwe_contribution(s, clinician, organisation_id=orgs[0], contributes=True)


def test_design_shows_the_claims_of_the_sources_it_uses(
    sqlite_db: Database, clinics: tuple[list[str], list[str]]
) -> None:
    from exoderm.design import FormulationRequest, ProductClass
    from exoderm.design import service as design
    from exoderm.markets import Market

    with sqlite_db.transaction() as s:
        service.build_real_world_evidence(s, ADMIN)
    request = FormulationRequest(
        targets={"collagen": 1},
        market=Market.US,
        product_class=ProductClass.drug,
        required=[ADSC_KEY],
    )
    with sqlite_db.reader() as s:
        result = design.formulate(s, ADMIN, request)
    sources = {line.key for f in result.all for line in f.lines if line.kind == "ev_source"}
    assert sources
    assert ADSC_KEY in sources
    assert [c.exposure for c in result.real_world] == ["source:adipose-msc"]
    assert result.real_world[0].n == 30


def test_a_client_and_a_cohort_beside_the_registry(
    sqlite_db: Database, clinics: tuple[list[str], list[str]], clinician: Actor
) -> None:
    with sqlite_db.transaction() as s:
        before = service.expected_vs_observed(s, clinician, clinics[0][4])
        (claim,) = service.build_real_world_evidence(s, ADMIN)
        after = service.expected_vs_observed(s, clinician, clinics[0][4])
        cohort = service.cohort_expected_observed(s, clinician)
    (row,) = before.rows
    assert row.observed_improvement == 4 and row.observed_responder is True
    assert row.expected is None and row.within_expected_interval is None
    (row,) = after.rows
    assert row.expected is not None and row.expected.n == 30
    assert row.within_expected_interval is (claim.ci_low <= 4 <= claim.ci_high)
    (cell,) = cohort.rows  # clinic A only: 30 clients, 18 responders
    assert (cell.n, cell.responders) == (30, 18)
    assert cell.responder_low is not None and cell.responder_low < 0.6 < (cell.responder_high or 0)
    assert cell.expected is not None and cell.expected.responders == 18
