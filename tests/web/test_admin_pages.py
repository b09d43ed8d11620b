"""Administration pages: users, organisations, and the audit trail of a client."""

from __future__ import annotations

import re

from tests.api.conftest import World
from tests.web.logins import csrf_of, login


def test_admin_creates_user_who_can_log_in(world: World) -> None:
    admin = login(world.client(), "admin")
    page = admin.get("/admin")
    csrf = csrf_of(page.text)
    r = admin.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "nurse",
            "role": "clinician",
            "organisation": str(world.org_ids["Clinic B"]),
        },
    )
    password = re.search(r'<code id="new-password">([^<]+)</code>', r.text)
    assert r.status_code == 200 and password is not None
    login(world.client(), "nurse", password.group(1))
    r = admin.post(
        "/admin/organisations", data={"csrf_token": csrf, "name": "Lab South", "kind": "lab"}
    )
    assert "Lab South" in r.text


def test_audit_page_shows_every_access_to_a_client(world: World) -> None:
    doc = world.client("doc_a")
    p = doc.post(
        "/api/v1/clients",
        json={
            "personal": {"name": "Rosalind Franklin"},
            "profile": {"fitzpatrick": {"phototype": 2}, "concerns": [{"name": "wrinkles"}]},
        },
    ).json()["pseudonym"]
    doc.get(f"/api/v1/clients/{p}")
    doc.get(f"/api/v1/clients/{p}/screening")
    admin = login(world.client(), "admin")
    page = admin.get("/admin/audit", params={"subject_id": p}).text
    assert "3 events" in page
    for action in ("client.create", "client.read", "client.screen"):
        assert action in page
    assert "Rosalind" not in page  # personal data never enters the audit log


def test_admin_pages_are_for_admins(world: World) -> None:
    doc = login(world.client(), "doc_a")
    assert doc.get("/admin").status_code == 403
    assert doc.get("/admin/audit").status_code == 403
    assert "/admin" not in doc.get("/").text


def test_admin_opts_in_and_builds_real_world_evidence(world: World) -> None:
    admin = login(world.client(), "admin")
    page = admin.get("/admin")
    assert "Real-world evidence" in page.text
    csrf = csrf_of(page.text)
    org = world.org_ids["Clinic A"]
    r = admin.post(
        f"/admin/organisations/{org}/real-world-evidence",
        data={"csrf_token": csrf, "contributes": "true"},
    )
    assert r.status_code == 200 and "Stop contributing" in r.text
    r = admin.post("/admin/real-world-evidence", data={"csrf_token": csrf, "min_cell": "10"})
    assert r.status_code == 200 and "0 real-world claims stored" in r.text
    r = admin.post("/admin/real-world-evidence", data={"csrf_token": csrf, "min_cell": "1"})
    assert r.status_code == 422
    clinician = login(world.client(), "doc_a")
    assert clinician.get("/admin").status_code in (403, 404)
