"""Concern names: canonical names (as in the evidence graph) and their synonyms.

The table lives in ``data/concerns.yaml`` together with each concern's design targets,
instruments and procedure options (read by :mod:`exoderm.clients.regimen`). A name that
the table does not know is looked up in the evidence knowledge base
(``exoderm.evidence.load_knowledge_base().resolve``), whose node name or synonyms may
lead back to a concern of the table (e.g. "melasma" → pigmentation); a concern the
evidence graph knows but exoderm has no regimen data for is reported as such.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from exoderm.errors import ExodermError, UserInputError


@lru_cache(maxsize=1)
def concern_table() -> dict[str, dict[str, Any]]:
    text = resources.files("exoderm.clients").joinpath("data", "concerns.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text)["concerns"])


def _in_table(name: str) -> str | None:
    key = " ".join(name.lower().split())
    for canonical, spec in concern_table().items():
        if key == canonical or key in spec.get("synonyms", []):
            return canonical
    return None


def _via_evidence_graph(name: str) -> tuple[str | None, str | None]:
    """(concern of the table, evidence node name) found through the knowledge base."""
    try:
        from exoderm.evidence import load_knowledge_base

        node = load_knowledge_base().resolve(name)
    except (ImportError, ExodermError):
        return None, None
    for label in (node.name, *node.synonyms):
        found = _in_table(label)
        if found:
            return found, node.name
    return None, node.name


def resolve_concern(name: str) -> str:
    """The canonical concern for ``name`` (name, synonym, or evidence-graph synonym)."""
    found = _in_table(name)
    if found:
        return found
    via_graph, node_name = _via_evidence_graph(name)
    if via_graph:
        return via_graph
    known = f" (the evidence graph knows it as {node_name!r})" if node_name else ""
    raise UserInputError(
        f"no regimen data for concern {name!r}{known}",
        field="concerns",
        expected="one of " + ", ".join(concern_table()),
    )
