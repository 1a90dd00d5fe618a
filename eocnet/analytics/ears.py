"""EARS C1, C2 and C3 (Hutwagner et al. 2003), as R ``surveillance::earsC``.

C1 compares each count with the mean and standard deviation of the
``baseline`` periods just before it; C2 leaves a gap of two periods; C3 adds
the excesses of the two previous C2 statistics. The upper bound is the count
that would raise an alarm; it is NaN where R gives NA (too little history,
missing counts, or a zero standard deviation that makes C3 undefined).

The expected value reported is the baseline mean (R does not return one).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy.stats import norm

from eocnet.analytics.detection import Detection, FloatArray

EarsMethod = Literal["C1", "C2", "C3"]

#: the periods that R's earsC evaluates first need this many earlier periods
HISTORY = {"C1": 0, "C2": 2, "C3": 4}

#: earsC's alpha when ``control`` has none: 0.001 for C1 and C2, 0.025 for C3
#: (surveillance 1.20, R/earsC.R; the formal default 0.001 belongs to the
#: control list of C1, replaced as soon as a list names its method)
DEFAULT_ALPHA: dict[str, float] = {"C1": 0.001, "C2": 0.001, "C3": 0.025}


def _baseline_stats(counts: FloatArray, baseline: int, lag: int) -> tuple[FloatArray, FloatArray]:
    """Mean and sample sd of the ``baseline`` counts ending ``lag`` periods
    before each period; NaN where the window does not fit."""
    n = counts.size
    mean = np.full(n, np.nan)
    sd = np.full(n, np.nan)
    first = baseline + lag
    if n > first:
        windows = sliding_window_view(counts, baseline)[: n - first]
        mean[first:] = windows.mean(axis=1)
        sd[first:] = windows.std(axis=1, ddof=1)
    return mean, sd


def ears(
    counts: FloatArray,
    method: EarsMethod = "C1",
    *,
    baseline: int = 7,
    alpha: float | None = None,
    min_sigma: float = 0.0,
) -> Detection:
    """Run EARS on one regularly spaced series (NaN marks a missing count);
    ``alpha`` None is R's default for the method (:data:`DEFAULT_ALPHA`)."""
    if method not in HISTORY:
        raise ValueError(f"unknown EARS method {method!r}; choose C1, C2 or C3")
    if alpha is None:
        alpha = DEFAULT_ALPHA[method]
    if baseline < 3:
        raise ValueError("the baseline must be at least 3 periods (as in R)")
    if min_sigma < 0:
        raise ValueError("min_sigma must not be negative")
    if not 0 < alpha < 1:
        raise ValueError("alpha must lie between 0 and 1")
    y = np.asarray(counts, dtype=float)
    n = y.size
    result = Detection.empty(n)
    first = baseline + HISTORY[method]
    if n <= first:
        return result
    z = float(norm.ppf(1 - alpha))
    lag = 0 if method == "C1" else 2
    mean, sd = _baseline_stats(y, baseline, lag)
    sigma = np.maximum(sd, min_sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method in ("C1", "C2"):
            upper = mean + z * sigma
        else:
            c2 = (y - mean) / sigma
            excess = np.maximum(0.0, c2 - 1)
            upper = np.full(n, np.nan)
            k = np.arange(first, n)
            upper[k] = y[k] + sigma[k] * (z - (excess[k - 2] + excess[k - 1]))
            upper = np.maximum(0.0, upper)
        alarm = np.where(np.isnan(upper) | np.isnan(y), np.nan, (y > upper).astype(float))
    span = slice(first, n)
    result.expected[span] = mean[span]
    result.threshold[span] = upper[span]
    result.alarm[span] = alarm[span]
    return result
