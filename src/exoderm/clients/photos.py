"""A consent-gated photo timeline per client: standardised views, encrypted at rest.

A photograph of a face identifies a person, so it is handled like personal data: an
upload is refused unless the client's latest ``photos`` consent is given; the image is
checked (JPEG or PNG, at most :data:`MAX_BYTES` and :data:`MAX_PIXELS`, so a
decompression bomb is refused before it is decoded), its metadata (EXIF with camera
serials and GPS position) is dropped by re-encoding, and the result is stored only as a
Fernet token with the client-data key. Viewing also needs a consent in force.
Erasing the client deletes every photo row (see :mod:`exoderm.clients.privacy`).

Standard views follow the clinical photography conventions of a fixed frontal view,
45° obliques and 90° laterals, so baseline and follow-up are compared like for like.

References
----------
.. [1] Swamy, R. S. & Most, S. P. (2010). Pre- and postoperative portrait photography:
   standardized photos for various procedures. Facial Plast Surg Clin North Am
   18(2):245–252. doi:10.1016/j.fsc.2010.01.003
.. [2] Plastic Surgery Educational Foundation, *Photographic Standards in Plastic
   Surgery* (standard views card).
.. [3] Regulation (EU) 2016/679 (GDPR), Art. 4(14) and Art. 9 (photographs processed to
   identify a person are biometric data) and Art. 32 (encryption).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, MultiFernet
from PIL import Image, ImageOps, UnidentifiedImageError
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.keys import cipher
from exoderm.clients.records import ClientRecord, PhotoRecord
from exoderm.clients.repository import consents_of
from exoderm.errors import ConflictError, NotFoundError, PermissionDenied, UserInputError

if TYPE_CHECKING:
    from exoderm.settings import Settings

#: The largest upload accepted.
MAX_BYTES = 15 * 1024 * 1024
#: The most pixels decoded (a 40-megapixel camera; larger is refused unread).
MAX_PIXELS = 40_000_000
CONSENT_TOPIC = "photos"
_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PhotoView(StrEnum):
    """A standardised view."""

    frontal = "frontal"
    left_oblique = "left-oblique-45"
    right_oblique = "right-oblique-45"
    left_lateral = "left-lateral-90"
    right_lateral = "right-lateral-90"
    close_up = "close-up"


class PhotoRead(BaseModel):
    """A stored photo's card (the image itself comes from :func:`image_of`)."""

    id: int
    view: PhotoView
    captured_on: date
    media_type: str
    width: int
    height: int
    sha256: str
    created_by: str
    created_at: datetime


class PhotoPair(BaseModel):
    """Baseline and latest follow-up of one view, for a side-by-side comparison."""

    view: PhotoView
    baseline: PhotoRead
    follow_up: PhotoRead | None
    days_between: int | None


class PhotoTimeline(BaseModel):
    """Every photo of a client by view, with the side-by-side pairs."""

    pseudonym: str
    consent_in_force: bool
    photos: list[PhotoRead]
    pairs: list[PhotoPair]


def _read(row: PhotoRecord) -> PhotoRead:
    created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
    return PhotoRead(
        id=row.id,
        view=PhotoView(row.view),
        captured_on=row.captured_on,
        media_type=row.media_type,
        width=row.width,
        height=row.height,
        sha256=row.sha256,
        created_by=row.created_by,
        created_at=created,
    )


def consent_in_force(session: Session, client: ClientRecord) -> bool:
    """Whether the client's latest ``photos`` consent is given (none recorded = no)."""
    latest = [c for c in consents_of(session, client) if c.topic == CONSENT_TOPIC]
    return bool(latest) and latest[-1].given


def _require_consent(session: Session, client: ClientRecord) -> None:
    if not consent_in_force(session, client):
        raise PermissionDenied(
            f"client {client.pseudonym} has no photo consent in force; record a 'photos' "
            "consent first"
        )


def clean_image(data: bytes, *, name: str = "upload") -> tuple[bytes, str, int, int]:
    """The image re-encoded without metadata: (bytes, media type, width, height).

    Refuses anything but JPEG or PNG, files over :data:`MAX_BYTES` and images over
    :data:`MAX_PIXELS` (checked from the header, before decoding).
    """
    if not data:
        raise UserInputError("the photo is empty", field="file", expected="a JPEG or PNG image")
    if len(data) > MAX_BYTES:
        raise UserInputError(
            f"{name} is {len(data) / 1e6:.1f} MB", field="file", expected="at most 15 MB"
        )
    try:
        with Image.open(io.BytesIO(data)) as probe:
            kind = probe.format or ""
            width, height = probe.size
    except (UnidentifiedImageError, OSError, ValueError):
        raise UserInputError(
            f"{name} is not an image", field="file", expected="a JPEG or PNG image"
        ) from None
    if kind not in _FORMATS:
        raise UserInputError(f"{name} is {kind or 'unknown'}", field="file", expected="JPEG or PNG")
    if width * height > MAX_PIXELS:
        raise UserInputError(
            f"{name} has {width}×{height} pixels", field="file", expected="at most 40 megapixels"
        )
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if kind == "JPEG":
                upright.convert("RGB").save(out, format="JPEG", quality=92)
            else:
                upright.save(out, format="PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        raise UserInputError(
            f"{name} could not be decoded", field="file", expected="a complete JPEG or PNG image"
        ) from None
    return out.getvalue(), _FORMATS[kind], upright.width, upright.height


@dataclass(frozen=True)
class PhotoQuota:
    """How many photos, and how many megabytes of them (encrypted), one user may store
    (OWASP ASVS 5.0 V5.2.4); configurable as ``photo_quota_files_per_user`` and
    ``photo_quota_mb_per_user``."""

    files: int = 5000
    megabytes: int = 5000

    @classmethod
    def from_settings(cls, settings: Settings) -> PhotoQuota:
        """The quota configured in :class:`~exoderm.settings.Settings`."""
        return cls(settings.photo_quota_files_per_user, settings.photo_quota_mb_per_user)


def _check_quota(session: Session, actor: Actor, quota: PhotoQuota, adding: int) -> None:
    count, stored = session.execute(
        select(
            func.count(PhotoRecord.id), func.coalesce(func.sum(func.length(PhotoRecord.token)), 0)
        ).where(PhotoRecord.created_by == actor.username)
    ).one()
    if count >= quota.files or stored + adding > quota.megabytes * 1_000_000:
        raise ConflictError(
            f"{actor.username} has stored {count} photos ({stored / 1e6:.0f} MB); the quota "
            f"is {quota.files} photos and {quota.megabytes} MB per user: remove photos "
            "(client erasure) or ask an admin to raise photo_quota_files_per_user / "
            "photo_quota_mb_per_user"
        )


def add_photo(
    session: Session,
    actor: Actor,
    pseudonym: str,
    *,
    data: bytes,
    view: PhotoView,
    captured_on: date | None = None,
    fernet: Fernet | MultiFernet | MultiFernet | None = None,
    quota: PhotoQuota | None = None,
) -> PhotoRead:
    """Store one photo of a client who consented (audited; no image data in the log);
    refused once the user's :class:`PhotoQuota` is used up."""
    client = access.load_client(session, actor, pseudonym, action="add photos")
    access.require_personal_data(actor)
    _require_consent(session, client)
    day = captured_on or date.today()
    if day > date.today():
        raise UserInputError(
            f"capture date {day.isoformat()} is in the future",
            field="captured_on",
            expected="today or earlier",
        )
    clean, media_type, width, height = clean_image(data)
    token = (fernet or cipher()).encrypt(clean).decode("ascii")
    _check_quota(session, actor, quota or PhotoQuota(), len(token))
    row = PhotoRecord(
        client_id=client.id,
        view=view.value,
        captured_on=day,
        media_type=media_type,
        width=width,
        height=height,
        sha256=hashlib.sha256(clean).hexdigest(),
        token=token,
        created_by=actor.username,
    )
    session.add(row)
    session.flush()
    access.log(session, actor, "photo-add", client, {"photo": row.id, "view": view.value})
    return _read(row)


def _pairs(photos: list[PhotoRead]) -> list[PhotoPair]:
    pairs = []
    for view in PhotoView:
        series = sorted((p for p in photos if p.view is view), key=lambda p: (p.captured_on, p.id))
        if not series:
            continue
        first, last = series[0], series[-1]
        later = last if last.id != first.id else None
        pairs.append(
            PhotoPair(
                view=view,
                baseline=first,
                follow_up=later,
                days_between=(later.captured_on - first.captured_on).days if later else None,
            )
        )
    return pairs


def timeline(session: Session, actor: Actor, pseudonym: str) -> PhotoTimeline:
    """A client's photos by view with baseline/follow-up pairs (audited read)."""
    client = access.load_client(session, actor, pseudonym, action="show")
    access.require_personal_data(actor)
    rows = session.scalars(
        select(PhotoRecord)
        .where(PhotoRecord.client_id == client.id)
        .order_by(PhotoRecord.captured_on, PhotoRecord.id)
    )
    photos = [_read(r) for r in rows]
    access.log(session, actor, "photos", client, {"count": len(photos)})
    return PhotoTimeline(
        pseudonym=client.pseudonym,
        consent_in_force=consent_in_force(session, client),
        photos=photos,
        pairs=_pairs(photos),
    )


def image_of(session: Session, actor: Actor, pseudonym: str, photo_id: int) -> tuple[bytes, str]:
    """The decrypted image and its media type, while consent is in force (audited)."""
    client = access.load_client(session, actor, pseudonym, action="show")
    access.require_personal_data(actor)
    row = session.get(PhotoRecord, photo_id)
    if row is None or row.client_id != client.id:
        raise NotFoundError(f"no photo {photo_id} of client {client.pseudonym}")
    _require_consent(session, client)
    access.log(session, actor, "photo-view", client, {"photo": row.id})
    return cipher().decrypt(row.token.encode("ascii")), row.media_type
