"""Every committed audit event reaches a separate syslog collector (ASVS 5.0 V16.4.3);
a rolled-back write ships nothing."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator

import pytest

from exoderm.accounts import audit, audit_shipping
from exoderm.accounts.records import AuditEvent
from exoderm.storage.scratch import scratch_database


@pytest.fixture
def collector() -> Iterator[tuple[socket.socket, logging.Handler]]:
    """A UDP syslog collector on loopback, and the handler that ships to it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(5)
    port = sock.getsockname()[1]
    handler = audit_shipping.ship_to_syslog(f"127.0.0.1:{port}")
    yield sock, handler
    logging.getLogger(audit_shipping.AUDIT_LOGGER).removeHandler(handler)
    handler.close()
    sock.close()


def _received(sock: socket.socket) -> dict[str, object]:
    datagram = sock.recv(65_535).decode()
    priority, _, rest = datagram.partition(">")
    assert priority == f"<{10 * 8 + 6}"  # facility authpriv (10), severity info (6)
    assert rest.startswith("exoderm: ")
    parsed: dict[str, object] = json.loads(rest.removeprefix("exoderm: ").rstrip("\x00"))
    return parsed


def test_a_committed_event_is_shipped_and_a_rolled_back_one_is_not(
    collector: tuple[socket.socket, logging.Handler],
) -> None:
    sock, _ = collector
    db = scratch_database()
    with pytest.raises(RuntimeError), db.transaction() as s:
        audit.record(s, actor="eve", action="client.read", subject_type="client", subject_id=1)
        s.flush()
        raise RuntimeError("the write fails")
    with db.transaction() as s:
        audit.record(
            s,
            actor="ana",
            action="client.export",
            subject_type="client",
            subject_id="C-1",
            organisation_id=None,
            detail={"rows": 2},
        )
    line = _received(sock)
    assert line["actor"] == "ana" and line["action"] == "client.export"
    assert line["subject"] == "client/C-1" and line["organisation_id"] is None
    assert line["detail"] == {"rows": 2} and isinstance(line["id"], int) and line["at"]
    with db.reader() as s:  # the collector holds the event's seal: the chain's anchor
        stored = s.get(AuditEvent, line["id"])
        assert stored is not None and stored.seal and line["seal"] == stored.seal
    sock.settimeout(0.3)
    with pytest.raises(TimeoutError):
        sock.recv(65_535)  # nothing of eve's rolled-back read


def test_a_bad_collector_address_is_refused() -> None:
    with pytest.raises(ValueError, match="neither host:port nor a socket path"):
        audit_shipping.ship_to_syslog("logs.example.org")
