"""Situation reports as queries built for an ``Actor``: the audience stored on each
report (``actions/reports.audience``: visibility, owner, parties) as SQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from eocnet.db.audience import visible_by_list
from eocnet.db.models import Report
from eocnet.domain.actors import Actor


def report_visible(actor: Actor) -> Any:
    """SQL: the reports ``actor`` may read (``actions.reports.can_see``)."""
    return visible_by_list(Report.visibility, Report.owner_party, Report.parties, actor)


def reports(actor: Actor, *, status: str = "", limit: int = 500) -> Select[Report]:
    """The newest reports ``actor`` may read, optionally in one status."""
    query = select(Report).where(report_visible(actor)).order_by(Report.id.desc()).limit(limit)
    if status:
        query = query.where(Report.status == status)
    return query
