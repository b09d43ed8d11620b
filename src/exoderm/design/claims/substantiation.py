"""Substantiation of a claim from the evidence it cites, read in the evidence graph.

A claimant names the evidence behind a claim: evidence-claim ids of the graph
(``lit-park2023-wrinkles``), ``doi:...`` or ``pmid:...`` of references in it, or
reference ids. Each cited item is resolved in the graph (its study design, human or not,
quote and locator); the strongest design counted gives the substantiation level reached
on the ladder :data:`EVIDENCE_LEVELS`, which is compared with the level the claim type
needs (``substantiation`` of ``design/data/claims_rules.yaml``). The result carries the
six common criteria of Reg. (EU) 655/2013, each met, not met or not assessed, and why.

Only benefit statements (improves, reduces, increases, ...) that are not negated count
towards the level: a route (``used_in``), a prevalence or an adverse event is evidence of
something else. The claim type, the ladder and the study-design mapping live here; the
claims checker (:mod:`exoderm.design.claims.core`) re-exports them.

References
----------
.. [1] Commission Regulation (EU) No 655/2013 of 10 July 2013 laying down common criteria
   for the justification of claims used in relation to cosmetic products, Annex
   (common criteria 1-6). OJ L 190, 11.7.2013, p. 31.
.. [2] European Commission, Sub-Working Group on Claims (2017). Technical document on
   cosmetic claims, version of 3 July 2017 (agreed by the Working Group on Cosmetic
   Products), Annex I (the common criteria explained) and Annex III ("free from" claims).
.. [3] Guyatt, G. H. et al. (2008). GRADE: an emerging consensus on rating quality of
   evidence and strength of recommendations. BMJ 336(7650), 924-926.
   doi:10.1136/bmj.39489.470347.AD
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from exoderm.evidence import Claim, EvidenceLevel, KnowledgeBase, Predicate, Reference
from exoderm.evidence.doi import normalise_doi
from exoderm.evidence.scoring import data_type
from exoderm.markets import Market

#: Substantiation levels, weakest first (the tiers of Cosmetics Europe's efficacy
#: guidelines, 2008, with the OCEBM 2011 levels of human evidence above them).
EVIDENCE_LEVELS: tuple[str, ...] = (
    "none",
    "mechanism",
    "in_vitro",
    "ex_vivo",
    "animal",
    "consumer_perception",
    "uncontrolled_human",
    "controlled_human",
    "rct",
    "sr_rct",
)

#: Catalogue study designs mapped to substantiation levels (for generated claims).
DESIGN_TO_LEVEL = {
    "sr_rct": "sr_rct",
    "rct": "rct",
    "non_randomised": "controlled_human",
    "uncontrolled_human": "uncontrolled_human",
    "animal": "animal",
    "ex_vivo": "ex_vivo",
    "in_vitro": "in_vitro",
    "mechanism": "mechanism",
    # exoderm.evidence's EvidenceLevel names
    "systematic_review_meta_analysis": "sr_rct",
    "non_randomised_clinical": "controlled_human",
    "case_series": "uncontrolled_human",
    "narrative_review": "mechanism",
    "marketing_whitepaper": "none",
    "curated_ontology": "none",
}

#: The six common criteria of Reg. (EU) 655/2013, Annex, in the Annex's order.
CRITERIA: tuple[str, ...] = (
    "legal compliance",
    "truthfulness",
    "evidential support",
    "honesty",
    "fairness",
    "informed decision-making",
)

#: Predicates that state a benefit; only these substantiate a claim.
BENEFIT_PREDICATES = frozenset(
    {
        Predicate.IMPROVES,
        Predicate.REDUCES,
        Predicate.INCREASES,
        Predicate.DECREASES,
        Predicate.PROMOTES,
        Predicate.INHIBITS,
        Predicate.ENHANCES,
        Predicate.TREATS,
    }
)

#: Levels of controlled human evidence (a comparison group).
_CONTROLLED = ("controlled_human", "rct", "sr_rct")

#: Which criteria a rejecting wording rule breaches, by the rule's category (the bases
#: of ``claims_rules.yaml``: disease and status claims take the product out of the
#: cosmetic frame; structure claims also go beyond what a cosmetic does; absolute
#: results and mis-named ingredients are untrue).
_RULE_CRITERIA: dict[str, tuple[str, ...]] = {
    "disease": ("legal compliance",),
    "status": ("legal compliance",),
    "kr": ("legal compliance",),
    "identity": ("legal compliance",),
    "structure": ("legal compliance", "honesty"),
    "absolute": ("truthfulness", "honesty"),
    "ev": ("truthfulness",),
}

_COMPARATIVE = re.compile(
    r"\b(free[- ]from|[a-z]+-free|unlike (other|ordinary|conventional)\w*|other brands?|"
    r"competitors?|better than|superior to|no (nasty|harmful|toxic) \w+|chemical[- ]free)\b",
    re.IGNORECASE,
)

CriterionStatus = Literal["met", "not_assessed", "not_met"]
CiteKind = Literal["claim", "doi", "pmid", "reference", "unknown"]


class CriterionRead(BaseModel):
    """One common criterion of Reg. (EU) 655/2013 and its status for this claim."""

    model_config = ConfigDict(frozen=True)

    criterion: str = Field(description="One of the six common criteria, in Annex order.")
    status: CriterionStatus
    why: str = Field(description="What was checked and what decided the status.")


class CitedClaimRead(BaseModel):
    """One evidence claim of the graph reached by a citation."""

    model_config = ConfigDict(frozen=True)

    id: str
    statement: str = Field(description="subject predicate object, as the graph states it.")
    design: str = Field(description="The study design (exoderm.evidence EvidenceLevel).")
    study_type: str = Field(description="The cited references' own study types, joined.")
    data_type: str = Field(description="human_clinical, animal, ex_vivo, in_vitro, ...")
    human: bool = Field(description="Human evidence (a clinical or observational study).")
    level: str = Field(description="The design on the substantiation ladder.")
    certainty: str = Field(
        description="GRADE starting certainty less downgrades (human evidence only)."
    )
    score: float = Field(description="The claim's evidence score in the graph (0-1).")
    counts: bool = Field(description="A non-negated benefit statement: counts for the level.")
    topic: str = Field(description="The name of the claim's object node.")
    on_topic: bool = Field(description="The object or one of its synonyms is in the wording.")
    model_system: str
    quote: str
    location: str
    citation: str


class CitedItemRead(BaseModel):
    """One item the claimant cites, as resolved in the evidence graph."""

    model_config = ConfigDict(frozen=True)

    cite: str = Field(description="The citation as given.")
    kind: CiteKind
    found: bool
    finding: str = Field(description="What the graph holds for it, in one sentence.")
    reference: str | None = Field(None, description="The reference's citation, if any.")
    claims: list[CitedClaimRead] = Field(default_factory=list)
    level: str = Field("none", description="The best counted level of its claims.")


class SubstantiationRead(BaseModel):
    """A claim's substantiation from the evidence it cites, and the six common criteria."""

    model_config = ConfigDict(frozen=True)

    text: str
    market: str
    claim_type: str = Field(description="ingredient, feel, appearance or clinical.")
    required_level: str = Field(description="The level this claim type needs in the market.")
    required: str = Field(description="What that level means for this claim type.")
    items: list[CitedItemRead]
    best_level: str = Field(description="The best level reached by the counted evidence.")
    level_source: Literal["graph"] = Field(
        "graph", description="The level is resolved from the evidence graph, not asserted."
    )
    found: int = Field(description="Cited items found in the graph.")
    human_studies: int = Field(description="Distinct human studies among counted claims.")
    controlled_human_studies: int = Field(description="Of these, with a comparison group.")
    meets: bool = Field(description="The best level reached is at least the required level.")
    criteria: list[CriterionRead] = Field(description="The six common criteria, in order.")


@lru_cache(maxsize=1)
def _requirements() -> dict[str, dict[str, str]]:
    path = resources.files("exoderm.design") / "data" / "claims_rules.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        str(k): {str(a): str(b) for a, b in v.items()} for k, v in data["substantiation"].items()
    }


def claim_type(text: str) -> str:
    """'ingredient' for "with X", 'clinical' for clinically-proven wording, 'feel' for
    sensory claims, else 'appearance'.

    Examples
    --------
    >>> claim_type("clinically proven to smooth"), claim_type("feels soft")
    ('clinical', 'feel')
    """
    lowered = text.lower()
    if re.match(r"^\s*(with|contains|formulated with)\b", lowered) and not re.search(
        r"\b(helps?|reduc\w*|improv\w*|look\w*|feel\w*)\b", lowered
    ):
        return "ingredient"
    if re.search(r"\b(clinically|proven|dermatologist[- ]tested|tested)\b", lowered):
        return "clinical"
    if re.search(r"\bfeel\w*\b", lowered) and not re.search(r"\b(look|appearance|visibl)", lowered):
        return "feel"
    return "appearance"


def required_level(text: str) -> tuple[str, str, str]:
    """The claim type of ``text``, the level it needs and what that level means.

    Returns
    -------
    tuple of str
        ``(claim type, minimum level, description)`` from the rules file.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013, Annex, criterion 3: the level of
       evidence is consistent with the type of claim made.

    Examples
    --------
    >>> required_level("visibly reduces the appearance of wrinkles")[:2]
    ('appearance', 'controlled_human')
    """
    kind = claim_type(text)
    need = _requirements()[kind]
    return kind, need["minimum"], need["description"]


def level_of(claim: Claim) -> str:
    """A graph claim's design on the substantiation ladder.

    A systematic review of animal studies is animal evidence; an observational human
    study has no comparison group made by the investigator (uncontrolled human).

    Examples
    --------
    >>> from exoderm.evidence import load_knowledge_base
    >>> level_of(load_knowledge_base().claim("lit-park2023-wrinkles"))
    'rct'
    """
    name = claim.evidence_level.value
    if claim.evidence_level is EvidenceLevel.OBSERVATIONAL:
        return "uncontrolled_human"
    if claim.evidence_level is EvidenceLevel.SYSTEMATIC_REVIEW and not _is_human(claim):
        return "animal"
    return DESIGN_TO_LEVEL.get(name, "none")


def _is_human(claim: Claim) -> bool:
    return data_type(claim).value == "human_clinical"


def _certainty(claim: Claim, level: str) -> str:
    """GRADE: randomised evidence starts high, other human evidence low; one step per
    downgrade or upgrade (Guyatt et al. 2008). Non-human evidence is not rated."""
    if not _is_human(claim):
        return "not rated (not human evidence)"
    steps = ("very low", "low", "moderate", "high")
    start = 3 if level in ("rct", "sr_rct") else 1
    return steps[max(0, min(3, start - claim.downgrades + claim.upgrades))]


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _on_topic(claim: Claim, kb: KnowledgeBase, wording: str) -> tuple[str, bool]:
    if not kb.has_node(claim.object):
        return claim.object, False
    node = kb.node(claim.object)
    said = _words(wording)
    names = (node.name, *node.synonyms)
    return node.name, any(_words(n) and _words(n) <= said for n in names)


def _cited_claim(claim: Claim, kb: KnowledgeBase, wording: str) -> CitedClaimRead:
    level = level_of(claim)
    topic, on_topic = _on_topic(claim, kb, wording)
    return CitedClaimRead(
        id=claim.id,
        statement=claim.statement(),
        design=claim.evidence_level.value,
        study_type="; ".join(r.study_type for r in claim.references if r.study_type),
        data_type=data_type(claim).value,
        human=_is_human(claim),
        level=level,
        certainty=_certainty(claim, level),
        score=round(claim.score, 4),
        counts=claim.predicate in BENEFIT_PREDICATES and not claim.negated,
        topic=topic,
        on_topic=on_topic,
        model_system=claim.model_system,
        quote=claim.quote,
        location=claim.location,
        citation=claim.citation(),
    )


def _best(levels: Sequence[str]) -> str:
    return max(levels, key=EVIDENCE_LEVELS.index, default="none")


def _claim_item(cite: str, claim: Claim, kb: KnowledgeBase, wording: str) -> CitedItemRead:
    read = _cited_claim(claim, kb, wording)
    note = "" if read.counts else "; not a benefit statement, so it does not count"
    return CitedItemRead(
        cite=cite,
        kind="claim",
        found=True,
        finding=f"evidence claim {claim.id}: {read.statement} ({read.design}, "
        f"{read.data_type}){note}",
        reference="; ".join(r.citation() for r in claim.references) or None,
        claims=[read],
        level=read.level if read.counts else "none",
    )


def _reference_item(
    cite: str, kind: CiteKind, ref: Reference, kb: KnowledgeBase, wording: str
) -> CitedItemRead:
    claims = [_cited_claim(c, kb, wording) for c in kb.cited_by(ref.id)]
    counted = [c.level for c in claims if c.counts]
    if not claims:
        finding = (
            f"reference {ref.id} ({ref.study_type or 'study type not recorded'}) is in the "
            "graph but no evidence claim cites it, so it gives no graded level"
        )
    else:
        finding = (
            f"reference {ref.id} ({ref.study_type or 'study type not recorded'}): "
            f"{len(claims)} evidence claim(s), {len(counted)} benefit statement(s)"
        )
    return CitedItemRead(
        cite=cite,
        kind=kind,
        found=True,
        finding=finding,
        reference=ref.citation(),
        claims=claims,
        level=_best(counted),
    )


def _missing(cite: str, kind: CiteKind, what: str) -> CitedItemRead:
    return CitedItemRead(
        cite=cite, kind=kind, found=False, finding=f"{what} not found in the evidence graph"
    )


def _by_pmid(kb: KnowledgeBase, pmid: str) -> Reference | None:
    pattern = re.compile(rf"pubmed\.ncbi\.nlm\.nih\.gov/{re.escape(pmid)}/?$")
    return next((r for r in kb.references() if r.url and pattern.search(r.url)), None)


def resolve_cite(cite: str, kb: KnowledgeBase, wording: str = "") -> CitedItemRead:
    """One citation resolved in the evidence graph; an unknown one is a finding.

    Parameters
    ----------
    cite : str
        An evidence-claim id, ``doi:<doi>`` (or a bare ``10.`` DOI or doi.org URL),
        ``pmid:<n>`` or a reference id.
    kb : KnowledgeBase
        The evidence graph in force.
    wording : str
        The claim wording (to say whether each graph claim's topic is named in it).

    Returns
    -------
    CitedItemRead
        Found or not, the claims reached with their design, human or not, certainty,
        quote and locator, and the best counted level.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013, Annex, criterion 3: evidence shall be
       adequate and verifiable.

    Examples
    --------
    >>> from exoderm.evidence import load_knowledge_base
    >>> resolve_cite("doi:10.9999/nothing", load_knowledge_base()).finding
    'DOI 10.9999/nothing not found in the evidence graph'
    """
    text = cite.strip()
    lowered = text.lower()
    if not text:
        return _missing(cite, "unknown", "an empty citation is")
    if lowered.startswith(("doi:", "10.", "https://doi.org/", "http://doi.org/", "https://dx.")):
        doi = normalise_doi(text)
        ref = next((r for r in kb.references() if r.doi == doi), None)
        if ref is None:
            return _missing(cite, "doi", f"DOI {doi}")
        return _reference_item(cite, "doi", ref, kb, wording)
    if lowered.startswith("pmid:"):
        pmid = text[5:].strip()
        found = _by_pmid(kb, pmid)
        if found is None:
            return _missing(cite, "pmid", f"PMID {pmid}")
        return _reference_item(cite, "pmid", found, kb, wording)
    claims = {c.id: c for c in kb.all_claims()}
    if text in claims:
        return _claim_item(cite, claims[text], kb, wording)
    refs = {r.id: r for r in kb.references()}
    if text in refs:
        return _reference_item(cite, "reference", refs[text], kb, wording)
    return _missing(cite, "unknown", f"evidence claim or reference {text!r}")


def _studies(items: Sequence[CitedItemRead], kb: KnowledgeBase) -> tuple[int, int]:
    """Distinct human studies (by reference, else by claim) among counted claims."""
    human: set[str] = set()
    controlled: set[str] = set()
    for item in items:
        for c in item.claims:
            if not (c.counts and c.human):
                continue
            keys = {r.id for r in kb.claim(c.id).references} or {c.id}
            human |= keys
            if c.level in _CONTROLLED:
                controlled |= keys
    return len(human), len(controlled)


def _evidential(
    kind: str, required: str, best: str, meets: bool, items: Sequence[CitedItemRead], n: int
) -> CriterionRead:
    name = "evidential support"
    counted = [c for i in items for c in i.claims if c.counts]
    if not any(i.found for i in items):
        return CriterionRead(
            criterion=name,
            status="not_met" if required != "none" else "not_assessed",
            why="none of the cited evidence was found in the evidence graph",
        )
    if not meets:
        only = {c.data_type for c in counted}
        detail = "only in vitro evidence cited" if only == {"in_vitro"} else f"best level is {best}"
        return CriterionRead(
            criterion=name,
            status="not_met",
            why=f"{detail} for {_article(kind)} {kind} claim on humans, which needs "
            f"{required} or better",
        )
    off = [c.id for c in counted if c.level == best and not c.on_topic]
    what = f"{n} controlled human stud{'y' if n == 1 else 'ies'}" if n else f"{best} evidence"
    if off and len(off) == len([c for c in counted if c.level == best]):
        return CriterionRead(
            criterion=name,
            status="not_assessed",
            why=f"the level is reached by {what}, but the topic of {', '.join(off)} is not "
            "named in the claim: relevance to the benefit claimed needs review",
        )
    return CriterionRead(
        criterion=name, status="met", why=f"met by {what} ({best}; needs {required})"
    )


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def _wording_criteria(rule_id: str | None, category: str | None) -> set[str]:
    if rule_id is None:
        return set()
    return set(_RULE_CRITERIA.get(category or "identity", ("legal compliance",)))


def common_criteria(
    text: str,
    *,
    kind: str,
    required: str,
    best: str,
    meets: bool,
    items: Sequence[CitedItemRead],
    controlled: int,
    rule_id: str | None = None,
    rule_category: str | None = None,
    rule_reason: str = "",
) -> list[CriterionRead]:
    """The six common criteria of Reg. (EU) 655/2013 for one claim, in Annex order.

    Parameters
    ----------
    text : str
        The claim wording.
    kind, required, best : str
        The claim type, the level it needs and the best level the cited evidence reaches.
    meets : bool
        ``best`` is at least ``required``.
    items : sequence of CitedItemRead
        The resolved citations.
    controlled : int
        Distinct controlled human studies among the counted claims.
    rule_id, rule_category, rule_reason : str, optional
        The market wording rule that rejects the claim and its category, if one does
        (``None`` when the wording passes the market's rules).

    Returns
    -------
    list of CriterionRead
        Six entries, each met, not met or not assessed, with why.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013, Annex (common criteria 1-6).
    .. [2] European Commission (2017). Technical document on cosmetic claims, Annex I
       and Annex III ("free from" claims).

    Examples
    --------
    >>> rows = common_criteria("paraben-free and soft", kind="feel", required="none",
    ...                        best="none", meets=True, items=[], controlled=0)
    >>> [(r.criterion, r.status) for r in rows][4]
    ('fairness', 'not_assessed')
    """
    broken = _wording_criteria(rule_id, rule_category)
    because = f"wording rule {rule_id}: {rule_reason}"
    rows: list[CriterionRead] = []

    def add(name: str, status: CriterionStatus, why: str) -> None:
        if name in broken:
            rows.append(CriterionRead(criterion=name, status="not_met", why=because))
        else:
            rows.append(CriterionRead(criterion=name, status=status, why=why))

    add(
        "legal compliance",
        "met",
        "no approval, medicinal or prohibited-material wording matched the market's rules",
    )
    subjects = sorted({c.statement.split(" ")[0] for i in items for c in i.claims if c.counts})
    add(
        "truthfulness",
        "not_assessed",
        "the presence of each named ingredient needs the formula record"
        + (
            f"; the cited evidence is on {', '.join(subjects)}, not the finished product"
            if subjects
            else ""
        ),
    )
    if items:
        rows.append(_evidential(kind, required, best, meets, items, controlled))
    else:
        rows.append(
            CriterionRead(
                criterion="evidential support",
                status="not_assessed",
                why=f"no evidence cited; {_article(kind)} {kind} claim needs {required} or better",
            )
        )
    if items and not meets:
        add("honesty", "not_met", f"the claim goes beyond the cited evidence ({best})")
    elif items:
        add("honesty", "met", "the wording stays within the level the cited evidence reaches")
    else:
        add("honesty", "not_assessed", "no evidence cited to compare the claim's scope with")
    comparison = _COMPARATIVE.search(text)
    if comparison:
        add(
            "fairness",
            "not_assessed",
            f"'{comparison.group(0)}' compares or excludes; it must not denigrate competitors "
            "or legally used ingredients (review needed)",
        )
    else:
        add("fairness", "met", "no comparative or 'free from' wording found")
    add(
        "informed decision-making",
        "not_assessed",
        "clarity for the average end user depends on the whole presentation and audience",
    )
    return rows


def substantiate(
    text: str,
    market: str,
    cites: Sequence[str],
    kb: KnowledgeBase,
    *,
    rule_id: str | None = None,
    rule_category: str | None = None,
    rule_reason: str = "",
) -> SubstantiationRead:
    """Resolve the evidence a claim cites in the graph and judge its substantiation.

    Parameters
    ----------
    text : str
        The claim wording.
    market : str
        A market code; the criteria are those of Reg. (EU) 655/2013 (retained in the UK),
        applied as the reference standard elsewhere.
    cites : sequence of str
        Evidence-claim ids, ``doi:...``, ``pmid:...`` or reference ids.
    kb : KnowledgeBase
        The evidence graph in force (``exoderm.evidence.service.knowledge_base``).
    rule_id, rule_category, rule_reason : str, optional
        The market wording rule that rejects the claim, if any.

    Returns
    -------
    SubstantiationRead
        Each citation resolved, the best level reached, whether it meets the level the
        claim type needs, and the six common criteria.

    References
    ----------
    .. [1] Commission Regulation (EU) No 655/2013 of 10 July 2013, Annex (common
       criteria). OJ L 190, 11.7.2013, p. 31.
    .. [2] European Commission (2017). Technical document on cosmetic claims (3 July
       2017), Annex I.

    Examples
    --------
    >>> from exoderm.evidence import load_knowledge_base
    >>> s = substantiate("visibly reduces the appearance of wrinkles", "EU",
    ...                  ["lit-park2023-wrinkles"], load_knowledge_base())
    >>> s.best_level, s.meets, s.criteria[2].why
    ('rct', True, 'met by 1 controlled human study (rct; needs controlled_human)')
    """
    market_code = Market.parse(market).value
    kind, required, description = required_level(text)
    items = [resolve_cite(c, kb, text) for c in cites]
    best = _best([i.level for i in items])
    meets = EVIDENCE_LEVELS.index(best) >= EVIDENCE_LEVELS.index(required)
    human, controlled = _studies(items, kb)
    return SubstantiationRead(
        text=text,
        market=market_code,
        claim_type=kind,
        required_level=required,
        required=f"{description} in {market_code}",
        items=items,
        best_level=best,
        found=sum(i.found for i in items),
        human_studies=human,
        controlled_human_studies=controlled,
        meets=meets,
        criteria=common_criteria(
            text,
            kind=kind,
            required=required,
            best=best,
            meets=meets,
            items=items,
            controlled=controlled,
            rule_id=rule_id,
            rule_category=rule_category,
            rule_reason=rule_reason,
        ),
    )
