"""Helpers shared by tests: running the CLI in-process, counting rows, TOTP codes."""

from __future__ import annotations

import io
import sys
import time
from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy import func, select

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
