"""Personal data (name, contact, date of birth), kept apart and encrypted at rest.

Clinical records carry only the pseudonym; the identifying fields live in one encrypted
blob per client (``clients_personal``), so that erasing a client is deleting one row and
a database dump without the key reveals no identity.
"""

from __future__ import annotations

from datetime import date

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import BaseModel, ConfigDict, Field, field_validator

from exoderm.errors import StorageError


class PersonalData(BaseModel):
    """Who the client is. Never stored in plaintext, never written to the audit log."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=500)
    date_of_birth: date | None = None

    @field_validator("date_of_birth")
    @classmethod
    def _not_in_future(cls, value: date | None) -> date | None:
        if value is not None and value > date.today():
            raise ValueError("date of birth is in the future")
        return value

    def age_on(self, day: date) -> int | None:
        """Age in whole years on ``day`` (None without a date of birth)."""
        if self.date_of_birth is None:
            return None
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def encrypt(data: PersonalData, fernet: Fernet | MultiFernet) -> str:
    """The Fernet token (ASCII) of ``data`` as JSON."""
    return fernet.encrypt(data.model_dump_json().encode("utf-8")).decode("ascii")


def decrypt(token: str, fernet: Fernet | MultiFernet) -> PersonalData:
    """Personal data from a token; a wrong key is a storage error, not a crash."""
    try:
        plain = fernet.decrypt(token.encode("ascii"))
    except InvalidToken:
        raise StorageError(
            "client personal data cannot be decrypted with the configured key "
            "(EXODERM_ENCRYPTION_KEY or the key file in the data directory)"
        ) from None
    return PersonalData.model_validate_json(plain)


def age_band(age: int | None) -> str | None:
    """A ten-year band ('30–39') kept after erasure instead of the date of birth."""
    if age is None:
        return None
    low = (age // 10) * 10
    return f"{low}–{low + 9}"
