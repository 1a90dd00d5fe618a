"""What the command groups share: the database handle, one-line failures, users by
e-mail, input and output files, and the options that recur."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from sqlalchemy.orm import Session

from eocnet.actions import users
from eocnet.config import Settings, get_settings
from eocnet.db.database import Database
from eocnet.db.models import User

OutputCsv = Annotated[str, typer.Option("-o", "--output", help="Output CSV; - for stdout.")]


def group(help_text: str) -> typer.Typer:
    """A command group: ``eocnet NAME --help`` lists its commands."""
    return typer.Typer(help=help_text, no_args_is_help=True, rich_markup_mode=None)


class CliError(Exception):
    """A failure to report as one line on stderr with exit status 1."""


def fail(message: str) -> NoReturn:
    raise CliError(message)


@contextmanager
def database() -> Iterator[tuple[Settings, Database]]:
    settings = get_settings()
    db = Database(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    try:
        yield settings, db
    finally:
        db.dispose()


def find_user(session: Session, email: str) -> User:
    user = users.find_by_email(session, email)
    if user is None:
        fail(f"no user with e-mail {email}")
    return user


def read_input(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}")
    return ""


def write_output(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror}")
