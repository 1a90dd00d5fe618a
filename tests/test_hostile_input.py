"""Hostile input against every text field of every JSON write endpoint and every upload
(issue 24, "the probe, kept"): the fields come from the OpenAPI document, the payloads
from ``tests/hostile.py``. No answer is a server error; a refusal is an RFC 9457 problem
naming the field, and leaves every table as it was; what is stored is shown escaped.

The suite tries a rotating twentieth of the corpus on each field (so every payload
meets the endpoints with many fields); ``make probe`` tries all of it
(``EOCNET_PROBE_FULL=1``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

import pytest

from tests.hostile import (
    FILES,
    TEXT,
    WRONG_TYPES,
    example,
    json_bytes,
    json_operations,
    put,
    text_fields,
    zip_bomb_xlsx,
)
from tests.probe_world import Tally, World, build_world

FULL = os.environ.get("EOCNET_PROBE_FULL") == "1"
ROTATE = int(os.environ.get("EOCNET_PROBE_TEXT_SHARE", "1")) if FULL else 20
# who writes, tried in this order until one may (the owner's party first)
WRITERS = ("owner", "owner_fp", "owner_admin", "coordinator")
# tables that a refusal may still touch: none (the audit trail records only changes)


@pytest.fixture(scope="module")
def world(database_url, shared_db) -> Iterator[World]:  # type: ignore[no-untyped-def]
    with build_world(database_url, shared_db) as w:
        yield w


def fill(world: World, path: str) -> str:
    ids = {**world.ids, "item_id": world.ids["action_item_id"]}
    ids["file_id"] = world.ids["meeting_file_id"]
    return re.sub(r"\{([a-z_]+)\}", lambda m: str(ids.get(m.group(1), "IDN")), path)


def payloads(index: int) -> list[tuple[str, Any]]:
    every = [*TEXT, *WRONG_TYPES]
    return [p for j, p in enumerate(every) if (j + index) % ROTATE == 0]


def _names_field(answer: dict[str, Any], path: str) -> bool:
    leaf = re.sub(r"\[0\]", "", path).rsplit(".", 1)[-1]
    named = [answer.get("field") or ""] + [e.get("field") or "" for e in answer.get("errors", [])]
    return any(leaf in n or n.startswith(path.split(".")[0].split("[")[0]) for n in named)


def run_json_corpus(world: World) -> Tally:
    tally = Tally()
    spec = world.client.app.openapi()
    index = 0
    for method, route, schema in json_operations(world.client.app.openapi()):
        path = fill(world, route)
        base = example(spec, schema)
        writer, base_ok = WRITERS[0], False
        for name in WRITERS:
            r = world.api(
                world.people[name],
                method,
                path,
                content=json_bytes(base),
                headers_extra={"Content-Type": "application/json"},
            )
            if r.status_code not in (401, 403, 404):
                writer, base_ok = name, r.status_code < 300
                break
        who = world.people[writer]
        before = world.counts()  # taken again only after a write was accepted
        for field_path in text_fields(spec, schema):
            index += 1
            for kind, value in payloads(index):
                category = f"hostile text: {kind}"
                body = put(_copy(base), field_path, value, spec, schema)
                r = world.api(
                    who,
                    method,
                    path,
                    content=json_bytes(body),
                    headers_extra={"Content-Type": "application/json"},
                )
                tally.tried[category] += 1
                where = f"{method} {route} {field_path}={str(value)[:40]!r}"
                if r.status_code >= 500:
                    tally.fail(tally.server_errors, category, f"{where}: {r.status_code}")
                if r.status_code < 400 or r.status_code >= 500:
                    before = world.counts()
                    continue
                if not r.headers.get("content-type", "").startswith("application/problem+json"):
                    tally.fail(
                        tally.mismatches, category, f"{where}: {r.status_code} not a problem"
                    )
                elif base_ok and r.status_code == 422 and not _names_field(r.json(), field_path):
                    tally.fail(
                        tally.mismatches, category, f"{where}: 422 names {r.json().get('field')}"
                    )
                after = world.counts()
                if before != after:
                    changed = {t for t in before if before[t] != after[t]}
                    tally.fail(tally.leaks, category, f"{where}: {r.status_code} wrote {changed}")
                    before = after
    return tally


def _copy(body: Any) -> Any:
    import copy

    return copy.deepcopy(body)


def test_every_text_field_of_every_json_write(world: World) -> None:
    tally = run_json_corpus(world)
    assert sum(tally.tried.values()) > 250
    assert not tally.failures, "\n".join(tally.failures[:60])


# ------------------------------------------------------------------ uploads


def run_upload_corpus(world: World) -> Tally:
    import base64

    tally = Tally()
    owner, fp = world.people["owner"], world.people["owner_fp"]
    event = world.ids["event_id"]
    bomb = (
        "bomb",
        "bomb.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        zip_bomb_xlsx(),
    )
    for group, name, kind, data in [*FILES, bomb]:
        category = f"hostile file: {group}"
        b64 = base64.b64encode(data).decode()
        cases = [
            (owner, "/api/v1/surveillance/reports/upload", {"files": {"file": (name, data, kind)}}),
            (
                fp,
                "/api/v1/tracing-notices/manifest",
                {
                    "files": {"file": (name, data, kind)},
                    "data": {"event_id": str(event), "parties": "KHM"},
                },
            ),
            (
                owner,
                "/api/v1/risk/importation",
                {"files": {"volumes": (name, data, kind)}, "data": {"origin": "IDN"}},
            ),
            (
                owner,
                f"/api/v1/meetings/{world.ids['meeting_id']}/files",
                {
                    "content": json_bytes(
                        {"filename": name, "content_type": kind, "data_base64": b64}
                    )
                },
            ),
            (
                owner,
                f"/api/v1/agreements/{world.ids['agreement_id']}/documents",
                {
                    "content": json_bytes(
                        {"filename": name, "content_type": kind, "data_base64": b64}
                    )
                },
            ),
            (
                owner,
                f"/api/v1/events/{event}/updates",
                {
                    "content": json_bytes(
                        {
                            "body": "file",
                            "attachments": [
                                {"filename": name, "content_type": kind, "data_base64": b64}
                            ],
                        }
                    )
                },
            ),
            (
                owner,
                "/api/v1/cap",
                {"content": data, "headers_extra": {"Content-Type": "application/cap+xml"}},
            ),
        ]
        pages = [
            "/surveillance/upload",
            "/advisories/import",
            f"/meetings/{world.ids['meeting_id']}/files",
        ]
        for path in pages:  # the page forms' uploads: no 5xx, nothing half-written
            before = world.counts()
            r = world.page(owner, "POST", path, files={"file": (name, data, kind)})
            tally.tried[category] += 1
            where = f"page {path} {category} {name!r}"
            if r.status_code >= 500:
                tally.fail(tally.server_errors, category, f"{where}: {r.status_code}")
            elif r.status_code >= 400 and before != world.counts():
                tally.fail(tally.leaks, category, f"{where}: {r.status_code} wrote")
        for who, path, kw in cases:
            if "content" in kw and path != "/api/v1/cap":
                kw = {**kw, "headers_extra": {"Content-Type": "application/json"}}
            before = world.counts()
            r = world.api(who, "POST", path, **kw)
            tally.tried[category] += 1
            where = f"{path} {category} {name!r}"
            if r.status_code >= 500:
                tally.fail(
                    tally.server_errors, category, f"{where}: {r.status_code} {r.text[:200]}"
                )
                continue
            if len(r.content) > 64 * 1024:
                tally.fail(tally.mismatches, category, f"{where}: a {len(r.content)}-byte answer")
            if r.status_code >= 400:
                if not r.headers.get("content-type", "").startswith("application/problem+json"):
                    tally.fail(
                        tally.mismatches, category, f"{where}: {r.status_code} not a problem"
                    )
                after = world.counts()
                if before != after:
                    changed = {t for t in before if before[t] != after[t]}
                    tally.fail(tally.leaks, category, f"{where}: {r.status_code} wrote {changed}")
    return tally


def test_every_upload_refuses_hostile_files_cleanly(world: World) -> None:
    tally = run_upload_corpus(world)
    assert sum(tally.tried.values()) >= 10 * len(FILES)
    assert not tally.failures, "\n".join(tally.failures[:60])


# ------------------------------------------------------------------ shown escaped


XSS = '<script>alert("zqx")</script><img src=x onerror=alert("zqx")>'


class _Tags(HTMLParser):
    """What the browser would make of a page: the elements and attributes the payload
    would have become had it not been escaped."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        if tag == "img" and ("src", "x") in attrs:
            self.found.append("img")
        self.found += [f"{tag}.{k}" for k, v in attrs if k.startswith("on") and "zqx" in (v or "")]

    def handle_data(self, data: str) -> None:
        if self._in_script and "zqx" in data:
            self.found.append("script")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def unescaped(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    return parser.found


def test_stored_text_is_shown_escaped(world: World) -> None:
    """Text stored through the API comes back escaped on the pages that show it."""
    owner, ids = world.people["owner"], world.ids
    event = world.api(
        owner,
        "POST",
        "/api/v1/events",
        json={"title": XSS, "hazard": XSS, "country": "IDN", "summary": XSS},
    )
    assert event.status_code == 201, event.text
    eid = event.json()["id"]
    assert (
        world.api(owner, "POST", f"/api/v1/events/{eid}/updates", json={"body": XSS}).status_code
        == 201
    )
    assert (
        world.api(
            owner, "POST", f"/api/v1/channels/{ids['channel_id']}/messages", json={"body": XSS}
        ).status_code
        == 201
    )
    meeting = world.api(
        owner,
        "POST",
        "/api/v1/meetings",
        json={
            "title": XSS,
            "starts_at": "2026-12-08T09:00:00+07:00",
            "agenda": XSS,
            "parties": ["KHM"],
        },
    )
    assert meeting.status_code == 201, meeting.text
    agreement = world.api(
        owner,
        "POST",
        "/api/v1/agreements",
        json={"title": XSS, "parties": ["IDN", "KHM"], "summary": XSS},
    )
    assert agreement.status_code == 201, agreement.text
    pages = [
        "/events",
        f"/events/{eid}",
        f"/events/{eid}/thread",
        f"/channels/{ids['channel_id']}",
        f"/channels/{ids['channel_id']}/messages",
        "/meetings",
        f"/meetings/{meeting.json()['id']}",
        "/agreements",
        f"/agreements/{agreement.json()['id']}",
        "/search?q=zqx",
        "/",
    ]
    for path in pages:
        r = world.page(owner, "GET", path)
        assert r.status_code == 200, (path, r.status_code)
        assert not unescaped(r.text), (path, unescaped(r.text))
    shown = world.page(owner, "GET", f"/events/{eid}").text
    assert "&lt;script&gt;" in shown
