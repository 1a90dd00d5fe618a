"""``eocnet demo``: the demo network for trying eocnet out."""

from __future__ import annotations

import typer

from eocnet import demo
from eocnet.cli.common import database, fail, group

app = group("The demo network for trying eocnet out.")


@app.command("load")
def demo_load() -> None:
    """Load the demo network into an empty database and print the demo login."""
    with database() as (settings, db):
        password = db.run_sync(demo.load_demo, settings)
    if password is None:
        typer.echo(
            "the database already has users; demo not loaded. "
            "Run 'eocnet demo credentials' for the demo login."
        )
        return
    typer.echo("demo network loaded")
    typer.echo(f"demo login: {demo.MAIN_DEMO_USER}")
    typer.echo(f"password:   {password}")
    typer.echo("(the same password works for every demo user: 'eocnet user list')")


@app.command("credentials")
def demo_credentials() -> None:
    """Print the demo login again, while its password is unchanged."""
    with database() as (_, db), db.read() as session:
        found = demo.demo_credentials(session)
    if found is None:
        fail("no demo credentials: the demo is not loaded or its password was changed")
    typer.echo(f"demo login: {found[0]}")
    typer.echo(f"password:   {found[1]}")
