"""The audit trail: every write leaves an entry; editing one behind the app's back is caught."""

import itertools
import json

from sqlalchemy import select, text

from eocnet.actions import audit
from eocnet.db.models import AuditEntry
from tests.helpers import run_cli


def _entries(db):
    with db.read() as s:
        return s.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()


def test_writes_are_audited_and_chained(db, make_person):
    make_person("IDN", "officer")
    entries = _entries(db)
    actions = [e.action for e in entries]
    assert actions[0] == "directory.load"
    assert "user.create" in actions and "token.create" in actions
    for prev, cur in itertools.pairwise(entries):
        assert cur.prev_hash == prev.hash
    with db.read() as s:
        assert audit.verify_chain(s).intact


def test_edit_behind_the_back_is_caught(db, make_person, monkeypatch, capsys, database_url):
    make_person("IDN", "officer")
    make_person("THA", "officer")
    entries = _entries(db)
    victim = entries[len(entries) // 2]
    forged = json.dumps({"email": "someone-else@example.org"})
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_entry SET details = :d WHERE id = :i"), {"d": forged, "i": victim.id}
        )
    with db.read() as s:
        report = audit.verify_chain(s, batch=3)  # small batches: the check crosses batches
    assert not report.intact and report.broken_id == victim.id
    result = run_cli(monkeypatch, capsys, database_url, "audit", "verify")
    assert result.code != 0
    assert f"entry {victim.id}" in result.err and result.err.count("\n") == 1


def test_deleted_entry_is_caught(db, make_person):
    make_person("IDN", "officer")
    entries = _entries(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :i"), {"i": entries[1].id})
    with db.read() as s:
        report = audit.verify_chain(s)
    assert report.broken_id == entries[2].id


def test_intact_chain_cli(db, make_person, monkeypatch, capsys, database_url):
    make_person("IDN", "officer")
    result = run_cli(monkeypatch, capsys, database_url, "audit", "verify")
    assert result.code == 0 and "intact" in result.out


def test_failed_login_is_audited_even_though_login_fails(client, db, make_person):
    p = make_person("IDN", "officer")
    client.get("/login")
    csrf = _csrf(client)
    r = client.post(
        "/login", data={"email": p.email, "password": "wrong password!", "csrf_token": csrf}
    )
    assert r.status_code == 401
    failed = [e for e in _entries(db) if e.action == "login.failed"]
    assert failed and failed[-1].actor == p.email


def _csrf(client):
    import re

    page = client.get("/login").text
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def test_a_checkpoint_catches_truncation_and_rehashing(
    db, make_person, monkeypatch, capsys, database_url, tmp_path
):
    """What the chain alone cannot see: the newest entries deleted, or one rewritten
    and every later hash recomputed. A signed checkpoint of the head catches both."""
    from eocnet.domain.audit_chain import entry_hash

    make_person("IDN", "officer")
    made = run_cli(monkeypatch, capsys, database_url, "audit", "checkpoint")
    assert made.code == 0, made.err
    saved = tmp_path / "checkpoint.json"
    saved.write_text(made.out)
    assert json.loads(made.out)["entries"] == len(_entries(db))
    make_person("THA", "officer")  # the trail grows: still extends the checkpoint
    ok = run_cli(monkeypatch, capsys, database_url, "audit", "verify", "--checkpoint", str(saved))
    assert ok.code == 0 and "extending the checkpoint" in ok.out, ok.err

    # a checkpoint edited by hand, or signed with another secret, is refused
    forged = json.loads(made.out) | {"entries": 1}
    (tmp_path / "forged.json").write_text(json.dumps(forged))
    r = run_cli(
        monkeypatch, capsys, database_url, "audit", "verify", "--checkpoint",
        str(tmp_path / "forged.json"),
    )  # fmt: skip
    assert r.code != 0 and "signature" in r.err

    # rewrite an early entry and recompute every later hash: the chain looks intact
    entries = _entries(db)
    victim = entries[1]
    with db.engine.begin() as conn:
        conn.execute(
            text("UPDATE audit_entry SET details = :d WHERE id = :i"),
            {"d": json.dumps({"forged": True}), "i": victim.id},
        )
    previous = entries[0].hash
    for entry in _entries(db):
        if entry.id < victim.id:
            continue
        fields = audit._fields(entry)
        new_hash = entry_hash(previous, fields)
        with db.engine.begin() as conn:
            conn.execute(
                text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :i"),
                {"p": previous, "h": new_hash, "i": entry.id},
            )
        previous = new_hash
    plain = run_cli(monkeypatch, capsys, database_url, "audit", "verify")
    assert plain.code == 0  # the chain alone cannot tell
    r = run_cli(monkeypatch, capsys, database_url, "audit", "verify", "--checkpoint", str(saved))
    assert r.code != 0 and "rehashed" in r.err, r.out

    # cut the trail short: the newest entries deleted
    with db.engine.begin() as conn:
        conn.execute(
            text("DELETE FROM audit_entry WHERE id >= :i"), {"i": json.loads(made.out)["last_id"]}
        )
    assert run_cli(monkeypatch, capsys, database_url, "audit", "verify").code == 0
    r = run_cli(monkeypatch, capsys, database_url, "audit", "verify", "--checkpoint", str(saved))
    assert r.code != 0 and "cut" in r.err
