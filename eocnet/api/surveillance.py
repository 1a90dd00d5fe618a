"""Weekly surveillance: diseases, aggregate reports, series with detection
thresholds, completeness and timeliness, signals, and epidemic curves."""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Query, UploadFile
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from eocnet.actions import surveillance as actions
from eocnet.actions.errors import Invalid, NotFound
from eocnet.api.deps import CurrentActor, DbDep, SettingsDep
from eocnet.api.problems import problem
from eocnet.api.schemas import Input
from eocnet.db.types import utcnow
from eocnet.domain import surveillance as rules
from eocnet.domain.surveillance import Schedule
from eocnet.interop.report_files import read_report_file
from eocnet.interop.tables import TableError

router = APIRouter(prefix="/surveillance", tags=["surveillance"])
Count = Annotated[int, Field(ge=0, le=actions.MAX_COUNT)]


class MethodIn(Input):
    name: Literal["ears-c1", "ears-c2", "ears-c3", "farrington-flexible"] = "farrington-flexible"
    baseline: int | None = Field(None, ge=3, le=104, description="EARS: baseline periods (7)")
    alpha: float | None = Field(
        None,
        gt=0,
        lt=1,
        description="Significance level (R: 0.001 for EARS C1 and C2, 0.025 for C3, "
        "0.05 for Farrington)",
    )
    min_sigma: float | None = Field(None, ge=0, description="EARS: smallest sd (0)")
    b: int | None = Field(None, ge=1, le=10, description="Farrington: years back (5)")
    w: int | None = Field(None, ge=0, le=10, description="Farrington: half-window (3)")
    no_periods: int | None = Field(None, ge=1, le=26, description="Farrington: blocks (1)")
    past_weeks_not_included: int | None = Field(None, ge=0, le=52)
    threshold_method: Literal["delta", "nbPlugin", "muan"] | None = None
    preset: Literal["r-default", "noufaily"] | None = Field(
        None,
        description="r-default: R's defaults (as without a preset). noufaily: Farrington as "
        "Noufaily et al. (2013) in Salmon et al. (2016): 10 blocks a year, the last 26 weeks "
        "left out, negative-binomial threshold, all past years; far fewer false alarms "
        "than R's default (see docs/analytics.md)",
    )


class DiseaseIn(Input):
    name: str = Field(min_length=1, max_length=200)
    icd_code: str = Field("", max_length=20)
    schedule: Literal["iso_week", "mmwr_week", "daily"] = "iso_week"
    due_days: int = Field(1, ge=0, le=30, description="Days after the period ends")
    due_hour: int = Field(12, ge=0, le=23, description="Hour, in the reporting party's time zone")
    method: MethodIn = Field(default_factory=MethodIn)
    share_with: Literal["party", "network", "partners"] = Field(
        "network", description="Who sees other parties' weekly totals"
    )
    si_mean: float | None = Field(
        None, gt=1, le=60, description="Serial interval mean (days), for Rt; daily schedules"
    )
    si_sd: float | None = Field(None, gt=0, le=60, description="Serial interval sd (days)")
    active: bool = True


class DiseaseOut(BaseModel):
    code: str
    name: str
    icd_code: str
    schedule: str
    due_days: int
    due_hour: int
    method: dict[str, Any]
    share_with: str
    si_mean: float | None
    si_sd: float | None
    active: bool


def _disease_out(d: Any) -> DiseaseOut:
    return DiseaseOut.model_validate({name: getattr(d, name) for name in DiseaseOut.model_fields})


@router.get("/diseases", response_model=list[DiseaseOut], summary="Diseases the network follows")
def list_diseases(actor: CurrentActor, db: DbDep) -> list[DiseaseOut]:
    """Each disease with its reporting schedule, due time and detection method."""
    with db.read() as session:
        return [_disease_out(d) for d in actions.list_diseases(session)]


@router.put("/diseases/{code}", response_model=DiseaseOut, summary="Set up a disease")
def put_disease(
    code: Annotated[str, Field(max_length=32)], body: DiseaseIn, actor: CurrentActor, db: DbDep
) -> DiseaseOut:
    """The coordinator creates or changes a disease: schedule, due time, the
    detection method and its options (R's defaults where left out), sharing."""

    def job(session: Session) -> DiseaseOut:
        disease = actions.save_disease(
            session,
            actor,
            actions.DiseaseFields(
                code=code,
                method=body.method.model_dump(exclude_none=True),
                **body.model_dump(exclude={"method"}),
            ),
        )
        return _disease_out(disease)

    return db.run_sync(job)


class ReportIn(Input):
    disease: str = Field(min_length=1, max_length=32)
    period: str = Field(
        min_length=1,
        max_length=20,
        description="First day of the period (YYYY-MM-DD) or a week (2026-W47)",
    )
    area: str = Field("", max_length=10, description="ISO 3166-2 subdivision, optional")
    age_group: str = Field("", max_length=16, description="e.g. 0-4, 65+, optional")
    sex: Literal["", "M", "F", "U"] = ""
    cases_suspected: Count = 0
    cases_probable: Count = 0
    cases_confirmed: Count = 0
    deaths_suspected: Count = 0
    deaths_probable: Count = 0
    deaths_confirmed: Count = 0


class ReportsIn(Input):
    rows: list[ReportIn] = Field(min_length=1, max_length=20_000)


class SubmissionOut(BaseModel):
    submission: str
    saved: int
    replaced: int = Field(description="Earlier rows replaced (kept in the history)")
    signals: list[int] = Field(description="Events opened by signals in the latest periods")


class CheckOut(BaseModel):
    rows: int
    valid: int
    errors: list[dict[str, Any]] = Field(description="Each invalid row: row, field, detail")
    submission: SubmissionOut | None = Field(None, description="What was saved (201)")
    preview: list[dict[str, Any]] | None = Field(
        None, description="dry_run: the first 200 valid rows as they would be saved"
    )


SAVE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": CheckOut, "description": "dry_run: the check and a preview; nothing saved"},
    201: {"model": CheckOut, "description": "Saved"},
}


def _save(
    db: Any,
    actor: Any,
    settings: Any,
    records: list[dict[str, Any]],
    source: str,
    drop_invalid: bool,
    dry_run: bool,
    read_errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    # Checked first from a read; only the saving is a write job (large files alone).
    actions.require_reporter(actor)
    with db.read() as session:
        diseases = {d.code: d for d in actions.list_diseases(session)}
    check = actions.check_rows(diseases, actor.party_code, records, read_errors=read_errors or ())
    report: dict[str, Any] = {
        "rows": check.total,
        "valid": len(check.rows),
        "errors": check.errors,
        "submission": None,
    }
    if dry_run:
        report["preview"] = [
            {
                "disease": r.disease,
                "period": r.period.isoformat(),
                "area": r.area,
                "age_group": r.age_group,
                "sex": r.sex,
                **r.figures,
            }
            for r in check.rows[:200]
        ]
        return JSONResponse(report)
    if check.errors and not drop_invalid:
        return problem(
            422,
            f"{len(check.errors)} of {check.total} rows are invalid; fix them or send "
            "with drop_invalid=true. Nothing was saved.",
            title="Invalid rows",
            kind="validation",
            errors=check.errors,
        )
    if not check.rows:
        raise Invalid("no valid row to save", field="rows")
    saved = db.run_sync(
        actions.submit, actor, settings, check.rows, source=source, alone=len(check.rows) > 1000
    )
    report["submission"] = SubmissionOut(
        submission=saved.id, saved=saved.saved, replaced=saved.replaced, signals=saved.signals
    ).model_dump()
    return JSONResponse(report, status_code=201)


@router.post(
    "/reports",
    status_code=201,
    summary="Submit aggregate reports",
    responses=SAVE_RESPONSES,
)
def submit_reports(
    body: ReportsIn,
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
    drop_invalid: Annotated[bool, Query(description="Save the valid rows, drop the rest")] = False,
    dry_run: Annotated[bool, Query(description="Only check; save nothing")] = False,
) -> JSONResponse:
    """Rows for your own party. A row for a period and breakdown already
    reported replaces it (the earlier figures stay in the history). Nothing is
    saved while any row is invalid, unless `drop_invalid=true`; each invalid
    row is listed with its field. Signal detection runs on the changed series."""
    records = [r.model_dump() for r in body.rows]
    return _save(db, actor, settings, records, "api", drop_invalid, dry_run)


@router.post(
    "/reports/upload",
    status_code=201,
    summary="Upload aggregate reports (CSV or XLSX)",
    responses=SAVE_RESPONSES,
)
def upload_reports(
    actor: CurrentActor,
    db: DbDep,
    settings: SettingsDep,
    file: Annotated[
        UploadFile,
        File(description="CSV (UTF-8) or XLSX, one row per stratum; or ADX XML (DHIS2)"),
    ],
    drop_invalid: Annotated[bool, Form(description="Save the valid rows, drop the rest")] = False,
    dry_run: Annotated[bool, Form(description="Only check; save nothing")] = False,
) -> JSONResponse:
    """Columns: disease, period, and optionally area, age_group, sex and the
    six figures (cases_/deaths_ suspected, probable, confirmed). Step 1
    (`dry_run=true`) shows a preview and the per-row errors; step 2 saves.
    An ADX file (`urn:ihe:qrph:adx:2015`, as DHIS2 exports) maps dataSet to the
    disease, orgUnit to your party or a subdivision, dataElement to a count;
    errors then number the dataValue elements."""
    try:
        records, read_errors = read_report_file(file.file.read(), file.filename or "")
    except TableError as exc:
        raise Invalid(str(exc), field="file") from None
    return _save(db, actor, settings, records, "upload", drop_invalid, dry_run, read_errors)


class ReportRowOut(BaseModel):
    id: int
    disease: str
    period: date
    area: str
    age_group: str
    sex: str
    cases_suspected: int
    cases_probable: int
    cases_confirmed: int
    deaths_suspected: int
    deaths_probable: int
    deaths_confirmed: int
    current: bool
    submitted_at: Any
    replaced_at: Any


def _range(first: date | None, last: date | None) -> tuple[date, date]:
    """The periods asked for; by default the last 52 weeks."""
    last = last or utcnow().date()
    first = first or last - timedelta(weeks=52)
    if first > last:
        raise Invalid("first is after last", field="first")
    return first, last


@router.get("/reports", response_model=list[ReportRowOut], summary="Your party's reports")
def list_reports(
    actor: CurrentActor,
    db: DbDep,
    disease: Annotated[str, Query(max_length=32)],
    first: date | None = None,
    last: date | None = None,
    history: Annotated[bool, Query(description="Include replaced rows")] = False,
) -> list[ReportRowOut]:
    """The rows your party submitted, with their breakdown; with
    `history=true` also the figures they replaced."""
    with db.read() as session:
        d = actions.get_disease(session, disease)
        a, b = _range(first, last)
        return [
            ReportRowOut(
                id=r.id,
                disease=r.disease,
                period=r.period_start,
                area=r.area,
                age_group=r.age_group,
                sex=r.sex,
                **{f: getattr(r, f) for f in rules.FIGURES},
                current=r.current,
                submitted_at=r.submitted_at,
                replaced_at=r.replaced_at,
            )
            for r in actions.report_rows(session, actor, d, a, b, history=history)
        ]


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 6)


class SeriesPoint(BaseModel):
    period: date
    label: str
    cases: int | None
    deaths: int | None
    expected: float | None
    threshold: float | None
    alarm: bool | None
    note: str = Field(
        default="",
        description="Why the period has no threshold, or that it used fewer past years than "
        "the method asks or EARS C3 (short history)",
    )


class SeriesOut(BaseModel):
    disease: str
    party: str | None = Field(description="None: the region (the parties shown)")
    parties: list[str]
    method: dict[str, Any]
    points: list[SeriesPoint]


def series_for(session: Any, actor: Any, disease_code: str, party: str | None) -> Any:
    d = actions.get_disease(session, disease_code)
    parties = actions.visible_parties(session, actor, d)
    if party is not None:
        if party not in parties:
            raise NotFound(f"no series for {party}")
        return actions.build_series(session, d, party, [party]), [party]
    if not parties:
        raise NotFound(f"no series of {d.code} is shared with your party")
    return actions.build_series(session, d, None, parties), parties


@router.get("/series", response_model=SeriesOut, summary="Weekly totals with thresholds")
def get_series(
    actor: CurrentActor,
    db: DbDep,
    disease: Annotated[str, Query(max_length=32)],
    party: Annotated[
        str | None, Query(max_length=8, description="Leave out for the region")
    ] = None,
) -> SeriesOut:
    """Cases and deaths per period for one party or the region (the parties
    whose figures are shared with you), with the disease's detection method:
    expected count, threshold and alarm per period. Where a period has fewer
    past years than the method asks, detection uses the years it has, or
    EARS C3 with less than one year, and `note` says so."""
    with db.read() as session:
        series, parties = series_for(session, actor, disease, party)
        det = series.detection
        schedule = Schedule(series.disease.schedule)
        points = [
            SeriesPoint(
                period=p,
                label=rules.period_label(schedule, p),
                cases=None if math.isnan(series.cases[i]) else int(series.cases[i]),
                deaths=None if math.isnan(series.deaths[i]) else int(series.deaths[i]),
                expected=_num(det.expected[i]) if det else None,
                threshold=_num(det.threshold[i]) if det else None,
                alarm=None if det is None or math.isnan(det.alarm[i]) else bool(det.alarm[i]),
                note=det.note_at(i) if det else "",
            )
            for i, p in enumerate(series.periods)
        ]
        return SeriesOut(
            disease=series.disease.code,
            party=party,
            parties=parties,
            method=series.disease.method,
            points=points,
        )


class RtWindow(BaseModel):
    window_start: date
    window_end: date
    mean: float | None
    std: float | None
    q025: float | None = Field(description="Lower end of the 95% credible interval")
    median: float | None
    q975: float | None = Field(description="Upper end of the 95% credible interval")
    cv: float | None = Field(description="Posterior coefficient of variation, 1/sqrt(shape)")
    note: str = Field(
        description="Why the window has no estimate (it ends before the mean serial interval; "
        "a day in it, or within the serial interval before it, was not reported), or "
        "'few cases: ...' when cv is above the threshold (Cori et al. 2013); empty otherwise"
    )


class RtPanelEntry(BaseModel):
    party: str
    windows: list[RtWindow]


class RtOut(BaseModel):
    disease: str
    party: str | None
    si_mean: float
    si_sd: float
    window: int
    windows: list[RtWindow] = Field(description="The party's windows; empty for the region")
    panel: list[RtPanelEntry] = Field(
        default_factory=list,
        description="For the region: one entry per country whose figures are shared with you "
        "(Rt is never estimated on the sum across countries)",
    )


def _rt_windows(first: date, estimate: Any) -> list[RtWindow]:
    return [
        RtWindow(
            window_start=first + timedelta(days=int(estimate.start[i])),
            window_end=first + timedelta(days=int(estimate.end[i])),
            note=estimate.note[i] if estimate.note else "",
            **{
                k: _num(float(getattr(estimate, k)[i]))
                for k in ("mean", "std", "q025", "median", "q975", "cv")
            },
        )
        for i in range(estimate.start.size)
    ]


@router.get("/rt", response_model=RtOut, summary="The reproduction number (Cori et al.)")
def get_rt(
    actor: CurrentActor,
    db: DbDep,
    disease: Annotated[str, Query(max_length=32)],
    party: Annotated[
        str | None,
        Query(max_length=8, description="Leave out for the region: a panel of national estimates"),
    ] = None,
    window: Annotated[
        int, Query(ge=1, le=56, description="Length of the sliding windows in days")
    ] = 7,
) -> RtOut:
    """Rt over sliding windows (7 days unless `window`) of a party's daily
    cases, with the disease's serial interval and a gamma prior (mean 5, sd 5),
    as R's EpiEstim::estimate_R: posterior mean, sd, 95% credible interval and
    coefficient of variation. Days not reported are missing, not zero: the
    windows that depend on them are empty with the reason. Without `party`,
    a panel of the national estimates of every country whose figures are
    shared with you, never one estimate on the regional total. Only for daily
    schedules with a serial interval set."""
    with db.read() as session:
        d = actions.get_disease(session, disease)
        if d.schedule != Schedule.DAILY or d.si_mean is None or d.si_sd is None:
            raise Invalid(f"{d.code} has no daily schedule with a serial interval", field="disease")
        series, parties = series_for(session, actor, disease, party)
        windows: list[RtWindow] = []
        panel: list[RtPanelEntry] = []
        if party is not None:
            estimate = actions.reproduction_number(series, window=window)
            if estimate is not None:
                windows = _rt_windows(series.periods[0], estimate)
        else:
            panel = [
                RtPanelEntry(party=e.party, windows=_rt_windows(e.series.periods[0], e.estimate))
                for e in actions.reproduction_panel(session, d, parties, window=window)
            ]
        return RtOut(
            disease=d.code,
            party=party,
            si_mean=d.si_mean,
            si_sd=d.si_sd,
            window=window,
            windows=windows,
            panel=panel,
        )


class RtEstimateIn(Input):
    first_day: date = Field(description="The date of the first count")
    local: list[int | None] = Field(
        min_length=2,
        max_length=3660,
        description="Daily local cases (all cases when `imported` is left out); null for a day "
        "not reported",
    )
    imported: list[int | None] | None = Field(
        default=None,
        max_length=3660,
        description="Daily imported cases, as EpiEstim's incid with columns local and imported: "
        "they infect others but are not counted as offspring",
    )
    si_mean: float | None = Field(default=None, description="Serial interval mean in days")
    si_sd: float | None = Field(default=None, description="Serial interval sd in days")
    si_distribution: list[float] | None = Field(
        default=None, max_length=3660, description="Serial interval probabilities from day 0"
    )
    window: int = Field(default=7, ge=1, le=56, description="Window length in days")
    cv_threshold: float = Field(
        default=0.3, gt=0, description="Mark windows with a posterior CV above this"
    )


class RtEstimateOut(BaseModel):
    window: int
    windows: list[RtWindow]


@router.post(
    "/rt/estimate",
    response_model=RtEstimateOut,
    summary="Rt of counts you give, with local and imported cases",
)
def post_rt_estimate(actor: CurrentActor, body: RtEstimateIn) -> RtEstimateOut:
    """Estimate Rt from daily counts in the request, as `eocnet analyze rt`
    and R's EpiEstim::estimate_R (with `incid` holding `local` and `imported`
    when `imported` is given). Nothing is stored. Give the serial interval as
    `si_mean` and `si_sd` (EpiEstim's parametric_si) or as `si_distribution`
    (non_parametric_si)."""
    import numpy as np

    from eocnet.analytics.rt import estimate_rt, estimate_rt_parametric

    def counts(values: list[int | None], name: str) -> np.ndarray:
        if any(v is not None and v < 0 for v in values):
            raise Invalid("counts must not be negative", field=name)
        return np.array([np.nan if v is None else v for v in values], dtype=float)

    local = counts(body.local, "local")
    imported = None if body.imported is None else counts(body.imported, "imported")
    if imported is not None and imported.size != local.size:
        raise Invalid("imported must have one count per day of local", field="imported")
    parametric = body.si_mean is not None or body.si_sd is not None
    if parametric == (body.si_distribution is not None):
        raise Invalid("give either si_mean and si_sd, or si_distribution", field="si_mean")
    options: dict[str, Any] = {
        "imported": imported,
        "window": body.window,
        "cv_threshold": body.cv_threshold,
    }
    try:
        if body.si_distribution is not None:
            estimate = estimate_rt(local, np.array(body.si_distribution, dtype=float), **options)
        else:
            if body.si_mean is None or body.si_sd is None:
                raise Invalid("si_mean and si_sd go together", field="si_sd")
            estimate = estimate_rt_parametric(local, body.si_mean, body.si_sd, **options)
    except ValueError as exc:
        text = str(exc)
        field = "local"
        if body.si_distribution is not None and "serial interval" in text:
            field = "si_distribution"
        elif "serial interval" in text:
            field = "si_mean"
        elif "window" in text or "days are needed" in text:
            field = "window"
        raise Invalid(text, field=field) from None
    return RtEstimateOut(window=body.window, windows=_rt_windows(body.first_day, estimate))


class CompletenessOut(BaseModel):
    party: str
    name: str
    expected: int
    received: int
    on_time: int
    completeness: float | None
    timeliness: float | None
    periods: dict[str, str] = Field(description="period -> on_time, late, missing or not_due")


@router.get(
    "/completeness",
    response_model=list[CompletenessOut],
    summary="Completeness and timeliness of reporting",
)
def get_completeness(
    actor: CurrentActor,
    db: DbDep,
    disease: Annotated[str, Query(max_length=32)],
    first: date | None = None,
    last: date | None = None,
) -> list[CompletenessOut]:
    """Per party: reports expected (due by now), received, and received by the
    due time, over the periods from `first` to `last` (default: a year)."""
    with db.read() as session:
        d = actions.get_disease(session, disease)
        a, b = _range(first, last)
        return [
            CompletenessOut(
                party=c.party,
                name=c.name,
                expected=c.expected,
                received=c.received,
                on_time=c.on_time,
                completeness=c.completeness,
                timeliness=c.timeliness,
                periods={p.isoformat(): s for p, s in c.periods},
            )
            for c in actions.completeness(session, actor, d, a, b)
        ]


class SignalOut(BaseModel):
    id: int
    party: str
    disease: str
    period: date
    method: str
    observed: int
    expected: float | None
    threshold: float | None
    event_id: int
    created_at: Any


@router.get("/signals", response_model=list[SignalOut], summary="Signals from detection")
def list_signals(actor: CurrentActor, db: DbDep) -> list[SignalOut]:
    """Alarms in reported periods and the events they opened, newest first
    (only those whose event you may see)."""
    with db.read() as session:
        return [
            SignalOut(
                id=s.id,
                party=s.party,
                disease=s.disease,
                period=s.period_start,
                method=s.method,
                observed=s.observed,
                expected=s.expected,
                threshold=s.threshold,
                event_id=s.event_id,
                created_at=s.created_at,
            )
            for s in actions.visible_signals(session, actor)
        ]


@router.get(
    "/epicurve.{fmt}",
    summary="The epidemic curve as an image",
    responses={200: {"content": {"image/png": {}, "image/svg+xml": {}}}},
    response_class=Response,
)
def epicurve(
    fmt: Literal["png", "svg"],
    actor: CurrentActor,
    db: DbDep,
    disease: Annotated[str, Query(max_length=32)],
    party: Annotated[str | None, Query(max_length=8)] = None,
    weeks: Annotated[int, Query(ge=4, le=1040)] = 104,
) -> Response:
    """Cases per period with the detection threshold and the alarms marked
    (matplotlib), for a party or the region; the last `weeks` periods."""
    from eocnet.render.charts import epicurve_image

    with db.read() as session:
        series, _ = series_for(session, actor, disease, party)
    data = epicurve_image(series, fmt, last=weeks)
    media = "image/png" if fmt == "png" else "image/svg+xml"
    name = f"epicurve-{series.disease.code}-{party or 'region'}.{fmt}"
    return Response(
        data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
