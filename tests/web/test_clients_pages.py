"""Client pages: create through the form, assess, regimen downloads, tenancy, erase."""

from __future__ import annotations

import re

from icalendar import Calendar

from tests.api.conftest import World
from tests.web.logins import csrf_of, login


def create_client(client, csrf: str, **extra: str):  # type: ignore[no-untyped-def]
    form = {
        "csrf_token": csrf,
        "name": "Mary Somerville",
        "email": "mary@example.org",
        "date_of_birth": "1980-02-02",
        "phototype": "5",
        "concern": "acne scars",
        "severity": "2",
        "consent": "true",
        **extra,
    }
    r = client.post("/clients", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["location"].rsplit("/", 1)[-1]


def test_client_flow_and_tenancy(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    page = doc.get(f"/clients/{pseudonym}")
    assert page.status_code == 200 and "Mary Somerville" in page.text
    fields = doc.get(
        f"/clients/{pseudonym}/assessment-form",
        params={"instrument": "dlqi"},
        headers={"HX-Request": "true"},
    )
    assert 'name="f_q1"' in fields.text and "<html" not in fields.text
    answers = {f"f_q{i}": "1" for i in range(1, 11)}
    r = doc.post(
        f"/clients/{pseudonym}/assessments",
        data={"csrf_token": csrf, "instrument": "dlqi", **answers},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert re.search(
        r"<td>dlqi</td>\s*<td>[0-9-]+</td>\s*<td>10", doc.get(f"/clients/{pseudonym}").text
    )
    ics = doc.post(f"/clients/{pseudonym}/regimen", data={"csrf_token": csrf, "format": "ics"})
    assert any(c.name == "VEVENT" for c in Calendar.from_ical(ics.content).walk())
    shown = doc.post(f"/clients/{pseudonym}/regimen", data={"csrf_token": csrf})
    assert "Why these choices" in shown.text
    # tenancy: a clinician of another clinic gets a 404 page, and an empty list
    other = login(world.client(), "doc_b")
    assert other.get(f"/clients/{pseudonym}").status_code == 404
    assert pseudonym not in other.get("/clients").text


def test_pregnant_client_sees_blocked_injection(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf, pregnant="true")
    page = doc.get(f"/clients/{pseudonym}").text
    assert "Blocked:" in page and "pregnancy-no-injection" in page


def test_form_error_names_the_field(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    r = doc.post(
        "/clients",
        data={
            "csrf_token": csrf,
            "name": "X",
            "phototype": "3",
            "concern": "nonsense-concern",
            "email": "not-an-email",
        },
    )
    assert r.status_code == 422 and "email" in r.text


def test_erase_removes_personal_data_from_page(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    r = doc.post(
        f"/clients/{pseudonym}/erase",
        data={"csrf_token": csrf, "confirm": "true"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = doc.get(f"/clients/{pseudonym}").text
    assert "Mary Somerville" not in page and "erased" in page


def test_scientist_cannot_open_client_pages(world: World) -> None:
    sci = login(world.client(), "sci")
    assert sci.get("/clients").status_code == 403


def test_regimen_page_shows_the_labelled_model_prediction_on_request(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    assert 'name="simulate"' in doc.get(f"/clients/{pseudonym}").text
    plain = doc.post(f"/clients/{pseudonym}/regimen", data={"csrf_token": csrf})
    assert "Expected effects (model)" not in plain.text
    shown = doc.post(f"/clients/{pseudonym}/regimen", data={"csrf_token": csrf, "simulate": "true"})
    assert shown.status_code == 200, shown.text
    assert "Expected effects (model)" in shown.text
    assert "model prediction" in shown.text.lower() and "Treated vs control" in shown.text
