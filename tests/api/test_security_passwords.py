"""Password policy per NIST SP 800-63B-4 §3.1.1.2 and ASVS 5.0 V6.2: length, a list of
common and breached passwords, context words, a strength estimate."""

from __future__ import annotations

import pytest

from exoderm.accounts import service
from exoderm.accounts.actor import Actor
from exoderm.accounts.passwords import (
    CONTEXT_WORDS,
    check_password_policy,
    generate_password,
    is_common_password,
)
from exoderm.accounts.records import Role
from exoderm.errors import UserInputError
from exoderm.storage.scratch import scratch_database
from tests.api.conftest import World

ROOT = Actor("root", Role.admin)


@pytest.mark.parametrize(
    "weak",
    [
        "aaaaaaaaaa",  # a repeat
        "password12",  # a common password plus digits
        "1234567890",  # a sequence
        "qwertyuiop",  # a keyboard walk, in the breached list
        "iloveyou12",
        "Password123",
    ],
)
def test_weak_passwords_are_refused(weak: str) -> None:
    with pytest.raises(UserInputError) as caught:
        check_password_policy(weak)
    assert weak not in str(caught.value)  # the message never echoes the password


def test_the_breached_list_is_large_and_case_blind() -> None:
    assert is_common_password("password") and is_common_password("PASSWORD")
    assert is_common_password("qwertyuiop")
    assert not is_common_password(generate_password())


@pytest.mark.parametrize(
    ("password", "context"),
    [
        ("mariana.silva", ("mariana.silva", "", "")),  # the username itself
        ("Mariana.Silva!", ("mariana.silva", "", "")),
        ("mariana.silva2026", ("mariana.silva", "", "")),
        ("harbourclinic-2026", ("ana", "", "Harbour Clinic")),  # the organisation
        ("Dr Octavia Pereira", ("op", "Octavia Pereira", "")),  # the display name
        ("exoderm-secure-9", ("ana", "", "")),  # the product's name
    ],
)
def test_context_words_are_refused(password: str, context: tuple[str, str, str]) -> None:
    with pytest.raises(UserInputError, match="word of this account"):
        check_password_policy(password, context=context)


@pytest.mark.parametrize(
    "strong",
    ["correct-horse-battery", "quiet-lantern-orchard-7", "Tr0ub4dor&3-gentle-moss", None],
)
def test_strong_passwords_pass(strong: str | None) -> None:
    candidate = strong if strong is not None else generate_password()
    check_password_policy(candidate, context=("ana", "Ana Lima", "Harbour Clinic"))


def test_no_truncation_and_long_passphrases_allowed() -> None:
    long = "river stone " * 10 + "finch"  # 125 characters, > 64 as ASVS asks
    check_password_policy(long)
    with pytest.raises(UserInputError, match="at most"):
        check_password_policy("a" * 1025)


def test_context_list_is_documented_and_refused() -> None:
    assert "exoderm" in CONTEXT_WORDS
    for word in CONTEXT_WORDS:
        with pytest.raises(UserInputError):
            check_password_policy(f"{word}-{word}-{word}")


def test_create_and_set_password_apply_the_policy_with_context() -> None:
    db = scratch_database()
    with db.transaction() as s:
        service.create_organisation(s, ROOT, name="Harbour Clinic", kind="clinic")
    for bad in ("aaaaaaaaaa", "password12", "mariana.silva", "harbour clinic 1"):
        with pytest.raises(UserInputError), db.transaction() as s:
            service.create_user(
                s,
                ROOT,
                username="mariana.silva",
                role="clinician",
                organisation="Harbour Clinic",
                password=bad,
            )
    with db.transaction() as s:
        made = service.create_user(
            s,
            ROOT,
            username="mariana.silva",
            role="clinician",
            organisation="Harbour Clinic",
            password="quiet-lantern-orchard-7",
        )
    assert made.user.username == "mariana.silva"
    with pytest.raises(UserInputError, match="word of this account"), db.transaction() as s:
        service.set_password(s, ROOT, user="mariana.silva", password="Mariana.Silva-2026")


def test_api_refuses_a_weak_password_with_a_problem(world: World) -> None:
    admin = world.client("admin")
    for bad in ("aaaaaaaaaa", "password12", "newperson42"):
        r = admin.post(
            "/api/v1/users",
            json={
                "username": "newperson42",
                "role": "viewer",
                "organisation": "Lab",
                "password": bad,
            },
        )
        assert r.status_code == 422, (bad, r.text)
        assert bad not in r.text
    ok = admin.post(
        "/api/v1/users",
        json={
            "username": "newperson42",
            "role": "viewer",
            "organisation": "Lab",
            "password": "quiet-lantern-orchard-7",
        },
    )
    assert ok.status_code == 201, ok.text


def test_password_is_verified_exactly_as_received() -> None:
    from exoderm.accounts.login import LoginFailed, login

    db = scratch_database()
    chosen = "Quiet-Lantern-Orchard-7"
    with db.transaction() as s:
        service.create_user(s, ROOT, username="exact", role="admin", password=chosen)
    assert login(db, "exact", chosen, None) >= 1
    for variant in (chosen.lower(), chosen.upper(), chosen[:-1], chosen + " ", " " + chosen):
        with pytest.raises(LoginFailed):
            login(db, "exact", variant, None)
        with db.transaction() as s:  # keep the throttle out of this test
            from exoderm.accounts.throttle import clear_failures

            clear_failures(s, "exact")
