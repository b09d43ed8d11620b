"""Idempotency keys: a retried creating request gets the first answer, not a second record.

A client that sends ``Idempotency-Key: <key>`` with a ``POST`` may resend it after a
timeout or a dropped connection without creating the client, batch or token twice
(IETF draft-ietf-httpapi-idempotency-key-header-07, 2025). Per (credential, key):

* the first request is marked *pending*, runs, and its successful answer (status, media
  type, body) is stored, encrypted, for :data:`RETENTION`;
* the same request again gets the stored answer (``Idempotent-Replayed: true``);
* the same key with a different request (method, path, query or body) is refused
  (422), as the draft asks, and so is a key whose first request is still running (409);
* a failed request (4xx or 5xx) stores nothing, so it may be retried with its key.

Erasing a client forgets every stored answer (:func:`forget_every_answer`): one may hold
that client's personal data, and a day's retries are worth less than erasure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from exoderm.accounts.records import StoredResponse
from exoderm.storage.base import utcnow

#: How long an answer is kept (the draft's examples use 24 hours).
RETENTION: Final = timedelta(hours=24)
#: The longest key accepted (the draft leaves it to the server).
MAX_KEY_LENGTH: Final = 255
#: Answers larger than this are not stored (creating endpoints answer a few kB of JSON).
MAX_STORED_BODY: Final = 1 << 20


class Verdict(enum.StrEnum):
    """What to do with a request that carries an idempotency key."""

    proceed = "proceed"
    replay = "replay"
    mismatch = "mismatch"
    in_progress = "in_progress"


@dataclass(frozen=True)
class Answer:
    """A stored answer, decrypted."""

    status: int
    media_type: str
    body: bytes


@dataclass(frozen=True)
class Claim:
    """The outcome of :func:`claim`: the verdict, and the stored answer for a replay."""

    verdict: Verdict
    answer: Answer | None = None


def valid_key(key: str) -> bool:
    """Whether ``key`` is a usable idempotency key: 1–255 visible ASCII characters.

    Parameters
    ----------
    key : str
        The header's value.

    Returns
    -------
    bool
        True for 1 to :data:`MAX_KEY_LENGTH` printable ASCII characters without spaces.

    References
    ----------
    .. [1] Jena, J., Dalal, S. (2025). The Idempotency-Key HTTP Header Field.
       IETF draft-ietf-httpapi-idempotency-key-header-07 (October 2025), "Syntax".

    Examples
    --------
    >>> valid_key("8e03978e-40d5-43e8-bc93-6894a57f9324"), valid_key(""), valid_key("a b")
    (True, False, False)
    """
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def claim(
    session: Session,
    *,
    scope: str,
    key: str,
    fingerprint: str,
    cipher: Fernet | MultiFernet,
    now: datetime | None = None,
) -> Claim:
    """Look ``key`` up for ``scope`` and, if it is new, mark it pending (in ``session``).

    Parameters
    ----------
    session : Session
        A transaction of its own: commit it before the request runs, so that a parallel
        request with the same key sees the pending mark.
    scope : str
        The SHA-256 of the sending credential.
    key : str
        The idempotency key (see :func:`valid_key`).
    fingerprint : str
        The SHA-256 of the request (method, path, query, body).
    cipher : Fernet or MultiFernet
        Decrypts a stored answer.
    now : datetime, optional
        The current time (for tests).

    Returns
    -------
    Claim
        ``proceed`` (new key, now pending), ``replay`` with the stored answer,
        ``mismatch`` (the key was used for another request) or ``in_progress``.

    References
    ----------
    .. [1] Jena, J., Dalal, S. (2025). The Idempotency-Key HTTP Header Field.
       IETF draft-ietf-httpapi-idempotency-key-header-07 (October 2025), "Error Scenarios".

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     claim(s, scope="u1", key="k1", fingerprint="f1", cipher=f).verdict.value
    'proceed'
    >>> with db.transaction() as s:
    ...     claim(s, scope="u1", key="k1", fingerprint="f2", cipher=f).verdict.value
    'mismatch'
    """
    now = now or utcnow()
    session.execute(delete(StoredResponse).where(StoredResponse.created_at < now - RETENTION))
    row = session.get(StoredResponse, (scope, key))
    if row is None:
        pending = StoredResponse(
            scope=scope, key=key, fingerprint=fingerprint, state="pending", created_at=now
        )
        try:
            with session.begin_nested():
                session.add(pending)
        except IntegrityError:  # a parallel request claimed it first
            return Claim(Verdict.in_progress)
        return Claim(Verdict.proceed)
    if row.fingerprint != fingerprint:
        return Claim(Verdict.mismatch)
    if row.state != "done" or row.body is None or row.status is None:
        return Claim(Verdict.in_progress)
    body = cipher.decrypt(row.body.encode("ascii"))
    return Claim(Verdict.replay, Answer(row.status, row.media_type or "", body))


def store(
    session: Session, *, scope: str, key: str, answer: Answer, cipher: Fernet | MultiFernet
) -> None:
    """Store the answer of the pending request for ``scope`` and ``key``.

    An answer larger than :data:`MAX_STORED_BODY`, or one that is not a success, is not
    stored: the key is released instead (:func:`release`).

    Parameters
    ----------
    session : Session
        A transaction of its own.
    scope, key : str
        As given to :func:`claim`.
    answer : Answer
        The status, media type and body that were sent.
    cipher : Fernet or MultiFernet
        Encrypts the body.

    References
    ----------
    .. [1] Jena, J., Dalal, S. (2025). The Idempotency-Key HTTP Header Field.
       IETF draft-ietf-httpapi-idempotency-key-header-07 (October 2025), "Error Scenarios".

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     _ = claim(s, scope="u1", key="k1", fingerprint="f1", cipher=f)
    >>> with db.transaction() as s:
    ...     store(s, scope="u1", key="k1", answer=Answer(201, "application/json", b"{}"),
    ...           cipher=f)
    >>> with db.transaction() as s:
    ...     claim(s, scope="u1", key="k1", fingerprint="f1", cipher=f).answer.status
    201
    """
    row = session.get(StoredResponse, (scope, key))
    if row is None:
        return
    if not 200 <= answer.status < 300 or len(answer.body) > MAX_STORED_BODY:
        session.delete(row)
        return
    row.state = "done"
    row.status = answer.status
    row.media_type = answer.media_type
    row.body = cipher.encrypt(answer.body).decode("ascii")


def release(session: Session, *, scope: str, key: str) -> None:
    """Forget the pending mark of a request that failed, so that it may be retried.

    Parameters
    ----------
    session : Session
        A transaction of its own.
    scope, key : str
        As given to :func:`claim`.

    References
    ----------
    .. [1] Jena, J., Dalal, S. (2025). The Idempotency-Key HTTP Header Field.
       IETF draft-ietf-httpapi-idempotency-key-header-07 (October 2025), "Error Scenarios".

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     _ = claim(s, scope="u1", key="k1", fingerprint="f1", cipher=f)
    ...     release(s, scope="u1", key="k1")
    ...     claim(s, scope="u1", key="k1", fingerprint="f2", cipher=f).verdict.value
    'proceed'
    """
    session.execute(
        delete(StoredResponse).where(StoredResponse.scope == scope, StoredResponse.key == key)
    )


def forget_every_answer(session: Session) -> int:
    """Delete every stored answer (called when a client is erased); returns how many.

    Parameters
    ----------
    session : Session
        The erasure's transaction.

    Returns
    -------
    int
        The number of stored answers deleted.

    References
    ----------
    .. [1] Regulation (EU) 2016/679 (GDPR), Art. 17 Right to erasure.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     _ = claim(s, scope="u1", key="k1", fingerprint="f1", cipher=f)
    ...     forget_every_answer(s)
    1
    """
    rows = list(session.scalars(select(StoredResponse)))
    for row in rows:
        session.delete(row)
    return len(rows)
