"""The demo's surveillance, generated from the parameters of surveillance.yaml: years
of weekly reports from every member state, mostly on time, with an outbreak in the
latest week (so a signal opens) and a few reports missing or late; and an emergency
reported daily, growing in one party and turned in another."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update

from eocnet.actions import surveillance
from eocnet.db.models import AggregateReport
from eocnet.demo.files import Demo
from eocnet.domain.actors import Actor

# the generation's parameters, not fields of the disease
_GENERATION = ("weekly_cases", "seasonal_swing")


def load(demo: Demo, data: dict[str, Any], members: list[str], coordinator: str) -> None:
    import numpy as np

    session, settings = demo.session, demo.settings
    admin = demo.actor("coordinator")
    as_coordinator = Actor(admin.user_id, admin.email, coordinator, "coordinator", admin.roles)
    diseases = data["diseases"]
    for d in diseases:
        fields = {k: v for k, v in d.items() if k not in _GENERATION}
        surveillance.save_disease(session, as_coordinator, surveillance.DiseaseFields(**fields))
    emergency = data["emergency"]
    surveillance.save_disease(
        session, as_coordinator, surveillance.DiseaseFields(**emergency["disease"])
    )
    rng = np.random.default_rng(data["seed"])
    today = demo.today
    last = today - timedelta(days=today.weekday() + 7)  # the last complete ISO week
    weeks = [last - timedelta(weeks=i) for i in range(52 * data["years"])][::-1]
    phase = np.arange(len(weeks)) / 52.18
    outbreak = data["outbreak"]
    dispersion = data["dispersion"]
    for party in members:
        officer = demo.actor(f"officer.{party.lower()}")
        size = float(rng.uniform(*data["party_size"]))
        rows: list[surveillance.ReportRow] = []
        for d in diseases:
            mean = (
                d["weekly_cases"]
                * size
                * (1 + d["seasonal_swing"] * np.sin(2 * np.pi * (phase + rng.random())))
            )
            counts = rng.negative_binomial(dispersion, dispersion / (dispersion + mean))
            if d["code"] == outbreak["disease"] and party == outbreak["party"]:
                counts[-1] = int(counts[-1] * outbreak["factor"] + outbreak["extra"])
            skip = {len(weeks) - 1} if party in data["missing_latest_week"] else set()
            for i, week in enumerate(weeks):
                if i in skip:
                    continue
                confirmed = int(counts[i] * data["confirmed_share"])
                rows.append(
                    surveillance.ReportRow(
                        d["code"],
                        week,
                        counts=(
                            int(counts[i]) - confirmed,
                            0,
                            confirmed,
                            0,
                            0,
                            int(rng.binomial(int(counts[i]), data["death_rate"])),
                        ),
                    )
                )
        surveillance.submit(session, officer, settings, rows, source="demo")
        for course in ("growing", "turned"):
            if emergency[course]["party"] == party:
                _daily_outbreak(demo, officer, rng, emergency, course)
        # the demo's history was reported week by week: on the Monday after each
        # week, late (the Thursday after) now and then
        late = {w for w in weeks if rng.random() < data["late_share"]}
        for week in weeks:
            days = data["late_after_days"] if week in late else data["reported_after_days"]
            session.execute(
                update(AggregateReport)
                .where(AggregateReport.party == party, AggregateReport.period_start == week)
                .values(
                    submitted_at=datetime.combine(
                        week + timedelta(days=days), datetime.min.time(), UTC
                    )
                    + timedelta(hours=2)
                )
            )


def _daily_outbreak(
    demo: Demo, officer: Actor, rng: Any, emergency: dict[str, Any], course: str
) -> None:
    """Daily counts of the emergency: an outbreak that grows (R above 1) or has turned
    (R below 1)."""
    days, start, p = emergency["days"], emergency["start"], emergency[course]
    rows = []
    for i in range(days):
        if course == "growing":
            mean = start * math.exp(p["growth"] * i)
        else:
            mean = start * math.exp(
                p["growth"] * min(i, p["turn"]) - p["decline"] * max(0, i - p["turn"])
            )
        day = demo.today - timedelta(days=days - i)
        counts = (int(rng.poisson(mean)), 0, 0, 0, 0, 0)
        rows.append(surveillance.ReportRow(emergency["disease"]["code"], day, counts=counts))
    surveillance.submit(demo.session, officer, demo.settings, rows, source="demo")
