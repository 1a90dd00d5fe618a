"""The time-varying reproduction number by the method of Cori et al. (2013),
as R ``EpiEstim::estimate_R`` ("parametric_si" and "non_parametric_si").

Over each window of days, R has a gamma posterior: shape ``a_prior`` plus the
local cases in the window, rate ``1/b_prior`` plus the total infectiousness
Λ_t = Σ_s w_s I_{t-s} (``w`` the discretised serial interval, I local plus
imported cases). As EpiEstim, all cases of the first day count as imported,
the default windows slide over 7 days (the first starting on day 2), and a
window is left out (NaN) while it ends before the mean serial interval.

Beyond EpiEstim (which has no missing values): a day not reported is missing,
not zero, and the windows that depend on it are left empty with the reason;
windows with too few cases for a stable estimate are marked by their
posterior coefficient of variation (Cori et al. 2013, Web Appendix 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.stats import gamma

FloatArray = NDArray[np.float64]
WINDOW = 7
CV_POSTERIOR = 0.3  # EpiEstim's make_config(cv_posterior = 0.3)
SI_REACH = 0.99  # a missing day this far back in the serial interval empties a window
# why a window has no estimate, or is marked
MISSING_IN_WINDOW = "missing days in the window"
MISSING_BEFORE = "missing days within the serial interval before the window"
BEFORE_MEAN_SI = "ends before the mean serial interval"
UNSTABLE = "few cases: posterior coefficient of variation above the threshold"


@dataclass(frozen=True)
class RtEstimate:
    """One row per window; ``start``/``end`` are 0-based day indexes (inclusive)."""

    start: NDArray[np.int64]
    end: NDArray[np.int64]
    mean: FloatArray
    std: FloatArray
    q025: FloatArray
    median: FloatArray
    q975: FloatArray
    cv: FloatArray = field(default_factory=lambda: np.zeros(0))
    note: tuple[str, ...] = ()
    cv_threshold: float = CV_POSTERIOR


def discretised_si(days: FloatArray, mean: float, sd: float) -> FloatArray:
    """EpiEstim's ``discr_si``: a gamma serial interval offset by one day,
    discretised so that it keeps the given mean."""
    if sd < 0:
        raise ValueError("the serial interval's standard deviation must not be negative")
    if mean <= 1:
        raise ValueError("the serial interval's mean must be greater than 1 (day)")
    k = np.asarray(days, dtype=float)
    shape = ((mean - 1) / sd) ** 2
    scale = sd**2 / (mean - 1)

    def cdf(x: FloatArray, a: float) -> FloatArray:
        return np.asarray(gamma.cdf(x, a, scale=scale))

    res = k * cdf(k, shape) + (k - 2) * cdf(k - 2, shape) - 2 * (k - 1) * cdf(k - 1, shape)
    res = res + shape * scale * (
        2 * cdf(k - 1, shape + 1) - cdf(k - 2, shape + 1) - cdf(k, shape + 1)
    )
    return np.maximum(0.0, res)


def check_si_distribution(si: FloatArray) -> None:
    """EpiEstim's checks on a non-parametric serial interval."""
    if si.size == 0:
        raise ValueError("the serial interval distribution is empty")
    if si[0] != 0:
        raise ValueError("the serial interval distribution must give probability 0 to day 0")
    if (si < 0).any():
        raise ValueError("the serial interval distribution has a negative probability")
    if abs(si.sum() - 1) > 0.01:
        raise ValueError(f"the serial interval probabilities sum to {si.sum():g}, not 1")


def _window_sums(values: FloatArray, window: int) -> FloatArray:
    """Sums over the windows ``[t, t + window - 1]`` for t = 1, 2, ... (EpiEstim's
    default ``t_start = 2:(T - window + 1)`` in R's 1-based days)."""
    return np.convolve(values, np.ones(window), "valid")[1:]


def _si_reach(si: FloatArray, share: float = SI_REACH) -> int:
    """The fewest days back that hold ``share`` of the serial interval."""
    return int(np.searchsorted(np.cumsum(si), share - 1e-12)) if si.sum() > 0 else 0


def estimate_rt(
    incidence: FloatArray,
    si_distribution: FloatArray,
    *,
    imported: FloatArray | None = None,
    window: int = WINDOW,
    mean_prior: float = 5.0,
    std_prior: float = 5.0,
    cv_threshold: float = CV_POSTERIOR,
    check_si: bool = True,
) -> RtEstimate:
    """R over sliding windows of ``window`` days (EpiEstim's default 7).

    ``incidence`` holds the local cases (all cases when ``imported`` is None)
    and NaN on days not reported; ``imported`` the imported cases, as
    EpiEstim's ``incid`` with columns ``local`` and ``imported``: imported
    cases infect others (they count in Λ) but are not counted as offspring.
    As EpiEstim, local cases of the first day are moved to the imported ones.

    Windows are left empty (NaN, with ``note`` saying why) when a day in them
    is missing, or a missing day lies within the span of the serial interval
    before them (the days that hold 99% of its mass): a missing day is not a
    zero. A window whose posterior coefficient of variation, 1/sqrt(shape),
    is above ``cv_threshold`` keeps its numbers but is marked ``unstable``
    (Cori et al. 2013, Web Appendix 2; EpiEstim's ``cv_posterior`` = 0.3).

    ``check_si`` applies EpiEstim's checks on a user-given distribution; a
    discretised parametric one is used as it is (EpiEstim only warns)."""
    raw = np.asarray(incidence, dtype=float)
    days = raw.size
    extra = np.zeros(days) if imported is None else np.asarray(imported, dtype=float)
    if extra.size != days:
        raise ValueError("the imported cases must cover the same days as the local ones")
    if (raw[~np.isnan(raw)] < 0).any() or (extra[~np.isnan(extra)] < 0).any():
        raise ValueError("incidence must not be negative")
    if window < 1:
        raise ValueError("the window must be at least 1 day")
    if days < window + 1:
        raise ValueError(f"at least {window + 1} days are needed for {window}-day windows")
    if mean_prior <= 0 or std_prior <= 0:
        raise ValueError("the prior's mean and standard deviation must be positive")
    if not cv_threshold > 0:
        raise ValueError("the coefficient of variation threshold must be positive")
    si = np.asarray(si_distribution, dtype=float)
    if check_si:
        check_si_distribution(si)
    if si.size < days + 1:
        si = np.concatenate([si, np.zeros(days + 1 - si.size)])
    a_prior = (mean_prior / std_prior) ** 2
    b_prior = std_prior**2 / mean_prior

    missing = np.isnan(raw) | np.isnan(extra)
    local = np.nan_to_num(raw)
    foreign = np.nan_to_num(extra)
    foreign[0] += local[0]  # the first day's cases are imported
    local[0] = 0.0
    infectiousness = np.convolve(local + foreign, si[:days])[:days]
    infectiousness[0] = np.nan
    mean_si = float(np.sum(si * np.arange(si.size)))

    start = np.arange(1, days - window + 1)
    end = start + window - 1
    local_sum = _window_sums(local, window)
    lambda_sum = _window_sums(np.nan_to_num(infectiousness), window)
    gaps = np.concatenate([[0], np.cumsum(missing)])
    in_window = gaps[end + 1] - gaps[start] > 0
    reach = _si_reach(si)
    before = (gaps[start] - gaps[np.maximum(start - reach, 0)]) > 0
    early = (end + 1) <= mean_si
    empty = early | in_window | before
    a = np.where(empty, np.nan, a_prior + local_sum)
    b = np.where(empty, np.nan, 1 / (1 / b_prior + lambda_sum))
    with np.errstate(invalid="ignore", divide="ignore"):
        cv = 1 / np.sqrt(a)
    note = np.full(start.size, "", dtype=object)
    note[cv > cv_threshold] = UNSTABLE
    note[early] = BEFORE_MEAN_SI
    note[before] = MISSING_BEFORE
    note[in_window] = MISSING_IN_WINDOW
    with np.errstate(invalid="ignore"):
        return RtEstimate(
            start=start,
            end=end,
            mean=a * b,
            std=np.sqrt(a) * b,
            q025=gamma.ppf(0.025, a, scale=b),
            median=gamma.ppf(0.5, a, scale=b),
            q975=gamma.ppf(0.975, a, scale=b),
            cv=cv,
            note=tuple(str(n) for n in note),
            cv_threshold=cv_threshold,
        )


def estimate_rt_parametric(
    incidence: FloatArray, mean_si: float, std_si: float, **options: Any
) -> RtEstimate:
    """R with EpiEstim's offset-gamma serial interval of the given mean and sd;
    ``options`` as :func:`estimate_rt`."""
    days = np.asarray(incidence).size
    si = discretised_si(np.arange(days, dtype=float), mean_si, std_si)
    return estimate_rt(incidence, si, check_si=False, **options)
