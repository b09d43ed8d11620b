"""Photos: consent-gated, metadata stripped, encrypted at rest, gone after erasure."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from exoderm.accounts.actor import Actor
from exoderm.clients import PersonalData, parse_profile, purge_freed_pages, service
from exoderm.clients.photos import MAX_PIXELS, PhotoView
from exoderm.clients.records import PhotoRecord
from exoderm.clients.repository import Consent
from exoderm.errors import PermissionDenied, UserInputError
from exoderm.storage import Database, open_database


def _jpeg(seed: int = 1, size: tuple[int, int] = (64, 48)) -> bytes:
    """A noisy JPEG with an EXIF block naming a camera (metadata that must not survive)."""
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    exif = Image.Exif()
    exif[0x010F] = "CameraMakerXYZ"  # Make
    exif[0x0131] = "SecretSoftware 9.9"  # Software
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90, exif=exif)
    return out.getvalue()


def _client(db: Database, actor: Actor) -> str:
    with db.transaction() as s:
        view = service.add_client(
            s,
            actor,
            personal=PersonalData(name="Rosalind Franklin", date_of_birth=date(1980, 7, 25)),
            profile=parse_profile({"concerns": [{"name": "wrinkles"}]}),
        )
    return view.pseudonym


def test_upload_without_consent_is_refused(sqlite_db: Database, clinician: Actor) -> None:
    p = _client(sqlite_db, clinician)
    with sqlite_db.transaction() as s, pytest.raises(PermissionDenied, match="photo consent"):
        service.add_photo(s, clinician, p, data=_jpeg(), view=PhotoView.frontal)
    with sqlite_db.transaction() as s:
        service.add_consent(s, clinician, p, consent=Consent("photos", "v1"))
        service.add_consent(s, clinician, p, consent=Consent("photos", "v1", given=False))
    with sqlite_db.transaction() as s, pytest.raises(PermissionDenied):
        service.add_photo(s, clinician, p, data=_jpeg(), view=PhotoView.frontal)


def test_photo_is_cleaned_encrypted_and_paired(sqlite_db: Database, clinician: Actor) -> None:
    p = _client(sqlite_db, clinician)
    raw = _jpeg()
    with sqlite_db.transaction() as s:
        service.add_consent(s, clinician, p, consent=Consent("photos", "v1"))
        first = service.add_photo(
            s, clinician, p, data=raw, view=PhotoView.frontal, captured_on=date(2026, 1, 5)
        )
        service.add_photo(
            s, clinician, p, data=_jpeg(2), view=PhotoView.frontal, captured_on=date(2026, 3, 2)
        )
        stored = s.scalar(select(PhotoRecord.token).where(PhotoRecord.id == first.id))
        image, media_type = service.photo_image(s, clinician, p, photo_id=first.id)
        timeline = service.photo_timeline(s, clinician, p)
    assert media_type == "image/jpeg" and image[:2] == b"\xff\xd8"
    assert b"CameraMakerXYZ" in raw and b"CameraMakerXYZ" not in image
    assert (
        stored is not None
        and raw[:64] not in stored.encode()
        and b"\xff\xd8" not in stored.encode()
    )
    (pair,) = timeline.pairs
    assert pair.days_between == 56 and pair.follow_up is not None


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"GIF89a" + b"\0" * 100, "not an image"),
        (b"\xff\xd8\xff" * 10, "not an image"),
    ],
)
def test_bad_images_get_a_clear_error(
    data: bytes, expected: str, sqlite_db: Database, clinician: Actor
) -> None:
    p = _client(sqlite_db, clinician)
    with sqlite_db.transaction() as s:
        service.add_consent(s, clinician, p, consent=Consent("photos", "v1"))
    with sqlite_db.transaction() as s, pytest.raises(UserInputError, match=expected):
        service.add_photo(s, clinician, p, data=data, view=PhotoView.frontal)


def test_a_decompression_bomb_is_refused_before_decoding(
    sqlite_db: Database, clinician: Actor
) -> None:
    side = int(MAX_PIXELS**0.5) + 100
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")  # tiny file, huge image
    assert len(out.getvalue()) < 1_000_000
    p = _client(sqlite_db, clinician)
    with sqlite_db.transaction() as s:
        service.add_consent(s, clinician, p, consent=Consent("photos", "v1"))
    with sqlite_db.transaction() as s, pytest.raises(UserInputError, match="pixels"):
        service.add_photo(s, clinician, p, data=out.getvalue(), view=PhotoView.frontal)


def _raw_bytes(folder: Path) -> bytes:
    return b"".join(f.read_bytes() for f in sorted(folder.rglob("*")) if f.is_file())


def test_erase_leaves_no_image_data(
    tmp_path: Path, clinician: Actor, orgs: tuple[int, int]
) -> None:
    from exoderm.storage import upgrade

    folder = tmp_path / "data"
    folder.mkdir()
    db = open_database(f"sqlite:///{folder / 'exoderm.db'}")
    upgrade(db)
    from exoderm.accounts.records import Organisation, OrganisationKind

    with db.transaction() as s:
        org = Organisation(name="Clinic A", kind=OrganisationKind.clinic)
        s.add(org)
        s.flush()
        actor = Actor(username="dr.a", role=clinician.role, organisation_id=org.id)
    p = _client(db, actor)
    with db.transaction() as s:
        service.add_consent(s, actor, p, consent=Consent("photos", "v1"))
        photo = service.add_photo(s, actor, p, data=_jpeg(7, (256, 256)), view=PhotoView.frontal)
    with db.reader() as s:
        token = s.scalar(select(PhotoRecord.token))
    assert token is not None
    with db.transaction() as s:
        clean, _ = service.photo_image(s, actor, p, photo_id=photo.id)
    purge_freed_pages(db)
    before = _raw_bytes(folder)
    assert token[100:160].encode() in before  # the test sees what it looks for

    with db.transaction() as s:
        erased = service.erase_client(s, actor, p)
    purge_freed_pages(db)
    db.dispose()
    after = _raw_bytes(folder)
    assert erased.photos_deleted == 1
    for i in range(0, len(token) - 40, 997):
        assert token[i : i + 40].encode() not in after, i
    for i in range(0, len(clean) - 32, 509):
        assert clean[i : i + 32] not in after, i
    db = open_database(f"sqlite:///{folder / 'exoderm.db'}")
    with db.reader() as s:
        assert s.scalar(select(PhotoRecord)) is None
    db.dispose()


def test_a_user_past_the_photo_quota_is_refused(sqlite_db: Database, clinician: Actor) -> None:
    """ASVS 5.0 V5.2.4: a count and a size quota per user."""
    from exoderm.clients.photos import PhotoQuota
    from exoderm.errors import ConflictError

    p = _client(sqlite_db, clinician)
    with sqlite_db.transaction() as s:
        service.add_consent(s, clinician, p, consent=Consent("photos", "v1"))
        service.add_photo(s, clinician, p, data=_jpeg(), view=PhotoView.frontal)
    one = PhotoQuota(files=1, megabytes=100)
    with sqlite_db.transaction() as s, pytest.raises(ConflictError, match="quota is 1 photos"):
        service.add_photo(s, clinician, p, data=_jpeg(2), view=PhotoView.frontal, quota=one)
    tiny = PhotoQuota(files=100, megabytes=0)
    with sqlite_db.transaction() as s, pytest.raises(ConflictError, match="0 MB per user"):
        service.add_photo(s, clinician, p, data=_jpeg(3), view=PhotoView.frontal, quota=tiny)
    with sqlite_db.transaction() as s:
        assert len(s.scalars(select(PhotoRecord)).all()) == 1
        service.add_photo(s, clinician, p, data=_jpeg(4), view=PhotoView.frontal)
