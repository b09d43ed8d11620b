"""The root ``exoderm`` command: global options, sub-command groups, error handling."""

from __future__ import annotations

import importlib
import sys
import traceback
from typing import Annotated

import typer
from rich.markup import escape
from typer._click import Command, Context, HelpFormatter  # Typer ≥ 0.29 vendors Click
from typer.core import TyperGroup

from exoderm import __version__
from exoderm.cli.output import err_console
from exoderm.cli.state import STATE, OutputFormat
from exoderm.errors import ExodermError

#: Each command group: the module that defines it (with ``register(root)``) and a
#: one-line summary for ``exoderm --help``. Modules are imported only when their group
#: runs, so that ``exoderm db status`` does not pay for SciPy, Matplotlib or Dask.
GROUPS: dict[str, tuple[str, str]] = {
    "evidence": ("exoderm.cli.evidence", "Evidence: the cited, scored knowledge graph."),
    "design": ("exoderm.cli.design", "Design: formulations, ingredient catalogue, claims."),
    "client": ("exoderm.cli.client", "Clients: profiles, instruments, screening, regimens."),
    "qc": ("exoderm.cli.qc", "Quality control of EV batches: imports, release, CoA."),
    "nta": ("exoderm.cli.nta", "NTA: video → size distribution and concentration."),
    "simulate": ("exoderm.cli.simulate", "Simulate exosome effects on skin over time."),
    "serve": ("exoderm.cli.serve", "Start the web application and REST API."),
    "user": ("exoderm.cli.user", "Users, organisations and API tokens."),
    "db": ("exoderm.cli.db", "Database: migrations, status, export and import."),
}
GROUP_MODULES: tuple[str, ...] = tuple(module for module, _ in GROUPS.values())


def load_group(name: str) -> Command:
    """Import a group's module and return the command it registers under ``name``."""
    module, _ = GROUPS[name]
    holder = typer.Typer()

    @holder.callback()
    def _holder() -> None:  # a callback makes Typer build a group of the registrations
        """Holder."""

    importlib.import_module(module).register(holder)
    command = typer.main.get_group(holder).commands[name]
    return command


class LazyGroup(TyperGroup):
    """The root group: lists every capability, imports one only when it is used."""

    _listing = False

    def list_commands(self, ctx: Context) -> list[str]:
        return [*GROUPS, *(n for n in super().list_commands(ctx) if n not in GROUPS)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        if cmd_name in self.commands or cmd_name not in GROUPS:
            return super().get_command(ctx, cmd_name)
        if self._listing:  # help only needs the summary
            return TyperGroup(name=cmd_name, help=GROUPS[cmd_name][1])
        command = load_group(cmd_name)
        self.commands[cmd_name] = command
        return command

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False


app = typer.Typer(
    name="exoderm",
    help="Evidence, formulation design, personalisation, QC, NTA and simulation "
    "for exosome skin care.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
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
