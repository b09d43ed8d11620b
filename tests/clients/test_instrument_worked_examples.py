"""Worked examples entered through the web form: labels, answer choices, live and saved total.

No published worked example giving every item score and the total could be retrieved for
DLQI, EASI, SCORAD, POSAS or MASI/mMASI, so each example below is HAND-COMPUTED from the
instrument's definition paper (the arithmetic is written out beside it):

- DLQI: Finlay AY, Khan GK (1994). Clin Exp Dermatol 19:210–216.
  doi:10.1111/j.1365-2230.1994.tb01167.x — ten items scored 0–3, "not relevant" = 0,
  total 0–30; bands Hongbo Y et al. (2005). J Invest Dermatol 125:659–664.
  doi:10.1111/j.0022-202X.2005.23621.x
- EASI: Hanifin JM et al. (2001). Exp Dermatol 10:11–18.
  doi:10.1034/j.1600-0625.2001.100102.x — Σ multiplier × area grade × sign sum; bands
  Leshem YA et al. (2015). Br J Dermatol 172:1353–1357. doi:10.1111/bjd.13662
- SCORAD: European Task Force on Atopic Dermatitis (1993). Dermatology 186:23–31.
  doi:10.1159/000247298 — A/5 + 7B/2 + C, A by the rule of nines; bands Kunz B et al.
  (1997). Dermatology 195:10–19. doi:10.1159/000245677
- POSAS: Draaijers LJ et al. (2004). Plast Reconstr Surg 113:1960–1965.
  doi:10.1097/01.PRS.0000122207.28773.56 — six items 1–10 summed; overall opinion not summed.
- MASI: Kimbrough-Green CK et al. (1994). Arch Dermatol 130:727–733.
  doi:10.1001/archderm.1994.01690060057005 — Σ zone share × area grade × (darkness +
  homogeneity).

Each test checks that the form shows the item labels and the answer choices with their
scores, that the live-total preview gives the total and band, and that saving the form
stores the same total.
"""

from __future__ import annotations

import html
import re

import pytest

from tests.api.conftest import World, world, world_template
from tests.web.logins import csrf_of, login
from tests.web.test_clients_pages import create_client

__all__ = ["world", "world_template"]


def _fragment(doc, pseudonym: str, code: str) -> str:  # type: ignore[no-untyped-def]
    r = doc.get(
        f"/clients/{pseudonym}/assessment-form",
        params={"instrument": code},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200, r.text
    return r.text


def _enter(
    world: World, code: str, answers: dict[str, str], shown: tuple[str, ...]
) -> tuple[str, float]:
    """Open the form, check what it shows, preview and save ``answers``: (preview, saved)."""
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    pseudonym = create_client(doc, csrf)
    fragment = _fragment(doc, pseudonym, code)
    for text in shown:
        assert html.escape(text, quote=False) in fragment, text
    for name in answers:  # every answer has a field with a visible label
        assert re.search(rf'<label for="f_{re.escape(name)}">[^<]*\w', fragment), name
    posted = {f"f_{k}": v for k, v in answers.items()}
    preview = doc.post(
        "/clients/assessment-preview",
        data={"csrf_token": csrf, "instrument": code, **posted},
    )
    assert preview.status_code == 200, preview.text
    saved = doc.post(
        f"/clients/{pseudonym}/assessments",
        data={"csrf_token": csrf, "instrument": code, "visit_date": "2026-01-05", **posted},
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    page = doc.get(f"/clients/{pseudonym}").text
    values = re.findall(rf"<td>{code}[^<]*</td>\s*<td>2026-01-05</td>\s*<td>([0-9.]+)</td>", page)
    assert values, page
    return preview.text, float(values[0])


def test_dlqi_hand_computed_example_with_not_relevant_items(world: World) -> None:
    # HAND-COMPUTED (Finlay & Khan 1994 scoring): items 1–10 = 3, 2, 1, 0, 2,
    # "not relevant" (0), 1, 1, "not relevant" (0), 2 → 3+2+1+0+2+0+1+1+0+2 = 12,
    # "very large effect" (11–20, Hongbo et al. 2005)
    answers = dict(zip([f"q{i}" for i in range(1, 11)], "3210201102", strict=True))
    preview, saved = _enter(
        world, "dlqi", answers, ("Item 1 · Symptoms", "3 — very much", "0 — not relevant")
    )
    assert saved == 12
    assert preview == "Total 12 points — very large effect"


def test_easi_hand_computed_child_example_by_region(world: World) -> None:
    # HAND-COMPUTED (Hanifin et al. 2001; child multipliers, age 5):
    # head/neck 0.2 × grade 2 × (2+1+1+0) = 1.6; upper limbs 35 % → grade 3:
    # 0.2 × 3 × (2+2+1.5+1) = 3.9; trunk 0.3 × grade 1 × (1+1+0+0) = 0.6;
    # lower limbs 55 % → grade 4: 0.3 × 4 × (2.5+2+2+1) = 9.0; EASI = 15.1, "moderate"
    signs = {
        "head_neck": ("2", "1", "1", "0"),
        "upper_limbs": ("2", "2", "1.5", "1"),
        "trunk": ("1", "1", "0", "0"),
        "lower_limbs": ("2.5", "2", "2", "1"),
    }
    answers = {
        "age_years": "5",
        "head_neck.area": "2",
        "upper_limbs.area_percent": "35",
        "trunk.area": "1",
        "lower_limbs.area_percent": "55",
    }
    for region, values in signs.items():
        for sign, value in zip(
            ("erythema", "induration", "excoriation", "lichenification"), values, strict=True
        ):
            answers[f"{region}.{sign}"] = value
    preview, saved = _enter(
        world,
        "easi",
        answers,
        ("Head and neck: area grade", "2 — 10–29 %", "multiplier 0.1", "2.5 — moderate to severe"),
    )
    assert saved == pytest.approx(15.1)
    assert preview == "Total 15.1 points — moderate"


def test_scorad_hand_computed_example_by_region(world: World) -> None:
    # HAND-COMPUTED (European Task Force 1993, rule of nines): A = 50 % of head and neck
    # (9 %) 4.5 + 25 % of anterior trunk (18 %) 4.5 + all of the left upper limb (9 %) 9
    # + 50 % of the right lower limb (18 %) 9 = 27; B = 2+2+1+2+1+2 = 10; C = 7 + 5 = 12;
    # SCORAD = 27/5 + 7×10/2 + 12 = 5.4 + 35 + 12 = 52.4, "severe" (> 50, Kunz et al. 1997)
    answers = {
        "head_neck.area_percent": "50",
        "anterior_trunk.area_percent": "25",
        "upper_limb_left.area_percent": "100",
        "lower_limb_right.area_percent": "50",
        "erythema": "2",
        "oedema": "2",
        "oozing": "1",
        "excoriation": "2",
        "lichenification": "1",
        "dryness": "2",
        "itch": "7",
        "sleeplessness": "5",
    }
    preview, saved = _enter(
        world,
        "scorad",
        answers,
        ("Anterior trunk (18 % of the body): % affected", "Oozing / crusts", "3 — severe"),
    )
    assert saved == pytest.approx(52.4)
    assert preview == "Total 52.4 points — severe"


def test_posas_patient_hand_computed_example(world: World) -> None:
    # HAND-COMPUTED (Draaijers et al. 2004): 2 + 5 + 6 + 3 + 4 + 5 = 25; the overall
    # opinion (7) is recorded and not summed
    answers = {
        "pain": "2",
        "itch": "5",
        "colour": "6",
        "stiffness": "3",
        "thickness": "4",
        "irregularity": "5",
        "overall": "7",
    }
    preview, saved = _enter(
        world, "posas_patient", answers, ("Itching", "1 — like normal skin", "licence agreement")
    )
    assert saved == 25
    assert preview == "Total 25 points"


def test_masi_hand_computed_example(world: World) -> None:
    # HAND-COMPUTED (Kimbrough-Green et al. 1994): forehead 0.3 × grade 3 × (2+2) = 3.6;
    # right malar 60 % → grade 4: 0.3 × 4 × (3+3) = 7.2; left malar 0.3 × grade 4 ×
    # (3+2) = 6.0; chin 0.1 × 0 × (0+0) = 0; MASI = 16.8
    answers = {
        "forehead.area": "3",
        "forehead.darkness": "2",
        "forehead.homogeneity": "2",
        "right_malar.area_percent": "60",
        "right_malar.darkness": "3",
        "right_malar.homogeneity": "3",
        "left_malar.area": "4",
        "left_malar.darkness": "3",
        "left_malar.homogeneity": "2",
        "chin.area": "0",
        "chin.darkness": "0",
        "chin.homogeneity": "0",
    }
    preview, saved = _enter(
        world, "masi", answers, ("Forehead (30 %): area grade", "6 — 90–100 %", "4 — maximum")
    )
    assert saved == pytest.approx(16.8)
    assert preview == "Total 16.8 points"


def test_live_total_counts_unanswered_items_and_names_bad_input(world: World) -> None:
    doc = login(world.client(), "doc_a")
    csrf = csrf_of(doc.get("/clients").text)
    partial = doc.post(
        "/clients/assessment-preview",
        data={"csrf_token": csrf, "instrument": "dlqi", "f_q1": "3", "f_q2": "2"},
    )
    assert partial.text == "Running total 5 points — small effect (8 items still to answer)"
    wrong = doc.post(
        "/clients/assessment-preview",
        data={"csrf_token": csrf, "instrument": "dlqi", "f_q1": "7"},
    )
    assert wrong.text.startswith("Check q1:") and "out of range" in wrong.text
