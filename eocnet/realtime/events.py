"""The catalogue of the live stream's event kinds: one class per kind, with its payload.

Every entry of the log (``GET /api/v1/stream``, webhooks) has a ``type`` named here and
``data`` shaped by its class. :func:`eocnet.realtime.log.publish` refuses a kind that is
not in :data:`CATALOGUE`; ``docs/realtime.md``'s table is generated from this module
(``python -m tools.gen_stream_docs``), and ``tests/test_stream_events.py`` checks a real
payload of every kind against its class (Zulip's ``event_schema.py`` habit).

Each class's docstring says what happened, for API users; ``TO`` says who receives it
(always at most those who may see the object concerned).

**When payloads are checked.** Looking up the kind is one dict lookup, always done.
Checking the payload against its class costs a pydantic validation of the encoded JSON
(tens of microseconds for an event's forty fields), which the alert path (hundreds of
alerts per second, one entry or more each) should not pay in production for a check
whose failures are programming errors. So payloads are validated only when
``EOCNET_VALIDATE_STREAM_EVENTS`` is true (or :func:`validate_payloads` turns it on):
the test suite turns it on (``tests/conftest.py``, servers it starts included), so every
test that triggers an event checks its payload, and a payload that drifts from its
documented shape fails the suite rather than a client.

Adding a kind: a class here (docstring, ``KIND``, ``TO``, fields), a scenario in
``tests/test_stream_events.py``, then ``python -m tools.gen_stream_docs``.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


class UnknownEventKind(ValueError):
    """A stream entry of a kind the catalogue does not describe."""


class StreamEvent(BaseModel):
    """The payload (``data``) of one kind of stream entry."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    #: The entry's `type` on the stream.
    KIND: ClassVar[str] = ""
    #: Who receives it, for the documentation.
    TO: ClassVar[str] = ""

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        kind = cls.__dict__.get("KIND")
        if kind:
            if kind in CATALOGUE:
                raise TypeError(f"stream event kind {kind!r} is catalogued twice")
            if not (cls.__doc__ or "").strip() or not cls.TO:
                raise TypeError(f"{cls.__name__} needs a docstring and a `TO`")
            CATALOGUE[kind] = cls

    @classmethod
    def description(cls) -> str:
        return " ".join((cls.__doc__ or "").split())


#: kind -> its payload's class, in the order the classes are defined.
CATALOGUE: dict[str, type[StreamEvent]] = {}

_validating = os.environ.get("EOCNET_VALIDATE_STREAM_EVENTS", "").lower() in ("1", "true", "yes")


def validate_payloads(on: bool) -> None:
    """Check every published payload against its class (the test suite does)."""
    global _validating
    _validating = on


def validating() -> bool:
    return _validating


def schema_of(kind: str) -> type[StreamEvent]:
    try:
        return CATALOGUE[kind]
    except KeyError:
        raise UnknownEventKind(
            f"stream event kind {kind!r} is not in eocnet/realtime/events.py"
        ) from None


def check(kind: str, data_json: str) -> StreamEvent:
    """Validate an encoded payload (as clients receive it) against its kind's class."""
    return schema_of(kind).model_validate_json(data_json)


# ---------------------------------------------------------------- stream control
# Sent by GET /api/v1/stream itself, never written to the log (nor sent to webhooks).


class _Control(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    KIND: ClassVar[str]
    TO: ClassVar[str] = "the one stream"


class Ready(_Control):
    """The stream's first entry: the id it starts after."""

    KIND = "ready"
    last_id: int


class Reload(_Control):
    """The id you gave is no longer (or not yet) in the log: fetch state afresh, then
    stream from the `ready` id that follows."""

    KIND = "reload"
    reason: str


CONTROL: dict[str, type[_Control]] = {c.KIND: c for c in (Ready, Reload)}


# ---------------------------------------------------------------- shared shapes


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    party: str
    user: str
    at: str


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str


class StoredFileData(Attachment):
    uploaded_at: str


# ---------------------------------------------------------------- events and alerts

EVENT_AUDIENCE = "those who may see the event"


class _Event(StreamEvent):
    TO = EVENT_AUDIENCE
    id: int
    title: str
    hazard: str
    icd_code: str
    country: str
    subdivision: str
    place: str
    latitude: float | None
    longitude: float | None
    onset_date: str | None
    detection_date: str | None
    report_date: str | None
    cases_suspected: int
    cases_probable: int
    cases_confirmed: int
    deaths_suspected: int
    deaths_probable: int
    deaths_confirmed: int
    summary: str
    measures: str
    needs: str
    status: str
    severity: str
    alert: bool
    alert_reasons: list[str]
    visibility: str
    parties: list[str]
    addressed: list[str]
    owner_party: str
    created_by: int
    created_at: str
    updated_at: str
    version: int
    ihr_deadline: str | None
    ihr_notified_at: str | None
    ihr_assessed_at: str | None
    assessment_due: str | None
    acknowledgements: list[Acknowledgement]


class EventCreated(_Event):
    """An event (or alert) was reported; the data is the event as `GET /api/v1/events/{id}`."""

    KIND = "event.created"


class EventUpdated(_Event):
    """An event changed (edited, status, figures from an update, IHR notification); the
    data is the event as it is now."""

    KIND = "event.updated"


class EventAcknowledged(StreamEvent):
    """A party acknowledged an alert (its first acknowledgement only)."""

    KIND = "event.acknowledged"
    TO = EVENT_AUDIENCE
    event_id: int
    party: str
    user: str
    at: str


class _Update(StreamEvent):
    TO = EVENT_AUDIENCE
    id: int
    event_id: int
    author: str
    party: str
    body: str
    figures: dict[str, int]
    created_at: str
    edited_at: str | None
    attachments: list[Attachment]
    revisions: int


class UpdateCreated(_Update):
    """A threaded update was posted on an event."""

    KIND = "update.created"


class UpdateEdited(_Update):
    """An event's update was edited (its earlier text is kept)."""

    KIND = "update.edited"


class _AlertReminder(StreamEvent):
    TO = "the addressed parties that have not acknowledged the alert"
    event_id: int
    title: str
    owner_party: str
    pending: list[str]
    stage: str


class AlertReminder(_AlertReminder):
    """An alert is still unacknowledged: announced again (`stage` is `reminder`)."""

    KIND = "alert.reminder"


class AlertEscalated(_AlertReminder):
    """An alert is still unacknowledged: escalated to the focal points (`stage` is
    `escalation`)."""

    KIND = "alert.escalated"


# ---------------------------------------------------------------- channels


class ChannelCreated(StreamEvent):
    """A channel was opened (network, parties', event or direct)."""

    KIND = "channel.created"
    TO = "the channel's members"
    id: int
    name: str
    kind: str
    event_id: int | None
    visibility: str
    parties: list[str]
    owner_party: str
    created_at: str
    last_message_id: int | None


class _Message(StreamEvent):
    TO = "the channel's members"
    id: int
    channel_id: int
    author: str
    author_name: str
    party: str
    body: str
    reply_to: int | None
    mentions: list[str]
    created_at: str
    edited_at: str | None


class MessageCreated(_Message):
    """A message was posted in a channel."""

    KIND = "message.created"


class MessageEdited(_Message):
    """A message was edited (its earlier text is kept)."""

    KIND = "message.edited"


# ---------------------------------------------------------------- surveillance


class SurveillancePeriods(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    first: str
    last: str
    periods: int


class SurveillanceReported(StreamEvent):
    """A member state submitted aggregate surveillance reports (per disease: the first and
    last period and how many periods)."""

    KIND = "surveillance.reported"
    TO = "the member states and the coordinator"
    party: str
    submission: str
    rows: int
    diseases: dict[str, SurveillancePeriods]


class SurveillanceReminder(StreamEvent):
    """A party's aggregate report for a disease and period is due soon (`stage`
    `before`) or late (`after`)."""

    KIND = "surveillance.reminder"
    TO = "the party whose report is due"
    party: str
    disease: str
    period: str
    label: str
    stage: str
    due: str


# ---------------------------------------------------------------- risk assessments


class _RiskAssessment(StreamEvent):
    TO = (
        "drafts: the drafting party and the coordinator; signed off: as shared, within "
        "the event's audience"
    )
    id: int
    event_id: int
    title: str
    version: int
    status: str
    risk_level: str


class RiskAssessmentDrafted(_RiskAssessment):
    """A rapid risk assessment of an event was drafted."""

    KIND = "risk_assessment.drafted"


class RiskAssessmentRevised(_RiskAssessment):
    """A rapid risk assessment was revised (a new version)."""

    KIND = "risk_assessment.revised"


class RiskAssessmentSignedOff(_RiskAssessment):
    """A rapid risk assessment was signed off and shared."""

    KIND = "risk_assessment.signed_off"


# ---------------------------------------------------------------- advisories

ADVISORY_AUDIENCE = (
    "until published: the owning party and the coordinator; published or cancelled: "
    "the network and its partners"
)


class _Advisory(StreamEvent):
    TO = ADVISORY_AUDIENCE
    id: int
    status: str
    headline: str
    owner_party: str
    version: int


class AdvisoryDrafted(_Advisory):
    """A public-health advisory was drafted."""

    KIND = "advisory.drafted"


class AdvisoryEdited(_Advisory):
    """An advisory's text was edited."""

    KIND = "advisory.edited"


class AdvisorySubmitted(_Advisory):
    """An advisory was submitted for approval."""

    KIND = "advisory.submitted"


class AdvisoryApproved(_Advisory):
    """An advisory was approved for publication."""

    KIND = "advisory.approved"


class AdvisoryReturned(_Advisory):
    """An advisory was returned to its authors, with the reviewer's note."""

    KIND = "advisory.returned"
    note: str


class AdvisoryPublished(_Advisory):
    """An advisory was published as a CAP message (`identifier`)."""

    KIND = "advisory.published"
    identifier: str


class AdvisoryCancelled(_Advisory):
    """A published advisory was withdrawn by a CAP Cancel message (`identifier`)."""

    KIND = "advisory.cancelled"
    identifier: str


# ---------------------------------------------------------------- rumours and fact checks


class RumourLogged(StreamEvent):
    """A circulating rumour was logged (the claim's first 200 characters)."""

    KIND = "rumour.logged"
    TO = "the member states and the coordinator"
    id: int
    country: str
    claim: str


class _FactCheck(StreamEvent):
    TO = "drafts: the member states and the coordinator; published: also the partners"
    id: int
    verdict: str
    status: str
    claim: str


class FactCheckDrafted(_FactCheck):
    """A fact check was drafted."""

    KIND = "fact_check.drafted"


class FactCheckEdited(_FactCheck):
    """A fact check was edited."""

    KIND = "fact_check.edited"


class FactCheckPublished(_FactCheck):
    """A fact check was published."""

    KIND = "fact_check.published"


class FactCheckWithdrawn(_FactCheck):
    """A published fact check was withdrawn."""

    KIND = "fact_check.withdrawn"


# ---------------------------------------------------------------- contact tracing

TRACING_AUDIENCE = "the sending party, the addressed parties and the coordinator"


class TracingCreated(StreamEvent):
    """A cross-border tracing notice was sent (counts only, never personal data)."""

    KIND = "tracing.created"
    TO = TRACING_AUDIENCE
    id: int
    event_id: int
    kind: str
    sender_party: str
    parties: list[str]
    summary: str
    created_at: str
    purge_after: str
    purged_at: str | None
    persons_count: int
    roles: dict[str, int]
    outcomes: dict[str, int]
    source_person_id: int | None
    new_cases: int


class TracingOutcome(StreamEvent):
    """A traced person's follow-up changed (assigned to a tracer, outcome, test result),
    without personal data; with the disease followed and the last day of follow-up."""

    KIND = "tracing.outcome"
    TO = TRACING_AUDIENCE
    notice_id: int
    id: int
    role: str
    receiving_party: str
    outcome: str
    test_result: str
    outcome_date: str | None
    tracer_id: int | None
    disease: str
    follow_up_until: str | None
    case_since: str | None
    case_classification: str


class TracingConverted(StreamEvent):
    """A followed contact became a case (suspected, probable or confirmed), marked by
    the party that traces them, without personal data; also pushed to the sending
    party's subscribed users. The case's contacts may follow in a notice whose
    ``source_person_id`` is ``person_id``."""

    KIND = "tracing.converted"
    TO = TRACING_AUDIENCE
    notice_id: int
    event_id: int
    sender_party: str
    person_id: int
    role: str
    receiving_party: str
    disease: str
    case_since: str
    case_classification: str


class TracingFollowUp(StreamEvent):
    """A receiving party's tracer recorded a day of a person's follow-up (seen, not
    reached, symptomatic, lost, completed), without personal data."""

    KIND = "tracing.follow_up"
    TO = TRACING_AUDIENCE
    notice_id: int
    person_id: int
    day: str
    status: str
    recorded_at: str


# ---------------------------------------------------------------- laboratories and support

SUPPORT_AUDIENCE = "those who may see the request (restricted: its parties and the coordinator)"


class _SupportRequest(StreamEvent):
    TO = SUPPORT_AUDIENCE
    id: int
    title: str
    kind: str
    status: str
    requesting_party: str


class SupportRequestOpened(_SupportRequest):
    """A party asked for support (laboratory testing, experts, supplies)."""

    KIND = "support_request.opened"


class SupportRequestOffered(_SupportRequest):
    """A party offered to meet a support request."""

    KIND = "support_request.offered"


class SupportRequestAccepted(_SupportRequest):
    """The requesting party accepted an offer."""

    KIND = "support_request.accepted"


class SupportRequestShipped(_SupportRequest):
    """The party whose offer was accepted shipped what was asked."""

    KIND = "support_request.shipped"


class SupportRequestDone(_SupportRequest):
    """The requesting party closed its request as met."""

    KIND = "support_request.done"


class SupportRequestCancelled(_SupportRequest):
    """The requesting party cancelled its request."""

    KIND = "support_request.cancelled"


class _Shipment(StreamEvent):
    TO = "the sending and receiving parties and the coordinator"
    id: int
    from_: str = Field(alias="from")
    to: str
    specimen_type: str
    count: int


class ShipmentSent(_Shipment):
    """Specimens were sent to another party's laboratory."""

    KIND = "shipment.sent"


class ShipmentReceived(_Shipment):
    """The receiving laboratory confirmed that specimens arrived."""

    KIND = "shipment.received"


# ---------------------------------------------------------------- countermeasures

COUNTERMEASURE_AUDIENCE = "the network and its partners"


class CountermeasureRequested(StreamEvent):
    """A member state asked for countermeasures (an item and a quantity)."""

    KIND = "countermeasure.requested"
    TO = COUNTERMEASURE_AUDIENCE
    id: int
    party: str
    item: str
    quantity: int


class CountermeasurePledged(StreamEvent):
    """A party pledged countermeasures."""

    KIND = "countermeasure.pledged"
    TO = COUNTERMEASURE_AUDIENCE
    id: int
    party: str
    item: str
    quantity: int


class CountermeasureAllocated(StreamEvent):
    """A pledge was shared among the requests (the quantity per party)."""

    KIND = "countermeasure.allocated"
    TO = COUNTERMEASURE_AUDIENCE
    id: int
    basis: str
    minimum: int
    shares: dict[str, int]


class CountermeasureShipped(StreamEvent):
    """A share of a pledge was shipped to a party."""

    KIND = "countermeasure.shipped"
    TO = COUNTERMEASURE_AUDIENCE
    id: int
    to: str
    quantity: int


class CountermeasureReceived(StreamEvent):
    """A party confirmed the quantity of a share that arrived."""

    KIND = "countermeasure.received"
    TO = COUNTERMEASURE_AUDIENCE
    id: int
    party: str
    quantity: int


# ---------------------------------------------------------------- meetings and action items

MEETING_AUDIENCE = (
    "the meeting's parties, its organiser and the coordinator (everyone only when opened to all)"
)


class _Meeting(StreamEvent):
    TO = MEETING_AUDIENCE
    id: int
    title: str
    starts_at: str


class MeetingScheduled(_Meeting):
    """A coordination meeting was scheduled."""

    KIND = "meeting.scheduled"


class MeetingUpdated(_Meeting):
    """A meeting's agenda, minutes or decisions changed."""

    KIND = "meeting.updated"


class MeetingFileAdded(StreamEvent):
    """A file (minutes, slides) was attached to a meeting."""

    KIND = "meeting.file_added"
    TO = MEETING_AUDIENCE
    id: int
    title: str
    file: StoredFileData


ACTION_AUDIENCE = (
    "the meeting's audience (for an action from a meeting), else the network and partners"
)


class _ActionItem(StreamEvent):
    TO = ACTION_AUDIENCE
    id: int
    title: str
    owner_party: str
    due_on: str


class ActionItemAdded(_ActionItem):
    """An action item was recorded, owned by a party."""

    KIND = "action_item.added"
    status: str


class ActionItemProgressed(_ActionItem):
    """An action item's status or progress changed."""

    KIND = "action_item.progressed"
    status: str


class ActionItemOverdue(_ActionItem):
    """An action item is past due (announced once a week until done)."""

    KIND = "action_item.overdue"
    days_late: int


# ---------------------------------------------------------------- agreements

AGREEMENT_AUDIENCE = "the agreement's parties and the coordinator (the network when shared with it)"


class _Agreement(StreamEvent):
    TO = AGREEMENT_AUDIENCE
    id: int
    title: str


class AgreementRecorded(_Agreement):
    """A cooperation agreement was recorded."""

    KIND = "agreement.recorded"


class AgreementEdited(_Agreement):
    """An agreement was edited."""

    KIND = "agreement.edited"


class AgreementDocumentAdded(_Agreement):
    """A document (signed text, annex) was kept with an agreement."""

    KIND = "agreement.document_added"
    file: int
    filename: str
    sha256: str


class AgreementActivityAdded(_Agreement):
    """An activity was added to an agreement's action plan."""

    KIND = "agreement.activity_added"
    activity: str


class AgreementActivityUpdated(_Agreement):
    """An activity of an agreement's plan changed (its `status`)."""

    KIND = "agreement.activity_updated"
    activity: str
    status: str


class AgreementIndicatorAdded(_Agreement):
    """A monitoring indicator was defined for an agreement."""

    KIND = "agreement.indicator_added"
    indicator: str


class AgreementProgressReported(_Agreement):
    """A signatory party reported its value of an indicator for a period."""

    KIND = "agreement.progress_reported"
    indicator: str
    period: str
    party: str
    value: float


# ---------------------------------------------------------------- connectivity checks


class ConnectivityProbe(StreamEvent):
    """A connectivity check asks a member state's EOC to acknowledge (at `url`)."""

    KIND = "connectivity.probe"
    TO = "the member state probed"
    id: int
    check_id: int
    party: str
    url: str


class ConnectivityAcknowledged(StreamEvent):
    """A member state acknowledged a connectivity probe, `seconds` after it was sent."""

    KIND = "connectivity.acknowledged"
    TO = "the member states and the coordinator"
    id: int
    party: str
    seconds: int


# ---------------------------------------------------------------- reports


class ReportProgress(StreamEvent):
    """A report's edition is being built: percent done and the step."""

    KIND = "report.progress"
    TO = "the report's readers"
    id: int
    progress: int
    note: str


class ReportIssued(StreamEvent):
    """A report's edition was issued (its PDF is ready)."""

    KIND = "report.issued"
    TO = "the report's readers"
    id: int
    title: str
    edition: int
    kind: str


# ---------------------------------------------------------------- event-based surveillance

SIGNAL_AUDIENCE = "those who may see the signal (its source's audience)"
VERIFICATION_AUDIENCE = "the requesting party, the requested party and the coordinator"


class SignalSourceAdded(StreamEvent):
    """A signal source (a feed) was added."""

    KIND = "signal_source.added"
    TO = "those who may see the source's items"
    id: int
    name: str
    url: str
    language: str


class _Signal(StreamEvent):
    TO = SIGNAL_AUDIENCE
    id: int
    title: str
    url: str
    source_id: int | None
    language: str
    hazards: list[str]
    countries: list[str]
    status: str
    assignee_id: int | None
    reliability: str
    credibility: int | None
    event_id: int | None
    exercise: bool


class SignalReceived(_Signal):
    """A new signal arrived from a source's feed or was reported by hand."""

    KIND = "signal.received"


class SignalTriaged(_Signal):
    """A signal's triage changed (status, assignee, grading or notes); ``changed`` names
    the fields."""

    KIND = "signal.triaged"
    changed: list[str]


class SignalLinked(_Signal):
    """A signal was linked to an event (a new one or an existing one)."""

    KIND = "signal.linked"


class _Verification(StreamEvent):
    TO = VERIFICATION_AUDIENCE
    id: int
    signal_id: int
    # the signal's title, empty unless every party of the request's audience (which
    # includes the coordinator) sees the signal
    title: str
    requester_party: str
    requested_party: str
    created_at: str
    acknowledge_by: str
    respond_by: str
    acknowledged_at: str | None
    responded_at: str | None
    response_status: str


class VerificationRequested(_Verification):
    """A party was asked to verify a signal (IHR Art. 10): acknowledge by
    ``acknowledge_by``, answer by ``respond_by``."""

    KIND = "verification.requested"


class VerificationAcknowledged(_Verification):
    """The requested party acknowledged a verification request."""

    KIND = "verification.acknowledged"


class VerificationAnswered(_Verification):
    """The requested party answered a verification request (confirmed, not confirmed or
    under investigation)."""

    KIND = "verification.answered"


class VerificationOverdue(_Verification):
    """A verification request passed a deadline: ``overdue`` is ``acknowledge`` (not
    acknowledged in time) or ``respond`` (not answered in time); each is announced once,
    and the requested party's focal points are e-mailed."""

    KIND = "verification.overdue"
    overdue: str
