"""SQL form of the visibility rule (``domain/visibility.py``) for tables with audience columns.

Lists and searches filter in the database with this, so a page of 50 visible rows
does not mean reading thousands; single objects are checked with ``Audience.allows``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, false, or_

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
