"""Many small quasi-Poisson log-linear models fitted at once, as R's ``glm``.

Farrington's method fits one model per series and period: a million small
fits for a regional run. R fits them one by one; here they are stacked in
arrays and fitted together by iteratively reweighted least squares.

The iteration is R's ``glm.fit`` step for step (start at ``y + 0.1``,
weighted least squares by QR, stop when the relative change in deviance is
below 1e-8, at most 25 iterations), and the quantities after it are R's
(working weights and QR from the last iteration, Pearson dispersion on the
residual degrees of freedom), so results agree with R to rounding. No
library offers this: statsmodels fits one model per call, which costs more
than the arithmetic here, and its iteration does not stop where R's does.

Rows of a fit that do not belong to it (padding, missing counts) carry
``mask = False`` and take no part, as R drops them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

EPSILON = 1e-8
MAX_ITERATIONS = 25


@dataclass
class Fits:
    """The fitted models, one per leading index."""

    coef: FloatArray  # (N, p)
    mu: FloatArray  # (N, n) fitted means
    hat: FloatArray  # (N, n) diagonal of the hat matrix
    cov_unscaled: FloatArray  # (N, p, p) (R'R)^-1 of the final weighted QR
    dispersion: FloatArray  # (N,) Pearson estimate, as summary.glm
    df_residual: FloatArray  # (N,)
    converged: BoolArray  # (N,)


def _deviance(y: FloatArray, mu: FloatArray, weights: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        term = np.where(y > 0, y * np.log(y / mu) - (y - mu), mu)
    return np.asarray(2 * (weights * term).sum(axis=1))


def _solve_upper(r: FloatArray, rhs: FloatArray) -> tuple[FloatArray, BoolArray]:
    """Solve R x = rhs for stacked upper-triangular R; flag singular R."""
    diag = np.abs(np.diagonal(r, axis1=1, axis2=2))
    bad = diag <= 1e-11 * np.maximum(diag.max(axis=1, keepdims=True), 1e-300)
    singular = bad.any(axis=1)
    if singular.any():
        r = r.copy()
        fit, col = np.nonzero(bad)
        r[fit, col, col] = 1.0
    x = np.asarray(np.linalg.solve(r, rhs[..., None])[..., 0], dtype=float)
    return x, np.asarray(singular, dtype=bool)


def fit_quasipoisson(
    x: FloatArray,
    y: FloatArray,
    mask: BoolArray,
    prior_weights: FloatArray | None = None,
) -> Fits:
    """Fit ``y ~ x`` (log link, quasi-Poisson) for each of N stacked problems.

    ``x`` is (N, n, p), ``y`` and ``mask`` (N, n). A problem whose design is
    singular is reported as not converged.
    """
    big_n, n, p = x.shape
    weights = np.where(mask, 1.0 if prior_weights is None else prior_weights, 0.0)
    y = np.where(mask, y, 0.0)
    x = np.where(mask[..., None], x, 0.0)

    coef = np.full((big_n, p), np.nan)
    mu_out = np.full((big_n, n), np.nan)
    hat = np.zeros((big_n, n))
    cov = np.full((big_n, p, p), np.nan)
    working = np.zeros((big_n, n))
    converged = np.zeros(big_n, dtype=bool)
    failed = np.zeros(big_n, dtype=bool)

    mu = y + 0.1
    eta = np.log(mu)
    dev_old = _deviance(y, mu, weights)
    active = np.arange(big_n)
    for _ in range(MAX_ITERATIONS):
        if active.size == 0:
            break
        xa, ya, wa, mua, etaa = x[active], y[active], weights[active], mu[active], eta[active]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            z = etaa + (ya - mua) / mua
            w = np.sqrt(wa * mua)
            q, r = np.linalg.qr(xa * w[..., None])
            beta, singular = _solve_upper(r, np.einsum("knp,kn->kp", q, z * w))
            eta_new = np.einsum("knp,kp->kn", xa, beta)
            mu_new = np.exp(eta_new)
            dev = _deviance(ya, mu_new, wa)
        done = np.abs(dev - dev_old[active]) / (np.abs(dev) + 0.1) < EPSILON
        done |= singular
        last = _ == MAX_ITERATIONS - 1
        finish = done | last
        if finish.any():
            idx = active[finish]
            coef[idx] = beta[finish]
            mu_out[idx] = mu_new[finish]
            hat[idx] = (q[finish] ** 2).sum(axis=2)
            r_inv = np.linalg.inv(np.where(singular[finish, None, None], np.eye(p), r[finish]))
            cov[idx] = r_inv @ np.swapaxes(r_inv, 1, 2)
            working[idx] = w[finish] ** 2
            converged[idx] = done[finish] & ~singular[finish]
            failed[idx] = singular[finish]
        keep = ~finish
        mu[active[keep]] = mu_new[keep]
        eta[active[keep]] = eta_new[keep]
        dev_old[active[keep]] = dev[keep]
        active = active[keep]

    n_ok = (weights > 0).sum(axis=1)
    df_residual = (n_ok - p).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        residual = (y - mu_out) / mu_out
        pearson = np.where(working > 0, working * residual**2, 0.0).sum(axis=1)
        dispersion = np.where(df_residual > 0, pearson / df_residual, np.nan)
    dispersion[failed] = np.nan
    hat = np.where(hat > 1 - 10 * np.finfo(float).eps, 1.0, hat)
    return Fits(coef, mu_out, hat, cov, dispersion, df_residual, converged)
