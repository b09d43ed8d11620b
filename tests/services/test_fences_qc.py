"""The QC fence: another organisation's lot does not exist, for every QC service.

Org A's QC analyst creates a lot with a measurement and a signed certificate; each service
that names a lot is then called as a QC analyst and as a scientist of org B, and must
raise :class:`~exoderm.errors.NotFoundError` (not 403, not the data). Lists and trends of
org B contain none of org A's lots or values.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.errors import ConflictError, NotFoundError
from exoderm.qc import ParticleMeasurement
from exoderm.qc import service as qc
from exoderm.qc.examples import example_record
from exoderm.qc.records import QcBatch
from exoderm.qc.signing import Signer
from exoderm.storage.base import utcnow
from tests.services.conftest import Tenants

LOT = "A-LOT-1"
MEASUREMENT = ParticleMeasurement(
    method="NTA", instrument="NS300", concentration_per_ml=3.3e9, mode_nm=111.0
)
EXPORT = "\n".join(
    [
        "# exoderm particle csv",
        "# method: NTA",
        "# instrument: demo",
        "centre_nm,concentration_per_ml",
        "95,4e8",
        "105,6e8",
        "",
    ]
)


def _signer(who: Actor) -> Signer:
    """``who`` as freshly re-authenticated (the password check is tested with the CLI)."""
    return Signer(who, who.username, utcnow(), ("username", "password"))


def _import(s: Session, who: Actor, lot: str) -> object:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.csv"
        path.write_text(EXPORT)
        return qc.import_measurements(s, who, lot, path)


CALLS: dict[str, Callable[[Session, Actor, str], object]] = {
    "get_batch": lambda s, who, lot: qc.get_batch(s, who, lot),
    "record_measurement": lambda s, who, lot: qc.record_measurement(
        s, who, lot, measurement=MEASUREMENT
    ),
    "import_measurements": _import,
    "check_batch": lambda s, who, lot: qc.check_batch(s, who, lot),
    "sign_certificate": lambda s, who, lot: qc.sign_certificate(
        s, _signer(who), lot, meaning="reviewed", reason="again"
    ),
    "check_may_sign": lambda s, who, lot: qc.check_may_sign(s, who, lot),
    "list_certificates": lambda s, who, lot: qc.list_certificates(s, who, lot),
    "get_certificate": lambda s, who, lot: qc.get_certificate(s, who, lot, 1),
    "get_latest_certificate": lambda s, who, lot: qc.get_certificate(s, who, lot),
    "draft_certificate": lambda s, who, lot: qc.draft_certificate(s, who, lot),
}


@pytest.fixture
def lab_a_lot(tenants: Tenants) -> Tenants:
    analyst = tenants.a[Role.qc_analyst]
    with tenants.db.transaction() as s:
        qc.create_batch(s, analyst, record=example_record(LOT, product="Serum A"))
        qc.record_measurement(s, analyst, LOT, measurement=MEASUREMENT)
        qc.sign_certificate(s, _signer(analyst), LOT, meaning="reviewed")
    return tenants


#: The roles of org B that try (both may write QC data in their own organisation).
INTRUDERS = (Role.qc_analyst, Role.scientist)


@pytest.mark.parametrize("verb", sorted(CALLS))
def test_other_organisations_lot_is_not_found(lab_a_lot: Tenants, verb: str) -> None:
    for role in INTRUDERS:
        with pytest.raises(NotFoundError) as info, lab_a_lot.db.transaction() as s:
            CALLS[verb](s, lab_a_lot.b[role], LOT)
        assert "no QC batch" in str(info.value), role


def test_own_organisation_and_admin_reach_the_lot(lab_a_lot: Tenants) -> None:
    """The fence is not a blanket refusal: org A's analyst and the admin get through."""
    for verb in sorted(CALLS):
        for who in (lab_a_lot.a[Role.qc_analyst], lab_a_lot.admin):
            with lab_a_lot.db.transaction() as s:
                CALLS[verb](s, who, LOT)


def test_lists_and_trends_of_org_b_hold_nothing_of_org_a(lab_a_lot: Tenants) -> None:
    with lab_a_lot.db.reader() as s:
        mine = qc.lot_trends(s, lab_a_lot.a[Role.qc_analyst], "Serum A")
        for role in (*INTRUDERS, Role.viewer):
            other = lab_a_lot.b[role]
            page = qc.list_batches(s, other)
            charts = qc.lot_trends(s, other, "Serum A")
            assert page.total == 0 and page.items == [], role
            assert all(c.points == [] for c in charts), role
    assert [p.lot for p in mine[0].points] == [LOT] and mine[0].points[0].value == 111.0


def test_lot_numbers_are_per_organisation(lab_a_lot: Tenants) -> None:
    """Another organisation may use the same lot number (no existence oracle); each sees
    its own batch, the same organisation gets a conflict, and an admin who sees both is
    told to act as one of them rather than handed either."""
    b = lab_a_lot.b[Role.qc_analyst]
    with lab_a_lot.db.transaction() as s:
        qc.create_batch(s, b, record=example_record(LOT, product="Serum B"))
    with lab_a_lot.db.reader() as s:
        assert qc.get_batch(s, b, LOT).product == "Serum B"
        assert qc.get_batch(s, lab_a_lot.a[Role.qc_analyst], LOT).product == "Serum A"
        assert [x.lot for x in qc.list_batches(s, b).items] == [LOT]
    for who in (b, lab_a_lot.b[Role.scientist]):
        with pytest.raises(ConflictError), lab_a_lot.db.transaction() as s:
            qc.create_batch(s, who, record=example_record(LOT))
    with pytest.raises(ConflictError, match="2 organisations"), lab_a_lot.db.reader() as s:
        qc.get_batch(s, lab_a_lot.admin, LOT)


def test_the_database_keeps_lots_unique_per_organisation(lab_a_lot: Tenants) -> None:
    """The unique index holds even for a write that skips the service's check."""
    with lab_a_lot.db.reader() as s:
        org = s.scalars(select(QcBatch.organisation_id).where(QcBatch.lot == LOT)).one()
    with pytest.raises(IntegrityError), lab_a_lot.db.transaction() as s:
        s.add(
            QcBatch(
                product="x",
                lot=LOT,
                source_kind="x",
                record={},
                created_by="x",
                organisation_id=org,
            )
        )
        s.flush()
    # Batches entered without an organisation share one namespace.
    with lab_a_lot.db.transaction() as s:
        s.add(QcBatch(product="x", lot="NULL-1", source_kind="x", record={}, created_by="x"))
    with pytest.raises(IntegrityError), lab_a_lot.db.transaction() as s:
        s.add(QcBatch(product="x", lot="NULL-1", source_kind="x", record={}, created_by="x"))
        s.flush()
