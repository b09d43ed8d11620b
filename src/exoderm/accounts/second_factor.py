"""A second login factor: time-based one-time passwords (TOTP, RFC 6238) with pyotp.

A user enrols (:func:`enrol`: a new random 160-bit secret, shown once as an ``otpauth://``
URI and QR code for an authenticator app), confirms with one code (:func:`confirm`), and
from then on every login needs a current code beside the password (:func:`check`). A code
is accepted only in its own 30-second step, by the server's clock, and never twice: the
last accepted step is stored (OWASP ASVS 5.0 V6.5.1, V6.5.5 "for TOTP a maximum lifetime
of 30 seconds", V6.5.8). An admin may remove a
user's factor (:func:`remove`), e.g. after a lost phone; the user then logs in with the
password alone and enrols again. The secret is stored as a Fernet token.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Final

import pyotp
from cryptography.fernet import Fernet, MultiFernet
from sqlalchemy.orm import Session

from exoderm.accounts.records import TotpFactor, User
from exoderm.errors import ConflictError, UserInputError
from exoderm.storage.base import utcnow

#: Issuer shown in the authenticator app.
ISSUER: Final = "exoderm"
#: RFC 6238's recommended time step, in seconds.
STEP_S: Final = 30


@dataclass(frozen=True)
class Enrolment:
    """What a user needs to set up their authenticator (shown once)."""

    secret: str
    uri: str


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=STEP_S, issuer=ISSUER)


def enrol(session: Session, user: User, *, cipher: Fernet | MultiFernet) -> Enrolment:
    """Start (or restart, while unconfirmed) a TOTP factor for ``user``.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    user : User
        The user enrolling.
    cipher : Fernet or MultiFernet
        Encrypts the stored secret.

    Returns
    -------
    Enrolment
        The base32 secret and its ``otpauth://`` URI, to be shown to the user once.

    References
    ----------
    .. [1] M'Raihi, D. et al. (2011). TOTP: Time-Based One-Time Password Algorithm.
       RFC 6238.
    .. [2] OWASP (2025). ASVS 5.0.0, V6.5 General Multi-factor authentication requirements.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     enrol(s, u, cipher=f).uri.startswith("otpauth://totp/exoderm:ana")
    True
    """
    row = session.get(TotpFactor, user.id)
    if row is not None and row.confirmed_at is not None:
        raise ConflictError(f"{user.username} already has a second factor; remove it first")
    secret = pyotp.random_base32(32)  # 32 base32 characters = 160 bits (RFC 4226 §4)
    token = cipher.encrypt(secret.encode("ascii")).decode("ascii")
    if row is None:
        session.add(TotpFactor(user_id=user.id, secret=token, last_step=0))
    else:
        row.secret, row.last_step = token, 0
    session.flush()
    return Enrolment(secret, _totp(secret).provisioning_uri(name=user.username))


def has_factor(session: Session, user_id: int) -> bool:
    """Whether the user has a confirmed second factor (then login needs a code)."""
    row = session.get(TotpFactor, user_id)
    return row is not None and row.confirmed_at is not None


def _accept(row: TotpFactor, code: str, cipher: Fernet | MultiFernet, now: float) -> bool:
    """Accept ``code`` if it is the current step's and that step was not used before."""
    digits = code.strip().replace(" ", "")
    if not (digits.isdigit() and len(digits) == 6):
        return False
    totp = _totp(cipher.decrypt(row.secret.encode("ascii")).decode("ascii"))
    step = int(now // STEP_S)
    if step > row.last_step and totp.at(step * STEP_S) == digits:
        row.last_step = step
        return True
    return False


def confirm(
    session: Session,
    user: User,
    code: str,
    *,
    cipher: Fernet | MultiFernet,
    now: float | None = None,
) -> None:
    """Turn an enrolment into a factor with one code from the authenticator.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    user : User
        The enrolling user.
    code : str
        Six digits from the authenticator app.
    cipher : Fernet or MultiFernet
        Decrypts the stored secret.
    now : float, optional
        Unix time (for tests).

    References
    ----------
    .. [1] M'Raihi, D. et al. (2011). TOTP: Time-Based One-Time Password Algorithm.
       RFC 6238.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     e = enrol(s, u, cipher=f)
    ...     confirm(s, u, pyotp.TOTP(e.secret).now(), cipher=f)
    ...     has_factor(s, u.id)
    True
    """
    row = session.get(TotpFactor, user.id)
    if row is None or row.confirmed_at is not None:
        raise ConflictError(f"{user.username} has no second factor waiting to be confirmed")
    if not _accept(row, code, cipher, time.time() if now is None else now):
        raise UserInputError(
            "the code does not match", field="code", expected="the 6 digits the app shows now"
        )
    row.confirmed_at = utcnow()


def check(
    session: Session,
    user_id: int,
    code: str | None,
    *,
    cipher: Fernet | MultiFernet,
    now: float | None = None,
) -> bool:
    """Whether ``code`` is a valid, unused code of the user's confirmed factor.

    Parameters
    ----------
    session : Session
        A transaction of its own (the accepted step is written, so the code cannot be used
        again).
    user_id : int
        The user logging in.
    code : str or None
        What the user entered; None or empty is never valid.
    cipher : Fernet or MultiFernet
        Decrypts the stored secret.
    now : float, optional
        Unix time (for tests).

    Returns
    -------
    bool
        True once per valid code.

    References
    ----------
    .. [1] OWASP (2025). ASVS 5.0.0, V6.5.1 (a time-based OTP is usable once), V6.5.5
       (at most 30 seconds), V6.5.8 (the server's time).

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     e = enrol(s, u, cipher=f)
    ...     confirm(s, u, pyotp.TOTP(e.secret).at(1_000_000), cipher=f, now=1_000_000)
    ...     code = pyotp.TOTP(e.secret).at(1_000_090)
    ...     check(s, u.id, code, cipher=f, now=1_000_090), check(s, u.id, code, cipher=f,
    ...                                                          now=1_000_091)
    (True, False)
    """
    row = session.get(TotpFactor, user_id)
    if row is None or row.confirmed_at is None or not code:
        return False
    return _accept(row, code, cipher, time.time() if now is None else now)


def remove(session: Session, user: User) -> bool:
    """Remove the user's factor (confirmed or not); returns whether there was one.

    Parameters
    ----------
    session : Session
        The caller's transaction.
    user : User
        The user whose factor goes.

    Returns
    -------
    bool
        Whether a factor was removed.

    References
    ----------
    .. [1] OWASP (2025). ASVS 5.0.0, V6.4 Authentication Factor Lifecycle and Recovery.

    Examples
    --------
    >>> from exoderm.storage.scratch import scratch_database
    >>> db, f = scratch_database(), Fernet(Fernet.generate_key())
    >>> with db.transaction() as s:
    ...     u = User(username="ana", role="clinician"); s.add(u); s.flush()
    ...     _ = enrol(s, u, cipher=f)
    ...     remove(s, u), remove(s, u)
    (True, False)
    """
    row = session.get(TotpFactor, user.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
