"""``exoderm evidence``: command group (commands are added as the capability lands)."""

from __future__ import annotations

import typer

app = typer.Typer(help="evidence", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="evidence")
