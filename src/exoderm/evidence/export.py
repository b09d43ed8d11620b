"""Exporting the graph as KGX (TSV or JSON Lines) and GraphML.

Why: KGX is the Biolink Model's exchange format — a node file and an edge file whose
columns are Biolink slots (``id``, ``category``, ``name``; ``subject``, ``predicate``,
``object``, ``publications``, ``knowledge_level``, ``agent_type``, ``negated``…) — so the
graph can be validated and merged with other knowledge graphs (biolink/kgx
``docs/kgx_format.md``; Biolink Model 4.4.4 ``biolink-model.yaml``). GraphML is read by
Gephi, Cytoscape and networkx.
"""

from __future__ import annotations

import csv
import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import networkx as nx

from exoderm.evidence.knowledge_base import KnowledgeBase
from exoderm.evidence.model import BIOLINK_PREDICATE, DIRECTION, Claim, EvidenceLevel, Node
from exoderm.formula_injection import spreadsheet_safe


class ExportFormat(StrEnum):
    KGX_TSV = "kgx-tsv"
    KGX_JSONL = "kgx-jsonl"
    GRAPHML = "graphml"


NODE_COLUMNS = ["id", "category", "name", "synonym", "description", "provided_by"]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "original_predicate",
    "negated",
    "object_direction_qualifier",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "supporting_text",
    "evidence_level",
    "model_system",
    "has_confidence_score",
    "location",
    "area",
    "notes",
]


def node_record(node: Node) -> dict[str, Any]:
    return {
        "id": node.id,
        "category": [node.biolink_category],
        "name": node.name,
        "synonym": list(node.synonyms),
        "description": node.description,
        "provided_by": ["exoderm"],
    }


def _knowledge_level(claim: Claim) -> str:
    if claim.evidence_level is EvidenceLevel.CURATED_ONTOLOGY:
        return "logical_entailment"
    if claim.evidence_level in (EvidenceLevel.MARKETING_WHITEPAPER, EvidenceLevel.NARRATIVE_REVIEW):
        return "not_provided"
    return "knowledge_assertion"


def edge_record(claim: Claim) -> dict[str, Any]:
    pubs = [
        f"doi:{r.doi}" if r.doi else (f"PMID:{r.pmid}" if r.pmid else (r.url or r.id))
        for r in claim.references
    ]
    return {
        "id": claim.id,
        "subject": claim.subject,
        "predicate": BIOLINK_PREDICATE[claim.predicate],
        "object": claim.object,
        "original_predicate": claim.predicate.value,
        "negated": claim.negated,
        "object_direction_qualifier": DIRECTION.get(claim.predicate, ""),
        "knowledge_level": _knowledge_level(claim),
        "agent_type": "manual_agent",
        "primary_knowledge_source": "infores:exoderm",
        "publications": pubs,
        "supporting_text": [claim.quote] if claim.quote else [],
        "evidence_level": claim.evidence_level.value,
        "model_system": claim.model_system,
        "has_confidence_score": claim.score,
        "location": claim.location,
        "area": claim.area or "",
        "notes": claim.notes,
    }


def _tsv_cell(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _write_tsv(path: Path, columns: list[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, delimiter="\t", lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([spreadsheet_safe(_tsv_cell(row.get(c, ""))) for c in columns])


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def to_networkx(kb: KnowledgeBase) -> nx.MultiDiGraph:
    """The whole graph (every claim an edge) with scalar attributes only."""
    graph: nx.MultiDiGraph = nx.MultiDiGraph()
    for node in kb.nodes():
        graph.add_node(
            node.id, name=node.name, category=node.biolink_category, kind=node.kind.value
        )
    for claim in kb.all_claims():
        graph.add_edge(
            claim.subject,
            claim.object,
            key=claim.id,
            predicate=claim.predicate.value,
            negated=claim.negated,
            evidence_level=claim.evidence_level.value,
            score=claim.score,
            citation=claim.citation(),
            quote=claim.quote,
        )
    return graph


def export_graph(kb: KnowledgeBase, fmt: ExportFormat | str, out: Path) -> list[Path]:
    """Write the graph under ``out`` (a directory for KGX, a file for GraphML)."""
    chosen = ExportFormat(fmt)
    nodes = [node_record(n) for n in kb.nodes()]
    edges = [edge_record(c) for c in sorted(kb.all_claims(), key=lambda c: c.id)]
    if chosen is ExportFormat.GRAPHML:
        path = out if out.suffix else out / "exoderm_evidence.graphml"
        path.parent.mkdir(parents=True, exist_ok=True)
        nx.write_graphml(to_networkx(kb), path)
        return [path]
    out.mkdir(parents=True, exist_ok=True)
    if chosen is ExportFormat.KGX_TSV:
        paths = [out / "exoderm_evidence_nodes.tsv", out / "exoderm_evidence_edges.tsv"]
        _write_tsv(paths[0], NODE_COLUMNS, nodes)
        _write_tsv(paths[1], EDGE_COLUMNS, edges)
    else:
        paths = [out / "exoderm_evidence_nodes.jsonl", out / "exoderm_evidence_edges.jsonl"]
        _write_jsonl(paths[0], nodes)
        _write_jsonl(paths[1], edges)
    return paths
