"""Claim substantiation read from the evidence graph: cited claim ids, DOIs and PMIDs
resolved, the level reached against the level the claim needs, and the six common
criteria of Reg. (EU) 655/2013."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from exoderm.accounts.actor import local_operator
from exoderm.cli.main import main
from exoderm.cli.output import NOT_COMPLIANT_EXIT
from exoderm.design import service
from exoderm.design.claims import check_claim
from exoderm.design.claims.substantiation import CRITERIA, SubstantiationRead, substantiate
from exoderm.evidence import EvidenceLevel, KnowledgeBase, load_knowledge_base
from exoderm.evidence.service import knowledge_base
from exoderm.server import create_app
from exoderm.settings import Settings
from exoderm.storage import Database, open_database, upgrade
from exoderm.storage.scratch import scratch_database
from tests.api.conftest import World, populate

WRINKLES = "visibly reduces the appearance of wrinkles"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    with scratch_database().reader() as s:
        return knowledge_base(s, local_operator())


def _first(kb: KnowledgeBase, level: EvidenceLevel, predicate: str = "") -> str:
    """The id of a graph claim of this design (and predicate), read from the graph."""
    return next(
        c.id
        for c in sorted(kb.all_claims(), key=lambda c: c.id)
        if c.evidence_level is level
        and (not predicate or c.predicate.value == predicate)
        and not c.negated
    )


def _criteria(check: SubstantiationRead) -> dict[str, tuple[str, str]]:
    return {row.criterion: (row.status, row.why) for row in check.criteria}


def test_a_controlled_human_study_meets_the_appearance_level(kb: KnowledgeBase) -> None:
    rct = next(
        c.id
        for c in kb.all_claims()
        if c.evidence_level is EvidenceLevel.RCT and c.object == "concern:wrinkles"
    )
    verdict = check_claim(WRINKLES, "EU", "cosmetic", cites=[rct], graph=kb)
    check = verdict.substantiation_check
    assert check is not None
    item = check.items[0]
    assert item.found and item.kind == "claim" and item.claims[0].human
    assert item.claims[0].design == "rct" and item.claims[0].quote and item.claims[0].location
    assert check.required_level == "controlled_human" and check.best_level == "rct"
    assert check.meets and check.controlled_human_studies == 1
    assert verdict.accepted and verdict.evidence_source == "graph"
    assert verdict.evidence_level == "rct"
    status, why = _criteria(check)["evidential support"]
    assert status == "met" and "1 controlled human study" in why


def test_in_vitro_evidence_does_not_substantiate_an_efficacy_claim(kb: KnowledgeBase) -> None:
    in_vitro = _first(kb, EvidenceLevel.IN_VITRO, "increases")
    verdict = check_claim(WRINKLES, "EU", "cosmetic", cites=[in_vitro], graph=kb)
    check = verdict.substantiation_check
    assert check is not None and not check.meets and check.best_level == "in_vitro"
    assert check.items[0].claims[0].human is False
    assert check.items[0].claims[0].data_type == "in_vitro"
    status, why = _criteria(check)["evidential support"]
    assert status == "not_met" and "only in vitro evidence" in why and "controlled_human" in why
    assert _criteria(check)["honesty"][0] == "not_met"
    assert not verdict.accepted and verdict.rule_id == "substantiation"
    assert "resolved from the evidence graph" in verdict.reason


def test_graph_level_wins_over_an_asserted_level(kb: KnowledgeBase) -> None:
    in_vitro = _first(kb, EvidenceLevel.IN_VITRO, "increases")
    asserted = check_claim(WRINKLES, "EU", "cosmetic", evidence_level="rct")
    assert asserted.accepted and asserted.evidence_source == "asserted"
    assert asserted.substantiation_check is None
    resolved = check_claim(
        WRINKLES, "EU", "cosmetic", evidence_level="rct", cites=[in_vitro], graph=kb
    )
    assert not resolved.accepted and resolved.evidence_level == "in_vitro"


def test_unknown_doi_and_id_are_findings_not_errors(kb: KnowledgeBase) -> None:
    check = substantiate(WRINKLES, "EU", ["doi:10.9999/not.in.graph", "no-such-claim"], kb)
    assert [i.found for i in check.items] == [False, False]
    assert all("not found in the evidence graph" in i.finding for i in check.items)
    assert check.found == 0 and check.best_level == "none" and not check.meets
    # nothing found: the asserted level stays in force
    verdict = check_claim(
        WRINKLES, "EU", "cosmetic", evidence_level="rct", cites=["doi:10.9999/x"], graph=kb
    )
    assert verdict.accepted and verdict.evidence_source == "asserted"


def test_a_doi_resolves_to_the_claims_citing_it(kb: KnowledgeBase) -> None:
    ref = next(
        r
        for r in kb.references()
        if r.doi and any(c.evidence_level is EvidenceLevel.RCT for c in kb.cited_by(r.id))
    )
    check = substantiate(WRINKLES, "EU", [f"doi:{ref.doi.upper()}"], kb)
    item = check.items[0]
    assert item.found and item.kind == "doi" and item.reference
    assert {c.id for c in item.claims} == {c.id for c in kb.cited_by(ref.id)}


def test_the_six_criteria_are_present_in_order(kb: KnowledgeBase) -> None:
    check = substantiate("treats eczema", "EU", [_first(kb, EvidenceLevel.RCT)], kb)
    assert [row.criterion for row in check.criteria] == list(CRITERIA)
    assert len(CRITERIA) == 6
    assert {row.status for row in check.criteria} <= {"met", "not_assessed", "not_met"}
    verdict = check_claim("treats eczema", "EU", "cosmetic", cites=["lit-park2023-wrinkles"])
    assert verdict.substantiation_check is not None
    legal = _criteria(verdict.substantiation_check)["legal compliance"]
    assert legal[0] == "not_met" and "disease-treatment" in legal[1]
    assert not verdict.accepted and verdict.rule_id == "disease-treatment"


def test_non_benefit_statements_do_not_count(kb: KnowledgeBase) -> None:
    route = next(
        c.id
        for c in kb.all_claims()
        if c.evidence_level is EvidenceLevel.RCT and c.predicate.value == "used_in"
    )
    check = substantiate(WRINKLES, "EU", [route], kb)
    assert check.items[0].found and not check.items[0].claims[0].counts
    assert check.best_level == "none" and not check.meets


def test_service_reads_the_graph_through_the_session() -> None:
    with scratch_database().reader() as s:
        verdict = service.check_claim(
            s, local_operator(), WRINKLES, market="UK", cites=["lit-park2023-wrinkles"]
        )
        label = service.check_label(
            s, local_operator(), "Feels soft. Heals eczema.", markets=["EU"], cites=["cho2021"]
        )
    assert verdict.substantiation_check is not None and verdict.substantiation_check.meets
    checks = [v.substantiation_check for s in label.sentences for v in s.verdicts]
    assert all(c is not None and c.items[0].kind == "reference" for c in checks)


def test_cli_cite_prints_the_checklist(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--format", "json", "design", "claims", "check", WRINKLES, "--market", "EU"]
    code = main([*argv, "--cite", "lit-park2023-wrinkles", "--cite", "doi:10.9999/none"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["evidence_source"] == "graph"
    assert [k for k in data if k.startswith("criterion: ")] == [f"criterion: {c}" for c in CRITERIA]
    assert data["criterion: evidential support"].startswith("met:")
    assert "not found in the evidence graph" in data["cite doi:10.9999/none"]
    kb = load_knowledge_base()
    code = main([*argv, "--cite", _first(kb, EvidenceLevel.IN_VITRO, "increases")])
    data = json.loads(capsys.readouterr().out)
    assert code == NOT_COMPLIANT_EXIT and data["criterion: evidential support"].startswith(
        "not met:"
    )


def test_label_report_html_shows_the_checklist() -> None:
    with scratch_database().reader() as s:
        dossier = service.label_report(
            s, local_operator(), WRINKLES, markets=["EU"], cites=["lit-park2023-wrinkles"]
        )
    page = service.render_label_report(dossier, "html").decode()
    assert "common criteria" in page and all(c in page for c in CRITERIA)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    path = tmp_path_factory.mktemp("api")
    db: Database = open_database(f"sqlite:///{path / 'exoderm.db'}")
    upgrade(db)
    tokens, org_ids, user_ids = populate(db)
    app = create_app(Settings(data_dir=path / "data"), db)
    yield World(app, db, tokens, org_ids, user_ids)
    app.state.context.jobs.shutdown()
    db.dispose()


def test_api_accepts_cites(api: World) -> None:
    client = api.client("viewer")
    body = {"text": WRINKLES, "market": "EU", "cites": ["lit-park2023-wrinkles", "pmid:1"]}
    r = client.post("/api/v1/design/claims/check", json=body)
    assert r.status_code == 200, r.text
    verdict = r.json()
    check = verdict["substantiation_check"]
    assert verdict["evidence_source"] == "graph" and check["meets"] is True
    assert [row["criterion"] for row in check["criteria"]] == list(CRITERIA)
    assert check["items"][1]["found"] is False and "PMID 1" in check["items"][1]["finding"]
    label = client.post(
        "/api/v1/design/claims/label",
        json={"text": WRINKLES, "markets": ["EU"], "cites": ["lit-park2023-wrinkles"]},
    )
    assert label.status_code == 200
    assert label.json()["sentences"][0]["verdicts"][0]["substantiation_check"]["meets"]
    plain = client.post("/api/v1/design/claims/check", json={"text": WRINKLES}).json()
    assert plain["substantiation_check"] is None and plain["accepted"] is True
