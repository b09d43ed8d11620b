"""Evidence fences: the knowledge graph is shared, so organisation B reads what A imported.

Imported claims, references and nodes carry no organisation (curated literature is not
tenant data; see :mod:`exoderm.evidence.service`). So the documented behaviour is the
opposite of a NotFound fence: every read verb, called by any role of organisation B,
sees organisation A's import; only admins and scientists may import; the audit event
of an import names the importer's organisation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent, Role
from exoderm.errors import PermissionDenied
from exoderm.evidence import service as evidence
from exoderm.evidence.bibliography import BibFormat
from exoderm.evidence.cargo_import import write_cargo_parquet
from exoderm.evidence.export import ExportFormat
from tests.services.conftest import Tenants

CLAIMS = """\
nodes:
  - {id: source:snail-mucin, kind: ev_source, name: snail mucin vesicles, synonyms: [snail]}
references:
  - {id: doe2025, authors: ["Doe, J."], year: 2025, title: Snail vesicles, doi: "10.5555/t.1"}
claims:
  - {id: imp-snail-1, subject: snail, predicate: reduces, object: wrinkles,
     evidence_level: animal, references: [doe2025], quote: fewer wrinkles, location: Fig 2}
"""

NON_ADMIN = [r for r in Role if r is not Role.admin]

Read = Callable[[Session, Actor, Path], Any]

#: Every read verb, each checked to see organisation A's imported node, claim or reference.
READS: dict[str, tuple[Read, Callable[[Any], bool]]] = {
    "knowledge_base": (
        lambda s, a, _: evidence.knowledge_base(s, a),
        lambda kb: kb.has_node("source:snail-mucin"),
    ),
    "search": (
        lambda s, a, _: evidence.search(s, a, text="snail"),
        lambda hits: any(h.id == "source:snail-mucin" for h in hits),
    ),
    "list_nodes": (
        lambda s, a, _: evidence.list_nodes(s, a, q="snail"),
        lambda page: [n.id for n in page.items] == ["source:snail-mucin"],
    ),
    "resolve": (
        lambda s, a, _: evidence.resolve(s, a, name="snail"),
        lambda n: n.id == "source:snail-mucin",
    ),
    "get_node": (
        lambda s, a, _: evidence.get_node(s, a, node_id="source:snail-mucin"),
        lambda n: [c.id for c in n.claims_from] == ["imp-snail-1"],
    ),
    "list_claims": (
        lambda s, a, _: evidence.list_claims(s, a, subject="snail"),
        lambda page: [c.id for c in page.items] == ["imp-snail-1"],
    ),
    "get_claim": (
        lambda s, a, _: evidence.get_claim(s, a, claim_id="imp-snail-1"),
        lambda c: c.origin == "import",
    ),
    "explain": (
        lambda s, a, _: evidence.explain(s, a, source="snail", target="wrinkles"),
        lambda assoc: assoc.score > 0,
    ),
    "paths": (
        lambda s, a, _: evidence.paths(s, a, source="snail", target="wrinkles"),
        lambda found: bool(found),
    ),
    "conflicts": (lambda s, a, _: evidence.conflicts(s, a), lambda found: bool(found)),
    "list_references": (
        lambda s, a, _: evidence.list_references(s, a),
        lambda page: "doe2025" in {r.id for r in page.items} or page.total > len(page.items),
    ),
    "get_reference": (
        lambda s, a, _: evidence.get_reference(s, a, ref_id="doe2025"),
        lambda r: r.cited_by == ["imp-snail-1"],
    ),
    "export_references": (
        lambda s, a, _: evidence.export_references(s, a, fmt=BibFormat.RIS),
        lambda text: "ID  - doe2025" in text,
    ),
    "effects": (lambda s, a, _: evidence.effects(s, a), lambda found: bool(found)),
    "glossary": (lambda s, a, _: evidence.glossary(s, a), lambda found: bool(found)),
    "stats": (lambda s, a, _: evidence.stats(s, a), lambda counts: counts["origin.import"] == 1),
    "export_graph": (
        lambda s, a, out: evidence.export_graph(s, a, fmt=ExportFormat.KGX_TSV, out=out),
        lambda done: "source:snail-mucin" in done.files[0].read_text(),
    ),
    # the EV cargo layer is shared knowledge too (organisation A imported it)
    "cargo_sources": (
        lambda s, a, _: evidence.cargo_sources(s, a),
        lambda found: [x.sample_name for x in found] == ["Keratinocytes"],
    ),
    "cargo_in_source": (
        lambda s, a, _: evidence.cargo_in_source(s, a, source="keratinocyte"),
        lambda found: [d.molecule for d in found] == ["TIMP1"],
    ),
    "cargo_carriers": (
        lambda s, a, _: evidence.cargo_carriers(s, a, molecule="TIMP1"),
        lambda found: [c.node_id for c in found] == ["source:keratinocyte"],
    ),
}


@pytest.fixture
def imported(tenants: Tenants, tmp_path: Path) -> Tenants:
    path = tmp_path / "snail.yaml"
    path.write_text(CLAIMS)
    cargo = write_cargo_parquet(
        tmp_path / "cargo.parquet",
        [
            {
                "working_id": "TIMP1",
                "sample_name": "Keratinocytes",
                "pmid": "1",
                "source": "ExoCarta",
            }
        ],
    )
    with tenants.db.transaction() as s:
        evidence.import_claims(s, tenants.a[Role.scientist], paths=[path])
        evidence.import_cargo(s, tenants.a[Role.scientist], path=cargo)
    return tenants


@pytest.mark.parametrize("role", NON_ADMIN, ids=lambda r: r.value)
def test_the_graph_is_shared_so_org_b_sees_org_a_import(
    imported: Tenants, role: Role, tmp_path: Path
) -> None:
    """Every read verb, as this role of organisation B (one tenants set-up per role)."""
    blind = []
    with imported.db.reader() as s:
        for verb, (call, sees) in sorted(READS.items()):
            if not sees(call(s, imported.b[role], tmp_path / verb)):
                blind.append(verb)
    assert blind == []


def test_every_public_verb_is_covered() -> None:
    public = set(evidence.__all__) - {"IMPORT_ROLES", "READ_ROLES"}
    writes = {"import_claims", "import_cargo", "import_pubmed", "review_candidate"}
    shared = {"review_queue", "real_world_claims", "store_real_world_claims"}
    assert public == set(READS) | writes | shared


def test_only_curators_import_and_review_and_only_admins_store_real_world_claims(
    tenants: Tenants, tmp_path: Path
) -> None:
    path = tmp_path / "empty.xml"
    path.write_text("<PubmedArticleSet></PubmedArticleSet>")
    for role in (Role.qc_analyst, Role.clinician, Role.viewer):
        with pytest.raises(PermissionDenied), tenants.db.transaction() as s:
            evidence.import_pubmed(s, tenants.b[role], path=path)
        with pytest.raises(PermissionDenied), tenants.db.transaction() as s:
            evidence.review_candidate(s, tenants.b[role], candidate_id=1, decision="reject")
    for role in NON_ADMIN:
        with pytest.raises(PermissionDenied), tenants.db.transaction() as s:
            evidence.store_real_world_claims(s, tenants.b[role], claims=[])


def test_only_admins_and_scientists_import(tenants: Tenants, tmp_path: Path) -> None:
    path = tmp_path / "snail.yaml"
    path.write_text(CLAIMS)
    for role in (Role.qc_analyst, Role.clinician, Role.viewer):
        with pytest.raises(PermissionDenied), tenants.db.transaction() as s:
            evidence.import_claims(s, tenants.b[role], paths=[path])


def test_an_import_is_audited_with_the_importers_organisation(imported: Tenants) -> None:
    with imported.db.reader() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.import")))
    assert [e.actor for e in events] == [imported.a[Role.scientist].username]
    assert events[0].organisation_id == imported.a[Role.scientist].organisation_id
