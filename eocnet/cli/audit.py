"""``eocnet audit``: the tamper-evident audit trail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from eocnet.actions import audit
from eocnet.cli.common import database, fail, group
from eocnet.config import get_settings

app = group("The tamper-evident audit trail.")


@app.command("verify")
def audit_verify(
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="A checkpoint saved by 'eocnet audit checkpoint': the trail must still "
            "hold its entries and head, which detects a trail cut short or rehashed.",
        ),
    ] = None,
) -> None:
    """Check the audit trail's hash chain; name the first broken entry."""
    saved = None
    if checkpoint is not None:
        try:
            saved = json.loads(checkpoint.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            fail(f"cannot read the checkpoint {checkpoint}: {exc}")
        if not isinstance(saved, dict):
            fail(f"{checkpoint} is not an audit checkpoint")
    with database() as (_, db), db.read() as session:
        report = audit.verify_chain(session)
        problem = (
            audit.check_checkpoint(session, get_settings().secret_key, saved) if saved else None
        )
    if not report.intact:
        fail(f"audit chain broken at entry {report.broken_id}: {report.reason}")
    if problem:
        fail(f"audit trail does not match the checkpoint: {problem}")
    suffix = f", extending the checkpoint of {saved['at']}" if saved else ""
    typer.echo(f"audit chain intact: {report.checked} entries{suffix}")


@app.command("checkpoint")
def audit_checkpoint() -> None:
    """Print a signed checkpoint of the trail's head (entries, newest id and hash) as
    JSON. Run it daily and keep the output where this host cannot rewrite it (the
    coordinator, another node, an e-mail address, a file the operator keeps)."""
    with database() as (_, db), db.read() as session:
        saved = audit.checkpoint(session, get_settings().secret_key)
    typer.echo(json.dumps(saved, indent=2))
