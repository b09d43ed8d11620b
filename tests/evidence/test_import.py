"""All-or-nothing import of curated claims, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import PermissionDenied, ValidationFailed
from exoderm.evidence import load_knowledge_base
from exoderm.evidence.bibliography import format_references
from exoderm.evidence.curation import import_evidence
from exoderm.evidence.records import EvidenceClaim, EvidenceImport, EvidenceReference
from exoderm.storage import Database

ADMIN = Actor("tester", Role.admin)

BAD = """\
references:
  - {id: smith2020, authors: ["Smith, J."], year: 2020, title: A study, doi: "10.1234"}
  - {id: thakur2023, title: clashes with a seed id, doi: "10.9999/abc"}
claims:
  - {subject: adipose msc exosome, predicate: reduces, object: wrinkles, evidence_level: rct}
  - {subject: centella, predicate: cures, object: acne scars, evidence_level: rct}
  - {subject: wrinkles, predicate: reduces, object: wrinkles, evidence_level: in_vitro}
"""

GOOD = """\
nodes:
  - {id: source:snail-mucin, kind: ev_source, name: snail mucin vesicles, synonyms: [snail]}
references:
  - {id: doe2025, authors: ["Doe, J."], year: 2025, title: Snail vesicles, doi: "doi:10.5555/T.1"}
claims:
  - {id: imp-snail-1, subject: snail, predicate: reduces, object: wrinkles,
     evidence_level: animal, references: [doe2025], quote: fewer wrinkles, location: Fig 2}
"""


def _count(db: Database, model: type) -> int:
    with db.reader() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_malformed_file_changes_nothing_and_names_every_problem(
    any_db: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD)
    with pytest.raises(ValidationFailed) as info, any_db.transaction() as session:
        import_evidence(session, [bad], ADMIN)
    text = str(info.value)
    assert "line 2, field 'doi': malformed DOI" in text
    assert "line 3, field 'id': duplicate reference 'thakur2023'" in text
    assert "line 5, field 'subject'" in text and "did you mean 'adipose MSC exosomes'" in text
    assert "line 6, field 'predicate': unknown predicate 'cures'" in text
    assert "line 7, field 'object': self-loop" in text
    assert len(info.value.problems) == 5
    for model in (EvidenceImport, EvidenceClaim, EvidenceReference):
        assert _count(any_db, model) == 0


def test_good_import_merges_with_the_seed_and_invalidates_the_cache(
    any_db: Database, tmp_path: Path
) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    with any_db.reader() as session:
        before = load_knowledge_base(session)
    assert not before.has_node("source:snail-mucin")
    with any_db.transaction() as session:
        result = import_evidence(session, [good], ADMIN)
    assert (result.nodes, result.references, result.claims) == (1, 1, 1)
    with any_db.reader() as session:
        after = load_knowledge_base(session)
    assert after is not before
    claim = after.claim("imp-snail-1")
    assert claim.origin == "import" and claim.references[0].doi == "10.5555/t.1"
    assert after.association("snail", "wrinkles").score > 0
    assert len(after.all_claims()) == len(before.all_claims()) + 1
    # importing the same file again is rejected as duplicates, and writes nothing
    with pytest.raises(ValidationFailed, match="duplicate"), any_db.transaction() as session:
        import_evidence(session, [good], ADMIN)
    assert _count(any_db, EvidenceImport) == 1


def test_csv_claims_with_bibtex_and_ris_references(sqlite_db: Database, tmp_path: Path) -> None:
    (tmp_path / "claims.csv").write_text(
        "id,subject,predicate,object,evidence_level,references,quote\n"
        "imp-a,centella,reduces,redness,case_series,lee2024;kim2023,redness fell\n"
        "imp-b,ginseng,reduces,wrinkles,in_vitro,kim2023,fewer wrinkles\n"
    )
    (tmp_path / "refs.bib").write_text(
        "@article{lee2024,\n  author = {Lee, A. and Park, B.},\n  title = {Cica vesicles},\n"
        "  journal = {Cosmetics},\n  year = {2024},\n  doi = {10.3390/test.2024.1}\n}\n"
    )
    (tmp_path / "refs.ris").write_text(
        "TY  - JOUR\nID  - kim2023\nAU  - Kim, C.\nTI  - Ginseng vesicles\nPY  - 2023\n"
        "DO  - 10.1000/ginseng.7\nER  - \n"
    )
    files = [tmp_path / "claims.csv", tmp_path / "refs.bib", tmp_path / "refs.ris"]
    with sqlite_db.transaction() as session:
        result = import_evidence(session, files, ADMIN)
    assert (result.claims, result.references) == (2, 2)
    with sqlite_db.reader() as session:
        kb = load_knowledge_base(session)
    assert [r.id for r in kb.claim("imp-a").references] == ["lee2024", "kim2023"]


def test_csv_problems_carry_csv_line_numbers(sqlite_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "claims.csv"
    path.write_text(
        "subject,predicate,object,evidence_level\n"
        "centella,reduces,redness,case_series\n"
        "centela,reduces,redness,case_series\n"
        "centella,reduces,redness,anecdote\n"
    )
    with pytest.raises(ValidationFailed) as info, sqlite_db.transaction() as session:
        import_evidence(session, [path], ADMIN)
    lines = sorted(p.location.line or 0 for p in info.value.problems)
    assert lines == [3, 4]
    assert _count(sqlite_db, EvidenceClaim) == 0


def test_viewers_may_not_import(sqlite_db: Database, tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    with pytest.raises(PermissionDenied), sqlite_db.transaction() as session:
        import_evidence(session, [good], Actor("v", Role.viewer))


def test_pmids_are_stored_checked_for_duplicates_and_exported(
    any_db: Database, tmp_path: Path
) -> None:
    text = GOOD.replace('doi: "doi:10.5555/T.1"}', 'doi: "doi:10.5555/T.1", pmid: "31234567"}')
    good = tmp_path / "good.yaml"
    good.write_text(text)
    with any_db.transaction() as session:
        import_evidence(session, [good], ADMIN)
    with any_db.reader() as session:
        kb = load_knowledge_base(session)
    ref = kb.reference("doe2025")
    assert ref.pmid == "31234567" and "PMID:31234567" in ref.citation()
    assert "AN  - PMID:31234567" in format_references([ref], "ris")
    assert "pmid = {31234567}" in format_references([ref], "bibtex")
    assert '"PMID": "31234567"' in format_references([ref], "csljson")
    again = tmp_path / "again.yaml"
    again.write_text(
        "references:\n"
        '  - {id: other2025, authors: ["Roe, R."], year: 2025, title: Same paper,'
        ' pmid: "31234567"}\n'
        '  - {id: bad2025, authors: ["Roe, R."], year: 2025, title: T, pmid: "PMC123"}\n'
    )
    with pytest.raises(ValidationFailed) as info, any_db.transaction() as session:
        import_evidence(session, [again], ADMIN)
    message = str(info.value)
    assert "line 2, field 'pmid': duplicate reference: PMID 31234567 is already" in message
    assert "line 3, field 'pmid'" in message
