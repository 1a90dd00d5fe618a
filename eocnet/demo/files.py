"""The demo's data files (eocnet/data/demo/*.yaml) and what their entries name:
who acts, relative dates, and the dataclasses of the actions."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from eocnet.actions import users
from eocnet.config import Settings
from eocnet.db.models import Event
from eocnet.db.types import utcnow
from eocnet.domain.actors import Actor

DATA = Path(__file__).resolve().parent.parent / "data" / "demo"

T = TypeVar("T")

# today, now, today-6d, now+28d, today-14d 02:00 (UTC)
_WHEN = re.compile(r"(today|now)(?:([+-])(\d+)d)?(?: (\d\d):(\d\d))?")


def read(name: str) -> dict[str, Any]:
    """One data file, e.g. read("exchange") for exchange.yaml (read anew each time)."""
    with (DATA / f"{name}.yaml").open(encoding="utf-8") as f:
        loaded = yaml.safe_load(f)
    assert isinstance(loaded, dict), name
    return loaded


@dataclass
class Demo:
    """The loading under way: its session and settings, its clock, and the demo users
    by the part of their e-mail before the @ ("officer.idn", "coordinator")."""

    session: Session
    settings: Settings
    domain: str
    now: datetime = field(default_factory=lambda: utcnow().replace(microsecond=0))

    @property
    def today(self) -> date:
        return self.now.date()

    def actor(self, name: str) -> Actor:
        user = users.find_by_email(self.session, f"{name}@{self.domain}")
        assert user is not None, name
        return users.actor_for(user)

    def event_id(self, hazard: str | None) -> int | None:
        """The demo event of a hazard (None when not named)."""
        if hazard is None:
            return None
        return self.session.scalar(select(Event.id).where(Event.hazard == hazard))

    def when(self, value: Any) -> Any:
        """Relative dates and times resolved, in a value of a data file and all it holds."""
        if isinstance(value, dict):
            return {k: self.when(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.when(v) for v in value]
        if isinstance(value, str) and (m := _WHEN.fullmatch(value)):
            base, sign, days, hour, minute = m.groups()
            shift = timedelta(days=int(days or 0)) * (-1 if sign == "-" else 1)
            if hour is not None:
                return datetime.combine(self.today + shift, time(int(hour), int(minute)), UTC)
            return (self.now if base == "now" else self.today) + shift
        return value

    def fields(self, cls: type[T], values: dict[str, Any], **more: Any) -> T:
        """An action's dataclass of fields from an entry of a data file."""
        return cls(**self.when(values), **more)
