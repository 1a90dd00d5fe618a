"""Every kind of stream entry in the catalogue (eocnet/realtime/events.py) is produced
by the real code and its stored payload validates against its class (Zulip's
``test_events.py`` habit).

Each scenario below triggers actions the way the users do (most reuse the flows that
the feature's own tests already drive), then every log entry it wrote is read back
and validated; the kinds it must have produced are listed beside it. A last test
checks that the scenarios together cover the whole catalogue, so a new kind needs a
scenario. (An entry of a kind the catalogue lacks cannot be written at all:
``publish`` refuses it, in every test.)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import func, select

from eocnet import demo
from eocnet.actions import (
    agreements,
    alert_reminders,
    fact_checks,
    files,
    laboratories,
    meetings,
    users,
)
from eocnet.db.models import (
    Agreement,
    Event,
    FactCheck,
    Meeting,
    PlanActivity,
    StreamEntry,
    SupportRequest,
    User,
)
from eocnet.db.types import utcnow
from eocnet.realtime import events
from eocnet.realtime.log import Audience, publish
from tests import (
    test_advisories,
    test_channels_api,
    test_coordination,
    test_events_api,
    test_report_reminders,
    test_reports,
    test_risk_assessments,
    test_signals,
    test_tracing,
    test_tracing_chains,
)


def _fixture(definition: Any) -> Callable[..., Any]:
    """The function behind another test module's fixture, to build its world here."""
    return definition._get_wrapped_function()  # type: ignore[no-any-return]


class World:
    def __init__(self, client: Any, db: Any, make_person: Any, settings: Any, tmp_path: Any):
        self.client, self.db, self.make_person = client, db, make_person
        self.settings, self.tmp_path = settings, tmp_path


# ---------------------------------------------------------------- scenarios


def demo_network(w: World) -> None:
    """The demo network: events, alerts, channels, advisories, coordination, surveillance."""
    with w.db.transaction() as session:
        demo.load_demo(session, w.settings)


def events_edited(w: World) -> None:
    idn = w.make_person("IDN", "officer")
    test_events_api.test_threaded_updates_with_attachment_and_edit(w.client, idn, w.make_person)


def alerts_reminded_and_escalated(w: World) -> None:
    idn, _ = w.make_person("IDN", "officer"), w.make_person("THA", "officer")
    r = w.client.post(
        "/api/v1/events",
        headers=idn.headers,
        json={
            "title": "Nipah cluster",
            "hazard": "Nipah virus",
            "country": "IDN",
            "alert": True,
            "alert_reasons": ["serious", "may_spread_to_other_countries"],
        },
    )
    assert r.status_code == 201, r.text
    for _ in range(2):  # the reminder, then the escalation
        with w.db.transaction() as session:
            session.get(Event, r.json()["id"]).next_reminder_at = utcnow()
        w.db.run_sync(alert_reminders.remind_unacknowledged, w.settings, utcnow())


def channel_messages_edited(w: World) -> None:
    people = _fixture(test_channels_api.people)(w.make_person)
    test_channels_api.test_mentions_replies_edits(w.client, people)


def surveillance_reminders(w: World) -> None:
    test_report_reminders.test_reminders_before_and_after_due_each_once(
        w.client, w.db, w.make_person, w.settings
    )


def risk_assessments(w: World) -> None:
    world = _fixture(test_risk_assessments.world)(w.client, w.make_person)
    test_risk_assessments.test_draft_revise_sign_off_and_share(w.client, w.db, world)


def advisories_returned_edited_cancelled(w: World) -> None:
    people = _fixture(test_advisories.people)(w.make_person)
    test_advisories.test_steps_out_of_order_are_refused(w.client, people)
    test_advisories.test_update_and_cancel_reference_the_earlier_messages(w.client, people)


def fact_checks_edited_and_withdrawn(w: World) -> None:
    demo_network(w)

    def edit_and_withdraw(session: Any) -> None:
        check = session.scalar(select(FactCheck).where(FactCheck.status == "published"))
        author = session.get(User, check.created_by)
        actor = users.actor_for(author)
        fields = fact_checks.FactCheckFields(
            verdict=check.verdict,
            sources=list(check.sources),
            countries=list(check.countries),
            event_id=check.event_id,
            translations=[
                fact_checks.FactCheckTranslationFields(
                    t.language, t.claim, t.explanation + " (updated)"
                )
                for t in check.translations
            ],
        )
        fact_checks.edit(session, actor, check, fields)
        fact_checks.withdraw(session, actor, check)

    w.db.run_sync(edit_and_withdraw)


def coordination_edited(w: World) -> None:
    """What the demo does not do: edit an agreement, its plan and a meeting, keep a
    document, cancel a support request."""
    demo_network(w)
    coordinator = w.make_person("ASEC", "coordinator")

    def edit(session: Any) -> None:
        actor = users.actor_for(session.get(User, coordinator.id))
        agreement = session.scalar(select(Agreement).limit(1))
        agreements.edit(
            session, actor, agreement,
            agreements.AgreementFields(
                agreement.title + " (amended)", list(agreement.parties), agreement.signed_on,
                agreement.expires_on, list(agreement.areas), list(agreement.documents),
                agreement.summary, agreement.shared_with_network,
            ),
        )  # fmt: skip
        upload = files.Upload("annex.txt", "text/plain", b"Annex 1: contact points\n")
        agreements.attach_document(session, actor, agreement, upload, 1 << 20)
        activity = session.scalar(
            select(PlanActivity).where(PlanActivity.agreement_id == agreement.id).limit(1)
        )
        agreements.edit_activity(
            session, actor, agreement, activity,
            agreements.ActivityFields(
                activity.term, activity.title, activity.lead_party, activity.starts_on,
                activity.ends_on, activity.budget, activity.currency, "in_progress",
            ),
        )  # fmt: skip
        meeting = session.scalar(select(Meeting).limit(1))
        starts_at = meeting.starts_at
        if starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=UTC)
        meetings.edit_meeting(
            session, actor, meeting,
            meetings.MeetingFields(
                meeting.title, starts_at, meeting.duration_minutes, meeting.mechanism_id,
                meeting.video_url, meeting.agenda, list(meeting.parties),
                "Minutes: agreed to share genotype data.", list(meeting.decisions),
                open_to_all=not meeting.parties,
            ),
        )  # fmt: skip
        request = session.scalar(
            select(SupportRequest).where(SupportRequest.status.in_(("open", "offered"))).limit(1)
        )
        requester = users.actor_for(session.get(User, request.created_by))
        laboratories.advance(session, requester, request, "cancelled")

    w.db.run_sync(edit)


def tracing(w: World) -> None:
    parties = _fixture(test_tracing.parties)(w.client, w.make_person)
    test_tracing.test_outcomes_by_the_receiver_reach_the_sender(w.client, parties)
    test_tracing.test_assign_from_the_page(w.client, parties)
    test_tracing.test_daily_follow_up_by_the_receivers(w.client, parties)


def tracing_conversion(w: World) -> None:
    people = _fixture(test_tracing_chains.people)(w.client, w.make_person)
    test_tracing_chains.test_figures_per_notice_event_and_party_for_those_who_see_them(
        w.client, people
    )


def signals_verified_and_linked(w: World) -> None:
    server = test_signals.FeedServer()
    try:
        settings = w.settings.model_copy(update={"signal_allow_private": True})
        w.client.app.state.settings = settings
        world = _fixture(test_signals.world)(w.client, w.db, settings, w.make_person, server)
        test_signals.test_verification_request_contract_and_who_sees_it(w.client, w.db, world)
        test_signals.test_overdue_verification_requests_are_announced_once_per_deadline(
            w.client, w.db, settings, world
        )
        r = w.client.post(
            f"/api/v1/signals/{world['signal']}/event",
            headers=world["asec"].headers,
            json={"title": "Dengue, Phnom Penh", "hazard": "Dengue", "country": "KHM"},
        )
        assert r.status_code == 200, r.text
    finally:
        server.stop()


def reports_issued(w: World) -> None:
    network = _fixture(test_reports.network)(w.db, w.make_person, w.settings)
    test_reports.test_event_report_from_the_data(w.client, w.db, network, w.tmp_path)


def _coordination(name: str) -> Callable[[World], None]:
    def scenario(w: World) -> None:
        people = _fixture(test_coordination.people)(w.make_person)
        test = getattr(test_coordination, name)
        arguments = {"client": w.client, "db": w.db, "people": people}
        test(**{k: arguments[k] for k in test.__code__.co_varnames[: test.__code__.co_argcount]})

    scenario.__name__ = name.removeprefix("test_")
    return scenario


#: (scenario, the kinds it must produce)
SCENARIOS: list[tuple[Callable[[World], None], set[str]]] = [
    (
        demo_network,
        {
            "event.created", "event.acknowledged", "update.created", "channel.created",
            "message.created", "surveillance.reported", "advisory.drafted",
            "advisory.submitted", "advisory.approved", "advisory.published", "rumour.logged",
            "fact_check.drafted", "fact_check.published", "support_request.opened",
            "support_request.offered", "support_request.accepted", "shipment.sent",
            "countermeasure.requested", "countermeasure.pledged", "countermeasure.allocated",
            "meeting.scheduled", "meeting.file_added", "action_item.added",
            "action_item.progressed", "agreement.recorded", "agreement.activity_added",
            "agreement.indicator_added", "agreement.progress_reported", "connectivity.probe",
        },
    ),
    (events_edited, {"event.updated", "update.edited"}),
    (alerts_reminded_and_escalated, {"alert.reminder", "alert.escalated"}),
    (channel_messages_edited, {"message.edited"}),
    (surveillance_reminders, {"surveillance.reminder"}),
    (
        risk_assessments,
        {"risk_assessment.drafted", "risk_assessment.revised", "risk_assessment.signed_off"},
    ),
    (
        advisories_returned_edited_cancelled,
        {"advisory.returned", "advisory.edited", "advisory.cancelled"},
    ),
    (fact_checks_edited_and_withdrawn, {"fact_check.edited", "fact_check.withdrawn"}),
    (tracing, {"tracing.created", "tracing.outcome", "tracing.follow_up"}),
    (tracing_conversion, {"tracing.created", "tracing.follow_up", "tracing.converted"}),
    (
        coordination_edited,
        {
            "agreement.edited", "agreement.document_added", "agreement.activity_updated",
            "meeting.updated", "support_request.cancelled",
        },
    ),
    (reports_issued, {"report.progress", "report.issued"}),
    (
        signals_verified_and_linked,
        {
            "signal_source.added", "signal.received", "signal.triaged", "signal.linked",
            "verification.requested", "verification.acknowledged", "verification.answered",
            "verification.overdue",
        },
    ),
    (
        _coordination("test_laboratory_directory_and_support_request_lifecycle"),
        {"support_request.shipped", "support_request.done", "shipment.received"},
    ),
    (
        _coordination("test_pledge_allocation_shipment_and_reconciliation"),
        {"countermeasure.shipped", "countermeasure.received"},
    ),
    (
        _coordination("test_meetings_actions_progress_and_follow_up"),
        {"action_item.overdue"},
    ),
    (_coordination("test_agreement_plan_indicators_and_who_sees_it"), set()),
    (_coordination("test_connectivity_check_round"), {"connectivity.acknowledged"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("scenario", "expected"), SCENARIOS, ids=[s.__name__ for s, _ in SCENARIOS]
)
def test_real_payloads_validate_against_the_catalogue(
    scenario, expected, client, db, make_person, settings, tmp_path
):
    with db.read() as session:
        before = session.scalar(select(func.max(StreamEntry.id))) or 0
    scenario(World(client, db, make_person, settings, tmp_path))
    with db.read() as session:
        rows = session.execute(
            select(StreamEntry.kind, StreamEntry.data).where(StreamEntry.id > before)
        ).all()
    for kind, data in rows:
        events.check(kind, data)  # the payload as clients receive it
    produced = {kind for kind, _ in rows}
    assert expected <= produced, f"not produced: {sorted(expected - produced)}"


def test_the_scenarios_cover_every_catalogued_kind():
    covered = set().union(*(kinds for _, kinds in SCENARIOS))
    assert covered == set(events.CATALOGUE), (
        f"no scenario: {sorted(set(events.CATALOGUE) - covered)}; "
        f"not catalogued: {sorted(covered - set(events.CATALOGUE))}"
    )


def test_an_unknown_kind_or_a_payload_off_its_schema_is_refused(db):
    audience = Audience("network", "IDN")
    with pytest.raises(events.UnknownEventKind, match=r"alert\.snoozed"):
        db.run_sync(publish, "alert.snoozed", audience, {})
    with pytest.raises(ValueError, match="country"):  # a field missing
        db.run_sync(publish, "rumour.logged", audience, {"id": 1, "claim": "x"})
    with pytest.raises(ValueError, match="extra"):  # a field the catalogue does not know
        db.run_sync(
            publish, "rumour.logged", audience, {"id": 1, "country": "", "claim": "", "x": 1}
        )
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(StreamEntry)) == 0


def test_the_catalogue_describes_every_kind():
    for kind, model in {**events.CONTROL, **events.CATALOGUE}.items():
        assert kind == model.KIND and model.TO and (model.__doc__ or "").strip(), kind
