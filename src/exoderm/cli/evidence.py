"""``exoderm evidence``: search, show, effects, explain, conflicts, refs, stats, import,
export and the MISEV marker table.

Every command calls :mod:`exoderm.evidence` and prints with :mod:`exoderm.cli.output`.
The knowledge base is the shipped seed merged with the database's imported claims.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from exoderm.accounts.actor import local_operator
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE, OutputFormat
from exoderm.errors import NotFoundError
from exoderm.evidence import KnowledgeBase, load_knowledge_base, misev
from exoderm.evidence.bibliography import BibFormat, format_references
from exoderm.evidence.curation import import_evidence
from exoderm.evidence.export import ExportFormat, export_graph
from exoderm.evidence.model import Claim
from exoderm.evidence.results import label

app = typer.Typer(
    help="Evidence: the cited, scored knowledge graph of exosome skin care.",
    no_args_is_help=True,
)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="evidence")


def _kb() -> KnowledgeBase:
    with STATE.database().reader() as session:
        return load_knowledge_base(session)


def _conflict_notes(kb: KnowledgeBase, claim: Claim) -> list[str]:
    return [f"CONFLICT: {c.describe()}" for c in kb.conflicts_for(claim.id)]


def _claim_row(kb: KnowledgeBase, claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.id,
        "subject": kb.node(claim.subject).name,
        "predicate": ("NOT " if claim.negated else "") + claim.predicate.value,
        "object": kb.node(claim.object).name,
        "level": claim.evidence_level.value,
        "score": claim.score,
        "citation": claim.citation(),
        "conflicts": "; ".join(_conflict_notes(kb, claim)) or None,
    }


@app.command("search")
def search(
    text: Annotated[str, typer.Argument(help="Words to find (the last may be a prefix).")],
    limit: Annotated[int, typer.Option(help="Most results to show.")] = 20,
) -> None:
    """Find nodes, claims and references containing every word."""
    kb = _kb()
    hits = kb.search(text, limit)
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
            row["conflicts"] = "; ".join(_conflict_notes(kb, kb.claim(hit.id))) or None
        rows.append(row)
    emit_rows(rows, ["kind", "id", "label", "score", "snippet", "conflicts"], title=f"'{text}'")


@app.command("show")
def show(
    ident: Annotated[
        str, typer.Argument(metavar="ID", help="Node (id or name), claim or reference id.")
    ],
) -> None:
    """Show a node with its claims, a claim with its sources, or a reference."""
    kb = _kb()
    try:
        claim = kb.claim(ident)
    except NotFoundError:
        claim = None
    if claim is not None:
        emit_object(
            {
                **_claim_row(kb, claim),
                "quote": claim.quote,
                "location": claim.location,
                "area": claim.area,
                "model_system": claim.model_system,
                "effect_size": claim.effect_size,
                "notes": claim.notes,
                "references": [r.citation() for r in claim.references],
                "conflicts": _conflict_notes(kb, claim),
            },
            title=claim.id,
        )
        return
    try:
        ref = kb.reference(ident)
    except NotFoundError:
        ref = None
    if ref is not None:
        emit_object(
            {
                "id": ref.id,
                "citation": ref.citation(),
                "doi": ref.doi,
                "study_type": ref.study_type,
                "cited_by": [c.id for c in kb.cited_by(ref.id)],
            },
            title=ref.id,
        )
        return
    node = kb.resolve(ident)
    claims = [_claim_row(kb, c) for c in kb.claims(subject=node.id) + kb.claims(object=node.id)]
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
    kb = _kb()
    rows = [
        {"area": kb.node(i.area).name, "item": i.item, "node": i.node, "location": i.location}
        for i in kb.effects(area)
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
    kb = _kb()
    assoc = kb.association(source, target, max_hops=max_hops, limit=limit)
    paths = kb.paths(source, target, max_hops=max_hops, limit=limit)
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
                    "from": label(step.source),
                    "predicate": step.best.predicate.value,
                    "to": label(step.target),
                    "claims": ", ".join(c.id for c in step.claims),
                    "citation": "; ".join(dict.fromkeys(c.citation() for c in step.claims)),
                    "conflicts": "; ".join(n for c in step.claims for n in _conflict_notes(kb, c))
                    or None,
                }
            )
    emit_rows(
        rows,
        ["path", "path_score", "hop", "from", "predicate", "to", "claims", "citation", "conflicts"],
        title=f"{assoc.source.name} → {assoc.target.name}",
    )
    if terms:
        sys.stdout.write("\n".join(assoc.explain()) + "\n")


@app.command("conflicts")
def conflicts() -> None:
    """Claims disputed by other evidence, with the sources on both sides."""
    kb = _kb()
    rows = []
    for c in kb.conflicts():
        rows.append(
            {
                "claim": c.claim.id,
                "topic": c.topic,
                "claimed_by": c.claim.citation(),
                "quote": c.claim.quote,
                "disputed_by": ", ".join(d.id for d in c.disputed_by),
                "disputing_sources": "; ".join(dict.fromkeys(d.citation() for d in c.disputed_by)),
                "disputing_findings": " | ".join(
                    f"{kb.node(d.subject).name} {d.predicate.value} "
                    f"{kb.node(d.object).name}: {d.quote}"
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
    kb = _kb()
    if fmt is not None:
        sys.stdout.write(format_references(kb.references(), fmt))
        return
    emit_rows(
        [
            {"id": r.id, "citation": r.citation(), "doi": r.doi, "study_type": r.study_type}
            for r in kb.references()
        ],
        title="references",
    )


@app.command("stats")
def stats() -> None:
    """Counts of nodes, claims, references, abbreviations and conflicts."""
    emit_object(_kb().stats(), title="evidence graph")


@app.command("glossary")
def glossary() -> None:
    """Every abbreviation with its expansion (whitepaper list first)."""
    rows = [
        {
            "abbreviation": g.abbreviation,
            "expansion": g.expansion,
            "in_whitepaper": g.in_whitepaper,
            "node": g.node,
            "note": g.note,
        }
        for g in _kb().glossary
    ]
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
        result = import_evidence(session, files, local_operator())
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
    paths = export_graph(_kb(), fmt, out)
    emit_rows([{"file": str(p)} for p in paths], title="exported")
