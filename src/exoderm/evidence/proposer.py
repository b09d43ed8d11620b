"""Proposing candidate claims from abstracts: sentences, grounded entities, a predicate
from the verb, negation, hedging and the study type.

Why: a curator reading hundreds of abstracts should review proposals, not type claims.
Each proposal quotes its sentence verbatim and names where it sits (``PMID:n, abstract
sentence k``), so accepting it yields a claim that can be checked against the source.
The proposer is a transparent rule set (no trained model): entity names and synonyms of
the knowledge base's nodes, a verb lexicon mapped onto :class:`Predicate`, NegEx-style
negation cues (Chapman et al. 2001) and hedge cues (Medlock & Briscoe 2007). Its
precision on a labelled sample is reported in ``docs/evidence.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from pydantic import BaseModel

from exoderm.evidence.knowledge_base import KnowledgeBase, name_key
from exoderm.evidence.model import EvidenceLevel, NodeKind, Predicate
from exoderm.evidence.pubmed import PubmedRecord

# --------------------------------------------------------------------------- sentences
_ABBREVIATIONS = frozenset(
    [
        "al",
        "e.g",
        "i.e",
        "vs",
        "cf",
        "approx",
        "ca",
        "fig",
        "figs",
        "no",
        "nos",
        "dr",
        "et",
        "etc",
        "resp",
        "incl",
        "wt",
        "sp",
        "spp",
    ]
)
_BOUNDARY = re.compile(r"[.!?][\"')\]]*\s+(?=[\"'(\[]?(?:[A-Z0-9]|[a-z]+[A-Z]))")


def split_sentences(text: str) -> list[str]:
    """Sentences of a text, each an exact substring of it.

    A full stop ends a sentence when whitespace and a capital letter or digit follow and
    the word before it is no abbreviation (``et al.``, ``e.g.``, ``vs.``, ``Fig.``) and
    no single initial; decimals (``0.05``) never split because no space follows the point.

    Parameters
    ----------
    text : str
        An abstract (section).

    Returns
    -------
    list of str
        The sentences, stripped, in order.

    References
    ----------
    .. [1] Read, J. et al. (2012). Sentence boundary detection: a long solved problem?
       Proceedings of COLING 2012: Posters, 985-994.

    Examples
    --------
    >>> text = ("Wang et al. found a 2.5-fold rise (p < 0.05). MSC-EVs vs. saline "
    ...         "were compared, e.g. in mice. Done!")
    >>> for sentence in split_sentences(text):
    ...     print(sentence)
    Wang et al. found a 2.5-fold rise (p < 0.05).
    MSC-EVs vs. saline were compared, e.g. in mice.
    Done!
    """
    out, start = [], 0
    for m in _BOUNDARY.finditer(text):
        before = re.search(r"([A-Za-z.]+)\.?$", text[start : m.start() + 1])
        word = before.group(1).rstrip(".").lower() if before else ""
        if text[m.start()] == "." and (
            word in _ABBREVIATIONS or re.fullmatch(r"[A-Z]", before.group(1) if before else "")
        ):
            continue
        out.append(text[start : m.start() + 1].strip())
        start = m.end()
    tail = text[start:].strip()
    if tail:
        out.append(tail)
    return out


# --------------------------------------------------------------------------- entities
#: Kinds a claim may start from (what acts) and kinds that are never claim endpoints.
AGENT_KINDS = frozenset(
    {
        NodeKind.EV_SOURCE,
        NodeKind.CO_ACTIVE,
        NodeKind.DELIVERY,
        NodeKind.PROCEDURE,
        NodeKind.CARGO,
        NodeKind.MEDIATOR,
    }
)
_NOT_ENDPOINTS = frozenset({NodeKind.AREA, NodeKind.POPULATION, NodeKind.GUIDELINE})
#: Labels too ambiguous in running text (common words, or abbreviations with other senses).
_STOP_LABELS = frozenset(
    [
        "lines",
        "line",
        "texture",
        "ageing",
        "aging",
        "carrier",
        "injection",
        "protein",
        "proteins",
        "laser",
        "pigment",
        "hydration",
        "cream",
        "serum",
        "lipid",
        "lipids",
        "rna",
        "prevention",
        "targeting",
        "firmness",
        "ad",
        "ha",
        "asc",
        "ev",
        "tnf",
        "mts",
        "tyr",
        "burn",
        "burns",
        "pores",
        "sagging",
        "dehydration",
        "dryness",
    ]
)


@dataclass(frozen=True, slots=True)
class Mention:
    """A node named in a sentence: its id and kind, and the characters it spans."""

    node_id: str
    kind: NodeKind
    start: int
    end: int
    text: str


class Lexicon:
    """Every usable node label of a knowledge base, compiled for longest-first matching."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kinds: dict[str, NodeKind] = {}
        labels: dict[str, str] = {}
        for node in kb.nodes():
            if node.kind in _NOT_ENDPOINTS:
                continue
            for label in (node.name, *node.synonyms):
                label = label.strip()
                if len(label) < 2 or label.lower() in _STOP_LABELS or "(" in label:
                    continue
                best = next((c for c in kb.candidates(label) if c.kind not in _NOT_ENDPOINTS), node)
                labels.setdefault(label, best.id)
                self.kinds[best.id] = best.kind
        self._ids = {name_key(k): v for k, v in labels.items()}
        exact = sorted((k for k in labels if len(k) <= 5 and k.upper() == k), key=len)[::-1]
        folded = sorted((k for k in labels if k not in exact), key=len)[::-1]
        self._exact = self._compile(exact, 0)
        self._folded = self._compile(folded, re.I)

    @staticmethod
    def _compile(labels: list[str], flags: int) -> re.Pattern[str]:
        body = "|".join(re.escape(k).replace(r"\ ", r"[\s-]+") for k in labels) or "(?!)"
        return re.compile(rf"(?<![\w-])(?:{body})(?![\w])", flags)

    def mentions(self, sentence: str) -> list[Mention]:
        """Non-overlapping node mentions, longest first, in sentence order."""
        found: list[Mention] = []
        for pattern in (self._folded, self._exact):
            for m in pattern.finditer(sentence):
                if any(m.start() < f.end and f.start < m.end() for f in found):
                    continue
                node_id = self._ids.get(name_key(m.group(0)))
                if node_id is not None:
                    found.append(
                        Mention(node_id, self.kinds[node_id], m.start(), m.end(), m.group(0))
                    )
        return sorted(found, key=lambda f: f.start)


# --------------------------------------------------------------------------- predicates
_VERBS: dict[Predicate, str] = {
    Predicate.INCREASES: r"increas|elevat|up-?regulat|rais|boost",
    Predicate.ENHANCES: r"enhanc|augment|potentiat|accelerat",
    Predicate.PROMOTES: r"promot|stimulat|induc|facilitat|activat",
    Predicate.DECREASES: r"decreas|down-?regulat|lower",
    Predicate.REDUCES: r"reduc|attenuat|alleviat|diminish|lessen|mitigat|relie?v",
    Predicate.INHIBITS: r"inhibit|suppress|block|prevent|abrogat",
    Predicate.IMPROVES: r"improv|amelior|restor",
    Predicate.TARGETS: r"target",
    Predicate.CONTAINS: r"contain",
    Predicate.CARRIES: r"carri(?=e)|carry|deliver(?!y)|transferr",
}
_VERB = re.compile(
    r"(?<![\w-])(?P<stem>"
    + "|".join(f"(?P<{p.name}>{v})" for p, v in _VERBS.items())
    + r")(?:e|es|ed|ing|s|d|ied|ies)?\b",
    re.I,
)
_ASSOCIATED = re.compile(r"\b(?:was|were|is|are)\s+(?:\w+ly\s+)?(?:associated|correlated)\s+with\b")
_PASSIVE = re.compile(r"\b(?:was|were|is|are|been|being)\s+(?:\w+ly\s+|not\s+)*$", re.I)
_AGENT = re.compile(r"^\s*(?:\w+ly\s+)?(?:by|after|following|upon)\b", re.I)
#: Text allowed between two coordinated objects ("IL-6, IL-1β and TNF-α").
_COORDINATION = re.compile(
    r"^\s*(?:,|and|or|as well as|,\s*and|,\s*or)\s+(?:the\s+)?"
    r"(?:(?:expression|levels?|production|secretion|release|activity|signs?) of\s+)?$",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:not|no|neither|nor|failed to|did not|does not|without (?:any )?(?:significant|"
    r"measurable) (?:change|effect)|unchanged|no significant)\b",
    re.I,
)
_HEDGE = re.compile(
    r"\b(?:may|might|could|possibly|potentially|potential|suggests?|suggested|suggesting|"
    r"appears? to|likely|presumably|putative|proposed to|hypothesi[sz]ed?|speculate)\b",
    re.I,
)


#: Abstract sections that state aims or methods, not findings (NLM structured-abstract
#: categories OBJECTIVE and METHODS).
_NO_FINDINGS = frozenset({"OBJECTIVE", "OBJECTIVES", "AIM", "AIMS", "PURPOSE", "METHODS"})
_AIM = re.compile(
    r"^(?:To (?:test|evaluate|assess|investigate|determine|compare)|We (?:aimed|tested|asked))\b"
)


def _predicate(match: re.Match[str]) -> Predicate:
    for predicate in _VERBS:
        if match.group(predicate.name):
            return predicate
    raise AssertionError("the verb pattern matched no predicate group")


# --------------------------------------------------------------------------- study type
_TYPE_LEVEL: tuple[tuple[str, EvidenceLevel], ...] = (
    ("systematic review", EvidenceLevel.SYSTEMATIC_REVIEW),
    ("meta-analysis", EvidenceLevel.SYSTEMATIC_REVIEW),
    ("randomized controlled trial", EvidenceLevel.RCT),
    ("clinical trial", EvidenceLevel.NON_RANDOMISED_CLINICAL),
    ("controlled clinical trial", EvidenceLevel.NON_RANDOMISED_CLINICAL),
    ("case reports", EvidenceLevel.CASE_SERIES),
    ("observational study", EvidenceLevel.OBSERVATIONAL),
    ("review", EvidenceLevel.NARRATIVE_REVIEW),
)
_ANIMAL_MESH = frozenset(
    {
        "animals",
        "mice",
        "rats",
        "rabbits",
        "swine",
        "zebrafish",
        "disease models, animal",
        "mice, inbred c57bl",
        "mice, nude",
        "rats, sprague-dawley",
        "rats, wistar",
    }
)
_ANIMAL = re.compile(r"\b(?:mice|mouse|murine|rats?|rabbits?|pigs?|swine|zebrafish)\b", re.I)
_EX_VIVO = re.compile(r"\b(?:ex vivo|skin explants?|organ culture)\b", re.I)


def study_type(record: PubmedRecord) -> EvidenceLevel:
    """The evidence level of a record from its publication types, MeSH and abstract.

    Publication types decide first (systematic review or meta-analysis, randomized
    controlled trial, other clinical trial, case reports, observational study, review);
    then animal MeSH descriptors or words (mice, rats…), ex vivo words, in vitro MeSH or
    words; a primary article with none of these counts as in vitro, the weakest
    primary design.

    Parameters
    ----------
    record : PubmedRecord
        One parsed record.

    Returns
    -------
    EvidenceLevel
        The design.

    References
    ----------
    .. [1] National Library of Medicine (2025). Publication Characteristics (Publication
       Types) with Scope Notes, https://www.nlm.nih.gov/mesh/pubtypes.html
    .. [2] National Library of Medicine (2025). MeSH check tags and descriptors
       "Animals", "Mice", "Rats", "Cells, Cultured", https://meshb.nlm.nih.gov/

    Examples
    --------
    >>> r = PubmedRecord(index=1, pmid="1", title="t", mesh_headings=["Mice"],
    ...                  publication_types=["Journal Article"])
    >>> study_type(r).value
    'animal'
    """
    types = {t.lower() for t in record.publication_types}
    for name, level in _TYPE_LEVEL:
        if any(t.startswith(name) for t in types):
            return level
    mesh = {m.lower() for m in record.mesh_headings}
    text = record.abstract_text
    if mesh & _ANIMAL_MESH or _ANIMAL.search(text):
        return EvidenceLevel.ANIMAL
    if _EX_VIVO.search(text):
        return EvidenceLevel.EX_VIVO
    return EvidenceLevel.IN_VITRO


# --------------------------------------------------------------------------- candidates
class ProposedClaim(BaseModel):
    """One candidate claim: an exact sentence, its locator, and what it seems to assert."""

    key: str
    pmid: str
    sentence: int
    section: str
    subject: str
    subject_text: str
    predicate: Predicate
    object: str
    object_text: str
    negated: bool
    hedged: bool
    quote: str
    locator: str
    study_type: EvidenceLevel
    confidence: float
    cargo_mentions: list[str] = []


@dataclass(frozen=True, slots=True)
class _Hit:
    subject: Mention
    predicate: Predicate
    obj: Mention


def _objects_after(mentions: list[Mention], verb_end: int, limit: int, text: str) -> list[Mention]:
    after = [
        m for m in mentions if verb_end <= m.start < limit and m.kind is not NodeKind.EV_SOURCE
    ]
    if not after or len(text[verb_end : after[0].start].split()) > 8:
        return []
    chosen = [after[0]]
    for nxt in after[1:]:
        if not _COORDINATION.match(text[chosen[-1].end : nxt.start]):
            break
        chosen.append(nxt)
    return chosen


def _clause_head(mentions: list[Mention], verb_start: int, text: str) -> list[Mention]:
    """The (coordinated) mentions that open the clause ending at a passive verb."""
    clause_start = text.rfind(",", 0, verb_start) + 1
    inside = [m for m in mentions if clause_start <= m.start and m.end <= verb_start]
    if not inside:
        return []
    chosen = [inside[0]]
    for nxt in inside[1:]:
        if not _COORDINATION.match(text[chosen[-1].end : nxt.start]):
            break
        chosen.append(nxt)
    return chosen


def _hits(sentence: str, mentions: list[Mention]) -> list[_Hit]:
    verbs = list(_VERB.finditer(sentence))
    hits: list[_Hit] = []
    used_objects: set[int] = set()
    last_subject: Mention | None = None
    for k, verb in enumerate(verbs):
        limit = verbs[k + 1].start() if k + 1 < len(verbs) else len(sentence)
        predicate = _predicate(verb)
        before = [m for m in mentions if m.end <= verb.start() and m.start not in used_objects]
        if _PASSIVE.search(sentence[: verb.start()]):
            agent = _AGENT.match(sentence[verb.end() : limit])
            targets = _clause_head(mentions, verb.start(), sentence)
            agents = [
                m
                for m in mentions
                if agent and m.start >= verb.end() and m.start < limit and m.kind in AGENT_KINDS
            ]
            if not agents and targets:
                agents = [m for m in before if m.kind in AGENT_KINDS and m not in targets][:1]
            for subj in agents[:1]:
                for obj in targets:
                    hits.append(_Hit(subj, predicate, obj))
            continue
        agents = [m for m in before if m.kind in AGENT_KINDS]
        subject = agents[-1] if agents else last_subject
        if subject is None:
            continue
        for obj in _objects_after(mentions, verb.end(), limit, sentence):
            if obj.node_id != subject.node_id:
                hits.append(_Hit(subject, predicate, obj))
                used_objects.add(obj.start)
        last_subject = subject
    return hits


def propose(
    record: PubmedRecord, lexicon: Lexicon, *, cargo_symbols: Iterable[str] = ()
) -> list[ProposedClaim]:
    """Candidate claims from one record's abstract, in sentence order.

    Parameters
    ----------
    record : PubmedRecord
        A parsed PubMed record.
    lexicon : Lexicon
        The node labels of the knowledge base in force.
    cargo_symbols : iterable of str
        Gene symbols of the imported EV cargo vocabulary; symbols named in a sentence
        are listed on its candidates (``cargo_mentions``) for the curator.

    Returns
    -------
    list of ProposedClaim
        Each with subject and object node ids, the predicate, negation and hedging, the
        exact sentence, its locator and the record's study type.

    References
    ----------
    .. [1] Chapman, W. W. et al. (2001). A simple algorithm for identifying negated
       findings and diseases in discharge summaries. J Biomed Inform 34(5), 301-310.
       doi:10.1006/jbin.2001.1029
    .. [2] Medlock, B. & Briscoe, T. (2007). Weakly supervised learning for hedge
       classification in scientific literature. Proceedings of ACL 2007, 992-999.

    Examples
    --------
    >>> from exoderm.evidence.loading import load_knowledge_base
    >>> from exoderm.evidence.pubmed import AbstractSection
    >>> r = PubmedRecord(index=1, pmid="7", title="t", abstract=[AbstractSection(
    ...     text="ADSC exosomes did not reduce IL-6 in HaCaT cells.")])
    >>> c = propose(r, Lexicon(load_knowledge_base(None)))[0]
    >>> c.subject, c.predicate.value, c.object, c.negated, c.locator
    ('source:adipose-msc', 'reduces', 'mediator:il-6', True, 'PMID:7, abstract sentence 1')
    """
    level = study_type(record)
    symbols = {s.upper() for s in cargo_symbols if len(s) >= 3}
    out: list[ProposedClaim] = []
    number = 0
    for section in record.abstract:
        for sentence in split_sentences(section.text):
            number += 1
            if section.label.upper() in _NO_FINDINGS or _AIM.match(sentence):
                continue
            mentions = lexicon.mentions(sentence)
            cargo = sorted({w for w in re.findall(r"[A-Za-z0-9-]+", sentence) if w in symbols})
            where = f"abstract ({section.label}) sentence" if section.label else "abstract sentence"
            hedged = bool(_HEDGE.search(sentence))
            unique = {
                (h.subject.node_id, h.predicate, h.obj.node_id): h
                for h in _hits(sentence, mentions)
            }
            for n, hit in enumerate(unique.values(), start=1):
                span = sentence[
                    min(hit.subject.start, hit.obj.start) : max(hit.subject.end, hit.obj.end)
                ]
                negated = bool(_NEGATION.search(span)) or "no significant" in sentence.lower()
                confidence = 0.9 - 0.2 * hedged - 0.1 * (hit.subject.node_id == "source:exosomes")
                out.append(
                    ProposedClaim(
                        key=f"{record.pmid}-{number}-{n}",
                        pmid=record.pmid,
                        sentence=number,
                        section=section.label,
                        subject=hit.subject.node_id,
                        subject_text=hit.subject.text,
                        predicate=hit.predicate,
                        object=hit.obj.node_id,
                        object_text=hit.obj.text,
                        negated=negated,
                        hedged=hedged,
                        quote=sentence,
                        locator=f"PMID:{record.pmid}, {where} {number}",
                        study_type=level,
                        confidence=round(confidence, 2),
                        cargo_mentions=cargo,
                    )
                )
    return out
