"""``eocnet token``: personal API tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import tokens
from eocnet.cli.common import database, find_user, group

app = group("Personal API tokens.")


@app.command("create")
def token_create(
    email: Annotated[str, typer.Argument(help="Whose token it is.")],
    scope: Annotated[str, typer.Option(help="read or write.")] = "read",
    name: Annotated[str, typer.Option(help="A label to recognise it by.")] = "",
) -> None:
    """Create an API token and print only the token (it is not shown again)."""

    def create(session: Session) -> str:
        _, raw = tokens.create_token(
            session, None, find_user(session, email), scope=scope, name=name or "cli"
        )
        return raw

    with database() as (_, db):
        raw = db.run_sync(create)
    typer.echo(raw)


@app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(help="The token's id.")]) -> None:
    """Revoke an API token by id (see 'eocnet token list')."""
    with database() as (_, db):
        db.run_sync(tokens.revoke_token, None, token_id)
    typer.echo(f"token {token_id} revoked")


@app.command("list")
def token_list(email: str) -> None:
    """List a user's tokens: id, prefix, scope, state."""
    from eocnet.db.models import ApiToken

    with database() as (_, db), db.read() as session:
        user = find_user(session, email)
        for t in session.execute(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
        ).scalars():
            state = "revoked" if t.revoked_at else "active"
            typer.echo(f"{t.id}\t{t.prefix}…\t{t.scope}\t{state}\t{t.name}")
