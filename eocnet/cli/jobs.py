"""``eocnet jobs``: scheduled work."""

from __future__ import annotations

from typing import Annotated

import typer

from eocnet.cli.common import database, fail, group

app = group("Scheduled work: alert reminders, e-mail, webhooks, retention.")


@app.command("run")
def jobs_run(
    once: Annotated[bool, typer.Option("--once", help="One round, then exit.")] = False,
) -> None:
    """Run the scheduled jobs in this process (when servers run with
    EOCNET_JOBS_IN_SERVER=false)."""
    import time

    from eocnet.db.types import utcnow
    from eocnet.jobs import push, runner

    with database() as (settings, db):
        push.ensure_keys(db, settings)
        while True:
            done = runner.run_once(db, settings)
            typer.echo(" ".join(f"{k}={v}" for k, v in done.items()))
            if once:
                return
            # push messages are sent between the rounds, every EOCNET_PUSH_INTERVAL_SECONDS
            deadline = time.monotonic() + settings.jobs_interval_seconds
            while (left := deadline - time.monotonic()) > 0:
                time.sleep(min(left, settings.push_interval_seconds))
                try:
                    push.run(db, settings, utcnow())
                except Exception as exc:
                    typer.echo(f"push failed: {type(exc).__name__}: {exc}", err=True)


@app.command("purge")
def jobs_purge(
    now: Annotated[
        str | None,
        typer.Option(
            help="Count the follow-up periods and the margin up to this time (ISO 8601) "
            "instead of now."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only list what would be deleted.")
    ] = False,
) -> None:
    """Delete the personal data of traced persons whose follow-up ended more than the
    margin (EOCNET_TRACING_FOLLOW_UP_MARGIN_DAYS) ago."""
    from datetime import UTC, datetime

    from eocnet.actions import tracing

    when = datetime.now(UTC)
    if now:
        try:
            when = datetime.fromisoformat(now)
        except ValueError:
            fail(f"--now must be an ISO 8601 date-time, not {now!r}")
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    with database() as (settings, db):
        done = db.run_sync(
            tracing.purge,
            when,
            margin_days=settings.tracing_follow_up_margin_days,
            dry_run=dry_run,
        )
        if done.notices and not dry_run:
            db.checkpoint_wal()  # the deleted keys and ciphertexts leave the files now
    verb = "would delete" if dry_run else "deleted"
    ids = done.notices
    typer.echo(
        f"{verb} the personal data of {done.persons} person(s) in {len(ids)} notice(s)"
        + (f": {', '.join(str(i) for i in ids)}" if ids else "")
    )
