"""Client pages: create through the form, assess, regimen downloads, tenancy, erase."""

from __future__ import annotations

import html
import re

import pytest
from icalendar import Calendar

from exoderm.errors import UserInputError
from tests.api.conftest import PASSWORD, World
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


def test_erase_needs_the_password_again_and_removes_personal_data(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    for password in ("", "not-my-password"):
        refused = doc.post(
            f"/clients/{pseudonym}/erase",
            data={"csrf_token": csrf, "confirm": "true", "current_password": password},
            follow_redirects=False,
        )
        assert refused.status_code == 422 and "current_password" in refused.text
    assert "Mary Somerville" in doc.get(f"/clients/{pseudonym}").text
    r = doc.post(
        f"/clients/{pseudonym}/erase",
        data={"csrf_token": csrf, "confirm": "true", "current_password": PASSWORD},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = doc.get(f"/clients/{pseudonym}").text
    assert "Mary Somerville" not in page and "erased" in page


def test_export_needs_the_password_again_and_not_the_cookie_on_the_api(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    assert doc.get(f"/api/v1/clients/{pseudonym}/export").status_code == 403
    wrong = doc.post(
        f"/clients/{pseudonym}/export",
        data={"csrf_token": csrf, "current_password": "not-my-password"},
    )
    assert wrong.status_code == 422
    r = doc.post(
        f"/clients/{pseudonym}/export", data={"csrf_token": csrf, "current_password": PASSWORD}
    )
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert "Mary Somerville" in r.text
    token = world.client("doc_a").get(f"/api/v1/clients/{pseudonym}/export")
    assert token.status_code == 200  # an API token is not a browser session


def test_step_up_asks_for_the_code_of_a_user_with_an_authenticator_app(world: World) -> None:
    import pyotp

    from exoderm.accounts import service as accounts_service
    from exoderm.accounts.actor import Actor
    from exoderm.accounts.records import Role

    me = Actor("doc_a", Role.clinician, world.org_ids["Clinic A"], world.user_ids["doc_a"])
    with world.db.transaction() as s:
        secret = accounts_service.enrol_second_factor(s, me).secret
    with world.db.transaction() as s:
        accounts_service.confirm_second_factor(s, me, code=pyotp.TOTP(secret).now())
    with pytest.raises(UserInputError) as missing:
        accounts_service.reauthenticate(world.db, me, current_password=PASSWORD)
    assert missing.value.problem.location.field == "otp"
    with pytest.raises(UserInputError):
        accounts_service.reauthenticate(world.db, me, current_password=PASSWORD, otp="000000")


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


# --- instrument forms: labels, answer choices, and a worked example entered through them ---
# Each example is worked by hand from the instrument's published scoring rule (the arithmetic
# is in the comment); the form must carry labels and choices and give that total.

EASI_SIGNS = ["2", "1", "1", "0", "2", "2", "1", "1", "1", "1", "0", "0", "2.5", "2", "2", "1.5"]

FORM_EXAMPLES: list[tuple[str, dict[str, str], float, tuple[str, ...]]] = [
    (
        "dlqi",  # sum of ten items: 2+1+0+1+0+0+3+1+0+1
        {f"q{i}": v for i, v in enumerate("2101003101", start=1)},
        9,
        ("Item 7 · Work or study", "3 — yes, prevented work or study", "0 — not relevant"),
    ),
    (
        "easi",  # 0.1×2×4 + 0.2×3×6 + 0.3×1×2 + 0.4×4×8 = 0.8 + 3.6 + 0.6 + 12.8
        {
            **dict(
                zip(
                    [
                        f"{r}.{s}"
                        for r in ("head_neck", "upper_limbs", "trunk", "lower_limbs")
                        for s in ("erythema", "induration", "excoriation", "lichenification")
                    ],
                    EASI_SIGNS,
                    strict=True,
                )
            ),
            "head_neck.area_percent": "15",  # grade 2
            "upper_limbs.area_percent": "40",  # grade 3
            "trunk.area_percent": "5",  # grade 1
            "lower_limbs.area_percent": "60",  # grade 4
        },
        17.8,
        ("Head and neck: area affected", "Erythema (redness)", "2.5 — moderate to severe"),
    ),
    (
        "scorad",  # A/5 + 7B/2 + C = 30/5 + 7×8/2 + (6+4) = 6 + 28 + 10
        {
            "extent_percent": "30",
            "erythema": "2",
            "oedema": "1",
            "oozing": "0",
            "excoriation": "2",
            "lichenification": "1",
            "dryness": "2",
            "itch": "6",
            "sleeplessness": "4",
        },
        44,
        ("Oozing / crusts", "Sleeplessness", "3 — severe"),
    ),
    (
        "posas_observer",  # 3+4+2+5+2+1; overall opinion recorded, not summed
        {
            "vascularity": "3",
            "pigmentation": "4",
            "thickness": "2",
            "relief": "5",
            "pliability": "2",
            "surface_area": "1",
            "overall": "9",
        },
        17,
        ("Pliability", "1 — like normal skin", "10 — worst imaginable"),
    ),
    (
        "masi",  # 0.3×2×(2+1) + 0.3×3×(3+2) + 0.3×3×(2+2) + 0.1×1×(1+1) = 1.8+4.5+3.6+0.2
        {
            "forehead.area_percent": "20",
            "forehead.darkness": "2",
            "forehead.homogeneity": "1",
            "right_malar.area_percent": "35",
            "right_malar.darkness": "3",
            "right_malar.homogeneity": "2",
            "left_malar.area_percent": "45",
            "left_malar.darkness": "2",
            "left_malar.homogeneity": "2",
            "chin.area_percent": "5",
            "chin.darkness": "1",
            "chin.homogeneity": "1",
        },
        10.1,
        ("Right malar (30 %): area involved", "Homogeneity", "4 — maximum"),
    ),
]


@pytest.mark.parametrize(("code", "answers", "total", "shown"), FORM_EXAMPLES)
def test_instrument_form_has_labels_choices_and_scores_the_worked_example(
    world: World, code: str, answers: dict[str, str], total: float, shown: tuple[str, ...]
) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    fragment = doc.get(
        f"/clients/{pseudonym}/assessment-form",
        params={"instrument": code},
        headers={"HX-Request": "true"},
    ).text
    for text in shown:
        assert html.escape(text, quote=False) in fragment, text
    names = set(re.findall(r'name="f_([^"]+)"', fragment))
    assert set(answers) <= names  # every answer has a labelled field on the form
    for name in answers:  # and every field has a visible label
        assert re.search(rf'<label for="f_{re.escape(name)}">[^<]*\w', fragment), name
    if code != "scorad":  # choice items are selects whose options carry their score
        first = next(iter(answers))
        if not first.endswith("area_percent"):
            assert re.search(rf'<select id="f_{re.escape(first)}"', fragment)
    r = doc.post(
        f"/clients/{pseudonym}/assessments",
        data={"csrf_token": csrf, "instrument": code, **{f"f_{k}": v for k, v in answers.items()}},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = doc.get(f"/clients/{pseudonym}").text
    values = re.findall(rf"<td>{code}[^<]*</td>\s*<td>[0-9-]+</td>\s*<td>([0-9.]+)</td>", page)
    assert values and float(values[0]) == pytest.approx(total)


def test_dlqi_form_does_not_reprint_the_copyrighted_items(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    fragment = doc.get(f"/clients/{pseudonym}/assessment-form", params={"instrument": "dlqi"}).text
    assert "Finlay" in fragment and "not reproduced" in fragment
    # the questionnaire's own question stems are not shipped
    assert "Over the last week" not in fragment
    assert fragment.count("<select") == 10


def test_first_visit_reads_baseline_not_a_responder_verdict(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    for visit, value in (("2026-01-05", "2"), ("2026-03-02", "0")):
        r = doc.post(
            f"/clients/{pseudonym}/assessments",
            data={
                "csrf_token": csrf,
                "instrument": "dlqi",
                "visit_date": visit,
                **{f"f_q{i}": value for i in range(1, 11)},
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    page = doc.get(f"/clients/{pseudonym}").text
    rows = re.findall(r"<tr><td>dlqi</td>(.*?)</tr>", page, re.DOTALL)
    assert len(rows) == 2
    first, second = sorted(rows, key=lambda row: re.findall(r"\d{4}-\d{2}-\d{2}", row)[0])
    assert "baseline" in first and "Responder" not in first and "no" not in first.split("</td>")[-2]
    assert "yes" in second  # 20 → 0 points: a responder by the MCID of 4


def test_outcome_chart_is_in_calendar_time_with_the_mcid_band(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    r = doc.post(
        f"/clients/{pseudonym}/assessments",
        data={
            "csrf_token": csrf,
            "instrument": "dlqi",
            "visit_date": "2026-01-05",
            **{f"f_q{i}": "1" for i in range(1, 11)},
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = doc.get(f"/clients/{pseudonym}").text
    chart = page[page.index("<svg") : page.index("</svg>")]
    assert "weeks since baseline" not in chart and "visit date" in chart
    assert "2026" in chart and "Jan" in chart  # a calendar axis around the one visit
    assert "MCID (4)" in chart  # DLQI MCID 4 (Basra et al. 2015) shaded around baseline
    row = re.findall(r"<tr><td>dlqi</td>(.*?)</tr>", page, re.DOTALL)[0]
    assert "baseline" in row and "MCID 4: no" not in row
    assert "/static/js/instrument_total.js" in page
    assert doc.get("/static/js/instrument_total.js").status_code == 200
