"""``eocnet cap``: CAP 1.2 alert messages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from eocnet.actions import users
from eocnet.cli.common import database, fail, find_user, group

app = group(
    "CAP 1.2 alert messages: check them against the OASIS standard and its schema, "
    "and import them as draft advisories."
)


@app.command("validate")
def cap_validate(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CAP messages to check.")],
    require_signature: Annotated[
        bool,
        typer.Option(help="Also require a valid XML signature by a trusted certificate."),
    ] = False,
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            metavar="CERT.pem",
            help="A trusted certificate (PEM; repeat for several). A signing certificate "
            "is trusted when it is one of these or was issued by one of them.",
        ),
    ] = None,
) -> None:
    """Check CAP 1.2 messages: the OASIS XML schema, then the standard's rules the
    schema cannot express (identifiers, references of updates and cancellations,
    closed polygons, circles, times).

    Prints one line per problem, "FILE:LINE: [rule] message", and "FILE: valid"
    for each good file. Exits 0 only when every file is valid. Documents with a
    DTD or entity declarations are refused before parsing (XXE)."""
    from eocnet.interop import cap, cap_signature

    trusted = []
    if require_signature:
        if not trust:
            fail("--require-signature needs the trusted certificate(s): --trust CERT.pem")
        try:
            trusted = cap_signature.load_trusted(list(trust or []))
        except (OSError, ValueError) as exc:
            fail(f"cannot read the trusted certificates: {exc}")
    invalid = 0
    for path in files:
        try:
            data = path.read_bytes()
        except OSError as exc:
            typer.echo(f"{path}: cannot be read: {exc.strerror or exc}")
            invalid += 1
            continue
        root, problems = cap.check(data)
        if not problems and require_signature and root is not None:
            problems = cap_signature.check(data, root, trusted)
        for problem in problems:
            typer.echo(f"{path}:{problem.line}: [{problem.rule}] {problem.message}")
        if problems:
            invalid += 1
        else:
            typer.echo(
                f"{path}: valid"
                + (" and signed by a trusted certificate" if require_signature else "")
            )
    if invalid:
        typer.echo(f"{invalid} of {len(files)} file(s) invalid", err=True)
        raise typer.Exit(1)


def _import_cap(session: Session, email: str, data: bytes) -> int:
    """The id of the draft advisory made of a CAP message."""
    from eocnet.actions import advisories

    actor = users.actor_for(find_user(session, email))
    return advisories.import_cap(session, actor, data).id


@app.command("import")
def cap_import(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CAP messages.")],
    user: Annotated[str, typer.Option(help="E-mail of the officer whose party drafts them.")],
) -> None:
    """Import CAP 1.2 messages as draft advisories (each is validated first).

    Every file is imported in its own transaction: a valid one becomes a draft
    even when another is refused. Exits 1 if any file was refused."""
    from eocnet.actions.errors import ActionError

    refused = 0
    with database() as (_, db):
        for path in files:
            try:
                data = path.read_bytes()
            except OSError as exc:
                typer.echo(f"{path}: cannot be read: {exc.strerror or exc}", err=True)
                refused += 1
                continue
            try:
                advisory_id = db.run_sync(_import_cap, user, data)
                typer.echo(f"{path}: draft advisory {advisory_id}")
            except ActionError as exc:
                refused += 1
                for problem in exc.errors or [{"detail": exc.detail}]:
                    typer.echo(f"{path}: {problem['detail']}", err=True)
    if refused:
        fail(f"{refused} of {len(files)} file(s) not imported")
