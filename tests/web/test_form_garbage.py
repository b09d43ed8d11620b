"""Every form handler answers nonsense with a user error page, never a server error."""

from __future__ import annotations

import pytest

from tests.api.conftest import World
from tests.web.logins import csrf_of, login

GARBAGE = {
    "name": "x" * 5,
    "dose": "lots",
    "days": "soon",
    "schedule": "a,b",
    "weight_collagen": "heavy",
    "target": "collagen",
    "max_actives": "many",
    "top": "1.5",
    "phototype": "9",
    "concern": "??",
    "severity": "0",
    "date_of_birth": "yesterday",
    "record": "- [",
    "instrument": "dlqi",
    "f_q1": "7",
    "visit_date": "32/13/2020",
    "format": "exe",
    "text": "",
    "market": "MARS",
    "product_class": "potion",
    "reason": "x" * 3000,
    "temperature_c": "hot",
    "username": "?",
    "role": "king",
    "kind": "castle",
    "confirm": "maybe",
    "patients": "-5",
    "model": "unicorn",
}

POSTS = [
    "/simulate",
    "/simulate/cohort",
    "/design",
    "/design/claims",
    "/clients",
    "/clients/C-NOPE/assessments",
    "/clients/C-NOPE/regimen",
    "/clients/C-NOPE/erase",
    "/qc",
    "/qc/batches/NOPE/sign",
    "/nta",
    "/admin/users",
    "/admin/organisations",
]


@pytest.mark.parametrize("path", POSTS)
def test_garbage_gives_a_user_error(world: World, path: str) -> None:
    admin = login(world.client(), "admin")
    csrf = csrf_of(admin.get("/account").text)
    r = admin.post(path, data={"csrf_token": csrf, **GARBAGE})
    assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
    assert "<html" in r.text or r.headers["content-type"].startswith("application/problem")
