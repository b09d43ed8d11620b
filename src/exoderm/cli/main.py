"""The root ``exoderm`` command: global options, sub-command groups, error handling."""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Annotated

import typer
from rich.markup import escape

from exoderm import __version__
from exoderm.cli.output import err_console
from exoderm.cli.state import STATE, OutputFormat
from exoderm.errors import ExodermError

#: One module per capability; each defines ``register(root)`` that adds its group.
GROUP_MODULES: tuple[str, ...] = (
    "exoderm.cli.evidence",
    "exoderm.cli.design",
    "exoderm.cli.client",
    "exoderm.cli.qc",
    "exoderm.cli.nta",
    "exoderm.cli.simulate",
    "exoderm.cli.serve",
    "exoderm.cli.user",
    "exoderm.cli.db",
)

app = typer.Typer(
    name="exoderm",
    help="Evidence, formulation design, personalisation, QC, NTA and simulation "
    "for exosome skin care.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"exoderm {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL (default: EXODERM_DATABASE_URL or embedded SQLite)."
        ),
    ] = None,
    fmt: Annotated[
        OutputFormat,
        typer.Option("--format", help="Output format for tabular results."),
    ] = OutputFormat.table,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print results only.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks on errors.")] = False,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """exoderm: the science of exosomes in skin care, as working software."""
    STATE.db_url = db
    STATE.format = fmt
    STATE.quiet = quiet
    STATE.debug = debug


def _register_groups() -> None:
    for name in GROUP_MODULES:
        importlib.import_module(name).register(app)


_register_groups()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; a user's mistake is one line on stderr and a non-zero exit code."""
    command = typer.main.get_command(app)
    STATE.debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        result = command.main(args=argv, prog_name="exoderm", standalone_mode=False)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0) or 0)
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, …
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(f"error: {escape(exc.format_message())}", soft_wrap=True)
        return int(exc.exit_code)
    except ExodermError as exc:
        if STATE.debug:
            traceback.print_exc()
        err_console.print(
            f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True
        )
        return exc.exit_code
    except KeyboardInterrupt:
        err_console.print("interrupted")
        return 130
    finally:
        STATE.close()
    return int(result) if isinstance(result, int) else 0


def run() -> None:
    """Console entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
