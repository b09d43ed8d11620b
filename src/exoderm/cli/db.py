"""``exoderm db``: schema migrations and the lossless export/import of all user data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from exoderm.cli.output import emit_object, emit_rows, info
from exoderm.cli.state import STATE
from exoderm.storage import export_jsonl, import_jsonl, status, upgrade

app = typer.Typer(help="Database: migrations, status, export and import.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="db")


@app.command("upgrade")
def upgrade_cmd() -> None:
    """Create or migrate the schema to the newest revision of every branch."""
    db = STATE.database(ensure=False)
    heads = upgrade(db)
    info(f"schema at {', '.join(sorted(heads))} on {db.backend}")


@app.command("status")
def status_cmd() -> None:
    """Show the database URL, backend and schema revisions."""
    s = status(STATE.database(ensure=False))
    emit_object(
        {
            "url": s.url,
            "backend": s.backend,
            "current": sorted(s.current),
            "heads": sorted(s.heads),
            "pending": sorted(s.pending),
            "up_to_date": s.up_to_date,
            "tables": s.tables,
        },
        title="database",
    )


@app.command("export")
def export_cmd(
    file: Annotated[Path, typer.Argument(help="JSON-lines file to write.", dir_okay=False)],
) -> None:
    """Export all user data as JSON lines (a lossless round trip with 'db import')."""
    counts = export_jsonl(STATE.database(), file)
    emit_rows([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    info(f"wrote {sum(counts.values())} rows to {file}")


@app.command("import")
def import_cmd(
    file: Annotated[Path, typer.Argument(help="File written by 'db export'.", dir_okay=False)],
) -> None:
    """Import an export into an empty database, in one transaction (all or nothing)."""
    counts = import_jsonl(STATE.database(), file)
    emit_rows([{"table": k, "rows": v} for k, v in counts.items()], ["table", "rows"])
    info(f"imported {sum(counts.values())} rows from {file}")


@app.command("rotate-key")
def rotate_key_cmd(
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Keep the older keys in the key file.")
    ] = False,
    reencrypt_only: Annotated[
        bool,
        typer.Option(
            "--reencrypt-only",
            help="Add no key: re-encrypt under the first key as configured "
            "(EXODERM_ENCRYPTION_KEY with the new key listed first).",
        ),
    ] = False,
) -> None:
    """Rotate the key of personal data at rest: new key first, every token re-encrypted
    in one transaction, then the older keys retired once every token opens without them."""
    from exoderm.accounts.actor import local_operator
    from exoderm.clients import service as clients  # imported here: 'db status' stays light

    db = STATE.database()
    with db.transaction() as session:
        rotated = clients.rotate_encryption_key(
            session, local_operator(), new_key=not reencrypt_only
        )
    info(
        f"re-encrypted {sum(rotated.reencrypted.values())} token(s) under key "
        f"{rotated.fingerprints[0]}"
    )
    result = rotated
    if not keep_old and len(rotated.fingerprints) > 1 and not reencrypt_only:
        with db.transaction() as session:
            result = clients.retire_encryption_keys(session, local_operator())
        result.reencrypted = rotated.reencrypted
        info(f"retired {result.retired} older key(s)")
    emit_object(result.model_dump())


@app.command("verify-audit")
def verify_audit_cmd() -> None:
    """Check the audit log's hash chain; exit 7 when an event was changed, removed or
    inserted (the first break is named)."""
    from exoderm.accounts import service as accounts
    from exoderm.accounts.actor import local_operator

    with STATE.database().reader() as session:
        found = accounts.verify_audit_log(session, local_operator())
    emit_object(found.model_dump(), title="audit log")
    if not found.intact:
        info(f"[red]the audit log's chain is broken:[/] {found.problem} (event {found.event_id})")
        raise typer.Exit(7)


@app.command("keys")
def keys_cmd() -> None:
    """Show where the client-data keys come from, their fingerprints (newest first), and
    when the encrypting key came into force and must be rotated by."""
    from exoderm.accounts.actor import local_operator
    from exoderm.clients import service as clients

    with STATE.database().reader() as session:
        state = clients.encryption_keys(session, local_operator())
    if state.overdue and state.rotate_by is not None:
        info(
            f"[yellow]warning:[/] the client-data key's cryptoperiod "
            f"({state.max_age_days} days) ended on {state.rotate_by:%Y-%m-%d}; "
            "run 'exoderm db rotate-key'"
        )
    emit_object(state.model_dump())
