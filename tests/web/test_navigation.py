"""Every page of the navigation opens for every role (or is refused with 403), and the
navigation shows only what the role may use."""

from __future__ import annotations

import re

import pytest

from tests.api.conftest import USERS, World
from tests.web.logins import login

PAGES = {
    "/evidence": "evidence:read",
    "/design": "design:read",
    "/design/check": "design:read",
    "/clients": "clients:read",
    "/qc": "qc:read",
    "/nta": "nta:read",
    "/simulate": "simulate:read",
    "/account": None,
    "/admin": "accounts:write",
    "/qc/trends": "qc:read",
    "/evidence/conflicts": "evidence:read",
    "/admin/audit": "accounts:write",
}


@pytest.mark.parametrize("username", sorted(USERS))
def test_every_page_for_every_role(world: World, username: str) -> None:
    client = login(world.client(), username)
    scopes = set(client.get("/api/v1/me").json()["scopes"])
    home = client.get("/")
    assert home.status_code == 200
    for path, scope in PAGES.items():
        r = client.get(path)
        expected = 200 if scope is None or scope in scopes else 403
        assert r.status_code == expected, (username, path, r.status_code)
        assert re.search(r"<main id=\"main\"", r.text)
    assert ('href="/admin"' in home.text) == ("accounts:write" in scopes)
    nav = home.text.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    for path, scope in PAGES.items():
        if path.count("/") == 1 and scope is not None:
            assert (f'href="{path}"' in nav) == (scope in scopes), (username, path)
