"""The topic files of primary-literature claims: well formed, grounded and fully cited.

Each file in ``exoderm/evidence/data/literature/`` is read raw (so a problem names its
file and entry) and then through the knowledge base.
"""

from __future__ import annotations

import re
from collections import Counter
from importlib import resources
from typing import Any

import pytest
import yaml

from exoderm.evidence import load_knowledge_base
from exoderm.evidence.model import ID_PREFIX, PRIMARY_LITERATURE_LEVELS, NodeKind, Predicate
from exoderm.evidence.seed import literature_files

FILES = literature_files()
PRIMARY = {level.value for level in PRIMARY_LITERATURE_LEVELS}
PREDICATES = {p.value for p in Predicate}
ID_PREFIX_KINDS = {prefix: kind for kind, prefix in ID_PREFIX.items()}


def _raw(name: str) -> dict[str, Any]:
    text = resources.files("exoderm.evidence").joinpath(f"data/{name}").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict), f"{name}: not a mapping"
    return data


def _all_raw() -> list[tuple[str, dict[str, Any]]]:
    return [(name, _raw(name)) for name in FILES]


@pytest.mark.parametrize("name", FILES)
def test_nodes_declared_by_a_topic_file_follow_the_id_conventions(name: str) -> None:
    for row in _raw(name).get("nodes") or ():
        prefix = str(row["id"]).split(":", 1)[0]
        assert row.get("name"), f"{name}: node {row['id']} has no name"
        kind = NodeKind(row["kind"])
        assert ID_PREFIX_KINDS.get(prefix) is kind, (
            f"{name}: node {row['id']} has kind {kind.value}; the prefix {prefix!r} "
            f"means {ID_PREFIX_KINDS.get(prefix)}"
        )
        assert re.fullmatch(r"[a-z_]+:[a-z0-9][a-z0-9.+-]*", row["id"]), row["id"]


@pytest.mark.parametrize("name", FILES)
def test_every_claim_is_grounded_quoted_located_and_cited(name: str) -> None:
    kb = load_knowledge_base()
    raw = _raw(name)
    refs = {r.id for r in kb.references()}
    for row in raw.get("claims") or ():
        where = f"{name}: claim {row.get('id')}"
        for end in ("subject", "object"):
            assert kb.has_node(row[end]), f"{where}: unknown node {row[end]!r} ({end})"
        assert row["predicate"] in PREDICATES, f"{where}: predicate {row['predicate']!r}"
        assert row.get("evidence_level") in PRIMARY, (
            f"{where}: evidence_level {row.get('evidence_level')!r} is not a primary design"
        )
        quote = str(row.get("quote") or "").strip()
        assert quote, f"{where}: empty quote"
        assert len(quote) <= 700, (
            f"{where}: quote of {len(quote)} characters (one or two sentences)"
        )
        assert str(row.get("location") or "").strip(), f"{where}: no locator"
        cited = row.get("references") or []
        assert cited, f"{where}: cites no reference"
        for ref in cited:
            assert ref in refs, f"{where}: unknown reference {ref!r}"


@pytest.mark.parametrize("name", FILES)
def test_every_reference_of_a_topic_file_is_complete(name: str) -> None:
    for row in _raw(name).get("references") or ():
        where = f"{name}: reference {row.get('id')}"
        title = str(row.get("title") or "")
        assert title and not title.startswith("["), f"{where}: title {title!r}"
        assert [a for a in row.get("authors") or () if a != "et al."], f"{where}: no author"
        assert isinstance(row.get("year"), int), f"{where}: year {row.get('year')!r}"
        assert row.get("doi") or row.get("pmid"), f"{where}: neither DOI nor PMID"
        if row.get("pmid"):
            assert re.fullmatch(r"\d{1,9}", str(row["pmid"])), f"{where}: PMID {row['pmid']!r}"
        assert row.get("checked"), f"{where}: no stored copy named in 'checked'"


def test_ids_are_unique_across_every_file() -> None:
    kb = load_knowledge_base()
    claim_ids = Counter(str(row["id"]) for _, raw in _all_raw() for row in raw.get("claims") or ())
    repeated = [k for k, n in claim_ids.items() if n > 1]
    assert not repeated, f"claim ids used twice: {repeated}"
    seeded = {c.id for c in kb.all_claims() if c.id not in claim_ids}
    assert not seeded & set(claim_ids), "a topic claim reuses a seed claim id"
    ref_ids = Counter(
        str(row["id"]) for _, raw in _all_raw() for row in raw.get("references") or ()
    )
    assert not [k for k, n in ref_ids.items() if n > 1], "reference ids used twice"


def test_no_work_is_recorded_twice() -> None:
    kb = load_knowledge_base()
    seen: dict[str, str] = {}
    for ref in kb.references():
        for key in (f"doi:{ref.doi}" if ref.doi else "", f"pmid:{ref.pmid}" if ref.pmid else ""):
            if key:
                assert key not in seen, f"{key} is both {seen[key]} and {ref.id}"
                seen[key] = ref.id


def test_unevidenced_effects_name_a_dermal_effect_and_the_search() -> None:
    kb = load_knowledge_base()
    for entry in kb.unevidenced:
        assert kb.node(entry.node).kind is NodeKind.DERMAL_EFFECT, entry
        assert entry.searched.strip(), f"{entry.topic_file}: {entry.node} names no search"


def test_the_literature_folder_holds_topic_files() -> None:
    assert FILES, "no literature topic files are shipped"
