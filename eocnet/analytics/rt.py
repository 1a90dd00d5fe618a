"""The time-varying reproduction number by the method of Cori et al. (2013),
as R ``EpiEstim::estimate_R`` ("parametric_si" and "non_parametric_si").

Over each window of days, R has a gamma posterior: shape ``a_prior`` plus the
local cases in the window, rate ``1/b_prior`` plus the total infectiousness
Λ_t = Σ_s w_s I_{t-s} (``w`` the discretised serial interval). As EpiEstim,
all cases of the first day count as imported, the default windows slide over
7 days (the first starting on day 2), and a window is left out (NaN) while it
ends before the mean serial interval.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import gamma

FloatArray = NDArray[np.float64]
WINDOW = 7


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


def estimate_rt(
    incidence: FloatArray,
    si_distribution: FloatArray,
    *,
    mean_prior: float = 5.0,
    std_prior: float = 5.0,
    check_si: bool = True,
) -> RtEstimate:
    """R over EpiEstim's default weekly sliding windows.

    ``check_si`` applies EpiEstim's checks on a user-given distribution; a
    discretised parametric one is used as it is (EpiEstim only warns)."""
    counts = np.nan_to_num(np.asarray(incidence, dtype=float))
    if (counts < 0).any():
        raise ValueError("incidence must not be negative")
    days = counts.size
    if days < WINDOW + 1:
        raise ValueError(f"at least {WINDOW + 1} days are needed for {WINDOW}-day windows")
    if mean_prior <= 0 or std_prior <= 0:
        raise ValueError("the prior's mean and standard deviation must be positive")
    si = np.asarray(si_distribution, dtype=float)
    if check_si:
        check_si_distribution(si)
    if si.size < days + 1:
        si = np.concatenate([si, np.zeros(days + 1 - si.size)])
    a_prior = (mean_prior / std_prior) ** 2
    b_prior = std_prior**2 / mean_prior

    local = counts.copy()
    local[0] = 0.0  # the first day's cases are imported
    infectiousness = np.convolve(counts, si[:days])[:days]
    infectiousness[0] = np.nan
    mean_si = float(np.sum(si * np.arange(si.size)))

    start = np.arange(1, days - WINDOW + 1)
    end = start + WINDOW - 1
    local_sum = np.convolve(local, np.ones(WINDOW), "valid")[1:]
    lambda_sum = np.convolve(np.nan_to_num(infectiousness), np.ones(WINDOW), "valid")[1:]
    usable = (end + 1) > mean_si
    a = np.where(usable, a_prior + local_sum, np.nan)
    b = np.where(usable, 1 / (1 / b_prior + lambda_sum), np.nan)
    with np.errstate(invalid="ignore"):
        return RtEstimate(
            start=start,
            end=end,
            mean=a * b,
            std=np.sqrt(a) * b,
            q025=gamma.ppf(0.025, a, scale=b),
            median=gamma.ppf(0.5, a, scale=b),
            q975=gamma.ppf(0.975, a, scale=b),
        )


def estimate_rt_parametric(
    incidence: FloatArray, mean_si: float, std_si: float, **prior: float
) -> RtEstimate:
    """R with EpiEstim's offset-gamma serial interval of the given mean and sd."""
    days = np.asarray(incidence).size
    si = discretised_si(np.arange(days, dtype=float), mean_si, std_si)
    return estimate_rt(incidence, si, check_si=False, **prior)
