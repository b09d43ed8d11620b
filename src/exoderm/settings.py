"""All exoderm settings in one typed place.

Values come, highest priority first, from: explicit arguments (e.g. the CLI's ``--db``),
``EXODERM_*`` environment variables, a TOML file (``EXODERM_CONFIG`` or
``<user config dir>/exoderm/config.toml``), and the defaults below.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "exoderm"


def default_data_dir() -> Path:
    """The per-user data directory (platformdirs), where the embedded database lives."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_file_path() -> Path:
    """The TOML settings file: ``EXODERM_CONFIG`` if set, else the user config directory."""
    explicit = os.environ.get("EXODERM_CONFIG")
    if explicit:
        return Path(explicit)
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_key_dir() -> Path:
    """Where generated keys live: a ``keys`` folder beside the settings file, apart from the
    data directory, so that a copy or backup of the database does not carry the key that
    decrypts it (OWASP ASVS 5.0 V11.1.3, V13.3.1)."""
    return config_file_path().parent / "keys"


class Settings(BaseSettings):
    """exoderm's configuration. Every field can be set as ``EXODERM_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="EXODERM_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default: SQLite file 'exoderm.db' in data_dir.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description="Signs login-form nonces (sessions are server-side rows); generated "
        "into key_dir if unset.",
    )
    encryption_key: SecretStr | None = Field(
        default=None,
        description="Fernet key that encrypts clients' personal data at rest; "
        "generated into key_dir if unset.",
    )
    encryption_key_max_age_days: int = Field(
        730,
        ge=1,
        le=3650,
        description="Cryptoperiod of the client-data key: days from when a key is put in "
        "force until it must be rotated (NIST SP 800-57 Part 1 Rev. 5 §5.3.6: up to two "
        "years for a symmetric data-encryption key).",
    )
    coa_signing_key: SecretStr | None = Field(
        default=None,
        description="Ed25519 private key (PEM, PKCS#8) that signs certificates of "
        "analysis; generated into key_dir if unset.",
    )
    audit_key: SecretStr | None = Field(
        default=None,
        description="Key of the audit log's hash chain (HMAC-SHA256); generated into "
        "key_dir if unset.",
    )
    key_dir: Path = Field(
        default_factory=default_key_dir,
        description="Folder (0700) of the generated keys, outside data_dir; default: "
        "'keys' beside the settings file.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    log_level: str = "info"
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks (e.g. 10.0.0.0/8) of reverse proxies whose "
        "X-Forwarded-For header is believed; from any other peer it is ignored.",
    )
    role_networks: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Adaptive access (ASVS 5.0 V8.2.4): role -> the networks its requests "
        "may come from, e.g. {admin = ['10.0.0.0/8']}; a role not listed is not held.",
    )
    role_hours: dict[str, str] = Field(
        default_factory=dict,
        description="Adaptive access: role -> the daily window it may work in, in "
        "'timezone', e.g. {clinician = '07:00-20:00'} (an end before the start runs "
        "past midnight).",
    )
    timezone: str = Field("UTC", description="IANA time zone of the installation (for role_hours).")
    webauthn_rp_id: str = Field(
        "localhost",
        min_length=1,
        max_length=253,
        description="WebAuthn relying-party id: the domain security keys are bound to "
        "(e.g. exoderm.example.org); never taken from a request.",
    )
    webauthn_origins: list[str] = Field(
        default_factory=list,
        description="Origins pages are served from, e.g. https://exoderm.example.org; "
        "default: http://<webauthn_rp_id>:<port>.",
    )
    second_factor_required_roles: list[str] = Field(
        default_factory=list,
        description="Roles whose users must log in with a second factor (an authenticator "
        "app or a security key), e.g. ['admin', 'clinician'].",
    )
    security_key_required_roles: list[str] = Field(
        default_factory=list,
        description="Roles whose users must log in with a FIDO2/WebAuthn security key "
        "(ASVS 5.0 Level 3, V6.3.3).",
    )
    audit_syslog_address: str | None = Field(
        default=None,
        description="Ship every committed audit event to this syslog collector: host:port "
        "(UDP) or a socket path such as /dev/log.",
    )
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, description="A browser session unused this long ends."
    )
    session_lifetime_hours: int = Field(
        12, ge=1, le=24 * 7, description="A browser session ends this long after login."
    )
    max_sessions_per_user: int = Field(
        5,
        ge=1,
        le=100,
        description="Browser sessions one user may hold at once; a new login beyond it "
        "ends the least recently used.",
    )
    max_jobs_per_user: int = Field(
        4,
        ge=1,
        le=1000,
        description="Background jobs (NTA analyses, cohorts) one user may have queued or "
        "running at once.",
    )
    photo_quota_files_per_user: int = Field(
        5000, ge=1, le=10_000_000, description="Client photos one user may store."
    )
    photo_quota_mb_per_user: int = Field(
        5000, ge=1, le=10_000_000, description="Megabytes of client photos one user may store."
    )
    release_needs_review: bool = Field(
        False,
        description="Four-eyes rule: a certificate is approved for release only after "
        "another person signed a review of the same data (ASVS 5.0 V2.3.5).",
    )
    erasure_needs_approval: bool = Field(
        False,
        description="Four-eyes rule: a client's personal data is erased only when a "
        "second person agrees to another's request (ASVS 5.0 V2.3.5).",
    )
    admin_changes_need_approval: bool = Field(
        default=False,
        description="Four-eyes rule for new administrators: an admin account created over "
        "the API, the web or the CLI stays inactive until a second admin approves it.",
    )
    login_max_failures: int = Field(
        5, ge=1, le=1000, description="Login attempts per account within the window."
    )
    login_address_max_failures: int = Field(
        100, ge=1, le=100_000, description="Failed logins per client address within the window."
    )
    login_window_minutes: int = Field(15, ge=1, le=24 * 60)
    login_backoff_seconds: int = Field(
        60, ge=1, le=3600, description="First block after the limit; doubles each time."
    )
    max_concurrent_password_hashes: int = Field(
        default_factory=lambda: min(4, os.cpu_count() or 1),
        ge=1,
        le=64,
        description="Password hashes computed at once (64 MiB each); default: one per CPU "
        "core up to 4, since a hash is CPU-bound and more slots only add memory.",
    )

    @field_validator("second_factor_required_roles", "security_key_required_roles")
    @classmethod
    def _known_roles(cls, value: list[str]) -> list[str]:
        known = ("admin", "scientist", "qc_analyst", "clinician", "viewer")
        for role in value:
            if role not in known:
                raise ValueError(f"{role!r} is not a role (expected one of {', '.join(known)})")
        return value

    @field_validator("role_networks", "role_hours")
    @classmethod
    def _known_role_keys(cls, value: dict[str, object]) -> dict[str, object]:
        cls._known_roles(list(value))
        return value

    @field_validator("role_networks")
    @classmethod
    def _valid_role_networks(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for role, networks in value.items():
            _check_networks(f"role_networks.{role}", networks)
        return value

    @field_validator("role_hours")
    @classmethod
    def _valid_windows(cls, value: dict[str, str]) -> dict[str, str]:
        from datetime import time

        for role, window in value.items():
            start, sep, end = window.partition("-")
            try:
                if not sep:
                    raise ValueError(window)
                time.fromisoformat(start.strip()), time.fromisoformat(end.strip())
            except ValueError as exc:
                raise ValueError(
                    f"role_hours.{role}: {window!r} is not a daily window (expected HH:MM-HH:MM, "
                    "e.g. 07:00-20:00)"
                ) from exc
        return value

    @field_validator("timezone")
    @classmethod
    def _valid_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. Europe/Berlin)") from exc
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        return _check_networks("trusted_proxies", value)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=config_file_path())
        return (init_settings, env_settings, toml)

    @property
    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, or the embedded SQLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'exoderm.db'}"


@lru_cache(maxsize=1)
def _cached() -> Settings:
    return Settings()


def get_settings(**overrides: Any) -> Settings:
    """Settings from the environment and TOML file; ``overrides`` win (e.g. ``database_url``)."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    if not clean:
        return _cached()
    return Settings(**clean)


def reset_settings_cache() -> None:
    """Forget cached settings (tests change the environment between cases)."""
    _cached.cache_clear()


def private_folder(path: Path) -> Path:
    """Create the folder ``path`` (and missing parents) readable by its owner only (0700).

    ``mkdir``'s mode is filtered by the process umask, so the mode is set again after
    creation; a folder that already exists keeps the permissions its owner chose.

    Parameters
    ----------
    path : Path
        The folder, e.g. the data directory.

    Returns
    -------
    Path
        ``path``, which now exists.

    References
    ----------
    .. [1] XDG Base Directory Specification 0.8 (2021-05-08): for a missing destination
       directory "an attempt should be made to create it with permission 0700".
    .. [2] OWASP (2025). Application Security Verification Standard 5.0, V14.2: sensitive
       data stored with the least access needed.

    Examples
    --------
    >>> import stat, tempfile
    >>> made = private_folder(Path(tempfile.mkdtemp()) / "exoderm" / "reports")
    >>> oct(stat.S_IMODE(made.stat().st_mode)), oct(stat.S_IMODE(made.parent.stat().st_mode))
    ('0o700', '0o700')
    """
    missing = [p for p in (path, *path.parents) if not p.exists()]
    for folder in reversed(missing):
        folder.mkdir(mode=0o700, exist_ok=True)
        folder.chmod(0o700)
    return path


def private_data_dir(settings: Settings | None = None) -> Path:
    """The data directory, created private to its owner (0700) if it is new.

    Parameters
    ----------
    settings : Settings, optional
        The settings in force (default: :func:`get_settings`).

    Returns
    -------
    Path
        ``settings.data_dir``, which now exists.

    References
    ----------
    .. [1] OWASP (2025). Application Security Verification Standard 5.0, V14.2: sensitive
       data stored with the least access needed.

    Examples
    --------
    >>> import stat, tempfile
    >>> where = Path(tempfile.mkdtemp()) / "data"
    >>> made = private_data_dir(Settings(data_dir=where))
    >>> made == where, oct(stat.S_IMODE(made.stat().st_mode))
    (True, '0o700')
    """
    return private_folder((settings or get_settings()).data_dir)


def move_out_of_data_dir(legacy: Path, path: Path) -> None:
    """Move a key file an earlier version kept at ``legacy`` (in the data folder) to
    ``path`` (in the key folder), unless ``path`` already holds a key.

    The file is written at its new place (0600, fsynced) before the old one is removed, so
    a crash in between leaves the key in at least one place.
    """
    if path.exists() or not legacy.is_file():
        return
    private_folder(path.parent)
    content = legacy.read_bytes()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    legacy.unlink()


def _check_networks(name: str, value: list[str]) -> list[str]:
    """Every entry an IP address or network, or a ValueError naming ``name``."""
    import ipaddress

    for entry in value:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError as exc:
            raise ValueError(
                f"{name}: {entry!r} is not an IP address or network "
                "(expected e.g. 127.0.0.1 or 10.0.0.0/8)"
            ) from exc
    return value
