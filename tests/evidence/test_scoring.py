"""Open Targets harmonic-sum scoring, claim scores, and supporting vs refuting evidence."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from exoderm.evidence.knowledge_base import KnowledgeBase, scored
from exoderm.evidence.model import Claim, DataType, EvidenceLevel, Node, NodeKind, Predicate
from exoderm.evidence.scoring import (
    MAX_HARMONIC_SUM,
    ScoredItem,
    aggregate,
    claim_terms,
    harmonic_sum,
)

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


def test_open_targets_worked_example_not_the_bixverse_normalisation() -> None:
    value = harmonic_sum([1.0, 0.9, 0.8])
    assert math.isclose(value, 1.313888 / MAX_HARMONIC_SUM, rel_tol=1e-5)
    assert round(value, 3) == 0.799
    assert round(harmonic_sum([1.0]), 3) == 0.608  # bixverse would give 1.0
    assert not math.isclose(value, 0.965, abs_tol=0.01)


@given(st.lists(unit, max_size=30))
def test_harmonic_sum_is_order_free_and_bounded(scores: list[float]) -> None:
    value = harmonic_sum(scores)
    assert 0.0 <= value <= 1.0 + 1e-12
    assert math.isclose(value, harmonic_sum(list(reversed(scores))), abs_tol=1e-12)


@given(st.lists(unit, max_size=20), unit)
def test_more_evidence_never_lowers_the_score(scores: list[float], extra: float) -> None:
    assert harmonic_sum([*scores, extra]) >= harmonic_sum(scores) - 1e-12


def test_claim_terms_follow_the_design_ladder() -> None:
    rct = claim_terms(EvidenceLevel.RCT).score
    animal = claim_terms(EvidenceLevel.ANIMAL).score
    vitro = claim_terms(EvidenceLevel.IN_VITRO).score
    paper = claim_terms(EvidenceLevel.MARKETING_WHITEPAPER).score
    assert rct > animal > vitro > paper > 0
    assert math.isclose(claim_terms(EvidenceLevel.RCT, downgrades=1).score, 0.85 * 0.7)
    assert claim_terms(EvidenceLevel.RCT, upgrades=3).quality == 1.0
    assert math.isclose(claim_terms(EvidenceLevel.ANIMAL, ev_metric=40).characterisation, 0.7)


def test_aggregate_weights_data_types_and_explains_each_term() -> None:
    human = aggregate([ScoredItem("h", DataType.HUMAN, 0.85)])
    vitro = aggregate([ScoredItem("v", DataType.IN_VITRO, 0.85)])
    assert human.score > vitro.score
    lines = human.explain("x")
    assert any("human_clinical" in line and "0.8500/1" in line for line in lines)
    assert aggregate([]).score == 0


def _kb(extra: list[Claim]) -> KnowledgeBase:
    nodes = [Node("source:a", NodeKind.EV_SOURCE, "a"), Node("concern:b", NodeKind.CONCERN, "b")]
    base = Claim("c1", "source:a", Predicate.REDUCES, "concern:b", evidence_level=EvidenceLevel.RCT)
    return KnowledgeBase(nodes, [], [scored(c) for c in [base, *extra]])


def test_refuting_evidence_is_separate_and_never_netted() -> None:
    alone = _kb([]).association("a", "b")
    refuted = _kb(
        [
            Claim(
                "c2",
                "source:a",
                Predicate.REDUCES,
                "concern:b",
                negated=True,
                evidence_level=EvidenceLevel.RCT,
            )
        ]
    ).association("a", "b")
    assert refuted.score == alone.score > 0
    assert refuted.refuting_score > 0 and alone.refuting_score == 0
    assert [c.id for c in refuted.refuting] == ["c2"]
