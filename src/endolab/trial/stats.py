"""Cohort statistics: n/N with an exact (Clopper–Pearson) 95 % interval, mean (SD), median (IQR).

Conventions (each a stated choice):

* Binary endpoints: a participant whose value is ``null`` counts in N but not in n (non-responder
  imputation, docs/trial-data.md) and is also counted in ``missing``. When **no** participant's
  value can be decided (e.g. a window past the end of every participant's follow-up) the endpoint
  is "not decided": ``n``, ``percent`` and ``ci95`` are ``None``, never a count of 0.
* Exact confidence interval of a proportion: Clopper CJ, Pearson ES. Biometrika 1934;26(4):404–413,
  doi:10.1093/biomet/26.4.404: the bounds solve the binomial tail equations (equal to the beta
  quantiles ``Beta(α/2; n, N−n+1)`` and ``Beta(1−α/2; n+1, N−n)``), found by bisection in plain
  Python so that the trial engine needs no SciPy (a test compares with
  ``scipy.stats.binomtest(...).proportion_ci(method="exact")`` where SciPy is installed).
* SD is the sample SD (ddof = 1) [A]; quartiles are the linear-interpolation quantiles (Hyndman & Fan
  type 7, the NumPy and R default) [A].
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["binary_summary", "clopper_pearson_1934", "continuous_summary"]


def clopper_pearson_1934(n: int, N: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Exact (Clopper–Pearson) confidence interval of a binomial proportion.

    Parameters
    ----------
    n
        Responders [participants], 0 ≤ n ≤ N.
    N
        Participants in the denominator [participants]; ``None`` is returned when N = 0.
    confidence
        Two-sided confidence level [1], default 0.95.

    Returns
    -------
    (lower, upper) bounds of the proportion [1] (fractions, not percent).

    Reference: Clopper CJ, Pearson ES. Biometrika 1934;26:404–413, doi:10.1093/biomet/26.4.404;
    lower = B(α/2; n, N − n + 1), upper = B(1 − α/2; n + 1, N − n), with 0 and 1 at the ends.

    >>> lo, hi = clopper_pearson_1934(12, 12)
    >>> round(lo, 4), hi
    (0.7354, 1.0)
    """
    if N == 0:
        return None
    if not 0 <= n <= N:
        raise ValueError(f"n must be between 0 and N={N}, got {n}")
    alpha = 1.0 - confidence
    # lower: P(X ≥ n | p) = α/2, i.e. P(X ≤ n − 1 | p) = 1 − α/2; upper: P(X ≤ n | p) = α/2.
    lower = 0.0 if n == 0 else _solve_cdf(n - 1, N, 1.0 - alpha / 2)
    upper = 1.0 if n == N else _solve_cdf(n, N, alpha / 2)
    return lower, upper


def _binomial_cdf(k: int, N: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(N, p), 0 ≤ k < N, 0 < p < 1 [1] (terms summed in log space)."""
    log_p, log_q = math.log(p), math.log1p(-p)
    logs = [
        math.lgamma(N + 1)
        - math.lgamma(i + 1)
        - math.lgamma(N - i + 1)
        + i * log_p
        + (N - i) * log_q
        for i in range(k + 1)
    ]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(v - top) for v in logs))


def _solve_cdf(k: int, N: int, target: float) -> float:
    """The p in (0, 1) with P(X ≤ k | N, p) = ``target`` (the CDF falls as p rises), by bisection
    to the resolution of a double."""
    lo, hi = 0.0, 1.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if _binomial_cdf(k, N, mid) > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def binary_summary(values: Sequence[bool | None]) -> dict[str, Any]:
    """n (true), N (all participants), percent, exact 95 % CI (fractions), missing (null) count,
    ``decided`` (N − missing) and ``status``: ``"decided"``, or ``"not decided"`` when N > 0 and
    every value is null (then n, percent and ci95 are ``None``).

    >>> binary_summary([True, True, None, False])["n"], binary_summary([True, None])["missing"]
    (2, 1)
    >>> s = binary_summary([None, None])
    >>> s["status"], s["n"], s["N"], s["percent"], s["ci95"], s["missing"]
    ('not decided', None, 2, None, None, 2)
    """
    N = len(values)
    n = sum(1 for v in values if v is True)
    missing = sum(1 for v in values if v is None)
    if N and missing == N:
        return {
            "n": None,
            "N": N,
            "percent": None,
            "ci95": None,
            "missing": missing,
            "decided": 0,
            "status": "not decided",
        }
    ci = clopper_pearson_1934(n, N)
    return {
        "n": n,
        "N": N,
        "percent": 100.0 * n / N if N else None,
        "ci95": list(ci) if ci is not None else None,
        "missing": missing,
        "decided": N - missing,
        "status": "decided",
    }


def continuous_summary(values: Sequence[float | None]) -> dict[str, Any]:
    """n, mean, SD (ddof = 1), median, Q1, Q3, min and max over the non-null values.

    >>> s = continuous_summary([1.0, 2.0, 3.0, 4.0, None])
    >>> s["n"], s["mean"], round(s["sd"], 4), s["median"], s["q1"], s["q3"], s["missing"]
    (4, 2.5, 1.291, 2.5, 1.75, 3.25, 1)
    """
    data = np.array(
        [float(v) for v in values if v is not None and not math.isnan(float(v))], dtype=float
    )
    out: dict[str, Any] = {"n": int(data.size), "missing": len(values) - int(data.size)}
    if data.size == 0:
        out.update(mean=None, sd=None, median=None, q1=None, q3=None, min=None, max=None)
        return out
    q1, med, q3 = np.quantile(data, [0.25, 0.5, 0.75])
    out.update(
        mean=float(data.mean()),
        sd=float(data.std(ddof=1)) if data.size > 1 else None,
        median=float(med),
        q1=float(q1),
        q3=float(q3),
        min=float(data.min()),
        max=float(data.max()),
    )
    return out
