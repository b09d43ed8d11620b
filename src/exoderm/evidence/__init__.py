"""Evidence: a cited, scored knowledge graph of exosome skin care.

Public API (other capabilities call these):

- :func:`load_knowledge_base` (seed + imported claims; cached), :func:`invalidate_cache`.
- :class:`KnowledgeBase` — ``resolve``, ``node``, ``nodes``, ``claims``, ``association``,
  ``paths``, ``search``, ``conflicts``, ``effects``, ``references``, ``stats``.
- Records: :class:`Node`, :class:`Claim`, :class:`Reference`, :class:`Association`,
  :class:`EvidencePath`, :class:`Conflict`, :class:`SearchHit`; enums :class:`NodeKind`,
  :class:`Predicate`, :class:`EvidenceLevel`.
- :mod:`exoderm.evidence.misev` — MISEV marker ontology and nomenclature rules.
"""

from exoderm.evidence import misev
from exoderm.evidence.knowledge_base import KnowledgeBase
from exoderm.evidence.loading import invalidate_cache, load_knowledge_base
from exoderm.evidence.model import (
    Claim,
    EvidenceLevel,
    Node,
    NodeKind,
    Predicate,
    Reference,
)
from exoderm.evidence.results import Association, Conflict, EvidencePath, PathHop
from exoderm.evidence.search import SearchHit

__all__ = [
    "Association",
    "Claim",
    "Conflict",
    "EvidenceLevel",
    "EvidencePath",
    "KnowledgeBase",
    "Node",
    "NodeKind",
    "PathHop",
    "Predicate",
    "Reference",
    "SearchHit",
    "invalidate_cache",
    "load_knowledge_base",
    "misev",
]
