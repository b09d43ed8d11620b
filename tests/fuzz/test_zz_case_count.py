"""The fuzz suite's case budget: at least 2,000 generated cases per run (issue 18).

This module runs last in ``tests/fuzz`` (pytest orders files by name) and counts the
examples the fuzz tests really executed in this session (:mod:`tests.fuzz.budget`).
"""

from __future__ import annotations

import pytest

from tests.fuzz.budget import DECLARED, EXECUTED, MINIMUM_CASES


def test_declared_budget_reaches_the_minimum() -> None:
    assert len(DECLARED) >= 20, "fuzz modules were not imported"
    assert sum(DECLARED.values()) >= MINIMUM_CASES


def test_executed_cases_reach_the_minimum(request: pytest.FixtureRequest) -> None:
    selected = {
        f"{item.module.__name__}::{item.name}"
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.module is not None
    }
    if not set(DECLARED) <= selected:
        pytest.skip("only part of the fuzz suite was selected; the count needs all of it")
    failed = request.session.testsfailed
    total = sum(EXECUTED[name] for name in DECLARED)
    assert failed or total >= MINIMUM_CASES, f"only {total} fuzz cases ran"
    ran = {name for name in DECLARED if EXECUTED[name] > 0}
    assert failed or ran == set(DECLARED), f"fuzz tests that ran no case: {set(DECLARED) - ran}"
