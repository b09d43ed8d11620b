"""Free-text sample sources of the cargo repositories → exoderm's EV-source nodes.

Why: Vesiclepedia, ExoCarta and EV-TRACK name the source of a preparation in free text
("Umblical cord mesenchymal stem cells", "Bovine milk", "Foreskin fibroblasts"). Which of
those count as which EV source of the graph is a curation decision, so it is reviewed data
(``data/cargo_sources.yaml``: regular expression → node id, each with a note), read once
and checked here: every pattern compiles and every node is an EV source of the graph or
one the file declares. Sample names no pattern matches are *unmapped* and listed for the
next review rather than guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from exoderm.errors import (
    Location,
    NotFoundError,
    Problem,
    UserInputError,
    ValidationFailed,
    problems_from_validation,
    read_yaml_mapping,
)
from exoderm.evidence.knowledge_base import KnowledgeBase
from exoderm.evidence.model import NodeKind

MAPPING_FILE = "cargo_sources.yaml"


class _NodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(pattern=r"^source:[a-z0-9-]+$")
    name: str = Field(min_length=1)
    note: str = ""


class _PatternIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    pattern: str = Field(min_length=1)
    node: str | None
    note: str = Field(min_length=1)


class _MappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: str
    reviewed: dict[str, str]
    nodes: list[_NodeIn] = []
    patterns: list[_PatternIn]


@dataclass(frozen=True, slots=True)
class SourceRule:
    """One reviewed pattern: a sample name matching ``regex`` is ``node`` (None: not a source)."""

    regex: re.Pattern[str]
    node: str | None
    note: str
    line: int | None


@dataclass(frozen=True, slots=True)
class SourceMapping:
    """The reviewed mapping: its rules in order and the EV sources it declares."""

    version: str
    rules: tuple[SourceRule, ...]
    declared: dict[str, str]

    def match(self, sample_name: str) -> SourceRule | None:
        """The first rule whose pattern matches the whole (normalised) sample name."""
        key = sample_key(sample_name)
        for rule in self.rules:
            if rule.regex.fullmatch(key):
                return rule
        return None


def sample_key(sample_name: str) -> str:
    """A sample name as the patterns see it: quotes stripped, whitespace collapsed,
    accents folded (``Kératinocytes`` as ``Keratinocytes``; the repositories' Latin-1
    files carry both spellings).

    Examples
    --------
    >>> sample_key('  "Cerebrospinal   fluid" '), sample_key("Kératinocytes")
    ('Cerebrospinal fluid', 'Keratinocytes')
    """
    decomposed = unicodedata.normalize("NFKD", sample_name.replace("\xa0", " "))
    folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(folded.split()).strip("\"' ")


def parse_mapping(text: str, source: str | Path) -> SourceMapping:
    """Parse and check a mapping file; every problem names its line.

    Examples
    --------
    >>> m = parse_mapping(
    ...     "version: '1'\\nreviewed: {by: me, date: '2026-12-06'}\\npatterns:\\n"
    ...     "  - {pattern: 'keratinocytes', node: source:keratinocyte, note: skin}\\n", "m.yaml")
    >>> m.match("Keratinocytes ").node
    'source:keratinocyte'
    """
    doc = read_yaml_mapping(text, source)
    try:
        parsed = _MappingIn.model_validate(doc.data)
    except ValidationError as exc:
        raise ValidationFailed(
            problems_from_validation(exc, document=doc), subject=str(source)
        ) from None
    problems: list[Problem] = []
    rules: list[SourceRule] = []
    for i, item in enumerate(parsed.patterns):
        line = doc.line_of(["patterns", i, "pattern"])
        try:
            regex = re.compile(item.pattern, re.IGNORECASE)
        except re.error as exc:
            problems.append(
                Problem(
                    f"not a regular expression ({exc})",
                    Location(source, line, "pattern"),
                    expected="a Python regular expression",
                )
            )
            continue
        rules.append(SourceRule(regex, item.node, item.note, line))
    if problems:
        raise ValidationFailed(problems, subject=str(source))
    declared = {n.id: n.name for n in parsed.nodes}
    return SourceMapping(parsed.version, tuple(rules), declared)


@lru_cache(maxsize=1)
def shipped_mapping() -> SourceMapping:
    """The reviewed mapping shipped with exoderm (``evidence/data/cargo_sources.yaml``)."""
    path = resources.files("exoderm.evidence").joinpath("data", MAPPING_FILE)
    return parse_mapping(path.read_text(encoding="utf-8"), f"exoderm/evidence/data/{MAPPING_FILE}")


def check_nodes(mapping: SourceMapping, kb: KnowledgeBase) -> list[Problem]:
    """Every mapped node is an EV source of ``kb`` or declared by the mapping."""
    problems = []
    for rule in mapping.rules:
        if rule.node is None or rule.node in mapping.declared:
            continue
        if not kb.has_node(rule.node) or kb.node(rule.node).kind is not NodeKind.EV_SOURCE:
            problems.append(
                Problem(
                    f"'{rule.node}' is not an EV-source node",
                    Location(MAPPING_FILE, rule.line, "node"),
                    expected="an ev_source node id of the graph or one under 'nodes'",
                )
            )
    return problems


def source_name(node_id: str, kb: KnowledgeBase, mapping: SourceMapping) -> str:
    """The display name of an EV-source node (the graph's, else the mapping's)."""
    if kb.has_node(node_id):
        return kb.node(node_id).name
    return mapping.declared.get(node_id, node_id)


def resolve_source(name: str, kb: KnowledgeBase, mapping: SourceMapping) -> str:
    """The EV-source node id meant by ``name`` (``adipose-msc``, ``source:adipose-msc``, ``ADSC``).

    Raises
    ------
    UserInputError
        ``name`` is no EV source.
    """
    text = name.strip()
    for candidate in (text, f"source:{text}"):
        if candidate in mapping.declared and not kb.has_node(candidate):
            return candidate
        if kb.has_node(candidate) and kb.node(candidate).kind is NodeKind.EV_SOURCE:
            return candidate
    try:
        node = kb.resolve(text)
    except NotFoundError:
        node = None
    if node is not None and node.kind is NodeKind.EV_SOURCE:
        return node.id
    known = sorted(
        {n.id.removeprefix("source:") for n in kb.nodes(NodeKind.EV_SOURCE)}
        | {k.removeprefix("source:") for k in mapping.declared}
    )
    raise UserInputError(
        f"'{name}' is not an EV source",
        field="source",
        expected="one of " + ", ".join(known),
    )
