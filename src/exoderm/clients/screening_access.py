"""Screening a stored client (audited); :func:`exoderm.clients.screening.screen` is pure."""

from __future__ import annotations

from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.clients import access
from exoderm.clients.repository import profile_of
from exoderm.clients.screening import ScreeningResult, screen


def screen_client(session: Session, actor: Actor, pseudonym: str) -> ScreeningResult:
    client = access.load_client(session, actor, pseudonym, action="screen")
    result = screen(profile_of(client))
    access.log(session, actor, "screen", client, {"blocked": len(result.blocked)})
    return result
