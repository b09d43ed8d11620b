from __future__ import annotations

import pytest
from sqlalchemy import func, select

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.errors import ConflictError, NotFoundError, PermissionDenied, ValidationFailed
from exoderm.qc import (
    ParticleMeasurement,
    SizeBin,
    create_batch,
    measurements_for,
    parse_batch_record,
    record_measurement,
)
from exoderm.qc.records import QcMeasurement
from exoderm.storage import Database
from tests.qc.conftest import passing_record


def _measurement() -> ParticleMeasurement:
    return ParticleMeasurement(
        method="NTA",
        instrument="test",
        concentration_per_ml=2e9,
        dilution=100,
        mode_nm=101.0,
        bins=[SizeBin(centre_nm=100.5, lower_nm=100, upper_nm=101, concentration_per_ml=2e9)],
    )


def test_record_measurement_roundtrip_and_audit(any_db: Database, analyst: Actor) -> None:
    with any_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
        stored = record_measurement(s, "LOT-001", _measurement(), analyst)
    assert stored.measurement.stock_concentration_per_ml == pytest.approx(2e11)
    with any_db.reader() as s:
        got = measurements_for(s, "LOT-001")
        assert [m.measurement.bins[0].upper_nm for m in got] == [101]
        assert got[0].measurement.mode_nm == 101.0
        actions = [e.action for e in events_for(s, "qc_batch", "LOT-001")]
    assert actions == ["qc.batch.create", "qc.measurement.record"]


def test_unknown_lot_and_duplicate_lot(sqlite_db: Database, analyst: Actor) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
    with pytest.raises(NotFoundError), sqlite_db.transaction() as s:
        record_measurement(s, "NOPE", _measurement(), analyst)
    with pytest.raises(ConflictError), sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)


def test_viewer_may_not_write_and_nothing_is_written(
    sqlite_db: Database, analyst: Actor, viewer: Actor
) -> None:
    with sqlite_db.transaction() as s:
        create_batch(s, parse_batch_record(passing_record()), analyst)
    with pytest.raises(PermissionDenied), sqlite_db.transaction() as s:
        record_measurement(s, "LOT-001", _measurement(), viewer)
    with sqlite_db.reader() as s:
        assert s.scalar(select(func.count()).select_from(QcMeasurement)) == 0


def test_bad_batch_record_names_the_field() -> None:
    data = passing_record()
    data["safety"]["endotoxin_eu_per_ml"] = -1
    with pytest.raises(ValidationFailed) as info:
        parse_batch_record(data, source="lot.yaml")
    assert "safety.endotoxin_eu_per_ml" in str(info.value)
    assert "lot.yaml" in str(info.value)


def test_other_organisations_batches_are_hidden(sqlite_db: Database) -> None:
    from exoderm.accounts.records import Organisation, OrganisationKind, Role
    from exoderm.qc import get_batch, list_batches

    with sqlite_db.transaction() as s:
        s.add_all(
            [
                Organisation(id=1, name="A", kind=OrganisationKind.lab),
                Organisation(id=2, name="B", kind=OrganisationKind.lab),
            ]
        )
        s.flush()
        lab_a = Actor("a", Role.qc_analyst, organisation_id=1)
        create_batch(s, parse_batch_record(passing_record()), lab_a)
    lab_b = Actor("b", Role.qc_analyst, organisation_id=2)
    with sqlite_db.reader() as s:
        assert [b.lot for b in list_batches(s, actor=lab_a)] == ["LOT-001"]
        assert list_batches(s, actor=lab_b) == []
        with pytest.raises(NotFoundError):
            get_batch(s, "LOT-001", lab_b)
    with pytest.raises(NotFoundError), sqlite_db.transaction() as s:
        record_measurement(s, "LOT-001", _measurement(), lab_b)


def test_unknown_marker_category_is_rejected() -> None:
    data = passing_record()
    data["markers"][0]["category"] = "9z"
    with pytest.raises(ValidationFailed, match=r"markers\.0\.category"):
        parse_batch_record(data)
