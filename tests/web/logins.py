"""Logging a TestClient in through the real login form (with its CSRF token)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD


def login(
    client: TestClient, username: str, password: str = PASSWORD, next_url: str = "/account"
) -> TestClient:
    form = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', form.text)
    assert token is not None
    r = client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "login_token": token.group(1),
            "next": next_url,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == next_url
    return client


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m is not None
    return m.group(1)
