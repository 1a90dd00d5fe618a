"""Full-text search as a query: the documents matching every word that an actor may
see, on SQLite's FTS5 or PostgreSQL's text search.

Documents are of events, updates, messages, advisories, fact checks, risk
assessments, laboratories, support requests, meetings, action items and agreements
(:data:`KINDS`). Each carries the audience of its record, written by the action that
wrote the record; one tied to an event (an update, a risk assessment) is shown only
to those who may also see the event now, as the record's own page does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, exists, false, literal_column, or_, select, text

from eocnet.db.audience import visible_to
from eocnet.db.models import Event, SearchDocument
from eocnet.domain import search_text
from eocnet.domain.actors import Actor

#: The kinds of search documents, each with the page that shows its record.
KINDS = (
    "event",
    "update",
    "message",
    "advisory",
    "fact_check",
    "assessment",
    "laboratory",
    "support",
    "meeting",
    "action",
    "agreement",
)
_PAGES = {
    "advisory": "/advisories/{id}",
    "fact_check": "/fact-checks/{id}",
    "assessment": "/risk-assessments/{id}",
    "laboratory": "/laboratories#lab-{id}",
    "support": "/support-requests/{id}",
    "meeting": "/meetings/{id}",
    "action": "/actions/{id}",
    "agreement": "/agreements/{id}",
}


def page_of(doc: SearchDocument) -> str:
    """The path of the page that shows a document's record."""
    if doc.kind == "message":
        return f"/channels/{doc.channel_id}#message-{doc.object_id}"
    if doc.kind in ("event", "update"):
        return f"/events/{doc.event_id}"
    return _PAGES[doc.kind].format(id=doc.object_id)


def search_query(
    dialect: str,
    actor: Actor,
    q: str,
    *,
    kind: str | None = None,
    country: str | None = None,
    hazard: str | None = None,
    status: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 20,
) -> Select[SearchDocument]:
    """The documents matching every word of ``q`` that ``actor`` may see. Any text is
    accepted: it is reduced to words and quoted for the engine (a query without a
    word matches nothing)."""
    query = select(SearchDocument).where(
        visible_to(SearchDocument, actor),
        or_(
            SearchDocument.event_id.is_(None),
            exists().where(Event.id == SearchDocument.event_id, visible_to(Event, actor)),
        ),
    )
    if not search_text.words(q):
        return query.where(false()).limit(limit)
    if dialect == "sqlite":
        match = search_text.fts5_query(q)
        query = query.where(
            SearchDocument.id.in_(
                select(literal_column("rowid"))
                .select_from(text("search_fts"))
                .where(text("search_fts MATCH :match"))
            )
        ).params(match=match)
    else:
        query = query.where(text("search_document.tsv @@ CAST(:tsq AS tsquery)")).params(
            tsq=search_text.tsquery(q)
        )
    if kind:
        query = query.where(SearchDocument.kind == kind)
    if country:
        query = query.where(SearchDocument.country == country)
    if hazard:
        query = query.where(SearchDocument.hazard.ilike(f"%{hazard}%"))
    if status:
        query = query.where(SearchDocument.status == status)
    if since:
        query = query.where(SearchDocument.created_at >= since)
    if until:
        query = query.where(SearchDocument.created_at < until)
    if before_id:
        query = query.where(SearchDocument.id < before_id)
    return query.order_by(SearchDocument.id.desc()).limit(limit)
