"""Personalise: client records, assessment instruments, screening, regimens, outcomes.

The faces call :mod:`exoderm.clients.service` (every verb takes a SQLAlchemy ``Session``
and an :class:`~exoderm.accounts.actor.Actor`, checks roles and organisation, and writes
the audit log). This package also exports the pure functions and the typed models:

* records — :func:`add_client`, :func:`show_client`, :func:`list_clients`,
  :func:`update_profile`, :func:`add_consent`
* instruments — :data:`INSTRUMENTS`, :func:`get_instrument`; :func:`record_assessment`
* screening — :func:`screen` (pure), :class:`ScreeningResult`
* regimen — :func:`build_regimen` (pure), :func:`create_regimen`; exports
  :func:`regimen_calendar`, :func:`regimen_html`, :func:`regimen_pdf`
* outcomes — :func:`client_outcomes`, :func:`compute_outcomes`, :func:`plot_outcomes`
* privacy — :func:`export_client`, :func:`erase_client`, :func:`purge_freed_pages`
"""

from exoderm.clients.assessments import Assessment, ItemValue, record_assessment
from exoderm.clients.calendar import regimen_calendar
from exoderm.clients.handout import regimen_html, regimen_pdf
from exoderm.clients.instruments import INSTRUMENTS, get_instrument
from exoderm.clients.outcomes import (
    OutcomePoint,
    OutcomeReport,
    client_outcomes,
    compute_outcomes,
    plot_outcomes,
)
from exoderm.clients.personal import PersonalData
from exoderm.clients.privacy import (
    ClientExport,
    Erasure,
    erase_client,
    export_client,
    purge_freed_pages,
)
from exoderm.clients.profile import ClientProfile, Concern, History
from exoderm.clients.regimen import Regimen, build_regimen, create_regimen
from exoderm.clients.repository import (
    ClientRead,
    ClientRow,
    ClientView,
    Consent,
    ConsentRead,
    add_client,
    add_consent,
    list_clients,
    parse_personal,
    parse_profile,
    show_client,
    update_profile,
)
from exoderm.clients.screening import ScreeningResult, Verdict, screen

__all__ = [
    "INSTRUMENTS",
    "Assessment",
    "ClientExport",
    "ClientProfile",
    "ClientRead",
    "ClientRow",
    "ClientView",
    "Concern",
    "Consent",
    "ConsentRead",
    "Erasure",
    "History",
    "ItemValue",
    "OutcomePoint",
    "OutcomeReport",
    "PersonalData",
    "Regimen",
    "ScreeningResult",
    "Verdict",
    "add_client",
    "add_consent",
    "build_regimen",
    "client_outcomes",
    "compute_outcomes",
    "create_regimen",
    "erase_client",
    "export_client",
    "get_instrument",
    "list_clients",
    "parse_personal",
    "parse_profile",
    "plot_outcomes",
    "purge_freed_pages",
    "record_assessment",
    "regimen_calendar",
    "regimen_html",
    "regimen_pdf",
    "screen",
    "show_client",
    "update_profile",
]
