"""``eocnet serve`` and ``eocnet version``."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError

from eocnet import __version__, demo
from eocnet.actions import users
from eocnet.cli.common import database, fail
from eocnet.config import UnsafeSettings, get_settings
from eocnet.db import migrate


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes, each with its own socket on the port; about one per "
            "CPU core. With SQLite their writes take turns on the database file.",
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the API."""
    from eocnet import workers as server_processes

    settings = get_settings()
    try:
        settings.check_safe()
    except UnsafeSettings as exc:
        fail(f"refusing to start: {exc}")
    with database() as (_, db):
        try:
            current = migrate.is_current(db.engine)
        except OperationalError as exc:
            fail(f"cannot reach the database: {exc.orig}")
        if not current:
            fail("the database is not migrated; run 'eocnet db upgrade' first")
        with db.read() as session:
            has_demo = users.find_by_email(session, demo.MAIN_DEMO_USER) is not None
    url = f"http://{host}:{port}"
    typer.echo(f"eocnet {__version__} serving at {url}  (API reference: {url}/api/v1/docs)")
    if has_demo:
        typer.echo(f"demo login: {demo.MAIN_DEMO_USER}  (password: 'eocnet demo credentials')")
    status = server_processes.serve(
        # forwarded headers are trusted by the app, from EOCNET_TRUSTED_PROXIES only
        host,
        port,
        workers,
        log_level=settings.log_level.lower(),
        proxy_headers=False,
    )
    if status:
        raise typer.Exit(status)


def version() -> None:
    """Print the version."""
    typer.echo(__version__)
