"""Client records: encryption at rest, roles, organisations and the audit trail."""

from __future__ import annotations

import os
import stat
from datetime import date

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select

from exoderm.accounts.actor import Actor
from exoderm.accounts.audit import events_for
from exoderm.accounts.records import AuditEvent, Role
from exoderm.clients import list_clients, record_assessment, show_client
from exoderm.clients.keys import key_file
from exoderm.clients.records import PersonalRecord
from exoderm.errors import (
    NotFoundError,
    PermissionDenied,
    StorageError,
    UserInputError,
    ValidationFailed,
)
from exoderm.serving.context import load_secret_key
from exoderm.settings import get_settings, private_folder, reset_settings_cache
from exoderm.storage import Database

from .conftest import AddClient


def test_personal_data_is_encrypted_with_a_0600_key_file(
    sqlite_db: Database, new_client: AddClient
) -> None:
    view = new_client("Grace Hopper")
    with sqlite_db.reader() as session:
        token = session.scalar(select(PersonalRecord.token))
    assert token and "Grace" not in token
    path = key_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert Fernet(path.read_bytes()).decrypt(token.encode()).decode().find("Grace Hopper") >= 0
    assert view.personal is not None and view.personal.name == "Grace Hopper"


def test_the_keys_live_outside_the_data_folder(new_client: AddClient) -> None:
    """A copy of the data folder does not carry the key that decrypts it (ASVS V11.1.3)."""
    new_client()
    settings = get_settings()
    secret = load_secret_key(settings)
    data = settings.data_dir.resolve()
    assert not key_file().resolve().is_relative_to(data)
    assert not settings.key_dir.resolve().is_relative_to(data)
    assert stat.S_IMODE(settings.key_dir.stat().st_mode) == 0o700
    assert (settings.key_dir / "secret_key").read_text() == secret
    if data.exists():
        assert {p.name for p in data.rglob("*")}.isdisjoint({"client-data.key", "secret_key"})


def test_a_key_an_earlier_version_left_in_the_data_folder_is_moved(
    sqlite_db: Database, new_client: AddClient
) -> None:
    settings = get_settings()
    old = private_folder(settings.data_dir) / "client-data.key"
    key = Fernet.generate_key()
    old.write_bytes(key)
    old.chmod(0o600)
    new_client("Grace Hopper")
    assert not old.exists()
    assert key_file().read_bytes() == key and stat.S_IMODE(key_file().stat().st_mode) == 0o600
    with sqlite_db.reader() as session:
        token = session.scalar(select(PersonalRecord.token))
    assert token and "Grace Hopper" in Fernet(key).decrypt(token.encode()).decode()


def test_wrong_key_is_a_storage_error(
    sqlite_db: Database, new_client: AddClient, clinician: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = new_client()
    monkeypatch.setenv("EXODERM_ENCRYPTION_KEY", Fernet.generate_key().decode())
    reset_settings_cache()
    with pytest.raises(StorageError, match="cannot be decrypted"), sqlite_db.transaction() as s:
        show_client(s, clinician, view.pseudonym)


def test_world_readable_key_file_is_refused(sqlite_db: Database, new_client: AddClient) -> None:
    new_client()
    os.chmod(key_file(), 0o644)
    with pytest.raises(StorageError, match="chmod 600"):
        new_client()


def test_every_read_and_write_is_audited_without_personal_data(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    view = new_client("Grace Hopper")
    with sqlite_db.transaction() as s:
        show_client(s, clinician, view.pseudonym)
        record_assessment(s, clinician, view.pseudonym, "dlqi", {f"q{i}": 1 for i in range(1, 11)})
        list_clients(s, clinician)
    with sqlite_db.reader() as s:
        actions = [e.action for e in events_for(s, "client", view.pseudonym)]
        assert actions == ["client.create", "client.read", "client.assess"]
        listing = s.scalars(select(AuditEvent).where(AuditEvent.action == "client.list")).one()
        assert view.pseudonym in listing.detail["pseudonyms"]
        everything = " ".join(str(e.detail) for e in s.scalars(select(AuditEvent)))
    assert "Grace" not in everything and "example.org" not in everything


def test_failed_write_leaves_no_trace(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    view = new_client()
    with pytest.raises(UserInputError), sqlite_db.transaction() as s:
        record_assessment(s, clinician, view.pseudonym, "dlqi", {"q1": 9})
    with sqlite_db.reader() as s:
        assert [e.action for e in events_for(s, "client", view.pseudonym)] == ["client.create"]


def test_clinicians_see_only_their_organisation(
    sqlite_db: Database, new_client: AddClient, other_clinician: Actor, admin: Actor
) -> None:
    view = new_client()
    with sqlite_db.transaction() as s:
        with pytest.raises(NotFoundError):
            show_client(s, other_clinician, view.pseudonym)
        assert list_clients(s, other_clinician) == []
        assert [r.pseudonym for r in list_clients(s, admin)] == [view.pseudonym]


def test_roles_without_client_access_are_refused(
    sqlite_db: Database, new_client: AddClient, orgs: tuple[int, int]
) -> None:
    view = new_client()
    scientist = Actor(username="sci", role=Role.scientist, organisation_id=orgs[0])
    with sqlite_db.transaction() as s:
        with pytest.raises(PermissionDenied):
            show_client(s, scientist, view.pseudonym)
        with pytest.raises(PermissionDenied, match="disease instrument EASI"):
            record_assessment(s, scientist, view.pseudonym, "easi", {})


def test_disease_instruments_work_for_clinicians_with_age_from_birth_date(
    sqlite_db: Database, clinician: Actor
) -> None:
    from exoderm.clients import PersonalData, add_client, parse_profile

    with sqlite_db.transaction() as s:
        child = add_client(
            s,
            clinician,
            personal=PersonalData(
                name="Small Child", date_of_birth=date(date.today().year - 5, 1, 1)
            ),
            profile=parse_profile({"concerns": [{"name": "eczema"}]}),
        )
        inputs = {
            f"{r}.{x}": 1
            for r in ("head_neck", "upper_limbs", "trunk", "lower_limbs")
            for x in ("erythema", "induration", "excoriation", "lichenification")
        }
        inputs |= {f"{r}.area": 1 for r in ("head_neck", "upper_limbs", "trunk", "lower_limbs")}
        a = record_assessment(s, clinician, child.pseudonym, "easi", inputs)
    # child multipliers 0.2 + 0.2 + 0.3 + 0.3 = 1.0, × area 1 × signs 4
    assert a.value == pytest.approx(4.0)
    assert a.inputs["age_years"] == 5


def test_bad_profile_reports_every_field() -> None:
    from exoderm.clients import parse_profile

    with pytest.raises(ValidationFailed) as err:
        parse_profile({"glogau": 7, "fitzpatrick": {"answers": [9] * 10}, "skin_type": "shiny"})
    fields = {p.location.field for p in err.value.problems}
    assert {"glogau", "skin_type"} <= fields
    assert any(f and f.startswith("fitzpatrick") for f in fields)


def test_update_profile_and_consent_are_audited(
    sqlite_db: Database, new_client: AddClient, clinician: Actor
) -> None:
    from exoderm.clients import add_consent, parse_profile, update_profile
    from exoderm.clients.repository import Consent

    view = new_client()
    with sqlite_db.transaction() as s:
        updated = update_profile(
            s,
            clinician,
            view.pseudonym,
            parse_profile({"pregnant": True, "concerns": [{"name": "dryness"}]}),
        )
        add_consent(s, clinician, view.pseudonym, Consent("photos", "v3", given=False))
        shown = show_client(s, clinician, view.pseudonym)
    assert updated.profile.pregnant and shown.profile.concerns[0].name == "dryness"
    assert shown.consents[-1].topic == "photos" and shown.consents[-1].given is False
    with sqlite_db.reader() as s:
        actions = [e.action for e in events_for(s, "client", view.pseudonym)]
    assert actions == ["client.create", "client.update", "client.consent", "client.read"]


def test_malformed_configured_key_names_the_setting(
    new_client: AddClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXODERM_ENCRYPTION_KEY", "not-a-key")
    reset_settings_cache()
    with pytest.raises(UserInputError) as err:
        new_client()
    assert err.value.problem.location.field == "encryption_key"
