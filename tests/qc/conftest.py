"""Fixtures for QC tests: a passing batch record and the real instrument exports."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.qc.signing import Signer
from exoderm.storage.base import utcnow

FIXTURES = Path(__file__).parent / "fixtures"


def passing_record(lot: str = "LOT-001", product: str = "Serum A") -> dict[str, Any]:
    """A batch that meets the default specification (the acceptance scenario of issue 6)."""
    return {
        "product": product,
        "lot": lot,
        "source": {"kind": "cell", "species": "human", "cell_type": "UC-MSC", "passage": 4},
        "production": {
            "conditioning_time_h": 48,
            "medium": "DMEM",
            "serum": "serum_free",
            "input_volume_ml": 500,
        },
        "separation": ["differential ultracentrifugation"],
        "storage": {"temperature_c": -80, "buffer": "PBS", "freeze_thaw_cycles": 0},
        "protein": {"method": "BCA", "ug_per_ml": 50},
        "markers": [
            {"protein": "CD63", "present": True},
            {"protein": "CD81", "present": True},
            {"protein": "TSG101", "present": True},
            {"protein": "CANX", "present": False},
        ],
        "imaging": [{"method": "TEM", "wide_field": True, "close_up": True}],
        "safety": {"sterility": "negative", "endotoxin_eu_per_ml": 0.1, "mycoplasma": "negative"},
        "potency": {"assay": "scratch closure", "readout": "% closure at 24 h", "value": 62},
    }


@pytest.fixture
def analyst() -> Actor:
    return Actor(username="qa.anna", role=Role.qc_analyst)


@pytest.fixture
def viewer() -> Actor:
    return Actor(username="vic", role=Role.viewer)


def signer_for(actor: Actor, full_name: str = "Anna Berg") -> Signer:
    """A freshly re-authenticated signer for ``actor`` (as an exoderm account, user id 1);
    the password check itself is tested in ``test_certificate_signing.py``."""
    return Signer(replace(actor, user_id=1), full_name, utcnow(), ("username", "password"))


@pytest.fixture
def signer(analyst: Actor) -> Signer:
    return signer_for(analyst)
