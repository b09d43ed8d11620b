"""What the HTTP surface answers beyond its declared operations: unused methods (ASVS 5.0
V4.1.4, V13.4.4), static files by type (V13.4.7) and HSTS for subdomains (V3.4.1)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import World

#: A page, a public API path, an authenticated GET path and a POST-only path.
PATHS = ("/", "/api/v1/health", "/api/v1/me", "/api/v1/tokens", "/login")


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "PUT", "PATCH", "CONNECT"])
def test_undeclared_methods_are_refused_and_never_echo(world: World, method: str) -> None:
    client = world.client("admin")
    for path in PATHS:
        r = client.request(method, path, headers={"X-Echo-Probe": "probe-7731"})
        assert r.status_code in (404, 405), (method, path, r.status_code)
        assert "probe-7731" not in r.text
        assert "authorization" not in r.text.lower()


def test_a_405_names_the_methods_the_path_has(world: World) -> None:
    r = world.client("admin").request("TRACE", "/api/v1/health")
    assert r.status_code == 405
    assert set(r.headers["allow"].replace(" ", "").split(",")) <= {"GET", "HEAD"}


def test_static_files_are_served_by_type_only(world: World) -> None:
    client = world.client()
    assert client.get("/static/css/exoderm.css").status_code == 200
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    for path in (
        "/static/vendor/cytoscape/README.md",
        "/static/vendor/cytoscape/LICENSE",
        "/static/vendor/swagger-ui/swagger-ui-bundle.js.LICENSE.txt",
        "/static/../server.py",
    ):
        assert client.get(path).status_code == 404, path


def test_hsts_covers_subdomains_for_a_year_over_https(world: World) -> None:
    client = TestClient(world.app, base_url="https://testserver", raise_server_exceptions=False)
    for path in ("/api/v1/health", "/login", "/static/css/exoderm.css"):
        hsts = client.get(path).headers["strict-transport-security"]
        directives = {d.strip().split("=")[0].lower(): d for d in hsts.split(";")}
        assert "includesubdomains" in directives
        assert int(directives["max-age"].split("=")[1]) >= 31_536_000
