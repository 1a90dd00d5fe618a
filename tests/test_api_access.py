"""Who may call what: no credentials, the wrong role, the wrong party, read-only tokens."""

import re

from sqlalchemy import select

from eocnet.db.models import AuditEntry

PUBLIC = {"/api/v1/openapi.json", "/api/v1/docs"}


def _api_routes(app):
    """Every operation the OpenAPI document describes under /api/v1."""
    for path, operations in app.openapi()["paths"].items():
        if not path.startswith("/api/v1") or path in PUBLIC:
            continue
        for method in operations:
            yield method.upper(), re.sub(r"\{[^}]+\}", "1", path)


def test_every_api_endpoint_needs_credentials(client, app):
    routes = list(_api_routes(app))
    assert len(routes) >= 8
    for method, path in routes:
        r = client.request(method, path, json={})
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_bad_tokens_are_refused(client, make_person):
    p = make_person("IDN", "officer")
    for header in ["Bearer nope", "Basic abc", "Bearer ", p.headers["Authorization"] + "x"]:
        assert client.get("/api/v1/me", headers={"Authorization": header}).status_code == 401


def test_me_reports_party_and_roles(client, make_person):
    p = make_person("KHM", "officer", "focal_point")
    body = client.get("/api/v1/me", headers=p.headers).json()
    assert body["party"] == "KHM" and body["roles"] == ["officer", "focal_point"]
    assert body["email"] == p.email


def test_directory_visible_to_all_but_focal_points_not_to_partners(client, make_person):
    make_person("IDN", "officer", "focal_point", email="fp@idn.example")
    officer = make_person("THA", "officer")
    partner = make_person("JPN", "partner")
    parties = client.get("/api/v1/parties", headers=partner.headers).json()
    assert {"IDN", "ASEC", "JPN", "WHO"} <= {p["code"] for p in parties}
    assert (
        client.get("/api/v1/parties?kind=member", headers=officer.headers).json()[0]["kind"]
        == "member"
    )
    seen = client.get("/api/v1/parties/IDN", headers=officer.headers).json()
    assert [f["email"] for f in seen["focal_points"]] == ["fp@idn.example"]
    hidden = client.get("/api/v1/parties/IDN", headers=partner.headers).json()
    assert hidden["focal_points"] is None
    assert "fp@idn.example" not in client.get("/api/v1/parties/IDN", headers=partner.headers).text
    assert client.get("/api/v1/parties/XXX", headers=officer.headers).status_code == 404


def test_only_admins_manage_users_and_only_their_party(client, make_person, db):
    officer = make_person("IDN", "officer")
    idn_admin = make_person("IDN", "admin")
    net_admin = make_person("ASEC", "admin")
    victim = make_person("THA", "officer")
    assert client.get("/api/v1/users", headers=officer.headers).status_code == 403
    own = client.get("/api/v1/users", headers=idn_admin.headers).json()
    assert {u["party"] for u in own} == {"IDN"}
    everyone = client.get("/api/v1/users", headers=net_admin.headers).json()
    assert {"IDN", "THA", "ASEC"} <= {u["party"] for u in everyone}
    # a party admin can neither see nor disable another party's user
    r = client.patch(
        f"/api/v1/users/{victim.id}", json={"active": False}, headers=idn_admin.headers
    )
    assert r.status_code == 404
    r = client.post(
        "/api/v1/users",
        headers=idn_admin.headers,
        json={
            "email": "x@tha.example",
            "party": "THA",
            "roles": ["officer"],
            "password": "a fine long password",
        },
    )
    assert r.status_code == 403
    # the network admin can
    r = client.patch(
        f"/api/v1/users/{victim.id}", json={"active": False}, headers=net_admin.headers
    )
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.get("/api/v1/me", headers=victim.headers).status_code == 401


def test_admin_creates_user_in_own_party(client, make_person, db):
    admin = make_person("IDN", "admin")
    r = client.post(
        "/api/v1/users",
        headers=admin.headers,
        json={
            "email": "New.Officer@idn.example",
            "party": "IDN",
            "roles": ["officer"],
            "password": "a fine long password",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["email"] == "new.officer@idn.example"
    with db.read() as s:
        entry = (
            s.execute(
                select(AuditEntry)
                .where(AuditEntry.action == "user.create")
                .order_by(AuditEntry.id.desc())
            )
            .scalars()
            .first()
        )
        assert entry.actor == admin.email and entry.party_code == "IDN"


def test_read_token_cannot_write(client, make_person):
    reader = make_person("IDN", "admin", scope="read")
    assert client.get("/api/v1/me", headers=reader.headers).status_code == 200
    r = client.post("/api/v1/tokens", headers=reader.headers, json={"scope": "read"})
    assert r.status_code == 403 and "read-only" in r.json()["detail"]


def test_tokens_create_list_revoke(client, make_person):
    p = make_person("IDN", "officer")
    r = client.post("/api/v1/tokens", headers=p.headers, json={"scope": "read", "name": "script"})
    assert r.status_code == 201
    token = r.json()["token"]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()["token_scope"]
        == "read"
    )
    listed = client.get("/api/v1/tokens", headers=p.headers).json()
    assert all("token" not in t for t in listed) and len(listed) == 2
    other = make_person("THA", "officer")
    assert (
        client.delete(f"/api/v1/tokens/{r.json()['id']}", headers=other.headers).status_code == 404
    )
    assert client.delete(f"/api/v1/tokens/{r.json()['id']}", headers=p.headers).status_code == 204
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_audit_trail_access(client, make_person):
    officer = make_person("IDN", "officer")
    idn_admin = make_person("IDN", "admin")
    net_admin = make_person("ASEC", "admin")
    make_person("THA", "admin")
    assert client.get("/api/v1/audit", headers=officer.headers).status_code == 403
    mine = client.get("/api/v1/audit", headers=idn_admin.headers).json()["items"]
    assert mine and {e["party"] for e in mine} == {"IDN"}
    assert client.get("/api/v1/audit/verify", headers=idn_admin.headers).status_code == 403
    all_entries = client.get("/api/v1/audit?limit=500", headers=net_admin.headers).json()["items"]
    assert {"IDN", "THA", "ASEC"} <= {e["party"] for e in all_entries}
    filtered = client.get("/api/v1/audit?action=token.&party=THA", headers=net_admin.headers).json()
    assert filtered["items"] and all(
        e["action"].startswith("token.") and e["party"] == "THA" for e in filtered["items"]
    )
    report = client.get("/api/v1/audit/verify", headers=net_admin.headers).json()
    assert report["intact"] is True and report["checked"] >= len(all_entries)


def test_audit_paging(client, make_person):
    admin = make_person("ASEC", "admin")
    first = client.get("/api/v1/audit?limit=2", headers=admin.headers).json()
    assert len(first["items"]) == 2 and first["next_before_id"]
    second = client.get(
        f"/api/v1/audit?limit=2&before_id={first['next_before_id']}", headers=admin.headers
    ).json()
    assert second["items"][0]["id"] < first["items"][-1]["id"]
