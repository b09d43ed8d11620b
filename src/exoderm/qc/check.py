"""Checking a stored batch: gather its facts, pick its spec sheet, decide.

The spec sheet of a product is, in order: the one the caller names; a sheet in
``<data dir>/qc-specs/`` whose ``product`` equals the batch's product; the packaged
default (:data:`exoderm.qc.specs.DEFAULT_SPEC`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from exoderm.qc.decision import ReleaseDecision, evaluate
from exoderm.qc.facts import BatchFacts, gather
from exoderm.qc.repository import batch_record, get_batch, measurements_for
from exoderm.qc.specs import Spec, load_spec
from exoderm.settings import get_settings


def product_spec_dir() -> Path:
    return get_settings().data_dir / "qc-specs"


def spec_for_product(product: str, spec: str | Path | None = None) -> Spec:
    """The spec sheet that applies to ``product`` (see module docstring)."""
    if spec is not None:
        return load_spec(spec)
    folder = product_spec_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            candidate = load_spec(path)
            if candidate.product == product:
                return candidate
    return load_spec()


def batch_facts(session: Session, lot: str) -> BatchFacts:
    """The facts of stored batch ``lot`` (record + measurements)."""
    record = batch_record(get_batch(session, lot))
    return gather(record, [m.measurement for m in measurements_for(session, lot)])


def check_batch(session: Session, lot: str, spec: str | Path | None = None) -> ReleaseDecision:
    """Evaluate stored batch ``lot`` against its product's spec sheet."""
    facts = batch_facts(session, lot)
    return evaluate(facts, spec_for_product(facts.record.product, spec))
