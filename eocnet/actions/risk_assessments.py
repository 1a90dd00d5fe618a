"""Rapid risk assessments: drafted by officers on an event, revised (every
version kept), signed off by the coordinator, then shared with the network or
its partners — never wider than the event itself."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import audit, events, search_index
from eocnet.actions.checks import coordinators
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.db.models import (
    Event,
    RiskAssessment,
    RiskAssessmentComment,
    RiskAssessmentRevision,
    User,
)
from eocnet.db.types import utcnow
from eocnet.domain import risk_assessment as rules
from eocnet.domain.actors import Actor
from eocnet.domain.roles import Role
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish

DRAFTING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT, Role.COORDINATOR})


@dataclass
class LevelFields:
    """The risk at one more level (national or global): its own question, likelihood,
    consequences and confidence, and the assessors' override with its justification."""

    likelihood: str
    consequences: str
    confidence: str
    question: str = ""
    risk_level_override: str = ""
    override_justification: str = ""


@dataclass
class AssessmentFields:
    title: str
    likelihood: str
    consequences: str
    confidence: str
    hazard_assessment: str = ""
    exposure_assessment: str = ""
    context_assessment: str = ""
    uncertainties: str = ""
    recommendations: str = ""
    sharing: str = "network"
    #: The assessors' overall risk when it differs from the matrix cell ("" for none),
    #: and why (required with it).
    risk_level_override: str = ""
    override_justification: str = ""
    #: The risk question the main fields answer (the regional risk).
    risk_question: str = ""
    #: The risk at the national and global levels, when assessed.
    levels: dict[str, LevelFields] = field(default_factory=dict)


def audience(session: Session, rra: RiskAssessment) -> Audience:
    """Drafts: the drafting party and the coordinator. Signed off: as chosen,
    within the event's own audience. The coordinator is a reader only if it may
    see the event (a party that may not see an event never sees it anywhere,
    and an assessment shows the event's title and hazard)."""
    event = session.get(Event, rra.event_id)
    assert event is not None
    seen = events.event_audience(event)
    readers = tuple(c for c in coordinators(session) if seen.allows(c, "coordinator", 0))
    if rra.status != "signed_off":
        return Audience(Visibility.RESTRICTED, rra.owner_party, readers)
    if event.visibility == Visibility.RESTRICTED:
        return Audience(
            Visibility.RESTRICTED,
            event.owner_party,
            tuple(sorted({*event.parties, rra.owner_party, *readers})),
        )
    if event.visibility == Visibility.NETWORK or rra.sharing == "network":
        return Audience(Visibility.NETWORK, rra.owner_party)
    return Audience(Visibility.PARTNERS, rra.owner_party)


def can_see(session: Session, actor: Actor, rra: RiskAssessment) -> bool:
    """Within the assessment's audience and the event's: a party taken off a
    restricted event no longer sees the assessments drafted while it could."""
    event = session.get(Event, rra.event_id)
    return (
        event is not None
        and events.can_see_event(actor, event)
        and audience(session, rra).allows(actor.party_code, actor.party_kind, actor.user_id)
    )


def access(session: Session, actor: Actor, assessment_id: int) -> RiskAssessment:
    rra = session.get(RiskAssessment, assessment_id)
    if rra is None or not can_see(session, actor, rra):
        raise NotFound(f"no risk assessment {assessment_id}")
    return rra


def _check(f: AssessmentFields) -> str:
    """Check the fields; returns the matrix cell for the likelihood and consequences."""
    if not f.title.strip():
        raise Invalid("the title is empty", field="title")
    if len(f.title) > 300:
        raise Invalid("the title is longer than 300 characters", field="title")
    for name in rules.TEXT_FIELDS[1:]:
        if len(getattr(f, name)) > 20_000:
            raise Invalid(f"{name.replace('_', ' ')} is longer than 20,000 characters", field=name)
    if f.sharing not in rules.SHARING:
        raise Invalid("sharing is network or partners", field="sharing")
    if len(f.risk_question) > 2_000:
        raise Invalid("the risk question is longer than 2,000 characters", field="risk_question")
    unknown = sorted(set(f.levels) - set(rules.OTHER_SCALES))
    if unknown:
        raise Invalid(
            f"levels are {' and '.join(rules.OTHER_SCALES)} (the main fields are the "
            f"regional risk), not {', '.join(unknown)}",
            field="levels",
        )
    for scale, level in f.levels.items():
        if len(level.question) > 2_000:
            raise Invalid(
                "the risk question is longer than 2,000 characters",
                field=f"levels.{scale}.question",
            )
        try:
            _assess(level, f"levels.{scale}.")
        except Invalid as exc:
            raise Invalid(f"the {scale} level: {exc.detail}", field=exc.field) from None
    return _assess(f, "")


def _assess(f: AssessmentFields | LevelFields, where: str) -> str:
    """The matrix cell of one level's likelihood and consequences, once its confidence
    and override are checked; ``where`` prefixes the fields named in problems."""
    if f.confidence not in rules.CONFIDENCE:
        raise Invalid(
            f"confidence must be one of {', '.join(rules.CONFIDENCE)}", field=f"{where}confidence"
        )
    if len(f.override_justification) > 20_000:
        raise Invalid(
            "the justification is longer than 20,000 characters",
            field=f"{where}override_justification",
        )
    try:
        cell = rules.risk_level(f.likelihood, f.consequences)
    except ValueError as exc:
        field_name = "likelihood" if "likelihood" in str(exc) else "consequences"
        raise Invalid(str(exc), field=f"{where}{field_name}") from None
    problem = rules.override_problem(cell, f.risk_level_override, f.override_justification)
    if problem:
        raise Invalid(problem[1], field=f"{where}{problem[0]}")
    return cell


def _level(level: LevelFields) -> dict[str, str]:
    """A national or global level as stored: as given, with its cell and overall risk."""
    cell = rules.risk_level(level.likelihood, level.consequences)
    out = {k: v.strip() for k, v in asdict(level).items()}
    if not level.risk_level_override:
        out["override_justification"] = ""
    return {**out, "matrix_risk_level": cell, "risk_level": level.risk_level_override or cell}


def _set_fields(rra: RiskAssessment, f: AssessmentFields, cell: str) -> None:
    for name, value in vars(f).items():
        if name != "levels":
            setattr(rra, name, value.strip() if name in rules.STRIPPED else value)
    if not f.risk_level_override:
        rra.override_justification = ""  # a justification only goes with an override
    rra.matrix_risk_level = cell
    rra.risk_level = f.risk_level_override or cell
    rra.levels = {
        scale: _level(f.levels[scale]) for scale in rules.OTHER_SCALES if scale in f.levels
    }


def content(rra: RiskAssessment) -> dict[str, Any]:
    """What a revision keeps, and what the API and documents show."""
    return {
        "title": rra.title,
        "hazard_assessment": rra.hazard_assessment,
        "exposure_assessment": rra.exposure_assessment,
        "context_assessment": rra.context_assessment,
        "likelihood": rra.likelihood,
        "consequences": rra.consequences,
        "risk_level": rra.risk_level,
        "matrix_risk_level": rra.matrix_risk_level,
        "risk_level_override": rra.risk_level_override,
        "override_justification": rra.override_justification,
        "risk_question": rra.risk_question,
        "levels": rra.levels,
        "confidence": rra.confidence,
        "uncertainties": rra.uncertainties,
        "recommendations": rra.recommendations,
        "sharing": rra.sharing,
    }


def index(session: Session, rra: RiskAssessment) -> None:
    """The assessment's search document. It carries the event's id: search shows it
    only to those who may see the event too (as :func:`can_see`)."""
    search_index.index(
        session,
        "assessment",
        rra.id,
        title=rra.title,
        body="\n".join(
            [
                rra.risk_question,
                rra.hazard_assessment,
                rra.exposure_assessment,
                rra.context_assessment,
                rra.uncertainties,
                rra.recommendations,
                rra.override_justification,
            ]
        ),
        audience=audience(session, rra),
        created_at=rra.created_at,
        event_id=rra.event_id,
        status=rra.status,
    )


def _record(session: Session, actor: Actor, rra: RiskAssessment, what: str) -> None:
    index(session, rra)
    session.add(
        RiskAssessmentRevision(
            assessment_id=rra.id,
            version=rra.version,
            status=rra.status,
            content=content(rra),
            author_id=actor.user_id,
            created_at=rra.updated_at,
        )
    )
    audit.record(
        session,
        actor,
        f"risk_assessment.{what}",
        "risk_assessment",
        rra.id,
        details={
            "event_id": rra.event_id,
            "version": rra.version,
            "risk_level": rra.risk_level,
            "status": rra.status,
        },
    )
    publish(
        session,
        f"risk_assessment.{what}",
        audience(session, rra),
        {
            "id": rra.id,
            "event_id": rra.event_id,
            "title": rra.title,
            "version": rra.version,
            "status": rra.status,
            "risk_level": rra.risk_level,
        },
    )


def create(session: Session, actor: Actor, event_id: int, f: AssessmentFields) -> RiskAssessment:
    if actor.is_partner or not any(r in DRAFTING_ROLES for r in actor.roles):
        raise Forbidden("officers, focal points and the coordinator draft risk assessments")
    event = events.access_event(session, actor, event_id)
    cell = _check(f)
    now = utcnow()
    rra = RiskAssessment(
        event_id=event.id,
        status="draft",
        version=1,
        owner_party=actor.party_code,
        created_by=actor.user_id,
        created_at=now,
        updated_at=now,
    )
    _set_fields(rra, f, cell)
    session.add(rra)
    session.flush()
    _record(session, actor, rra, "drafted")
    return rra


def may_edit(actor: Actor, rra: RiskAssessment) -> bool:
    return (actor.party_code == rra.owner_party and not actor.is_partner) or actor.is_coordinator


def revise(
    session: Session, actor: Actor, rra: RiskAssessment, f: AssessmentFields
) -> RiskAssessment:
    """A new version; a signed-off assessment that changes is a draft again
    (the signed version stays in the revisions)."""
    if not may_edit(actor, rra):
        raise Forbidden("the drafting party or the coordinator revises an assessment")
    cell = _check(f)
    before = content(rra)
    _set_fields(rra, f, cell)
    if content(rra) == before:
        return rra
    rra.version += 1
    rra.status = "draft"
    rra.signed_off_by = None
    rra.signed_off_at = None
    rra.updated_at = utcnow()
    session.flush()
    _record(session, actor, rra, "revised")
    return rra


def sign_off(session: Session, actor: Actor, rra: RiskAssessment) -> RiskAssessment:
    if not actor.is_coordinator:
        raise Forbidden("the network's coordinator signs off risk assessments")
    if rra.status == "signed_off":
        raise Invalid("this version is already signed off", field="status")
    rra.status = "signed_off"
    rra.signed_off_by = actor.user_id
    rra.signed_off_at = rra.updated_at = utcnow()
    session.flush()
    _record(session, actor, rra, "signed_off")
    return rra


# ---------------------------------------------------------------- comments

#: Roles that contribute comments (an administrator's account manages users only).
COMMENTING_ROLES = frozenset({*DRAFTING_ROLES, Role.PARTNER})
MAX_COMMENT = 10_000


def may_comment(session: Session, actor: Actor, rra: RiskAssessment) -> bool:
    """WHO, the dialogue partners and every party an assessment is shared with may
    contribute comments once it is signed off and shared; on a draft, only those who
    draft it (the drafting party and the coordinator). Commenting never signs off."""
    if not any(r in COMMENTING_ROLES for r in actor.roles) or not can_see(session, actor, rra):
        return False
    return rra.status == "signed_off" or may_edit(actor, rra)


def add_comment(
    session: Session, actor: Actor, rra: RiskAssessment, body: str
) -> RiskAssessmentComment:
    """A comment on the assessment's current version; audited. Sign-off stays with the
    coordinator (:func:`sign_off`)."""
    if not may_comment(session, actor, rra):
        raise Forbidden(
            "comments come from the parties a signed-off assessment is shared with (WHO and "
            "dialogue partners among them), or from its drafters"
        )
    body = body.strip()
    if not body:
        raise Invalid("the comment is empty", field="body")
    if len(body) > MAX_COMMENT:
        raise Invalid(f"the comment is longer than {MAX_COMMENT:,} characters", field="body")
    row = RiskAssessmentComment(
        assessment_id=rra.id,
        party_code=actor.party_code,
        author_id=actor.user_id,
        body=body,
        version=rra.version,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "risk_assessment.commented",
        "risk_assessment",
        rra.id,
        details={"comment": row.id, "version": rra.version},
    )
    return row


def comments(session: Session, rra: RiskAssessment) -> list[dict[str, Any]]:
    """The comments on an assessment, oldest first, with their authors' addresses."""
    rows = session.execute(
        select(RiskAssessmentComment, User.email)
        .join(User, User.id == RiskAssessmentComment.author_id)
        .where(RiskAssessmentComment.assessment_id == rra.id)
        .order_by(RiskAssessmentComment.id)
    ).all()
    return [
        {
            "id": c.id,
            "party": c.party_code,
            "author": email,
            "body": c.body,
            "version": c.version,
            "created_at": c.created_at,
        }
        for c, email in rows
    ]


def history(
    session: Session, rra: RiskAssessment
) -> list[tuple[RiskAssessmentRevision, list[tuple[str, str, str]]]]:
    """Every saved version, oldest first, with (field, before, after) for each
    field changed since the version before it."""
    out: list[tuple[RiskAssessmentRevision, list[tuple[str, str, str]]]] = []
    previous: dict[str, Any] | None = None
    for rev in session.scalars(
        select(RiskAssessmentRevision)
        .where(RiskAssessmentRevision.assessment_id == rra.id)
        .order_by(RiskAssessmentRevision.id)
    ):
        changes = (
            [
                (k, str(previous.get(k, "")), str(value))
                for k, value in rev.content.items()
                if previous.get(k) != value
            ]
            if previous is not None
            else []
        )
        out.append((rev, changes))
        previous = rev.content
    return out
