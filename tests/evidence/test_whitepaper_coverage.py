"""The seeded graph covers the whitepaper completely and exactly (checked against the text)."""

from __future__ import annotations

from exoderm.evidence import NodeKind, Predicate, load_knowledge_base
from exoderm.evidence.doi import is_valid_doi
from exoderm.evidence.seed import load_seed
from tests.evidence import whitepaper_text as wp
from tests.shared import needs

pytestmark = needs(wp.SEED)


def test_all_37_references_with_valid_dois_match_the_reference_list() -> None:
    kb = load_knowledge_base()
    ours = [r for r in kb.references() if r.in_whitepaper]
    printed = wp.reference_dois()
    assert len(printed) == 37
    assert len(ours) == 37
    assert all(r.doi is not None and is_valid_doi(r.doi) for r in ours)
    assert sorted(r.doi or "" for r in ours) == sorted(printed)


def test_hyphenation_repaired_dois_are_recorded() -> None:
    kb = load_knowledge_base()
    repaired = {r.id: (r.doi, r.doi_as_printed) for r in kb.references() if r.doi_as_printed}
    assert repaired["benecke2021"] == ("10.3390/ijms22073600", "10.3390/i-jms22073600")
    assert repaired["choragudi2023"][0] == "10.1001/jamadermatol.2022.6647"


def test_every_abbreviation_of_the_whitepaper_is_in_the_glossary() -> None:
    kb = load_knowledge_base()
    labels = wp.abbreviation_labels()
    assert len(labels) == 16
    ours = {g.abbreviation for g in kb.glossary if g.in_whitepaper}
    assert ours == set(labels)
    assert all(g.expansion for g in kb.glossary)


def test_every_dermal_effect_item_is_a_node_linked_to_its_area() -> None:
    kb = load_knowledge_base()
    blocks = wp.dermal_effect_blocks()
    areas = kb.nodes(NodeKind.AREA)
    assert len(blocks) == 8 and len(areas) == 8
    by_area: dict[str, list[str]] = {}
    for item in kb.effects():
        by_area.setdefault(item.area, []).append(item.item)
    ordered = sorted(by_area, key=lambda a: [i.area for i in kb.effects()].index(a))
    for area_id, printed in zip(ordered, blocks, strict=True):
        assert by_area[area_id] == printed, area_id
    for item in kb.effects():
        node = kb.node(item.node)
        assert node.kind is NodeKind.DERMAL_EFFECT
        links = kb.claims(subject=node.id, predicate="part_of", object=item.area)
        assert links, f"{item.item} not linked to {item.area}"


def test_every_whitepaper_dermal_effect_is_reachable_from_an_ev_source() -> None:
    """The whitepaper's effects; effects the literature adds (epidermal thickness under
    retinoids) need not be EV effects."""
    kb = load_knowledge_base()
    reached: set[str] = set()
    for source in kb.nodes(NodeKind.EV_SOURCE):
        reached |= kb.reachable(source.id)
    printed = {item.node for item in load_seed().effect_items}
    assert len(printed) == 49
    assert sorted(printed - reached) == []


def test_whitepaper_quotes_are_verbatim() -> None:
    kb = load_knowledge_base()
    text = wp.flat_text()
    checked = 0
    for claim in kb.all_claims():
        if not claim.id.startswith("wp-") or not claim.quote:
            continue
        for part in claim.quote.split(" … "):
            assert wp.flat(part) in text, (claim.id, part)
        checked += 1
    assert checked > 150


def test_figure_captions_are_verbatim_and_cited() -> None:
    kb = load_knowledge_base()
    text = wp.flat_text()
    assert [f.number for f in kb.figures] == [2, 3, 4, 5, 6, 7, 8]
    for fig in kb.figures:
        assert wp.flat(fig.caption) in text, fig.number
        if fig.reference is None:
            assert "not in the whitepaper's reference list" in fig.note
        else:
            assert kb.reference(fig.reference).in_whitepaper


def test_mmp1_contradiction_has_sources_on_both_sides() -> None:
    kb = load_knowledge_base()
    mmp = [c for c in kb.conflicts() if c.claim.object == "mediator:mmp-1"]
    assert mmp
    for conflict in mmp:
        assert conflict.claim.predicate is Predicate.INCREASES
        assert conflict.claim.references
        assert all(d.predicate is Predicate.DECREASES for d in conflict.disputed_by)
        dois = {r.doi for d in conflict.disputed_by for r in d.references}
        assert {"10.3390/ijms19061715", "10.1155/2020/6406395", "10.2147/ccid.s371330"} <= dois


def test_eczema_population_conflict() -> None:
    kb = load_knowledge_base()
    (conflict,) = [c for c in kb.conflicts() if c.claim.predicate is Predicate.HAS_PREVALENCE]
    assert "adults" in conflict.claim.quote
    populations = {d.object for d in conflict.disputed_by}
    assert populations == {"population:us-children", "population:us-adults"}
