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
