"""Farrington's method, flexible version (Noufaily et al. 2013), as R
``surveillance::farringtonFlexible``.

For each period, a quasi-Poisson model with an optional linear trend is fitted
to the same season of the ``b`` previous years (``w`` periods either side),
or, with ``no_periods > 1``, to all past data with a factor that splits each
year into the reference window and ``no_periods - 1`` other blocks. The model
is refitted with weights that reduce the influence of past outbreaks
(Anscombe residuals above ``weights_threshold``), the trend is kept only when
significant and when it does not extrapolate beyond the data, and the upper
bound comes from the predicted mean: by the 2/3-power transformation
("delta") or as a negative-binomial quantile ("nbPlugin", "muan"). An alarm
needs the count to exceed the bound and, by ``limit54``, at least 5 cases in
the last 4 periods.

Every rule, including R's handling of the reference weeks by calendar dates
and its edge cases, follows the R source (surveillance 1.20); the tests
compare with R's output on the datasets it ships.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np
from scipy.stats import nbinom, norm, poisson
from scipy.stats import t as student_t

from eocnet.analytics.detection import Detection, FloatArray
from eocnet.analytics.glm import Fits, fit_quasipoisson

ThresholdMethod = Literal["delta", "nbPlugin", "muan"]
PowerTransform = Literal["2/3", "1/2", "none"]
FREQUENCY = 52
CHUNK = 2048


@dataclass(frozen=True)
class FarringtonOptions:
    """R's ``control`` list, with R's defaults."""

    b: int = 5
    w: int = 3
    reweight: bool = True
    weights_threshold: float = 2.58
    alpha: float = 0.05
    trend: bool = True
    p_threshold_trend: float = 0.05
    limit54: tuple[int, int] = (5, 4)
    powertrans: PowerTransform = "2/3"
    no_periods: int = 1
    past_weeks_not_included: int | None = None
    threshold_method: ThresholdMethod = "delta"

    def __post_init__(self) -> None:
        if self.b < 1:
            raise ValueError("b (years back) must be at least 1")
        if self.w < 0:
            raise ValueError("w (half-window) must not be negative")
        if not 0 < self.alpha < 1:
            raise ValueError("alpha must lie between 0 and 1")
        if self.no_periods < 1:
            raise ValueError("no_periods must be at least 1")
        if self.past_weeks_not_included is not None and self.past_weeks_not_included < 0:
            raise ValueError("past_weeks_not_included must not be negative")
        if not (self.limit54[0] >= 0 and self.limit54[1] > 0):
            raise ValueError("limit54 needs cases >= 0 and periods > 0")

    @property
    def excluded_weeks(self) -> int:
        return self.w if self.past_weeks_not_included is None else self.past_weeks_not_included

    @property
    def first_period(self) -> int:
        """The 0-based index of the first period R evaluates by default."""
        return FREQUENCY * self.b + self.w


class _CannotCompute(Exception):
    """R would stop with an error for this period."""


def _year_back(day: date, years: int) -> date:
    """``seq(day, by = "-1 year")`` in R: 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return date(day.year - years, 3, 1)


def reference_dates(day: date, b: int) -> list[date]:
    """The day and the same weekday nearest to it 1..b years earlier."""
    wanted = day.isoweekday() % 7
    result = []
    for years in range(b + 1):
        ref = _year_back(day, years)
        a = ref - timedelta(days=ref.isoweekday() % 7 - wanted)
        other = a + timedelta(days=-7 if a > ref else 7)
        result.append(a if abs((a - ref).days) <= abs((other - ref).days) else other)
    return result


def _colon(a: int, b: int) -> np.ndarray:
    """R's ``a:b`` (it counts down when b < a)."""
    return np.arange(a, b + 1) if a <= b else np.arange(a, b - 1, -1)


def _assign(vector: FloatArray, index: np.ndarray, value: float) -> None:
    """R's ``vector[index] <- value`` with 1-based indexes (0 is ignored)."""
    if (index < 0).any():
        raise _CannotCompute
    index = index[index > 0]
    if index.size and index.max() > vector.size:
        raise _CannotCompute
    vector[index - 1] = value


def _blocks(ref_weeks: Sequence[int], n: int, b: int, w: int, p: int) -> FloatArray:
    """R's ``blocks``: the factor level of every period (NaN: not used).

    ``ref_weeks`` are 1-based, the current period first, then one per year back.
    """
    levels = np.full(n, np.nan)
    now = ref_weeks[0]
    _assign(levels, _colon(now - w, now), p)
    for i in range(1, b + 1):
        ref_week = ref_weeks[i]
        _assign(levels, _colon(ref_week - w, ref_week + w), p)
        if p != 1:
            period = ref_weeks[i - 1] - 2 * w - 1 - ref_week
            if period < p - (2 * w + 1):
                raise _CannotCompute
            length, rest = divmod(period, p - 1)
            lengths = [length + (1 if j < rest else 0) for j in range(p - 1)]
            ends = np.cumsum([0, *lengths])
            for j in range(1, p):
                start = ref_week + w + 1 + int(ends[j - 1])
                _assign(levels, _colon(start, ref_week + w + int(ends[j])), j)
    return levels


@dataclass
class _Problems:
    """One model fit per series and period."""

    series: list[int] = field(default_factory=list)
    period: list[int] = field(default_factory=list)
    levels: list[np.ndarray] = field(default_factory=list)
    wtime: list[np.ndarray] = field(default_factory=list)
    response: list[np.ndarray] = field(default_factory=list)
    wtime_now: list[float] = field(default_factory=list)
    observed: list[float] = field(default_factory=list)
    recent: list[float] = field(default_factory=list)


def _collect(
    index: int,
    dates: Sequence[date],
    counts: FloatArray,
    options: FarringtonOptions,
    into: _Problems,
    last: int | None,
) -> None:
    """Find the data of every model R's farringtonFlexible fits for a series."""
    n = len(dates)
    start = dates[0]
    ordinal = np.array([(d - start).days for d in dates], dtype=float)
    span = options.limit54[1]
    first = options.first_period if last is None else max(options.first_period, n - last)
    for k0 in range(first, n):
        k = k0 + 1
        try:
            offsets = [(d - start).days for d in reference_dates(dates[k0], options.b)]
            if any(o < 0 or o % 7 for o in offsets):
                raise _CannotCompute  # "some reference time points did not exist"
            ref_weeks = sorted({o // 7 + 1 for o in offsets}, reverse=True)
            if len(ref_weeks) != options.b + 1 or ref_weeks[0] != k:
                raise _CannotCompute
            levels = _blocks(ref_weeks, n, options.b, options.w, options.no_periods)
            used = levels.copy()
            _assign(used, _colon(k - options.excluded_weeks, k), np.nan)
        except _CannotCompute:
            continue
        rows = np.flatnonzero(~np.isnan(used))
        response = counts[rows]
        present = ~np.isnan(response)
        if not present.any():
            continue
        into.series.append(index)
        into.period.append(k0)
        into.levels.append(levels[rows].astype(int))
        into.wtime.append((ordinal[rows] - ordinal[rows[0]]) / 7.0)
        into.response.append(response)
        into.wtime_now.append((ordinal[k0] - ordinal[rows[present][0]]) / 7.0)
        into.observed.append(float(counts[k0]))
        into.recent.append(float(np.sum(counts[k - span : k])) if k >= span else np.nan)


def _anscombe(y: FloatArray, fits: Fits, phi: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        a = 1.5 * (y ** (2 / 3) * fits.mu ** (-1 / 6) - fits.mu**0.5)
        return np.asarray(a / np.sqrt(phi[:, None] * (1 - fits.hat)))


def _robust_weights(s: FloatArray, mask: np.ndarray, threshold: float) -> FloatArray:
    """R's ``algo.farrington.assign.weights`` over the rows of each fit."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        high = s > threshold
        inverse = np.where(high, s**-2.0, 1.0)
        gamma = mask.sum(axis=1) / np.where(mask, inverse, 0.0).sum(axis=1)
        return np.asarray(np.where(high, gamma[:, None] * inverse, gamma[:, None]))


@dataclass
class _Fitted:
    """Final models on the full design (the trend column zero when dropped)."""

    coef: FloatArray
    cov: FloatArray
    dispersion: FloatArray
    phi: FloatArray
    df: FloatArray
    trend: np.ndarray
    ok: np.ndarray  # False where R gets no converged model

    @classmethod
    def empty(cls, n: int, p: int) -> _Fitted:
        return cls(
            np.zeros((n, p)),
            np.zeros((n, p, p)),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.full(n, np.nan),
            np.zeros(n, dtype=bool),
            np.zeros(n, dtype=bool),
        )

    def store(
        self, rows: np.ndarray, fits: Fits, phi: FloatArray, cols: np.ndarray, trend: bool
    ) -> None:
        self.coef[rows] = 0.0
        self.coef[np.ix_(rows, cols)] = fits.coef
        self.cov[rows] = 0.0
        self.cov[np.ix_(rows, cols, cols)] = fits.cov_unscaled
        self.dispersion[rows] = fits.dispersion
        self.phi[rows] = phi
        self.df[rows] = fits.df_residual
        self.trend[rows] = trend
        self.ok[rows] = True


def _fit_glm(
    x: FloatArray,
    y: FloatArray,
    mask: np.ndarray,
    options: FarringtonOptions,
    trend: bool,
    rows: np.ndarray,
    into: _Fitted,
) -> np.ndarray:
    """R's ``algo.farrington.fitGLM.flexible`` for ``rows``; returns the rows
    whose first fit did not converge (left untouched)."""
    cols = np.arange(x.shape[2]) if trend else np.delete(np.arange(x.shape[2]), 1)
    xs, ys, ms = x[np.ix_(rows, np.arange(x.shape[1]), cols)], y[rows], mask[rows]
    fits = fit_quasipoisson(xs, ys, ms)
    good = fits.converged
    if not good.all():
        fits = fit_quasipoisson(xs[good], ys[good], ms[good])
        xs, ys, ms = xs[good], ys[good], ms[good]
    phi = np.maximum(fits.dispersion, 1.0)
    if options.reweight and good.any():
        omega = _robust_weights(_anscombe(ys, fits, phi), ms, options.weights_threshold)
        fits = fit_quasipoisson(xs, ys, ms, omega)
        phi = np.maximum(fits.dispersion, 1.0)
        # R then stores the robust weights as the model's weights
        # (``model$weights <- omega``), and summary.glm, hence predict.glm and
        # the trend's p-value, compute the dispersion from them:
        # Σ ω r² / df with r the working residuals (y - μ)/μ.
        with np.errstate(divide="ignore", invalid="ignore"):
            working = np.where(ms, omega * ((ys - fits.mu) / fits.mu) ** 2, 0.0)
            fits.dispersion = np.where(
                fits.df_residual > 0, working.sum(axis=1) / fits.df_residual, np.nan
            )
    if good.any():
        into.store(rows[good], fits, phi, cols, trend)
    return np.asarray(rows[~good])


def _fit_with_fallback(
    x: FloatArray,
    y: FloatArray,
    mask: np.ndarray,
    options: FarringtonOptions,
    rows: np.ndarray,
    trend: bool,
    into: _Fitted,
) -> None:
    if rows.size == 0:
        return
    if trend:
        failed = _fit_glm(x, y, mask, options, True, rows, into)
        if failed.size:
            _fit_glm(x, y, mask, options, False, failed, into)
    else:
        _fit_glm(x, y, mask, options, False, rows, into)


def _quad(x0: FloatArray, cov: FloatArray) -> FloatArray:
    return np.asarray(np.einsum("kp,kpq,kq->k", x0, cov, x0))


def _solve(
    problems: _Problems, chunk: range, options: FarringtonOptions, results: list[Detection]
) -> None:
    """Fit the chunk's models, grouped by the factor levels their data hold:
    as R's glm, a block with no data (possible with few years, many blocks
    and recent weeks left out) has no column, and the lowest level present
    is the reference."""
    groups: dict[tuple[int, ...], list[int]] = {}
    for i in chunk:
        present = problems.levels[i][~np.isnan(problems.response[i])]
        groups.setdefault(tuple(sorted(set(present.tolist()))), []).append(i)
    for present, members in groups.items():
        if options.no_periods >= 2 and options.no_periods not in present:
            continue  # no data in the reference windows: nothing to predict from
        _solve_group(problems, members, options, results, present)


def _solve_group(
    problems: _Problems,
    chunk: list[int],
    options: FarringtonOptions,
    results: list[Detection],
    present: tuple[int, ...],
) -> None:
    m = len(chunk)
    longest = max(problems.response[i].size for i in chunk)
    periods = options.no_periods
    column = np.zeros(periods + 1, dtype=int)  # level -> its dummy column (0: none)
    for position, level in enumerate(present[1:]):
        column[level] = 2 + position
    p = 2 + max(0, len(present) - 1)
    x = np.zeros((m, longest, p))
    y = np.zeros((m, longest))
    mask = np.zeros((m, longest), dtype=bool)
    x0 = np.zeros((m, p))
    for j, i in enumerate(chunk):
        size = problems.response[i].size
        x[j, :size, 0] = 1.0
        x[j, :size, 1] = problems.wtime[i]
        cols = column[problems.levels[i]]
        dummy = cols >= 2
        x[j, np.flatnonzero(dummy), cols[dummy]] = 1.0
        response = problems.response[i]
        mask[j, :size] = ~np.isnan(response)
        y[j, :size] = np.nan_to_num(response)
        x0[j, 0] = 1.0
        x0[j, 1] = problems.wtime_now[i]
        if periods >= 2 and column[periods]:
            x0[j, column[periods]] = 1.0

    fitted = _Fitted.empty(m, p)
    everyone = np.arange(m)
    _fit_with_fallback(x, y, mask, options, everyone, options.trend, fitted)
    if options.trend:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            prediction = np.exp(np.einsum("kp,kp->k", x0, fitted.coef))
            t_value = fitted.coef[:, 1] / np.sqrt(fitted.cov[:, 1, 1] * fitted.dispersion)
            p_value = 2 * student_t.sf(np.abs(t_value), fitted.df)
        largest = np.where(mask, y, -np.inf).max(axis=1)
        keep = (options.b >= 3) & (p_value < options.p_threshold_trend) & (prediction <= largest)
        drop = everyone[fitted.ok & fitted.trend & ~keep]
        if drop.size:
            fitted.ok[drop] = False
            _fit_with_fallback(x, y, mask, options, drop, False, fitted)

    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        eta = np.einsum("kp,kp->k", x0, fitted.coef)
        se = np.sqrt(_quad(x0, fitted.cov) * fitted.dispersion)
        observed = np.array([problems.observed[i] for i in chunk])
        upper, fit, expected = _threshold(eta, se, fitted.phi, options)
        score = (observed - fit) / (upper - fit)
    recent = np.array([problems.recent[i] for i in chunk])
    enough = recent >= options.limit54[0]
    alarm = enough & ~np.isnan(score) & (score > 1) & (observed != 0)
    for j, i in enumerate(chunk):
        if not fitted.ok[j]:
            continue
        result, k = results[problems.series[i]], problems.period[i]
        result.alarm[k] = float(alarm[j])
        if enough[j]:
            result.threshold[k] = upper[j]
            result.expected[k] = expected[j] if not np.isnan(upper[j]) else np.nan


def _threshold(
    eta: FloatArray, se: FloatArray, phi: FloatArray, options: FarringtonOptions
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Upper bound, the prediction the score is measured from, and the expected count."""
    alpha = options.alpha
    z = float(norm.ppf(1 - alpha))
    if options.threshold_method == "delta":
        mu0 = np.exp(eta)
        tau = phi + (se * mu0) ** 2 / mu0
        if options.powertrans == "none":
            exponent, spread = 1.0, np.sqrt(mu0 * tau)
        elif options.powertrans == "1/2":
            exponent, spread = 0.5, np.sqrt(0.25 * tau)
        else:
            exponent, spread = 2 / 3, np.sqrt(4 / 9 * mu0 ** (1 / 3) * tau)
        upper = (mu0**exponent + z * spread) ** (1 / exponent)
        return upper, mu0, mu0
    if options.threshold_method == "nbPlugin":
        quantile_mean = np.exp(eta)
    else:
        quantile_mean = np.exp(norm.ppf(1 - alpha, loc=eta, scale=se))
    finite = np.isfinite(quantile_mean)
    upper = np.full(eta.shape, np.nan)
    over = finite & (phi > 1)
    upper[over] = nbinom.ppf(1 - alpha, quantile_mean[over] / (phi[over] - 1), 1 / phi[over])
    plain = finite & ~(phi > 1)
    upper[plain] = poisson.ppf(1 - alpha, quantile_mean[plain])
    return upper, eta, np.exp(eta)


def farrington_flexible_many(
    series: Sequence[tuple[Sequence[date], FloatArray]],
    options: FarringtonOptions | None = None,
    *,
    last: int | None = None,
) -> list[Detection]:
    """Run the method on many weekly series at once (each a regular weekly
    grid of dates with its counts; NaN marks a missing count).

    ``last`` limits the work to the last periods of each series (R's
    ``range``); the others are left NaN."""
    options = options or FarringtonOptions()
    problems = _Problems()
    for index, (dates, counts) in enumerate(series):
        _collect(index, dates, np.asarray(counts, dtype=float), options, problems, last)
    results = [Detection.empty(len(dates)) for dates, _ in series]
    total = len(problems.series)
    for start in range(0, total, CHUNK):
        _solve(problems, range(start, min(start + CHUNK, total)), options, results)
    return results


def farrington_flexible(
    dates: Sequence[date], counts: FloatArray, options: FarringtonOptions | None = None
) -> Detection:
    """Run the method on one weekly series."""
    return farrington_flexible_many([(dates, counts)], options)[0]
