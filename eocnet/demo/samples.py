"""The demo's sample exchange, risk communication and coordination: the entries of
exchange.yaml, risk_communication.yaml and coordination.yaml, each made by the same
action as on the pages, in the order of the files."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from eocnet.actions import (
    advisories,
    agreements,
    channels,
    connectivity,
    countermeasures,
    events,
    fact_checks,
    files,
    laboratories,
    meetings,
)
from eocnet.db.models import ConnectivityProbe, Meeting
from eocnet.demo.files import Demo


def exchange(demo: Demo, data: dict[str, Any]) -> None:
    """Events with their acknowledgements and updates, and conversations."""
    session, settings = demo.session, demo.settings
    for entry in data["events"]:
        author = demo.actor(entry["by"])
        event = events.create_event(
            session, author, demo.fields(events.EventFields, entry["fields"]), settings
        )
        for name in entry.get("acknowledged_by", []):
            events.acknowledge(session, demo.actor(name), event)
        for update in entry.get("updates", []):
            events.post_update(
                session, author, event, update["body"], update.get("figures", {}), [], settings
            )
    for entry in data["channels"]:
        channel = channels.create_channel(
            session, demo.actor(entry["by"]), entry["name"], entry["parties"]
        )
        for message in entry["messages"]:
            channels.post_message(session, demo.actor(message["by"]), channel, message["text"])


def risk_communication(demo: Demo, data: dict[str, Any]) -> None:
    """Advisories taken through review to publication, rumours and fact checks."""
    session = demo.session
    coordinator = demo.actor("coordinator")
    for entry in data["advisories"]:
        author = demo.actor(entry["by"])
        values = dict(entry["fields"])
        areas = [advisories.AreaFields(**a) for a in values.pop("areas")]
        translations = [advisories.TranslationFields(**t) for t in values.pop("translations")]
        fields = demo.fields(
            advisories.AdvisoryFields,
            values,
            areas=areas,
            translations=translations,
            event_id=demo.event_id(entry.get("event")),
        )
        advisory = advisories.create(session, author, fields)
        # Drafted by an officer; approved and issued by the party's focal point (the
        # coordinator issues only its own, regional, advisories).
        issuer = (
            coordinator
            if author.party_kind == "coordinator"
            else demo.actor(f"focal.{author.party_code.lower()}")
        )
        steps = entry["steps"]
        if steps >= 1:
            advisories.submit(session, author, advisory)
        if steps >= 2:
            advisories.approve(session, issuer, advisory)
        if steps >= 3:
            advisories.publish_advisory(session, issuer, demo.settings, advisory)
    for entry in data["rumours"]:
        fact_checks.log_rumour(
            session, demo.actor(entry["by"]), demo.fields(fact_checks.RumourFields, entry["fields"])
        )
    for entry in data["fact_checks"]:
        values = dict(entry["fields"])
        texts = [fact_checks.FactCheckTranslationFields(**t) for t in values.pop("translations")]
        groups = fact_checks.groups(session, coordinator)
        check = fact_checks.create(
            session,
            coordinator,
            demo.fields(
                fact_checks.FactCheckFields,
                values,
                translations=texts,
                event_id=demo.event_id(entry.get("event")),
                rumour_ids=groups[0].ids,
            ),
        )
        fact_checks.publish_check(session, coordinator, check)


def coordination(demo: Demo, data: dict[str, Any]) -> None:
    """Laboratories and support, countermeasures, mechanisms and meetings, agreements
    and connectivity rounds."""
    _laboratories(demo, data)
    _countermeasures(demo, data)
    _meetings(demo, data)
    _agreements(demo, data)
    _connectivity_rounds(demo, data)


def _laboratories(demo: Demo, data: dict[str, Any]) -> None:
    session = demo.session
    labs = {
        party: laboratories.add_lab(
            session, demo.actor(f"officer.{party.lower()}"), demo.fields(laboratories.LabFields, f)
        )
        for party, f in data["laboratories"].items()
    }
    for entry in data["support_requests"]:
        asking = demo.actor(entry["by"])
        request = laboratories.ask(
            session,
            asking,
            demo.fields(
                laboratories.SupportFields,
                entry["fields"],
                event_id=demo.event_id(entry.get("event")),
            ),
        )
        for o in entry.get("offers", []):
            made = laboratories.offer(
                session, demo.actor(o["by"]), request, o["note"], labs[o["laboratory"]].id
            )
            if o.get("accepted"):
                laboratories.accept(session, asking, request, made.id)
        for s in entry.get("shipments", []):
            laboratories.send_specimens(
                session,
                demo.actor(s["by"]),
                demo.fields(
                    laboratories.ShipmentFields,
                    s["fields"],
                    sender_lab_id=labs[s["from"]].id,
                    receiver_lab_id=labs[s["to"]].id,
                    request_id=request.id,
                ),
            )


def _countermeasures(demo: Demo, data: dict[str, Any]) -> None:
    session = demo.session
    for entry in data["stock"]:
        countermeasures.add_stock(
            session,
            demo.actor(entry["by"]),
            demo.fields(countermeasures.StockFields, entry["fields"]),
        )
    for entry in data["needs"]:
        countermeasures.ask(
            session,
            demo.actor(entry["by"]),
            demo.fields(countermeasures.NeedFields, entry["fields"]),
        )
    for entry in data["pledges"]:
        pledging = demo.actor(entry["by"])
        pledge = countermeasures.pledge(
            session, pledging, demo.fields(countermeasures.PledgeFields, entry["fields"])
        )
        if plan := entry.get("accept_plan"):
            countermeasures.accept_plan(session, pledging, pledge, plan["basis"], plan["minimum"])


def _meetings(demo: Demo, data: dict[str, Any]) -> None:
    session = demo.session
    coordinator = demo.actor("coordinator")
    mechanisms = {
        m["name"]: meetings.save_mechanism(
            session, coordinator, demo.fields(meetings.MechanismFields, m)
        )
        for m in data["mechanisms"]
    }

    def add_actions(entries: list[dict[str, Any]], meeting: Meeting | None = None) -> None:
        for entry in entries:
            mechanism = entry.get("mechanism")
            item = meetings.add_action(
                session,
                coordinator,
                demo.fields(
                    meetings.ActionFields,
                    entry["fields"],
                    **({"meeting_id": meeting.id} if meeting is not None else {}),
                    **({"mechanism_id": mechanisms[mechanism].id} if mechanism else {}),
                ),
            )
            for note in entry.get("notes", []):
                meetings.add_note(
                    session, demo.actor(note["by"]), item, note["note"], note.get("progress")
                )

    for entry in data["meetings"]:
        mechanism = entry.get("mechanism")
        meeting = meetings.schedule(
            session,
            coordinator,
            demo.fields(
                meetings.MeetingFields,
                entry["fields"],
                mechanism_id=mechanisms[mechanism].id if mechanism else None,
            ),
        )
        if name := entry.get("minutes_file"):
            meetings.attach_file(
                session,
                coordinator,
                meeting,
                files.Upload(name, "application/pdf", minutes_pdf(meeting)),
                demo.settings.attachment_max_bytes,
            )
        add_actions(entry.get("actions", []), meeting)
    add_actions(data["actions"])


def _agreements(demo: Demo, data: dict[str, Any]) -> None:
    session = demo.session
    for entry in data["agreements"]:
        managing = demo.actor(entry["by"])
        agreement = agreements.create(
            session, managing, demo.fields(agreements.AgreementFields, entry["fields"])
        )
        for activity in entry["activities"]:
            agreements.add_activity(
                session, managing, agreement, demo.fields(agreements.ActivityFields, activity)
            )
        for i in entry["indicators"]:
            indicator = agreements.add_indicator(
                session, managing, agreement, demo.fields(agreements.IndicatorFields, i["fields"])
            )
            quarters = []
            for back in i["quarters_back"]:
                day = demo.today - timedelta(days=91 * back)
                quarters.append(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
            for n, period in enumerate(dict.fromkeys(quarters)):
                for r in i["reports"]:
                    agreements.report(
                        session,
                        demo.actor(r["by"]),
                        agreement,
                        indicator.id,
                        period,
                        r["first"] + r["step"] * n,
                    )


def _connectivity_rounds(demo: Demo, data: dict[str, Any]) -> None:
    session = demo.session
    coordinator = demo.actor("coordinator")
    for entry in data["connectivity_rounds"]:
        check = connectivity.start(session, coordinator, demo.settings.base_url)
        check.started_at = check.started_at - timedelta(days=entry["days_ago"])
        answered = entry["answered"]
        for probe in session.scalars(
            select(ConnectivityProbe).where(ConnectivityProbe.check_id == check.id)
        ):
            probe.sent_at = check.started_at
            if probe.party_code in answered:
                probe.acknowledged_at = probe.sent_at + timedelta(
                    minutes=answered[probe.party_code]
                )


def minutes_pdf(meeting: Meeting) -> bytes:
    """A one-page PDF of a meeting's minutes, so that the demo meeting has a file."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8.27, 11.69))  # A4
    lines = [meeting.title, meeting.starts_at.strftime("%d %B %Y, %H:%M UTC"), ""]
    lines += ["Agenda", *meeting.agenda.splitlines(), "", "Minutes", meeting.minutes, ""]
    lines += ["Decisions", *(f"{i}. {d}" for i, d in enumerate(meeting.decisions, 1))]
    for i, line in enumerate(lines):
        figure.text(0.08, 0.94 - i * 0.028, line, fontsize=13 if i == 0 else 10, wrap=True)
    out = io.BytesIO()
    figure.savefig(out, format="pdf")
    return out.getvalue()
