"""Evidence pages: search (whole page and HTMX fragment), node, claim, explain with graph."""

from __future__ import annotations

from exoderm.evidence import load_knowledge_base
from tests.api.conftest import World
from tests.web.logins import login


def test_search_page_and_fragment(world: World) -> None:
    client = login(world.client(), "viewer")
    kb = load_knowledge_base()
    first = kb.search("collagen", 30)[0]
    page = client.get("/evidence", params={"q": "collagen"})
    assert page.status_code == 200 and "<html" in page.text and first.label in page.text
    fragment = client.get("/evidence", params={"q": "collagen"}, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and first.label in fragment.text


def test_node_and_claim_pages_show_citations(world: World) -> None:
    client = login(world.client(), "doc_b")
    kb = load_knowledge_base()
    claim = kb.all_claims()[0]
    node_page = client.get(f"/evidence/nodes/{claim.subject}")
    assert node_page.status_code == 200 and kb.node(claim.subject).name in node_page.text
    claim_page = client.get(f"/evidence/claims/{claim.id}")
    assert claim_page.status_code == 200
    assert claim.evidence_level.value in claim_page.text
    assert (claim.location or "uncited") in claim_page.text or claim.references


def test_explain_draws_a_graph_when_paths_exist(world: World) -> None:
    client = login(world.client(), "sci")
    kb = load_knowledge_base()
    pairs = [(c.subject, c.object) for c in kb.all_claims() if kb.paths(c.subject, c.object)]
    assert pairs, "the knowledge base has at least one cited edge"
    source, target = pairs[0]
    page = client.get("/evidence/explain", params={"source": source, "target": target})
    assert page.status_code == 200
    assert 'id="evidence-graph-data"' in page.text and "Path 1" in page.text
    assert "/static/vendor/cytoscape/cytoscape.min.js" in page.text
    assert "/static/js/evidence_graph.js" in page.text


def test_explain_embeds_one_node_per_entity_and_every_claim(world: World) -> None:
    import html
    import json
    import re

    client = login(world.client(), "sci")
    page = client.get("/evidence/explain", params={"source": "ADSC", "target": "wrinkles"})
    block = re.search(r'id="evidence-graph-data">(.*?)</script>', page.text, re.S)
    assert block is not None
    graph = json.loads(html.unescape(block.group(1)))
    ids = [n["id"] for n in graph["nodes"]]
    assert len(ids) == len(set(ids))
    (wrinkles,) = [n for n in graph["nodes"] if n["name"] == "wrinkles"]
    assert set(wrinkles["members"]) == {"concern:wrinkles", "effect:wrinkles"}
    assert wrinkles["kinds"] == ["concern", "dermal effect"] and wrinkles["role"] == "target"
    kb = load_knowledge_base()
    on_paths = {
        c.id
        for p in kb.paths("source:adipose-msc", "concern:wrinkles")
        for s in p.steps
        for c in (*s.claims, *s.refuting)
    }
    drawn = {c["id"] for e in graph["edges"] for c in e["claims"]}
    drawn |= {c["id"] for n in graph["nodes"] for c in n["merged_by"]}
    assert drawn == on_paths
    columns = {n["id"]: n["column"] for n in graph["nodes"]}
    assert all(columns[e["source"]] < columns[e["target"]] for e in graph["edges"])
    assert all(
        len(e["waypoints"]) == columns[e["target"]] - columns[e["source"]] - 1
        for e in graph["edges"]
    )
    slots = [(n["column"], n["row"]) for n in graph["nodes"]]
    for e in graph["edges"]:
        first = columns[e["source"]] + 1
        slots += [(first + k, row) for k, row in enumerate(e["waypoints"])]
    assert len(slots) == len(set(slots)), "a hop never passes through a node or another hop"


def test_conflicts_page_states_the_disputed_point(world: World) -> None:
    client = login(world.client(), "viewer")
    page = client.get("/evidence/conflicts")
    kb = load_knowledge_base()
    assert page.status_code == 200
    assert page.text.count('class="disputed-point"') == len(kb.conflicts())
    assert "direction of MMP-1 change: BioMedical Emporium n.d. says increases" in page.text
    claim = client.get("/evidence/claims/wp-094")
    assert "Disputed point:" in claim.text and "say decreases" in claim.text


def test_unknown_node_is_a_404_page(world: World) -> None:
    client = login(world.client(), "viewer")
    r = client.get("/evidence/nodes/none:such")
    assert r.status_code == 404 and "Not found" in r.text and "<html" in r.text


def test_explain_shows_real_world_evidence_apart_from_the_scores(world: World) -> None:
    from exoderm.accounts.actor import Actor
    from exoderm.accounts.records import Role
    from exoderm.evidence import service as evidence
    from exoderm.evidence.rwe import CellContribution, CellKey, ClientChange, pool

    key = CellKey(
        exposure="source:adipose-msc",
        route="microneedling",
        concern="concern:wrinkles",
        instrument="dlqi",
    )
    changes = [
        ClientChange(improvement=float(i % 7), responder=i % 7 >= 4, follow_up_months=3)
        for i in range(12)
    ]
    claims = pool(
        [
            CellContribution(
                key=key, organisation_id=1, responder_definition="MCID 4", changes=changes
            )
        ],
        min_cell=10,
    )
    with world.db.transaction() as s:
        evidence.store_real_world_claims(s, Actor("root", Role.admin), claims=claims)
    client = login(world.client(), "viewer")
    page = client.get("/evidence/explain", params={"source": "ADSC", "target": "wrinkles"})
    assert page.status_code == 200
    assert "Real-world evidence from clinics" in page.text and "not part of the scores" in page.text
    assert "12 (1 org.)" in page.text
