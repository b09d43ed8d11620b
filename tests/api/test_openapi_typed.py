"""Every operation of the API has a typed response: no ``{}``, no free-form objects.

A client generated from ``/openapi.json`` must know the shape of every answer; a
response schema that is empty or an object with ``additionalProperties: true`` tells it
nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.conftest import World

FILE_TYPES = (
    "application/pdf",
    "text/html",
    "text/calendar",
    "text/csv",
    "image/svg+xml",
    "image/jpeg",
    "image/png",
    "application/vnd.exoderm.certificate+json",  # a signed document, checked byte for byte
)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _free_form(
    spec: dict[str, Any], schema: dict[str, Any], path: str, seen: set[str]
) -> list[str]:
    """Places in ``schema`` that say nothing of their shape."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen = seen | {name}
    schema = _resolve(spec, schema)
    if not schema:
        return [f"{path}: empty schema"]
    if schema.get("additionalProperties") is True:
        return [f"{path}: additionalProperties: true"]
    if (
        schema.get("type") == "object"
        and "properties" not in schema
        and not isinstance(schema.get("additionalProperties"), dict)
    ):
        return [f"{path}: object without properties"]
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for i, sub in enumerate(schema.get(key, [])):
            found += _free_form(spec, sub, f"{path}.{key}[{i}]", seen)
    if "items" in schema:
        found += _free_form(spec, schema["items"], f"{path}[]", seen)
    for name, sub in schema.get("properties", {}).items():
        found += _free_form(spec, sub, f"{path}.{name}", seen)
    if isinstance(schema.get("additionalProperties"), dict):
        found += _free_form(spec, schema["additionalProperties"], f"{path}{{}}", seen)
    return found


def _operations(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    spec = world.app.openapi()
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            ops.append((method.upper(), path, op))
    return ops


def test_every_operation_has_a_typed_success_response(world: World) -> None:
    spec = world.app.openapi()
    bad: list[str] = []
    for method, path, op in _operations(world):
        ok = [code for code in op["responses"] if code.startswith("2")]
        assert ok, f"{method} {path}: no success response"
        for code in ok:
            content = op["responses"][code].get("content")
            if code == "204" or content is None:
                continue
            for media, body in content.items():
                if media.startswith(FILE_TYPES):
                    continue
                bad += _free_form(spec, body.get("schema", {}), f"{method} {path} {code}", set())
    assert bad == []


@pytest.mark.parametrize("media", ["application/json"])
def test_problem_responses_are_typed(world: World, media: str) -> None:
    spec = world.app.openapi()
    for method, path, op in _operations(world):
        for code, response in op["responses"].items():
            if code.startswith(("4", "5")) and "content" in response:
                for body in response["content"].values():
                    assert _free_form(spec, body.get("schema", {}), f"{method} {path}", set()) == []
