"""``exoderm serve``: run the REST API and web application with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from exoderm.cli.output import info
from exoderm.cli.state import STATE


def serve(
    host: Annotated[
        str | None, typer.Option(help="Address to listen on (default: settings, 127.0.0.1).")
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="Port (default: settings, 8000).", min=1, max=65535)
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
    log_level: Annotated[str | None, typer.Option(help="uvicorn log level.")] = None,
) -> None:
    """Start the service on the configured database (embedded SQLite by default).

    The first run creates the user 'admin' with a generated password, shown once.
    """
    import uvicorn

    from exoderm.server import prepare_service

    db = STATE.database()
    ready = prepare_service(db)
    settings = ready.settings
    bind_host = host or settings.host
    bind_port = port or settings.port
    url = f"http://{bind_host}:{bind_port}/"
    if ready.first_admin is not None:
        username, password = ready.first_admin
        info("[bold]First run:[/] created the administrator account.")
        info(f"  username: [bold]{username}[/]")
        info(f"  password: [bold]{password}[/]")
        info("  (the password is shown only this once: keep it safe)")
    if workers > 1:
        info(
            "[yellow]note:[/] background jobs (NTA analyses, cohorts) live in the worker "
            "that started them; with several workers their status may be asked of another "
            "worker and not be found. Use one worker, or sticky sessions, for jobs."
        )
    info(f"Database: {ready.database_label}")
    info(f"Knowledge base: {ready.knowledge_base}")
    info(f"exoderm is serving on {url}")
    info(f"Open it in a browser and log in; API docs at {url}docs. Stop with Ctrl-C.")
    STATE.close()
    uvicorn.run(
        "exoderm.server:app_from_environment",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers,
        log_level=log_level or settings.log_level,
        proxy_headers=True,
        server_header=False,  # no "Server: uvicorn" (ASVS 5.0 V13.4.6)
        env_file=None,
    )


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
