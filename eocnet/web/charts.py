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
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from eocnet.actions.surveillance import Series
    from eocnet.analytics.rt import RtEstimate

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
    ax.set_title(
        f"{series.disease.name}: reproduction number, {series.party or 'region'} "
        f"(7-day windows, serial interval {series.disease.si_mean:g} ± "
        f"{series.disease.si_sd:g} days)",
        fontsize=10,
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
