"""Adaptive access: where and when each role may use exoderm.

A clinic's clinicians work from the clinic's network during opening hours; an
administrator may be held to the office network. With ``role_networks`` (role → the
networks its requests may come from) and ``role_hours`` (role → a daily window, in the
installation's ``timezone``), every authenticated request is checked against the
caller's role, address and the time, and refused — with a message saying why, and an
``access.denied`` audit entry — outside them. A role with no entry is not restricted.

References
----------
.. [1] OWASP Foundation (2025). Application Security Verification Standard 5.0.0, V8.2.4
   (adaptive security controls based on environmental and contextual attributes such as
   time of day, location or IP address).
.. [2] Hu, V. C. et al. (2014). NIST SP 800-162, Guide to Attribute Based Access Control,
   §2 (environment conditions: time, location). doi:10.6028/NIST.SP.800-162
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from exoderm.accounts.records import Role

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_window(text: str) -> tuple[time, time]:
    """``"07:00-20:00"`` → (start, end); an end before the start runs past midnight.

    Examples
    --------
    >>> parse_window("22:00-06:30")
    (datetime.time(22, 0), datetime.time(6, 30))
    """
    start, sep, end = text.partition("-")
    if not sep:
        raise ValueError(f"{text!r} is not a window (expected e.g. 07:00-20:00)")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def _inside(window: tuple[time, time], moment: time) -> bool:
    start, end = window
    if start <= end:
        return start <= moment < end
    return moment >= start or moment < end


@dataclass(frozen=True)
class ContextPolicy:
    """The networks and hours each restricted role is held to."""

    networks: Mapping[Role, tuple[Network, ...]] = field(default_factory=dict)
    hours: Mapping[Role, tuple[time, time]] = field(default_factory=dict)
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @classmethod
    def from_settings(
        cls, networks: Mapping[str, list[str]], hours: Mapping[str, str], timezone: str
    ) -> ContextPolicy:
        """The policy of the settings ``role_networks``, ``role_hours`` and ``timezone``."""
        return cls(
            {
                Role(role): tuple(ipaddress.ip_network(n.strip(), strict=False) for n in nets)
                for role, nets in networks.items()
            },
            {Role(role): parse_window(window) for role, window in hours.items()},
            ZoneInfo(timezone),
        )

    def refusal(self, role: Role, address: str | None, now: datetime) -> str | None:
        """Why a request of ``role`` from ``address`` at ``now`` is refused, or None.

        Parameters
        ----------
        role : Role
            The caller's role.
        address : str or None
            The client address (after trusted proxies); None when unknown.
        now : datetime
            The time of the request (aware).

        Returns
        -------
        str or None
            The reason, naming the rule; None when the request may go on.

        References
        ----------
        .. [1] OWASP Foundation (2025). ASVS 5.0.0, V8.2.4.

        Examples
        --------
        >>> from datetime import UTC
        >>> policy = ContextPolicy.from_settings(
        ...     {"admin": ["10.0.0.0/8"]}, {"clinician": "07:00-20:00"}, "Europe/Berlin")
        >>> policy.refusal(Role.admin, "10.1.2.3", datetime(2026, 12, 8, 12, tzinfo=UTC))
        >>> policy.refusal(Role.admin, "192.0.2.7", datetime(2026, 12, 8, 12, tzinfo=UTC))
        'admin accounts may be used only from 10.0.0.0/8; this request came from 192.0.2.7'
        >>> policy.refusal(Role.clinician, None, datetime(2026, 12, 8, 19, 30, tzinfo=UTC))
        'clinician accounts may be used only between 07:00 and 20:00 (Europe/Berlin); it is 20:30'
        """
        allowed = self.networks.get(role)
        if allowed is not None:
            ip = _address(address)
            if ip is None or not any(ip in net for net in allowed):
                where = ", ".join(str(n) for n in allowed) or "no network"
                return (
                    f"{role.value} accounts may be used only from {where}; "
                    f"this request came from {address or 'an unknown address'}"
                )
        window = self.hours.get(role)
        if window is not None:
            local = now.astimezone(self.zone)
            if not _inside(window, local.time()):
                return (
                    f"{role.value} accounts may be used only between {window[0]:%H:%M} and "
                    f"{window[1]:%H:%M} ({self.zone.key}); it is {local:%H:%M}"
                )
        return None


def _address(text: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    if not text:
        return None
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None
