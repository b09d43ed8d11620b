"""Rotating the client-data key: new key first, every token re-encrypted, old keys retired."""

from __future__ import annotations

import json
import os
import stat
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from pydantic import SecretStr
from sqlalchemy import select, update

from exoderm.accounts import users as user_lib
from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.accounts.records import OrganisationKind, Role, StoredResponse, TotpFactor
from exoderm.accounts.tenancy import bind_every_organisation
from exoderm.cli.main import main
from exoderm.clients import PersonalData, parse_profile, service
from exoderm.clients.key_rotation import ENCRYPTED_COLUMNS, fingerprint, unreadable_with
from exoderm.clients.keys import cipher, key_file, load_keys
from exoderm.clients.records import PersonalRecord, PhotoRecord
from exoderm.errors import PermissionDenied, UserInputError
from exoderm.settings import Settings, get_settings, reset_settings_cache
from exoderm.storage import Database

ADMIN = Actor("root", Role.admin)


@pytest.fixture
def key_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("EXODERM_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("EXODERM_KEY_DIR", str(tmp_path / "keys"))
    reset_settings_cache()
    return tmp_path / "keys"


def _every_kind_of_token(db: Database, clinician: Actor) -> str:
    """A client (personal data), a photo, a TOTP secret and a stored idempotent answer."""
    f = cipher()
    with db.transaction() as s:
        view = service.add_client(
            s,
            clinician,
            personal=PersonalData(name="Rosalind Franklin", date_of_birth=date(1980, 7, 25)),
            profile=parse_profile({"concerns": [{"name": "wrinkles"}]}),
        )
        client_id = s.scalars(select(PersonalRecord.client_id)).one()
        s.add(
            PhotoRecord(
                client_id=client_id,
                view="frontal",
                captured_on=date(2026, 12, 1),
                media_type="image/jpeg",
                width=1,
                height=1,
                sha256="0" * 64,
                token=f.encrypt(b"jpeg bytes").decode("ascii"),
                created_by="dr.a",
            )
        )
        user, _ = user_lib.create_user(s, "boss", Role.admin, password="correct-horse-battery")
        s.add(TotpFactor(user_id=user.id, secret=f.encrypt(b"JBSWY3DPEHPK3PXP").decode()))
        s.add(
            StoredResponse(
                scope="a" * 64,
                key="k1",
                fingerprint="b" * 64,
                state="done",
                status=201,
                media_type="application/json",
                body=f.encrypt(b'{"ok": true}').decode("ascii"),
            )
        )
    return view.pseudonym


def _clinic(db: Database) -> Actor:
    with db.transaction() as s:
        org = user_lib.create_organisation(s, "Clinic R", OrganisationKind.clinic)
        return Actor(username="dr.r", role=Role.clinician, organisation_id=org.id)


def test_rotation_reencrypts_every_token_and_retirement_leaves_one_key(
    any_db: Database, key_folder: Path
) -> None:
    """On SQLite and on PostgreSQL, where row-level security fences the client tables."""
    sqlite_db = any_db
    clinician = _clinic(any_db)
    pseudonym = _every_kind_of_token(sqlite_db, clinician)
    (old,) = load_keys()
    with sqlite_db.transaction() as s:
        rotated = service.rotate_encryption_key(s, ADMIN)
    new, still_old = load_keys()
    assert still_old == old and new != old
    assert rotated.fingerprints == [fingerprint(new), fingerprint(old)]
    assert rotated.reencrypted == {t.name: 1 for t, _ in ENCRYPTED_COLUMNS}
    with sqlite_db.reader() as s:
        bind_every_organisation(s, reason="the test counts every token")
        assert unreadable_with(s, new) == {t.name: 0 for t, _ in ENCRYPTED_COLUMNS}
        assert unreadable_with(s, old) == {t.name: 1 for t, _ in ENCRYPTED_COLUMNS}
        event = events_for(s, "client_data_key", fingerprint(new))[0]
        assert event.action == "clients.key_rotated" and event.actor == "root"
    with sqlite_db.transaction() as s:
        retired = service.retire_encryption_keys(s, ADMIN)
    assert retired.retired == 1 and load_keys() == [new]
    assert stat.S_IMODE(os.stat(key_file()).st_mode) == 0o600
    with sqlite_db.reader() as s:  # the data reads under the new key alone
        shown = service.get_client(s, clinician, pseudonym)
        assert shown.personal is not None and shown.personal.name == "Rosalind Franklin"
        token = s.scalars(select(StoredResponse.body)).one()
    with pytest.raises(InvalidToken):
        Fernet(old).decrypt(str(token).encode("ascii"))


def test_retiring_before_the_reencryption_committed_is_refused(
    sqlite_db: Database, clinician: Actor, key_folder: Path
) -> None:
    _every_kind_of_token(sqlite_db, clinician)
    with pytest.raises(UserInputError, match="opens with none"), sqlite_db.transaction() as s:
        # a token under a key the file no longer lists: nothing is re-encrypted
        stray = Fernet(Fernet.generate_key()).encrypt(b"x").decode()
        s.add(
            StoredResponse(scope="c" * 64, key="k2", fingerprint="d" * 64, state="done", body=stray)
        )
        s.flush()
        service.rotate_encryption_key(s, ADMIN)
    keys = load_keys()
    assert len(keys) == 2  # the new key was added before the transaction failed
    with sqlite_db.transaction() as s, pytest.raises(UserInputError, match="older key"):
        service.retire_encryption_keys(s, ADMIN)
    assert load_keys() == keys
    with sqlite_db.reader() as s:  # every token still opens (the old key is kept)
        assert unreadable_with(s, keys[1]) == {t.name: 0 for t, _ in ENCRYPTED_COLUMNS}


def test_only_an_admin_rotates_and_configured_keys_are_not_edited(
    sqlite_db: Database, clinician: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    with sqlite_db.transaction() as s, pytest.raises(PermissionDenied):
        service.rotate_encryption_key(s, clinician)
    monkeypatch.setenv("EXODERM_ENCRYPTION_KEY", Fernet.generate_key().decode())
    reset_settings_cache()
    with sqlite_db.transaction() as s, pytest.raises(UserInputError, match="does not edit"):
        service.rotate_encryption_key(s, ADMIN)
    old = os.environ["EXODERM_ENCRYPTION_KEY"]
    pseudonym = _every_kind_of_token(sqlite_db, clinician)
    new = Fernet.generate_key().decode()
    listed = Settings(encryption_key=SecretStr(f"{new},{old}"))
    with sqlite_db.transaction() as s:
        done = service.rotate_encryption_key(s, ADMIN, new_key=False, settings=listed)
    assert done.reencrypted["clients_personal"] == 1
    monkeypatch.setenv("EXODERM_ENCRYPTION_KEY", new)  # the operator drops the old key
    reset_settings_cache()
    assert get_settings().encryption_key is not None
    with sqlite_db.reader() as s:
        shown = service.get_client(s, clinician, pseudonym)
        assert shown.personal is not None and shown.personal.name == "Rosalind Franklin"


def test_the_cli_rotates_retires_and_shows_fingerprints(
    tmp_path: Path, key_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"

    def run(*argv: str) -> dict[str, object]:
        assert main(["--db", url, "--format", "json", *argv]) == 0
        return dict(json.loads(capsys.readouterr().out))

    assert run("user", "org", "add", "Clinic A", "--kind", "clinic") is not None
    assert run(
        "client", "add", "--name", "Ada Lovelace", "--dob", "1985-03-04", "--org", "Clinic A"
    )
    before = run("db", "keys")
    assert before["source"] == str(key_folder / "client-data.key")
    done = run("db", "rotate-key")
    assert done["retired"] == 1 and len(list(done["fingerprints"])) == 1
    assert done["reencrypted"] == {
        "clients_personal": 1,
        "clients_photo": 0,
        "accounts_totp": 0,
        "accounts_idempotency": 0,
    }
    assert run("db", "keys")["fingerprints"] != before["fingerprints"]
    kept = run("db", "rotate-key", "--keep-old")
    assert len(list(kept["fingerprints"])) == 2 and kept["retired"] == 0


def test_a_key_past_its_cryptoperiod_is_overdue_until_rotated(
    sqlite_db: Database, clinician: Actor, key_folder: Path
) -> None:
    """ASVS 5.0 V13.3.4: the key has a date to be rotated by; a rotation starts it again."""
    with sqlite_db.reader() as s:  # nothing encrypted yet: nothing dates the key
        fresh = service.encryption_keys(s, ADMIN)
    assert fresh.in_force_since is None and not fresh.overdue and fresh.max_age_days == 730
    _every_kind_of_token(sqlite_db, clinician)
    with sqlite_db.reader() as s:
        young = service.encryption_keys(s, ADMIN)
    assert young.in_force_since is not None and young.rotate_by is not None
    assert young.rotate_by - young.in_force_since == timedelta(days=730)
    assert not young.overdue
    short = Settings(encryption_key_max_age_days=1)
    with sqlite_db.transaction() as s:  # the first record was written two days ago
        s.execute(
            update(PersonalRecord).values(
                token=_written_at(s.scalars(select(PersonalRecord.token)).one(), days_ago=2)
            )
        )
    with sqlite_db.reader() as s:
        old = service.encryption_keys(s, ADMIN, settings=short)
    assert old.overdue, old
    with sqlite_db.transaction() as s:
        rotated = service.rotate_encryption_key(s, ADMIN, settings=short)
    assert not rotated.overdue and rotated.in_force_since is not None
    assert rotated.in_force_since > old.in_force_since  # type: ignore[operator]
    with sqlite_db.reader() as s:  # the rotation keeps the token's own time, the audit dates it
        assert not service.encryption_keys(s, ADMIN, settings=short).overdue


def _written_at(token: str, *, days_ago: int) -> str:
    """The same plaintext, encrypted under the current key as if ``days_ago`` days ago."""
    f = cipher()
    plain = f.decrypt(token.encode("ascii"))
    moment = int(time.time()) - days_ago * 86_400
    return Fernet(load_keys()[0]).encrypt_at_time(plain, moment).decode("ascii")
