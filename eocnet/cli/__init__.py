"""The command line: ``eocnet --help`` lists everything an operator can do.

One module per command group (``eocnet db`` in db.py, ...); common.py holds what
they share. This module assembles them into the Typer app and maps errors to exit
statuses in ``main()``."""

from __future__ import annotations

import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from typer._click.exceptions import ClickException

from eocnet.actions.errors import ActionError
from eocnet.cli import (
    analyze,
    audit,
    cap,
    db,
    demo,
    directory,
    jobs,
    keys,
    report,
    risk,
    serve,
    surveillance,
    token,
    user,
)
from eocnet.cli.common import CliError, fail
from eocnet.config import UnsafeSettings

__all__ = ["CliError", "app", "fail", "main"]

app = typer.Typer(
    help="eocnet: the secure, real-time exchange of a regional network of public-health "
    "Emergency Operations Centres. Settings come from EOCNET_* environment variables "
    "(see docs/configuration.md).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
app.command()(serve.serve)
app.command()(serve.version)
for module, name in [
    (db, "db"),
    (demo, "demo"),
    (user, "user"),
    (token, "token"),
    (audit, "audit"),
    (directory, "directory"),
    (jobs, "jobs"),
    (keys, "keys"),
    (surveillance, "surveillance"),
    (risk, "risk"),
    (analyze, "analyze"),
    (cap, "cap"),
    (report, "report"),
]:
    app.add_typer(module.app, name=name)


def main() -> None:
    try:
        # without standalone mode, click returns typer.Exit's code instead of exiting
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:
            raise SystemExit(code)
    except CliError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(1) from None
    except ActionError as exc:
        where = f" ({exc.field})" if exc.field else ""
        typer.echo(f"error: {exc.detail}{where}", err=True)
        raise SystemExit(1) from None
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(
            f"error: database problem ({str(exc.orig).splitlines()[0]}); "
            "is it migrated? run 'eocnet db upgrade'",
            err=True,
        )
        raise SystemExit(1) from None
    except UnsafeSettings as exc:
        typer.echo(f"error: refusing to start: {exc}", err=True)
        raise SystemExit(1) from None
    except typer.Abort:
        typer.echo("aborted", err=True)
        raise SystemExit(1) from None
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except ClickException as exc:
        # A bad command line (unknown command or option, missing argument, bad
        # value): the usage, a one-line reason and exit status 2, no traceback.
        # typer carries its own copy of click, whose exceptions these are.
        exc.show()
        raise SystemExit(exc.exit_code) from None
