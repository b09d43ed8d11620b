"""A keyed hash chain over the audit log: a changed, removed or inserted entry shows.

The audit log is a table in the application's own database, so whoever administers the
database could edit it. Every event is therefore sealed when it is written: its seal is
HMAC-SHA256, under the audit key, over the previous event's seal and the event itself
(id, time, actor, action, subject, organisation, detail, note and the id of the event
before it). The key lives outside the database (``key_dir/audit.key``, 0600, or the
setting ``audit_key``), so a database administrator without it cannot forge a seal; the
chain's head (last event, its seal, the number sealed) is one row that every sealing
transaction locks as its last act before committing, so two transactions never seal
after the same event and the head is never held while another lock is awaited. :func:`verify` walks
the chain back from the head and reports the first break: an event whose seal does not
match (changed), a link to a missing event (removed), a sealed event off the chain or a
count that differs (inserted or cut). The seals are also shipped with each event to the
syslog collector (:mod:`exoderm.accounts.audit_shipping`), outside that administrator's
reach, which anchors the head.

References
----------
.. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0, V16.4.2
   (logs are protected from unauthorized access and cannot be modified).
.. [2] Schneier, B. & Kelsey, J. (1999). Secure audit logs to support computer forensics.
   ACM Transactions on Information and System Security 2(2), 159-176.
   doi:10.1145/317087.317089
.. [3] Krawczyk, H., Bellare, M. & Canetti, R. (1997). HMAC: Keyed-Hashing for Message
   Authentication. RFC 2104. doi:10.17487/RFC2104
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import Table, event, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import set_committed_value

from exoderm.accounts.records import AuditEvent, AuditSealHead
from exoderm.settings import Settings, get_settings, private_folder
from exoderm.storage.engine import upsert

KEY_FILE = "audit.key"
_HEAD: Table = AuditSealHead.__table__  # type: ignore[assignment]
_EVENTS: Table = AuditEvent.__table__  # type: ignore[assignment]


def audit_key(settings: Settings | None = None) -> bytes:
    """The audit key: configured, or from (or created in) ``key_dir/audit.key``."""
    s = settings or get_settings()
    if s.audit_key is not None:
        return s.audit_key.get_secret_value().encode("utf-8")
    path = s.key_dir / KEY_FILE
    if not path.exists():
        private_folder(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; use theirs
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


def canonical(row: AuditEvent, sealed_after: int | None) -> bytes:
    """The bytes a seal covers: every field of the event, in a fixed form."""
    at = row.at.astimezone(UTC) if row.at.tzinfo else row.at.replace(tzinfo=UTC)
    fields = [
        row.id,
        at.isoformat(timespec="microseconds"),
        row.actor,
        row.action,
        row.subject_type,
        row.subject_id,
        row.organisation_id,
        json.loads(json.dumps(row.detail)) if row.detail is not None else None,  # as stored
        row.note,
        sealed_after,
    ]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal_of(key: bytes, previous: str, row: AuditEvent, sealed_after: int | None) -> str:
    """HMAC-SHA256 over the previous seal and the event."""
    return hmac.new(
        key, previous.encode("ascii") + canonical(row, sealed_after), hashlib.sha256
    ).hexdigest()


def _lock_head(session: Session) -> tuple[int | None, str, int]:
    """Create or lock the head row, then read it: (last event, its seal, count)."""
    connection = session.connection()
    upsert(
        connection,
        _HEAD,
        {"id": 1, "last_event_id": None, "seal": "", "count": 0},
        key="id",
        set_={"count": _HEAD.c.count},
    )
    last, seal, count = connection.execute(
        select(_HEAD.c.last_event_id, _HEAD.c.seal, _HEAD.c.count).where(_HEAD.c.id == 1)
    ).one()
    return (int(last) if last is not None else None), str(seal), int(count)


_UNSEALED = "exoderm.audit.unsealed"


def _remember(session: Session, _flush: UOWTransaction) -> None:
    rows = [o for o in session.new if isinstance(o, AuditEvent)]
    if rows:
        session.info.setdefault(_UNSEALED, []).extend(rows)


def _seal_at_commit(session: Session) -> None:
    """Seal this transaction's events as its last act, so the head row is the last lock
    any transaction takes: no two transactions can each hold a lock the other waits for."""
    if not session.info.get(_UNSEALED) and not any(isinstance(o, AuditEvent) for o in session.new):
        return
    session.flush()  # events added since the last flush
    rows = sorted(
        (r for r in session.info.pop(_UNSEALED, []) if sa_inspect(r).persistent),
        key=lambda r: r.id,
    )
    if not rows:
        return
    key = audit_key()
    last, seal, count = _lock_head(session)
    connection = session.connection()
    for row in rows:
        seal = seal_of(key, seal, row, last)
        connection.execute(
            update(_EVENTS).where(_EVENTS.c.id == row.id).values(seal=seal, sealed_after=last)
        )
        set_committed_value(row, "seal", seal)
        set_committed_value(row, "sealed_after", last)
        last = row.id
    connection.execute(
        update(_HEAD)
        .where(_HEAD.c.id == 1)
        .values(last_event_id=last, seal=seal, count=count + len(rows))
    )


def _forget(session: Session) -> None:
    session.info.pop(_UNSEALED, None)


event.listen(Session, "after_flush", _remember)
# before the shipping hook (registered when exoderm.accounts.audit loads), so shipped
# lines carry their seal
event.listen(Session, "before_commit", _seal_at_commit, insert=True)
event.listen(Session, "after_rollback", _forget)


@dataclass(frozen=True)
class SealCheck:
    """What :func:`verify` found."""

    intact: bool
    sealed: int
    unsealed: int
    problem: str | None = None
    event_id: int | None = None


def verify(session: Session, key: bytes | None = None) -> SealCheck:
    """Walk the chain back from its head and report the first break, if any.

    Parameters
    ----------
    session : Session
        A read transaction over the whole audit log.
    key : bytes, optional
        The audit key (default: the configured one).

    Returns
    -------
    SealCheck
        Whether the chain is intact, how many events are sealed and unsealed, and the
        first problem with the event it concerns.

    References
    ----------
    .. [1] Schneier, B. & Kelsey, J. (1999). ACM TISSEC 2(2), 159-176.
       doi:10.1145/317087.317089

    Examples
    --------
    >>> from exoderm.accounts import audit
    >>> from exoderm.storage.scratch import scratch_database
    >>> db = scratch_database()
    >>> with db.transaction() as s:
    ...     _ = audit.record(s, actor="ana", action="client.read", subject_type="client",
    ...                      subject_id="C-1")
    ...     _ = audit.record(s, actor="ana", action="client.update", subject_type="client",
    ...                      subject_id="C-1")
    >>> with db.reader() as s:
    ...     verify(s).intact, verify(s).sealed
    (True, 2)
    """
    key = key if key is not None else audit_key()
    head = session.execute(
        select(_HEAD.c.last_event_id, _HEAD.c.seal, _HEAD.c.count).where(_HEAD.c.id == 1)
    ).first()
    events = {e.id: e for e in session.scalars(select(AuditEvent))}
    unsealed = sum(1 for e in events.values() if e.seal is None)
    head_last, head_seal, head_count = head if head is not None else (None, "", 0)
    if head_last is None:
        sealed = len(events) - unsealed
        if sealed:
            return SealCheck(False, sealed, unsealed, "sealed events but no chain head")
        return SealCheck(True, 0, unsealed)
    seen: set[int] = set()
    current: int | None = head_last
    expected = head_seal
    while current is not None:
        row = events.get(current)
        if row is None:
            return SealCheck(False, len(seen), unsealed, "a sealed event is missing", current)
        if row.seal != expected:
            return SealCheck(False, len(seen), unsealed, "the chain's link does not match", current)
        previous = events.get(row.sealed_after) if row.sealed_after is not None else None
        previous_seal = (previous.seal or "") if previous is not None else ""
        if row.sealed_after is not None and previous is None:
            return SealCheck(
                False, len(seen), unsealed, "a sealed event is missing", row.sealed_after
            )
        if seal_of(key, previous_seal, row, row.sealed_after) != row.seal:
            return SealCheck(False, len(seen), unsealed, "the event was changed", current)
        seen.add(current)
        expected = previous_seal
        current = row.sealed_after
    off_chain = [i for i, e in events.items() if e.seal is not None and i not in seen]
    if off_chain:
        return SealCheck(
            False, len(seen), unsealed, "a sealed event is off the chain", off_chain[0]
        )
    first = min((events[i].at for i in seen), default=None)
    late = [i for i, e in events.items() if e.seal is None and first is not None and e.at > first]
    if late:
        return SealCheck(False, len(seen), unsealed, "an event was written without a seal", late[0])
    if len(seen) != head_count:
        return SealCheck(False, len(seen), unsealed, f"the head counts {head_count} events")
    return SealCheck(True, len(seen), unsealed)
