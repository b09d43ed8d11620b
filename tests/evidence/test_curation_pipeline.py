"""The curation pipeline: PubMed XML → candidates → a decision per candidate → claims."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.accounts.records import Role
from exoderm.cli.main import main
from exoderm.errors import ConflictError, NotFoundError, PermissionDenied, UserInputError
from exoderm.evidence import service as evidence
from exoderm.evidence.loading import load_knowledge_base
from exoderm.evidence.model import Predicate
from exoderm.evidence.proposer import Lexicon, propose, split_sentences, study_type
from exoderm.evidence.pubmed import parse_pubmed_xml, read_pubmed
from exoderm.evidence.records import CurationDecision
from exoderm.evidence.review import CandidateEdits, Decision
from exoderm.storage.scratch import scratch_database
from tests.api.conftest import World, world, world_template
from tests.web.logins import csrf_of, login

DATA = Path(__file__).parent / "data"
EXPORT = DATA / "pubmed_synthetic.xml"
SAM = Actor("sam", Role.scientist)
__all__ = ["world", "world_template"]


def _labels() -> dict[str, dict[str, str]]:
    with (DATA / "pubmed_labels.csv").open(newline="") as f:
        return {row["key"]: row for row in csv.DictReader(f)}


def test_the_export_round_trips_into_claims_with_a_decision_per_candidate() -> None:
    db = scratch_database()
    labels = _labels()
    with db.transaction() as s:
        batch = evidence.import_pubmed(s, SAM, path=EXPORT)
        assert batch.records >= 50
        queue = evidence.review_queue(s, SAM, batch_id=batch.batch_id).items
        assert len(queue) == batch.candidates >= 100
        for c in queue:
            decision = Decision.ACCEPT if labels[c.key]["correct"] == "yes" else Decision.REJECT
            evidence.review_candidate(s, SAM, candidate_id=c.id, decision=decision, note="label")
        decided = evidence.review_queue(s, SAM, batch_id=batch.batch_id, status=None).items
        assert evidence.review_queue(s, SAM, batch_id=batch.batch_id).total == 0
        kb = evidence.knowledge_base(s, SAM)
        accepted = [c for c in decided if c.status == "accepted"]
        rejected = [c for c in decided if c.status == "rejected"]
        assert accepted and rejected and len(accepted) + len(rejected) == len(decided)
        for c in accepted:
            claim = kb.claim(c.claim_id or "")
            assert claim.quote == c.quote and claim.location == c.locator
            assert claim.location.startswith(f"PMID:{c.pmid}, abstract")
            assert [r.id for r in claim.references] == [f"pmid{c.pmid}"]
            assert claim.references[0].doi == f"10.5555/exoderm.synthetic.{c.pmid}"
            assert (claim.subject, claim.predicate.value, claim.object) == (
                c.subject,
                c.predicate,
                c.object,
            )
        for c in rejected:
            assert c.claim_id is None
            with pytest.raises(NotFoundError):
                kb.claim(f"cur-{c.key}")
        for c in decided:
            events = events_for(s, "evidence_curation_candidate", c.id)
            assert [e.action for e in events] == ["evidence.curation_decision"]
        decisions = s.scalars(select(CurationDecision)).all()
        assert len(decisions) == len(decided)


def test_an_edit_changes_the_claim_and_a_second_decision_is_refused() -> None:
    db = scratch_database()
    with db.transaction() as s:
        evidence.import_pubmed(s, SAM, path=EXPORT)
        target = next(c for c in evidence.review_queue(s, SAM).items if c.key == "90000015-5-1")
        edits = CandidateEdits(object="acne scars", predicate=Predicate.IMPROVES)
        done = evidence.review_candidate(
            s, SAM, candidate_id=target.id, decision=Decision.EDIT, edits=edits, note="object"
        )
        claim = evidence.knowledge_base(s, SAM).claim(done.claim_id or "")
        assert (claim.object, claim.predicate) == ("concern:acne-scars", Predicate.IMPROVES)
        assert done.status == "edited"
        with pytest.raises(ConflictError):
            evidence.review_candidate(s, SAM, candidate_id=target.id, decision=Decision.REJECT)


def test_viewers_may_not_curate() -> None:
    with scratch_database().transaction() as s, pytest.raises(PermissionDenied):
        evidence.import_pubmed(s, Actor("ada", Role.viewer, organisation_id=1), path=EXPORT)


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (
            b'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet [<!ENTITY x "boom">]>'
            b"<PubmedArticleSet>&x;</PubmedArticleSet>",
            "entity declarations are not accepted",
        ),
        (EXPORT.read_bytes()[:5000], "malformed or truncated XML"),
        (
            b"<PubmedArticleSet><PubmedArticle><MedlineCitation><Article>"
            b"<ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
            b"</PubmedArticleSet>",
            "record 1: PMID missing",
        ),
    ],
)
def test_malformed_exports_give_a_clear_error(data: bytes, needle: str) -> None:
    with pytest.raises(UserInputError) as err:
        parse_pubmed_xml(data, source="export.xml")
    assert needle in str(err.value) and "export.xml" in str(err.value)


def test_the_missing_pmid_error_names_the_field() -> None:
    with pytest.raises(UserInputError) as err:
        parse_pubmed_xml(
            b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>"
            b"<ArticleTitle>T</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
            b"<PubmedArticle><MedlineCitation><PMID/></MedlineCitation></PubmedArticle>"
            b"</PubmedArticleSet>",
            source="x.xml",
        )
    assert err.value.problem.location.field == "MedlineCitation/PMID"
    assert "record 2" in str(err.value)


def test_a_genuine_export_header_is_accepted_and_fields_are_read() -> None:
    records = read_pubmed(EXPORT)
    first = records[0]
    assert EXPORT.read_text().count("<!DOCTYPE PubmedArticleSet PUBLIC") == 1
    assert first.pmid == "90000001" and first.doi == "10.5555/exoderm.synthetic.90000001"
    assert [s.label for s in first.abstract] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert first.authors and first.year and first.pages and first.mesh_headings


def test_sentences_keep_abbreviations_and_decimals_together() -> None:
    text = "Lee et al. saw 0.5 mg vs. 1.0 mg (Fig. 2). hESC exosomes acted after 24 h. Done."
    assert split_sentences(text) == [
        "Lee et al. saw 0.5 mg vs. 1.0 mg (Fig. 2).",
        "hESC exosomes acted after 24 h.",
        "Done.",
    ]


def test_precision_on_the_labelled_sample() -> None:
    labels = _labels()
    lexicon = Lexicon(load_knowledge_base(None))
    proposed = {c.key: c for r in read_pubmed(EXPORT) for c in propose(r, lexicon)}
    # every candidate is labelled, and every label still names what the proposer says
    assert set(proposed) == set(labels)
    for key, c in proposed.items():
        row = labels[key]
        assert (row["subject"], row["predicate"], row["object"]) == (
            c.subject,
            c.predicate.value,
            c.object,
        )
        assert (row["negated"] == "yes") == c.negated
    out = {}
    for split in ("development", "held_out", None):
        rows = [r for r in labels.values() if split is None or r["split"] == split]
        out[split or "all"] = sum(r["correct"] == "yes" for r in rows) / len(rows)
    print(f"proposer precision: {out}")
    assert len(labels) >= 100
    assert out["held_out"] >= 0.85 and out["all"] >= 0.85


def test_cli_curate_import_queue_accept_reject_edit(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--format", "json", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("evidence", "curate", "import", str(EXPORT))
    assert code == 0, err
    assert json.loads(out)["records"] == len(read_pubmed(EXPORT))
    code, out, _ = run("evidence", "curate", "queue")
    queue = json.loads(out)
    first, second, third = queue[0]["id"], queue[1]["id"], queue[2]["id"]
    assert run("evidence", "curate", "accept", str(first))[0] == 0
    code, out, _ = run("evidence", "curate", "reject", str(second), "--note", "wrong object")
    assert code == 0 and json.loads(out)["status"] == "rejected"
    code, out, err = run("evidence", "curate", "edit", str(third), "--object", "wrinkles")
    assert code == 0, err
    assert json.loads(out)["object"] == queue[2]["object"] and json.loads(out)["claim_id"]
    code, out, _ = run("evidence", "curate", "queue", "--status", "all")
    statuses = [c["status"] for c in json.loads(out)[:3]]
    assert statuses == ["accepted", "rejected", "edited"]
    code, _, err = run("evidence", "curate", "accept", str(first))
    assert code == 4 and "already accepted" in err


def test_web_review_queue_imports_accepts_and_rejects(world: World) -> None:
    client = login(world.client(), "sci")
    page = client.get("/evidence/curation")
    assert page.status_code == 200
    csrf = csrf_of(page.text)
    done = client.post(
        "/evidence/curation/imports",
        data={"csrf_token": csrf},
        files={"file": ("pubmed.xml", EXPORT.read_bytes(), "application/xml")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    queue = client.get(done.headers["location"])
    ids = [int(m) for m in re.findall(r'id="candidate-(\d+)"', queue.text)]
    assert len(ids) == 50 and "PMID:90000001, abstract (RESULTS) sentence 3" in queue.text
    for candidate_id, decision in zip(ids[:2], ("accept", "reject"), strict=True):
        r = client.post(
            f"/evidence/curation/candidates/{candidate_id}",
            data={"csrf_token": csrf, "decision": decision, "note": "web"},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    shown = client.get("/evidence/curation", params={"status": "all"}).text
    assert 'accepted: <a href="/evidence/claims/cur-' in shown and "<p>rejected</p>" in shown
    viewer = login(world.client(), "viewer")
    assert viewer.get("/evidence/curation", follow_redirects=False).status_code in (302, 303, 403)


def test_api_upload_queue_and_decision(world: World) -> None:
    sci = world.client("sci")
    r = sci.post(
        "/api/v1/evidence/curation/imports",
        files={"file": ("pubmed.xml", EXPORT.read_bytes(), "application/xml")},
    )
    assert r.status_code == 201, r.text
    batch = r.json()
    queue = sci.get(
        "/api/v1/evidence/curation/candidates", params={"batch_id": batch["batch_id"]}
    ).json()
    assert queue["total"] == batch["candidates"]
    first = queue["items"][0]
    body = {"decision": "edit", "edits": {"predicate": "decreases"}, "note": "direction"}
    done = sci.post(f"/api/v1/evidence/curation/candidates/{first['id']}/decision", json=body)
    assert done.status_code == 200 and done.json()["status"] == "edited"
    claim = sci.get(f"/api/v1/evidence/claims/{done.json()['claim_id']}").json()
    assert claim["predicate"] == "decreases"
    again = sci.post(f"/api/v1/evidence/curation/candidates/{first['id']}/decision", json=body)
    assert again.status_code == 409
    bad = sci.post(
        "/api/v1/evidence/curation/imports",
        files={"file": ("x.xml", b"<PubmedArticleSet><PubmedArticle>", "application/xml")},
    )
    assert bad.status_code == 422 and "truncated" in bad.text
    viewer = world.client("viewer")
    assert viewer.get("/api/v1/evidence/curation/candidates").status_code == 403


def test_hedging_negation_and_study_types_are_detected() -> None:
    records = {r.pmid: r for r in read_pubmed(EXPORT)}
    lexicon = Lexicon(load_knowledge_base(None))
    levels = {pmid: study_type(r).value for pmid, r in records.items()}
    assert levels["90000004"] == "rct" and levels["90000011"] == "systematic_review_meta_analysis"
    assert levels["90000010"] == "narrative_review" and levels["90000002"] == "animal"
    assert levels["90000001"] == "in_vitro" and levels["90000030"] == "case_series"
    assert levels["90000019"] == "ex_vivo" and levels["90000009"] == "non_randomised_clinical"
    by_key = {c.key: c for r in records.values() for c in propose(r, lexicon)}
    assert by_key["90000035-5-1"].hedged and by_key["90000035-5-1"].confidence < 0.9
    assert not by_key["90000035-2-1"].hedged and not by_key["90000035-2-1"].negated
    assert by_key["90000035-3-1"].negated and by_key["90000042-2-1"].negated
    assert by_key["90000001-3-1"].locator == "PMID:90000001, abstract (RESULTS) sentence 3"
    with scratch_database().reader() as s, pytest.raises(UserInputError):
        evidence.review_queue(s, SAM, status="maybe")
