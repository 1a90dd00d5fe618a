"""``eocnet audit``: the tamper-evident audit trail."""

from __future__ import annotations

import typer

from eocnet.actions import audit
from eocnet.cli.common import database, fail, group

app = group("The tamper-evident audit trail.")


@app.command("verify")
def audit_verify() -> None:
    """Check the audit trail's hash chain; name the first broken entry."""
    with database() as (_, db), db.read() as session:
        report = audit.verify_chain(session)
    if not report.intact:
        fail(f"audit chain broken at entry {report.broken_id}: {report.reason}")
    typer.echo(f"audit chain intact: {report.checked} entries")
