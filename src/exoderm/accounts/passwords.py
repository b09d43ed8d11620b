"""Password policy and hashing with argon2id.

argon2id is the password hash recommended by RFC 9106 (2021) and by the OWASP Password
Storage Cheat Sheet. argon2-cffi's defaults are RFC 9106's second recommended profile
(t=3 passes, m=64 MiB, p=4 lanes), memory-hard so that guessing on GPUs is costly.
Hashes carry their own parameters, so :func:`needs_rehash` can upgrade old hashes at the
next successful login. Because each hash takes 64 MiB, at most
``max_concurrent_password_hashes`` run at once (a semaphore): a burst of logins waits
instead of exhausting memory.

The policy follows NIST SP 800-63B-4 §3.1.1.2 and OWASP ASVS 5.0 V6.2: a minimum length,
no composition rules, no truncation, a blocklist of common and breached passwords (the
30,000 most frequent passwords of leaked corpora that zxcvbn ships), context-specific
words (username, organisation, display name, the product's name) and a strength estimate
(zxcvbn, Wheeler 2016).
"""

from __future__ import annotations

import re
import secrets
import string
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from exoderm.errors import UserInputError

_HASHER = PasswordHasher()

#: NIST SP 800-63B §3.1.1.2: memorised secrets of at least 8 characters; we ask for 10.
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
#: The lowest zxcvbn score accepted (0–4; 3 = "safely unguessable", ≥ 10^8 guesses).
MIN_STRENGTH_SCORE = 3
#: Words of this application that a password must not contain (ASVS 5.0 V6.1.2).
CONTEXT_WORDS: tuple[str, ...] = (
    "exoderm",
    "exosome",
    "admin",
    "administrator",
    "scientist",
    "clinician",
    "analyst",
    "viewer",
)
#: How long to wait for a free hashing slot before answering "try again".
HASH_SLOT_TIMEOUT_S = 30.0

_ALPHABET = string.ascii_letters + string.digits
_SEPARATORS = re.compile(r"[\s._@\-]+")


class _HashSlots:
    """A bounded semaphore around argon2, resizable by configuration and by tests."""

    def __init__(self) -> None:
        self._size: int | None = None
        self._semaphore = threading.BoundedSemaphore(1)
        self._lock = threading.Lock()
        self.in_use = 0
        self.peak = 0

    def configure(self, size: int) -> None:
        with self._lock:
            self._size = max(1, size)
            self._semaphore = threading.BoundedSemaphore(self._size)
            self.peak = 0

    def _current(self) -> threading.BoundedSemaphore:
        if self._size is None:
            from exoderm.settings import get_settings

            self.configure(get_settings().max_concurrent_password_hashes)
        return self._semaphore

    @contextmanager
    def slot(self) -> Iterator[None]:
        semaphore = self._current()
        if not semaphore.acquire(timeout=HASH_SLOT_TIMEOUT_S):
            from exoderm.accounts.throttle import TooManyAttempts

            raise TooManyAttempts(5, "the server is busy checking passwords; try again in 5 s")
        with self._lock:
            self.in_use += 1
            self.peak = max(self.peak, self.in_use)
        try:
            yield
        finally:
            with self._lock:
                self.in_use -= 1
            semaphore.release()


#: The hashing slots of this process (see :func:`set_hash_concurrency`).
HASH_SLOTS = _HashSlots()


def set_hash_concurrency(size: int) -> None:
    """How many password hashes may run at once in this process (default from settings)."""
    HASH_SLOTS.configure(size)


@cache
def _common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def _folded(text: str) -> str:
    return _SEPARATORS.sub("", text.casefold())


def is_common_password(password: str) -> bool:
    """True if ``password`` (ignoring case) is among the 30,000 commonest leaked ones."""
    return password.casefold() in _common_passwords()


def check_password_policy(
    password: str, *, field: str = "password", context: Iterable[str] = ()
) -> None:
    """Refuse a password that is too short or long, common, built on a context word or
    estimated weak; the message says why, never the password.

    ``context`` are the words of this user (username, display name, organisation).
    """
    check_password_length(password, field=field)
    if is_common_password(password):
        raise UserInputError(
            "this password is in a list of common or breached passwords",
            field=field,
            expected="a password nobody else is likely to use, e.g. several unrelated words",
        )
    words = [w for w in (*context, *CONTEXT_WORDS) if w and w.strip()]
    folded = _folded(password)
    for word in words:
        w = _folded(word)
        if w and (folded == w or (len(w) >= 4 and w in folded)):
            raise UserInputError(
                "the password contains a word of this account or application",
                field=field,
                expected="a password without the username, organisation, display name "
                "or product name",
            )
    import zxcvbn

    # zxcvbn refuses more than 72 characters; the estimate of a prefix is a lower bound
    estimate = zxcvbn.zxcvbn(password[:72], user_inputs=words)
    if int(estimate["score"]) < MIN_STRENGTH_SCORE:
        hint = estimate.get("feedback", {}).get("warning") or "it is easy to guess"
        raise UserInputError(
            f"the password is too weak ({hint.rstrip('.')})",
            field=field,
            expected="a longer password of several unrelated words",
        )


def check_password_length(password: str, *, field: str = "password") -> None:
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
    """The argon2id hash (PHC string format) of ``password`` (length-checked only: the
    policy is applied where a password is chosen, with its context)."""
    check_password_length(password)
    with HASH_SLOTS.slot():
        return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; False for a mismatch, a missing or a corrupt hash."""
    if not password_hash:
        return False
    try:
        with HASH_SLOTS.slot():
            return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True if the hash was made with weaker parameters than today's."""
    return _HASHER.check_needs_rehash(password_hash)


def generate_password(length: int = 20) -> str:
    """A random password (≈119 bits for 20 characters) for a first admin or a reset."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))
