"""What each conflict disputes: the disputed point names the question and both sides'
answers, for the seed knowledge base's conflicts and for built claims of every kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exoderm.evidence import load_knowledge_base
from exoderm.evidence.disputes import disputed_point
from exoderm.evidence.model import Claim, Node, NodeKind, Predicate

NODES = {
    n.id: n
    for n in (
        Node("source:a", NodeKind.EV_SOURCE, "ASC exosomes"),
        Node("source:b", NodeKind.EV_SOURCE, "iPSC exosomes"),
        Node("mediator:mmp-1", NodeKind.MEDIATOR, "MMP-1"),
        Node("population:adults", NodeKind.POPULATION, "adults"),
        Node("population:children", NodeKind.POPULATION, "children"),
        Node("concern:ad", NodeKind.CONCERN, "atopic dermatitis"),
        Node("procedure:p", NodeKind.PROCEDURE, "exosome facial"),
        Node("effect:glow", NodeKind.DERMAL_EFFECT, "glow"),
        Node("effect:side-effects", NodeKind.DERMAL_EFFECT, "side effects"),
    )
}


def claim(cid: str, s: str, p: Predicate, o: str, *, negated: bool = False) -> Claim:
    return Claim(cid, s, p, o, negated=negated, location=f"source of {cid}")


def test_opposite_directions_name_the_direction_of_change() -> None:
    up = claim("c1", "source:a", Predicate.INCREASES, "mediator:mmp-1")
    down = claim("c2", "source:b", Predicate.INHIBITS, "mediator:mmp-1")
    point = disputed_point(up, down, NODES)
    assert point.aspect == "direction" and point.question == "direction of MMP-1 change"
    assert (point.claim_says, point.other_says) == ("increases", "inhibits")
    assert point.also_differs == ["subject: ASC exosomes / iPSC exosomes"]


def test_a_negated_statement_disputes_whether_it_holds() -> None:
    yes = claim("c1", "source:a", Predicate.INCREASES, "mediator:mmp-1")
    no = claim("c2", "source:a", Predicate.INCREASES, "mediator:mmp-1", negated=True)
    point = disputed_point(yes, no, NODES)
    assert point.aspect == "holds" and point.also_differs == []
    assert "source of c2 says it does not" in point.describe()


def test_a_different_population_is_named_by_its_kind() -> None:
    adults = claim("c1", "concern:ad", Predicate.HAS_PREVALENCE, "population:adults")
    children = claim("c2", "concern:ad", Predicate.HAS_PREVALENCE, "population:children")
    point = disputed_point(adults, children, NODES)
    assert point.aspect == "population"
    assert (point.claim_says, point.other_says) == ("adults", "children")


def test_an_adverse_event_against_a_benefit_is_benefit_or_harm() -> None:
    good = claim("c1", "procedure:p", Predicate.IMPROVES, "effect:glow")
    harm = claim("c2", "procedure:p", Predicate.HAS_ADVERSE_EVENT, "effect:side-effects")
    point = disputed_point(good, harm, NODES)
    assert point.aspect == "benefit or harm"
    assert point.claim_says == "improves glow" and "side effects" in point.other_says


def test_every_seed_conflict_has_one_point_per_disputing_claim() -> None:
    kb = load_knowledge_base()
    assert kb.conflicts()
    for conflict in kb.conflicts():
        assert [p.other_claim for p in conflict.points] == [d.id for d in conflict.disputed_by]
        assert conflict.claim.citation() in conflict.disputed_point
        for d in conflict.disputed_by:
            for author in d.citation().split("; "):
                assert author in conflict.disputed_point


def test_seed_mmp1_and_eczema_conflicts_say_what_is_disputed() -> None:
    kb = load_knowledge_base()
    mmp = [c for c in kb.conflicts() if c.claim.object == "mediator:mmp-1"]
    assert mmp
    for conflict in mmp:
        assert {p.aspect for p in conflict.points} == {"direction"}
        assert conflict.disputed_point.startswith(
            f"direction of MMP-1 change: {conflict.claim.citation()} says increases;"
        )
        assert conflict.disputed_point.endswith("say decreases")
    (eczema,) = [c for c in kb.conflicts() if c.claim.predicate is Predicate.HAS_PREVALENCE]
    assert {p.aspect for p in eczema.points} == {"population"}
    assert {p.other_says for p in eczema.points} == {
        kb.node(d.object).name for d in eczema.disputed_by
    }


def test_cli_conflicts_prints_the_disputed_point(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from tests.evidence.test_export_and_cli import run

    code, out, _ = run(["--format", "json", "evidence", "conflicts"], capsys, tmp_path)
    assert code == 0
    rows = json.loads(out)
    by_claim = {c.claim.id: c for c in load_knowledge_base().conflicts()}
    assert {r["claim"] for r in rows} == set(by_claim)
    for row in rows:
        assert row["disputed_point"] == by_claim[row["claim"]].disputed_point
