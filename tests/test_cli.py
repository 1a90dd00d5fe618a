"""The command line: non-interactive use, one-line errors, non-zero exits."""

import os
import subprocess
import sys

import pytest
from sqlalchemy import select

from eocnet.db.models import User
from tests.helpers import count, run_cli


def test_user_create_with_password_stdin(db, monkeypatch, capsys, database_url):
    r = run_cli(
        monkeypatch,
        capsys,
        database_url,
        "user",
        "create",
        "duty@khm.example",
        "--party",
        "KHM",
        "--role",
        "officer",
        "--role",
        "focal_point",
        "--password-stdin",
        stdin="a very good password\n",
    )
    assert r.code == 0, r.err
    with db.read() as s:
        user = s.execute(select(User).where(User.email == "duty@khm.example")).scalar_one()
        assert user.roles == ["officer", "focal_point"] and user.party_code == "KHM"
    r = run_cli(monkeypatch, capsys, database_url, "user", "list", "--party", "KHM")
    assert "duty@khm.example" in r.out


def test_user_create_errors_are_one_line(db, monkeypatch, capsys, database_url):
    before = count(db, User)
    for args, stdin, needle in [
        (["--party", "XXX", "--role", "officer"], "a very good password\n", "unknown party"),
        (["--party", "KHM", "--role", "emperor"], "a very good password\n", "unknown role"),
        (["--party", "KHM", "--role", "officer"], "short\n", "at least 12"),
    ]:
        r = run_cli(
            monkeypatch,
            capsys,
            database_url,
            "user",
            "create",
            "x@khm.example",
            *args,
            "--password-stdin",
            stdin=stdin,
        )
        assert r.code == 1 and needle in r.err and r.err.count("\n") == 1, r.err
    assert count(db, User) == before


def test_token_create_prints_only_the_token(db, make_person, database_url):
    p = make_person("IDN", "officer")
    env = {
        **os.environ,
        "EOCNET_DATABASE_URL": database_url,
        "EOCNET_SECRET_KEY": "test-secret-key-that-is-long-enough-for-production-use",
    }
    out = subprocess.run(
        [sys.executable, "-m", "eocnet.cli", "token", "create", p.email, "--scope", "write"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = out.stdout.strip()
    assert out.stdout == token + "\n" and token.startswith("eoc_")
    bad = subprocess.run(
        [sys.executable, "-m", "eocnet.cli", "token", "create", "nobody@x.org"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1 and bad.stdout == "" and "no user" in bad.stderr


def test_token_revoke_and_list(db, make_person, monkeypatch, capsys, database_url):
    p = make_person("IDN", "officer")
    r = run_cli(monkeypatch, capsys, database_url, "token", "list", p.email)
    token_id = r.out.split("\t")[0]
    assert run_cli(monkeypatch, capsys, database_url, "token", "revoke", token_id).code == 0
    assert "revoked" in run_cli(monkeypatch, capsys, database_url, "token", "list", p.email).out
    again = run_cli(monkeypatch, capsys, database_url, "token", "revoke", token_id)
    assert again.code == 1 and "no active token" in again.err


def test_disable_enable_and_reset_2fa(db, make_person, monkeypatch, capsys, database_url, client):
    p = make_person("IDN", "officer")
    assert run_cli(monkeypatch, capsys, database_url, "user", "disable", p.email).code == 0
    assert client.get("/api/v1/me", headers=p.headers).status_code == 401
    assert run_cli(monkeypatch, capsys, database_url, "user", "enable", p.email).code == 0
    assert client.get("/api/v1/me", headers=p.headers).status_code == 200
    assert run_cli(monkeypatch, capsys, database_url, "user", "reset-2fa", p.email).code == 0
    missing = run_cli(monkeypatch, capsys, database_url, "user", "disable", "ghost@x.org")
    assert missing.code == 1 and "no user" in missing.err


def test_demo_load_and_credentials(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path}/demo.db"
    assert run_cli(monkeypatch, capsys, url, "demo", "credentials").code == 1  # not migrated
    assert run_cli(monkeypatch, capsys, url, "db", "upgrade").code == 0
    first = run_cli(monkeypatch, capsys, url, "demo", "load")
    assert first.code == 0 and "officer.idn@eocnet.example" in first.out
    password = first.out.split("password:")[1].split()[0]
    again = run_cli(monkeypatch, capsys, url, "demo", "load")
    assert again.code == 0 and password not in again.out
    creds = run_cli(monkeypatch, capsys, url, "demo", "credentials")
    assert creds.code == 0 and password in creds.out
    # the demo network has a user of every role
    listing = run_cli(monkeypatch, capsys, url, "user", "list").out
    for role in ["officer", "focal_point", "coordinator", "partner", "admin"]:
        assert role in listing
    # after the password changes, the credentials are no longer retrievable
    from eocnet.actions import users
    from eocnet.db.database import Database
    from eocnet.db.models import AdvisoryMessage, FactCheck, Rumour
    from eocnet.interop import cap

    db = Database(url)
    with db.read() as s:  # risk communication: valid CAP messages, a fact check, rumours
        messages = s.scalars(select(AdvisoryMessage)).all()
        assert len(messages) == 2
        assert all(cap.validate(m.xml.encode()) == [] for m in messages)
        assert {"zh-Hans", "ta", "ms"} <= {
            i.language for i in cap.read(messages[0].xml.encode()).infos
        }
        assert s.scalars(select(FactCheck.status)).all() == ["published"]
        assert len(s.scalars(select(Rumour)).all()) == 3
        # coordination: every part has sample data
        from eocnet.db import models

        for table in (
            models.Laboratory, models.SupportRequest, models.SpecimenShipment, models.StockItem,
            models.PledgeAllocation, models.Mechanism, models.Meeting, models.ActionItem,
            models.Agreement, models.PlanActivity, models.IndicatorReport, models.ConnectivityProbe,
            models.StoredFile,
        ):  # fmt: skip
            assert s.scalars(select(table)).first() is not None, table.__name__
        # surveillance: ICD-10 since 2016 for dengue; the syndromes by WHO's case definitions
        diseases = {d.code: (d.name, d.icd_code) for d in s.scalars(select(models.Disease))}
        assert diseases == {
            "DEN": ("Dengue", "A97"),
            "MEA": ("Measles", "B05"),
            "ILI": ("Influenza-like illness (ILI)", ""),
            "SARI": ("Severe acute respiratory infection (SARI)", ""),
        }
        assert s.scalar(select(models.Event.icd_code).where(models.Event.hazard == "Dengue")) == (
            "A97"
        )
    with db.transaction() as s:
        u = users.find_by_email(s, "officer.idn@eocnet.example")
        users.change_password(s, u, password, "a brand new password")
    db.dispose()
    gone = run_cli(monkeypatch, capsys, url, "demo", "credentials")
    assert gone.code == 1 and "changed" in gone.err


def test_version_and_help(monkeypatch, capsys, database_url):
    assert run_cli(monkeypatch, capsys, database_url, "version").out.strip()
    r = run_cli(monkeypatch, capsys, database_url, "--help")
    assert r.code == 0 and "serve" in r.out and "audit" in r.out


def test_serve_refuses_unsafe_production(monkeypatch, capsys, database_url):
    monkeypatch.setenv("EOCNET_ENV", "production")
    monkeypatch.setenv("EOCNET_BASE_URL", "http://eoc.example.org")
    r = run_cli(monkeypatch, capsys, database_url, "serve")
    assert r.code == 1 and "refusing to start" in r.err


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["nosuch"], "No such command 'nosuch'"),
        (["risk", "importation", "--bogus"], "No such option: --bogus"),
        (["user", "create"], "Missing argument 'email'"),
        (["analyze", "rt", "FILE", "--si-mean", "x"], "Invalid value for '--si-mean'"),
        (
            ["report", "weekly", "--week", "2026-W99", "-o", "week.pdf"],
            "Invalid value for '--week': '2026-W99' is not a week of that year",
        ),
    ],
)
def test_bad_command_lines_are_usage_errors(tmp_path, args, needle):
    """Through the real entry point: the usage, the problem, exit status 2, no traceback."""
    env = {**os.environ, "EOCNET_DATABASE_URL": f"sqlite:///{tmp_path}/none.db"}
    r = subprocess.run(
        [sys.executable, "-m", "eocnet", *args],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) <= 5, r.stderr
    assert r.stderr.startswith("Usage: python -m eocnet ") and needle in r.stderr, r.stderr
    assert not (tmp_path / "none.db").exists()


def test_group_help_and_no_arguments(monkeypatch, capsys, database_url):
    r = run_cli(monkeypatch, capsys, database_url, "report", "--help")
    assert r.code == 0 and "weekly" in r.out and "sitrep" in r.out
    bare = run_cli(monkeypatch, capsys, database_url, "user")
    assert bare.code == 2 and "create" in bare.err and "Traceback" not in bare.err


def test_directory_load(db, monkeypatch, capsys, database_url):
    from eocnet.actions import directory

    r = run_cli(
        monkeypatch, capsys, database_url, "directory", "load", str(directory.DEFAULT_NETWORK)
    )
    assert r.code == 0, r.err
    assert r.out.startswith("ASEAN") and "0 created" in r.out and "0 deactivated" in r.out
