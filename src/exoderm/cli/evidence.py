"""``exoderm evidence``: search, show, effects, explain, conflicts, refs, stats, import,
export and the MISEV marker table.

Every command calls :mod:`exoderm.evidence.service` and prints with
:mod:`exoderm.cli.output`. The knowledge base is the shipped seed merged with the
database's imported claims.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor, local_operator
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE, OutputFormat
from exoderm.clients import service as clients
from exoderm.errors import NotFoundError, UserInputError
from exoderm.evidence import NodeKind, misev
from exoderm.evidence import service as evidence
from exoderm.evidence.bibliography import BibFormat
from exoderm.evidence.cargo import CargoFilter
from exoderm.evidence.export import ExportFormat
from exoderm.evidence.model import EvidenceLevel, Predicate
from exoderm.evidence.reads import ClaimRead, ConflictRead, NodeRead
from exoderm.evidence.review import CandidateEdits, Decision
from exoderm.storage.paging import PageQuery

T = TypeVar("T")
#: Every item of a list (the CLI prints whole lists).
ALL = PageQuery(limit=1_000_000)

app = typer.Typer(
    help="Evidence: the cited, scored knowledge graph of exosome skin care.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="evidence")


def _read(ask: Callable[[Session, Actor], T]) -> T:
    """Ask the evidence service in a read-only session, as the local operator."""
    with STATE.database().reader() as session:
        return ask(session, local_operator())


def _label(node: NodeRead) -> str:
    """A node's name, marked when it is a whitepaper dermal-effect item."""
    return f"{node.name} [effect]" if node.kind is NodeKind.DERMAL_EFFECT else node.name


def _conflict_notes(found: list[ConflictRead]) -> dict[str, list[str]]:
    """For each claim id, the conflicts it takes part in (either side)."""
    notes: dict[str, list[str]] = {}
    for c in found:
        for claim_id in dict.fromkeys([c.claim.id, *(d.id for d in c.disputed_by)]):
            notes.setdefault(claim_id, []).append(f"CONFLICT: {c.summary}")
    return notes


def _claim_row(claim: ClaimRead, notes: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "id": claim.id,
        "subject": claim.subject_name,
        "predicate": ("NOT " if claim.negated else "") + claim.predicate.value,
        "object": claim.object_name,
        "level": claim.evidence_level,
        "score": claim.score,
        "citation": claim.citation,
        "conflicts": "; ".join(notes.get(claim.id, [])) or None,
    }


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to find (the last may be a prefix).")],
    limit: Annotated[int, typer.Option(help="Most results to show.")] = 20,
) -> None:
    """Find nodes, claims and references containing every word."""
    hits = _read(lambda s, a: evidence.search(s, a, text=text, limit=limit))
    notes = _conflict_notes(_read(evidence.conflicts)) if any(h.disputed for h in hits) else {}
    rows = []
    for hit in hits:
        row: dict[str, Any] = {
            "kind": hit.kind,
            "id": hit.id,
            "label": hit.label,
            "score": hit.score,
            "snippet": hit.snippet,
        }
        if hit.kind == "claim":
            row["conflicts"] = "; ".join(notes.get(hit.id, [])) or None
        rows.append(row)
    emit_rows(rows, ["kind", "id", "label", "score", "snippet", "conflicts"], title=f"'{text}'")


def _show_claim(ident: str) -> bool:
    try:
        claim = _read(lambda s, a: evidence.get_claim(s, a, claim_id=ident))
    except NotFoundError:
        return False
    notes = _conflict_notes(claim.conflicts)
    emit_object(
        {
            **_claim_row(claim, notes),
            "quote": claim.quote,
            "location": claim.location,
            "area": claim.area,
            "model_system": claim.model_system,
            "effect_size": claim.effect_size,
            "notes": claim.notes,
            "references": [r.citation for r in claim.references],
            "conflicts": notes.get(claim.id, []),
        },
        title=claim.id,
    )
    return True


def _show_reference(ident: str) -> bool:
    try:
        ref = _read(lambda s, a: evidence.get_reference(s, a, ref_id=ident))
    except NotFoundError:
        return False
    emit_object(
        {
            "id": ref.id,
            "citation": ref.citation,
            "doi": ref.doi,
            "study_type": ref.study_type,
            "cited_by": ref.cited_by,
        },
        title=ref.id,
    )
    return True


@app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Node (id or name), claim or reference id.")
    ],
) -> None:
    """Show a node with its claims, a claim with its sources, or a reference."""
    if _show_claim(ident) or _show_reference(ident):
        return

    def node_and_conflicts(s: Session, a: Actor) -> tuple[Any, list[ConflictRead]]:
        found = evidence.resolve(s, a, name=ident)
        return evidence.get_node(s, a, node_id=found.id), evidence.conflicts(s, a)

    node, found_conflicts = _read(node_and_conflicts)
    notes = _conflict_notes(found_conflicts)
    claims = [_claim_row(c, notes) for c in node.claims_from + node.claims_to]
    summary: dict[str, Any] = {
        "id": node.id,
        "kind": node.kind.value,
        "name": node.name,
        "synonyms": list(node.synonyms),
        "description": node.description,
        "source": node.source,
        "biolink": node.biolink_category,
    }
    if STATE.format is OutputFormat.json:
        emit_object({**summary, "claims": claims}, title=node.name)
        return
    emit_object({**summary, "claims": len(claims)}, title=node.name)
    emit_rows(claims, title=f"claims about {node.name}")


@app.command("effects")
def effects(
    area: Annotated[str | None, typer.Option(help="Application area (name or id).")] = None,
) -> None:
    """The "Dermal effects" items of the whitepaper's eight areas, with their nodes."""
    rows = [
        {"area": i.area_name, "item": i.item, "node": i.node, "location": i.location}
        for i in _read(lambda s, a: evidence.effects(s, a, area=area))
    ]
    emit_rows(rows, ["area", "item", "node", "location"], title="dermal effects")


@app.command("explain")
def explain(
    source: Annotated[str, typer.Option("--from", help="EV source (or any node).")],
    target: Annotated[str, typer.Option("--to", help="Concern, effect or any node.")],
    max_hops: Annotated[int, typer.Option(help="Longest path considered.")] = 5,
    limit: Annotated[int, typer.Option(help="Most paths to list.")] = 10,
    terms: Annotated[bool, typer.Option("--explain", help="Print every scoring term.")] = False,
) -> None:
    """All paths source → … → target, ranked, every hop with its citation."""
    assoc = _read(
        lambda s, a: evidence.explain(
            s, a, source=source, target=target, max_hops=max_hops, limit=limit
        )
    )
    paths = _read(
        lambda s, a: evidence.paths(
            s, a, source=source, target=target, max_hops=max_hops, limit=limit
        )
    )
    notes = _conflict_notes(_read(evidence.conflicts))
    info(
        f"{assoc.source.name} → {assoc.target.name}: supporting score {assoc.score:.4f}, "
        f"refuting {assoc.refuting_score:.4f} (a ranking, not a probability); "
        f"{len(paths)} path(s)"
    )
    rows = []
    for rank, path in enumerate(paths, start=1):
        for k, step in enumerate(path.steps, start=1):
            rows.append(
                {
                    "path": rank,
                    "path_score": path.score,
                    "hop": k,
                    "from": _label(step.source),
                    "predicate": step.claims[0].predicate.value,
                    "to": _label(step.target),
                    "claims": ", ".join(c.id for c in step.claims),
                    "citation": "; ".join(dict.fromkeys(c.citation for c in step.claims)),
                    "conflicts": "; ".join(n for c in step.claims for n in notes.get(c.id, []))
                    or None,
                }
            )
    emit_rows(
        rows,
        ["path", "path_score", "hop", "from", "predicate", "to", "claims", "citation", "conflicts"],
        title=f"{assoc.source.name} → {assoc.target.name}",
    )
    for claim in assoc.real_world:
        info(f"real-world evidence (not in the score): {claim.sentence()}")
    if terms:
        sys.stdout.write("\n".join(assoc.explanation) + "\n")


@app.command("conflicts")
def conflicts() -> None:
    """Claims disputed by other evidence: what is disputed, and the sources on both sides."""
    rows = []
    for c in _read(evidence.conflicts):
        rows.append(
            {
                "claim": c.claim.id,
                "topic": c.topic,
                "disputed_point": c.disputed_point,
                "claimed_by": c.claim.citation,
                "quote": c.claim.quote,
                "disputed_by": ", ".join(d.id for d in c.disputed_by),
                "disputing_sources": "; ".join(dict.fromkeys(d.citation for d in c.disputed_by)),
                "disputing_findings": " | ".join(
                    f"{d.subject_name} {d.predicate.value} {d.object_name}: {d.quote}"
                    for d in c.disputed_by
                ),
            }
        )
    emit_rows(rows, title="conflicts")


@app.command("refs")
def refs(
    fmt: Annotated[
        BibFormat | None,
        typer.Option("--format", help="Write bibtex, ris or csljson instead of a table."),
    ] = None,
) -> None:
    """Every reference (the whitepaper's 37 and the primary literature)."""
    if fmt is not None:
        chosen = fmt
        sys.stdout.write(_read(lambda s, a: evidence.export_references(s, a, fmt=chosen)))
        return
    emit_rows(
        [
            {"id": r.id, "citation": r.citation, "doi": r.doi, "study_type": r.study_type}
            for r in _read(lambda s, a: evidence.list_references(s, a, page=ALL)).items
        ],
        title="references",
    )


@app.command("stats")
def stats() -> None:
    """Counts of nodes, claims, references, abbreviations and conflicts."""
    emit_object(_read(evidence.stats), title="evidence graph")


@app.command("glossary")
def glossary() -> None:
    """Every abbreviation with its expansion (whitepaper list first)."""
    rows = [g.model_dump() for g in _read(evidence.glossary)]
    emit_rows(rows, title="abbreviations")


@app.command("markers")
def markers() -> None:
    """The MISEV2018 protein-marker categories (for quality control)."""
    rows = [
        {
            "category": m.category.value,
            "protein": m.protein,
            "gene": m.gene,
            "confidence": m.confidence,
            "meaning": m.meaning,
        }
        for m in misev.markers()
    ]
    emit_rows(rows, title="MISEV2018 marker categories")


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Claims (.csv/.yaml) and references (.bib/.ris); all validated before writing.",
            dir_okay=False,
        ),
    ],
) -> None:
    """Import curated claims: all files are validated first; any problem writes nothing."""
    with STATE.database().transaction() as session:
        result = evidence.import_claims(session, local_operator(), paths=files)
    info(
        f"imported {result.claims} claim(s), {result.references} reference(s), "
        f"{result.nodes} node(s) as import #{result.import_id}"
    )
    emit_object(
        {
            "import": result.import_id,
            "nodes": result.nodes,
            "references": result.references,
            "claims": result.claims,
        }
    )


@app.command("export")
def export(
    out: Annotated[Path, typer.Option("--out", help="Directory (KGX) or .graphml file.")],
    fmt: Annotated[
        ExportFormat, typer.Option("--as", help="kgx-tsv, kgx-jsonl or graphml.")
    ] = ExportFormat.KGX_TSV,
) -> None:
    """Write the graph as KGX (TSV or JSON Lines) or GraphML."""
    done = _read(lambda s, a: evidence.export_graph(s, a, fmt=fmt, out=out))
    emit_rows([{"file": str(p)} for p in done.files], title="exported")


# --------------------------------------------------------------------------- cargo layer
@app.command("import-cargo")
def import_cargo(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE.parquet|FOLDER",
            help="Cargo table (the harmonised Vesiclepedia/ExoCarta/EV-TRACK snapshot), "
            "or a folder of Vesiclepedia/ExoCarta bulk files (*_PROTEIN_MRNA_DETAILS_*, "
            "*_MIRNA_DETAILS_*, *_EXPERIMENT_DETAILS_*).",
        ),
    ],
) -> None:
    """Import EV cargo rows: all rows checked first, all written or none; a re-import is a no-op."""
    with STATE.database().transaction() as session:
        result = evidence.import_cargo(session, local_operator(), path=file)
    if result.already_imported:
        info(
            f"{result.filename} (sha256 {result.sha256[:12]}…) was imported before; nothing changed"
        )
    else:
        info(f"imported {result.rows} cargo row(s) in {result.seconds:.1f} s")
    emit_object(result.model_dump())


@app.command("cargo-sources")
def cargo_sources(
    unmapped: Annotated[
        bool, typer.Option("--unmapped", help="Only sample sources no reviewed pattern maps.")
    ] = False,
) -> None:
    """Sample sources of the imported cargo and the EV-source node each maps to."""
    found = _read(lambda s, a: evidence.cargo_sources(s, a, unmapped_only=unmapped))
    rows = [x.model_dump() for x in found]
    emit_rows(
        rows,
        ["sample_name", "rows", "studies", "node_id", "reviewed", "note"],
        title="unmapped cargo sample sources" if unmapped else "cargo sample sources",
    )


@app.command("cargo")
def cargo(
    source: Annotated[
        str | None, typer.Option("--source", help="EV source: what was detected in its EVs.")
    ] = None,
    molecule: Annotated[
        str | None, typer.Option("--molecule", help="Gene symbol: which EV sources carry it.")
    ] = None,
    species: Annotated[str | None, typer.Option(help="Only this species.")] = None,
    vesicle: Annotated[str | None, typer.Option(help="Vesicle type contains this.")] = None,
    isolation: Annotated[
        str | None, typer.Option("--isolation", help="Isolation method contains this.")
    ] = None,
    method: Annotated[str | None, typer.Option(help="Detection method contains this.")] = None,
    kind: Annotated[
        str | None, typer.Option(help="Cargo kind: protein, mrna, mirna, unknown.")
    ] = None,
    limit: Annotated[int, typer.Option(help="Most molecules to list (--source).")] = 50,
    all_samples: Annotated[
        bool,
        typer.Option("--all-samples", help="With --molecule: also unmapped sample sources."),
    ] = False,
) -> None:
    """Detected EV cargo with independent study counts, methods and PMIDs."""
    if (source is None) == (molecule is None):
        raise UserInputError("give exactly one of --source and --molecule", field="source/molecule")
    filters = CargoFilter(
        species=species, vesicle=vesicle, isolation_method=isolation, method=method, kind=kind
    )
    if source is not None:
        found = _read(
            lambda s, a: evidence.cargo_in_source(s, a, source=source, filters=filters, limit=limit)
        )
        emit_rows(
            [d.model_dump() for d in found],
            ["molecule", "studies", "rows", "kinds", "methods", "repositories", "pmids"],
            title=f"cargo detected in {source}",
        )
        return
    assert molecule is not None
    carriers = _read(
        lambda s, a: evidence.cargo_carriers(
            s, a, molecule=molecule, filters=filters, include_unmapped=all_samples
        )
    )
    emit_rows(
        [c.model_dump() for c in carriers],
        [
            "node_id",
            "source_name",
            "studies",
            "rows",
            "sample_names",
            "species",
            "methods",
            "pmids",
        ],
        title=f"EV sources carrying {molecule}",
    )


rwe_app = typer.Typer(
    help="Real-world evidence: clinics' observed outcomes (observational, clinic registry).",
    no_args_is_help=True,
)
app.add_typer(rwe_app, name="rwe")

_RWE_COLUMNS = [
    "exposure",
    "route",
    "concern",
    "instrument",
    "n",
    "organisations",
    "mean_improvement",
    "ci_low",
    "ci_high",
    "responder_rate",
    "follow_up_months",
    "study_type",
    "grade",
]


@rwe_app.command("build")
def rwe_build(
    min_cell: Annotated[
        int, typer.Option(min=2, help="Fewest clients one organisation may contribute to a cell.")
    ] = 10,
) -> None:
    """Aggregate the opted-in organisations' outcomes into real-world claims (replaces them)."""
    with STATE.database().transaction() as session:
        claims = clients.build_real_world_evidence(session, local_operator(), min_cell=min_cell)
    emit_rows([c.model_dump(mode="json") for c in claims], _RWE_COLUMNS)
    info(f"{len(claims)} real-world claim(s) stored (k = {min_cell} per organisation)")


@rwe_app.command("list")
def rwe_list(
    source: Annotated[str | None, typer.Option("--source", help="EV source.")] = None,
    concern: Annotated[str | None, typer.Option(help="Concern.")] = None,
) -> None:
    """The stored real-world claims, shown apart from the literature."""
    claims = _read(lambda s, a: evidence.real_world_claims(s, a, exposure=source, concern=concern))
    emit_rows([c.model_dump(mode="json") for c in claims], _RWE_COLUMNS)


# --------------------------------------------------------------------------- curation
curate_app = typer.Typer(
    help=(
        "Curation: propose claims from a literature search export (PubMed XML or MEDLINE,"
        " Europe PMC JSON, RIS or BibTeX) and review them."
    ),
    no_args_is_help=True,
)
app.add_typer(curate_app, name="curate")

_CANDIDATE_COLUMNS = [
    "id",
    "locator",
    "subject",
    "predicate",
    "object",
    "negated",
    "hedged",
    "study_type",
    "confidence",
    "status",
    "claim_id",
    "quote",
]


@curate_app.command("import")
def curate_import(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help=(
                "A search export: PubMed XML, PubMed's MEDLINE format (.nbib), Europe PMC"
                " JSON (resultType=core), RIS or BibTeX (detected from the content); every"
                " record needs a PMID."
            ),
            dir_okay=False,
        ),
    ],
) -> None:
    """Parse a search export and store the candidate claims proposed from it."""
    with STATE.database().transaction() as session:
        batch = evidence.import_pubmed(session, local_operator(), path=file)
    info(f"{batch.records} record(s), {batch.candidates} candidate(s) as batch #{batch.batch_id}")
    emit_object(batch.model_dump())


@curate_app.command("queue")
def curate_queue(
    batch: Annotated[int | None, typer.Option("--batch", help="Only this batch.")] = None,
    status: Annotated[
        str, typer.Option(help="pending, accepted, edited, rejected or all.")
    ] = "pending",
) -> None:
    """The candidates awaiting review (or in another status)."""
    wanted = None if status == "all" else status
    page = _read(lambda s, a: evidence.review_queue(s, a, batch_id=batch, status=wanted, page=ALL))
    emit_rows([c.model_dump(mode="json") for c in page.items], _CANDIDATE_COLUMNS)


def _decide(
    candidate_id: int,
    decision: Decision,
    edits: CandidateEdits | None = None,
    note: str = "",
) -> None:
    with STATE.database().transaction() as session:
        done = evidence.review_candidate(
            session,
            local_operator(),
            candidate_id=candidate_id,
            decision=decision,
            edits=edits,
            note=note,
        )
    info(
        f"candidate {done.id} {done.status}"
        + (f" as claim {done.claim_id}" if done.claim_id else "")
    )
    emit_object(done.model_dump(mode="json"))


@curate_app.command("accept")
def curate_accept(
    candidate_id: Annotated[int, typer.Argument(metavar="ID")],
    note: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Accept a candidate as proposed: it becomes a claim with its quote and locator."""
    _decide(candidate_id, Decision.ACCEPT, note=note)


@curate_app.command("reject")
def curate_reject(
    candidate_id: Annotated[int, typer.Argument(metavar="ID")],
    note: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Reject a candidate (kept with the note; nothing enters the graph)."""
    _decide(candidate_id, Decision.REJECT, note=note)


@curate_app.command("edit")
def curate_edit(
    candidate_id: Annotated[int, typer.Argument(metavar="ID")],
    subject: Annotated[str | None, typer.Option(help="Subject node (name or id).")] = None,
    predicate: Annotated[Predicate | None, typer.Option(help="Predicate.")] = None,
    object_: Annotated[
        str | None, typer.Option("--object", help="Object node (name or id).")
    ] = None,
    negated: Annotated[bool | None, typer.Option("--negated/--not-negated")] = None,
    level: Annotated[EvidenceLevel | None, typer.Option("--level", help="Evidence level.")] = None,
    note: Annotated[str, typer.Option(help="Why.")] = "",
) -> None:
    """Correct a candidate and accept it."""
    edits = CandidateEdits(
        subject=subject, predicate=predicate, object=object_, negated=negated, evidence_level=level
    )
    _decide(candidate_id, Decision.EDIT, edits, note)
