"""Search exports other than PubMed XML (Europe PMC JSON, RIS, BibTeX, MEDLINE): the same records,
the same candidates, and the whole curation pipeline from the CLI, the API and the web."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.cli.main import main
from exoderm.errors import UserInputError
from exoderm.evidence import search_exports
from exoderm.evidence import service as evidence
from exoderm.evidence.loading import load_knowledge_base
from exoderm.evidence.proposer import Lexicon, propose, study_type
from exoderm.evidence.pubmed import PubmedRecord, read_pubmed
from exoderm.evidence.review import Decision
from exoderm.evidence.search_exports import (
    parse_bibtex_records,
    parse_europepmc_json,
    parse_ris_records,
    parse_search_export,
    read_search_export,
)
from exoderm.storage.scratch import scratch_database
from tests.api.conftest import World, world, world_template
from tests.web.logins import csrf_of, login

DATA = Path(__file__).parent / "data"
XML = DATA / "pubmed_synthetic.xml"
EUROPE_PMC = DATA / "europepmc_synthetic.json"
RIS = DATA / "search_synthetic.ris"
BIBTEX = DATA / "search_synthetic.bib"
MEDLINE = DATA / "search_synthetic.nbib"
EXPORTS = [EUROPE_PMC, RIS, BIBTEX, MEDLINE]
PMIDS = ["90000001", "90000002", "90000003", "90000004", "90000005", "90000011", "90000035"]
SAM = Actor("sam", Role.scientist)
__all__ = ["world", "world_template"]


def _xml_records() -> dict[str, PubmedRecord]:
    return {r.pmid: r for r in read_pubmed(XML)}


def _fields(r: PubmedRecord) -> tuple[object, ...]:
    sections = [(s.label, s.text) for s in r.abstract]
    return (r.pmid, r.title, sections, r.authors, r.year, r.doi, r.publication_types)


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.suffix)
def test_each_format_yields_the_records_of_the_pubmed_xml(export: Path) -> None:
    xml = _xml_records()
    records = read_search_export(export)
    assert [r.pmid for r in records] == PMIDS
    assert [r.index for r in records] == list(range(1, len(PMIDS) + 1))
    for r in records:
        same = xml[r.pmid]
        assert _fields(r) == _fields(same)
        assert r.abstract_text == same.abstract_text
        assert (r.journal, r.volume, r.issue, r.pages) == (
            same.journal,
            same.volume,
            same.issue,
            same.pages,
        )
        assert study_type(r) == study_type(same)
        if export is not BIBTEX:  # BibTeX keywords are comma-separated: "Cells, Cultured" splits
            assert r.mesh_headings == same.mesh_headings


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.suffix)
def test_each_format_yields_the_same_candidates(export: Path) -> None:
    xml = _xml_records()
    lexicon = Lexicon(load_knowledge_base(None))

    def keyed(record: PubmedRecord) -> list[tuple[object, ...]]:
        return [
            (c.key, c.subject, c.predicate, c.object, c.negated, c.hedged, c.locator, c.study_type)
            for c in propose(record, lexicon)
        ]

    proposed = [keyed(r) for r in read_search_export(export)]
    assert proposed == [keyed(xml[p]) for p in PMIDS]
    assert sum(map(len, proposed)) >= 15
    locators = {c[6] for cs in proposed for c in cs}
    assert "PMID:90000001, abstract (RESULTS) sentence 3" in locators


def test_europe_pmc_markup_is_stripped_and_headings_become_labels() -> None:
    body = {
        "request": {"resultType": "core"},
        "resultList": {
            "result": [
                {
                    "pmid": "12",
                    "title": "EVs in <i>Mus musculus</i> &amp; men.",
                    "abstractText": "An <b>unlabelled</b> opening.<h4>Results:</h4>IL-6 fell"
                    " (p &lt; 0.05).<br/>It rose later.<h4>Conclusions</h4><p>Both.</p>",
                    "authorList": {
                        "author": [
                            {"lastName": "Lee", "initials": "ES", "fullName": "Lee ES"},
                            {"collectiveName": "EV Skin Consortium"},
                        ]
                    },
                    "journalInfo": {
                        "yearOfPublication": 2021,
                        "journal": {"medlineAbbreviation": "Synth Skin Res"},
                    },
                }
            ]
        },
    }
    (r,) = parse_europepmc_json(json.dumps(body).encode(), source="e.json")
    assert r.title == "EVs in Mus musculus & men."
    assert [(s.label, s.text) for s in r.abstract] == [
        ("", "An unlabelled opening."),
        ("RESULTS", "IL-6 fell (p < 0.05). It rose later."),
        ("CONCLUSIONS", "Both."),
    ]
    assert r.authors == ["Lee, ES", "EV Skin Consortium"]
    assert (r.journal, r.year) == ("Synth Skin Res", 2021)


@pytest.mark.parametrize(
    "lines",
    [
        ["DB  - PubMed", "AN  - 5"],
        ["DB  - Scopus", "C2  - 5"],
        ["ID  - 5"],
        ["M1  - 5"],
        ["N1  - PMID: 5"],
        ["UR  - https://europepmc.org/abstract/MED/5"],
        ["UR  - https://pubmed.ncbi.nlm.nih.gov/5/"],
    ],
)
def test_ris_pmids_are_read_where_databases_write_them(lines: list[str]) -> None:
    text = "\n".join(["TY  - JOUR", "TI  - A title.", *lines, "ER  - ", ""])
    assert parse_ris_records(text, source="s.ris")[0].pmid == "5"


@pytest.mark.parametrize(
    "fields",
    ["pmid = {5}", "eprint = {5}, eprinttype = {pubmed}", "note = {PMID: 5}"],
)
def test_bibtex_pmids_are_read_from_pmid_eprint_or_note(fields: str) -> None:
    text = f"@article{{k, title = {{A title.}}, {fields}}}"
    assert parse_bibtex_records(text, source="s.bib")[0].pmid == "5"


_EPMC_WITHOUT = json.dumps(
    {
        "resultList": {
            "result": [
                {"pmid": "1", "title": "Fine."},
                {"source": "PPR", "id": "PPR1", "title": "A preprint on EVs."},
                {"pmid": "2"},
            ]
        }
    }
).encode()
_RIS_WITHOUT = (
    b"TY  - JOUR\nAN  - 1\nTI  - Fine.\nER  - \n\n"
    b"TY  - JOUR\nTI  - A preprint on EVs.\nER  - \n\n"
    b"TY  - JOUR\nDB  - CINAHL\nAN  - 2\nER  - \n"
)
_BIB_WITHOUT = (
    b"@article{a, title = {Fine.}, pmid = {1}}\n"
    b"@article{b, title = {A preprint on EVs.}, doi = {10.5555/x}}\n"
    b"@article{c, pmid = {2}}\n"
)


@pytest.mark.parametrize(
    ("data", "name", "hint"),
    [
        (_EPMC_WITHOUT, "hits.json", "SRC:MED"),
        (_RIS_WITHOUT, "hits.ris", "AN with DB PubMed"),
        (_BIB_WITHOUT, "hits.bib", "eprinttype = {pubmed}"),
    ],
)
def test_records_without_a_pmid_or_title_are_all_named_in_one_error(
    data: bytes, name: str, hint: str
) -> None:
    with pytest.raises(UserInputError) as err:
        parse_search_export(data, source=name)
    text = str(err.value)
    assert text.startswith(f"{name}: 2 of 3 records cannot be cited")
    assert "record 2 ('A preprint on EVs.'): no PMID" in text
    assert "record 3: no title" in text or "record 3: no PMID and no title" in text
    assert "record 1" not in text and hint in text


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"pmid,title\n1,T\n", "not a search export this pipeline reads"),
        ("PMID- 1\nTI  - Caf\u00e9.\n".encode("latin-1"), "not UTF-8 text"),
        ("TY  - JOUR\nTI  - Caf\u00e9.\nER  - \n".encode("latin-1"), "not UTF-8 text"),
        (b"[1, 2]", "the JSON is an array, not an object"),
        (b'{"resultList": {"result": [', "not valid JSON"),
        (b'{"hitCount": 0}', "no 'resultList.result' list"),
        (
            b'{"request": {"resultType": "lite"}, "resultList": {"result": []}}',
            "resultType=lite has no abstracts",
        ),
        (b"TY  - JOUR\nAN  - 1\nTI  - T.\nTY  - JOUR\nER  - \n", "line 1: a record is not closed"),
        (b"@article{a, title = {T}, pmid = {1}}\n@article{b, title = {T", "2 entries declared"),
        (b"<responseWrapper/>", "root element is <responseWrapper>"),
    ],
)
def test_format_detection_and_shape_errors_are_clear(data: bytes, needle: str) -> None:
    with pytest.raises(UserInputError) as err:
        parse_search_export(data, source="export.txt")
    assert needle in str(err.value) and "export.txt" in str(err.value)


def test_the_unknown_format_error_names_the_accepted_formats(tmp_path: Path) -> None:
    f = tmp_path / "hits.csv"
    f.write_text("pmid,title\n1,T\n")
    with pytest.raises(UserInputError) as err:
        read_search_export(f)
    for name in ("PubMed XML", "Europe PMC JSON", "RIS", "BibTeX"):
        assert name in str(err.value)


def test_files_past_the_size_limit_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_exports, "MAX_EXPORT_BYTES", 1 << 20)
    f = tmp_path / "big.ris"
    f.write_bytes(b"TY  - JOUR\n" + b"N1  - x\n" * (1 << 18))
    with pytest.raises(UserInputError, match="larger than 1 MB"):
        read_search_export(f)
    with pytest.raises(UserInputError, match="file not found"):
        read_search_export(tmp_path / "missing.ris")


def _labels() -> dict[str, str]:
    with (DATA / "pubmed_labels.csv").open(newline="") as f:
        return {row["key"]: row["correct"] for row in csv.DictReader(f)}


@pytest.mark.parametrize("export", EXPORTS, ids=lambda p: p.suffix)
def test_round_trip_from_a_non_xml_export_into_claims(export: Path) -> None:
    labels = _labels()
    with scratch_database().transaction() as s:
        batch = evidence.import_pubmed(s, SAM, path=export)
        assert (batch.records, batch.filename) == (len(PMIDS), export.name)
        queue = evidence.review_queue(s, SAM, batch_id=batch.batch_id).items
        assert len(queue) == batch.candidates >= 15
        assert all(labels[c.key] == "yes" for c in queue)  # every one labelled correct
        for c in queue[:-1]:
            evidence.review_candidate(s, SAM, candidate_id=c.id, decision=Decision.ACCEPT)
        rejected = evidence.review_candidate(
            s, SAM, candidate_id=queue[-1].id, decision=Decision.REJECT, note="curator's call"
        )
        assert rejected.status == "rejected" and rejected.claim_id is None
        assert evidence.review_queue(s, SAM, batch_id=batch.batch_id).total == 0
        decided = evidence.review_queue(s, SAM, batch_id=batch.batch_id, status=None).items
        accepted = [c for c in decided if c.status == "accepted"]
        assert len(accepted) == len(decided) - 1
        kb = evidence.knowledge_base(s, SAM)
        for c in accepted:
            claim = kb.claim(c.claim_id or "")
            assert claim.quote == c.quote and claim.location == c.locator
            assert claim.location.startswith(f"PMID:{c.pmid}, abstract")
            assert [r.id for r in claim.references] == [f"pmid{c.pmid}"]
            assert claim.references[0].doi == f"10.5555/exoderm.synthetic.{c.pmid}"


def test_a_refused_export_writes_nothing(tmp_path: Path) -> None:
    db = scratch_database()
    refused = tmp_path / "refused.ris"
    refused.write_bytes(_RIS_WITHOUT)
    with pytest.raises(UserInputError), db.transaction() as s:
        evidence.import_pubmed(s, SAM, path=refused)
    with db.reader() as s:
        assert evidence.review_queue(s, SAM, status=None).total == 0


def test_cli_curate_import_reads_a_ris_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def run(*argv: str) -> tuple[int, str, str]:
        code = main(["--db", f"sqlite:///{tmp_path / 'cli.db'}", "--format", "json", *argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("evidence", "curate", "import", str(RIS))
    assert code == 0, err
    assert json.loads(out)["records"] == len(PMIDS)
    code, out, _ = run("evidence", "curate", "queue")
    queue = json.loads(out)
    assert len(queue) >= 15 and {c["status"] for c in queue} == {"pending"}
    assert run("evidence", "curate", "accept", str(queue[0]["id"]))[0] == 0
    bad = tmp_path / "hits.ris"
    bad.write_bytes(_RIS_WITHOUT)
    code, _, err = run("evidence", "curate", "import", str(bad))
    assert code == 2 and "record 2 ('A preprint on EVs.'): no PMID" in err


def test_api_upload_of_a_europe_pmc_json_export(world: World) -> None:
    sci = world.client("sci")
    r = sci.post(
        "/api/v1/evidence/curation/imports",
        files={"file": ("hits.json", EUROPE_PMC.read_bytes(), "application/json")},
    )
    assert r.status_code == 201, r.text
    batch = r.json()
    assert (batch["records"], batch["filename"]) == (len(PMIDS), "hits.json")
    queue = sci.get(
        "/api/v1/evidence/curation/candidates", params={"batch_id": batch["batch_id"]}
    ).json()
    assert queue["total"] == batch["candidates"] >= 15
    first = queue["items"][0]
    done = sci.post(
        f"/api/v1/evidence/curation/candidates/{first['id']}/decision",
        json={"decision": "accept", "note": "api"},
    )
    assert done.status_code == 200 and done.json()["status"] == "accepted"
    bad = sci.post(
        "/api/v1/evidence/curation/imports",
        files={"file": ("hits.json", _EPMC_WITHOUT, "application/json")},
    )
    assert bad.status_code == 422 and "SRC:MED" in bad.text
    after = sci.get("/api/v1/evidence/curation/candidates", params={"status": "pending"}).json()
    assert after["total"] == batch["candidates"] - 1


def test_web_upload_of_a_bibtex_export(world: World) -> None:
    client = login(world.client(), "sci")
    page = client.get("/evidence/curation")
    assert page.status_code == 200
    assert 'accept=".xml,.nbib,.json,.ris,.bib,.txt"' in page.text and "BibTeX" in page.text
    done = client.post(
        "/evidence/curation/imports",
        data={"csrf_token": csrf_of(page.text)},
        files={"file": ("hits.bib", BIBTEX.read_bytes(), "application/x-bibtex")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    queue = client.get(done.headers["location"])
    assert re.search(r'id="candidate-\d+"', queue.text)
    assert "PMID:90000001, abstract (RESULTS) sentence 3" in queue.text


def test_a_medline_record_without_a_pmid_or_title_is_named() -> None:
    text = (
        "PMID- 90000001\nTI  - Kept.\n\n"
        "TI  - No identifier here.\nAB  - ADSC exosomes reduced IL-6.\n\n"
        "PMID- 90000003\nAB  - No title.\n"
    )
    with pytest.raises(UserInputError) as err:
        parse_search_export(text.encode(), source="hits.nbib")
    message = str(err.value)
    assert "2 of 3 records cannot be cited" in message
    assert "record 2 ('No identifier here.'): no PMID" in message
    assert "record 3: no title" in message and "record 1" not in message


def test_a_medline_export_goes_through_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    assert (
        main(["--db", url, "--format", "json", "evidence", "curate", "import", str(MEDLINE)]) == 0
    )
    assert json.loads(capsys.readouterr().out)["records"] == len(PMIDS)
