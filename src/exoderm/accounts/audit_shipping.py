"""Shipping the audit log to a separate system: every committed audit event as one syslog line.

The audit log is a table of the application's own database, which whoever administers that
database can alter. OWASP ASVS 5.0 V16.4.3 asks that logs be "securely transmitted to a
logically separate system for analysis, detection, alerting, and escalation". Here every
audit event, once its transaction has committed (a rolled-back write ships nothing), is
also emitted on the ``exoderm.audit`` logger as one JSON object per line; with the setting
``audit_syslog_address`` (``host:port`` for UDP syslog, or the path of a local syslog
socket such as ``/dev/log``) a :class:`logging.handlers.SysLogHandler` sends them to that
collector (RFC 5424 facility ``authpriv``, severity ``info``; RFC 3164 framing as Python's
handler writes it). The line names the event's id, time, actor, action, subject,
organisation and detail, which never holds personal data.

The events are captured after each flush (when the row has its id and time) and emitted
after commit, so shipping never sees an event that did not happen, and it never blocks or
fails the write: a collector that is down loses lines, not data.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import socket
from typing import TYPE_CHECKING, Final

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from exoderm.accounts.records import AuditEvent

if TYPE_CHECKING:
    from exoderm.settings import Settings

#: The logger every committed audit event is emitted on.
AUDIT_LOGGER: Final = "exoderm.audit"
_PENDING: Final = "exoderm_audit_pending"
_LINES: Final = "exoderm_audit_lines"
log = logging.getLogger(AUDIT_LOGGER)


def audit_line(row: AuditEvent) -> str:
    """One audit event as the JSON line shipped to the collector.

    Parameters
    ----------
    row : AuditEvent
        A flushed audit event (it has its id and time).

    Returns
    -------
    str
        A compact JSON object, keys sorted, no line breaks.

    References
    ----------
    .. [1] OWASP (2025). ASVS 5.0.0, V16.2.1 (each log entry says when, where, who and
       what) and V16.4.3 (logs sent to a logically separate system).

    Examples
    --------
    >>> from datetime import UTC, datetime
    >>> row = AuditEvent(id=7, at=datetime(2026, 12, 7, 18, 0, tzinfo=UTC), actor="ana",
    ...                  action="client.read", subject_type="client", subject_id="C-1")
    >>> line = json.loads(audit_line(row))
    >>> line["id"], line["at"], line["actor"], line["action"], line["subject"]
    (7, '2026-12-07T18:00:00+00:00', 'ana', 'client.read', 'client/C-1')
    """
    at = row.at.isoformat() if row.at is not None else None
    return json.dumps(
        {
            "id": row.id,
            "at": at,
            "actor": row.actor,
            "action": row.action,
            "subject": f"{row.subject_type}/{row.subject_id}",
            "organisation_id": row.organisation_id,
            "detail": row.detail,
            "seal": row.seal,
        },
        sort_keys=True,
        default=str,
    )


@event.listens_for(Session, "after_flush")
def _capture(session: Session, _flush: UOWTransaction) -> None:
    rows = [obj for obj in session.new if isinstance(obj, AuditEvent)]
    if rows and log.isEnabledFor(logging.INFO):
        session.info.setdefault(_PENDING, []).extend(rows)


@event.listens_for(Session, "before_commit")
def _lines(session: Session) -> None:
    """The lines to ship, written once the events are sealed (sealing runs first)."""
    rows = session.info.pop(_PENDING, [])
    if rows:
        session.info[_LINES] = [audit_line(r) for r in rows]


@event.listens_for(Session, "after_commit")
def _ship(session: Session) -> None:
    for line in session.info.pop(_LINES, []):
        log.info(line)


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_LINES, None)


def _address(text: str) -> str | tuple[str, int]:
    if text.startswith("/"):
        return text
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(
            f"audit_syslog_address: {text!r} is neither host:port nor a socket path "
            "(expected e.g. logs.example.org:514 or /dev/log)"
        )
    return host.strip("[]"), int(port)


def ship_to_syslog(address: str) -> logging.Handler:
    """Send every committed audit event to the syslog collector at ``address``.

    Parameters
    ----------
    address : str
        ``host:port`` (UDP) or the path of a local syslog socket (``/dev/log``).

    Returns
    -------
    logging.Handler
        The handler attached to the ``exoderm.audit`` logger (once per address).

    References
    ----------
    .. [1] Gerhards, R. (2009). The Syslog Protocol. RFC 5424 (facility 10, authpriv).
    .. [2] OWASP (2025). ASVS 5.0.0, V16.4.3.

    Examples
    --------
    >>> handler = ship_to_syslog("127.0.0.1:5514")
    >>> handler in logging.getLogger("exoderm.audit").handlers
    True
    >>> ship_to_syslog("127.0.0.1:5514") is handler
    True
    >>> logging.getLogger("exoderm.audit").removeHandler(handler); handler.close()
    """
    target = _address(address)
    for existing in log.handlers:
        if isinstance(existing, logging.handlers.SysLogHandler) and existing.address == target:
            return existing
    handler = logging.handlers.SysLogHandler(
        address=target,
        facility=logging.handlers.SysLogHandler.LOG_AUTHPRIV,
        socktype=socket.SOCK_DGRAM if isinstance(target, tuple) else None,
    )
    handler.ident = "exoderm: "
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return handler


def configure(settings: Settings) -> None:
    """Attach the syslog handler the settings ask for (``audit_syslog_address``), if any."""
    if settings.audit_syslog_address:
        ship_to_syslog(settings.audit_syslog_address)
