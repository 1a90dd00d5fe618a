"""Figures drawn on the server with matplotlib: the epidemic curve with its
detection threshold, as PNG for download and SVG for pages and reports.

The object-oriented API (no pyplot) keeps figures independent between
requests running in threads.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from eocnet.analytics.detection import Detection
    from eocnet.analytics.rt import RtEstimate
    from eocnet.db.models import Disease


class Series(Protocol):
    """What a curve is drawn from: ``actions/surveillance.Series`` (this package sits
    below ``actions/`` and names only what it reads)."""

    @property
    def disease(self) -> Disease: ...
    @property
    def party(self) -> str | None: ...
    @property
    def periods(self) -> list[date]: ...
    @property
    def cases(self) -> np.ndarray: ...
    @property
    def deaths(self) -> np.ndarray: ...
    @property
    def detection(self) -> Detection | None: ...


BAR = "#4f7cac"
THRESHOLD = "#c0392b"
ALARM = "#c0392b"


def _date_axis(ax: Any, days: Sequence[date]) -> None:
    """About twelve dated ticks under bars or points placed at 0, 1, 2, …"""
    step = max(1, math.ceil(len(days) / 12))
    ax.set_xticks(np.arange(len(days))[::step])
    ax.set_xticklabels([d.isoformat() for d in days[::step]], rotation=45, ha="right", fontsize=8)


def epicurve_figure(series: Series, *, last: int = 104, width: float = 8.0) -> Figure:
    periods = series.periods[-last:]
    cases = series.cases[-last:]
    fig = Figure(figsize=(width, width * 0.42), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(periods))
    ax.bar(x, np.nan_to_num(cases), width=0.85, color=BAR, label="cases")
    det = series.detection
    if det is not None and len(periods):
        threshold = det.threshold[-last:]
        if not np.all(np.isnan(threshold)):
            ax.step(
                x,
                threshold,
                where="mid",
                color=THRESHOLD,
                linewidth=1.4,
                label="detection threshold",
            )
        alarms = np.flatnonzero(det.alarm[-last:] == 1.0)
        if alarms.size:
            ax.scatter(
                alarms,
                np.nan_to_num(cases[alarms]) * 1.04 + 0.5,
                marker="v",
                color=ALARM,
                zorder=3,
                label="alarm",
            )
    missing = np.flatnonzero(np.isnan(cases))
    if missing.size:
        ax.scatter(
            missing,
            np.zeros(missing.size),
            marker="x",
            color="#777777",
            zorder=3,
            label="not reported",
        )
    _date_axis(ax, periods)
    where = series.party or "region"
    ax.set_title(f"{series.disease.name}: cases per period, {where}", fontsize=11)
    ax.set_ylabel("cases")
    ax.spines[["top", "right"]].set_visible(False)
    if len(periods):
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    return fig


def epicurve_image(series: Series, fmt: str, *, last: int = 104) -> bytes:
    return figure_bytes(epicurve_figure(series, last=last), fmt)


def rt_figure(series: Series, estimate: RtEstimate, *, width: float = 8.0) -> Figure:
    """Rt's posterior mean and 95% credible interval at the end of each window."""
    first = series.periods[0]
    ends = [first + timedelta(days=int(d)) for d in estimate.end]
    fig = Figure(figsize=(width, width * 0.36), dpi=110, layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(ends))
    ax.fill_between(
        x,
        estimate.q025,
        estimate.q975,
        color=BAR,
        alpha=0.25,
        linewidth=0,
        label="95% credible interval",
    )
    ax.plot(x, estimate.mean, color=BAR, linewidth=1.6, label="Rt (posterior mean)")
    ax.axhline(1.0, color=THRESHOLD, linewidth=1, linestyle="--")
    _date_axis(ax, ends)
    ax.set_ylabel("Rt")
    # two lines, so the title fits a narrow figure (a phone, a report column)
    ax.set_title(
        f"{series.disease.name}: reproduction number, {series.party or 'region'}\n"
        f"7-day windows, serial interval {series.disease.si_mean:g} ± "
        f"{series.disease.si_sd:g} days",
        fontsize=9.5,
    )
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper right")
    return fig


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    out = io.BytesIO()
    canvas = FigureCanvasAgg(fig) if fmt == "png" else FigureCanvasSVG(fig)
    metadata = {"Software": None} if fmt == "png" else {"Date": None}
    canvas.print_figure(out, format=fmt, metadata=metadata)
    return out.getvalue()


TERM_COLOURS = {"short": "#4f7cac", "medium": "#7a9e3a", "long": "#b07aa1"}


def timeline_figure(activities: Sequence[Any], today: date, *, width: float = 8.0) -> Figure:
    """A joint action plan as a timeline: one bar per activity, coloured by term,
    with today marked."""
    rows = list(activities)
    fig = Figure(figsize=(width, max(1.6, 0.38 * len(rows) + 1.0)))
    ax = fig.add_subplot()
    for i, a in enumerate(rows):
        start, end = a.starts_on.toordinal(), a.ends_on.toordinal()
        ax.barh(i, max(end - start, 1), left=start, color=TERM_COLOURS.get(a.term, BAR),
                alpha=0.45 if a.status in ("cancelled",) else 0.9)  # fmt: skip
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels([f"{a.title[:40]} ({a.lead_party})" for a in rows], fontsize=8)
    ax.invert_yaxis()
    if rows:
        first = min(a.starts_on for a in rows)
        last = max(a.ends_on for a in rows)
        span = max((last - first).days, 1)
        ticks = [first + timedelta(days=round(span * k / 6)) for k in range(7)]
        ax.set_xticks([t.toordinal() for t in ticks])
        ax.set_xticklabels([t.isoformat() for t in ticks], fontsize=8, rotation=30, ha="right")
        if first <= today <= last:
            ax.axvline(today.toordinal(), color=THRESHOLD, linewidth=1.2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def indicator_figure(indicator: Any, reports: Sequence[Any], *, width: float = 6.0) -> Figure:
    """An indicator's reported values per period and party, with baseline and target."""
    periods = sorted({r.period for r in reports})
    fig = Figure(figsize=(width, 2.6))
    ax = fig.add_subplot()
    parties = sorted({r.party_code for r in reports})
    for party in parties:
        values = {r.period: r.value for r in reports if r.party_code == party}
        xs = [i for i, p in enumerate(periods) if p in values]
        ax.plot(xs, [values[periods[i]] for i in xs], marker="o", label=party)
    ax.axhline(indicator.target, color=ALARM, linestyle="--", linewidth=1, label="target")
    ax.axhline(indicator.baseline, color="#777", linestyle=":", linewidth=1, label="baseline")
    ax.set_xticks(range(len(periods)))
    ax.set_xticklabels(periods, fontsize=8)
    ax.set_ylabel(indicator.unit or "", fontsize=8)
    ax.legend(fontsize=7, loc="upper left", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def connectivity_figure(results: Sequence[Any], *, width: float = 8.0) -> Figure:
    """Minutes each party took to acknowledge, per round; rounds not
    acknowledged are drawn as crosses at the top."""
    rounds = sorted({r.check_id for r in results})
    parties = sorted({r.party for r in results})
    fig = Figure(figsize=(width, 3.0))
    ax = fig.add_subplot()
    top = max([r.minutes for r in results if r.minutes is not None] or [60.0]) * 1.15
    for party in parties:
        mine = {r.check_id: r.minutes for r in results if r.party == party}
        xs = [i for i, c in enumerate(rounds) if mine.get(c) is not None]
        ax.plot(xs, [mine[rounds[i]] for i in xs], marker="o", linewidth=1, label=party)
        missed = [i for i, c in enumerate(rounds) if c in mine and mine[c] is None]
        ax.scatter(missed, [top] * len(missed), marker="x", color="#b00020")
    ax.set_xticks(range(len(rounds)))
    ax.set_xticklabels([f"#{c}" for c in rounds], fontsize=8)
    ax.set_ylabel("minutes", fontsize=8)
    if parties:  # no round yet: an empty chart, without a legend of nothing
        ax.legend(
            fontsize=7, ncol=6, loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False
        )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


MAP_SHADES = ("#fde0c5", "#facba6", "#f59e72", "#ef6f53", "#d94343", "#a1242d")


def choropleth_figure(
    values: dict[str, float],
    *,
    highlight: str | None = None,
    bounds: tuple[float, float, float, float] | None = None,
    width: float = 8.0,
    legend: str = "",
) -> Figure:
    """Countries shaded by value (six classes by quantile), ``highlight`` drawn
    dark; ``bounds`` = (lon_min, lon_max, lat_min, lat_max)."""
    from matplotlib.collections import PolyCollection

    from eocnet.interop.world_atlas import countries

    shapes = countries()
    positive = sorted(v for v in values.values() if v > 0)
    edges = (
        [positive[min(len(positive) - 1, int(len(positive) * k / 6))] for k in range(1, 6)]
        if positive
        else []
    )
    polygons, colours = [], []
    for code, rings in shapes.items():
        value = values.get(code, 0.0)
        if code == highlight:
            colour = "#222222"
        elif value > 0:
            colour = MAP_SHADES[sum(1 for e in edges if value > e)]
        else:
            colour = "#eeeeee"
        for ring in rings:
            polygons.append(ring)
            colours.append(colour)
    lon_min, lon_max, lat_min, lat_max = bounds or (-180.0, 180.0, -58.0, 84.0)
    aspect = (lat_max - lat_min) / (lon_max - lon_min)
    fig = Figure(figsize=(width, max(2.5, width * aspect)))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.add_collection(
        PolyCollection(polygons, facecolors=colours, edgecolors="#ffffff", linewidths=0.3)
    )
    ax.set_xlim(lon_min, lon_max)
    ax.set_ylim(lat_min, lat_max)
    ax.set_aspect("equal")
    ax.axis("off")
    if legend:
        ax.text(lon_min + 1, lat_min + 1, legend, fontsize=7, color="#333")
    return fig


def barh_figure(
    labels: Sequence[str], values: Sequence[float], *, xlabel: str = "", width: float = 6.0
) -> Figure:
    fig = Figure(figsize=(width, max(1.5, 0.3 * len(labels) + 0.8)))
    ax = fig.add_subplot()
    ax.barh(range(len(labels)), list(values), color=BAR)
    ax.set_yticks(range(len(labels)))
    ax.set_yticklabels(list(labels), fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel, fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
