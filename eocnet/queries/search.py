"""Full-text search as a query: the documents (events, updates, messages) matching
every word that an actor may see, on SQLite's FTS5 or PostgreSQL's text search."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, false, literal_column, select, text

from eocnet.db.audience import visible_to
from eocnet.db.models import SearchDocument
from eocnet.domain import search_text
from eocnet.domain.actors import Actor


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
    query = select(SearchDocument).where(visible_to(SearchDocument, actor))
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
