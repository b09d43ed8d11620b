"""The disputed point of a conflict: what one claim says and what the claim against it says.

A conflict pairs a claim with the claims that dispute it. Each disputing claim contests one
thing: the direction of a change (``increases`` against ``decreases``), the population or
guideline a statement applies to, whether a statement holds at all, benefit against harm,
or the whole statement when subject and object both differ. :func:`disputed_point` names
that thing and both sides' words for it, with each side's source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from exoderm.evidence.model import Claim, Node, Predicate

#: Predicates that state a change in one direction; negation is handled apart.
_UP = frozenset({Predicate.INCREASES, Predicate.PROMOTES, Predicate.ENHANCES})
_DOWN = frozenset({Predicate.DECREASES, Predicate.INHIBITS})
#: Predicates that state a benefit to skin; ``has_adverse_event`` states a harm.
_BENEFIT = frozenset(
    {
        Predicate.IMPROVES,
        Predicate.REDUCES,
        Predicate.TREATS,
        Predicate.PROMOTES,
        Predicate.ENHANCES,
    }
)


class DisputedPoint(BaseModel):
    """What one disputing claim contests in the claim it disputes."""

    model_config = ConfigDict(frozen=True)

    aspect: str = Field(
        description="Kind of disagreement: direction, population (or another node kind), "
        "holds, benefit or harm, statement."
    )
    question: str = Field(description="The disputed point, e.g. 'direction of MMP-1 change'.")
    claim_says: str = Field(description="The disputed claim's answer, e.g. 'increases'.")
    claim_source: str = Field(description="Citation of the disputed claim.")
    other_says: str = Field(description="The disputing claim's answer, e.g. 'decreases'.")
    other_source: str = Field(description="Citation of the disputing claim.")
    other_claim: str = Field(description="Id of the disputing claim.")
    also_differs: list[str] = Field(
        default_factory=list,
        description="Other parts of the two statements that differ (e.g. the subject).",
    )

    def describe(self) -> str:
        """One line: the question, then each side's source and answer."""
        return summarise([self])


def _words(predicate: Predicate) -> str:
    return predicate.value.replace("_", " ")


def _verb(claim: Claim) -> str:
    """The predicate as a verb phrase, negated where the claim is."""
    words = _words(claim.predicate)
    if not claim.negated:
        return words
    head, _, rest = words.partition(" ")
    if head == "has":
        return " ".join(("does not have", rest)).strip()
    if not head.endswith("s"):
        return f"is not {words}"
    base = head[:-3] + "y" if head.endswith("ies") else head[:-1]
    return " ".join(("does not", base, rest)).strip()


def _name(nodes: Mapping[str, Node], node_id: str) -> str:
    node = nodes.get(node_id)
    return node.name if node else node_id


def _kind(nodes: Mapping[str, Node], node_id: str) -> str:
    node = nodes.get(node_id)
    return node.kind.value.replace("_", " ") if node else "object"


def _polarity(claim: Claim) -> int:
    if claim.negated:
        return 0
    return 1 if claim.predicate in _UP else -1 if claim.predicate in _DOWN else 0


def disputed_point(claim: Claim, other: Claim, nodes: Mapping[str, Node]) -> DisputedPoint:
    """Name what ``other`` disputes in ``claim`` and both sides' answers.

    The checks run from the most specific disagreement to the least: opposite directions
    of change in the same object; the same statement asserted and negated; a benefit
    against an adverse event; the same subject and predicate about different objects (a
    population, a guideline); otherwise the two whole statements.

    Parameters
    ----------
    claim : Claim
        The disputed claim.
    other : Claim
        A claim that disputes it (``claim.id`` in ``other.contradicts``).
    nodes : Mapping[str, Node]
        The knowledge base's nodes by id, for names and kinds.

    Returns
    -------
    DisputedPoint
        The question, both answers with their citations, and what else differs.

    References
    ----------
    Rosemblat, G., Fiszman, M., Shin, D. & Kilicoglu, H. (2019). Towards a
    characterization of apparent contradictions in the biomedical literature using context
    analysis. *J Biomed Inform* 98:103275. doi:10.1016/j.jbi.2019.103275 (opposing
    predicate pairs; context such as population or species explaining a contradiction)

    Examples
    --------
    >>> from exoderm.evidence.model import NodeKind
    >>> nodes = {
    ...     "source:a": Node("source:a", NodeKind.EV_SOURCE, "ASC exosomes"),
    ...     "source:b": Node("source:b", NodeKind.EV_SOURCE, "iPSC exosomes"),
    ...     "mediator:mmp-1": Node("mediator:mmp-1", NodeKind.MEDIATOR, "MMP-1"),
    ... }
    >>> up = Claim("c1", "source:a", Predicate.INCREASES, "mediator:mmp-1", location="WP 1")
    >>> down = Claim("c2", "source:b", Predicate.DECREASES, "mediator:mmp-1", location="Oh 2018")
    >>> disputed_point(up, down, nodes).describe()
    'direction of MMP-1 change: WP 1 says increases; Oh 2018 says decreases'
    >>> disputed_point(up, down, nodes).also_differs
    ['subject: ASC exosomes / iPSC exosomes']
    """
    subject, obj = _name(nodes, claim.subject), _name(nodes, claim.object)
    same_subject = claim.subject == other.subject
    same_object = claim.object == other.object

    def point(aspect: str, question: str, says: str, other_says: str) -> DisputedPoint:
        differs = []
        if not same_subject and aspect not in ("statement", "benefit or harm"):
            differs.append(f"subject: {subject} / {_name(nodes, other.subject)}")
        return DisputedPoint(
            aspect=aspect,
            question=question,
            claim_says=says,
            claim_source=claim.citation(),
            other_says=other_says,
            other_source=other.citation(),
            other_claim=other.id,
            also_differs=differs,
        )

    other_statement = f"{_name(nodes, other.subject)} {_verb(other)} {_name(nodes, other.object)}"
    if same_object and _polarity(claim) * _polarity(other) < 0:
        return point("direction", f"direction of {obj} change", _verb(claim), _verb(other))
    if same_subject and same_object and claim.predicate is other.predicate:
        return point(
            "holds", f"whether {subject} {_words(claim.predicate)} {obj}", "it does", "it does not"
        )
    if claim.predicate in _BENEFIT and other.predicate is Predicate.HAS_ADVERSE_EVENT:
        harm = f"{_name(nodes, other.subject)} has adverse events ({_name(nodes, other.object)})"
        return point(
            "benefit or harm", f"benefit or harm of {subject}", f"{_verb(claim)} {obj}", harm
        )
    if same_subject and claim.predicate is other.predicate:
        kind = _kind(nodes, claim.object)
        if kind != _kind(nodes, other.object):
            kind = "object"
        return point(
            kind,
            f"{kind} in “{subject} {_words(claim.predicate)} …”",
            obj,
            _name(nodes, other.object),
        )
    return point(
        "statement",
        f"what the evidence shows for “{subject} {_verb(claim)} {obj}”",
        f"{subject} {_verb(claim)} {obj}",
        other_statement,
    )


def summarise(points: Sequence[DisputedPoint]) -> str:
    """The disputed points of one conflict in one line, each question once.

    Disputing claims with the same answer are listed together.

    Parameters
    ----------
    points : Sequence[DisputedPoint]
        The points of one conflict (one per disputing claim).

    Returns
    -------
    str
        ``question: source says answer; sources say answer`` per question, joined by
        `` · ``.

    References
    ----------
    Alamri, A. & Stevenson, M. (2016). A corpus of potentially contradictory research
    claims from cardiovascular research abstracts. *J Biomed Semantics* 7:36.
    doi:10.1186/s13326-016-0083-z

    Examples
    --------
    >>> p = DisputedPoint(aspect="direction", question="direction of MMP-1 change",
    ...     claim_says="increases", claim_source="WP", other_says="decreases",
    ...     other_source="Oh 2018", other_claim="c2")
    >>> q = p.model_copy(update={"other_source": "Hu 2019", "other_claim": "c3"})
    >>> summarise([p, q])
    'direction of MMP-1 change: WP says increases; Oh 2018 and Hu 2019 say decreases'
    """
    questions: dict[tuple[str, str, str], dict[str, list[str]]] = {}
    for p in points:
        answers = questions.setdefault((p.question, p.claim_source, p.claim_says), {})
        sources = answers.setdefault(p.other_says, [])
        if p.other_source not in sources:
            sources.append(p.other_source)
    lines = []
    for (question, source, says), answers in questions.items():
        sides = [_side([source], says)]
        sides += [_side(sources, other_says) for other_says, sources in answers.items()]
        lines.append(f"{question}: " + "; ".join(sides))
    return " · ".join(lines)


def _side(citations: Sequence[str], says: str) -> str:
    """``A says x`` or ``A, B and C say x``; a citation of several references counts each."""
    who = list(dict.fromkeys(part for c in citations for part in c.split("; ")))
    names = who[0] if len(who) == 1 else f"{', '.join(who[:-1])} and {who[-1]}"
    return f"{names} {'says' if len(who) == 1 else 'say'} {says}"
