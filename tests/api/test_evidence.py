"""Evidence over HTTP: each endpoint returns what the library answers, with citations."""

from __future__ import annotations

from exoderm.evidence import load_knowledge_base
from tests.api.conftest import World


def test_search_matches_library(world: World) -> None:
    kb = load_knowledge_base()
    expected = [h.id for h in kb.search("collagen", 10)]
    assert expected, "the seeded knowledge base mentions collagen"
    r = world.client("viewer").get("/api/v1/evidence/search", params={"q": "collagen", "limit": 10})
    assert r.status_code == 200
    assert [h["id"] for h in r.json()] == expected


def test_search_requires_evidence_scope(world: World) -> None:
    r = world.client().get("/api/v1/evidence/search", params={"q": "collagen"})
    assert r.status_code == 401
    assert world.client("admin").get("/api/v1/evidence/search").status_code == 422


def test_node_detail_and_resolution(world: World) -> None:
    kb = load_knowledge_base()
    some = next(n for n in kb.nodes() if n.synonyms)
    client = world.client("doc_a")
    resolved = client.get("/api/v1/evidence/resolve", params={"name": some.synonyms[0]})
    assert resolved.status_code == 200
    assert resolved.json()["id"] == kb.resolve(some.synonyms[0]).id
    detail = client.get(f"/api/v1/evidence/nodes/{some.id}").json()
    assert detail["name"] == some.name
    assert len(detail["claims_from"]) == len(kb.claims(subject=some.id))
    missing = client.get("/api/v1/evidence/nodes/nothing:here")
    assert missing.status_code == 404 and missing.json()["title"] == "Not found"


def test_claims_page_and_claim_detail(world: World) -> None:
    kb = load_knowledge_base()
    client = world.client("sci")
    page = client.get("/api/v1/evidence/claims", params={"limit": 5}).json()
    assert page["total"] == len(kb.all_claims()) and len(page["items"]) == min(5, page["total"])
    first = page["items"][0]
    detail = client.get(f"/api/v1/evidence/claims/{first['id']}").json()
    assert detail["citation"] == kb.claim(first["id"]).citation()
    assert detail["conflicts"] == [] or detail["conflicts"][0]["summary"]


def test_nodes_filter_by_kind(world: World) -> None:
    kb = load_knowledge_base()
    r = (
        world.client("viewer")
        .get("/api/v1/evidence/nodes", params={"kind": "concern", "limit": 200})
        .json()
    )
    assert r["total"] == len(kb.nodes("concern"))
    assert all(n["kind"] == "concern" for n in r["items"])


def test_explain_returns_cited_paths(world: World) -> None:
    kb = load_knowledge_base()
    source = kb.nodes("ev_source")[0]
    reachable = kb.reachable(source.id)
    target = next(
        (
            kb.node(t)
            for t in sorted(reachable)
            if kb.node(t).kind.value in ("concern", "dermal_effect")
        ),
        None,
    )
    if target is None:
        target = kb.node(sorted(reachable)[0]) if reachable else kb.nodes("concern")[0]
    r = world.client("viewer").get(
        "/api/v1/evidence/explain", params={"source": source.id, "target": target.id}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    lib = kb.association(source.id, target.id)
    assert body["score"] == lib.score and body["refuting_score"] == lib.refuting_score
    for path in body["paths"]:
        for step in path["steps"]:
            assert step["claims"] and all(c["citation"] for c in step["claims"])


def test_conflicts_stats_effects_references(world: World) -> None:
    kb = load_knowledge_base()
    client = world.client("viewer")
    assert len(client.get("/api/v1/evidence/conflicts").json()) == len(kb.conflicts())
    assert client.get("/api/v1/evidence/stats").json()["claims"] == len(kb.all_claims())
    assert len(client.get("/api/v1/evidence/effects").json()) == len(kb.effects())
    refs = client.get("/api/v1/evidence/references", params={"limit": 3}).json()
    assert refs["total"] == len(kb.references())
    one = refs["items"][0]
    assert client.get(f"/api/v1/evidence/references/{one['id']}").json()["title"] == one["title"]
