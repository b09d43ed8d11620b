"""Fixtures for the design tests: the packaged catalogue, catalogue-only evidence."""

from __future__ import annotations

import pytest

from exoderm.design import Catalogue, FormulationRequest, FormulationResult, formulate
from exoderm.design.catalogue import packaged_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return packaged_catalogue()


def design(**kwargs: object) -> FormulationResult:
    """Formulate with the catalogue's own evidence (deterministic, no knowledge base)."""
    return formulate(FormulationRequest.model_validate(kwargs), use_knowledge_base=False)
