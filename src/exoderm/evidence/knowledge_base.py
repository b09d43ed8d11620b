"""The knowledge base: nodes, cited claims and references, with name resolution, path
queries, associations, search and conflicts.

Why: every other capability asks the same questions — what is "ADSC"? what supports
"adipose MSC exosomes → wrinkles", how strong is it, and who disagrees? Answers are typed
objects. The claim graph and the search index are built lazily, once per knowledge base,
and a knowledge base is cached by :func:`exoderm.evidence.loading.load_knowledge_base`.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property

from exoderm.errors import NotFoundError
from exoderm.evidence.disputes import disputed_point
from exoderm.evidence.graph import ClaimGraph
from exoderm.evidence.model import Claim, DataType, Node, NodeKind, Predicate, Reference
from exoderm.evidence.results import Association, Conflict, EvidencePath, PathHop
from exoderm.evidence.scoring import ScoredItem, aggregate, claim_score, data_type
from exoderm.evidence.search import SearchHit, SearchIndex
from exoderm.evidence.seed import DermalEffectItem, Figure, GlossaryEntry, UnevidencedEffect

#: When one name belongs to several nodes, the first kind in this order wins: a user who
#: types "wrinkles" means the concern, not the whitepaper's dermal-effect item.
RESOLUTION_ORDER: tuple[NodeKind, ...] = (
    NodeKind.CONCERN,
    NodeKind.EV_SOURCE,
    NodeKind.DERMAL_EFFECT,
    NodeKind.MEDIATOR,
    NodeKind.CARGO,
    NodeKind.PROCESS,
    NodeKind.CO_ACTIVE,
    NodeKind.DELIVERY,
    NodeKind.PROCEDURE,
    NodeKind.GUIDELINE,
    NodeKind.POPULATION,
    NodeKind.AREA,
)
_GREEK = {"β": "beta", "α": "alpha", "γ": "gamma", "κ": "kappa"}


def name_key(text: str) -> str:
    """Case-, space-, hyphen- and Greek-letter-insensitive key of a name."""
    lowered = text.strip().lower()
    for letter, word in _GREEK.items():
        lowered = lowered.replace(letter, word)
    lowered = lowered.replace("ise", "ize").replace("isation", "ization")
    return re.sub(r"[^0-9a-z+]+", "", lowered)


def scored(claim: Claim) -> Claim:
    """The claim with its evidence score filled in."""
    return dataclasses.replace(claim, score=round(claim_score(claim), 6))


class KnowledgeBase:
    """An immutable, in-memory evidence graph. Build with already-scored claims."""

    def __init__(
        self,
        nodes: Iterable[Node],
        references: Iterable[Reference],
        claims: Iterable[Claim],
        *,
        glossary: Sequence[GlossaryEntry] = (),
        figures: Sequence[Figure] = (),
        effect_items: Sequence[DermalEffectItem] = (),
        unevidenced: Sequence[UnevidencedEffect] = (),
        version: str = "",
    ) -> None:
        self.version = version
        self._nodes: dict[str, Node] = {n.id: n for n in nodes}
        self._refs: dict[str, Reference] = {r.id: r for r in references}
        self._claims: dict[str, Claim] = {c.id: c for c in claims}
        self.glossary = list(glossary)
        self.figures = list(figures)
        self.effect_items = list(effect_items)
        self.unevidenced = list(unevidenced)
        self._keys: dict[str, list[str]] = {}
        for node in self._nodes.values():
            for label in (node.name, node.id, *node.synonyms):
                ids = self._keys.setdefault(name_key(label), [])
                if node.id not in ids:
                    ids.append(node.id)
        for entry in self.glossary:
            if entry.node and entry.node in self._nodes:
                ids = self._keys.setdefault(name_key(entry.abbreviation), [])
                if entry.node not in ids:
                    ids.append(entry.node)

    # --- nodes -------------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        try:
            return self._nodes[node_id]
        except KeyError:
            raise NotFoundError(f"no node with id '{node_id}'{self._suggest(node_id)}") from None

    def nodes(self, kind: NodeKind | str | None = None) -> list[Node]:
        wanted = NodeKind(kind) if kind is not None else None
        out = [n for n in self._nodes.values() if wanted is None or n.kind is wanted]
        return sorted(out, key=lambda n: n.id)

    def has_node(self, node_id: str) -> bool:
        return node_id in self._nodes

    def candidates(self, name: str) -> list[Node]:
        """Every node a name could mean, best first (see :data:`RESOLUTION_ORDER`)."""
        if name in self._nodes:
            return [self._nodes[name]]
        ids = self._keys.get(name_key(name), [])
        found = [self._nodes[i] for i in ids]
        return sorted(found, key=lambda n: (RESOLUTION_ORDER.index(n.kind), n.id))

    def resolve(self, name: str) -> Node:
        """The node named ``name`` (id, canonical name, synonym or abbreviation)."""
        found = self.candidates(name)
        if found:
            return found[0]
        raise NotFoundError(f"no node named '{name}'{self._suggest(name)}")

    def suggestions(self, name: str, n: int = 3) -> list[str]:
        labels: dict[str, str] = {}
        for node in self._nodes.values():
            for label in (node.name, *node.synonyms):
                labels.setdefault(label.lower(), label)
        close = difflib.get_close_matches(name.lower(), list(labels), n=n, cutoff=0.6)
        return [labels[c] for c in close]

    def _suggest(self, name: str) -> str:
        close = self.suggestions(name)
        return f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""

    # --- claims and references ---------------------------------------------------------
    def claim(self, claim_id: str) -> Claim:
        try:
            return self._claims[claim_id]
        except KeyError:
            raise NotFoundError(f"no claim with id '{claim_id}'") from None

    def all_claims(self) -> list[Claim]:
        return list(self._claims.values())

    def claims(
        self, subject: str | None = None, predicate: str | None = None, object: str | None = None
    ) -> list[Claim]:
        """Claims matching every given field; subject/object accept names or ids."""
        sid = self.resolve(subject).id if subject else None
        oid = self.resolve(object).id if object else None
        pred = Predicate(predicate) if predicate else None
        out = [
            c
            for c in self._claims.values()
            if (sid is None or c.subject == sid)
            and (oid is None or c.object == oid)
            and (pred is None or c.predicate is pred)
        ]
        return sorted(out, key=lambda c: (-c.score, c.id))

    def references(self) -> list[Reference]:
        return sorted(self._refs.values(), key=lambda r: (r.first_author().lower(), r.year or 0))

    def reference(self, ref_id: str) -> Reference:
        try:
            return self._refs[ref_id]
        except KeyError:
            raise NotFoundError(f"no reference with id '{ref_id}'") from None

    def cited_by(self, ref_id: str) -> list[Claim]:
        return [c for c in self._claims.values() if any(r.id == ref_id for r in c.references)]

    # --- graph queries -----------------------------------------------------------------
    @cached_property
    def graph(self) -> ClaimGraph:
        """The claim graph (built on first use; area and population nodes are not hops)."""
        blocked = frozenset(
            n.id for n in self._nodes.values() if n.kind in (NodeKind.AREA, NodeKind.POPULATION)
        )
        return ClaimGraph(self._claims.values(), blocked)

    def paths(
        self, source: str, target: str, *, max_hops: int = 5, limit: int = 10
    ) -> list[EvidencePath]:
        """Simple paths source → … → target, strongest first, each hop fully cited."""
        src, dst = self.resolve(source), self.resolve(target)
        raw = self.graph.best_paths(src.id, dst.id, max_hops, limit)
        return [self._path(r.nodes, r.score) for r in raw]

    def _path(self, ids: Sequence[str], score: float) -> EvidencePath:
        steps = []
        for a, b in itertools.pairwise(ids):
            bundle = self.graph.edges[(a, b)]
            steps.append(
                PathHop(
                    self._nodes[a],
                    self._nodes[b],
                    tuple(bundle.supporting),
                    tuple(bundle.refuting),
                    bundle.score,
                )
            )
        return EvidencePath(tuple(self._nodes[i] for i in ids), tuple(steps), round(score, 6))

    def association(
        self, source: str, target: str, *, max_hops: int = 5, limit: int = 10
    ) -> Association:
        """Aggregate direct claims and inferred paths from source to target."""
        src, dst = self.resolve(source), self.resolve(target)
        bundle = self.graph.edge(src.id, dst.id)
        direct = list(bundle.supporting) if bundle else []
        refuting = list(bundle.refuting) if bundle else []
        paths = [
            p
            for p in self.paths(src.id, dst.id, max_hops=max_hops, limit=limit)
            if len(p.steps) > 1
        ]
        items = [ScoredItem(f"{c.id} ({c.citation()})", data_type(c), c.score) for c in direct]
        items += [ScoredItem(f"path {p.describe()}", DataType.INFERRED, p.score) for p in paths]
        support = aggregate(items)
        refute = aggregate(
            [ScoredItem(f"{c.id} ({c.citation()})", data_type(c), c.score) for c in refuting]
        )
        involved = {c.id for c in direct} | {c.id for p in paths for s in p.steps for c in s.claims}
        return Association(
            source=src,
            target=dst,
            score=round(support.score, 6),
            refuting_score=round(refute.score, 6),
            supporting=[*direct, *paths],
            refuting=refuting,
            support_aggregate=support,
            refute_aggregate=refute,
            conflicts=[
                c
                for c in self.conflicts()
                if c.claim.id in involved or any(d.id in involved for d in c.disputed_by)
            ],
        )

    def reachable(self, source: str, max_hops: int | None = None) -> set[str]:
        """Ids of nodes reachable from ``source`` along supported claims."""
        return self.graph.reachable_from(self.resolve(source).id, max_hops)

    # --- conflicts ---------------------------------------------------------------------
    @cached_property
    def _conflicts(self) -> list[Conflict]:
        disputed: dict[str, list[Claim]] = {}
        for claim in self._claims.values():
            for other in claim.contradicts:
                disputed.setdefault(other, []).append(claim)
        out = []
        for claim_id, against in sorted(disputed.items()):
            target = self._claims.get(claim_id)
            if target is None:
                continue
            topic = (
                f"{self._label(target.subject)} {target.predicate.value} "
                f"{self._label(target.object)}"
            )
            others = tuple(sorted(against, key=lambda c: c.id))
            points = tuple(disputed_point(target, other, self._nodes) for other in others)
            out.append(Conflict(target, others, topic, points))
        return out

    def conflicts(self) -> list[Conflict]:
        """Every disputed claim with the claims (and sources) that dispute it."""
        return list(self._conflicts)

    @cached_property
    def _conflicts_by_claim(self) -> dict[str, list[Conflict]]:
        by_claim: dict[str, list[Conflict]] = {}
        for c in self._conflicts:
            for claim_id in dict.fromkeys((c.claim.id, *(d.id for d in c.disputed_by))):
                by_claim.setdefault(claim_id, []).append(c)
        return by_claim

    def conflicts_for(self, claim_id: str) -> list[Conflict]:
        """Conflicts a claim takes part in, on either side."""
        return list(self._conflicts_by_claim.get(claim_id, ()))

    def _label(self, node_id: str) -> str:
        node = self._nodes.get(node_id)
        return node.name if node else node_id

    # --- search ------------------------------------------------------------------------
    @cached_property
    def _index(self) -> SearchIndex:
        index = SearchIndex()
        for node in self._nodes.values():
            text = " ".join((node.name, *node.synonyms, node.id, node.description))
            index.add("node", node.id, node.name, text, 2.0, node.description[:120])
        for claim in self._claims.values():
            text = " ".join(
                (
                    self._label(claim.subject),
                    self._label(claim.object),
                    claim.predicate.value,
                    claim.quote,
                    claim.notes,
                    claim.id,
                )
            )
            label = (
                f"{self._label(claim.subject)} {claim.predicate.value} {self._label(claim.object)}"
            )
            index.add("claim", claim.id, label, text, claim.score, claim.quote[:160])
        for ref in self._refs.values():
            text = " ".join((*ref.authors, ref.title, ref.journal, ref.doi or "", str(ref.year)))
            index.add("reference", ref.id, ref.short(), text, 0.0, ref.title)
        index.freeze()
        return index

    def search(self, text: str, limit: int = 20) -> list[SearchHit]:
        """Nodes, then claims (strongest first), then references containing every word."""
        return self._index.query(text, limit)

    # --- overviews ---------------------------------------------------------------------
    def effects(self, area: str | None = None) -> list[DermalEffectItem]:
        """The "Dermal effects" items of every area (or one area, by name or id)."""
        area_id = self._area(area).id if area else None
        return [i for i in self.effect_items if area_id is None or i.area == area_id]

    def _area(self, name: str) -> Node:
        for node in self.candidates(name):
            if node.kind is NodeKind.AREA:
                return node
        names = ", ".join(repr(n.name) for n in self.nodes(NodeKind.AREA))
        raise NotFoundError(f"no application area named '{name}'; the areas are {names}")

    def stats(self) -> dict[str, int | str]:
        kinds = Counter(n.kind.value for n in self._nodes.values())
        levels = Counter(c.evidence_level.value for c in self._claims.values())
        origins = Counter(c.origin for c in self._claims.values())
        out: dict[str, int | str] = {
            "version": self.version,
            "nodes": len(self._nodes),
            "claims": len(self._claims),
            "references": len(self._refs),
            "abbreviations": len(self.glossary),
            "figures": len(self.figures),
            "conflicts": len(self._conflicts),
        }
        literature = [c for c in self._claims.values() if c.is_primary_literature()]
        primary = [c for c in literature if c.quote.strip()]
        out["claims.primary_literature"] = len(primary)
        out["claims.primary_literature_unquoted"] = len(literature) - len(primary)
        out["references.primary_literature"] = len(
            {r.id for c in primary for r in c.references if r.id != "whitepaper"}
        )
        out["effects.without_primary_evidence"] = len(self.unevidenced)
        out |= {f"nodes.{k}": v for k, v in sorted(kinds.items())}
        out |= {f"claims.{k}": v for k, v in sorted(levels.items())}
        out |= {f"origin.{k}": v for k, v in sorted(origins.items())}
        return out
