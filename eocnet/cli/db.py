"""``eocnet db``: create and migrate the database."""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError

from eocnet.actions import search_backfill
from eocnet.cli.common import database, fail, group
from eocnet.config import get_settings
from eocnet.db import migrate

app = group("Create and migrate the database.")


@app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring it to the latest schema, and the search index up to date.

    After the migrations, records not yet searchable are indexed, and documents
    segmented by an older ICU (its word dictionaries) are segmented again."""
    settings = get_settings()
    try:
        migrate.upgrade(settings.database_url)
    except OperationalError as exc:
        fail(f"cannot migrate the database: {exc.orig}")
    typer.echo(f"database at schema {migrate.head_revision()}")
    with database() as (_, db):
        done = db.run_sync(search_backfill.reindex, alone=True)
    if any(done.values()):
        typer.echo(
            f"search index: {done['indexed']} records indexed, "
            f"{done['resegmented']} documents segmented again"
        )


@app.command("current")
def db_current() -> None:
    """Show the schema revision of the database and whether it is the latest."""
    with database() as (_, db):
        current = migrate.current_revision(db.engine)
    head = migrate.head_revision()
    typer.echo(f"{current or 'empty'} ({'latest' if current == head else 'latest is ' + head})")
