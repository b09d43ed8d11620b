"""Personalise: client records, assessment instruments, screening, regimens, outcomes.

Public API (each function that touches stored clients takes a SQLAlchemy ``Session`` and
an :class:`~exoderm.accounts.actor.Actor`, checks roles and writes the audit log):

* records — :func:`add_client`, :func:`show_client`, :func:`list_clients`,
  :func:`update_profile`, :func:`add_consent`
* instruments — :data:`INSTRUMENTS`, :func:`get_instrument`; :func:`record_assessment`
* screening — :func:`screen` (pure), :class:`ScreeningResult`
* regimen — :func:`build_regimen` (pure), :func:`create_regimen`; exports
  :func:`regimen_calendar`, :func:`regimen_html`, :func:`regimen_pdf`
* outcomes — :func:`client_outcomes`, :func:`compute_outcomes`, :func:`plot_outcomes`
* privacy — :func:`export_client`, :func:`erase_client`, :func:`purge_freed_pages`
"""

from exoderm.clients.assessments import Assessment, record_assessment
from exoderm.clients.calendar import regimen_calendar
from exoderm.clients.handout import regimen_html, regimen_pdf
from exoderm.clients.instruments import INSTRUMENTS, get_instrument
from exoderm.clients.outcomes import (
    OutcomeReport,
    client_outcomes,
    compute_outcomes,
    plot_outcomes,
)
from exoderm.clients.personal import PersonalData
from exoderm.clients.privacy import erase_client, export_client, purge_freed_pages
from exoderm.clients.profile import ClientProfile, Concern, History
from exoderm.clients.regimen import Regimen, build_regimen, create_regimen
from exoderm.clients.repository import (
    ClientView,
    Consent,
    add_client,
    add_consent,
    list_clients,
    parse_personal,
    parse_profile,
    show_client,
    update_profile,
)
from exoderm.clients.screening import ScreeningResult, Verdict, screen
from exoderm.clients.screening_access import screen_client

__all__ = [
    "INSTRUMENTS",
    "Assessment",
    "ClientProfile",
    "ClientView",
    "Concern",
    "Consent",
    "History",
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
    "screen_client",
    "show_client",
    "update_profile",
]
