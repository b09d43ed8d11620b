"""Evidence: a cited, scored knowledge graph of exosome skin care.

Public API: :mod:`exoderm.evidence.misev` (MISEV marker ontology and nomenclature rules).
"""

from exoderm.evidence import misev

__all__ = ["misev"]
