"""Plain rules: network files, roles, the audit hash chain."""

import pytest

from eocnet.actions.directory import DEFAULT_NETWORK, read_network_file
from eocnet.domain.audit_chain import GENESIS, entry_hash, first_break
from eocnet.domain.parties import NetworkFileError, parse_network
from eocnet.domain.roles import Permission, Role, needs_second_factor, parse_roles, permissions_for


def test_asean_network_file():
    net = read_network_file(DEFAULT_NETWORK)
    codes = {p.code for p in net.parties}
    assert {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "VNM", "TLS"} <= codes
    members = [p for p in net.parties if p.kind == "member"]
    assert len(members) == 11
    assert {"CHN", "JPN", "KOR", "USA", "GBR", "RUS", "WHO", "ASEC"} <= codes
    assert all(p.contacts for p in net.parties)


def _party(**over):
    base = {
        "code": "IDN",
        "name": "Indonesia",
        "kind": "member",
        "eoc_name": "PHEOC",
        "time_zone": "Asia/Jakarta",
        "languages": ["id"],
    }
    base.update(over)
    return base


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"code": "id"}, "capital letters"),
        ({"kind": "empire"}, "unknown kind"),
        ({"time_zone": "Mars/Olympus"}, "time zone"),
        ({"languages": ["Bahasa"]}, "BCP 47"),
        ({"name": ""}, "missing 'name'"),
    ],
)
def test_network_file_errors_name_the_place(bad, message):
    raw = {
        "name": "n",
        "version": "1",
        "parties": [_party(code="ASEC", kind="coordinator"), _party(**bad)],
    }
    with pytest.raises(NetworkFileError, match=message) as info:
        parse_network(raw)
    assert "party 2" in str(info.value)


def test_network_needs_one_coordinator_and_unique_codes():
    with pytest.raises(NetworkFileError, match="coordinator"):
        parse_network({"name": "n", "version": "1", "parties": [_party()]})
    with pytest.raises(NetworkFileError, match="duplicate"):
        parse_network(
            {
                "name": "n",
                "version": "1",
                "parties": [_party(code="ASEC", kind="coordinator"), _party(), _party()],
            }
        )


def test_roles():
    assert parse_roles(["officer", "officer", "focal_point"]) == [Role.OFFICER, Role.FOCAL_POINT]
    with pytest.raises(ValueError, match="unknown role 'king'"):
        parse_roles(["king"])
    with pytest.raises(ValueError):
        parse_roles([])
    assert needs_second_factor([Role.FOCAL_POINT])
    assert not needs_second_factor([Role.OFFICER, Role.PARTNER])
    admin = permissions_for([Role.ADMIN], party_is_coordinator=False)
    assert Permission.MANAGE_PARTY_USERS in admin and Permission.MANAGE_ALL_USERS not in admin
    assert Permission.VIEW_ALL_AUDIT in permissions_for([Role.ADMIN], party_is_coordinator=True)
    assert Permission.VIEW_FOCAL_POINTS not in permissions_for([Role.PARTNER], False)


def test_hash_chain_detects_edit_and_removal():
    entries, prev = [], GENESIS
    for i in range(1, 5):
        fields = {"id": i, "action": f"a{i}"}
        h = entry_hash(prev, fields)
        entries.append((i, fields, prev, h))
        prev = h
    assert first_break(entries) is None
    edited = list(entries)
    edited[2] = (3, {"id": 3, "action": "forged"}, entries[2][2], entries[2][3])
    assert first_break(edited)[0] == 3
    removed = entries[:1] + entries[2:]
    assert first_break(removed)[0] == 3
