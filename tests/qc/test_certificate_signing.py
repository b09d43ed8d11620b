"""Electronic signing of a certificate of analysis (issue 20): an exoderm login, never the
OS user; re-authentication at signing; name, meaning and time on the certificate; every
field a QA manager expects on the PDF."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from exoderm.accounts.actor import Actor, local_operator
from exoderm.accounts.audit import events_for
from exoderm.accounts.records import Role
from exoderm.accounts.service import create_organisation, create_token, create_user
from exoderm.cli.main import main
from exoderm.errors import PermissionDenied, UserInputError
from exoderm.qc import load_batch_file
from exoderm.qc import service as qc
from exoderm.qc.examples import example_record
from exoderm.qc.signing import ReauthenticationFailed, Signer, authenticate_signer
from exoderm.storage import Database, open_database, upgrade

EXAMPLES = Path(__file__).parents[2] / "examples"
PASSWORD = "signing-password-1"
ROOT = Actor("root", Role.admin)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _text(pdf: bytes) -> str:
    return "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(pdf))


def _squashed(text: str) -> str:
    """Text without whitespace, so that words a table cell wrapped still match."""
    return re.sub(r"\s+", "", text)


@pytest.fixture
def db_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A database with the README's example lot and its NanoSight export, a QA analyst
    (Anna Berg) and a viewer; no password in the environment."""
    monkeypatch.delenv("EXODERM_PASSWORD", raising=False)
    monkeypatch.delenv("EXODERM_TOKEN", raising=False)
    monkeypatch.delenv("EXODERM_USER", raising=False)
    url = f"sqlite:///{tmp_path / 'coa.db'}"
    db = _migrated(url)
    with db.transaction() as s:
        create_organisation(s, ROOT, name="QC Lab", kind="lab")
        for name, role, full in (
            ("qa.anna", "qc_analyst", "Anna Berg"),
            ("vic", "viewer", "Vic Viewer"),
        ):
            create_user(
                s,
                ROOT,
                username=name,
                role=role,
                password=PASSWORD,
                organisation="QC Lab",
                display_name=full,
            )
        qc.create_batch(s, local_operator(), record=load_batch_file(EXAMPLES / "batch.yaml"))
        qc.import_measurements(s, local_operator(), "LOT-001", EXAMPLES / "ExperimentSummary.csv")
    db.dispose()
    return url


def _migrated(url: str) -> Database:
    db = open_database(url)
    upgrade(db)
    return db


def _stored(url: str) -> int:
    db = open_database(url)
    with db.reader() as s:
        found = len(qc.list_certificates(s, local_operator(), "LOT-001"))
    db.dispose()
    return found


def test_sign_without_an_exoderm_login_fails_and_stores_nothing(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = tmp_path / "coa.pdf"
    code, _out, err = run(
        ["--db", db_url, "qc", "coa", "LOT-001", "--sign", "--pdf", str(pdf)], capsys
    )
    assert code == 5, err
    assert "exoderm login" in err and "--user" in err and "--token" in err
    assert "operating-system user" in err and "Traceback" not in err
    assert not pdf.exists() and _stored(db_url) == 0


def test_coa_without_a_choice_says_what_to_pass(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["--db", db_url, "qc", "coa", "LOT-001"], capsys)
    assert code == 2 and "--sign" in err and "--draft" in err
    assert _stored(db_url) == 0


def test_user_and_password_sign_with_name_meaning_and_time(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXODERM_PASSWORD", PASSWORD)
    pdf, html = tmp_path / "coa.pdf", tmp_path / "coa.html"
    argv = ["--db", db_url, "--format", "json", "qc", "coa", "LOT-001", "--sign"]
    code, out, err = run(
        [*argv, "--user", "qa.anna", "--pdf", str(pdf), "--html", str(html)], capsys
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["version"] == 1 and shown["decision"] == "release"
    assert shown["signed"].startswith("Anna Berg (qa.anna) at ") and shown["signed"].endswith("UTC")
    assert shown["meaning"] == "Approved for release by Quality Assurance"
    text = _text(pdf.read_bytes())
    assert "Anna Berg (qa.anna)" in text and "Approved for release by Quality Assurance" in text
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", text)
    page = html.read_text("utf-8")
    assert "Anna Berg (qa.anna)" in page and "Approved for release by Quality Assurance" in page
    db = open_database(db_url)
    with db.reader() as s:
        (event,) = [
            e for e in events_for(s, "qc_batch", "LOT-001") if e.action == "qc.certificate.sign"
        ]
        (cert,) = qc.list_certificates(s, local_operator(), "LOT-001")
    db.dispose()
    assert event.actor == "qa.anna" and event.detail is not None
    assert event.detail["meaning"] == "approved" and event.detail["signer"] == "Anna Berg (qa.anna)"
    assert event.detail["authenticated_by"] == "username + password"
    assert cert.signed_by == "qa.anna" and cert.signer_name == "Anna Berg (qa.anna)"


def test_wrong_password_fails_and_stores_nothing(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXODERM_PASSWORD", "not-the-password")
    argv = ["--db", db_url, "qc", "coa", "LOT-001", "--sign", "--user", "qa.anna"]
    code, _, err = run(argv, capsys)
    assert code == 5 and "wrong username or password" in err and "not signed" in err
    assert _stored(db_url) == 0


def test_user_without_password_fails(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(
        ["--db", db_url, "qc", "coa", "LOT-001", "--sign", "--user", "qa.anna"], capsys
    )
    assert code == 5 and "EXODERM_PASSWORD" in err
    assert _stored(db_url) == 0


def test_a_role_without_signing_rights_fails(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXODERM_PASSWORD", PASSWORD)
    code, _, err = run(["--db", db_url, "qc", "coa", "LOT-001", "--sign", "--user", "vic"], capsys)
    assert code == 5 and "vic (viewer) may not sign" in err
    assert _stored(db_url) == 0


def test_token_needs_the_password_of_its_user(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = open_database(db_url)
    with db.transaction() as s:
        token = create_token(s, ROOT, user="qa.anna", name="signing").token
    db.dispose()
    monkeypatch.setenv("EXODERM_TOKEN", token)
    base = ["--db", db_url, "--format", "json", "qc", "coa", "LOT-001", "--sign"]
    code, _, err = run(base, capsys)
    assert code == 5 and "password" in err and _stored(db_url) == 0
    monkeypatch.setenv("EXODERM_PASSWORD", "wrong-password-9")
    code, _, err = run(base, capsys)
    assert code == 5 and "password is wrong" in err and _stored(db_url) == 0
    monkeypatch.setenv("EXODERM_PASSWORD", PASSWORD)
    code, out, err = run([*base, "--meaning", "reviewed"], capsys)
    assert code == 0, err
    assert json.loads(out)["meaning"] == "Reviewed by Quality Assurance (not a release)"


def test_the_pdf_carries_every_field_a_qa_manager_expects(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXODERM_PASSWORD", PASSWORD)
    pdf = tmp_path / "coa.pdf"
    argv = [
        "--db",
        db_url,
        "qc",
        "coa",
        "LOT-001",
        "--sign",
        "--user",
        "qa.anna",
        "--pdf",
        str(pdf),
    ]
    assert run(argv, capsys)[0] == 0
    text = _text(pdf.read_bytes())
    flat = _squashed(text)
    record = load_batch_file(EXAMPLES / "batch.yaml")
    assert record.manufacturer is not None and record.expires_on and record.manufactured_on
    for value in (
        record.manufacturer.name,
        record.manufacturer.site,
        record.manufacturer.address,
        record.product,
        record.lot,
        record.manufactured_on.isoformat(),
        record.expires_on.isoformat(),
        "Expiry date",
        "Manufactured on",
        "exoderm-default-ev@1.0",
        "version 1.0",
        "Anna Berg (qa.anna)",
        "Approved for release by Quality Assurance",
        "Date and time",
    ):
        assert _squashed(str(value)) in flat, value
    db = open_database(db_url)
    with db.reader() as s:
        content = qc.get_certificate(s, local_operator(), "LOT-001").model_dump()
    db.dispose()
    doc_text = _text(content["pdf"])
    assert doc_text == text
    # every test of the specification with its method, reference, unit and verdict
    from exoderm.qc.specs import load_spec

    for c in load_spec().criteria:
        assert _squashed(c.title) in flat, c.title
        assert c.method_reference and _squashed(c.method_reference) in flat, c.id
    for method, unit in (
        ("Nanoparticle tracking analysis, Malvern NanoSight", "nm"),
        ("ISO 19430:2016", "EU/mL"),
        ("Ph. Eur. 2.6.14", "particles/µg"),
        ("BCA", "% of particles"),
    ):
        assert _squashed(method) in flat and _squashed(unit) in flat
    assert "62 % closure" in text  # potency with its unit (issue 20: "62" without one)
    assert "Pass/fail" in text and text.count("pass") >= 8
    for marker in ("[U]", "[S]", "[V]", "PMC9465297", "local:"):
        assert marker not in text, marker


def test_approved_is_refused_for_a_lot_that_is_not_released(
    tmp_path: Path,
) -> None:
    db = _migrated(f"sqlite:///{tmp_path / 'r.db'}")
    with db.transaction() as s:
        create_user(s, ROOT, username="boss", role="admin", password=PASSWORD, display_name="B")
        qc.create_batch(s, local_operator(), record=example_record("L-R"))
    signer = authenticate_signer(db, username="boss", password=PASSWORD)
    with (
        pytest.raises(UserInputError, match="cannot be approved for release"),
        db.transaction() as s,
    ):
        qc.sign_certificate(s, signer, "L-R", meaning="approved")
    with db.transaction() as s:
        cert = qc.sign_certificate(s, signer, "L-R", meaning="rejected")
    assert cert.meaning == "Rejected by Quality Assurance" and cert.decision == "needs review"
    db.dispose()


def test_only_a_fresh_re_authentication_of_an_account_signs(tmp_path: Path) -> None:
    db = _migrated(f"sqlite:///{tmp_path / 'f.db'}")
    with db.transaction() as s:
        create_user(s, ROOT, username="boss", role="admin", password=PASSWORD)
        qc.create_batch(s, local_operator(), record=example_record("L-F"))
    fresh = authenticate_signer(db, username="boss", password=PASSWORD)
    stale = Signer(
        fresh.actor,
        fresh.full_name,
        fresh.authenticated_at - timedelta(minutes=6),
        fresh.components,
    )
    os_user = Signer(local_operator(), "", fresh.authenticated_at, ("username", "password"))
    for signer, words in ((stale, "expired"), (os_user, "not an exoderm account")):
        with pytest.raises(ReauthenticationFailed, match=words), db.transaction() as s:
            qc.sign_certificate(s, signer, "L-F", meaning="reviewed")
    with db.reader() as s:
        assert qc.list_certificates(s, local_operator(), "L-F") == []
    with pytest.raises(PermissionDenied):
        authenticate_signer(db, username="boss", password="wrong-password-1")
    db.dispose()
