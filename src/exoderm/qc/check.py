"""Checking a stored batch: gather its facts, pick its spec sheet, decide.

The spec sheet of a product is, in order: the one the caller names (a packaged sheet by
name, or a :class:`~exoderm.qc.specs.Spec` the operator loaded from their own file); a
sheet in ``<data dir>/qc-specs/`` (the server's configuration) whose ``product`` equals the
batch's product; the packaged default (:data:`exoderm.qc.specs.DEFAULT_SPEC`).
Functions here take a batch row already read through the organisation fence
(:func:`exoderm.qc.repository.get_batch` with the actor).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from exoderm.qc.decision import ReleaseDecision, evaluate
from exoderm.qc.facts import BatchFacts, gather
from exoderm.qc.records import QcBatch
from exoderm.qc.repository import batch_record, measurements_of
from exoderm.qc.specs import Spec, load_spec, load_spec_file
from exoderm.settings import get_settings


def product_spec_dir() -> Path:
    return get_settings().data_dir / "qc-specs"


def spec_for_product(product: str, spec: str | Spec | None = None) -> Spec:
    """The spec sheet that applies to ``product`` (see module docstring)."""
    if isinstance(spec, Spec):
        return spec
    if spec is not None:
        return load_spec(spec)
    folder = product_spec_dir()
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            candidate = load_spec_file(path)
            if candidate.product == product:
                return candidate
    return load_spec()


def batch_facts(session: Session, batch: QcBatch) -> BatchFacts:
    """The facts of a stored batch (record + measurements)."""
    return gather(batch_record(batch), [m.measurement for m in measurements_of(session, batch)])


def check_batch(
    session: Session, batch: QcBatch, spec: str | Spec | None = None
) -> ReleaseDecision:
    """Evaluate a stored batch against its product's spec sheet."""
    facts = batch_facts(session, batch)
    return evaluate(facts, spec_for_product(facts.record.product, spec))
