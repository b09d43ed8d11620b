"""The digital signature on certificates of analysis (Ed25519, RFC 8032; ASVS 5.0 V4.1.5):
a recipient with the issuer's public key finds out whether the content is what was
signed, and by which key."""

from __future__ import annotations

import json
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pydantic import SecretStr

from exoderm.accounts.actor import Actor
from exoderm.qc import create_batch, parse_batch_record, record_measurement
from exoderm.qc import service as qc
from exoderm.qc.importers import import_file
from exoderm.qc.signing import Signer
from exoderm.settings import Settings
from exoderm.storage import Database
from tests.qc.conftest import passing_record
from tests.shared import SHARED_DATA


@pytest.fixture
def signed(sqlite_db: Database, analyst: Actor, signer: Signer) -> dict[str, object]:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
        record_measurement(
            s, "LOT-001", import_file(SHARED_DATA / "nanosight" / "beads2.csv")[0], analyst
        )
        qc.sign_certificate(s, signer, "LOT-001", meaning="approved")
        doc = qc.get_certificate(s, analyst, "LOT-001", 1)
    text = "".join(p.get_textpage().get_text_range() for p in pdfium.PdfDocument(doc.pdf))
    assert "Digitally signed (Ed25519" in text and "Digitally signed (Ed25519" in doc.html
    return json.loads(json.dumps(doc.content))  # as a recipient reads the export


def _pem(analyst: Actor) -> str:
    return qc.certificate_key(analyst).public_key_pem


def test_a_signed_certificate_verifies(signed: dict[str, object], analyst: Actor) -> None:
    found = qc.verify_certificate(analyst, content=signed, public_key_pem=_pem(analyst))
    assert found.valid and found.reason == "valid"
    assert found.lot == "LOT-001" and found.version == 1
    assert found.key_id == qc.certificate_key(analyst).key_id


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.update(decision="reject"),
        lambda c: c["tests"][0].update(result="0.0 EU/mL"),
        lambda c: c["signature"].update(manifestation="Someone Else"),
        lambda c: c.pop("tests"),
    ],
)
def test_a_changed_certificate_does_not_verify(
    signed: dict[str, object], analyst: Actor, change: object
) -> None:
    changed = json.loads(json.dumps(signed))
    change(changed)  # type: ignore[operator]
    found = qc.verify_certificate(analyst, content=changed, public_key_pem=_pem(analyst))
    assert not found.valid and found.reason == "the content is not what was signed"


def test_another_issuers_key_does_not_verify(signed: dict[str, object], analyst: Actor) -> None:
    other = Ed25519PrivateKey.generate().public_key()
    pem = other.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    found = qc.verify_certificate(analyst, content=signed, public_key_pem=pem)
    assert not found.valid and "not with key" in found.reason
    unsigned = {k: v for k, v in signed.items() if k != "digital_signature"}
    assert (
        "no Ed25519 signature"
        in qc.verify_certificate(analyst, content=unsigned, public_key_pem=_pem(analyst)).reason
    )


def test_a_configured_key_signs_and_a_bad_one_is_refused(analyst: Actor) -> None:
    pem = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    from exoderm.qc import coa_signing

    configured = Settings(coa_signing_key=SecretStr(pem))
    entry = coa_signing.sign_content({"lot": "L-9"}, configured)
    public = coa_signing.public_key_pem(configured)
    assert coa_signing.verify_content({"lot": "L-9", "digital_signature": entry}, public)[0]
    from exoderm.errors import UserInputError

    with pytest.raises(UserInputError, match="not a PEM public key"):
        coa_signing.verify_content({"lot": "L-9", "digital_signature": entry}, "garbage")


def test_the_cli_exports_prints_the_key_and_verifies(
    signed: dict[str, object],
    sqlite_db: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from exoderm.cli.main import main

    url = str(sqlite_db.engine.url)
    exported = tmp_path / "coa.json"
    assert (
        main(["--db", url, "qc", "coa", "LOT-001", "--version", "1", "--json", str(exported)]) == 0
    )
    capsys.readouterr()
    assert main(["--db", url, "qc", "coa-key"]) == 0
    key = tmp_path / "issuer.pem"
    printed = capsys.readouterr().out
    key.write_text(printed[printed.index("-----BEGIN PUBLIC KEY-----") :])
    assert (
        main(["--format", "json", "qc", "coa-verify", str(exported), "--public-key", str(key)]) == 0
    )
    assert json.loads(capsys.readouterr().out)["valid"] is True
    content = json.loads(exported.read_text())
    content["decision"] = "reject"
    exported.write_text(json.dumps(content))
    assert main(["qc", "coa-verify", str(exported), "--public-key", str(key)]) == 7
    assert "not what was signed" in capsys.readouterr().err
    exported.write_text("{ not json")
    assert main(["qc", "coa-verify", str(exported), "--public-key", str(key)]) == 2
    assert "not valid JSON" in capsys.readouterr().err
