"""Login throttling under concurrency (ASVS 5.0 V6.3.1, V6.1.1): atomic attempt
accounting, trusted proxies only, exponential back-off per account, bounded hashing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from exoderm.accounts import users as user_lib
from exoderm.accounts.login import LoginFailed, login
from exoderm.accounts.passwords import HASH_SLOTS, set_hash_concurrency
from exoderm.accounts.records import LoginThrottle, Role
from exoderm.accounts.throttle import LoginPolicy, TooManyAttempts
from exoderm.serving.auth import forwarded_client
from exoderm.storage import Database
from tests.api.conftest import PASSWORD, World


def _burst(db: Database, n: int, username: str, password: str, policy: LoginPolicy) -> Counter[str]:
    def attempt(i: int) -> str:
        try:
            login(db, username, password, f"10.1.{i // 250}.{i % 250}", policy=policy)
        except LoginFailed:
            return "failed"
        except TooManyAttempts:
            return "throttled"
        return "ok"

    with ThreadPoolExecutor(max_workers=n) as pool:
        return Counter(pool.map(attempt, range(n)))


@pytest.fixture
def two_hash_slots() -> Iterator[None]:
    set_hash_concurrency(2)
    yield
    set_hash_concurrency(4)


@pytest.mark.usefixtures("two_hash_slots")
def test_fifty_parallel_attempts_pass_at_most_the_limit(any_db: Database) -> None:
    with any_db.transaction() as s:
        user_lib.create_user(s, "target", Role.admin, password=PASSWORD)
    policy = LoginPolicy(max_failures=5, address_max_failures=1000)
    outcome = _burst(any_db, 50, "target", "wrong-password-guess", policy)
    assert outcome["failed"] <= policy.max_failures, outcome
    assert outcome["failed"] >= 1 and outcome["ok"] == 0
    assert outcome["failed"] + outcome["throttled"] == 50
    # the hashes that did run never exceeded the configured concurrency
    assert 1 <= HASH_SLOTS.peak <= 2
    # and the account is now blocked, even for the right password
    with pytest.raises(TooManyAttempts):
        login(any_db, "target", PASSWORD, "10.9.9.9", policy=policy)


def test_parallel_attempts_from_one_address_are_counted_exactly(any_db: Database) -> None:
    with any_db.transaction() as s:
        for i in range(20):
            user_lib.create_user(s, f"user{i}", Role.admin, password=PASSWORD)
    policy = LoginPolicy(max_failures=5, address_max_failures=7)

    def attempt(i: int) -> str:
        try:
            login(any_db, f"user{i}", "wrong-password-guess", "192.0.2.7", policy=policy)
        except LoginFailed:
            return "failed"
        except TooManyAttempts:
            return "throttled"
        return "ok"

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcome = Counter(pool.map(attempt, range(20)))
    assert outcome["failed"] == 7 and outcome["throttled"] == 13, outcome


def test_back_off_doubles_per_account_and_spares_colleagues(world: World) -> None:
    client = world.client()
    bad = {"username": "viewer", "password": "wrong-password!"}
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json=bad).status_code == 401
    first = client.post("/api/v1/auth/token", json=bad)
    assert first.status_code == 429
    first_wait = int(first.headers["retry-after"])
    # a colleague behind the same address still logs in
    ok = client.post("/api/v1/auth/token", json={"username": "sci", "password": PASSWORD})
    assert ok.status_code == 201
    # the block runs out; five more failures block for twice as long
    with world.db.transaction() as s:
        s.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == "user:viewer")
            .values(blocked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json=bad).status_code == 401
    second = client.post("/api/v1/auth/token", json=bad)
    assert second.status_code == 429
    second_wait = int(second.headers["retry-after"])
    assert 1.8 * first_wait <= second_wait <= 2.2 * first_wait + 2, (first_wait, second_wait)
    # a success after the block clears the back-off
    with world.db.transaction() as s:
        s.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == "user:viewer")
            .values(blocked_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    good = client.post("/api/v1/auth/token", json={"username": "viewer", "password": PASSWORD})
    assert good.status_code == 201
    with world.db.reader() as s:
        row = s.get(LoginThrottle, "user:viewer")
    assert row is not None and row.strikes == 0 and row.attempts == 0


def _keys(world: World) -> set[str]:
    with world.db.reader() as s:
        return set(s.scalars(select(LoginThrottle.key)))


def test_forwarded_for_is_ignored_from_an_untrusted_peer(world: World) -> None:
    client = TestClient(world.app, raise_server_exceptions=False, client=("203.0.113.9", 5000))
    for fake in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        client.post(
            "/api/v1/auth/token",
            json={"username": "qc", "password": "nope-nope-1"},
            headers={"X-Forwarded-For": fake},
        )
    addresses = {k for k in _keys(world) if k.startswith("addr:")}
    assert addresses == {"addr:203.0.113.9"}


def test_forwarded_for_is_used_behind_a_trusted_proxy(world: World) -> None:
    context = world.app.state.context
    context.settings = context.settings.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    client = TestClient(world.app, raise_server_exceptions=False, client=("10.0.0.2", 5000))
    client.post(
        "/api/v1/auth/token",
        json={"username": "qc", "password": "nope-nope-1"},
        headers={"X-Forwarded-For": "6.6.6.6, 198.51.100.4, 10.0.0.3"},
    )
    addresses = {k for k in _keys(world) if k.startswith("addr:")}
    assert addresses == {"addr:198.51.100.4"}


@pytest.mark.parametrize(
    ("peer", "header", "trusted", "expected"),
    [
        ("127.0.0.1", ["9.9.9.9"], (), "127.0.0.1"),
        ("127.0.0.1", ["9.9.9.9"], ("10.0.0.0/8",), "127.0.0.1"),
        ("10.0.0.1", ["9.9.9.9"], ("10.0.0.0/8",), "9.9.9.9"),
        ("10.0.0.1", ["8.8.8.8, 9.9.9.9"], ("10.0.0.0/8",), "9.9.9.9"),
        ("10.0.0.1", ["9.9.9.9", "10.0.0.7"], ("10.0.0.0/8",), "9.9.9.9"),
        ("10.0.0.1", ["not-an-ip"], ("10.0.0.0/8",), "10.0.0.1"),
        ("10.0.0.1", [], ("10.0.0.0/8",), "10.0.0.1"),
        ("::1", ["2001:db8::1"], ("::1",), "2001:db8::1"),
        ("testclient", ["9.9.9.9"], ("10.0.0.0/8",), "testclient"),
    ],
)
def test_forwarded_client(
    peer: str, header: list[str], trusted: tuple[str, ...], expected: str
) -> None:
    assert forwarded_client(peer, header, trusted) == expected


def test_a_bad_trusted_proxy_setting_is_refused() -> None:
    from pydantic import ValidationError

    from exoderm.settings import Settings

    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings(trusted_proxies=["10.0.0.0/33"])


def test_unknown_and_known_users_fail_alike(world: World) -> None:
    client = world.client()
    known = client.post("/api/v1/auth/token", json={"username": "sci", "password": "nope-nope-1"})
    unknown = client.post(
        "/api/v1/auth/token", json={"username": "no-such-user", "password": "nope-nope-1"}
    )
    assert known.status_code == unknown.status_code == 401
    strip = ("instance",)
    assert {k: v for k, v in known.json().items() if k not in strip} == {
        k: v for k, v in unknown.json().items() if k not in strip
    }


def test_fifty_parallel_http_logins_pass_at_most_the_limit(world: World) -> None:
    limit = world.app.state.context.settings.login_max_failures

    def attempt(i: int) -> int:
        client = TestClient(world.app, raise_server_exceptions=False, client=(f"10.2.0.{i}", 1))
        body = {"username": "doc_b", "password": f"guess-number-{i}"}
        return client.post("/api/v1/auth/token", json=body).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        codes = Counter(pool.map(attempt, range(50)))
    assert set(codes) <= {401, 429}, codes
    assert 1 <= codes[401] <= limit, codes
    assert codes[429] == 50 - codes[401]
