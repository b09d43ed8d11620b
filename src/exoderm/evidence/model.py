"""The typed vocabulary of the evidence graph: node kinds, predicates, evidence levels,
and the Node, Reference and Claim records.

Why: design, personalisation, QC and simulation all read this graph, so every edge must
say what it asserts, where that is written, how strong the evidence is and who says so.
The kinds and predicates map onto the Biolink Model (categories and predicates; see
``docs/evidence.md``; Unni et al. 2022, Clin Transl Sci 15:1848, doi:10.1111/cts.13302).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class NodeKind(StrEnum):
    """What a node is. The value is also the id prefix family (see :data:`ID_PREFIX`)."""

    EV_SOURCE = "ev_source"
    CARGO = "cargo"
    MEDIATOR = "mediator"
    PROCESS = "process"
    DERMAL_EFFECT = "dermal_effect"
    CONCERN = "concern"
    PROCEDURE = "procedure"
    CO_ACTIVE = "co_active"
    DELIVERY = "delivery"
    GUIDELINE = "guideline"
    AREA = "area"
    POPULATION = "population"


#: Node-id prefix of each kind, e.g. ``source:adipose-msc``, ``effect:collagen``.
ID_PREFIX: dict[NodeKind, str] = {
    NodeKind.EV_SOURCE: "source",
    NodeKind.CARGO: "cargo",
    NodeKind.MEDIATOR: "mediator",
    NodeKind.PROCESS: "process",
    NodeKind.DERMAL_EFFECT: "effect",
    NodeKind.CONCERN: "concern",
    NodeKind.PROCEDURE: "procedure",
    NodeKind.CO_ACTIVE: "coactive",
    NodeKind.DELIVERY: "delivery",
    NodeKind.GUIDELINE: "guideline",
    NodeKind.AREA: "area",
    NodeKind.POPULATION: "population",
}

#: Biolink category of each kind (Biolink Model 4.4.4, biolink/biolink-model
#: ``biolink-model.yaml``).
BIOLINK_CATEGORY: dict[NodeKind, str] = {
    NodeKind.EV_SOURCE: "biolink:Cell",
    NodeKind.CARGO: "biolink:MolecularEntity",
    NodeKind.MEDIATOR: "biolink:GeneProduct",
    NodeKind.PROCESS: "biolink:BiologicalProcess",
    NodeKind.DERMAL_EFFECT: "biolink:PhenotypicFeature",
    NodeKind.CONCERN: "biolink:DiseaseOrPhenotypicFeature",
    NodeKind.PROCEDURE: "biolink:Procedure",
    NodeKind.CO_ACTIVE: "biolink:ChemicalEntity",
    NodeKind.DELIVERY: "biolink:ChemicalEntity",
    NodeKind.GUIDELINE: "biolink:InformationContentEntity",
    NodeKind.AREA: "biolink:InformationContentEntity",
    NodeKind.POPULATION: "biolink:PopulationOfIndividualOrganisms",
}


class Predicate(StrEnum):
    """The closed predicate vocabulary of claims."""

    INCREASES = "increases"
    DECREASES = "decreases"
    PROMOTES = "promotes"
    INHIBITS = "inhibits"
    CONTAINS = "contains"
    CARRIES = "carries"
    IMPROVES = "improves"
    REDUCES = "reduces"
    TREATS = "treats"
    TARGETS = "targets"
    ENHANCES = "enhances"
    PART_OF = "part_of"
    MEASURED_BY = "measured_by"
    SUBCLASS_OF = "subclass_of"
    USED_IN = "used_in"
    HAS_PREVALENCE = "has_prevalence"
    HAS_ADVERSE_EVENT = "has_adverse_event"
    ASSOCIATED_WITH = "associated_with"


#: Biolink predicate each of ours maps to (Biolink Model 4.4.4, ``biolink-model.yaml``).
BIOLINK_PREDICATE: dict[Predicate, str] = {
    Predicate.INCREASES: "biolink:affects",
    Predicate.DECREASES: "biolink:affects",
    Predicate.PROMOTES: "biolink:positively_correlated_with",
    Predicate.INHIBITS: "biolink:negatively_correlated_with",
    Predicate.CONTAINS: "biolink:has_part",
    Predicate.CARRIES: "biolink:has_part",
    Predicate.IMPROVES: "biolink:ameliorates_condition",
    Predicate.REDUCES: "biolink:ameliorates_condition",
    Predicate.TREATS: "biolink:treats_or_applied_or_studied_to_treat",
    Predicate.TARGETS: "biolink:interacts_with",
    Predicate.ENHANCES: "biolink:affects",
    Predicate.PART_OF: "biolink:part_of",
    Predicate.MEASURED_BY: "biolink:has_attribute",
    Predicate.SUBCLASS_OF: "biolink:subclass_of",
    Predicate.USED_IN: "biolink:related_to",
    Predicate.HAS_PREVALENCE: "biolink:has_attribute",
    Predicate.HAS_ADVERSE_EVENT: "biolink:has_adverse_event",
    Predicate.ASSOCIATED_WITH: "biolink:associated_with",
}

#: Biolink direction qualifier implied by a predicate, where there is one.
DIRECTION: dict[Predicate, str] = {
    Predicate.INCREASES: "increased",
    Predicate.DECREASES: "decreased",
    Predicate.PROMOTES: "increased",
    Predicate.INHIBITS: "decreased",
    Predicate.ENHANCES: "increased",
    Predicate.REDUCES: "decreased",
}


class EvidenceLevel(StrEnum):
    """Study design of the evidence behind a claim (OCEBM 2011 / GRADE starting levels)."""

    SYSTEMATIC_REVIEW = "systematic_review_meta_analysis"
    RCT = "rct"
    NON_RANDOMISED_CLINICAL = "non_randomised_clinical"
    CASE_SERIES = "case_series"
    OBSERVATIONAL = "observational"
    ANIMAL = "animal"
    EX_VIVO = "ex_vivo"
    IN_VITRO = "in_vitro"
    NARRATIVE_REVIEW = "narrative_review"
    MARKETING_WHITEPAPER = "marketing_whitepaper"
    CURATED_ONTOLOGY = "curated_ontology"


#: Study designs of primary literature (and its systematic syntheses): everything but
#: narrative reviews, the whitepaper and curated ontology links.
PRIMARY_LITERATURE_LEVELS: frozenset[EvidenceLevel] = frozenset(EvidenceLevel) - {
    EvidenceLevel.NARRATIVE_REVIEW,
    EvidenceLevel.MARKETING_WHITEPAPER,
    EvidenceLevel.CURATED_ONTOLOGY,
}


class DataType(StrEnum):
    """Evidence data types aggregated separately before the overall score (Open Targets)."""

    HUMAN = "human_clinical"
    ANIMAL = "animal"
    EX_VIVO = "ex_vivo"
    IN_VITRO = "in_vitro"
    EXPERT = "expert_or_review"
    ONTOLOGY = "ontology"
    INFERRED = "inferred_path"


@dataclass(frozen=True, slots=True)
class Node:
    """A thing the graph talks about: an EV source, a mediator, a concern, an area…"""

    id: str
    kind: NodeKind
    name: str
    synonyms: tuple[str, ...] = ()
    description: str = ""
    source: str = ""

    @property
    def biolink_category(self) -> str:
        return BIOLINK_CATEGORY[self.kind]


@dataclass(frozen=True, slots=True)
class Reference:
    """A bibliographic record. ``doi`` is normalised (lower-case, no ``doi:``/URL prefix).

    ``pmid`` is the PubMed identifier (digits) where PubMed indexes the work; ``checked``
    names the stored copy (a PubMed, PMC or publisher page) the record was checked against.
    """

    id: str
    authors: tuple[str, ...]
    year: int | None
    title: str
    journal: str = ""
    volume: str = ""
    pages: str = ""
    doi: str | None = None
    study_type: str = ""
    url: str | None = None
    note: str = ""
    in_whitepaper: bool = False
    doi_as_printed: str | None = None
    pmid: str | None = None
    checked: str = ""

    def named_authors(self) -> list[str]:
        return [a for a in self.authors if a.strip().rstrip(".").lower() != "et al"]

    def first_author(self) -> str:
        named = self.named_authors()
        if named:
            return named[0].split(",")[0]
        return self.journal or self.id

    def short(self) -> str:
        """``Park et al. 2023``: the in-text label (journal or id when no author is known)."""
        named = self.named_authors()
        if len(named) > 2 or (named and len(named) < len(self.authors)):
            who = f"{self.first_author()} et al."
        elif len(named) == 2:
            who = f"{self.first_author()} & {named[1].split(',')[0]}"
        else:
            who = self.first_author()
        return f"{who} {self.year or 'n.d.'}"

    def citation(self) -> str:
        """A one-line citation: authors (year). Title. Journal volume, pages. doi."""
        authors = ", ".join(self.authors[:6]) + (", et al." if len(self.authors) > 6 else "")
        who = authors or "(authors not recorded)"
        parts = [f"{who} ({self.year or 'n.d.'}). {self.title.rstrip('.')}."]
        venue = " ".join(p for p in (self.journal, self.volume) if p)
        if self.pages:
            venue = f"{venue}, {self.pages}" if venue else self.pages
        if venue:
            parts.append(f"{venue}.")
        if self.doi:
            parts.append(f"doi:{self.doi}")
        if self.pmid:
            parts.append(f"PMID:{self.pmid}")
        if not self.doi and not self.pmid and self.url:
            parts.append(self.url)
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Claim:
    """A typed, cited edge: ``subject —predicate→ object``.

    ``quote`` is verbatim from the source at ``location`` (for the whitepaper: section and
    line numbers of the whitepaper text, reference ``whitepaper``). ``score`` is the evidence
    score of this single claim (:func:`exoderm.evidence.scoring.claim_score`).
    ``contradicts`` lists ids of claims this one disputes.
    """

    id: str
    subject: str
    predicate: Predicate
    object: str
    negated: bool = False
    quote: str = ""
    location: str = ""
    area: str | None = None
    references: tuple[Reference, ...] = ()
    evidence_level: EvidenceLevel = EvidenceLevel.MARKETING_WHITEPAPER
    model_system: str = ""
    notes: str = ""
    score: float = 0.0
    relevance: float = 1.0
    downgrades: int = 0
    upgrades: int = 0
    ev_metric: float | None = None
    effect_size: str = ""
    origin: str = "seed"
    contradicts: tuple[str, ...] = field(default=())

    def is_primary_literature(self) -> bool:
        """A primary-literature design, citing at least one reference that is not the seed."""
        return self.evidence_level in PRIMARY_LITERATURE_LEVELS and any(
            r.id != "whitepaper" for r in self.references
        )

    def citation(self) -> str:
        """Short citations of every reference, or the location when there is none."""
        if self.references:
            return "; ".join(r.short() for r in self.references)
        return self.location or "uncited"

    def statement(self) -> str:
        neg = "NOT " if self.negated else ""
        return f"{self.subject} {neg}{self.predicate.value} {self.object}"
