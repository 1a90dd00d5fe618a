"""Helpers shared by tests: running the CLI in-process, counting rows, TOTP codes."""

from __future__ import annotations

import io
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest
from sqlalchemy import event, func, select

from eocnet import cli
from eocnet.config import get_settings
from eocnet.db.database import Database


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    *args: str,
    stdin: str = "",
) -> CliResult:
    monkeypatch.setenv("EOCNET_DATABASE_URL", database_url)
    monkeypatch.setenv(
        "EOCNET_SECRET_KEY", "test-secret-key-that-is-long-enough-for-production-use"
    )
    monkeypatch.setattr(sys, "argv", ["eocnet", *args])
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    get_settings.cache_clear()
    capsys.readouterr()
    code = 0
    try:
        cli.main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        get_settings.cache_clear()
    captured = capsys.readouterr()
    return CliResult(code, captured.out, captured.err)


def count(db: Database, model: type) -> int:
    with db.read() as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def totp_code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements ``db`` runs inside the block, in this thread (to check a page
    does not make one query per row; the live-stream hub of a running app reads the
    log from other threads meanwhile)."""
    seen: list[str] = []
    thread = threading.get_ident()

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if threading.get_ident() == thread:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
