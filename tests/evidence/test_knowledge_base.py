"""Name resolution, claims, paths and associations on the seeded graph."""

from __future__ import annotations

import pytest

from exoderm.errors import NotFoundError
from exoderm.evidence import EvidencePath, NodeKind, load_knowledge_base

DESIGN_NAMES = {
    "adipose MSC exosomes": "source:adipose-msc",
    "ASC": "source:adipose-msc",
    "ADSC": "source:adipose-msc",
    "adipose-derived stem cell": "source:adipose-msc",
    "asc-exosomes": "source:adipose-msc",
    "wrinkles": "concern:wrinkles",
    "pigmentation": "concern:pigmentation",
    "collagen": "effect:collagen",
    "atopic dermatitis": "concern:atopic-dermatitis",
    "AD": "concern:atopic-dermatitis",
    "eczema": "concern:atopic-dermatitis",
    "acne scars": "concern:acne-scars",
    "centella": "source:centella",
    "CICA": "source:centella",
    "ginseng": "source:ginseng",
    "rose": "source:rose",
    "grape": "source:grape",
    "lemon": "source:lemon",
    "aloe": "source:aloe",
    "dendropanax": "source:dendropanax",
    "TGF-beta": "mediator:tgf-beta",
    "tgf-β": "mediator:tgf-beta",
    "MMP-1": "mediator:mmp-1",
    "pExosomes": "source:plant",
    "ASC-CM": "source:asc-cm",
    "BMSC": "source:bone-marrow-msc",
    "MISEV2023": "guideline:misev2023",
}


@pytest.mark.parametrize(("name", "node_id"), sorted(DESIGN_NAMES.items()))
def test_resolve_names_synonyms_and_abbreviations(name: str, node_id: str) -> None:
    kb = load_knowledge_base()
    assert kb.resolve(name).id == node_id
    assert kb.resolve(name.upper()).id == node_id


def test_unknown_name_suggests_close_names() -> None:
    kb = load_knowledge_base()
    with pytest.raises(NotFoundError, match=r"did you mean.*adipose MSC exosomes"):
        kb.resolve("adipose MSC exosome")


def test_issue_node_kinds_are_all_present() -> None:
    kb = load_knowledge_base()
    for kind in NodeKind:
        assert kb.nodes(kind), kind
    for name in [
        "burn wound",
        "diabetic wound",
        "pressure ulcer",
        "fine lines",
        "scars",
        "sun damage",
        "dark circles",
        "age spots",
        "hyaluronic acid",
        "hydrogel",
        "MISEV2014",
        "MISEV2018",
        "urine-derived stem cell",
        "mast cell",
        "T cells",
        "PRP",
        "keratinocyte",
        "umbilical cord MSC exosomes",
        "ROS",
        "IL-13",
        "dihydroceramide",
        "angiogenesis",
        "T-cell activation",
        "microneedling",
    ]:
        kb.resolve(name)


def test_claims_filter_by_names() -> None:
    kb = load_knowledge_base()
    out = kb.claims(subject="ADSC", object="wrinkles")
    assert out and all(c.subject == "source:adipose-msc" for c in out)
    assert [c.score for c in out] == sorted((c.score for c in out), reverse=True)


def test_explain_adipose_to_wrinkles_has_a_fully_cited_path() -> None:
    kb = load_knowledge_base()
    paths = kb.paths("adipose MSC exosomes", "wrinkles")
    assert paths
    assert [p.score for p in paths] == sorted((p.score for p in paths), reverse=True)
    fully_cited = [
        p for p in paths if all(c.references and c.quote for s in p.steps for c in s.claims)
    ]
    assert fully_cited
    assert all(p.nodes[0].id == "source:adipose-msc" for p in paths)
    assert all(p.nodes[-1].id == "concern:wrinkles" for p in paths)
    assert all(len(set(n.id for n in p.nodes)) == len(p.nodes) for p in paths)


def test_paths_respect_max_hops_and_limit() -> None:
    kb = load_knowledge_base()
    paths = kb.paths("centella", "pigmentation", max_hops=3, limit=4)
    assert 0 < len(paths) <= 4
    assert all(len(p.steps) <= 3 for p in paths)


def test_association_is_deterministic_and_explains_every_term() -> None:
    kb = load_knowledge_base()
    first = kb.association("ADSC", "wrinkles")
    second = kb.association("adipose MSC exosomes", "concern:wrinkles")
    assert first.score == second.score > 0
    lines = first.explain()
    assert any("overall" in line for line in lines)
    assert any("lit-park2023-wrinkles" in line and "T=0.85" in line for line in lines)
    assert 0 <= first.score <= 1


def test_association_shows_conflicts_of_claims_it_uses() -> None:
    kb = load_knowledge_base()
    assoc = kb.association("ASC-CM", "MMP-1")
    assert assoc.conflicts
    assert any(c.claim.id == "wp-094" for c in assoc.conflicts)


def test_search_finds_nodes_before_claims() -> None:
    kb = load_knowledge_base()
    hits = kb.search("centella")
    assert hits[0].kind == "node" and hits[0].id == "source:centella"
    assert any(h.kind == "claim" for h in hits)
    collagen = kb.search("collag")
    assert "collag" in collagen[0].label.lower()
    assert "effect:collagen" in [h.id for h in collagen]
    assert kb.search("zzzz-no-such-word") == []


def test_path_type() -> None:
    kb = load_knowledge_base()
    (path,) = kb.paths("ADSC", "wrinkles", limit=1)
    assert isinstance(path, EvidencePath)
    assert path.hops[0].id == path.steps[0].claims[0].id


def test_effects_by_area_name_even_when_a_concern_shares_it() -> None:
    kb = load_knowledge_base()
    wound = kb.effects("wound healing")  # also a synonym of the concern "skin wounds"
    assert [i.item for i in wound][:3] == [
        "recovery of important cellular functions",
        "migration",
        "proliferation",
    ]
    assert {i.area for i in kb.effects("safety")} == {"area:safety"}
    with pytest.raises(NotFoundError, match="the areas are"):
        kb.effects("cardiology")
