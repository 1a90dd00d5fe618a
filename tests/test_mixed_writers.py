"""Every kind of writer at once, on a live server in its default configuration.

The hang this guards against: on SQLite the API's group-committed alerts and the
pages' form posts took the writers' lock through two doors that were not safe
together, and the whole process stopped for good within seconds (health checks,
streams, everything). No test mixed them, and none ran the server with its jobs on.

Here a server started as operators start it (jobs in the server) takes, for
MIX_SECONDS, the load of tests/mixed_load.py: alerts and acknowledgements through the
API, edits through the API, form posts from logged-in browser sessions, uploads, and
writes from the command line in other processes, while a prober asks /healthz every
0.2 s. Every probe must be answered within a second, and afterwards every write that
was answered 2xx must be in the database and, where it publishes, in the durable log.
"""

from __future__ import annotations

import json
import os

import httpx2 as httpx
from sqlalchemy import select

from eocnet.db.models import Acknowledgement, Event, EventUpdate, StreamEntry, User
from tests.live import LiveServer
from tests.mixed_load import People, run_mix

MIX_SECONDS = float(os.environ.get("EOCNET_TEST_MIX_SECONDS", "20"))


def test_every_kind_of_writer_at_once_and_the_server_keeps_answering(db, database_url, make_person):
    people = People(
        idn=make_person("IDN", "officer"),
        tha=make_person("THA", "officer"),
        editor=make_person("IDN", "officer"),
        uploader=make_person("IDN", "officer"),
        page_people=[make_person("IDN", "officer"), make_person("MYS", "officer")],
    )
    # the default configuration: jobs run in the server (reminders, webhooks, outbox ...)
    server = LiveServer(database_url)
    try:
        tally = run_mix(server.url, people, database_url, MIX_SECONDS)
        # the server still answers after the mix
        assert httpx.get(server.url + "/healthz", timeout=5).status_code == 200
    finally:
        server.stop()

    assert tally.failures == [], tally.failures[:10]
    assert len(tally.probes) >= MIX_SECONDS, len(tally.probes)
    slowest = max(tally.probes)
    assert slowest < 1.0, f"/healthz took {slowest:.2f} s under the mix"
    print(
        f"mix: {len(tally.events)} alerts, {len(tally.acks)} acks, {len(tally.edits)} edited, "
        f"{len(tally.updates)} uploads, {tally.page_saves} page rounds, "
        f"{len(tally.cli_users)} CLI writes; /healthz slowest {slowest:.3f} s"
    )
    # every kind of writer got work done
    assert tally.events and tally.acks and tally.page_events and tally.updates
    assert tally.cli_users and tally.page_saves and tally.edits

    with db.read() as s:
        stored = set(s.execute(select(Event.id)).scalars())
        assert set(tally.events) | set(tally.page_events) <= stored
        acked = set(
            s.execute(
                select(Acknowledgement.event_id, Acknowledgement.party_code).where(
                    Acknowledgement.party_code == "THA"
                )
            ).all()
        )
        assert set(tally.acks) <= {tuple(a) for a in acked}
        assert s.get(Event, tally.edited_event).summary == tally.edits[tally.edited_event]
        updates = set(s.execute(select(EventUpdate.id)).scalars())
        assert set(tally.updates) <= updates
        emails = set(s.execute(select(User.email)).scalars())
        assert set(tally.cli_users) <= emails
        # and what publishes is in the durable log
        logged = set()
        for kind, data in s.execute(select(StreamEntry.kind, StreamEntry.data)).all():
            payload = json.loads(data)
            logged.add((kind, payload.get("event_id", payload.get("id"))))
    for event_id in tally.events + tally.page_events:
        assert ("event.created", event_id) in logged, event_id
    for event_id, _ in tally.acks:
        assert ("event.acknowledged", event_id) in logged, event_id
