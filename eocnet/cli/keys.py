"""``eocnet keys``: the master key that protects personal data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from eocnet.cli.common import database, fail, group

app = group("The master key that protects personal data.")


@app.command("new")
def keys_new() -> None:
    """Print a new random master key (base64 of 32 bytes) for EOCNET_MASTER_KEY."""
    from eocnet.vault.envelope import new_master_key

    typer.echo(new_master_key())


@app.command("rotate")
def keys_rotate(
    old_key_file: Annotated[
        Path,
        typer.Option(
            help="File holding the previous master key; the current one (EOCNET_MASTER_KEY "
            "or EOCNET_MASTER_KEY_FILE) becomes the key of every notice."
        ),
    ],
) -> None:
    """Re-wrap the data key of every notice under the current master key. Set the new
    key in the configuration first, run this with the old one, then discard the old."""
    from eocnet.actions import tracing
    from eocnet.config import master_key_text
    from eocnet.vault.envelope import MasterKey, VaultError

    try:
        old = MasterKey.from_base64(old_key_file.read_text())
    except OSError as exc:
        fail(f"cannot read {old_key_file}: {exc.strerror}")
    except VaultError as exc:
        fail(f"{old_key_file}: {exc}")
    with database() as (settings, db):
        try:
            new = MasterKey.from_base64(master_key_text(settings))
        except VaultError as exc:
            fail(f"the current master key: {exc}")
        try:
            changed = db.run_sync(tracing.rotate_master_key, old, new)
        except VaultError as exc:
            fail(f"the old key does not open the notices' data keys: {exc}")
    typer.echo(f"re-wrapped the data keys of {changed} notice(s) under key {new.key_id}")
