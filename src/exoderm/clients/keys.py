"""The key that encrypts clients' personal data at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from ``Settings.encryption_key`` (``EXODERM_ENCRYPTION_KEY``). If that is
unset, a key file ``client-data.key`` is created once in ``Settings.key_dir`` with mode
0600 (owner read/write only) and used from then on. The key folder is not the data folder,
so a copy of the database and its folder does not carry the key that decrypts it (OWASP
ASVS 5.0 V11.1.3, V14.2.4). A key file an earlier version left in the data folder is moved
to the key folder the first time it is needed. Losing the key makes the stored personal
data unreadable by design; back it up apart from the database.

Rotation (OWASP ASVS 5.0 V13.3.4): the key file, or ``EXODERM_ENCRYPTION_KEY`` as a
comma-separated list, may hold several keys, newest first. The first encrypts; every key
decrypts (``MultiFernet``), so data written under an older key stays readable until
:mod:`exoderm.clients.key_rotation` has re-encrypted it under the newest and the older
keys are retired.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from cryptography.fernet import Fernet, MultiFernet

from exoderm.errors import StorageError, UserInputError
from exoderm.settings import Settings, get_settings, move_out_of_data_dir, private_folder

KEY_FILE_NAME = "client-data.key"


def key_file(settings: Settings | None = None) -> Path:
    """Where the generated key lives when no key is configured."""
    return (settings or get_settings()).key_dir / KEY_FILE_NAME


def _create_key_file(path: Path) -> None:
    private_folder(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process created it first; use theirs
    with os.fdopen(fd, "wb") as handle:
        handle.write(Fernet.generate_key())
        handle.flush()
        os.fsync(handle.fileno())


def _read_key_file(path: Path) -> list[bytes]:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise StorageError(
            f"key file {path} is readable by other users (mode {mode:o}); run 'chmod 600 {path}'"
        )
    return [line.strip() for line in path.read_bytes().splitlines() if line.strip()]


def keys_configured(settings: Settings | None = None) -> bool:
    """Whether the keys come from ``EXODERM_ENCRYPTION_KEY`` rather than the key file."""
    return (settings or get_settings()).encryption_key is not None


def load_keys(settings: Settings | None = None) -> list[bytes]:
    """The Fernet keys in force, newest first: configured, or from (or created in) the
    key file."""
    s = settings or get_settings()
    if s.encryption_key is not None:
        text = s.encryption_key.get_secret_value()
        return [k.strip().encode("ascii") for k in text.split(",") if k.strip()]
    path = key_file(s)
    move_out_of_data_dir(s.data_dir / KEY_FILE_NAME, path)
    if not path.exists():
        _create_key_file(path)
    return _read_key_file(path)


def load_key(settings: Settings | None = None) -> bytes:
    """The key that encrypts (the newest)."""
    return load_keys(settings)[0]


def write_key_file(path: Path, keys: list[bytes]) -> None:
    """Replace the key file with ``keys`` (newest first), atomically and mode 0600."""
    private_folder(path.parent)
    fresh = path.with_name(path.name + ".new")
    fresh.unlink(missing_ok=True)
    fd = os.open(fresh, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"\n".join(keys) + b"\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(fresh, path)


def _fernet(key: bytes) -> Fernet:
    try:
        return Fernet(key)
    except ValueError:
        raise UserInputError(
            "the encryption key is not a valid Fernet key",
            field="encryption_key",
            expected="32 url-safe base64-encoded bytes (Fernet.generate_key())",
        ) from None


def cipher(settings: Settings | None = None) -> MultiFernet:
    """Encrypts under the newest key, decrypts under any; a malformed key is a one-line
    error."""
    keys = load_keys(settings)
    if not keys:
        raise UserInputError(
            "no encryption key", field="encryption_key", expected="at least one Fernet key"
        )
    return MultiFernet([_fernet(k) for k in keys])
