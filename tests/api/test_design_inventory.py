"""The CosIng inventory over HTTP: typed entries, 404 for an unknown name."""

from __future__ import annotations

from tests.api.conftest import World


def test_api_inventory(world: World) -> None:
    client = world.client("viewer")
    entry = client.get("/api/v1/design/inventory/Phenoxyethanol")
    assert entry.status_code == 200 and entry.json()["cas_numbers"] == ["122-99-6"]
    assert client.get("/api/v1/design/inventory/nothing-like-it").status_code == 404
    assert client.get("/api/v1/design/inventory").json()["entries"] == 30_070
