"""``eocnet surveillance``: weekly surveillance reports."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.orm import Session

from eocnet.actions import users
from eocnet.cli.common import database, fail, find_user, group, read_input
from eocnet.config import Settings
from eocnet.domain.actors import Actor

app = group("Weekly surveillance reports.")


@app.command("import")
def surveillance_import(
    input_file: Annotated[
        str, typer.Argument(metavar="FILE.csv", help="Report rows (CSV); - for stdin.")
    ],
    user: Annotated[str, typer.Option(help="E-mail of the officer submitting for their party.")],
    drop_invalid: Annotated[
        bool, typer.Option(help="Save the valid rows and leave out the invalid ones.")
    ] = False,
) -> None:
    """Submit a party's aggregate reports from a CSV file (any size).

    Columns as for uploads: disease, period, and any of area, age_group, sex
    and the six counts. Nothing is saved while a row is invalid, unless
    --drop-invalid; the first invalid rows are listed. Signal detection runs
    on the series that changed.
    """
    from eocnet.actions import surveillance
    from eocnet.interop.report_files import iter_report_csv
    from eocnet.interop.tables import TableError

    text = read_input(input_file)

    def save(
        session: Session, settings: Settings
    ) -> tuple[Actor, surveillance.RowCheck, surveillance.Submission | None]:
        """The rows checked, and saved unless some are invalid (without --drop-invalid)."""
        actor = users.actor_for(find_user(session, user))
        surveillance.require_reporter(actor)
        diseases = {d.code: d for d in surveillance.list_diseases(session)}
        try:
            check = surveillance.check_rows(diseases, actor.party_code, iter_report_csv(text))
        except TableError as exc:
            fail(f"{input_file}: {exc}")
        if check.errors and not drop_invalid:
            return actor, check, None
        if not check.rows:
            fail("no valid row to save")
        return actor, check, surveillance.submit(session, actor, settings, check.rows, source="cli")

    with database() as (settings, db):
        actor, check, saved = db.run_sync(save, settings)
    if saved is None:
        for e in check.errors[:10]:
            typer.echo(f"row {e['row']}: {e['field']}: {e['detail']}", err=True)
        fail(f"{len(check.errors)} of {check.total} rows are invalid; nothing was saved")
    typer.echo(
        f"saved {saved.saved} rows for {actor.party_code} (replaced {saved.replaced}; "
        f"{len(check.errors)} invalid left out; signals: "
        f"{', '.join(f'event {e}' for e in saved.signals) or 'none'})"
    )
