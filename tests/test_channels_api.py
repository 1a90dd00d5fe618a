"""Channels: who may read them, messages, catch-up with ?after, edits, read state, unread."""

import pytest


@pytest.fixture
def people(make_person):
    return {
        "idn": make_person("IDN", "officer"),
        "khm": make_person("KHM", "officer"),
        "tha": make_person("THA", "officer"),
        "jpn": make_person("JPN", "partner"),
    }


def test_bilateral_channel_contract_and_privacy(client, people):
    idn, khm, tha = people["idn"], people["khm"], people["tha"]
    r = client.post(
        "/api/v1/channels", json={"name": "IDN–KHM", "parties": ["KHM"]}, headers=idn.headers
    )
    assert r.status_code == 201 and r.json()["parties"] == ["IDN", "KHM"]
    cid = r.json()["id"]
    ids = []
    for text in ["first", "second", "third"]:
        m = client.post(
            f"/api/v1/channels/{cid}/messages", json={"body": text}, headers=idn.headers
        )
        assert m.status_code == 201
        ids.append(m.json()["id"])
    got = client.get(f"/api/v1/channels/{cid}/messages?after={ids[0]}", headers=khm.headers)
    assert [m["body"] for m in got.json()] == ["second", "third"]
    for outsider in (tha, people["jpn"]):
        assert (
            client.get(f"/api/v1/channels/{cid}/messages", headers=outsider.headers).status_code
            == 404
        )
        assert (
            client.post(
                f"/api/v1/channels/{cid}/messages", json={"body": "x"}, headers=outsider.headers
            ).status_code
            == 404
        )
        assert cid not in [
            c["id"] for c in client.get("/api/v1/channels", headers=outsider.headers).json()
        ]


def test_network_channel_excludes_partners(client, people):
    cid = client.post(
        "/api/v1/channels", json={"name": "Duty officers"}, headers=people["idn"].headers
    ).json()["id"]
    assert client.get(f"/api/v1/channels/{cid}", headers=people["tha"].headers).status_code == 200
    assert client.get(f"/api/v1/channels/{cid}", headers=people["jpn"].headers).status_code == 404
    both = client.post(
        "/api/v1/channels",
        json={"name": "With partners", "partners": True},
        headers=people["idn"].headers,
    ).json()["id"]
    assert client.get(f"/api/v1/channels/{both}", headers=people["jpn"].headers).status_code == 200


def test_mentions_replies_edits(client, people):
    idn, khm = people["idn"], people["khm"]
    cid = client.post(
        "/api/v1/channels", json={"name": "x", "parties": ["KHM"]}, headers=idn.headers
    ).json()["id"]
    first = client.post(
        f"/api/v1/channels/{cid}/messages",
        headers=idn.headers,
        json={"body": f"@KHM please check, cc @{khm.email}"},
    ).json()
    assert first["mentions"] == sorted(["KHM", khm.email])
    reply = client.post(
        f"/api/v1/channels/{cid}/messages",
        headers=khm.headers,
        json={"body": "on it", "reply_to": first["id"]},
    )
    assert reply.json()["reply_to"] == first["id"]
    bad = client.post(
        f"/api/v1/channels/{cid}/messages",
        headers=khm.headers,
        json={"body": "x", "reply_to": 999999},
    )
    assert bad.status_code == 422 and bad.json()["field"] == "reply_to"
    edited = client.patch(
        f"/api/v1/channels/{cid}/messages/{first['id']}",
        headers=idn.headers,
        json={"body": "@KHM please check today"},
    )
    assert edited.json()["edited_at"] and edited.json()["mentions"] == ["KHM"]
    assert (
        client.patch(
            f"/api/v1/channels/{cid}/messages/{first['id']}",
            headers=khm.headers,
            json={"body": "x"},
        ).status_code
        == 403
    )


def test_unread_counts_and_read_state(client, people):
    idn, khm = people["idn"], people["khm"]
    cid = client.post(
        "/api/v1/channels", json={"name": "x", "parties": ["KHM"]}, headers=idn.headers
    ).json()["id"]
    last = None
    for i in range(3):
        last = client.post(
            f"/api/v1/channels/{cid}/messages", json={"body": str(i)}, headers=idn.headers
        ).json()["id"]
    mine = {c["id"]: c for c in client.get("/api/v1/channels", headers=khm.headers).json()}
    assert mine[cid]["unread"] == 3
    assert {c["id"]: c for c in client.get("/api/v1/channels", headers=idn.headers).json()}[cid][
        "unread"
    ] == 0
    r = client.post(
        f"/api/v1/channels/{cid}/read", json={"last_read_id": last}, headers=khm.headers
    )
    assert r.json()["last_read_id"] == last
    back = client.post(
        f"/api/v1/channels/{cid}/read", json={"last_read_id": 0}, headers=khm.headers
    )
    assert back.json()["last_read_id"] == last  # never moves backwards
    assert {c["id"]: c for c in client.get("/api/v1/channels", headers=khm.headers).json()}[cid][
        "unread"
    ] == 0


def test_direct_messages_only_between_the_two(client, people, make_person):
    idn, khm = people["idn"], people["khm"]
    other_idn = make_person("IDN", "officer")
    cid = client.post(
        "/api/v1/channels/direct", json={"user_id": khm.id}, headers=idn.headers
    ).json()["id"]
    again = client.post(
        "/api/v1/channels/direct", json={"user_id": idn.id}, headers=khm.headers
    ).json()["id"]
    assert cid == again
    client.post(f"/api/v1/channels/{cid}/messages", json={"body": "private"}, headers=idn.headers)
    assert client.get(f"/api/v1/channels/{cid}/messages", headers=khm.headers).json()
    # a colleague of the same party is not part of a direct conversation
    assert (
        client.get(f"/api/v1/channels/{cid}/messages", headers=other_idn.headers).status_code == 404
    )
    assert client.get("/api/v1/search?q=private", headers=other_idn.headers).json()["items"] == []


def test_event_channel_follows_event_audience(client, people):
    idn, khm, tha = people["idn"], people["khm"], people["tha"]
    event_id = client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "Restricted",
            "hazard": "Diphtheria",
            "country": "IDN",
            "visibility": "restricted",
            "parties": ["KHM"],
        },
    ).json()["id"]
    channel = client.post(f"/api/v1/events/{event_id}/channel", headers=khm.headers).json()
    assert channel["kind"] == "event" and channel["event_id"] == event_id
    assert (
        client.post(f"/api/v1/events/{event_id}/channel", headers=idn.headers).json()["id"]
        == channel["id"]
    )
    assert client.get(f"/api/v1/channels/{channel['id']}", headers=tha.headers).status_code == 404
