"""Rotating the key that encrypts personal data at rest, without a moment of unreadable data.

Why: a key that never changes protects every record ever written for as long as it
lives; rotation bounds what one leaked key opens (OWASP ASVS 5.0 V13.3.4; NIST SP 800-57
Part 1 Rev. 5, §5.3, cryptoperiods). Every column that holds a Fernet token under the
client-data key is listed in :data:`ENCRYPTED_COLUMNS`.

The steps keep every token readable whatever fails in between:

1. :func:`add_key` puts a new key first in the key file (atomic replace, mode 0600); the
   older keys stay, so existing tokens still decrypt and new ones use the new key;
2. :func:`reencrypt` rewrites every token under the first key (``MultiFernet.rotate``)
   inside the caller's one transaction: all or none;
3. :func:`retire_old_keys` checks, after that transaction committed, that every token
   opens with the first key alone, and only then leaves that key alone in the file.

With ``EXODERM_ENCRYPTION_KEY`` the operator edits the list (new key first, then the old
ones), runs step 2, then removes the old keys from the list after step 3's check.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Column, Table, bindparam, select, tuple_, update
from sqlalchemy.orm import Session

from exoderm.accounts.records import AuditEvent, StoredResponse, TotpFactor
from exoderm.clients.keys import key_file, keys_configured, load_keys, write_key_file
from exoderm.clients.records import PersonalRecord, PhotoRecord
from exoderm.errors import UserInputError
from exoderm.settings import Settings
from exoderm.storage.base import Base

#: Every column holding a Fernet token under the client-data key: (table, column).
ENCRYPTED_COLUMNS: tuple[tuple[Table, str], ...] = (
    (Base.metadata.tables[PersonalRecord.__tablename__], "token"),
    (Base.metadata.tables[PhotoRecord.__tablename__], "token"),
    (Base.metadata.tables[TotpFactor.__tablename__], "secret"),
    (Base.metadata.tables[StoredResponse.__tablename__], "body"),
)
#: Rows re-encrypted per statement (photos are up to 15 MB each).
BATCH = 50


@dataclass(frozen=True, slots=True)
class KeyState:
    """The keys in force, shown by fingerprint (never the key)."""

    source: str
    fingerprints: tuple[str, ...]


def fingerprint(key: bytes) -> str:
    """The first 12 hex digits of the key's SHA-256 (names a key; reveals nothing of it).

    Examples
    --------
    >>> len(fingerprint(Fernet.generate_key()))
    12
    """
    return hashlib.sha256(key).hexdigest()[:12]


def key_state(settings: Settings) -> KeyState:
    """Where the keys come from and their fingerprints, newest first."""
    source = "EXODERM_ENCRYPTION_KEY" if keys_configured(settings) else str(key_file(settings))
    return KeyState(source, tuple(fingerprint(k) for k in load_keys(settings)))


#: The audit action written when a key is put in force (its fingerprint is the subject).
ROTATED = "clients.key_rotated"


def _oldest_token_time(session: Session, key: bytes) -> datetime | None:
    """When the oldest personal-data token still under ``key`` was written."""
    token = session.scalar(select(PersonalRecord.token).order_by(PersonalRecord.id).limit(1))
    if token is None:
        return None
    try:
        return datetime.fromtimestamp(Fernet(key).extract_timestamp(token.encode("ascii")), UTC)
    except InvalidToken:
        return None


def key_in_force_since(session: Session, settings: Settings) -> datetime | None:
    """When the first (encrypting) key came into force, or None if nothing tells.

    A rotation names the new key in the audit log (:data:`ROTATED`), so that entry's time
    is the answer. A key never rotated in began with the first record it encrypted: the
    oldest personal-data token's own timestamp (Fernet tokens carry the time they were
    made, and a rotation keeps it, which is why the audit entry comes first).
    """
    keys = load_keys(settings)
    rotated = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == ROTATED,
            AuditEvent.subject_type == "client_data_key",
            AuditEvent.subject_id == fingerprint(keys[0]),
        )
        .order_by(AuditEvent.at.desc())
        .limit(1)
    ).first()
    return rotated.at if rotated is not None else _oldest_token_time(session, keys[0])


def add_key(settings: Settings) -> bytes:
    """Put a new key first in the key file; the older keys stay after it.

    Raises
    ------
    UserInputError
        The keys are configured in ``EXODERM_ENCRYPTION_KEY`` (the operator edits it).
    """
    if keys_configured(settings):
        raise UserInputError(
            "the keys come from EXODERM_ENCRYPTION_KEY, which exoderm does not edit",
            field="encryption_key",
            expected="a new key first in the comma-separated list, then the re-encryption",
        )
    key = Fernet.generate_key()
    write_key_file(key_file(settings), [key, *load_keys(settings)])
    return key


def _batches(session: Session, table: Table, name: str) -> Iterator[list[tuple[object, ...]]]:
    """Primary keys of the rows with a token, in batches of :data:`BATCH`."""
    pk = list(table.primary_key.columns)
    keys = session.execute(select(*pk).where(table.c[name].is_not(None)).order_by(*pk)).all()
    for start in range(0, len(keys), BATCH):
        yield [tuple(k) for k in keys[start : start + BATCH]]


def _tokens(
    session: Session, table: Table, name: str, batch: list[tuple[object, ...]]
) -> list[tuple[tuple[object, ...], str]]:
    pk: list[Column[object]] = list(table.primary_key.columns)
    rows = session.execute(select(*pk, table.c[name]).where(tuple_(*pk).in_(batch))).all()
    return [(tuple(r[: len(pk)]), str(r[len(pk)])) for r in rows]


def reencrypt(session: Session, cipher: MultiFernet) -> dict[str, int]:
    """Rewrite every token under ``cipher``'s first key, in the caller's transaction;
    counts per table.

    Raises
    ------
    UserInputError
        A token opens with none of the keys (it was written under a key no longer listed);
        nothing is then committed by the caller.
    """
    counts: dict[str, int] = {}
    for table, name in ENCRYPTED_COLUMNS:
        pk = list(table.primary_key.columns)
        statement = (
            update(table)
            .where(*(c == bindparam(f"pk_{c.name}") for c in pk))
            .values({name: bindparam("fresh")})
        )
        n = 0
        for batch in _batches(session, table, name):
            params = []
            for key, token in _tokens(session, table, name, batch):
                try:
                    fresh = cipher.rotate(token.encode("ascii")).decode("ascii")
                except InvalidToken:
                    raise UserInputError(
                        f"a token in {table.name}.{name} opens with none of the keys",
                        field="encryption_key",
                        expected="every key data was written under, newest first",
                    ) from None
                params.append(
                    {**{f"pk_{c.name}": v for c, v in zip(pk, key, strict=True)}, "fresh": fresh}
                )
            session.execute(statement, params)
            n += len(params)
        counts[table.name] = n
    return counts


def unreadable_with(session: Session, key: bytes) -> dict[str, int]:
    """How many tokens per table do not open with ``key`` alone."""
    alone = Fernet(key)
    out: dict[str, int] = {}
    for table, name in ENCRYPTED_COLUMNS:
        bad = 0
        for batch in _batches(session, table, name):
            for _, token in _tokens(session, table, name, batch):
                try:
                    alone.decrypt(token.encode("ascii"))
                except InvalidToken:
                    bad += 1
        out[table.name] = bad
    return out


def retire_old_keys(session: Session, settings: Settings) -> int:
    """Leave only the newest key in the key file, once every token opens with it alone.

    Returns
    -------
    int
        How many older keys were removed.

    Raises
    ------
    UserInputError
        Some token still needs an older key (run the re-encryption first), or the keys
        come from ``EXODERM_ENCRYPTION_KEY``.
    """
    keys = load_keys(settings)
    left = {t: n for t, n in unreadable_with(session, keys[0]).items() if n}
    if left:
        where = ", ".join(f"{t}: {n}" for t, n in left.items())
        raise UserInputError(
            f"tokens still need an older key ({where})",
            field="encryption_key",
            expected="'keys rotate' (re-encryption) to have committed first",
        )
    if keys_configured(settings):
        raise UserInputError(
            "every token opens with the first key; remove the others from "
            "EXODERM_ENCRYPTION_KEY yourself",
            field="encryption_key",
        )
    write_key_file(key_file(settings), keys[:1])
    return len(keys) - 1
