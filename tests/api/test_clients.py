"""Clients over HTTP: record, assess, screen, regimen, outcomes, export, erase; roles,
tenancy (another clinic gets 404) and the audit trail of every access."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from icalendar import Calendar

from exoderm.accounts.records import Role
from tests.api.conftest import PASSWORD, World


def new_client(world: World, who: str = "doc_a", **profile: Any) -> dict[str, Any]:
    body = {
        "personal": {
            "name": "Ada Lovelace",
            "email": "ada@example.org",
            "date_of_birth": "1985-12-10",
        },
        "profile": {
            "fitzpatrick": {"phototype": 5},
            "concerns": [{"name": "acne scars", "severity": 2}],
            **profile,
        },
        "consents": [{"topic": "treatment", "version": "v1"}],
    }
    r = world.client(who).post("/api/v1/clients", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def dlqi(total: int) -> dict[str, int]:
    """DLQI answers (10 items scored 0–3) adding up to ``total``."""
    answers = [min(3, max(0, total - 3 * i)) for i in range(10)]
    return {f"q{i + 1}": a for i, a in enumerate(answers)}


def test_create_show_and_personal_data(world: World) -> None:
    created = new_client(world)
    assert created["pseudonym"].startswith("C-")
    assert created["personal"]["name"] == "Ada Lovelace"
    assert created["organisation_id"] == world.org_ids["Clinic A"]
    shown = world.client("doc_a").get(f"/api/v1/clients/{created['pseudonym']}").json()
    assert shown["personal"]["email"] == "ada@example.org"
    listed = world.client("doc_a").get("/api/v1/clients").json()
    assert [c["pseudonym"] for c in listed["items"]] == [created["pseudonym"]]
    assert "name" not in listed["items"][0]


def test_other_clinic_gets_404_and_empty_list(world: World) -> None:
    p = new_client(world)["pseudonym"]
    other = world.client("doc_b")
    for path in ("", "/screening", "/outcomes", "/export"):
        r = other.get(f"/api/v1/clients/{p}{path}")
        assert r.status_code == 404, (path, r.text)
    assert (
        other.post(
            f"/api/v1/clients/{p}/assessments", json={"instrument": "dlqi", "inputs": dlqi(5)}
        ).status_code
        == 404
    )
    assert other.delete(f"/api/v1/clients/{p}").status_code == 404
    assert other.get("/api/v1/clients").json()["total"] == 0


def test_roles_without_client_access(world: World) -> None:
    p = new_client(world)["pseudonym"]
    for who in ("sci", "qc", "viewer"):
        assert world.client(who).get(f"/api/v1/clients/{p}").status_code == 403
        assert world.client(who).get("/api/v1/clients").status_code == 403
    # the admin sees every organisation
    assert world.client("admin").get(f"/api/v1/clients/{p}").status_code == 200


def test_assessments_outcomes_and_range_errors(world: World) -> None:
    p = new_client(world)["pseudonym"]
    client = world.client("doc_a")
    base = date.today() - timedelta(days=60)
    first = client.post(
        f"/api/v1/clients/{p}/assessments",
        json={"instrument": "dlqi", "inputs": dlqi(14), "visit_date": base.isoformat()},
    )
    assert first.status_code == 201, first.text
    assert first.json()["value"] == 14
    second = client.post(
        f"/api/v1/clients/{p}/assessments", json={"instrument": "dlqi", "inputs": dlqi(6)}
    )
    assert second.json()["value"] == 6
    rows = client.get(f"/api/v1/clients/{p}/outcomes").json()
    last = rows[-1]
    assert last["baseline"] == 14 and last["value"] == 6 and last["change"] == -8
    assert last["percent_improvement"] == pytest.approx(100 * 8 / 14, abs=0.01)
    bad = client.post(
        f"/api/v1/clients/{p}/assessments",
        json={"instrument": "dlqi", "inputs": {**dlqi(1), "q1": 7}},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "q1"


def test_screening_of_a_pregnant_client_blocks_injections(world: World) -> None:
    p = new_client(world, pregnant=True)["pseudonym"]
    result = world.client("doc_a").get(f"/api/v1/clients/{p}/screening").json()
    assert "pregnancy-no-injection" in {v["rule"] for v in result["blocked"]}


def test_regimen_calendar_parses(world: World) -> None:
    p = new_client(world)["pseudonym"]
    r = world.client("doc_a").post(
        f"/api/v1/clients/{p}/regimens", params={"format": "ics"}, json={}
    )
    assert r.status_code == 201, r.text
    assert r.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(r.content)
    assert any(c.name == "VEVENT" for c in calendar.walk())
    plan = world.client("doc_a").post(f"/api/v1/clients/{p}/regimens", json={}).json()
    assert plan["pseudonym"] == p and plan["choices"]


def test_export_and_erase(world: World) -> None:
    p = new_client(world)["pseudonym"]
    client = world.client("doc_a")
    exported = client.get(f"/api/v1/clients/{p}/export").json()
    assert "Ada Lovelace" in str(exported)
    erased = client.delete(f"/api/v1/clients/{p}")
    assert erased.status_code == 200 and erased.json()["personal_rows_deleted"] == 1
    assert client.get(f"/api/v1/clients/{p}").json()["personal"] is None


@pytest.mark.parametrize("path", ["", "/screening", "/outcomes", "/export"])
def test_every_client_access_is_audited(world: World, path: str) -> None:
    p = new_client(world)["pseudonym"]
    admin = world.client("admin")
    before = admin.get("/api/v1/audit", params={"subject_id": p}).json()["total"]
    assert world.client("doc_a").get(f"/api/v1/clients/{p}{path}").status_code == 200
    events = admin.get("/api/v1/audit", params={"subject_id": p}).json()
    assert events["total"] == before + 1
    assert events["items"][0]["actor"] == "doc_a"


def test_profile_update_consent_and_instruments(world: World) -> None:
    p = new_client(world)["pseudonym"]
    client = world.client("doc_a")
    updated = client.put(
        f"/api/v1/clients/{p}/profile",
        json={"fitzpatrick": {"phototype": 3}, "concerns": [{"name": "wrinkles", "severity": 1}]},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["profile"]["fitzpatrick"]["phototype"] == 3
    bad = client.put(f"/api/v1/clients/{p}/profile", json={"fitzpatrick": {"phototype": 9}})
    assert bad.status_code == 422
    assert (
        client.post(
            f"/api/v1/clients/{p}/consents",
            json={"topic": "photos", "version": "v2", "given": False},
        ).status_code
        == 204
    )
    consents = client.get(f"/api/v1/clients/{p}").json()["consents"]
    assert {(c["topic"], c["given"]) for c in consents} == {("treatment", True), ("photos", False)}
    instruments = client.get("/api/v1/clients/instruments").json()
    easi = next(i for i in instruments if i["code"] == "easi")
    assert easi["clinician_only"] is True and easi["source"]


def test_regimen_with_the_simulator_carries_a_labelled_prediction(world: World) -> None:
    p = new_client(world)["pseudonym"]
    plain = world.client("doc_a").post(f"/api/v1/clients/{p}/regimens", json={}).json()
    assert plain["expected_outcome"] == []
    plan = (
        world.client("doc_a").post(f"/api/v1/clients/{p}/regimens", json={"simulate": True}).json()
    )
    assert plan["expected_outcome"]
    assert all("model prediction" in str(e) for e in plan["expected_outcome"])


def test_uk_client_regimen_over_http(world: World) -> None:
    """Acceptance (issue 13): a UK client's regimen is 201 with UK rules, never a 500."""
    created = new_client(world, market="uk")
    assert created["profile"]["market"] == "UK"
    r = world.client("doc_a").post(f"/api/v1/clients/{created['pseudonym']}/regimens", json={})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["product"]["request"]["market"] == "UK"
    assert plan["product"]["request"]["no_human"] is True
    assert "human-derived EV" in {b["option"] for b in plan["blocked"]}


def test_unknown_market_is_422_naming_the_known_markets(world: World) -> None:
    body = {
        "personal": {"name": "X"},
        "profile": {"fitzpatrick": {"phototype": 2}, "market": "Atlantis"},
    }
    r = world.client("doc_a").post("/api/v1/clients", json=body)
    assert r.status_code == 422, r.text
    assert "UK" in r.text and "market" in r.text


def test_erasure_follows_the_four_eyes_setting(world: World) -> None:
    """ASVS 5.0 V2.3.5: with ``erasure_needs_approval`` a second person must agree."""
    from exoderm.accounts import tokens as token_lib
    from exoderm.accounts import users as user_lib

    with world.db.transaction() as s:
        colleague, _ = user_lib.create_user(
            s, "doc_a2", Role.clinician, password=PASSWORD, organisation="Clinic A"
        )
        second = token_lib.issue_token(s, colleague, name="test").token
    context = world.app.state.context
    context.settings = context.settings.model_copy(update={"erasure_needs_approval": True})
    pseudonym = new_client(world)["pseudonym"]
    first = world.client("doc_a").delete(f"/api/v1/clients/{pseudonym}")
    assert first.status_code == 200 and first.json()["status"] == "requested"
    again = world.client("doc_a").delete(f"/api/v1/clients/{pseudonym}")
    assert again.status_code == 422
    client = world.client()
    client.headers["Authorization"] = f"Bearer {second}"
    done = client.delete(f"/api/v1/clients/{pseudonym}")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "erased" and done.json()["requested_by"] == "doc_a"
