"""Full-text search over what the caller may see: events, updates, messages,
advisories, fact checks, risk assessments, laboratories, support requests,
meetings, action items and agreements."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from eocnet.api.deps import CurrentActor, DbDep
from eocnet.api.schemas import MAX_ID, Id
from eocnet.domain import search_text
from eocnet.queries.search import KINDS, page_of, search_query

router = APIRouter(tags=["search"])


class Hit(BaseModel):
    kind: str = Field(description="What was found: " + ", ".join(KINDS))
    id: int = Field(description="The id of the record of that kind")
    event_id: Id | None
    channel_id: Id | None
    title: str
    excerpt: str
    country: str
    hazard: str
    status: str
    created_at: datetime
    page: str = Field(description="Path of the web page that shows the record")


class SearchPage(BaseModel):
    items: list[Hit]
    next_before_id: int | None


def _excerpt(body: str, q: str, width: int = 200) -> str:
    words = search_text.words(q)
    folded = search_text.fold(body)
    # the words are folded (case, Latin accents): look for them in the folded body,
    # whose positions are the body's unless folding changed its length
    lower = folded if len(folded) == len(body) else body.lower()
    at = min((lower.find(w) for w in words if lower.find(w) >= 0), default=0)
    start = max(0, at - width // 3)
    piece = body[start : start + width].replace("\n", " ")
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


@router.get("/search", response_model=SearchPage, summary="Search")
def search(
    actor: CurrentActor,
    db: DbDep,
    q: str = Query(
        min_length=1,
        max_length=200,
        description="Words to find (all of them; the last also as a prefix). Any text is "
        "accepted: punctuation and symbols only separate words",
    ),
    kind: Literal[
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
    ]
    | None = Query(None, description="Only records of this kind"),
    country: str | None = Query(None, pattern=r"^[A-Z]{3}$"),
    hazard: str | None = Query(None, max_length=200),
    status: str | None = Query(
        None,
        max_length=12,
        pattern=r"^[a-z_]+$",
        description="Only records in this status (an event's: signal, verified, ongoing, "
        "closed, discarded; an advisory's or a fact check's: draft, published, ...)",
    ),
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = Query(
        None, ge=1, le=MAX_ID, description="Paging: results older than this"
    ),
    limit: int = Query(20, ge=1, le=100),
) -> SearchPage:
    """Events, updates, messages, advisories, fact checks, risk assessments,
    laboratories, support requests, meetings, action items and agreements that contain
    every word, newest first; only what the caller may see. Words are found in every
    script (Thai, Lao, Khmer and Burmese are segmented into words)."""
    if not search_text.words(q):
        return SearchPage(items=[], next_before_id=None)
    with db.read() as session:
        query = search_query(
            db.engine.dialect.name,
            actor,
            q,
            kind=kind,
            country=country,
            hazard=hazard,
            status=status,
            since=since,
            until=until,
            before_id=before_id,
            limit=limit,
        )
        rows = session.execute(query).scalars().all()
        items = [
            Hit(
                kind=r.kind,
                id=r.object_id,
                event_id=r.event_id,
                channel_id=r.channel_id,
                title=r.title,
                excerpt=_excerpt(r.body, q),
                country=r.country,
                hazard=r.hazard,
                status=r.status,
                created_at=r.created_at,
                page=page_of(r),
            )
            for r in rows
        ]
        return SearchPage(items=items, next_before_id=rows[-1].id if len(rows) == limit else None)
