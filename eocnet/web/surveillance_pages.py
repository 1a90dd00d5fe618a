"""Pages for weekly surveillance: the overview (completeness and timeliness,
signals), report entry and upload with a preview, and the epidemic curve with
its detection threshold. Updated live from the stream."""

from __future__ import annotations

import base64
import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from eocnet.actions import surveillance
from eocnet.actions.errors import ActionError, Invalid, NotFound
from eocnet.config import Settings
from eocnet.db.models import Disease, Party
from eocnet.db.types import utcnow
from eocnet.domain import surveillance as rules
from eocnet.domain.actors import Actor
from eocnet.domain.places import country_name
from eocnet.domain.roles import Role
from eocnet.domain.surveillance import FIGURES, Schedule
from eocnet.interop.report_files import read_report_file
from eocnet.interop.tables import TableError
from eocnet.render import i18n
from eocnet.web.auth import check_csrf, current_viewer, db_of
from eocnet.web.rendering import render

router = APIRouter(include_in_schema=False)
SHOWN_PERIODS = 12


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _chosen(diseases: list[Disease], code: str | None) -> Disease | None:
    for d in diseases:
        if d.code == (code or "").upper():
            return d
    return diseases[0] if diseases else None


def _overview_context(request: Request, viewer: Any) -> dict[str, Any]:
    with db_of(request).read() as session:
        diseases = surveillance.list_diseases(session)
        disease = _chosen(diseases, request.query_params.get("disease"))
        rows: list[Any] = []
        periods: list[Any] = []
        parties: list[str] = []
        if disease is not None:
            schedule = Schedule(disease.schedule)
            today = utcnow().date()
            last = rules.period_start(schedule, today)
            first = last - rules.period_length(schedule) * (SHOWN_PERIODS - 1)
            rows = surveillance.completeness(session, viewer.actor, disease, first, last)
            periods = [
                (p, rules.period_label(schedule, p))
                for p in rules.periods_between(schedule, first, last)
            ]
            parties = surveillance.visible_parties(session, viewer.actor, disease)
        signals = surveillance.visible_signals(session, viewer.actor, limit=20)
        names = {p.code: p.name for p in session.query(Party).all()}
        disease_names = {d.code: d.name for d in diseases}
    return {
        "diseases": diseases,
        "disease": disease,
        "rows": rows,
        "periods": periods,
        "parties": parties,
        "signals": signals,
        "names": names,
        "disease_names": disease_names,
        "can_report": viewer.actor.party_kind == "member"
        and any(r in surveillance.REPORTING_ROLES for r in viewer.actor.roles),
    }


@router.get("/surveillance")
def overview_page(request: Request) -> Response:
    viewer = current_viewer(request)
    return render(
        request, "surveillance.html", _overview_context(request, viewer), user=viewer.user
    )


@router.get("/surveillance/fragment")
def overview_fragment(request: Request) -> Response:
    """Completeness and signals alone, re-fetched when a report or signal arrives."""
    viewer = current_viewer(request)
    return render(
        request, "_surveillance_status.html", _overview_context(request, viewer), user=viewer.user
    )


# ---------------------------------------------------------------- the curve


def _series(request: Request, viewer: Any) -> tuple[surveillance.Series, list[str], list[Disease]]:
    code = request.query_params.get("disease") or ""
    party = request.query_params.get("party") or None
    with db_of(request).read() as session:
        diseases = surveillance.list_diseases(session)
        disease = _chosen(diseases, code)
        if disease is None:
            raise NotFound("no disease is set up yet")
        visible = surveillance.visible_parties(session, viewer.actor, disease)
        if party is not None and party not in visible:
            raise NotFound(f"no series for {party}")
        if party is None and not visible:
            raise NotFound(f"no series of {disease.code} is shared with your party")
        series = surveillance.build_series(session, disease, party, [party] if party else visible)
        return series, visible, diseases


def _num(value: float, digits: int = 1) -> str:
    return "" if math.isnan(value) else f"{value:.{digits}f}"


def _interval(low: float, high: float) -> str:
    return "" if math.isnan(low) else f"{_num(low, 2)} – {_num(high, 2)}"


def _curve_context(request: Request, viewer: Any) -> dict[str, Any]:
    series, visible, diseases = _series(request, viewer)
    schedule = Schedule(series.disease.schedule)
    det = series.detection
    table = []
    for i in range(len(series.periods) - 1, max(-1, len(series.periods) - 13), -1):
        table.append(
            {
                "label": rules.period_label(schedule, series.periods[i]),
                "cases": "" if math.isnan(series.cases[i]) else int(series.cases[i]),
                "deaths": "" if math.isnan(series.deaths[i]) else int(series.deaths[i]),
                "expected": _num(det.expected[i]) if det else "",
                "threshold": _num(det.threshold[i]) if det else "",
                "alarm": bool(det and det.alarm[i] == 1.0),
                "note": det.note_at(i) if det else "",
            }
        )
    query = f"disease={series.disease.code}" + (f"&party={series.party}" if series.party else "")
    rt_rows = []
    rt_panel = []
    estimate = surveillance.reproduction_number(series)
    if estimate is not None:
        first = series.periods[0]
        for i in range(estimate.start.size - 1, max(-1, estimate.start.size - 8), -1):
            rt_rows.append(
                {
                    "window": f"{first + timedelta(days=int(estimate.start[i]))} – "
                    f"{first + timedelta(days=int(estimate.end[i]))}",
                    "mean": _num(estimate.mean[i], 2),
                    "interval": _interval(estimate.q025[i], estimate.q975[i]),
                    "note": estimate.note[i] if estimate.note else "",
                }
            )
    elif series.party is None and series.disease.si_mean is not None:
        # the region: national estimates side by side, never Rt of the sum
        with db_of(request).read() as session:
            panel = surveillance.reproduction_panel(session, series.disease, visible)
        for entry in panel:
            i = entry.latest()
            start, end = entry.window_dates(i)
            rt_panel.append(
                {
                    "party": entry.party,
                    "name": country_name(entry.party),
                    "window": f"{start} – {end}",
                    "mean": _num(entry.estimate.mean[i], 2),
                    "interval": _interval(entry.estimate.q025[i], entry.estimate.q975[i]),
                    "note": entry.estimate.note[i] if entry.estimate.note else "",
                }
            )
    return {
        "rt_rows": rt_rows,
        "rt_panel": rt_panel,
        "series": series,
        "visible": visible,
        "diseases": diseases,
        "table": table,
        "query": query,
        "stamp": utcnow().strftime("%H%M%S%f"),
    }


@router.get("/surveillance/curve")
def curve_page(request: Request) -> Response:
    viewer = current_viewer(request)
    context = _curve_context(request, viewer)
    context["saved"] = request.query_params.get("saved")
    context["signals"] = request.query_params.get("signals")
    return render(request, "surveillance_curve.html", context, user=viewer.user)


@router.get("/surveillance/curve/fragment")
def curve_fragment(request: Request) -> Response:
    viewer = current_viewer(request)
    return render(
        request, "_surveillance_curve.html", _curve_context(request, viewer), user=viewer.user
    )


def _image(
    request: Request, series: surveillance.Series, fmt: str, kind: str, data: bytes
) -> Response:
    """A chart as PNG or SVG, as an attachment when ``download`` is asked."""
    headers = {"Cache-Control": "private, no-store"}
    if request.query_params.get("download"):
        name = f"{kind}-{series.disease.code}-{series.party or 'region'}.{fmt}"
        headers["Content-Disposition"] = f'attachment; filename="{name}"'
    media = "image/png" if fmt == "png" else "image/svg+xml"
    return Response(data, media_type=media, headers=headers)


@router.get("/surveillance/rt.{fmt}")
def rt_image(request: Request, fmt: str) -> Response:
    if fmt not in ("png", "svg"):
        raise NotFound("PNG or SVG")
    from eocnet.render.charts import figure_bytes, rt_figure  # matplotlib loads on first use

    series, _, _ = _series(request, current_viewer(request))
    if series.party is None:
        raise NotFound("the reproduction number is estimated per country, not on the region")
    estimate = surveillance.reproduction_number(series)
    if estimate is None:
        raise NotFound("no reproduction number for this disease")
    return _image(request, series, fmt, "rt", figure_bytes(rt_figure(series, estimate), fmt))


@router.get("/surveillance/curve.{fmt}")
def curve_image(request: Request, fmt: str) -> Response:
    if fmt not in ("png", "svg"):
        raise NotFound("PNG or SVG")
    from eocnet.render.charts import epicurve_image  # matplotlib loads on first use

    series, _, _ = _series(request, current_viewer(request))
    return _image(request, series, fmt, "epicurve", epicurve_image(series, fmt))


# ---------------------------------------------------------------- reporting


def _report_form(request: Request, viewer: Any, **extra: Any) -> Response:
    with db_of(request).read() as session:
        diseases = surveillance.list_diseases(session)
    status = int(extra.pop("status_code", 200))
    context: dict[str, Any] = {
        "diseases": diseases,
        "figures": FIGURES,
        "default_period": _default_period(),
        "errors": [],
        "error": None,
        "error_field": "",
        "preview": None,
        "values": {},
        "existing": None,
        "loaded": False,
        "asked": False,
    }
    context.update(extra)
    return render(
        request, "surveillance_report.html", context, user=viewer.user, status_code=status
    )


def _default_period() -> str:
    today = utcnow().date()
    last_week = rules.period_start(Schedule.ISO_WEEK, today) - timedelta(weeks=1)
    return rules.period_label(Schedule.ISO_WEEK, last_week)


@router.get("/surveillance/report")
def report_page(
    request: Request,
    disease: str = "",
    period: str = "",
    area: str = "",
    age_group: str = "",
    sex: str = "",
) -> Response:
    """The forms; the one-period form shows the saved figures of the period it opens
    (the previous week unless another is asked for), so that saving it again keeps
    them unless the officer changes them."""
    viewer = current_viewer(request)
    with db_of(request).read() as session:
        diseases = surveillance.list_diseases(session)
        values: dict[str, Any] = {
            "disease": (disease or (diseases[0].code if diseases else "")).upper(),
            "period": period or _default_period(),
            "area": area,
            "age_group": age_group,
            "sex": sex,
        }
        check = surveillance.check_rows(
            {d.code: d for d in diseases}, viewer.actor.party_code, [values]
        )
        loaded = False
        if check.rows and viewer.actor.party_kind == "member":
            saved = surveillance.saved_rows(session, viewer.actor.party_code, check.rows)
            row = saved.get(check.rows[0].key)
            if row is not None:
                values.update(surveillance.figures_of(row))
                loaded = True
    return _report_form(request, viewer, values=values, loaded=loaded, asked=bool(period))


def _after_save(saved: surveillance.Submission, disease: str, party: str) -> Response:
    target = f"/surveillance/curve?disease={disease}&party={party}&saved={saved.saved}"
    if saved.signals:
        target += "&signals=" + ",".join(str(s) for s in saved.signals)
    return RedirectResponse(target, status_code=303)


@router.post("/surveillance/report")
async def report_submit(request: Request) -> Response:
    """One row from the form: a period's figures for the viewer's party. A period that
    already has figures is replaced only when the officer has seen them and said so
    (``replace`` names the saved row that was shown); a period before the disease's
    history starts is refused."""
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    record = {k: str(form.get(k) or "") for k in surveillance.REPORT_COLUMNS}
    t = i18n.translator(viewer.user.language).gettext
    try:
        surveillance.require_reporter(viewer.actor)
        with db_of(request).read() as session:
            diseases = {d.code: d for d in surveillance.list_diseases(session)}
            check = surveillance.check_rows(diseases, viewer.actor.party_code, [record])
            if check.errors:
                return _report_form(
                    request, viewer, errors=check.errors, values=record, status_code=422
                )
            row = check.rows[0]
            first = surveillance.history_start(session, row.disease)
            if first is not None and row.period < first:
                schedule = Schedule(diseases[row.disease].schedule)
                message = t(
                    "The history of %(disease)s starts in %(first)s: enter a period from "
                    "then on (older figures can be loaded from a file)."
                ) % {
                    "disease": diseases[row.disease].name,
                    "first": rules.period_label(schedule, first),
                }
                return _report_form(
                    request,
                    viewer,
                    error=message,
                    error_field="period",
                    values=record,
                    status_code=422,
                )
        replace = str(form.get("replace", ""))
        settings = _settings(request)

        def job(session: Session) -> surveillance.Submission | dict[str, Any]:
            # checked in the write itself, so figures saved meanwhile are never lost
            saved = surveillance.saved_rows(session, viewer.actor.party_code, [row]).get(row.key)
            if (
                saved is not None
                and surveillance.figures_of(saved) != row.figures
                and replace != str(saved.id)
            ):
                # to show, and ask
                figures = surveillance.figures_of(saved)
                return {"id": saved.id, "figures": figures, "at": saved.submitted_at}
            return surveillance.submit(session, viewer.actor, settings, [row], source="form")

        result = await db_of(request).run(job)
        if isinstance(result, dict):
            schedule = Schedule(diseases[row.disease].schedule)
            result["period"] = rules.period_label(schedule, row.period)
            return _report_form(request, viewer, values=record, existing=result, status_code=409)
    except ActionError as exc:
        return _report_form(
            request, viewer, error=exc.detail, values=record, status_code=exc.status
        )
    return _after_save(result, row.disease, viewer.actor.party_code)


#: Files up to this many rows are compared with the saved figures in their preview
#: (larger ones are history loads, checked by the command line or the API's dry run).
COMPARED_ROWS = 20_000


def _replacing(request: Request, viewer: Any, rows: list[Any]) -> dict[str, Any] | None:
    """The rows of a checked file that would replace other saved figures, with both,
    for the preview to show before *Save*."""
    if not rows or len(rows) > COMPARED_ROWS or viewer.actor.party_kind != "member":
        return None
    with db_of(request).read() as session:
        saved = surveillance.saved_rows(session, viewer.actor.party_code, rows)
        changed = [
            (row, surveillance.figures_of(saved[row.key]))
            for row in rows
            if row.key in saved and surveillance.figures_of(saved[row.key]) != row.figures
        ]
    return {"count": len(changed), "rows": changed[:20]} if changed else None


@router.post("/surveillance/upload")
async def upload_submit(request: Request) -> Response:
    """Two steps: the file is checked and previewed with every invalid row;
    then saved (the bad rows dropped only when asked)."""
    viewer = current_viewer(request)
    async with request.form() as form:
        check_csrf(request, str(form.get("csrf_token", "")))
        upload = form.get("file")
        try:
            if upload is not None and not isinstance(upload, str) and upload.filename:
                data, filename = await upload.read(), upload.filename or ""
            elif form.get("file_data"):
                try:
                    data = base64.b64decode(str(form.get("file_data")), validate=True)
                except ValueError:
                    raise ActionError("the file was lost; upload it again", field="file") from None
                filename = str(form.get("filename") or "")
            else:
                raise ActionError("choose a report file (CSV or XLSX)", field="file")
            try:
                records, read_errors = read_report_file(data, filename)
            except TableError as exc:
                raise ActionError(str(exc), field="file") from None
            saving = form.get("step") == "save"
            drop = form.get("drop_invalid") == "1"
            # Checked first, from a read; then only the saving holds the writer.
            surveillance.require_reporter(viewer.actor)
            with db_of(request).read() as session:
                diseases = {d.code: d for d in surveillance.list_diseases(session)}
            check = surveillance.check_rows(
                diseases, viewer.actor.party_code, records, read_errors=read_errors
            )
            if not saving or (check.errors and not drop) or not check.rows:
                return _report_form(
                    request,
                    viewer,
                    preview={
                        "rows": check.rows[:50],
                        "total": check.total,
                        "valid": len(check.rows),
                        "more": max(0, len(check.rows) - 50),
                        "replacing": _replacing(request, viewer, check.rows),
                    },
                    errors=check.errors,
                    file_data=base64.b64encode(data).decode(),
                    filename=filename,
                    status_code=422 if (saving or check.errors) else 200,
                )
            saved = await db_of(request).run(
                surveillance.submit,
                viewer.actor,
                _settings(request),
                check.rows,
                source="upload",
                alone=len(check.rows) > 1000,
            )
        except ActionError as exc:
            return _report_form(request, viewer, error=exc.detail, status_code=exc.status)
    return _after_save(saved, check.rows[0].disease, viewer.actor.party_code)


# ---------------------------------------------------------------- diseases

METHOD_OPTIONS = (
    ("alpha", float),
    ("baseline", int),
    ("min_sigma", float),
    ("b", int),
    ("w", int),
    ("no_periods", int),
    ("past_weeks_not_included", int),
    ("threshold_method", str),
    ("preset", str),
)


def _may_set_up(viewer: Any) -> bool:
    actor: Actor = viewer.actor
    return actor.party_kind == "coordinator" and (
        actor.has_role(Role.COORDINATOR) or actor.has_role(Role.ADMIN)
    )


def _diseases_page(request: Request, viewer: Any, **extra: Any) -> Response:
    with db_of(request).read() as session:
        diseases = surveillance.list_diseases(session, active_only=False)
    status = int(extra.pop("status_code", 200))
    context: dict[str, Any] = {
        "diseases": diseases,
        "can_edit": _may_set_up(viewer),
        "error": None,
        "values": {},
        "methods": ("farrington-flexible", "ears-c1", "ears-c2", "ears-c3"),
        "method_options": [name for name, _ in METHOD_OPTIONS],
    }
    context.update(extra)
    return render(
        request, "surveillance_diseases.html", context, user=viewer.user, status_code=status
    )


@router.get("/surveillance/diseases")
def diseases_page(request: Request) -> Response:
    return _diseases_page(request, current_viewer(request))


def _number(form: Any, name: str, kind: type) -> Any:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise Invalid(f"{name.replace('_', ' ')}: {raw!r} is not a number", field=name) from None


@router.post("/surveillance/diseases")
async def disease_submit(request: Request) -> Response:
    """The coordinator creates or changes a disease from the form."""
    viewer = current_viewer(request)
    form = await request.form()
    check_csrf(request, str(form.get("csrf_token", "")))
    values = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        method: dict[str, Any] = {"name": str(form.get("method") or "farrington-flexible")}
        for name, kind in METHOD_OPTIONS:
            value = (
                _number(form, name, kind)
                if kind is not str
                else (str(form.get(name) or "").strip() or None)
            )
            if value is not None:
                method[name] = value
        fields = surveillance.DiseaseFields(
            code=str(form.get("code") or ""),
            name=str(form.get("name") or ""),
            icd_code=str(form.get("icd_code") or ""),
            schedule=str(form.get("schedule") or "iso_week"),
            due_days=_number(form, "due_days", int) or 0,
            due_hour=_number(form, "due_hour", int) or 0,
            method=method,
            share_with=str(form.get("share_with") or "network"),
            si_mean=_number(form, "si_mean", float),
            si_sd=_number(form, "si_sd", float),
            active=form.get("active") == "1",
        )
        await db_of(request).run(surveillance.save_disease, viewer.actor, fields)
    except ActionError as exc:
        return _diseases_page(
            request, viewer, error=exc.detail, values=values, status_code=exc.status
        )
    return RedirectResponse(
        f"/surveillance/diseases#disease-{fields.code.upper()}", status_code=303
    )
