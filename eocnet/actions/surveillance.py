"""Weekly surveillance: diseases, report submission with history, who sees
which figures, completeness and timeliness, and signals from the detection
methods becoming events."""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from eocnet.actions import audit, events
from eocnet.actions.errors import Forbidden, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db import bulk
from eocnet.db.audience import visible_to
from eocnet.db.models import (
    AggregateReport,
    Disease,
    Event,
    EventUpdate,
    Party,
    SurveillanceSignal,
)
from eocnet.db.types import utcnow
from eocnet.domain import surveillance as rules
from eocnet.domain.actors import Actor
from eocnet.domain.events import EventStatus, Severity
from eocnet.domain.quoting import quoted
from eocnet.domain.roles import Role
from eocnet.domain.surveillance import FIGURES, Schedule, Sharing
from eocnet.domain.visibility import Visibility
from eocnet.realtime.log import Audience, publish

if TYPE_CHECKING:  # the analytics (numpy, scipy) load on first use, not at start-up
    from eocnet.analytics.aberration import AberrationMethod
    from eocnet.analytics.detection import Detection
    from eocnet.analytics.rt import RtEstimate

REPORTING_ROLES = frozenset({Role.OFFICER, Role.FOCAL_POINT})
REPORT_COLUMNS = ("disease", "period", "area", "age_group", "sex", *FIGURES)
MAX_COUNT = 10_000_000


# ---------------------------------------------------------------- diseases


@dataclass
class DiseaseFields:
    code: str
    name: str
    icd_code: str = ""
    schedule: str = Schedule.ISO_WEEK
    due_days: int = 1
    due_hour: int = 12
    method: dict[str, Any] = field(default_factory=lambda: {"name": "farrington-flexible"})
    share_with: str = Sharing.NETWORK
    si_mean: float | None = None
    si_sd: float | None = None
    active: bool = True


def method_of(disease: Disease) -> AberrationMethod:
    from eocnet.analytics.aberration import AberrationMethod

    settings = dict(disease.method or {"name": "farrington-flexible"})
    return AberrationMethod(**settings)


def _check_method(schedule: str, method: dict[str, Any]) -> AberrationMethod:
    from eocnet.analytics.aberration import METHODS, AberrationMethod

    if not isinstance(method, dict) or method.get("name") not in METHODS:
        raise Invalid(f"method.name must be one of {', '.join(METHODS)}", field="method.name")
    try:
        chosen = AberrationMethod(**method)
    except (TypeError, ValueError) as exc:
        raise Invalid(str(exc), field="method") from None
    if schedule == Schedule.DAILY and not chosen.is_ears:
        raise Invalid(
            "a daily schedule needs an EARS method (Farrington is weekly)", field="method.name"
        )
    return chosen


def save_disease(session: Session, actor: Actor, f: DiseaseFields) -> Disease:
    """Create or change a disease and its signal settings (the coordinator)."""
    if not (actor.has_role(Role.COORDINATOR) or actor.has_role(Role.ADMIN)) or (
        actor.party_kind != "coordinator"
    ):
        raise Forbidden("the network's coordinator sets up diseases")
    code = f.code.strip().upper()
    if not code or len(code) > 32 or not code.replace("-", "").replace("_", "").isalnum():
        raise Invalid("the code is letters, digits, - or _ (at most 32)", field="code")
    if not f.name.strip():
        raise Invalid("the name is empty", field="name")
    for name, vocabulary in (("schedule", Schedule), ("share_with", Sharing)):
        try:
            vocabulary(getattr(f, name))
        except ValueError as exc:
            raise Invalid(str(exc), field=name) from None
    if not 0 <= f.due_days <= 30:
        raise Invalid("due_days must be between 0 and 30", field="due_days")
    if not 0 <= f.due_hour <= 23:
        raise Invalid("due_hour must be between 0 and 23", field="due_hour")
    chosen = _check_method(f.schedule, f.method)
    if (f.si_mean is None) != (f.si_sd is None):
        raise Invalid("give the serial interval's mean and sd together", field="si_mean")
    if f.si_mean is not None and f.si_sd is not None:
        if f.schedule != Schedule.DAILY:
            raise Invalid("the reproduction number needs a daily schedule", field="si_mean")
        if not 1 < f.si_mean <= 60 or not 0 < f.si_sd <= 60:
            raise Invalid(
                "the serial interval's mean must be over 1 day and its sd positive "
                "(days, at most 60)",
                field="si_mean",
            )
    disease = session.get(Disease, code)
    created = disease is None
    if disease is None:
        disease = Disease(code=code)
        session.add(disease)
    disease.name = f.name.strip()
    disease.icd_code = f.icd_code.strip()
    disease.schedule = f.schedule
    disease.due_days = f.due_days
    disease.due_hour = f.due_hour
    disease.method = {"name": chosen.name, **chosen.given()}
    disease.share_with = f.share_with
    disease.si_mean = f.si_mean
    disease.si_sd = f.si_sd
    disease.active = f.active
    disease.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor,
        "disease.create" if created else "disease.update",
        "disease",
        code,
        details={"method": disease.method, "share_with": disease.share_with},
    )
    return disease


def list_diseases(session: Session, *, active_only: bool = True) -> list[Disease]:
    query = select(Disease).order_by(Disease.name)
    if active_only:
        query = query.where(Disease.active.is_(True))
    return list(session.scalars(query))


def get_disease(session: Session, code: str) -> Disease:
    disease = session.get(Disease, code.upper())
    if disease is None:
        raise NotFound(f"no disease {code}")
    return disease


# ---------------------------------------------------------------- who sees what


def member_parties(session: Session) -> dict[str, Party]:
    rows = session.scalars(
        select(Party).where(Party.kind == "member", Party.active.is_(True)).order_by(Party.code)
    )
    return {p.code: p for p in rows}


def visible_parties(session: Session, actor: Actor, disease: Disease) -> list[str]:
    """Whose weekly totals of the disease the actor may see."""
    members = list(member_parties(session))
    if actor.party_kind == "coordinator":
        return members
    if actor.party_kind == "member":
        if disease.share_with in (Sharing.NETWORK, Sharing.PARTNERS):
            return members
        return [actor.party_code]
    return members if disease.share_with == Sharing.PARTNERS else []


# ---------------------------------------------------------------- checking rows


@dataclass(slots=True)
class ReportRow:
    disease: str
    period: date
    area: str = ""
    age_group: str = ""
    sex: str = ""
    counts: tuple[int, ...] = (0, 0, 0, 0, 0, 0)  # in the order of FIGURES

    @property
    def figures(self) -> dict[str, int]:
        return dict(zip(FIGURES, self.counts, strict=True))

    @property
    def key(self) -> tuple[str, date, str, str, str]:
        return (self.disease, self.period, self.area, self.age_group, self.sex)


@dataclass
class RowCheck:
    rows: list[ReportRow]
    errors: list[dict[str, Any]]
    total: int


class _RowError(Exception):
    def __init__(self, field_name: str, detail: str):
        super().__init__(detail)
        self.field = field_name
        self.detail = detail


def _count(value: Any, name: str) -> int:
    """A count from a file (text) or JSON (a number); empty is 0."""
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        if text.isascii() and text.isdigit():
            number = int(text)
        else:
            try:
                as_float = float(text)
            except ValueError:
                raise _RowError(name, f"{quoted(text)} is not a count") from None
            if not as_float.is_integer():
                raise _RowError(name, f"{quoted(text)} is not a whole number")
            number = int(as_float)
    elif value is None:
        return 0
    elif isinstance(value, bool) or not isinstance(value, int | float):
        raise _RowError(name, f"{quoted(value)} is not a count")
    elif isinstance(value, float) and not value.is_integer():
        raise _RowError(name, f"{value} is not a whole number")
    else:
        number = int(value)
    if number < 0:
        raise _RowError(name, "counts cannot be negative")
    if number > MAX_COUNT:
        raise _RowError(name, f"{number} is implausibly large")
    return number


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _fast_count(value: Any, name: str) -> int:
    """Plain digits, the usual case in a file, without the general checks."""
    if type(value) is str and len(value) < 8 and value.isdigit() and value.isascii():
        return int(value)  # below MAX_COUNT and not negative
    return _count(value, name)


class _Checker:
    """Checks rows for one party. A file repeats the same diseases, periods
    and breakdowns on every row, so each distinct one is checked once."""

    def __init__(self, diseases: Mapping[str, Disease], party: str, today: date):
        self.diseases = diseases
        self.party = party
        self.today = today
        self.periods: dict[tuple[Any, Any], tuple[str, date] | _RowError] = {}
        self.strata: dict[tuple[Any, Any, Any], tuple[str, str, str] | _RowError] = {}

    def _period(self, disease_value: Any, period_value: Any) -> tuple[str, date]:
        code = _text(disease_value).upper()
        disease = self.diseases.get(code)
        if disease is None:
            raise _RowError(
                "disease", f"unknown disease {quoted(code)}" if code else "the disease is empty"
            )
        try:
            period = rules.parse_period(Schedule(disease.schedule), _text(period_value))
        except ValueError as exc:
            raise _RowError("period", str(exc)) from None
        if period > self.today:
            raise _RowError("period", f"the period starting {period} has not begun yet")
        return code, period

    def _stratum(self, area_value: Any, age_value: Any, sex_value: Any) -> tuple[str, str, str]:
        area = _text(area_value).upper()
        if area and not rules.AREA.match(area):
            raise _RowError("area", f"{quoted(area)} is not an ISO 3166-2 code such as ID-JK")
        age = _text(age_value)
        if age and not rules.AGE_GROUP.match(age):
            raise _RowError(
                "age_group", f"{quoted(age)} is not an age group such as 0-4, 65+ or unknown"
            )
        sex = _text(sex_value).upper()
        if sex not in rules.SEXES:
            raise _RowError("sex", "sex is M, F, U (unknown) or empty")
        return area, age, sex

    @staticmethod
    def _cached(cache: dict[Any, Any], key: tuple[Any, ...], compute: Any) -> Any:
        try:
            found = cache.get(key)
        except TypeError:  # an unhashable value (JSON list): check it uncached
            return compute(*key)
        if found is None:
            try:
                found = compute(*key)
            except _RowError as exc:
                found = exc
            cache[key] = found
        if isinstance(found, _RowError):
            raise found
        return found

    def row(self, record: Mapping[str, Any]) -> ReportRow:
        get = record.get
        given_party = _text(get("party")).upper()
        if given_party and given_party != self.party:
            raise _RowError("party", f"you report for {self.party}, not {given_party}")
        code, period = self._cached(self.periods, (get("disease"), get("period")), self._period)
        area, age, sex = self._cached(
            self.strata, (get("area"), get("age_group"), get("sex")), self._stratum
        )
        counts = tuple([_fast_count(get(name), name) for name in FIGURES])
        return ReportRow(code, period, area, age, sex, counts)


def check_rows(
    diseases: Mapping[str, Disease],
    party: str,
    records: Iterable[Mapping[str, Any]],
    first_row: int = 1,
    today: date | None = None,
    read_errors: Iterable[dict[str, Any]] = (),
) -> RowCheck:
    """Validate report rows for ``party``; every problem is one error naming
    the row (as numbered for the user) and the field. ``read_errors`` are
    problems found while reading the file (rows that never became records);
    they are counted and listed in row order with the others."""
    checker = _Checker(diseases, party, today or utcnow().date())
    rows: list[ReportRow] = []
    errors: list[dict[str, Any]] = []
    seen: dict[tuple[str, date, str, str, str], int] = {}
    total = 0
    for position, record in enumerate(records, start=first_row):
        number = record.get("_row") or position  # files that number their own rows
        total += 1
        try:
            row = checker.row(record)
            key = row.key
            if key in seen:
                raise _RowError(
                    "period", f"the same disease, period and breakdown as row {seen[key]}"
                )
        except _RowError as exc:
            errors.append({"row": number, "field": exc.field, "detail": exc.detail})
            continue
        seen[key] = number
        rows.append(row)
    read = list(read_errors)
    if read:
        errors = sorted([*read, *errors], key=lambda e: e["row"])
        total += len(read)
    return RowCheck(rows, errors, total)


# ---------------------------------------------------------------- what is saved


def saved_rows(
    session: Session, party: str, rows: list[ReportRow]
) -> dict[tuple[str, date, str, str, str], AggregateReport]:
    """The current saved figures of the same strata as ``rows`` (the ones saving them
    would replace), by row key."""
    keys = {row.key for row in rows}
    found: dict[tuple[str, date, str, str, str], AggregateReport] = {}
    by_disease: dict[str, set[date]] = defaultdict(set)
    for row in rows:
        by_disease[row.disease].add(row.period)
    for disease, periods in by_disease.items():
        for saved in session.execute(
            select(AggregateReport).where(
                AggregateReport.party == party,
                AggregateReport.disease == disease,
                AggregateReport.current.is_(True),
                AggregateReport.period_start.between(min(periods), max(periods)),
            )
        ).scalars():
            key = (disease, saved.period_start, saved.area, saved.age_group, saved.sex)
            if key in keys:
                found[key] = saved
    return found


def figures_of(saved: AggregateReport) -> dict[str, int]:
    return {name: int(getattr(saved, name)) for name in FIGURES}


def history_start(session: Session, disease: str) -> date | None:
    """The first period any party has figures for: where the disease's history starts."""
    first: date | None = session.execute(
        select(func.min(AggregateReport.period_start)).where(
            AggregateReport.disease == disease, AggregateReport.current.is_(True)
        )
    ).scalar()
    return first


# ---------------------------------------------------------------- submitting


@dataclass
class Submission:
    id: str
    saved: int
    replaced: int
    signals: list[int]


def require_reporter(actor: Actor) -> None:
    if actor.party_kind != "member" or not any(r in REPORTING_ROLES for r in actor.roles):
        raise Forbidden("officers and focal points of member states submit reports")
    if actor.scope != "write":
        raise Forbidden("this token is read-only")


def submit(
    session: Session, actor: Actor, settings: Settings, rows: list[ReportRow], *, source: str
) -> Submission:
    """Save the rows for the actor's party (replacing the same strata of the
    same periods, with history kept), then run signal detection on the
    series that changed."""
    require_reporter(actor)
    if not rows:
        raise Invalid("there is no row to save", field="rows")
    now = utcnow()
    submission = secrets.token_hex(8)
    party = actor.party_code
    by_disease: dict[str, set[date]] = defaultdict(set)
    for row in rows:
        by_disease[row.disease].add(row.period)
    keys = {row.key for row in rows}
    replaced_ids: list[int] = []
    for disease, periods in by_disease.items():
        existing = session.execute(
            select(
                AggregateReport.id,
                AggregateReport.period_start,
                AggregateReport.area,
                AggregateReport.age_group,
                AggregateReport.sex,
            ).where(
                AggregateReport.party == party,
                AggregateReport.disease == disease,
                AggregateReport.current.is_(True),
                AggregateReport.period_start.between(min(periods), max(periods)),
            )
        )
        replaced_ids += [
            r.id for r in existing if (disease, r.period_start, r.area, r.age_group, r.sex) in keys
        ]
    for start in range(0, len(replaced_ids), 500):
        session.execute(
            update(AggregateReport)
            .where(AggregateReport.id.in_(replaced_ids[start : start + 500]))
            .values(current=False, replaced_at=now)
        )
    # by COPY or one executemany, not the ORM: a file can hold a million rows
    base = (party, True, submission, actor.user_id, now)
    bulk.insert_rows(
        session.connection(),
        AggregateReport.__table__,  # type: ignore[arg-type]
        (
            "party",
            "current",
            "submission",
            "submitted_by",
            "submitted_at",
            "disease",
            "period_start",
            "area",
            "age_group",
            "sex",
            *FIGURES,
        ),
        ((*base, r.disease, r.period, r.area, r.age_group, r.sex, *r.counts) for r in rows),
    )
    summary = {
        disease: [min(periods).isoformat(), max(periods).isoformat(), len(periods)]
        for disease, periods in sorted(by_disease.items())
    }
    audit.record(
        session,
        actor,
        "surveillance.submit",
        "submission",
        submission,
        details={
            "rows": len(rows),
            "replaced": len(replaced_ids),
            "source": source,
            "periods": summary,
        },
    )
    publish(
        session,
        "surveillance.reported",
        Audience(Visibility.NETWORK, party),
        {
            "party": party,
            "submission": submission,
            "rows": len(rows),
            "diseases": {
                d: {"first": v[0], "last": v[1], "periods": v[2]} for d, v in summary.items()
            },
        },
    )
    signals: list[int] = []
    for code in sorted(by_disease):
        signal = detect_latest(session, actor, settings, get_disease(session, code), party)
        if signal is not None:
            signals.append(signal.event_id)
    return Submission(submission, len(rows), len(replaced_ids), signals)


# ---------------------------------------------------------------- series


@dataclass
class Series:
    """A party's (or the region's) totals per period, on a regular grid."""

    disease: Disease
    party: str | None
    periods: list[date]
    cases: np.ndarray  # NaN where nothing was reported
    deaths: np.ndarray
    detection: Detection | None = None


def totals(session: Session, disease: Disease, parties: list[str]) -> dict[date, tuple[int, int]]:
    """Cases and deaths per period summed over ``parties`` (current rows)."""
    if not parties:
        return {}
    cases = (
        AggregateReport.cases_suspected
        + AggregateReport.cases_probable
        + AggregateReport.cases_confirmed
    )
    deaths = (
        AggregateReport.deaths_suspected
        + AggregateReport.deaths_probable
        + AggregateReport.deaths_confirmed
    )
    rows = session.execute(
        select(AggregateReport.period_start, func.sum(cases), func.sum(deaths))
        .where(
            AggregateReport.disease == disease.code,
            AggregateReport.current.is_(True),
            AggregateReport.party.in_(parties),
        )
        .group_by(AggregateReport.period_start)
    )
    return {r[0]: (int(r[1] or 0), int(r[2] or 0)) for r in rows}


def build_series(
    session: Session,
    disease: Disease,
    party: str | None,
    parties: list[str],
    *,
    detect: bool = True,
    last: int | None = None,
) -> Series:
    """The series of one party (``party``) or of the region (``parties``),
    with the disease's detection method run on its cases."""
    data = totals(session, disease, [party] if party else parties)
    schedule = Schedule(disease.schedule)
    if not data:
        return Series(disease, party, [], np.zeros(0), np.zeros(0))
    periods = rules.periods_between(schedule, min(data), max(data))
    cases = np.array([data[p][0] if p in data else np.nan for p in periods], dtype=float)
    deaths = np.array([data[p][1] if p in data else np.nan for p in periods], dtype=float)
    series = Series(disease, party, periods, cases, deaths)
    if detect:
        # fallback on purpose: a disease with a short history still gets
        # thresholds (fewer years, or EARS C3), each period saying which
        series.detection = method_of(disease).detect_many(
            [(periods, cases)], last=last, fallback=True
        )[0]
    return series


def reproduction_number(series: Series, *, window: int = 7) -> RtEstimate | None:
    """Rt (Cori et al., as EpiEstim) over ``window``-day windows of one
    party's daily series, when the disease has a serial interval; None when it
    cannot be estimated. Never on a regional sum (``series.party`` None):
    transmission is estimated where it happens, and a sum over countries mixes
    epidemics at different stages (see :func:`reproduction_panel`). Days not
    reported stay missing (the windows that depend on them are empty)."""
    disease = series.disease
    if series.party is None:
        return None
    if disease.si_mean is None or disease.si_sd is None or len(series.periods) < window + 1:
        return None
    from eocnet.analytics.rt import estimate_rt_parametric

    return estimate_rt_parametric(series.cases, disease.si_mean, disease.si_sd, window=window)


@dataclass
class NationalRt:
    """One party's Rt in a regional panel."""

    party: str
    series: Series
    estimate: RtEstimate

    def window_dates(self, i: int) -> tuple[date, date]:
        first = self.series.periods[0]
        return (
            first + timedelta(days=int(self.estimate.start[i])),
            first + timedelta(days=int(self.estimate.end[i])),
        )

    def latest(self) -> int:
        """The last window with an estimate, or the last window (then empty,
        with its reason) when none has one."""
        have = np.flatnonzero(~np.isnan(self.estimate.mean))
        return int(have[-1]) if have.size else self.estimate.start.size - 1


def reproduction_panel(
    session: Session, disease: Disease, parties: list[str], *, window: int = 7
) -> list[NationalRt]:
    """The regional view of Rt: one estimate per party that reported, side by
    side, never one estimate on the regional total."""
    panel = []
    for party in parties:
        series = build_series(session, disease, party, [party], detect=False)
        estimate = reproduction_number(series, window=window) if series.periods else None
        if estimate is not None and estimate.start.size:
            panel.append(NationalRt(party, series, estimate))
    return panel


def _coordinator(session: Session) -> str | None:
    return session.scalar(select(Party.code).where(Party.kind == "coordinator").limit(1))


def detect_latest(
    session: Session, actor: Actor, settings: Settings, disease: Disease, party: str
) -> SurveillanceSignal | None:
    """Run the disease's method on the party's series; an alarm in its latest
    period opens a signal event for the party and the coordinator (once).

    One continuing signal is one event: an alarm in the period right after
    one whose signal event is still under verification (status ``signal``)
    adds the period to that event, with an update, instead of opening a new
    one; the first quiet period after such a run says on the event that the
    alarms stopped (its status stays for people to decide)."""
    series = build_series(session, disease, party, [party], last=2)
    if series.detection is None or not series.periods:
        return None
    k = len(series.periods) - 1
    previous = _open_signal(session, disease, party, series.periods[k - 1]) if k else None
    if series.detection.alarm[k] != 1.0:
        label = rules.period_label(Schedule(disease.schedule), series.periods[k])
        stopped = f"Alarms stopped: {label} is below the detection threshold."
        if (
            previous is not None
            and series.periods[k] not in _signal_periods(session, previous)
            and session.scalar(
                select(func.count())
                .select_from(EventUpdate)
                .where(EventUpdate.event_id == previous[1].id, EventUpdate.body == stopped)
            )
            == 0
        ):
            events.post_update(
                session,
                actor,
                previous[1],
                stopped,
                {},
                [],
                settings,
            )
        return None
    chosen = method_of(disease)
    note = series.detection.note_at(k)
    method = "ears-c3" if "EARS C3" in note else chosen.label()
    period = series.periods[k]
    exists = session.scalar(
        select(SurveillanceSignal.id).where(
            SurveillanceSignal.party == party,
            SurveillanceSignal.disease == disease.code,
            SurveillanceSignal.period_start == period,
            SurveillanceSignal.method == method,
        )
    )
    if exists is not None:
        return None
    coordinator = _coordinator(session)
    if coordinator is None or coordinator == party:
        return None
    label = rules.period_label(Schedule(disease.schedule), period)
    if previous is not None:
        run = len(_signal_periods(session, previous)) + 1
        signal = SurveillanceSignal(
            party=party,
            disease=disease.code,
            period_start=period,
            method=method,
            observed=int(series.cases[k]),
            expected=float(series.detection.expected[k]),
            threshold=float(series.detection.threshold[k]),
            event_id=previous[1].id,
        )
        session.add(signal)
        session.flush()
        events.post_update(
            session,
            actor,
            previous[1],
            f"The alarm continues in {label} ({run} periods in a row): "
            f"{int(series.cases[k])} cases, above the detection threshold of "
            f"{float(series.detection.threshold[k]):.1f}.",
            {},
            [],
            settings,
        )
        return signal
    observed = int(series.cases[k])
    expected = float(series.detection.expected[k])
    threshold = float(series.detection.threshold[k])
    party_name = session.get(Party, party)
    event = events.create_event(
        session,
        actor,
        events.EventFields(
            title=f"Signal: {disease.name}, {party_name.name if party_name else party}, {label}",
            hazard=disease.name,
            icd_code=disease.icd_code,
            country=party,
            summary=(
                f"{observed} cases reported for {label}, above the detection threshold of "
                f"{threshold:.1f} (expected {expected:.1f}; method {method}). "
                + (f"Short history, {note}. " if note else "")
                + f"Curve: /surveillance/curve?disease={disease.code}&party={party}"
            ),
            visibility=Visibility.RESTRICTED,
            parties=[coordinator],
            status=EventStatus.SIGNAL,
            severity=Severity.MODERATE,
            figures={"cases_suspected": observed},
        ),
        settings,
    )
    signal = SurveillanceSignal(
        party=party,
        disease=disease.code,
        period_start=period,
        method=method,
        observed=observed,
        expected=expected,
        threshold=threshold,
        event_id=event.id,
    )
    session.add(signal)
    session.flush()
    return signal


def _open_signal(
    session: Session, disease: Disease, party: str, period: date
) -> tuple[SurveillanceSignal, Event] | None:
    """The signal of ``period`` whose event still awaits verification."""
    row = session.execute(
        select(SurveillanceSignal, Event)
        .join(Event, Event.id == SurveillanceSignal.event_id)
        .where(
            SurveillanceSignal.party == party,
            SurveillanceSignal.disease == disease.code,
            SurveillanceSignal.period_start == period,
            Event.status == EventStatus.SIGNAL,
        )
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def _signal_periods(session: Session, found: tuple[SurveillanceSignal, Event]) -> list[date]:
    """The periods of the run of alarms the signal event holds."""
    return list(
        session.scalars(
            select(SurveillanceSignal.period_start).where(
                SurveillanceSignal.event_id == found[1].id
            )
        )
    )


def visible_signals(session: Session, actor: Actor, limit: int = 200) -> list[SurveillanceSignal]:
    """Signals whose event the actor may see, newest first."""
    return list(
        session.scalars(
            select(SurveillanceSignal)
            .join(Event, Event.id == SurveillanceSignal.event_id)
            .where(visible_to(Event, actor))
            .order_by(SurveillanceSignal.id.desc())
            .limit(limit)
        )
    )


# ---------------------------------------------------------------- completeness


@dataclass
class Completeness:
    party: str
    name: str
    expected: int
    received: int
    on_time: int
    periods: list[tuple[date, str]]  # on_time | late | missing | not_due

    @property
    def completeness(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def completeness(
    session: Session,
    actor: Actor,
    disease: Disease,
    first: date,
    last: date,
    now: datetime | None = None,
) -> list[Completeness]:
    """Per visible party: reports expected (due by now), received, on time."""
    now = now or utcnow()
    schedule = Schedule(disease.schedule)
    periods = rules.periods_between(schedule, first, last)
    if len(periods) > 1000:
        raise Invalid("choose at most 1,000 periods", field="first")
    parties = member_parties(session)
    shown = visible_parties(session, actor, disease)
    firsts = dict(
        ((r[0], r[1]), r[2])
        for r in session.execute(
            select(
                AggregateReport.party,
                AggregateReport.period_start,
                func.min(AggregateReport.submitted_at),
            )
            .where(
                AggregateReport.disease == disease.code,
                AggregateReport.party.in_(shown),
                AggregateReport.period_start.between(periods[0], periods[-1]),
            )
            .group_by(AggregateReport.party, AggregateReport.period_start)
        )
    )
    out = []
    for code in shown:
        party = parties[code]
        marks: list[tuple[date, str]] = []
        expected = received = on_time = 0
        for start in periods:
            due = rules.due_at(schedule, start, disease.due_days, disease.due_hour, party.time_zone)
            submitted = firsts.get((code, start))
            if submitted is not None and submitted.tzinfo is None:
                submitted = submitted.replace(tzinfo=due.tzinfo)
            if due > now:
                marks.append((start, "not_due" if submitted is None else "on_time"))
                continue
            expected += 1
            if submitted is None:
                marks.append((start, "missing"))
                continue
            received += 1
            if submitted <= due:
                on_time += 1
                marks.append((start, "on_time"))
            else:
                marks.append((start, "late"))
        out.append(Completeness(code, party.name, expected, received, on_time, marks))
    return out


def report_rows(
    session: Session,
    actor: Actor,
    disease: Disease,
    first: date,
    last: date,
    *,
    history: bool = False,
) -> list[AggregateReport]:
    """The actor's own party's report rows (with the replaced ones on request)."""
    query = select(AggregateReport).where(
        AggregateReport.party == actor.party_code,
        AggregateReport.disease == disease.code,
        AggregateReport.period_start.between(first, last),
    )
    if not history:
        query = query.where(AggregateReport.current.is_(True))
    return list(
        session.scalars(
            query.order_by(
                AggregateReport.period_start,
                AggregateReport.area,
                AggregateReport.age_group,
                AggregateReport.sex,
                AggregateReport.id,
            )
        )
    )
