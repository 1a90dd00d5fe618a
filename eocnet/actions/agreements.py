"""Cooperation agreements between parties (bilateral or multilateral), their
joint action plans (short, medium and long term), and monitoring: indicators
with baseline and target, and progress reports by each party.

An agreement is seen by its signatories and the coordinator, and by the whole
network when they share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, files, search_index
from eocnet.actions.checks import WRITING_ROLES, check_parties, coordinators, links, text
from eocnet.actions.errors import Conflict, Forbidden, Invalid, NotFound
from eocnet.db.models import Agreement, Indicator, IndicatorReport, PlanActivity, StoredFile
from eocnet.db.types import utcnow
from eocnet.domain import coordination as rules
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish


@dataclass
class AgreementFields:
    title: str
    parties: list[str]
    signed_on: date | None = None
    expires_on: date | None = None
    areas: list[str] = field(default_factory=list)
    documents: list[dict[str, str]] = field(default_factory=list)
    summary: str = ""
    shared_with_network: bool = False


def audience(session: Session, agreement: Agreement) -> Audience:
    owner = agreement.parties[0] if agreement.parties else ""
    if agreement.shared_with_network:
        # every signatory, a dialogue partner among them too, and the network
        return Audience(Visibility.NETWORK, owner, tuple(agreement.parties))
    return Audience(
        Visibility.RESTRICTED, owner, tuple(sorted({*agreement.parties, *coordinators(session)}))
    )


def can_see(session: Session, actor: Actor, agreement: Agreement) -> bool:
    return audience(session, agreement).allows(actor.party_code, actor.party_kind, actor.user_id)


def access(session: Session, actor: Actor, agreement_id: int) -> Agreement:
    found = session.get(Agreement, agreement_id)
    if found is None or not can_see(session, actor, found):
        raise NotFound(f"no agreement {agreement_id}")
    return found


def _signatory(actor: Actor, agreement: Agreement) -> bool:
    return (
        actor.scope == "write"
        and actor.party_code in agreement.parties
        and any(r in WRITING_ROLES for r in actor.roles)
    )


def _may_manage(actor: Actor, agreement: Agreement) -> bool:
    coordinator = actor.is_coordinator
    return _signatory(actor, agreement) or (coordinator and actor.scope == "write")


def _apply(session: Session, agreement: Agreement, f: AgreementFields) -> None:
    parties = check_parties(session, f.parties)
    if len(parties) < 2:
        raise Invalid("an agreement has at least two parties", field="parties")
    if f.signed_on and f.expires_on and f.expires_on <= f.signed_on:
        raise Invalid("it must expire after it was signed", field="expires_on")
    for area in f.areas:
        if area not in rules.COOPERATION_AREAS:
            raise Invalid(f"areas are among {', '.join(rules.COOPERATION_AREAS)}", field="areas")
    documents = links(f.documents, "documents", "a document")
    agreement.title = text(f.title, "title", 300, required=True)
    agreement.parties = parties
    agreement.signed_on, agreement.expires_on = f.signed_on, f.expires_on
    agreement.areas = list(dict.fromkeys(f.areas))
    agreement.documents = documents
    agreement.summary = text(f.summary, "summary", 20_000)
    agreement.shared_with_network = f.shared_with_network


def index(session: Session, agreement: Agreement) -> None:
    """The agreement's search document, for its audience."""
    search_index.index(
        session,
        "agreement",
        agreement.id,
        title=agreement.title,
        body="\n".join([agreement.summary, *agreement.areas]),
        audience=audience(session, agreement),
        created_at=agreement.created_at,
    )


def _announce(session: Session, actor: Actor, agreement: Agreement, what: str, **data: Any) -> None:
    index(session, agreement)
    audit.record(session, actor, f"agreement.{what}", "agreement", agreement.id, details=data)
    publish(
        session,
        f"agreement.{what}",
        audience(session, agreement),
        {"id": agreement.id, "title": agreement.title, **data},
    )


def create(session: Session, actor: Actor, f: AgreementFields) -> Agreement:
    """A signatory party or the coordinator records an agreement."""
    agreement = Agreement(created_by=actor.user_id, created_at=utcnow())
    _apply(session, agreement, f)
    if not _may_manage(actor, agreement):
        raise Forbidden("a signatory party or the coordinator records an agreement")
    session.add(agreement)
    session.flush()
    _announce(session, actor, agreement, "recorded")
    return agreement


def edit(session: Session, actor: Actor, agreement: Agreement, f: AgreementFields) -> Agreement:
    if not _may_manage(actor, agreement):
        raise Forbidden("a signatory party or the coordinator edits an agreement")
    _apply(session, agreement, f)
    if not _may_manage(actor, agreement):
        raise Invalid("you cannot remove your own party from the agreement", field="parties")
    session.flush()
    _announce(session, actor, agreement, "edited")
    return agreement


def may_manage(actor: Actor, agreement: Agreement) -> bool:
    """A signatory party's officers and focal points, or the coordinator."""
    return _may_manage(actor, agreement)


def attach_document(
    session: Session, actor: Actor, agreement: Agreement, upload: files.Upload, max_bytes: int
) -> StoredFile:
    """Keep a document with the agreement (the signed text, annexes)."""
    if not _may_manage(actor, agreement):
        raise Forbidden("a signatory party or the coordinator adds documents to an agreement")
    row = files.store(session, actor, "agreement", agreement.id, upload, max_bytes)
    _announce(
        session,
        actor,
        agreement,
        "document_added",
        file=row.id,
        filename=row.filename,
        sha256=row.sha256,
    )
    return row


# ---------------------------------------------------------------- action plan


@dataclass
class ActivityFields:
    term: str
    title: str
    lead_party: str
    starts_on: date
    ends_on: date
    budget: float | None = None
    currency: str = ""
    status: str = "planned"


def _apply_activity(agreement: Agreement, activity: PlanActivity, f: ActivityFields) -> None:
    if f.term not in rules.PLAN_TERMS:
        raise Invalid("term is short, medium or long", field="term")
    if f.status not in rules.ACTIVITY_STATUSES:
        raise Invalid(f"status is one of {', '.join(rules.ACTIVITY_STATUSES)}", field="status")
    if f.lead_party.upper() not in agreement.parties:
        raise Invalid("the lead party is one of the agreement's parties", field="lead_party")
    if f.ends_on < f.starts_on:
        raise Invalid("an activity ends after it starts", field="ends_on")
    if f.budget is not None and f.budget < 0:
        raise Invalid("the budget cannot be negative", field="budget")
    currency = f.currency.strip().upper()
    if f.budget is not None and (len(currency) != 3 or not currency.isalpha()):
        raise Invalid("give the budget's currency (ISO 4217, e.g. USD)", field="currency")
    activity.term, activity.status = f.term, f.status
    activity.title = text(f.title, "title", 300, required=True)
    activity.lead_party = f.lead_party.upper()
    activity.starts_on, activity.ends_on = f.starts_on, f.ends_on
    activity.budget, activity.currency = f.budget, currency if f.budget is not None else ""


def add_activity(
    session: Session, actor: Actor, agreement: Agreement, f: ActivityFields
) -> PlanActivity:
    if not _may_manage(actor, agreement):
        raise Forbidden("a signatory party or the coordinator plans activities")
    activity = PlanActivity(agreement_id=agreement.id)
    _apply_activity(agreement, activity, f)
    session.add(activity)
    session.flush()
    _announce(session, actor, agreement, "activity_added", activity=activity.title)
    return activity


def edit_activity(
    session: Session, actor: Actor, agreement: Agreement, activity: PlanActivity, f: ActivityFields
) -> PlanActivity:
    if not _may_manage(actor, agreement):
        raise Forbidden("a signatory party or the coordinator updates activities")
    _apply_activity(agreement, activity, f)
    session.flush()
    _announce(
        session, actor, agreement, "activity_updated", activity=activity.title, status=f.status
    )
    return activity


def activity(session: Session, agreement: Agreement, activity_id: int) -> PlanActivity:
    found = session.get(PlanActivity, activity_id)
    if found is None or found.agreement_id != agreement.id:
        raise NotFound(f"no activity {activity_id} in this agreement")
    return found


# ---------------------------------------------------------------- monitoring


@dataclass
class IndicatorFields:
    name: str
    target: float
    baseline: float = 0.0
    unit: str = ""
    period: str = "quarter"


def add_indicator(
    session: Session, actor: Actor, agreement: Agreement, f: IndicatorFields
) -> Indicator:
    if not _may_manage(actor, agreement):
        raise Forbidden("a signatory party or the coordinator defines indicators")
    if f.period not in rules.INDICATOR_PERIODS:
        raise Invalid("period is month, quarter or year", field="period")
    if f.target == f.baseline:
        raise Invalid("the target differs from the baseline", field="target")
    row = Indicator(
        agreement_id=agreement.id,
        name=text(f.name, "name", 300, required=True),
        baseline=f.baseline,
        target=f.target,
        unit=text(f.unit, "unit", 40),
        period=f.period,
    )
    session.add(row)
    session.flush()
    _announce(session, actor, agreement, "indicator_added", indicator=row.name)
    return row


def report(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    indicator_id: int,
    period: str,
    value: float,
    note: str = "",
) -> IndicatorReport:
    """A signatory party reports its value for a period (once per period; a
    second report for the same period is refused, correct it by a new period's
    note or ask the coordinator)."""
    if not _signatory(actor, agreement):
        raise Forbidden("each signatory party reports its own progress")
    indicator = session.get(Indicator, indicator_id)
    if indicator is None or indicator.agreement_id != agreement.id:
        raise Invalid(f"no indicator {indicator_id} in this agreement", field="indicator_id")
    problem = rules.period_problem(period.strip(), indicator.period)
    if problem:
        raise Invalid(problem, field="period")
    exists = session.scalar(
        select(IndicatorReport.id).where(
            IndicatorReport.indicator_id == indicator.id,
            IndicatorReport.party_code == actor.party_code,
            IndicatorReport.period == period.strip(),
        )
    )
    if exists is not None:
        raise Conflict(f"{actor.party_code} already reported {period} for this indicator")
    row = IndicatorReport(
        indicator_id=indicator.id,
        party_code=actor.party_code,
        period=period.strip(),
        value=value,
        note=text(note, "note", 5000),
        reported_by=actor.user_id,
        reported_at=utcnow(),
    )
    session.add(row)
    session.flush()
    _announce(
        session, actor, agreement, "progress_reported",
        indicator=indicator.name, period=row.period, party=row.party_code, value=value,
    )  # fmt: skip
    return row
