"""``eocnet directory``: parties of the network and their EOCs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eocnet.actions import directory
from eocnet.cli.common import database, group

app = group("Parties of the network and their EOCs.")


@app.command("load")
def directory_load(
    file: Annotated[Path, typer.Argument(help="A network file (YAML), see docs/directory.md.")],
) -> None:
    """Load or update the parties from a network file."""
    with database() as (_, db):
        spec = directory.read_network_file(file)
        counts = db.run_sync(directory.load_network, None, spec)
    typer.echo(
        f"{spec.name} {spec.version}: {counts['created']} created, "
        f"{counts['updated']} updated, {counts['deactivated']} deactivated"
    )
