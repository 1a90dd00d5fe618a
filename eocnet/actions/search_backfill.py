"""Bringing the search documents up to date after an upgrade (``eocnet db upgrade``).

Two things, both idempotent and cheap when there is nothing to do:

- documents segmented by another segmentation than today's
  (``search_text.SEGMENTER``: a new ICU has other dictionaries or rules) are
  segmented again, so that words are cut the same way in the index and in queries;
- records of the kinds that are searchable but have no document yet (those written
  before they were indexed: advisories, fact checks, risk assessments, laboratories,
  support requests, meetings, action items, agreements) get one, for their audience
  as the action that writes them computes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from eocnet.actions import advisories, agreements, fact_checks, laboratories, meetings
from eocnet.actions import risk_assessments as rra_actions
from eocnet.db.models import (
    ActionItem,
    Advisory,
    Agreement,
    FactCheck,
    Laboratory,
    Meeting,
    RiskAssessment,
    SearchDocument,
    SupportRequest,
)
from eocnet.domain import search_text

#: kind of search document, the record's model, and the action's indexing function
_SOURCES: tuple[tuple[str, Any, Callable[[Session, Any], None]], ...] = (
    ("advisory", Advisory, advisories.index),
    ("fact_check", FactCheck, fact_checks.index),
    ("assessment", RiskAssessment, rra_actions.index),
    ("laboratory", Laboratory, laboratories.index_lab),
    ("support", SupportRequest, laboratories.index_request),
    ("action", ActionItem, meetings.index_action),
    ("meeting", Meeting, meetings.index_meeting),  # (indexes its action items again)
    ("agreement", Agreement, agreements.index),
)
_BATCH = 500


def resegment(session: Session) -> int:
    """Segment again the documents not segmented as today; how many."""
    done = 0
    while True:
        rows = session.execute(
            select(SearchDocument.id, SearchDocument.title, SearchDocument.body)
            .where(SearchDocument.segmenter != search_text.SEGMENTER)
            .limit(_BATCH)
        ).all()
        if not rows:
            return done
        for row in rows:
            session.execute(
                update(SearchDocument)
                .where(SearchDocument.id == row.id)
                .values(
                    terms=search_text.index_terms(row.title, row.body),
                    segmenter=search_text.SEGMENTER,
                )
            )
        done += len(rows)


def index_missing(session: Session) -> int:
    """Index the records that have no search document; how many."""
    done = 0
    for kind, model, index in _SOURCES:
        indexed = select(SearchDocument.object_id).where(SearchDocument.kind == kind)
        for record in session.scalars(select(model).where(model.id.not_in(indexed))):
            index(session, record)
            done += 1
    return done


def reindex(session: Session) -> dict[str, int]:
    """Both steps, in the caller's transaction (``db.run_sync(reindex)``)."""
    return {"resegmented": resegment(session), "indexed": index_missing(session)}
