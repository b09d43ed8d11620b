"""NTA service fences: another organisation's QC batch does not exist for the caller.

The only NTA service that touches organisation data is :func:`exoderm.nta.service.analyze`
when it records on a batch; as any role of org B, recording on org A's batch is "not found"
(never 403, never a hint that the lot exists), and it fails before the video is read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exoderm.accounts.records import Role
from exoderm.errors import NotFoundError, PermissionDenied
from exoderm.nta import analysis_settings, service, simulate_video
from exoderm.qc import create_batch, measurements_for, parse_batch_record
from tests.services.conftest import Tenants

SETTINGS = analysis_settings(temperature=22, pixel_size=0.166, fps=25, exposure="30ms", bootstrap=0)
#: Roles that may analyse and record QC measurements at all.
RECORDING_ROLES = [Role.scientist, Role.qc_analyst]


def _batch_of_a(tenants: Tenants) -> str:
    with tenants.db.transaction() as s:
        create_batch(
            s,
            parse_batch_record({"product": "Serum", "lot": "A-NTA-1", "source": {"kind": "cell"}}),
            tenants.a[Role.qc_analyst],
        )
    return "A-NTA-1"


@pytest.mark.parametrize("role", RECORDING_ROLES)
def test_recording_on_another_organisations_batch_is_not_found(
    tenants: Tenants, role: Role, tmp_path: Path
) -> None:
    lot = _batch_of_a(tenants)
    never_read = tmp_path / "absent.tif"  # the fence answers before the video is opened
    with tenants.db.transaction() as s, pytest.raises(NotFoundError, match="A-NTA-1"):
        service.analyze(
            s, tenants.b[role], video=never_read, settings=SETTINGS, record_on_batch=lot
        )
    with tenants.db.reader() as s:
        assert measurements_for(s, lot) == []


def test_own_organisation_records_and_other_roles_are_refused(
    tenants: Tenants, tmp_path: Path
) -> None:
    lot = _batch_of_a(tenants)
    video = tmp_path / "beads.tif"
    simulate_video(video, n_frames=20, width=96, height=96, n_particles=10, seed=4)
    with tenants.db.transaction() as s:
        read = service.analyze(
            s, tenants.a[Role.qc_analyst], video=video, settings=SETTINGS, record_on_batch=lot
        )
    assert read.stored_measurement_id is not None
    with tenants.db.reader() as s:
        assert [m.id for m in measurements_for(s, lot)] == [read.stored_measurement_id]
    for role in (Role.viewer, Role.clinician):
        with tenants.db.transaction() as s, pytest.raises(PermissionDenied):
            service.analyze(s, tenants.b[role], video=video, settings=SETTINGS)
