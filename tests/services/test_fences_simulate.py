"""Simulate fences: the simulator holds no organisation data.

It reads and writes no database record (no client, no formulation record): every verb
takes its scenario from the caller and its parameters from the package. So there is no
other organisation's record to hide; the test shows that a viewer of either organisation
may run every read verb, that the answers do not depend on who asks, and that no verb
leaves a row in the database (nothing to fence, nothing to audit).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import AuditEvent, Role
from exoderm.errors import PermissionDenied
from exoderm.simulate import service as simulate
from exoderm.simulate.expectation import EvSourceDose
from exoderm.simulate.scenario import ModelName, build_scenario
from exoderm.storage.base import Base
from tests.services.conftest import Tenants

SCENARIO = build_scenario(model="wound", dose=1e10, schedule=(0,), duration_days=15)
ADSC = [EvSourceDose(key="adsc-exosomes", name="ADSC exosomes", percent=1.0)]

Verb = Callable[[Actor, Path], Any]

VERBS: dict[str, Verb] = {
    "check_request": lambda a, _: simulate.check_request(a, scenario=SCENARIO, max_days=365),
    "run": lambda a, _: simulate.run(a, scenario=SCENARIO, max_points=20),
    "run_cohort": lambda a, _: simulate.run_cohort(a, scenario=SCENARIO, patients=10),
    "export_sbml": lambda a, _: simulate.export_sbml(a, scenario=SCENARIO),
    "expected_outcomes": lambda a, _: simulate.expected_outcomes(
        a, sources=ADSC, targets=["wrinkles"]
    ),
    "parameters": lambda a, _: simulate.parameters(a, model=ModelName.ad),
}
#: Verbs too slow for a fence test (each refits or re-checks every model for seconds);
#: they read and write no database either (see their docstrings).
SLOW = {"validate", "calibrate"}


def _rows(tenants: Tenants) -> dict[str, int]:
    with tenants.db.reader() as s:
        return {
            t.name: int(s.scalar(select(func.count()).select_from(t)) or 0)
            for t in Base.metadata.sorted_tables
        }


def test_every_public_verb_is_listed() -> None:
    public = {
        n
        for n, fn in inspect.getmembers(simulate, inspect.isfunction)
        if not n.startswith("_") and fn.__module__ == simulate.__name__
    }
    assert public == set(VERBS) | SLOW


@pytest.mark.parametrize("role", [Role.viewer, Role.clinician], ids=lambda r: r.value)
def test_both_organisations_get_the_same_answer_and_nothing_is_stored(
    tenants: Tenants, role: Role, tmp_path: Path
) -> None:
    """Every verb, as this role of A and of B (one tenants set-up per role)."""
    before = _rows(tenants)
    differ = [
        verb
        for verb, call in sorted(VERBS.items())
        if call(tenants.a[role], tmp_path) != call(tenants.b[role], tmp_path)
    ]
    assert differ == []
    assert _rows(tenants) == before  # nothing stored, nothing audited


def test_no_verb_takes_a_session() -> None:
    for name in [*VERBS, *SLOW]:
        assert "session" not in inspect.signature(getattr(simulate, name)).parameters


def test_only_admins_and_scientists_calibrate(tenants: Tenants) -> None:
    for role in (Role.qc_analyst, Role.clinician, Role.viewer):
        with pytest.raises(PermissionDenied):
            simulate.calibrate(tenants.b[role])
    with tenants.db.reader() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 0
