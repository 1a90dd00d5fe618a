"""``eocnet user``: user accounts."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import users
from eocnet.cli.common import database, find_user, group
from eocnet.db.models import User

app = group("Manage user accounts.")


@app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The user's e-mail, used to log in.")],
    party: Annotated[str, typer.Option(help="The party code, e.g. IDN.")],
    role: Annotated[
        list[str],
        typer.Option(
            help="Role: officer, focal_point, coordinator, partner or admin; repeat for several."
        ),
    ],
    name: Annotated[str, typer.Option(help="Full name.")] = "",
    phone: Annotated[str, typer.Option(help="Phone, shown to focal-point contacts.")] = "",
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from standard input (no prompt)."),
    ] = False,
) -> None:
    """Create a user. Without --password-stdin the password is asked for twice."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)

    def create(session: Session) -> str:
        user = users.create_user(
            session,
            None,
            email=email,
            party_code=party,
            roles=role,
            password=password,
            name=name,
            phone=phone,
        )
        return f"created user {user.id} {user.email} ({user.party_code}: {', '.join(user.roles)})"

    with database() as (_, db):
        typer.echo(db.run_sync(create))


@app.command("list")
def user_list(
    party: Annotated[str | None, typer.Option(help="Only this party's users.")] = None,
) -> None:
    """List users: e-mail, party, roles, and whether active and with a second factor."""
    with database() as (_, db), db.read() as session:
        query = select(User).order_by(User.party_code, User.email)
        if party:
            query = query.where(User.party_code == party.upper())
        for u in session.execute(query).scalars():
            flags = ("active" if u.is_active else "disabled") + (
                ", 2fa" if u.totp_enabled_at else ""
            )
            typer.echo(f"{u.email}\t{u.party_code}\t{','.join(u.roles)}\t{flags}")


def _set_active(email: str, active: bool) -> None:
    with database() as (_, db):
        db.run_sync(
            lambda session: users.set_active(session, None, find_user(session, email), active)
        )
    typer.echo(f"{email} {'enabled' if active else 'disabled'}")


@app.command("disable")
def user_disable(email: str) -> None:
    """Disable a user: their sessions end and their tokens stop working."""
    _set_active(email, False)


@app.command("enable")
def user_enable(email: str) -> None:
    """Enable a disabled user again."""
    _set_active(email, True)


@app.command("reset-2fa")
def user_reset_2fa(email: str) -> None:
    """Remove a user's second factor (lost phone); they set up a new one at next login."""
    with database() as (_, db):
        db.run_sync(
            lambda session: users.reset_second_factor(session, None, find_user(session, email))
        )
    typer.echo(f"second factor of {email} removed; they will set up a new one at next login")
