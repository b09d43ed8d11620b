"""The case budget of the fuzz suite: declared examples per test, and a count of those run.

Every fuzz test is decorated with :func:`fuzz`, which fixes its hypothesis settings
(``max_examples`` × ``EXODERM_FUZZ_EXAMPLES``, no deadline, derandomised, no example
database) and counts every example the test body really executes, so that
``test_zz_case_count.py`` can assert the suite ran at least :data:`MINIMUM_CASES`.
"""

from __future__ import annotations

import functools
import os
from collections import Counter
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from hypothesis import HealthCheck, settings

#: The issue's acceptance threshold: at least this many generated cases per run.
MINIMUM_CASES = 2000
#: ``EXODERM_FUZZ_EXAMPLES=10`` runs ten times the budget (for a long local session).
MULTIPLIER = max(1, int(os.environ.get("EXODERM_FUZZ_EXAMPLES", "1") or "1"))

#: Examples each fuzz test declares (test id -> max_examples after the multiplier).
DECLARED: dict[str, int] = {}
#: Examples each fuzz test has executed in this session.
EXECUTED: Counter[str] = Counter()

P = ParamSpec("P")
R = TypeVar("R")


def fuzz(max_examples: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Hypothesis settings of a fuzz test, and a counter of its executed examples.

    Apply it *below* ``@given`` so that it wraps the test body.
    """

    def decorate(test: Callable[P, R]) -> Callable[P, R]:
        name = f"{test.__module__}::{test.__qualname__}"
        DECLARED[name] = max_examples * MULTIPLIER

        @functools.wraps(test)
        def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            EXECUTED[name] += 1
            return test(*args, **kwargs)

        return settings(
            max_examples=max_examples * MULTIPLIER,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[
                HealthCheck.too_slow,
                HealthCheck.data_too_large,
                HealthCheck.filter_too_much,
                HealthCheck.large_base_example,
            ],
        )(counted)

    return decorate
