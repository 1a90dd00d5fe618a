"""SQL form of the visibility rule (``domain/visibility.py``) for tables with audience columns.

Lists and searches filter in the database with this, so a page of 50 visible rows
does not mean reading thousands; single objects are checked with ``Audience.allows``.
The per-kind clauses built from these pieces are in ``queries/`` (one beside each
kind's list), and ``tests/test_list_queries.py`` checks, kind by kind, that they
pick exactly the rows the Python rule allows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, String, and_, bindparam, false, func, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from eocnet.db.models import Party, TracingNotice
from eocnet.domain.actors import Actor
from eocnet.domain.visibility import NETWORK_KINDS, Visibility


def visible_to(model: Any, actor: Actor) -> Any:
    shared = or_(
        model.owner_party == actor.party_code,
        model.parties_key.contains(f",{actor.party_code},"),
        model.visibility == Visibility.PARTNERS.value,
        (model.visibility == Visibility.NETWORK.value)
        if actor.party_kind in NETWORK_KINDS
        else false(),
    )
    if hasattr(model, "users_key"):
        return and_(
            or_(model.users_key == "", model.users_key.contains(f",{actor.user_id},")), shared
        )
    return shared


class list_has(FunctionElement[bool]):
    """``list_has(column, value)``: ``value`` is one of the strings of a JSON list column
    (``parties``): SQLite's ``json_each``, PostgreSQL's ``jsonb`` containment. Exact,
    unlike a ``LIKE`` on the text (a code is never matched inside another)."""

    type = Boolean()
    name = "list_has"
    inherit_cache = True

    def __init__(self, column: Any, value: str) -> None:
        super().__init__(column, bindparam(None, value, type_=String()))


@compiles(list_has, "sqlite")
def _list_has_sqlite(element: list_has, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(c, **kw) for c in element.clauses)
    # both parts are compiled SQL (a column and a bound parameter), never input text
    return f"EXISTS (SELECT 1 FROM json_each({column}) AS lh WHERE lh.value = {value})"  # noqa: S608


@compiles(list_has)
def _list_has_default(element: list_has, compiler: Any, **kw: Any) -> str:
    column, value = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({column} AS JSONB) @> jsonb_build_array(CAST({value} AS TEXT)))"


def list_empty(column: Any) -> Any:
    """A JSON list column holding no element (``[]``, or no value at all)."""
    return or_(column.is_(None), func.json_array_length(column) == 0)


def is_coordinator_party(code: str) -> Any:
    """``code`` names a coordinator party of the directory: the SQL form of
    ``code in actions.checks.coordinators(session)``, with no statement of its own."""
    return select(Party.code).where(Party.code == code, Party.kind == "coordinator").exists()


def visible_by_list(visibility: Any, owner_party: Any, parties: Any, actor: Actor) -> Any:
    """``visible_to`` for a table that keeps its parties as a JSON list (no
    ``parties_key``): ``can_see`` over these three columns."""
    return or_(
        owner_party == actor.party_code,
        list_has(parties, actor.party_code),
        visibility == Visibility.PARTNERS.value,
        and_(visibility == Visibility.NETWORK.value, network_kind(actor)),
    )


def network_kind(actor: Actor) -> Any:
    """The actor's party is a member state or the coordinator (``NETWORK_KINDS``)."""
    return true() if actor.party_kind in NETWORK_KINDS else false()


def tracing_notice_visible(actor: Actor) -> Any:
    """SQL: the tracing notices whose summary ``actor`` may see: those its party sent
    or received, every one for the regional coordinator (who learns that each exists,
    never its persons). The rule of ``actions/tracing.access_notice``; here because both
    ``queries/tracing`` (the lists) and ``actions/chains`` (read with the audited
    persons) filter by it."""
    if actor.is_coordinator:
        return true()
    code = actor.party_code
    return or_(TracingNotice.sender_party == code, TracingNotice.parties_key.contains(f",{code},"))
