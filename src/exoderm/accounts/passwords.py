"""Password hashing with argon2id.

argon2id is the password hash recommended by RFC 9106 (2021) and by the OWASP Password
Storage Cheat Sheet. argon2-cffi's defaults are RFC 9106's second recommended profile
(t=3 passes, m=64 MiB, p=4 lanes), memory-hard so that guessing on GPUs is costly.
Hashes carry their own parameters, so :func:`needs_rehash` can upgrade old hashes at the
next successful login.
"""

from __future__ import annotations

import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from exoderm.errors import UserInputError

_HASHER = PasswordHasher()

#: NIST SP 800-63B §5.1.1.2: memorised secrets of at least 8 characters; we ask for 10.
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024

_ALPHABET = string.ascii_letters + string.digits


def check_password_policy(password: str, *, field: str = "password") -> None:
    """Reject passwords too short to resist online guessing, or absurdly long."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserInputError(
            f"password has {len(password)} characters",
            field=field,
            expected=f"at least {MIN_PASSWORD_LENGTH} characters",
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserInputError(
            "password is too long", field=field, expected=f"at most {MAX_PASSWORD_LENGTH}"
        )


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string format) of ``password``."""
    check_password_policy(password)
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; False for a mismatch, a missing or a corrupt hash."""
    if not password_hash:
        return False
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def generate_password(length: int = 20) -> str:
    """A random password (≈119 bits for 20 characters) for a first admin or a reset."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
