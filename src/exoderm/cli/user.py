"""``exoderm user``: users, organisations and API tokens of the service."""

from __future__ import annotations

from typing import Annotated

import segno
import typer

from exoderm.accounts import service
from exoderm.accounts.actor import local_operator
from exoderm.accounts.records import OrganisationKind, Role
from exoderm.accounts.results import UserRead
from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE
from exoderm.errors import UserInputError
from exoderm.settings import get_settings
from exoderm.storage.paging import FIRST_PAGE

app = typer.Typer(help="Users, organisations and API tokens.", no_args_is_help=True)
org_app = typer.Typer(help="Organisations (clinics, labs, companies).", no_args_is_help=True)
token_app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
app.add_typer(org_app, name="org")
app.add_typer(token_app, name="token")
mfa_app = typer.Typer(
    help="Second login factor: an authenticator app's one-time codes (TOTP).",
    no_args_is_help=True,
)
app.add_typer(mfa_app, name="mfa")
key_app = typer.Typer(
    help="Security keys (FIDO2/WebAuthn): registered by their holder on the account page.",
    no_args_is_help=True,
)
app.add_typer(key_app, name="key")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="user")


def _user_row(u: UserRead) -> dict[str, object]:
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "role": u.role.value,
        "organisation_id": u.organisation_id,
        "active": u.is_active,
    }


@app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[Role, typer.Option(help="Role of the user.")] = Role.viewer,
    org: Annotated[
        str | None, typer.Option("--org", help="Organisation name or id (required unless admin).")
    ] = None,
    display_name: Annotated[str, typer.Option(help="Name shown in the web application.")] = "",
    password: Annotated[
        str | None,
        typer.Option(
            help="Password (omit to generate one; prefer EXODERM_NEW_PASSWORD).",
            envvar="EXODERM_NEW_PASSWORD",
        ),
    ] = None,
) -> None:
    """Add a user; prints the password once if it was generated."""
    db = STATE.database()
    with db.transaction() as session:
        made = service.create_user(
            session,
            local_operator(),
            username=username,
            role=role,
            password=password,
            organisation=org,
            display_name=display_name,
            second_person=get_settings().admin_changes_need_approval,
        )
    row = _user_row(made.user)
    if password is None:
        row["password"] = made.password
        info("The generated password is shown only this once.")
    if made.awaiting_approval:
        info("Four-eyes rule: the account signs in once another admin approves it.")
    emit_object(row, title="user")


@app.command("approve")
def approve(username: Annotated[str, typer.Argument(help="The new admin account.")]) -> None:
    """Approve a new admin account another admin created (four-eyes rule)."""
    with STATE.database().transaction() as session:
        approved = service.approve_admin(session, local_operator(), user=username)
    emit_object(_user_row(approved), title="user")


@app.command("list")
def list_users(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
) -> None:
    """List users."""
    db = STATE.database()
    with db.reader() as session:
        found = service.list_users(session, local_operator(), organisation=org, page=FIRST_PAGE)
        rows = [_user_row(u) for u in found.items]
    emit_rows(rows, ["id", "username", "display_name", "role", "organisation_id", "active"])


@app.command("set-password")
def set_password(
    username: str,
    password: Annotated[
        str | None,
        typer.Option(envvar="EXODERM_NEW_PASSWORD", help="New password (omit to generate one)."),
    ] = None,
) -> None:
    """Replace a user's password (a generated one is printed once)."""
    from exoderm.accounts.passwords import generate_password

    secret = password or generate_password()
    with STATE.database().transaction() as session:
        service.set_password(session, local_operator(), user=username, password=secret)
    emit_object({"username": username, **({"password": secret} if password is None else {})})


@app.command("deactivate")
def deactivate(username: str) -> None:
    """Stop a user from logging in or using tokens."""
    with STATE.database().transaction() as session:
        service.set_active(session, local_operator(), user=username, active=False)
    info(f"{username} deactivated")


@mfa_app.command("enrol")
def mfa_enrol(
    username: str,
    qr: Annotated[
        bool, typer.Option("--qr", help="Also draw the QR code in the terminal.")
    ] = False,
) -> None:
    """Give a user a new authenticator secret (shown once); confirm it with a code."""
    with STATE.database().transaction() as session:
        enrolment = service.enrol_second_factor(session, local_operator(), user=username)
    emit_object(enrolment.model_dump())
    if qr:
        segno.make(enrolment.uri, error="m").terminal(compact=True)
    info(f"scan it in the app, then: exoderm user mfa confirm {username} <code>")


@mfa_app.command("confirm")
def mfa_confirm(username: str, code: str) -> None:
    """Turn the enrolment on with one code from the app; login then needs a code."""
    with STATE.database().transaction() as session:
        service.confirm_second_factor(session, local_operator(), user=username, code=code)
    info(f"{username} now logs in with a password and a one-time code")


@mfa_app.command("remove")
def mfa_remove(username: str) -> None:
    """Remove a user's second factor (e.g. a lost phone); they can enrol again."""
    with STATE.database().transaction() as session:
        removed = service.remove_second_factor(session, local_operator(), user=username)
    info(f"{username}: second factor {'removed' if removed else 'was not set up'}")


@key_app.command("list")
def key_list(username: str) -> None:
    """List a user's security keys (names and dates)."""
    with STATE.database().reader() as session:
        keys = service.list_security_keys(session, local_operator(), user=username)
    emit_rows(
        [k.model_dump(mode="json") for k in keys],
        columns=["id", "name", "created_at", "last_used_at"],
    )


@key_app.command("remove")
def key_remove(username: str) -> None:
    """Remove every security key of a user (e.g. a lost key); they log in with the
    password (and a one-time code, if set up) and register a key again."""
    with STATE.database().transaction() as session:
        removed = service.remove_security_keys(session, local_operator(), user=username)
    info(f"{username}: {removed} security key(s) removed")


@app.command("end-sessions")
def end_sessions(
    username: Annotated[
        str | None, typer.Argument(help="Whose sessions; omit with --all for everyone's.")
    ] = None,
    everyone: Annotated[bool, typer.Option("--all", help="End every user's sessions.")] = False,
) -> None:
    """End a user's browser sessions (or, with --all, everyone's); API tokens stay."""
    if (username is None) == (not everyone):
        raise UserInputError(
            "name a user or pass --all (not both)", field="username", expected="a username"
        )
    with STATE.database().transaction() as session:
        ended = service.end_user_sessions(session, local_operator(), user=username)
    info(f"{ended} session(s) ended")


@org_app.command("add")
def org_add(
    name: str,
    kind: Annotated[
        OrganisationKind, typer.Option(help="Kind of organisation.")
    ] = OrganisationKind.clinic,
) -> None:
    """Add an organisation."""
    with STATE.database().transaction() as session:
        org = service.create_organisation(session, local_operator(), name=name, kind=kind)
    emit_object({"id": org.id, "name": org.name, "kind": org.kind.value})


@org_app.command("list")
def org_list() -> None:
    """List organisations."""
    with STATE.database().reader() as session:
        rows = [
            {"id": o.id, "name": o.name, "kind": o.kind.value}
            for o in service.list_organisations(session, local_operator(), page=FIRST_PAGE).items
        ]
    emit_rows(rows, ["id", "name", "kind"])


@token_app.command("create")
def token_create(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    scope: Annotated[
        list[str] | None,
        typer.Option("--scope", help="e.g. evidence:read; repeat; default all of the role."),
    ] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
) -> None:
    """Issue an API token for a user; the token is printed once."""
    with STATE.database().transaction() as session:
        issued = service.create_token(
            session,
            local_operator(),
            user=username,
            name=name,
            scopes=scope,
            expires_in_days=expires_in_days,
        )
    emit_object({"id": issued.info.id, "token": issued.token, "scopes": issued.info.scopes})
    info("Send it as 'Authorization: Bearer <token>'; it is shown only this once.")


@token_app.command("list")
def token_list(username: str) -> None:
    """List a user's tokens (never the secrets)."""
    with STATE.database().reader() as session:
        rows = [
            {
                "id": t.id,
                "name": t.name,
                "prefix": t.prefix,
                "scopes": t.scopes,
                "created_at": t.created_at,
                "expires_at": t.expires_at,
                "revoked": t.revoked_at is not None,
            }
            for t in service.list_tokens(session, local_operator(), user=username)
        ]
    emit_rows(rows, ["id", "name", "prefix", "scopes", "created_at", "expires_at", "revoked"])


@token_app.command("revoke")
def token_revoke(token_id: int) -> None:
    """Revoke a token by its id."""
    with STATE.database().transaction() as session:
        service.revoke_token(session, local_operator(), token_id=token_id)
    info(f"token {token_id} revoked")
