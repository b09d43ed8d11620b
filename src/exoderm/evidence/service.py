"""The evidence capability's verbs: what the CLI, the API and the web pages ask of it.

Every function takes the caller's ``session`` and the acting ``actor``, checks the role,
and answers with a Read model of :mod:`exoderm.evidence.reads`.

**Caching.** The knowledge base in force is the shipped seed merged with the database's
imported claims. :func:`knowledge_base` asks :func:`exoderm.evidence.load_knowledge_base`,
which keeps one built knowledge base per database and latest import (one cheap
``max(id)`` query per call), so an import is seen by the next request of every process
and no face keeps a cache of its own.

**Organisations.** The knowledge graph is shared: imported claims, references and nodes
carry no organisation, and every role of every organisation reads the same graph
(curated literature is not tenant data). Only admins and scientists may import; each
import is written to the audit log with the importer's organisation.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import record as audit
from exoderm.accounts.records import Role
from exoderm.errors import ValidationFailed
from exoderm.evidence.bibliography import BibFormat, format_references
from exoderm.evidence.cargo import (
    CargoCarrierRead,
    CargoDetectionRead,
    CargoFilter,
    CargoImportRead,
    CargoSourceRead,
)
from exoderm.evidence.cargo_import import import_cargo_file
from exoderm.evidence.cargo_query import carriers_of, detected_in, source_table
from exoderm.evidence.cargo_sources import (
    SourceMapping,
    check_nodes,
    resolve_source,
    shipped_mapping,
)
from exoderm.evidence.curation import IMPORT_ROLES, import_evidence
from exoderm.evidence.export import ExportFormat
from exoderm.evidence.export import export_graph as write_graph
from exoderm.evidence.knowledge_base import KnowledgeBase
from exoderm.evidence.loading import load_knowledge_base
from exoderm.evidence.model import NodeKind, Predicate
from exoderm.evidence.reads import (
    AssociationRead,
    ClaimDetailRead,
    ClaimRead,
    ConflictRead,
    EffectRead,
    ExportRead,
    GlossaryRead,
    ImportRead,
    NodeDetailRead,
    NodeRead,
    PathRead,
    ReferenceDetailRead,
    ReferenceRead,
    SearchHitRead,
)
from exoderm.evidence.review import (
    CandidateEdits,
    CandidateRead,
    CurationBatchRead,
    Decision,
    candidate_page,
    decide,
    store_candidates,
)
from exoderm.evidence.rwe import RealWorldClaimRead, replace_all, stored
from exoderm.storage.paging import FIRST_PAGE, Page, PageQuery, page_of_list

#: Every role reads the evidence graph (the ``evidence:read`` scope of each role).
READ_ROLES: tuple[Role, ...] = tuple(Role)

__all__ = [
    "IMPORT_ROLES",
    "READ_ROLES",
    "cargo_carriers",
    "cargo_in_source",
    "cargo_sources",
    "conflicts",
    "effects",
    "explain",
    "export_graph",
    "export_references",
    "get_claim",
    "get_node",
    "get_reference",
    "glossary",
    "import_cargo",
    "import_claims",
    "import_pubmed",
    "knowledge_base",
    "list_claims",
    "list_nodes",
    "list_references",
    "paths",
    "real_world_claims",
    "resolve",
    "review_candidate",
    "review_queue",
    "search",
    "stats",
    "store_real_world_claims",
]


def knowledge_base(session: Session, actor: Actor) -> KnowledgeBase:
    """The knowledge base in force: the seed merged with the database's imports.

    Parameters
    ----------
    session : Session
        An open session of the database whose imports count.
    actor : Actor
        Who asks; every role may read.

    Returns
    -------
    KnowledgeBase
        Cached per database and latest import; the same object until the next import.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     kb = knowledge_base(s, Actor("ada", Role.viewer, organisation_id=1))
    >>> kb.resolve("ADSC").id
    'source:adipose-msc'
    """
    actor.require(*READ_ROLES, action="read evidence")
    return load_knowledge_base(session)


def search(session: Session, actor: Actor, *, text: str, limit: int = 20) -> list[SearchHitRead]:
    """Nodes, then claims (strongest first), then references containing every word.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    text : str
        The words; the last may be a prefix.
    limit : int
        Most hits returned.

    Returns
    -------
    list of SearchHitRead
        Best first; claim hits say whether they are disputed.

    References
    ----------
    .. [1] Manning, C. D., Raghavan, P. & Schütze, H. (2008). Introduction to Information
       Retrieval, ch. 1 "Boolean retrieval" and ch. 3 "Tolerant retrieval" (prefix
       queries). Cambridge University Press.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     hits = search(s, Actor("ada", Role.viewer, organisation_id=1), text="collagen")
    >>> hits[0].kind
    'node'
    """
    kb = knowledge_base(session, actor)
    return [SearchHitRead.of(h, kb) for h in kb.search(text, limit)]


def list_nodes(
    session: Session,
    actor: Actor,
    *,
    kind: NodeKind | None = None,
    q: str | None = None,
    page: PageQuery = FIRST_PAGE,
) -> Page[NodeRead]:
    """Nodes of one kind (or all), whose name or a synonym contains ``q``, by name.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    kind : NodeKind, optional
        Only nodes of this kind.
    q : str, optional
        A case-insensitive substring of the name or of a synonym.
    page : PageQuery
        Which page.

    Returns
    -------
    Page of NodeRead
        Sorted by name, case-insensitively.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     found = list_nodes(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                        kind=NodeKind.EV_SOURCE, q="adipose MSC")
    >>> found.items[0].id
    'source:adipose-msc'
    """
    found = knowledge_base(session, actor).nodes(kind)
    if q:
        needle = q.lower()
        found = [
            n
            for n in found
            if needle in n.name.lower() or any(needle in s.lower() for s in n.synonyms)
        ]
    items, total = page_of_list(sorted(found, key=lambda n: n.name.lower()), page)
    return Page[NodeRead](
        items=[NodeRead.of(n) for n in items], total=total, limit=page.limit, offset=page.offset
    )


def resolve(session: Session, actor: Actor, *, name: str) -> NodeRead:
    """The node a name, synonym, abbreviation or id means.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    name : str
        What the user typed.

    Returns
    -------
    NodeRead
        When a name fits several nodes, a concern wins over an EV source, and so on
        (:data:`exoderm.evidence.knowledge_base.RESOLUTION_ORDER`).

    Raises
    ------
    NotFoundError
        No node has that name; the message suggests close names.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     resolve(s, Actor("ada", Role.viewer, organisation_id=1), name="ADSC").id
    'source:adipose-msc'
    """
    return NodeRead.of(knowledge_base(session, actor).resolve(name))


def get_node(session: Session, actor: Actor, *, node_id: str) -> NodeDetailRead:
    """A node by id, with the claims from it and to it.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    node_id : str
        The node's id, e.g. ``source:adipose-msc``.

    Returns
    -------
    NodeDetailRead
        The node and its claims, strongest first.

    Raises
    ------
    NotFoundError
        No node has that id.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     node = get_node(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                     node_id="source:adipose-msc")
    >>> node.name, len(node.claims_from) > 0
    ('adipose MSC exosomes', True)
    """
    kb = knowledge_base(session, actor)
    n = kb.node(node_id)
    return NodeDetailRead(
        **NodeRead.of(n).model_dump(),
        claims_from=[ClaimRead.of(c, kb) for c in kb.claims(subject=n.id)],
        claims_to=[ClaimRead.of(c, kb) for c in kb.claims(object=n.id)],
    )


def list_claims(
    session: Session,
    actor: Actor,
    *,
    subject: str | None = None,
    predicate: Predicate | None = None,
    object: str | None = None,
    page: PageQuery = FIRST_PAGE,
) -> Page[ClaimRead]:
    """Claims matching every given field, strongest first.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    subject, object : str, optional
        A node's name or id.
    predicate : Predicate, optional
        The claim's predicate.
    page : PageQuery
        Which page.

    Returns
    -------
    Page of ClaimRead
        Each claim with its citation and whether it is disputed.

    References
    ----------
    .. [1] Ochoa, D. et al. (2021). Open Targets Platform: supporting systematic
       drug-target identification and prioritisation. Nucleic Acids Research 49(D1),
       D1302-D1310. doi:10.1093/nar/gkaa1027

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     page = list_claims(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                        subject="ADSC", page=PageQuery(limit=1))
    >>> page.items[0].subject, page.total > 1
    ('source:adipose-msc', True)
    """
    kb = knowledge_base(session, actor)
    found = kb.claims(
        subject=subject, predicate=predicate.value if predicate else None, object=object
    )
    items, total = page_of_list(found, page)
    return Page[ClaimRead](
        items=[ClaimRead.of(c, kb) for c in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def get_claim(session: Session, actor: Actor, *, claim_id: str) -> ClaimDetailRead:
    """A claim with its quote, references and every conflict it takes part in.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    claim_id : str
        The claim's id.

    Returns
    -------
    ClaimDetailRead
        The claim and its conflicts (a claim is never shown without its dispute).

    Raises
    ------
    NotFoundError
        No claim has that id.

    References
    ----------
    .. [1] Howick, J. et al. (2011). The Oxford 2011 Levels of Evidence. Oxford Centre
       for Evidence-Based Medicine (OCEBM Levels of Evidence Working Group).

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     claim = get_claim(s, Actor("ada", Role.viewer, organisation_id=1), claim_id="wp-053")
    >>> claim.disputed, len(claim.conflicts) > 0
    (True, True)
    """
    kb = knowledge_base(session, actor)
    c = kb.claim(claim_id)
    return ClaimDetailRead(
        **ClaimRead.of(c, kb).model_dump(),
        conflicts=[ConflictRead.of(x, kb) for x in kb.conflicts_for(c.id)],
    )


def explain(
    session: Session,
    actor: Actor,
    *,
    source: str,
    target: str,
    max_hops: int = 5,
    limit: int = 10,
) -> AssociationRead:
    """The association source → target: direct claims and inferred paths, scored.

    Supporting and refuting evidence are scored apart (harmonic sums per data type,
    then over types) and never netted; the score ranks, it is not a probability.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    source, target : str
        Names or ids of the two nodes.
    max_hops : int
        Longest path considered.
    limit : int
        Most paths returned.

    Returns
    -------
    AssociationRead
        Scores, direct claims, paths of two or more hops, refuting claims, conflicts on
        the way, and every term of the score as text.

    References
    ----------
    .. [1] Ochoa, D. et al. (2021). Open Targets Platform: supporting systematic
       drug-target identification and prioritisation. Nucleic Acids Research 49(D1),
       D1302-D1310. doi:10.1093/nar/gkaa1027

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     a = explain(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                 source="ADSC", target="wrinkles", max_hops=3, limit=2)
    >>> a.target.id, a.score > 0
    ('concern:wrinkles', True)
    """
    kb = knowledge_base(session, actor)
    read = AssociationRead.of(kb.association(source, target, max_hops=max_hops, limit=limit), kb)
    read.real_world = stored(session, exposure=read.source.id, concern=read.target.id)
    return read


def paths(
    session: Session,
    actor: Actor,
    *,
    source: str,
    target: str,
    max_hops: int = 5,
    limit: int = 10,
) -> list[PathRead]:
    """Every simple path source → … → target (direct edges included), strongest first.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    source, target : str
        Names or ids of the two nodes.
    max_hops : int
        Longest path considered.
    limit : int
        Most paths returned.

    Returns
    -------
    list of PathRead
        Each path's score is its weakest step × 0.9^(hops − 1); each hop is fully cited.

    References
    ----------
    .. [1] Ochoa, D. et al. (2021). Open Targets Platform: supporting systematic
       drug-target identification and prioritisation. Nucleic Acids Research 49(D1),
       D1302-D1310. doi:10.1093/nar/gkaa1027
    .. [2] Yen, J. Y. (1971). Finding the K shortest loopless paths in a network.
       Management Science 17(11), 712-716. doi:10.1287/mnsc.17.11.712

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     found = paths(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                   source="ADSC", target="wrinkles", max_hops=2, limit=1)
    >>> found[0].nodes[0].id, found[0].nodes[-1].id
    ('source:adipose-msc', 'concern:wrinkles')
    """
    kb = knowledge_base(session, actor)
    return [PathRead.of(p, kb) for p in kb.paths(source, target, max_hops=max_hops, limit=limit)]


def conflicts(session: Session, actor: Actor) -> list[ConflictRead]:
    """Every disputed claim, with the claims and sources on both sides.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.

    Returns
    -------
    list of ConflictRead
        By disputed claim id.

    References
    ----------
    .. [1] Guyatt, G. H. et al. (2008). GRADE: an emerging consensus on rating quality of
       evidence and strength of recommendations. BMJ 336(7650), 924-926.
       doi:10.1136/bmj.39489.470347.AD

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     found = conflicts(s, Actor("ada", Role.viewer, organisation_id=1))
    >>> found[0].claim.id
    'wp-053'
    """
    kb = knowledge_base(session, actor)
    return [ConflictRead.of(c, kb) for c in kb.conflicts()]


def list_references(
    session: Session, actor: Actor, *, page: PageQuery = FIRST_PAGE
) -> Page[ReferenceRead]:
    """References of the graph, by first author and year.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    page : PageQuery
        Which page.

    Returns
    -------
    Page of ReferenceRead
        Each with its one-line citation.

    References
    ----------
    .. [1] International Organization for Standardization (2010). ISO 690:2010
       Information and documentation — Guidelines for bibliographic references and
       citations to information resources.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     refs = list_references(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                            page=PageQuery(limit=1))
    >>> len(refs.items), refs.total > 1
    (1, True)
    """
    items, total = page_of_list(knowledge_base(session, actor).references(), page)
    return Page[ReferenceRead](
        items=[ReferenceRead.of(r) for r in items],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def get_reference(session: Session, actor: Actor, *, ref_id: str) -> ReferenceDetailRead:
    """One reference and the claims that cite it.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    ref_id : str
        The reference's id.

    Returns
    -------
    ReferenceDetailRead
        The record, its citation and the citing claims' ids.

    Raises
    ------
    NotFoundError
        No reference has that id.

    References
    ----------
    .. [1] International Organization for Standardization (2010). ISO 690:2010
       Information and documentation — Guidelines for bibliographic references and
       citations to information resources.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     ref = get_reference(s, Actor("ada", Role.viewer, organisation_id=1), ref_id="aims2025")
    >>> ref.id
    'aims2025'
    """
    kb = knowledge_base(session, actor)
    ref = kb.reference(ref_id)
    return ReferenceDetailRead(
        **ReferenceRead.of(ref).model_dump(), cited_by=[c.id for c in kb.cited_by(ref.id)]
    )


def export_references(session: Session, actor: Actor, *, fmt: BibFormat) -> str:
    """Every reference as BibTeX, RIS or CSL-JSON text.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    fmt : BibFormat
        ``bibtex``, ``ris`` or ``csljson``.

    Returns
    -------
    str
        The whole bibliography in that format.

    References
    ----------
    .. [1] Patashnik, O. (1988). BibTeXing. CTAN documentation of BibTeX 0.99.
    .. [2] Research Information Systems (2012). RIS format specifications (RefMan).
    .. [3] Citation Style Language (2020). CSL-JSON schema, CSL 1.0.2 specification.

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     text = export_references(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                              fmt=BibFormat.RIS)
    >>> text.startswith("TY  - ")
    True
    """
    return format_references(knowledge_base(session, actor).references(), fmt)


def effects(session: Session, actor: Actor, *, area: str | None = None) -> list[EffectRead]:
    """The whitepaper's "Dermal effects" items of every area, or of one area.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    area : str, optional
        An application area's name or id.

    Returns
    -------
    list of EffectRead
        Each item with its area, node and location in the whitepaper.

    Raises
    ------
    NotFoundError
        ``area`` names no application area; the message lists them.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     items = effects(s, Actor("ada", Role.viewer, organisation_id=1), area="wound healing")
    >>> items[0].area
    'area:wound-healing'
    """
    kb = knowledge_base(session, actor)
    return [EffectRead.of(i, kb) for i in kb.effects(area)]


def glossary(session: Session, actor: Actor) -> list[GlossaryRead]:
    """Every abbreviation with its expansion (the whitepaper's list first).

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.

    Returns
    -------
    list of GlossaryRead
        In the order of the seed.

    References
    ----------
    .. [1] Théry, C. et al. (2018). Minimal information for studies of extracellular
       vesicles 2018 (MISEV2018). Journal of Extracellular Vesicles 7(1), 1535750.
       doi:10.1080/20013078.2018.1535750

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     entries = glossary(s, Actor("ada", Role.viewer, organisation_id=1))
    >>> len(entries) > 0
    True
    """
    return [GlossaryRead.of(g) for g in knowledge_base(session, actor).glossary]


def stats(session: Session, actor: Actor) -> dict[str, int | str]:
    """Counts of the knowledge base: nodes, claims, references, conflicts, by kind.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.

    Returns
    -------
    dict of str to int or str
        ``version`` and the counts; ``nodes.<kind>``, ``claims.<level>``,
        ``origin.<seed|import>`` break them down.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     counts = stats(s, Actor("ada", Role.viewer, organisation_id=1))
    >>> counts["claims"] == counts["origin.seed"]
    True
    """
    return knowledge_base(session, actor).stats()


def import_claims(session: Session, actor: Actor, *, paths: list[Path]) -> ImportRead:
    """Import curated claims, references and nodes: validate all, then write all.

    Every file is parsed and checked against the knowledge base in force first; any
    problem (each named with file, line and field) writes nothing. A clean import is
    written in the caller's transaction with one audit event (``evidence.import``).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin or a scientist.
    paths : list of Path
        Claims (``.csv``, ``.yaml``) and references (``.bib``, ``.ris``).

    Returns
    -------
    ImportRead
        The import's id and how many nodes, references and claims it added.

    Raises
    ------
    PermissionDenied
        The actor may not import.
    ValidationFailed
        Any problem in any file.

    References
    ----------
    .. [1] International Organization for Standardization (2022). ISO/IEC 27001:2022
       Information security management systems, Annex A 8.15 "Logging".
    .. [2] OWASP Foundation (2025). Application Security Verification Standard 5.0,
       V8 "Authorization".

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "c.csv").write_text(
    ...     "id,subject,predicate,object,evidence_level\\n"
    ...     "imp-doc-1,ADSC,reduces,wrinkles,in_vitro\\n")
    >>> with scratch_database().transaction() as s:
    ...     import_claims(s, Actor("sam", Role.scientist),
    ...                   paths=[folder / "c.csv"]).claims
    1
    """
    result = import_evidence(session, paths, actor)
    return ImportRead(
        import_id=result.import_id,
        nodes=result.nodes,
        references=result.references,
        claims=result.claims,
    )


def export_graph(session: Session, actor: Actor, *, fmt: ExportFormat, out: Path) -> ExportRead:
    """Write the graph as KGX (TSV or JSON Lines, Biolink slots) or GraphML.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read (and so export) the shared graph.
    fmt : ExportFormat
        ``kgx-tsv``, ``kgx-jsonl`` or ``graphml``.
    out : Path
        A directory (KGX: a node file and an edge file) or a ``.graphml`` file.

    Returns
    -------
    ExportRead
        The format and the files written.

    References
    ----------
    .. [1] Unni, D. R. et al. (2022). Biolink Model: a universal schema for knowledge
       graphs in clinical, biomedical, and translational science. Clinical and
       Translational Science 15(8), 1848-1855. doi:10.1111/cts.13302
    .. [2] Brandes, U. et al. (2002). GraphML progress report: structural layer proposal.
       Graph Drawing 2001, LNCS 2265, 501-512. doi:10.1007/3-540-45848-4_59

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> out = Path(tempfile.mkdtemp())
    >>> with scratch_database().reader() as s:
    ...     done = export_graph(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                         fmt=ExportFormat.KGX_TSV, out=out)
    >>> [p.name for p in done.files]
    ['exoderm_evidence_nodes.tsv', 'exoderm_evidence_edges.tsv']
    """
    chosen = ExportFormat(fmt)
    files = write_graph(knowledge_base(session, actor), chosen, out)
    return ExportRead(format=chosen.value, files=files)


# --------------------------------------------------------------------------- cargo layer
def _cargo_mapping(session: Session, actor: Actor) -> tuple[KnowledgeBase, SourceMapping]:
    kb = knowledge_base(session, actor)
    mapping = shipped_mapping()
    problems = check_nodes(mapping, kb)
    if problems:
        raise ValidationFailed(problems, subject="EV-source mapping")
    return kb, mapping


def import_cargo(session: Session, actor: Actor, *, path: Path) -> CargoImportRead:
    """Import an EV cargo table (Parquet): every row checked, then all written or none.

    A file whose SHA-256 was imported before changes nothing (``already_imported``).
    Otherwise every row is checked and normalised first; any malformed row (named by its
    1-based row number and column) writes nothing; a clean file is written in the
    caller's transaction with one audit event (``evidence.cargo_import``).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin or a scientist.
    path : Path
        A Parquet file with the columns of the harmonised Vesiclepedia/ExoCarta/EV-TRACK
        snapshot (``working_id``, ``molecule_type``, ``species``, ``sample_name``,
        ``method``, ``vesicle``, ``disease``, ``year``, ``pmid``, ``characterization``,
        ``ev_metric``, ``source``; optionally ``experiment_id``, ``isolation_method``),
        or a folder of a repository's bulk files (Vesiclepedia 5.1, ExoCarta 5:
        ``*_PROTEIN_MRNA_DETAILS_*``, ``*_MIRNA_DETAILS_*`` joined on ``EXPERIMENT ID``
        to ``*_EXPERIMENT_DETAILS_*``); problems then name the bulk file and line.

    Returns
    -------
    CargoImportRead
        The import's id, the file's SHA-256, its row count and the seconds taken.

    Raises
    ------
    PermissionDenied
        The actor may not import.
    UserInputError
        Not a Parquet file or a release folder, or a column missing.
    ValidationFailed
        Malformed rows (or bulk lines whose experiment is missing).

    References
    ----------
    .. [1] Kalra, H. et al. (2012). Vesiclepedia: a compendium for extracellular vesicles
       with continuous community annotation. PLoS Biology 10(12), e1001450.
       doi:10.1371/journal.pbio.1001450
    .. [2] Keerthikumar, S. et al. (2016). ExoCarta: a web-based compendium of exosomal
       cargo. Journal of Molecular Biology 428(4), 688-692. doi:10.1016/j.jmb.2015.09.019
    .. [3] EV-TRACK Consortium (2017). EV-TRACK: transparent reporting and centralizing
       knowledge in extracellular vesicle research. Nature Methods 14(3), 228-232.
       doi:10.1038/nmeth.4185

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.evidence.cargo_import import write_cargo_parquet
    >>> from exoderm.storage.scratch import scratch_database
    >>> f = write_cargo_parquet(Path(tempfile.mkdtemp()) / "c.parquet",
    ...     [{"working_id": "TIMP1", "sample_name": "Keratinocytes", "pmid": "1",
    ...       "source": "ExoCarta"}])
    >>> db, sam = scratch_database(), Actor("sam", Role.scientist)
    >>> with db.transaction() as s:
    ...     first = import_cargo(s, sam, path=f)
    >>> with db.transaction() as s:
    ...     again = import_cargo(s, sam, path=f)
    >>> first.rows, first.already_imported, again.already_imported
    (1, False, True)
    """
    actor.require(*IMPORT_ROLES, action="import EV cargo")
    result = import_cargo_file(session, path, imported_by=actor.username)
    if not result.already_imported:
        audit(
            session,
            actor=actor.username,
            action="evidence.cargo_import",
            subject_type="evidence_cargo_import",
            subject_id=result.import_id,
            organisation_id=actor.organisation_id,
            detail={"file": result.filename, "sha256": result.sha256, "rows": result.rows},
        )
        session.flush()
    return result


def cargo_sources(
    session: Session, actor: Actor, *, unmapped_only: bool = False
) -> list[CargoSourceRead]:
    """The sample sources of the imported cargo, each with the EV-source node it maps to.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    unmapped_only : bool
        Only the sample names no reviewed pattern matches (the next review's work).

    Returns
    -------
    list of CargoSourceRead
        Most rows first, with row and study counts.

    References
    ----------
    .. [1] Kalra, H. et al. (2012). Vesiclepedia: a compendium for extracellular vesicles
       with continuous community annotation. PLoS Biology 10(12), e1001450.
       doi:10.1371/journal.pbio.1001450
    .. [2] Keerthikumar, S. et al. (2016). ExoCarta: a web-based compendium of exosomal
       cargo. Journal of Molecular Biology 428(4), 688-692. doi:10.1016/j.jmb.2015.09.019
    .. [3] EV-TRACK Consortium (2017). EV-TRACK: transparent reporting and centralizing
       knowledge in extracellular vesicle research. Nature Methods 14(3), 228-232.
       doi:10.1038/nmeth.4185

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.evidence.cargo_import import write_cargo_parquet
    >>> from exoderm.storage.scratch import scratch_database
    >>> f = write_cargo_parquet(Path(tempfile.mkdtemp()) / "c.parquet", [
    ...     {"working_id": "CD63", "sample_name": "Bovine milk", "source": "Vesiclepedia"},
    ...     {"working_id": "CD9", "sample_name": "Moon dust", "source": "Vesiclepedia"}])
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = import_cargo(s, Actor("sam", Role.scientist), path=f)
    ...     found = cargo_sources(s, Actor("ada", Role.viewer, organisation_id=1))
    >>> [(x.sample_name, x.node_id) for x in found]
    [('Bovine milk', 'source:milk-bovine'), ('Moon dust', None)]
    """
    actor.require(*READ_ROLES, action="read evidence")
    return source_table(session, shipped_mapping(), unmapped_only=unmapped_only)


def cargo_in_source(
    session: Session,
    actor: Actor,
    *,
    source: str,
    filters: CargoFilter | None = None,
    limit: int | None = None,
) -> list[CargoDetectionRead]:
    """What has been detected in the EVs of an EV source, most independent studies first.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    source : str
        An EV-source node: its id with or without ``source:`` or a name (``ADSC``).
    filters : CargoFilter, optional
        Species, vesicle type, isolation method, method, cargo kind.
    limit : int, optional
        Most molecules returned.

    Returns
    -------
    list of CargoDetectionRead
        Each molecule with its independent studies (distinct PMID/DOI), methods,
        repositories and PMIDs.

    Raises
    ------
    UserInputError
        ``source`` is no EV source.

    References
    ----------
    .. [1] Kalra, H. et al. (2012). Vesiclepedia: a compendium for extracellular vesicles
       with continuous community annotation. PLoS Biology 10(12), e1001450.
       doi:10.1371/journal.pbio.1001450
    .. [2] Keerthikumar, S. et al. (2016). ExoCarta: a web-based compendium of exosomal
       cargo. Journal of Molecular Biology 428(4), 688-692. doi:10.1016/j.jmb.2015.09.019
    .. [3] EV-TRACK Consortium (2017). EV-TRACK: transparent reporting and centralizing
       knowledge in extracellular vesicle research. Nature Methods 14(3), 228-232.
       doi:10.1038/nmeth.4185

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.evidence.cargo_import import write_cargo_parquet
    >>> from exoderm.storage.scratch import scratch_database
    >>> f = write_cargo_parquet(Path(tempfile.mkdtemp()) / "c.parquet", [
    ...     {"working_id": "TIMP1", "sample_name": "Adipose-derived mesenchymal stem cells",
    ...       "pmid": pmid, "source": repo}
    ...     for pmid, repo in [("11", "ExoCarta"), ("11", "Vesiclepedia"), ("12", "ExoCarta")]])
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = import_cargo(s, Actor("sam", Role.scientist), path=f)
    ...     hit = cargo_in_source(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                           source="adipose-msc")[0]
    >>> hit.molecule, hit.studies, hit.pmids, hit.rows
    ('TIMP1', 2, ['11', '12'], 3)
    """
    actor.require(*READ_ROLES, action="read evidence")
    kb, mapping = _cargo_mapping(session, actor)
    node_id = resolve_source(source, kb, mapping)
    return detected_in(session, node_id, mapping, filters or CargoFilter(), limit=limit)


def cargo_carriers(
    session: Session,
    actor: Actor,
    *,
    molecule: str,
    filters: CargoFilter | None = None,
    include_unmapped: bool = False,
) -> list[CargoCarrierRead]:
    """Which EV sources carry a molecule (TIMP1, TGFB1, …), most independent studies first.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read.
    molecule : str
        A gene symbol or protein name (case and spacing do not matter).
    filters : CargoFilter, optional
        Species, vesicle type, isolation method, method, cargo kind.
    include_unmapped : bool
        Also list sample sources that map to no EV-source node (tumour lines, body
        fluids, unreviewed names), each under its own sample name.

    Returns
    -------
    list of CargoCarrierRead
        Each source with its sample names, independent studies, methods, species, PMIDs.

    References
    ----------
    .. [1] Kalra, H. et al. (2012). Vesiclepedia: a compendium for extracellular vesicles
       with continuous community annotation. PLoS Biology 10(12), e1001450.
       doi:10.1371/journal.pbio.1001450
    .. [2] Keerthikumar, S. et al. (2016). ExoCarta: a web-based compendium of exosomal
       cargo. Journal of Molecular Biology 428(4), 688-692. doi:10.1016/j.jmb.2015.09.019
    .. [3] EV-TRACK Consortium (2017). EV-TRACK: transparent reporting and centralizing
       knowledge in extracellular vesicle research. Nature Methods 14(3), 228-232.
       doi:10.1038/nmeth.4185

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.evidence.cargo_import import write_cargo_parquet
    >>> from exoderm.storage.scratch import scratch_database
    >>> f = write_cargo_parquet(Path(tempfile.mkdtemp()) / "c.parquet", [
    ...     {"working_id": "Timp1 ", "sample_name": "Keratinocytes", "pmid": "5",
    ...       "source": "Vesiclepedia"},
    ...     {"working_id": "TIMP1", "sample_name": "Melanoma cells", "pmid": "6",
    ...       "source": "Vesiclepedia"}])
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = import_cargo(s, Actor("sam", Role.scientist), path=f)
    ...     found = cargo_carriers(s, Actor("ada", Role.viewer, organisation_id=1),
    ...                            molecule="timp1")
    >>> [(c.node_id, c.studies) for c in found]
    [('source:keratinocyte', 1)]
    """
    actor.require(*READ_ROLES, action="read evidence")
    kb, mapping = _cargo_mapping(session, actor)
    return carriers_of(
        session, molecule, kb, mapping, filters or CargoFilter(), include_unmapped=include_unmapped
    )


def store_real_world_claims(
    session: Session, actor: Actor, *, claims: list[RealWorldClaimRead]
) -> int:
    """Replace the stored real-world claims with ``claims`` (admins; audited).

    Parameters
    ----------
    session : Session
        The caller's transaction: all old claims go and the new ones come in it.
    actor : Actor
        An admin (the aggregate comes from
        :func:`exoderm.clients.service.build_real_world_evidence`).
    claims : list of RealWorldClaimRead
        The pooled cells.

    Returns
    -------
    int
        How many claims are now stored.

    References
    ----------
    .. [1] Guyatt, G. et al. (2011). GRADE guidelines: 1. Introduction. J Clin Epidemiol
       64(4):383–394. doi:10.1016/j.jclinepi.2010.04.026

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().transaction() as s:
    ...     store_real_world_claims(s, Actor("root", Role.admin), claims=[])
    0
    """
    actor.require(Role.admin, action="store real-world evidence")
    count = replace_all(session, claims, built_by=actor.username)
    audit(
        session,
        actor=actor.username,
        action="evidence.rwe-build",
        subject_type="evidence",
        subject_id="real-world",
        organisation_id=actor.organisation_id,
        detail={"claims": count},
    )
    return count


def real_world_claims(
    session: Session,
    actor: Actor,
    *,
    exposure: str | None = None,
    concern: str | None = None,
) -> list[RealWorldClaimRead]:
    """The stored real-world (clinic registry) claims, shown apart from the literature.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        Who asks; every role may read (the claims hold aggregates only).
    exposure, concern : str, optional
        Names or ids of an EV source and a concern to filter by.

    Returns
    -------
    list of RealWorldClaimRead
        Each with n, mean improvement and interval, responders, study type and grade.

    References
    ----------
    .. [1] Sweeney, L. (2002). k-anonymity: a model for protecting privacy. Int J
       Uncertain Fuzziness Knowl-Based Syst 10(5):557–570. doi:10.1142/S0218488502001648

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     real_world_claims(s, Actor("ada", Role.viewer, organisation_id=1), concern="wrinkles")
    []
    """
    kb = knowledge_base(session, actor)
    source = kb.resolve(exposure).id if exposure else None
    target = kb.resolve(concern).id if concern else None
    return stored(session, exposure=source, concern=target)


# --------------------------------------------------------------------------- curation
def import_pubmed(session: Session, actor: Actor, *, path: Path) -> CurationBatchRead:
    """Import a literature search export and store the candidate claims proposed from it.

    The format is detected from the content
    (:func:`exoderm.evidence.search_exports.read_search_export`); the function keeps its
    name from when PubMed XML was the only format read.

    Abstracts are split into sentences; each sentence naming two of the graph's nodes
    around a verb of the predicate lexicon becomes a candidate (negation, hedging and
    the record's study type detected). Nothing enters the graph until a curator
    accepts it (:func:`review_candidate`). One audit event (``evidence.curation_import``).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin or a scientist.
    path : Path
        A search export of at most 20 MB in one of five formats: PubMed/MEDLINE XML
        (``PubmedArticleSet``), PubMed's MEDLINE text format (``.nbib``), a Europe PMC
        REST ``search`` response in JSON (``resultType=core``), RIS, or BibTeX. Every
        record needs a PMID and a title.

    Returns
    -------
    CurationBatchRead
        The batch id, the file's SHA-256 and how many records and candidates it holds.

    Raises
    ------
    PermissionDenied
        The actor may not import.
    UserInputError
        An unrecognised format, malformed XML or JSON, an entity declaration, a file that
        is not UTF-8 (MEDLINE, JSON, RIS, BibTeX), records without a PMID or title (all
        named).

    References
    ----------
    .. [1] National Library of Medicine (2025). PubMed XML DTD, ``pubmed_250101.dtd``.
    .. [2] Europe PMC (2024). Articles RESTful API, ``search`` with ``resultType=core``,
       https://europepmc.org/RestfulWebService
    .. [3] Research Information Systems (2011). RIS Format Specifications.
    .. [4] Patashnik, O. (1988). BibTeXing.
    .. [5] Chapman, W. W. et al. (2001). A simple algorithm for identifying negated
       findings and diseases in discharge summaries. J Biomed Inform 34(5), 301-310.
       doi:10.1006/jbin.2001.1029

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> f = Path(tempfile.mkdtemp()) / "pubmed.xml"
    >>> _ = f.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>"
    ...     "<PMID>1</PMID><Article><ArticleTitle>T.</ArticleTitle><Abstract><AbstractText>"
    ...     "ADSC exosomes reduced IL-6.</AbstractText></Abstract></Article>"
    ...     "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    >>> with scratch_database().transaction() as s:
    ...     batch = import_pubmed(s, Actor("sam", Role.scientist), path=f)
    >>> batch.records, batch.candidates
    (1, 1)
    >>> _ = f.write_text("TY  - JOUR\\nDB  - PubMed\\nAN  - 2\\nTI  - T.\\n"
    ...     "AB  - RESULTS: ADSC exosomes reduced IL-6.\\nER  - \\n")
    >>> with scratch_database().transaction() as s:
    ...     batch = import_pubmed(s, Actor("sam", Role.scientist), path=f)
    >>> batch.records, batch.candidates
    (1, 1)
    """
    actor.require(*IMPORT_ROLES, action="import literature search records")
    batch = store_candidates(session, path, imported_by=actor.username)
    audit(
        session,
        actor=actor.username,
        action="evidence.curation_import",
        subject_type="evidence_curation_batch",
        subject_id=batch.id,
        organisation_id=actor.organisation_id,
        detail={"file": batch.filename, "records": batch.record_count},
    )
    session.flush()
    return CurationBatchRead(
        batch_id=batch.id,
        filename=batch.filename,
        sha256=batch.sha256,
        records=batch.record_count,
        candidates=batch.candidate_count,
    )


def review_queue(
    session: Session,
    actor: Actor,
    *,
    batch_id: int | None = None,
    status: str | None = "pending",
    page: PageQuery = FIRST_PAGE,
) -> Page[CandidateRead]:
    """Candidate claims awaiting review (or in another status), in file order.

    Parameters
    ----------
    session : Session
        An open session.
    actor : Actor
        An admin or a scientist (the curators).
    batch_id : int, optional
        Only this import's candidates.
    status : str, optional
        ``pending`` (default), ``accepted``, ``edited``, ``rejected``, or None for all.
    page : PageQuery
        Which page.

    Returns
    -------
    Page of CandidateRead
        Each with its quote, locator, study type and confidence.

    References
    ----------
    .. [1] International Organization for Standardization (2022). ISO/IEC 27001:2022,
       Annex A 8.15 "Logging".

    Examples
    --------
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> with scratch_database().reader() as s:
    ...     review_queue(s, Actor("sam", Role.scientist)).total
    0
    """
    actor.require(*IMPORT_ROLES, action="review curation candidates")
    return candidate_page(session, batch_id=batch_id, status=status, page=page)


def review_candidate(
    session: Session,
    actor: Actor,
    *,
    candidate_id: int,
    decision: Decision,
    edits: CandidateEdits | None = None,
    note: str = "",
) -> CandidateRead:
    """Accept, edit or reject a candidate; accepted and edited ones become claims.

    The claim quotes the candidate's sentence with its locator and cites the PubMed
    record (added as a reference unless its id or DOI is already known), and passes
    every check of a file import. Each decision is stored and audited
    (``evidence.curation_decision``).

    Parameters
    ----------
    session : Session
        The caller's transaction.
    actor : Actor
        An admin or a scientist.
    candidate_id : int
        The candidate.
    decision : Decision
        ``accept``, ``edit`` (with ``edits``) or ``reject``.
    edits : CandidateEdits, optional
        Subject, predicate, object, negation or evidence level to change.
    note : str
        The curator's reason (kept with the decision).

    Returns
    -------
    CandidateRead
        The candidate with its new status and, when accepted, its claim id.

    Raises
    ------
    NotFoundError
        No such candidate.
    ConflictError
        The candidate was decided before.
    ValidationFailed
        The (edited) claim fails a check, e.g. an unknown node.

    References
    ----------
    .. [1] International Organization for Standardization (2022). ISO/IEC 27001:2022,
       Annex A 8.15 "Logging".

    Examples
    --------
    >>> import tempfile
    >>> from exoderm.accounts.actor import Actor
    >>> from exoderm.accounts.records import Role
    >>> from exoderm.storage.scratch import scratch_database
    >>> f = Path(tempfile.mkdtemp()) / "pubmed.xml"
    >>> _ = f.write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>"
    ...     "<PMID>2</PMID><Article><ArticleTitle>T.</ArticleTitle><Abstract><AbstractText>"
    ...     "ADSC exosomes reduced IL-6.</AbstractText></Abstract></Article>"
    ...     "</MedlineCitation></PubmedArticle></PubmedArticleSet>")
    >>> sam = Actor("sam", Role.scientist)
    >>> with scratch_database().transaction() as s:
    ...     _ = import_pubmed(s, sam, path=f)
    ...     first = review_queue(s, sam).items[0]
    ...     done = review_candidate(s, sam, candidate_id=first.id, decision=Decision.ACCEPT)
    ...     claim = knowledge_base(s, sam).claim(done.claim_id)
    >>> done.status, claim.location
    ('accepted', 'PMID:2, abstract sentence 1')
    """
    actor.require(*IMPORT_ROLES, action="review curation candidates")
    chosen = Decision(decision)
    row, made = decide(
        session, actor, candidate_id=candidate_id, decision=chosen, edits=edits, note=note
    )
    audit(
        session,
        actor=actor.username,
        action="evidence.curation_decision",
        subject_type="evidence_curation_candidate",
        subject_id=row.id,
        organisation_id=actor.organisation_id,
        detail={"decision": chosen.value, "claim": made.claim_key, "edits": made.edits},
        note=note or None,
    )
    session.flush()
    return CandidateRead.of(row)
