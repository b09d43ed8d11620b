"""schemathesis against /openapi.json: no server errors, no response outside the schema.

Every operation is exercised with an admin's token (so the handlers run, not just the
authentication fence); the run is bounded by ``max_examples`` to keep CI fast.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import World, build_world

MAX_EXAMPLES = 10
#: Operations whose every call does real work (an MILP, an ODE solve, a PDF, an upload
#: parsed, a background job): fewer examples keep the run within CI's budget.
EXPENSIVE = {
    ("POST", "/api/v1/design/formulate"),
    ("POST", "/api/v1/simulate/run"),
    ("POST", "/api/v1/simulate/cohorts"),
    ("POST", "/api/v1/clients/{pseudonym}/regimens"),
    ("POST", "/api/v1/nta/analyses"),
    ("POST", "/api/v1/qc/batches/{lot}/imports"),
    ("POST", "/api/v1/qc/batches/{lot}/certificates"),
}
EXPENSIVE_EXAMPLES = 3
CHECKS = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
)


@pytest.fixture
def fuzz_world(world_template, tmp_path: Path) -> Iterator[World]:  # type: ignore[no-untyped-def]
    w = build_world(world_template, tmp_path)
    yield w
    w.app.state.context.jobs.shutdown()
    w.db.dispose()


def _operations(world: World) -> list[schemathesis.APIOperation]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", world.app)
    return [result.ok() for result in schema.get_all_operations()]


def test_api_conforms_to_its_schema(fuzz_world: World) -> None:
    """Each operation, a bounded number of generated requests, every check must hold."""
    headers = {"Authorization": f"Bearer {fuzz_world.tokens['admin']}"}
    # DELETE last: revoking the fuzzing token itself must not starve the other operations.
    operations = sorted(_operations(fuzz_world), key=lambda op: op.method.upper() == "DELETE")
    assert len(operations) >= 10
    timings: dict[str, float] = {}
    for operation in operations:
        expensive = (operation.method.upper(), operation.path) in EXPENSIVE

        @settings(
            max_examples=EXPENSIVE_EXAMPLES if expensive else MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        started = time.perf_counter()
        run()
        timings[f"{operation.method.upper()} {operation.path}"] = time.perf_counter() - started
    slowest = sorted(timings.items(), key=lambda kv: -kv[1])[:5]
    print("slowest operations:", ", ".join(f"{k} {v:.1f}s" for k, v in slowest))
