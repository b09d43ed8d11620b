"""The clients fence: another clinic's client does not exist, for every clients service.

A clinician of clinic A adds a client; each service that names a client is then called
by a clinician of clinic B and must raise :class:`~exoderm.errors.NotFoundError` (never
403, never the data). Clinic B's client list holds none of clinic A's clients. Roles with
no business with client records (scientist, QC analyst, viewer) are refused outright.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from exoderm.accounts.actor import Actor
from exoderm.accounts.records import Role
from exoderm.clients import Consent, PersonalData, parse_profile
from exoderm.clients import service as clients
from exoderm.clients.invitations import InvitationRequest, Verifier
from exoderm.clients.photos import PhotoView
from exoderm.clients.treatments import Route, TreatmentInput
from exoderm.errors import NotFoundError, PermissionDenied
from tests.services.conftest import Tenants

PROFILE = parse_profile({"fitzpatrick": {"phototype": 3}, "concerns": [{"name": "wrinkles"}]})
DLQI = {f"q{i}": 1 for i in range(1, 11)}
TREATMENT = TreatmentInput(
    exposure="ADSC", route=Route.topical, concern="wrinkles", started_on=date(2026, 1, 5)
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()

Call = Callable[[Session, Actor, str], object]

CALLS: dict[str, Call] = {
    "get_client": lambda s, a, p: clients.get_client(s, a, p),
    "update_profile": lambda s, a, p: clients.update_profile(s, a, p, profile=PROFILE),
    "add_consent": lambda s, a, p: clients.add_consent(s, a, p, consent=Consent("photos", "v1")),
    "record_assessment": lambda s, a, p: clients.record_assessment(
        s, a, p, instrument="dlqi", inputs=DLQI
    ),
    "screen_client": lambda s, a, p: clients.screen_client(s, a, p),
    "create_regimen": lambda s, a, p: clients.create_regimen(s, a, p, start=date(2026, 1, 5)),
    "client_outcomes": lambda s, a, p: clients.client_outcomes(s, a, p),
    "export_client": lambda s, a, p: clients.export_client(s, a, p),
    "erase_client": lambda s, a, p: clients.erase_client(s, a, p),
    "invite_client": lambda s, a, p: clients.invite_client(
        s, a, p, request=InvitationRequest(instrument="dlqi", verifier=Verifier.code)
    ),
    "list_invitations": lambda s, a, p: clients.list_invitations(s, a, p),
    "add_photo": lambda s, a, p: (
        clients.add_consent(s, a, p, consent=Consent("photos", "v1")),
        clients.add_photo(s, a, p, data=PNG, view=PhotoView.frontal),
    ),
    "photo_timeline": lambda s, a, p: clients.photo_timeline(s, a, p),
    "record_treatment": lambda s, a, p: clients.record_treatment(s, a, p, treatment=TREATMENT),
    "list_treatments": lambda s, a, p: clients.list_treatments(s, a, p),
}


def _client_of_a(tenants: Tenants) -> str:
    with tenants.db.transaction() as s:
        view = clients.add_client(
            s,
            tenants.a[Role.clinician],
            personal=PersonalData(name="Ada Lovelace"),
            profile=PROFILE,
        )
    return view.pseudonym


@pytest.mark.parametrize("verb", sorted(CALLS))
def test_clinician_of_b_finds_no_client_of_a(tenants: Tenants, verb: str) -> None:
    pseudonym = _client_of_a(tenants)
    with tenants.db.transaction() as s, pytest.raises(NotFoundError):
        CALLS[verb](s, tenants.b[Role.clinician], pseudonym)
    # the owner still can: the fence is the organisation, not the verb
    with tenants.db.transaction() as s:
        CALLS[verb](s, tenants.a[Role.clinician], pseudonym)


def test_list_of_b_excludes_a_and_admin_sees_both(tenants: Tenants) -> None:
    pseudonym = _client_of_a(tenants)
    with tenants.db.transaction() as s:
        page_b = clients.list_clients(s, tenants.b[Role.clinician])
        page_a = clients.list_clients(s, tenants.a[Role.clinician])
        page_admin = clients.list_clients(s, tenants.admin)
    assert page_b.total == 0 and page_b.items == []
    assert [r.pseudonym for r in page_a.items] == [pseudonym]
    assert pseudonym in {r.pseudonym for r in page_admin.items}


def test_b_cannot_add_a_client_into_a(tenants: Tenants) -> None:
    org_a = tenants.a[Role.clinician].organisation_id
    with tenants.db.transaction() as s, pytest.raises(NotFoundError):
        clients.add_client(
            s,
            tenants.b[Role.clinician],
            personal=PersonalData(name="Mallory"),
            profile=PROFILE,
            organisation_id=org_a,
        )


def test_roles_without_client_access_are_refused(tenants: Tenants) -> None:
    pseudonym = _client_of_a(tenants)
    for role in (Role.scientist, Role.qc_analyst, Role.viewer):
        for verb, call in CALLS.items():
            with tenants.db.transaction() as s, pytest.raises(PermissionDenied):
                call(s, tenants.a[role], pseudonym)
            assert verb  # every verb refuses every such role
        with tenants.db.transaction() as s, pytest.raises(PermissionDenied):
            clients.list_clients(s, tenants.a[role])


def test_b_can_neither_revoke_a_link_nor_see_a_photo_of_a(tenants: Tenants) -> None:
    pseudonym = _client_of_a(tenants)
    a = tenants.a[Role.clinician]
    with tenants.db.transaction() as s:
        link = clients.invite_client(
            s, a, pseudonym, request=InvitationRequest(instrument="dlqi", verifier=Verifier.code)
        )
        clients.add_consent(s, a, pseudonym, consent=Consent("photos", "v1"))
        photo = clients.add_photo(s, a, pseudonym, data=PNG, view=PhotoView.frontal)
    with tenants.db.transaction() as s, pytest.raises(NotFoundError):
        clients.revoke_invitation(s, tenants.b[Role.clinician], link.id)
    with tenants.db.transaction() as s, pytest.raises(NotFoundError):
        clients.photo_image(s, tenants.b[Role.clinician], pseudonym, photo_id=photo.id)
    with tenants.db.transaction() as s:
        assert clients.revoke_invitation(s, a, link.id).state.value == "revoked"
        assert clients.photo_image(s, a, pseudonym, photo_id=photo.id)[1] == "image/png"
