"""QC over HTTP: batch, import of a real NanoSight export, check, signing, tenancy."""

from __future__ import annotations

import json
from typing import Any

from tests.api.conftest import PASSWORD, World
from tests.api.shared_data import shared_file

#: A signature: the password re-entered, and "reviewed" (valid whatever the decision).
SIGN = {"password": PASSWORD, "meaning": "reviewed"}


def record(lot: str, markers: bool = True) -> dict[str, Any]:
    """A batch meeting the default specification (issue 6's acceptance scenario)."""
    return {
        "product": "Serum A",
        "lot": lot,
        "source": {"kind": "cell", "species": "human", "cell_type": "UC-MSC", "passage": 4},
        "separation": ["differential ultracentrifugation"],
        "storage": {"temperature_c": -80, "buffer": "PBS", "freeze_thaw_cycles": 0},
        "protein": {"method": "BCA", "ug_per_ml": 50},
        "markers": [
            {"protein": "CD63", "present": True},
            {"protein": "CD81", "present": True},
            {"protein": "TSG101", "present": True},
        ]
        + ([{"protein": "CANX", "present": False}] if markers else []),
        "imaging": [{"method": "TEM", "wide_field": True, "close_up": True}],
        "safety": {"sterility": "negative", "endotoxin_eu_per_ml": 0.1, "mycoplasma": "negative"},
    }


def upload(client: Any, lot: str, name: str = "nanosight/beads2.csv") -> Any:
    path = shared_file(name)
    with path.open("rb") as fh:
        return client.post(
            f"/api/v1/qc/batches/{lot}/imports", files={"file": (path.name, fh, "text/csv")}
        )


def test_batch_import_check_and_sign(world: World) -> None:
    qc = world.client("qc")
    created = qc.post("/api/v1/qc/batches", json=record("L-100"))
    assert created.status_code == 201, created.text
    assert created.json()["organisation_id"] == world.org_ids["Lab"]
    imported = upload(qc, "L-100")
    assert imported.status_code == 201, imported.text
    m = imported.json()[0]["measurement"]
    # beads2.csv reports an average concentration of 6.09e+12 particles/mL (NTA 3.4)
    assert m["concentration_per_ml"] == 6.09e12
    assert m["source_file"] == "beads2.csv"
    check = qc.get("/api/v1/qc/batches/L-100/check").json()
    assert check["decision"] in ("release", "needs review", "reject")
    assert {c["id"] for c in check["checklist"]}
    # signing re-authenticates (issue 20): no password 401, a wrong one 403, nothing stored
    unsigned = qc.post("/api/v1/qc/batches/L-100/certificates", json={"meaning": "reviewed"})
    assert unsigned.status_code == 401 and "password" in unsigned.json()["detail"]
    wrong = qc.post(
        "/api/v1/qc/batches/L-100/certificates",
        json={"meaning": "reviewed", "password": "not-the-password"},
    )
    assert wrong.status_code == 403 and "not signed" in wrong.json()["detail"]
    assert qc.get("/api/v1/qc/batches/L-100/certificates").json() == []
    signed = qc.post("/api/v1/qc/batches/L-100/certificates", json=SIGN)
    assert signed.status_code == 201, signed.text
    assert signed.json()["version"] == 1 and signed.json()["signed_by"] == "qc"
    assert signed.json()["meaning"] == "Reviewed by Quality Assurance (not a release)"
    assert signed.json()["signer_name"] == "qc", signed.json()
    pdf = qc.get("/api/v1/qc/batches/L-100/certificates/1/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    exported = qc.get("/api/v1/qc/batches/L-100/certificates/1/json")  # checkable by anyone
    assert (
        exported.status_code == 200
        and "coa-L-100-v1.json" in exported.headers["content-disposition"]
    )
    key = qc.get("/api/v1/qc/certificate-key").json()
    from exoderm.qc.coa_signing import verify_content

    assert verify_content(json.loads(exported.content), key["public_key_pem"]) == (True, "valid")
    again = qc.post("/api/v1/qc/batches/L-100/certificates", json=SIGN)
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "reason"
    audit = (
        world.client("admin")
        .get("/api/v1/audit", params={"subject_id": "L-100", "action": "qc.certificate.sign"})
        .json()
    )
    assert audit["total"] == 1 and audit["items"][0]["actor"] == "qc"


def test_missing_negative_marker_fails_checklist(world: World) -> None:
    qc = world.client("qc")
    qc.post("/api/v1/qc/batches", json=record("L-101", markers=False))
    check = qc.get("/api/v1/qc/batches/L-101/check").json()
    assert any(i["status"] == "not met" for i in check["checklist"])
    assert check["decision"] != "release"


def test_roles_for_qc(world: World) -> None:
    assert world.client("viewer").post("/api/v1/qc/batches", json=record("L-1")).status_code == 403
    assert world.client("doc_a").get("/api/v1/qc/batches").status_code == 403
    world.client("qc").post("/api/v1/qc/batches", json=record("L-102"))
    assert world.client("viewer").get("/api/v1/qc/batches/L-102").status_code == 200
    # a scientist may create batches but not sign certificates (QC analysts and admins do)
    assert (
        world.client("sci").post("/api/v1/qc/batches/L-102/certificates", json={}).status_code
        == 403
    )


def test_invalid_batch_names_fields(world: World) -> None:
    bad = record("L-103")
    bad["safety"]["endotoxin_eu_per_ml"] = "lots"
    r = world.client("qc").post("/api/v1/qc/batches", json=bad)
    assert r.status_code == 422
    assert any("endotoxin_eu_per_ml" in (e["field"] or "") for e in r.json()["errors"])


def test_truncated_upload_writes_nothing(world: World, tmp_path: Any) -> None:
    qc = world.client("qc")
    qc.post("/api/v1/qc/batches", json=record("L-104"))
    text = shared_file("nanosight/beads2.csv").read_bytes()
    r = qc.post(
        "/api/v1/qc/batches/L-104/imports",
        files={"file": ("beads2.csv", text[: len(text) // 3], "text/csv")},
    )
    assert r.status_code == 422
    assert r.json()["errors"][0]["file"] == "beads2.csv" or "beads2.csv" in r.json()["detail"]
    assert qc.get("/api/v1/qc/batches/L-104").json()["measurements"] == []


def test_other_organisation_gets_404(world: World) -> None:
    world.client("qc").post("/api/v1/qc/batches", json=record("L-105"))
    from exoderm.accounts import tokens as token_lib
    from exoderm.accounts import users as user_lib

    with world.db.transaction() as s:
        user_lib.create_organisation(s, "Other Lab", "lab")
        other, _ = user_lib.create_user(
            s, "other_qc", "qc_analyst", password="another-password", organisation="Other Lab"
        )
        token = token_lib.issue_token(s, other, name="t").token
    client = world.client()
    client.headers["Authorization"] = f"Bearer {token}"
    assert client.get("/api/v1/qc/batches/L-105").status_code == 404
    assert client.get("/api/v1/qc/batches").json()["total"] == 0


def test_certificate_list_html_and_specs(world: World) -> None:
    qc = world.client("qc")
    qc.post("/api/v1/qc/batches", json=record("L-106"))
    assert qc.post("/api/v1/qc/batches/L-106/certificates", json=SIGN).status_code == 201
    corrected = qc.post(
        "/api/v1/qc/batches/L-106/certificates", json={**SIGN, "reason": "endotoxin re-tested"}
    )
    assert corrected.status_code == 201 and corrected.json()["version"] == 2
    versions = qc.get("/api/v1/qc/batches/L-106/certificates").json()
    assert [c["version"] for c in versions] == [1, 2]
    assert versions[1]["reason"] == "endotoxin re-tested"
    html = qc.get("/api/v1/qc/batches/L-106/certificates/2/html")
    assert html.status_code == 200 and "L-106" in html.text
    assert qc.get("/api/v1/qc/batches/L-106/certificates/3/pdf").status_code == 404
    from exoderm.qc.specs import packaged_specs

    assert world.client("viewer").get("/api/v1/qc/specs").json() == packaged_specs()


PLANTED = """id = "planted-secret"
version = "9"
title = "A private sheet that must never be read"
private_api_key = "sk-not-for-you"

[[criteria]]
id = "endotoxin"
title = "Endotoxin"
kind = "max"
attribute = "endotoxin_eu_per_ml"
limit = 99
source = "planted"
"""


def _spy_on_file_reads() -> tuple[list[str], Any]:
    """Patches recording every path read through pathlib or open()."""
    import builtins
    from contextlib import ExitStack
    from pathlib import Path
    from unittest.mock import patch

    opened: list[str] = []
    real = {"read_text": Path.read_text, "read_bytes": Path.read_bytes, "open": Path.open}
    real_open = builtins.open

    def spy(name: str) -> Any:
        def method(self: Path, *args: Any, **kwargs: Any) -> Any:
            opened.append(str(self))
            return real[name](self, *args, **kwargs)

        return method

    def spy_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    stack = ExitStack()
    for name in real:
        stack.enter_context(patch.object(Path, name, spy(name)))
    stack.enter_context(patch("builtins.open", spy_open))
    return opened, stack


def test_spec_is_a_name_never_a_path(world: World, tmp_path: Any) -> None:
    """Issue 13: ``?spec=`` and the sign request never read a file named by the caller."""
    from exoderm.qc.specs import packaged_specs

    planted = tmp_path / "planted.toml"
    planted.write_text(PLANTED)
    qc = world.client("qc")
    assert qc.post("/api/v1/qc/batches", json=record("L-200")).status_code == 201
    tries = [str(planted), str(planted.resolve()), "/etc/exoderm/secret.toml", "../x.toml"]
    opened, spying = _spy_on_file_reads()
    with spying:
        answers = [qc.get("/api/v1/qc/batches/L-200/check", params={"spec": t}) for t in tries]
        answers += [
            qc.post("/api/v1/qc/batches/L-200/certificates", json={**SIGN, "spec": t})
            for t in tries
        ]
    assert any(p.endswith("exoderm-default-ev-1.0.toml") for p in opened)  # the spy works
    assert not [p for p in opened if "planted" in p or p.endswith("x.toml")], opened
    for r in answers:
        assert r.status_code == 422, r.text
        body = r.json()
        assert body["errors"][0]["field"] == "spec"
        assert body["errors"][0]["expected"] == "one of " + ", ".join(packaged_specs())
        for leak in ("planted", "secret", "x.toml", "/etc", "No such file", "private_api_key"):
            assert leak not in r.text, (leak, r.text)
    assert qc.get("/api/v1/qc/batches/L-200/certificates").json() == []
    named = qc.get("/api/v1/qc/batches/L-200/check", params={"spec": packaged_specs()[0]})
    assert named.status_code == 200 and named.json()["spec"] == packaged_specs()[0]


def _other_lab_client(world: World) -> Any:
    from exoderm.accounts import tokens as token_lib
    from exoderm.accounts import users as user_lib

    with world.db.transaction() as s:
        user_lib.create_organisation(s, "Other Lab", "lab")
        other, _ = user_lib.create_user(
            s, "other_qc", "qc_analyst", password="another-password", organisation="Other Lab"
        )
        token = token_lib.issue_token(s, other, name="t").token
    client = world.client()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_every_lot_operation_of_another_lab_is_404(world: World) -> None:
    qc = world.client("qc")
    qc.post("/api/v1/qc/batches", json=record("L-201"))
    assert upload(qc, "L-201").status_code == 201
    assert qc.post("/api/v1/qc/batches/L-201/certificates", json=SIGN).status_code == 201
    other = _other_lab_client(world)
    base = "/api/v1/qc/batches/L-201"
    for path in (base, f"{base}/check", f"{base}/certificates", f"{base}/certificates/1/pdf"):
        r = other.get(path)
        assert r.status_code == 404, (path, r.text)
        assert "Serum A" not in r.text
    assert other.get(f"{base}/certificates/1/html").status_code == 404
    assert other.post(f"{base}/certificates", json={"reason": "x"}).status_code == 404
    assert upload(other, "L-201").status_code == 404
    assert len(qc.get(base).json()["measurements"]) == 1
    assert other.get("/api/v1/qc/batches", params={"product": "Serum A"}).json()["items"] == []
    # lot numbers are per lab: the other lab gets its own L-201, as for any new lot, and
    # the first lab's batch is untouched
    mine = other.post("/api/v1/qc/batches", json={**record("L-201"), "product": "Serum Z"})
    assert mine.status_code == 201 and mine.json()["product"] == "Serum Z"
    assert other.get(base).json()["measurements"] == []
    assert qc.get(base).json()["product"] == "Serum A"
    assert len(qc.get(base).json()["measurements"]) == 1
    assert other.post("/api/v1/qc/batches", json=record("L-201")).status_code == 409


def test_instrument_warnings_reach_the_api(world: World) -> None:
    """Issue 14: a file saying "Unreliable"/"Too Low" gives NTA criteria in review, in words."""
    from tests.qc.conftest import FIXTURES

    qc = world.client("qc")
    qc.post("/api/v1/qc/batches", json=record("L-140"))
    path = FIXTURES / "nanosight_full_sections.csv"
    r = qc.post(
        "/api/v1/qc/batches/L-140/imports",
        files={"file": (path.name, path.read_bytes(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    m = r.json()[0]["measurement"]
    assert {w["value"] for w in m["warnings"]} == {"Unreliable", "Too Low"}
    assert [w["weighting"] for w in m["replicates"][0]["diffusion"]] == [
        "Number",
        "Surface Area",
        "Volume",
    ]
    check = qc.get("/api/v1/qc/batches/L-140/check").json()
    rows = {c["id"]: c for c in check["criteria"]}
    assert rows["size_mode"]["verdict"] == "review"
    measured = rows["size_mode"]["measured"]
    assert "Unreliable" in measured and "Too Low" in measured
    assert rows["size_mode"]["measurements"] and check["decision"] == "needs review"
