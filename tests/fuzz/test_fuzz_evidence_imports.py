"""Fuzzing the evidence importers: claims (CSV, YAML) and references (BibTeX, RIS).

Every file set must validate to an import plan or raise
:class:`~exoderm.errors.ValidationFailed` / :class:`~exoderm.errors.UserInputError`; a
refused import through the database must leave it unchanged.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.evidence.curation import ImportPlan, import_evidence, validate_import
from exoderm.evidence.records import EvidenceClaim, EvidenceImport, EvidenceNode, EvidenceReference
from exoderm.storage import Database, open_database, upgrade
from tests.fuzz.budget import fuzz
from tests.fuzz.checks import parse_or_refuse
from tests.fuzz.mutations import GARBAGE_CELLS, mutated

CLAIMS_YAML = """\
nodes:
  - {id: source:snail-mucin, kind: ev_source, name: snail mucin vesicles, synonyms: [snail]}
references:
  - {id: doe2025, authors: ["Doe, J."], year: 2025, title: Snail vesicles, doi: "doi:10.5555/T.1"}
claims:
  - {id: imp-snail-1, subject: snail, predicate: reduces, object: wrinkles,
     evidence_level: animal, references: [doe2025], quote: fewer wrinkles, location: Fig 2}
  - {subject: adipose msc exosome, predicate: reduces, object: wrinkles, evidence_level: rct}
"""
CLAIMS_CSV = """\
id,subject,predicate,object,evidence_level,references,quote,relevance,contradicts
imp-fz-1,adipose msc exosome,reduces,wrinkles,in_vitro,,"fewer, shallower wrinkles",0.5,
imp-fz-2,adipose msc exosome,reduces,wrinkles,animal,,,1,imp-fz-1
"""
BIBTEX = """\
@article{doe2025,
  author = {Doe, Jane and Roe, Richard},
  title = {{Snail} mucin vesicles},
  journal = {J Cosmet Sci},
  year = {2025},
  volume = {12},
  pages = {1--9},
  doi = {10.5555/t.1},
  keywords = {in_vitro}
}
"""
RIS = """\
TY  - JOUR
AU  - Doe, Jane
TI  - Snail mucin vesicles
JO  - J Cosmet Sci
PY  - 2025
VL  - 12
SP  - 1
EP  - 9
DO  - 10.5555/t.1
ER  - {end}
""".format(end="")
SEEDS = {".yaml": CLAIMS_YAML, ".csv": CLAIMS_CSV, ".bib": BIBTEX, ".ris": RIS}
CLAIM_FIELDS = (
    "id",
    "subject",
    "predicate",
    "object",
    "negated",
    "quote",
    "area",
    "references",
    "evidence_level",
    "relevance",
    "contradicts",
    "kind",
    "name",
    "year",
    "doi",
    "",
    "unknown",
)


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="exoderm-fuzz-evidence-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _validate(paths: list[Path]) -> None:
    plan = parse_or_refuse(lambda: validate_import(None, paths))
    if plan is not None:
        assert isinstance(plan, ImportPlan)


@given(suffix=st.sampled_from(sorted(SEEDS)), data=st.data())
@fuzz(300)
def test_damaged_curator_file(workdir: Path, suffix: str, data: st.DataObject) -> None:
    path = workdir / f"curated{suffix}"
    path.write_bytes(data.draw(mutated(SEEDS[suffix].encode())))
    _validate([path])


@given(data=st.binary(max_size=1000), suffix=st.sampled_from((*SEEDS, ".txt")))
@fuzz(100)
def test_random_bytes_as_curator_file(workdir: Path, data: bytes, suffix: str) -> None:
    path = workdir / f"random{suffix}"
    path.write_bytes(data)
    _validate([path])


cell = (
    st.sampled_from(GARBAGE_CELLS)
    | st.text(max_size=12)
    | st.sampled_from(
        ("snail", "wrinkles", "reduces", "rct", "in_vitro", "true", "doe2025", "10.5555/x")
    )
)


@st.composite
def claims_csv(draw: st.DrawFn) -> str:
    header = draw(st.lists(st.sampled_from(CLAIM_FIELDS), min_size=1, max_size=8))
    lines = [",".join(header)]
    for _ in range(draw(st.integers(0, 6))):
        width = draw(st.integers(0, len(header) + 2))
        lines.append(",".join(draw(cell).replace("\n", " ") for _ in range(width)))
    return "\n".join(lines) + "\n"


@given(text=claims_csv())
@fuzz(200)
def test_generated_claims_csv(workdir: Path, text: str) -> None:
    path = workdir / "claims.csv"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _validate([path])


yaml_scalar = st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | cell
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(cell, inner, max_size=3),
    max_leaves=6,
)


def _dump(value: object) -> str:
    import yaml

    return yaml.safe_dump(value, allow_unicode=True)


@given(
    sections=st.dictionaries(
        st.sampled_from(("nodes", "references", "claims", "other")),
        st.lists(st.dictionaries(st.sampled_from(CLAIM_FIELDS), yaml_value, max_size=6), max_size=3)
        | yaml_value,
        max_size=3,
    )
)
@fuzz(200)
def test_generated_claims_yaml_with_wrong_types(workdir: Path, sections: dict[str, object]) -> None:
    path = workdir / "claims.yaml"
    path.write_text(_dump(sections), "utf-8")
    _validate([path])


@st.composite
def bibtex(draw: st.DrawFn) -> str:
    entries = []
    for k in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(("article", "book", "misc", "string", "comment", "")))
        fields = draw(
            st.dictionaries(
                st.sampled_from(("author", "title", "year", "doi", "journal", "pages", "url", "")),
                cell | st.sampled_from(("{", "}", "{{a}", "\\'e", "#")),
                max_size=5,
            )
        )
        body = ",\n".join(f"  {key} = {{{value}}}" for key, value in fields.items())
        key = draw(st.sampled_from((f"ref{k}", "", "doe2025", "a b")))
        entries.append(f"@{kind}{{{key},\n{body}\n}}")
    return "\n\n".join(entries) + "\n"


@given(text=bibtex())
@fuzz(150)
def test_generated_bibtex(workdir: Path, text: str) -> None:
    path = workdir / "refs.bib"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _validate([path])


RIS_TAGS = (
    "TY",
    "AU",
    "A1",
    "TI",
    "T1",
    "JO",
    "PY",
    "Y1",
    "VL",
    "SP",
    "EP",
    "DO",
    "UR",
    "ER",
    "XX",
)


@st.composite
def ris(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(st.sampled_from(RIS_TAGS))
        sep = draw(st.sampled_from(("  - ", " - ", "  -", "-")))
        lines.append(f"{tag}{sep}{draw(cell)}".replace("\n", " "))
    return "\n".join(lines) + "\n"


@given(text=ris())
@fuzz(150)
def test_generated_ris(workdir: Path, text: str) -> None:
    path = workdir / "refs.ris"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _validate([path])


# ------------------------------------------------------------------ nothing half-written
@pytest.fixture(scope="module")
def database(workdir: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{workdir / 'evidence.db'}")
    upgrade(db)
    yield db
    db.dispose()


def _rows(db: Database) -> tuple[int, ...]:
    with db.reader() as session:
        return tuple(
            int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (EvidenceImport, EvidenceNode, EvidenceReference, EvidenceClaim)
        )


@given(suffix=st.sampled_from((".yaml", ".csv")), data=st.data())
@fuzz(40)
def test_refused_import_writes_nothing(
    database: Database, workdir: Path, suffix: str, data: st.DataObject
) -> None:
    path = workdir / f"import{suffix}"
    path.write_bytes(data.draw(mutated(SEEDS[suffix].encode())))
    before = _rows(database)

    def attempt() -> object:
        with database.transaction() as session:
            return import_evidence(session, [path], Actor("fuzz", Role.admin))

    if parse_or_refuse(attempt) is None:
        assert _rows(database) == before, "a refused import changed the database"
