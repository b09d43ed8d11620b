"""The regimen as an iCalendar file (RFC 5545) for the client's calendar.

One all-day event per in-clinic session and per follow-up visit (with the instruments to
measure), and two daily recurring reminders for the home-care routine until the
reassessment. No personal data goes into the file: events carry the pseudonym only.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from icalendar import Alarm, Calendar, Event

from exoderm.clients.instruments import INSTRUMENTS
from exoderm.clients.regimen import Regimen

PRODID = "-//exoderm//client regimen//EN"
_NAMESPACE = uuid.UUID("6f1c9a52-3b57-4d1e-9d0e-7f0b1f1b8e21")


def _uid(regimen: Regimen, key: str) -> str:
    """Stable UIDs, so re-importing an updated plan replaces events instead of doubling them."""
    return f"{uuid.uuid5(_NAMESPACE, f'{regimen.pseudonym}/{regimen.start}/{key}')}@exoderm"


def _event(regimen: Regimen, key: str, summary: str, description: str, day: object) -> Event:
    event = Event()
    event.add("uid", _uid(regimen, key))
    event.add("dtstamp", datetime.now(UTC))
    event.add("summary", summary)
    event.add("description", description)
    event.add("dtstart", day)
    return event


def regimen_calendar(regimen: Regimen) -> bytes:
    """The .ics bytes of ``regimen``."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Skin plan {regimen.pseudonym}")
    for s in regimen.sessions:
        cal.add_component(
            _event(
                regimen,
                f"session-{s.number}",
                f"Clinic session {s.number}/{len(regimen.sessions)}: {s.procedure_name}",
                f"{s.product}. Follow the aftercare and sun protection advice.",
                s.date,
            )
        )
    for i, v in enumerate(regimen.visits):
        names = ", ".join(INSTRUMENTS[c].info.name for c in v.instruments)
        cal.add_component(
            _event(
                regimen, f"visit-{i}", f"Skin assessment ({v.kind})", f"Measure: {names}", v.date
            )
        )
    for part in ("am", "pm"):
        event = _event(
            regimen,
            f"home-{part}",
            f"Home care ({part.upper()})",
            "; ".join(regimen.home_care[part]),
            regimen.start,
        )
        event.add(
            "rrule",
            {
                "freq": "daily",
                "until": regimen.start + timedelta(weeks=regimen.reassess_after_weeks),
            },
        )
        cal.add_component(event)
    return cal.to_ical()


#: Days before a visit on which the clinic is reminded to send the questionnaire link.
SEND_DAYS_BEFORE = 3


def invitation_reminders(regimen: Regimen) -> bytes:
    """The clinic's .ics: when to send each visit's patient-reported questionnaire link.

    One all-day event :data:`SEND_DAYS_BEFORE` days before every visit that measures a
    patient-reported instrument (DLQI, POSAS patient scale …), with a display alarm at
    09:00, so the client can answer at home before the visit (RFC 5545 VALARM).
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"Questionnaires to send for {regimen.pseudonym}")
    for i, v in enumerate(regimen.visits):
        codes = [c for c in v.instruments if INSTRUMENTS[c].info.patient_reported]
        if not codes:
            continue
        names = ", ".join(INSTRUMENTS[c].info.name for c in codes)
        event = _event(
            regimen,
            f"send-{i}",
            f"Send questionnaire link to {regimen.pseudonym}: {names}",
            f"For the {v.kind} visit on {v.date.isoformat()}; "
            f"exoderm client invite {regimen.pseudonym} --instrument {codes[0]}",
            v.date - timedelta(days=SEND_DAYS_BEFORE),
        )
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"Send {names} link to {regimen.pseudonym}")
        alarm.add("trigger", timedelta(hours=9))
        event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
