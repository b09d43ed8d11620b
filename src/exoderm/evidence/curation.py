"""Importing curated claims: validate everything, then write all of it or nothing.

Why: a knowledge graph that others build on must never hold half an import. The whole
set of files is parsed and checked against the current knowledge base (seed + earlier
imports) first — unknown node names (with "did you mean"), malformed DOIs, duplicate
references, unknown predicates or evidence levels, self-loops, dangling reference keys —
and every problem is reported with its file and line. Only a clean set is written, in the
caller's transaction, and the cached knowledge bases are dropped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import record as audit
from exoderm.accounts.records import Role
from exoderm.errors import (
    Location,
    NotFoundError,
    Problem,
    ValidationFailed,
    problems_from_validation,
)
from exoderm.evidence.doi import is_valid_doi, normalise_doi
from exoderm.evidence.import_files import ParsedFiles, Row, parse_files
from exoderm.evidence.knowledge_base import KnowledgeBase, name_key
from exoderm.evidence.loading import invalidate_cache, load_knowledge_base
from exoderm.evidence.model import ID_PREFIX, EvidenceLevel, NodeKind, Predicate
from exoderm.evidence.records import (
    EvidenceClaim,
    EvidenceImport,
    EvidenceNode,
    EvidenceReference,
)

IMPORT_ROLES = (Role.admin, Role.scientist)


class NodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(min_length=3, max_length=200)
    kind: NodeKind
    name: str = Field(min_length=1, max_length=300)
    synonyms: list[str] = []
    description: str = ""


class ReferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(min_length=1, max_length=200)
    authors: list[str] = []
    year: int | None = Field(default=None, ge=1800, le=2100)
    title: str = Field(min_length=1)
    journal: str = ""
    volume: str = ""
    pages: str = ""
    doi: str | None = None
    pmid: str | None = Field(default=None, pattern=r"^[0-9]{1,9}$")
    study_type: str = ""
    url: str | None = None

    @field_validator("year", mode="before")
    @classmethod
    def _blank_year(cls, value: Any) -> Any:
        return None if value in ("", None) else value

    @field_validator("volume", "pages", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return "" if value is None else str(value)


class ClaimIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str | None = Field(default=None, max_length=200)
    subject: str = Field(min_length=1)
    predicate: str = Field(min_length=1)
    object: str = Field(min_length=1)
    negated: bool = False
    quote: str = ""
    location: str = ""
    area: str | None = None
    references: list[str] = []
    evidence_level: str = Field(min_length=1)
    model_system: str = ""
    notes: str = ""
    relevance: float = Field(default=1.0, gt=0, le=1)
    effect_size: str = ""
    contradicts: list[str] = []


@dataclass(slots=True)
class ImportPlan:
    """A validated import, ready to write."""

    nodes: list[NodeIn] = field(default_factory=list)
    references: list[ReferenceIn] = field(default_factory=list)
    claims: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ImportResult:
    import_id: int
    nodes: int
    references: int
    claims: int


def _loc(row: Row, fld: str | None = None) -> Location:
    return Location(row.file, row.line or None, fld)


def _pydantic_problems(row: Row, exc: ValidationError) -> list[Problem]:
    return problems_from_validation(exc, file=row.file, line=row.line or None)


class _Validator:
    def __init__(self, kb: KnowledgeBase, parsed: ParsedFiles) -> None:
        self.kb = kb
        self.parsed = parsed
        self.problems: list[Problem] = list(parsed.problems)
        self.plan = ImportPlan()
        self.new_nodes: dict[str, NodeIn] = {}
        self.new_keys: dict[str, str] = {}
        self.ref_ids: set[str] = set()

    def run(self) -> ImportPlan:
        for row in self.parsed.nodes:
            self._node(row)
        seen: dict[str, str] = {f"DOI {r.doi}": r.id for r in self.kb.references() if r.doi}
        seen |= {f"PMID {r.pmid}": r.id for r in self.kb.references() if r.pmid}
        for row in self.parsed.references:
            self._reference(row, seen)
        claim_ids: set[str] = set()
        for k, row in enumerate(self.parsed.claims, start=1):
            self._claim(row, k, claim_ids)
        if self.problems:
            files = sorted({str(p.location.file) for p in self.problems if p.location.file})
            raise ValidationFailed(self.problems, subject=", ".join(files) or "import")
        return self.plan

    def _node(self, row: Row) -> None:
        try:
            node = NodeIn.model_validate(row.data)
        except ValidationError as exc:
            self.problems += _pydantic_problems(row, exc)
            return
        prefix = ID_PREFIX[node.kind]
        if not node.id.startswith(f"{prefix}:"):
            self.problems.append(
                Problem(
                    f"node id '{node.id}' does not match its kind",
                    _loc(row, "id"),
                    f"an id starting with '{prefix}:'",
                )
            )
        elif self.kb.has_node(node.id) or node.id in self.new_nodes:
            self.problems.append(Problem(f"duplicate node id '{node.id}'", _loc(row, "id")))
        else:
            self.new_nodes[node.id] = node
            for label in (node.name, *node.synonyms):
                self.new_keys.setdefault(name_key(label), node.id)
            self.plan.nodes.append(node)

    def _reference(self, row: Row, seen: dict[str, str]) -> None:
        data = dict(row.data)
        if data.get("doi"):
            data["doi"] = normalise_doi(str(data["doi"]))
        try:
            ref = ReferenceIn.model_validate(data)
        except ValidationError as exc:
            self.problems += _pydantic_problems(row, exc)
            return
        ok = True
        if ref.doi is not None and not is_valid_doi(ref.doi):
            self.problems.append(
                Problem(
                    f"malformed DOI '{row.data.get('doi')}'",
                    _loc(row, "doi"),
                    "10.<registrant>/<suffix>",
                )
            )
            ok = False
        if ref.id in self.ref_ids or self._known_reference(ref.id):
            self.problems.append(Problem(f"duplicate reference '{ref.id}'", _loc(row, "id")))
            ok = False
        else:
            ids = (("doi", ref.doi, f"DOI {ref.doi}"), ("pmid", ref.pmid, f"PMID {ref.pmid}"))
            for field, value, key in ids:
                if value and key in seen:
                    self.problems.append(
                        Problem(
                            f"duplicate reference: {key} is already reference '{seen[key]}'",
                            _loc(row, field),
                        )
                    )
                    ok = False
        if ok:
            self.ref_ids.add(ref.id)
            seen |= {f"DOI {ref.doi}": ref.id} if ref.doi else {}
            seen |= {f"PMID {ref.pmid}": ref.id} if ref.pmid else {}
            self.plan.references.append(ref)

    def _known_reference(self, ref_id: str) -> bool:
        try:
            self.kb.reference(ref_id)
        except NotFoundError:
            return False
        return True

    def _resolve(self, row: Row, fld: str, name: str) -> str | None:
        if name in self.new_nodes:
            return name
        new = self.new_keys.get(name_key(name))
        if new:
            return new
        try:
            return self.kb.resolve(name).id
        except NotFoundError as exc:
            self.problems.append(Problem(str(exc), _loc(row, fld)))
            return None

    def _claim(self, row: Row, k: int, claim_ids: set[str]) -> None:
        try:
            claim = ClaimIn.model_validate(row.data)
        except ValidationError as exc:
            self.problems += _pydantic_problems(row, exc)
            return
        before = len(self.problems)
        subject = self._resolve(row, "subject", claim.subject)
        obj = self._resolve(row, "object", claim.object)
        if claim.predicate not in Predicate.__members__.values():
            allowed = ", ".join(p.value for p in Predicate)
            self.problems.append(
                Problem(
                    f"unknown predicate '{claim.predicate}'",
                    _loc(row, "predicate"),
                    f"one of: {allowed}",
                )
            )
        if claim.evidence_level not in EvidenceLevel.__members__.values():
            allowed = ", ".join(e.value for e in EvidenceLevel)
            self.problems.append(
                Problem(
                    f"unknown evidence level '{claim.evidence_level}'",
                    _loc(row, "evidence_level"),
                    f"one of: {allowed}",
                )
            )
        if subject is not None and subject == obj:
            self.problems.append(
                Problem(
                    f"self-loop: subject and object are both '{subject}'",
                    _loc(row, "object"),
                    "two different nodes",
                )
            )
        for key in claim.references:
            if key not in self.ref_ids and not self._known_reference(key):
                self.problems.append(
                    Problem(
                        f"unknown reference '{key}'",
                        _loc(row, "references"),
                        "a reference id from this import or the seed",
                    )
                )
        area = self._resolve(row, "area", claim.area) if claim.area else None
        digest = hashlib.sha256(f"{row.file}:{k}:{claim.model_dump_json()}".encode()).hexdigest()
        claim_id = claim.id or f"imp-{digest[:12]}"
        if claim_id in claim_ids or self._known_claim(claim_id):
            self.problems.append(Problem(f"duplicate claim id '{claim_id}'", _loc(row, "id")))
        claim_ids.add(claim_id)
        for other in claim.contradicts:
            if other not in claim_ids and not self._known_claim(other):
                self.problems.append(
                    Problem(
                        f"'contradicts' names unknown claim '{other}'", _loc(row, "contradicts")
                    )
                )
        if len(self.problems) == before:
            self.plan.claims.append(
                claim.model_dump()
                | {"id": claim_id, "subject": subject, "object": obj, "area": area}
            )

    def _known_claim(self, claim_id: str) -> bool:
        try:
            self.kb.claim(claim_id)
        except NotFoundError:
            return False
        return True


def validate_import(session: Session | None, paths: list[Path]) -> ImportPlan:
    """Parse and check the files against the current knowledge base; raise on any problem."""
    kb = load_knowledge_base(session)
    return _Validator(kb, parse_files(paths)).run()


def import_evidence(session: Session, paths: list[Path], actor: Actor) -> ImportResult:
    """Validate ``paths`` completely, then write nodes, references and claims together."""
    actor.require(*IMPORT_ROLES, action="import evidence")
    plan = validate_import(session, paths)
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    batch = EvidenceImport(
        filename=", ".join(p.name for p in paths)[:500],
        sha256=digest.hexdigest(),
        imported_by=actor.username,
        claim_count=len(plan.claims),
        reference_count=len(plan.references),
        node_count=len(plan.nodes),
    )
    session.add(batch)
    session.flush()
    _write(session, batch.id, plan)
    audit(
        session,
        actor=actor.username,
        action="evidence.import",
        subject_type="evidence_import",
        subject_id=batch.id,
        organisation_id=actor.organisation_id,
        detail={"files": [str(p) for p in paths], "claims": len(plan.claims)},
    )
    session.flush()
    invalidate_cache()
    return ImportResult(batch.id, len(plan.nodes), len(plan.references), len(plan.claims))


def import_rows(
    session: Session,
    actor: Actor,
    *,
    references: list[dict[str, Any]],
    claims: list[dict[str, Any]],
    source: str,
) -> ImportResult:
    """Validate references and claims given as rows (as a file would hold them), then
    write them as one import with the same checks and audit event as :func:`import_evidence`.

    ``source`` names the rows in problems and in the import's ``filename``.
    """
    actor.require(*IMPORT_ROLES, action="import evidence")
    parsed = ParsedFiles(
        references=[Row(r, source, 0, "references") for r in references],
        claims=[Row(c, source, 0, "claims") for c in claims],
    )
    plan = _Validator(load_knowledge_base(session), parsed).run()
    digest = hashlib.sha256(repr((references, claims)).encode()).hexdigest()
    batch = EvidenceImport(
        filename=source[:500],
        sha256=digest,
        imported_by=actor.username,
        claim_count=len(plan.claims),
        reference_count=len(plan.references),
        node_count=0,
    )
    session.add(batch)
    session.flush()
    _write(session, batch.id, plan)
    audit(
        session,
        actor=actor.username,
        action="evidence.import",
        subject_type="evidence_import",
        subject_id=batch.id,
        organisation_id=actor.organisation_id,
        detail={"files": [source], "claims": len(plan.claims)},
    )
    session.flush()
    invalidate_cache()
    return ImportResult(batch.id, 0, len(plan.references), len(plan.claims))


def _write(session: Session, import_id: int, plan: ImportPlan) -> None:
    for node in plan.nodes:
        session.add(
            EvidenceNode(
                node_key=node.id,
                import_id=import_id,
                kind=node.kind.value,
                name=node.name,
                synonyms=node.synonyms,
                description=node.description,
            )
        )
    for ref in plan.references:
        session.add(
            EvidenceReference(
                ref_key=ref.id,
                import_id=import_id,
                authors=ref.authors,
                year=ref.year,
                title=ref.title,
                journal=ref.journal,
                volume=ref.volume,
                pages=ref.pages,
                doi=ref.doi,
                pmid=ref.pmid,
                study_type=ref.study_type,
                url=ref.url,
            )
        )
    for c in plan.claims:
        session.add(
            EvidenceClaim(
                claim_key=c["id"],
                import_id=import_id,
                subject=c["subject"],
                predicate=c["predicate"],
                object=c["object"],
                negated=c["negated"],
                quote=c["quote"],
                location=c["location"],
                area=c["area"],
                evidence_level=c["evidence_level"],
                model_system=c["model_system"],
                notes=c["notes"],
                relevance=c["relevance"],
                effect_size=c["effect_size"],
                reference_keys=c["references"],
                contradicts=c["contradicts"],
            )
        )
