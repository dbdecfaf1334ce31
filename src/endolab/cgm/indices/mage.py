"""MAGE, mean amplitude of glycaemic excursions, by the moving-average ("ma") algorithm.

Definition: Service FJ, Molnar GD, Rosevear JW, Ackerman E, Gatewood LC, Taylor WF. Mean amplitude of
glycemic excursions, a measure of diabetic instability. *Diabetes* 1970;19(9):644–655,
doi:10.2337/diab.19.9.644 — the mean height of the glucose excursions (nadir-to-peak or
peak-to-nadir) that exceed one SD of the glucose trace.

Algorithm: Fernandes NJ, Nguyen N, Chun E, Punjabi N, Gaynanova I. Open-source algorithm to calculate
mean amplitude of glycemic excursions using short and long moving averages. *J Diabetes Sci Technol*
2022;16(2):576–577, doi:10.1177/19322968211061165, with the details of R iglu 4.3.0
(R/mage_ma_single.R; docs/methods/cgm.md §4):

1. glucose on the 5-min grid (always dt0 = 5 min, ``inter_gap`` 45 min; :mod:`._grid`), trimmed to
   the first and last present value;
2. runs of missing grid points longer than ``max_gap`` (180 min) split the trace into segments;
3. per segment (needs ≥ 7 and ≥ ``long_ma`` points and SD ≥ 1 mg/dL): right-aligned moving averages
   of ``short_ma`` = 5 and ``long_ma`` = 32 points (missing values skipped; the first window values
   fill the start); every sign change of short − long marks a crossing, the first and last points
   are added; between consecutive crossings the nadir (after a downward crossing) or peak (after an
   upward one) is located on the *grid values* (not the averages), each search starting at the
   previous turning point;
4. MAGE+ pairs each nadir with the following peak once the rise reaches ≥ 1 SD (the SD of the
   segment's grid values) and the peak is confirmed by a fall > 1 SD (or the trace ends); MAGE−
   likewise for falls; MAGE+ and MAGE− are the mean heights;
5. ``direction``: ``avg`` (mean of MAGE+ and MAGE−), ``service`` (the direction of the first
   excursion), ``max``, ``plus`` or ``minus``; the overall value weights segments by their length.

Numerical note [A]: the moving-average difference is set to exactly 0 when its magnitude is below
1e-9 mg/dL, so that floating-point noise on flat stretches does not create crossings that R (which
gets exactly 0 there) does not see.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
import polars as pl

from endolab.cgm.docstrings import fill_doc
from endolab.cgm.kernels.grid import DEFAULT_INTER_GAP_MIN, Intermediates, grid_of
from endolab.cgm.kernels.groups import FloatArray, IntArray, result_frame
from endolab.errors import InputError

__all__ = ["MAGE_DIRECTIONS", "mage", "mage_ma_fernandes_2022"]

Direction = Literal["avg", "service", "max", "plus", "minus"]
#: Directions accepted by :func:`mage` (R iglu 4.3.0).
MAGE_DIRECTIONS: Final = ("avg", "service", "max", "plus", "minus")
#: Grid step of the ma algorithm [min] (R iglu: "always interpolate to 5 minute grid").
MAGE_GRID_MIN: Final = 5
#: Missing stretches longer than this split the trace [min] (R iglu ``max_gap = 180``).
MAGE_MAX_GAP_MIN: Final = 180.0
_ZERO_TOL: Final = 1e-9


def _moving_average(x: FloatArray, w: int) -> FloatArray:
    """Right-aligned mean of the present values in windows of ``w`` points; leading fill."""
    n = x.size
    ok = ~np.isnan(x)
    ref = x[ok][0] if ok.any() else 0.0
    c = np.where(ok, x - ref, 0.0)
    s = np.concatenate(([0.0], np.cumsum(c)))
    k = np.concatenate(([0], np.cumsum(ok)))
    out = np.full(n, np.nan)
    if n >= w:
        cnt = (k[w:] - k[:-w]).astype(np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[w - 1 :] = (
                np.where(cnt > 0, (s[w:] - s[:-w]) / np.where(cnt > 0, cnt, 1.0), np.nan) + ref
            )
        out[: w - 1] = out[w - 1]
    return out


def _crossings(x: FloatArray, delta: FloatArray) -> tuple[list[int], list[bool]]:
    """Crossing points of the two moving averages and their type (True = a peak follows).

    Reproduces R iglu's sequential scan: a point i (with i and i−1 present, both moving-average
    differences present) is a crossing when the difference changes sign from i−1 to i, or, failing
    that, when it has the opposite sign to the difference at the last crossing. The second rule only
    matters after missing stretches or exact zeros, so it is evaluated in a short loop over those
    points only.
    """
    n = x.size
    nan_x = np.isnan(x)
    nan_d = np.isnan(delta)
    valid = np.zeros(n, dtype=bool)
    valid[1:] = ~nan_x[1:] & ~nan_x[:-1] & ~nan_d[1:] & ~nan_d[:-1]
    prod = np.zeros(n)
    with np.errstate(invalid="ignore"):
        prod[1:] = delta[1:] * delta[:-1]
    primary = valid & (prod < 0)
    # After a processed point i−1 with a non-zero difference, the sign at the last crossing equals
    # the sign at i−1, so the second rule adds nothing; elsewhere it is checked explicitly.
    prev_done = np.zeros(n, dtype=bool)
    if n > 1:
        prev_done[1] = True
        prev_done[2:] = valid[1:-1]
    prev_nonzero = np.zeros(n, dtype=bool)
    with np.errstate(invalid="ignore"):
        prev_nonzero[1:] = delta[:-1] != 0
    special = np.flatnonzero(valid & ~primary & ~(prev_done & prev_nonzero) & (delta != 0))
    prim_idx = np.flatnonzero(primary)
    ref: dict[int, int] = {}
    extra: list[int] = []
    for i in special.tolist():
        j = int(np.searchsorted(prim_idx, i)) - 1
        last = int(prim_idx[j]) if j >= 0 else 0
        if extra and extra[-1] > last:
            last = extra[-1]
        if delta[i] * delta[last] < 0:
            extra.append(i)
            ref[i] = last
    cross = prim_idx if not extra else np.sort(np.concatenate((prim_idx, np.asarray(extra))))
    ids = [0, *cross.tolist(), n - 1]
    types = [bool(delta[0] > 0)]
    for i in cross.tolist():
        types.append(not bool(delta[i] < delta[ref.get(i, i - 1)]))
    types.append(bool(delta[n - 1] > 0))
    return ids, types


def _suffix_best(v: FloatArray, starts: IntArray, *, maximum: bool) -> tuple[FloatArray, IntArray]:
    """Within each interval [starts[j], starts[j+1]) of ``v`` (the last one runs to the end): the min
    (or max) of v[p:end of interval] and its first position, for every position p."""
    n = v.size
    lens = np.diff(np.concatenate((starts, [n])))
    width = int(lens.max()) if lens.size else 0
    fill = -np.inf if maximum else np.inf
    if lens.size * width <= 4 * n + 100_000:
        # intervals as rows of a padded matrix, reversed, cumulative extreme along each row
        row = np.repeat(np.arange(lens.size), lens)
        rcol = np.repeat(lens - 1 + starts, lens) - np.arange(n)
        mat = np.full((lens.size, max(width, 1)), fill)
        mat[row, rcol] = v
        acc = np.maximum.accumulate(mat, axis=1) if maximum else np.minimum.accumulate(mat, axis=1)
        best = acc[row, rcol]
    else:  # one very long interval: exact per-interval scans
        best = np.empty(n)
        for j0, j1 in zip(starts.tolist(), [*starts[1:].tolist(), n], strict=True):
            seg = v[j0:j1][::-1]
            acc1 = np.maximum.accumulate(seg) if maximum else np.minimum.accumulate(seg)
            best[j0:j1] = acc1[::-1]
    record = v == best  # v[q] is the extreme of its own suffix
    # the first position ≥ p that is a record is the first arg-extreme of v[p:end] (every interval
    # ends with a record, so the search never leaves the interval)
    pos = np.where(record, np.arange(n), n)
    arg = np.minimum.accumulate(pos[::-1])[::-1]
    return best, arg.astype(np.int64)


def _extrema(x: FloatArray, ids: list[int], types: list[bool]) -> list[float]:
    """Turning-point values: the min (nadir) or max (peak) of the grid values from the previous
    turning point to the next crossing, inclusive, first occurrence on ties — R iglu's loop.

    Vectorised: window i is [prev_i, c_{i+1}] with prev_i the previous turning point. It splits into
    [prev_i, c_i) (a suffix of the previous crossing interval), the interval [c_i, c_{i+1}) and the
    point c_{i+1}; suffix-extreme tables give each part at once. prev depends on the previous
    result, so the turning points are recomputed until prev no longer changes (a fixed point,
    usually after one or two rounds; each round fixes at least the next turning point).
    """
    lo = np.where(np.isnan(x), np.inf, x)
    hi = np.where(np.isnan(x), -np.inf, x)
    c = np.asarray(ids, dtype=np.int64)
    k = c.size - 1
    ts = np.asarray(types[:k], dtype=bool)  # the type of the last point starts no window
    starts = np.unique(c)
    smin, amin = _suffix_best(lo, starts, maximum=False)
    smax, amax = _suffix_best(hi, starts, maximum=True)
    ci, cn = c[:-1], c[1:]
    # signed so that "better" is always "smaller": peaks use −max
    sgn = np.where(ts, -1.0, 1.0)

    def suffix(p: IntArray) -> tuple[FloatArray, IntArray]:
        return np.where(ts, -smax[p], smin[p]), np.where(ts, amax[p], amin[p])

    point = np.where(ts, -hi[cn], lo[cn])
    a_val, a_arg = suffix(ci)
    has_a = cn > ci
    a_val = np.where(has_a, a_val, np.inf)
    j_ci = np.searchsorted(starts, ci, side="right") - 1  # interval that starts at c_i
    prev = np.concatenate(([c[0]], np.minimum(a_arg[:-1], cn[:-1])))
    for _ in range(k + 1):
        # [prev, c_i): the rest of prev's interval, then whole intervals up to c_i
        has_l = prev < ci
        l_val, l_arg = suffix(prev)
        l_val = np.where(has_l, l_val, np.inf)
        j_prev = np.searchsorted(starts, prev, side="right") - 1
        span = np.where(has_l, j_ci - j_prev - 1, 0)
        for step in range(1, int(span.max(initial=0)) + 1):
            on = span >= step
            q = starts[np.where(on, j_prev + step, 0)]
            q_val, q_arg = suffix(q)
            upd = on & (q_val < l_val)
            l_val = np.where(upd, q_val, l_val)
            l_arg = np.where(upd, q_arg, l_arg)
        best = l_val
        arg = np.where(has_l, l_arg, ci)
        take_a = a_val < best
        best = np.where(take_a, a_val, best)
        arg = np.where(take_a, a_arg, arg)
        take_p = point < best
        best = np.where(take_p, point, best)
        arg = np.where(take_p, cn, arg)
        new_prev = np.concatenate(([c[0]], arg[:-1]))
        if np.array_equal(new_prev, prev):
            break
        prev = new_prev
    result: list[float] = (best * sgn).tolist()
    return result


def _plus(mm: list[float], sd: float) -> tuple[list[float], list[tuple[int, int]]]:
    """Nadir-to-peak excursions ≥ 1 SD (R iglu's MAGE+ scan)."""
    n = len(mm)
    heights: list[float] = []
    pairs: list[tuple[int, int]] = []
    j = 0
    rmin, rarg = mm[0], 0  # min and first argmin of mm[prev_j..j]
    while j < n:
        if mm[j] - rmin >= sd:
            i = rarg
            for k in range(j, n):
                if mm[k] > mm[j]:
                    j = k
                if mm[k] - mm[j] < -sd or k == n - 1:
                    heights.append(mm[j] - mm[i])
                    pairs.append((i, j))
                    j = k
                    break
            rmin, rarg = mm[j], j
        else:
            j += 1
            if j < n and mm[j] < rmin:
                rmin, rarg = mm[j], j
    return heights, pairs


def _minus(mm: list[float], sd: float) -> tuple[list[float], list[tuple[int, int]]]:
    """Peak-to-nadir excursions ≥ 1 SD (R iglu's MAGE− scan, which restarts at the nadir)."""
    n = len(mm)
    heights: list[float] = []
    pairs: list[tuple[int, int]] = []
    j = 0
    rmax, rarg = mm[0], 0  # max and first argmax of mm[prev_j..j]
    while j < n:
        if mm[j] - rmax <= -sd:
            i = rarg
            for k in range(j, n):
                if mm[k] < mm[j]:
                    j = k
                if mm[k] - mm[j] > sd or k == n - 1:
                    heights.append(mm[j] - mm[i])
                    pairs.append((i, j))
                    prev_j = j
                    j = k
                    break
            window = mm[prev_j : j + 1]
            rmax = max(window)
            rarg = prev_j + window.index(rmax)
        else:
            j += 1
            if j < n and mm[j] > rmax:
                rmax, rarg = mm[j], j
    return heights, pairs


def _segment(x: FloatArray, short_ma: int, long_ma: int) -> tuple[float, float, bool] | None:
    """(MAGE+, MAGE−, plus-first) of one segment, or None when it cannot be computed."""
    n = x.size
    if n < 7 or n < long_ma:
        return None
    present = x[~np.isnan(x)]
    if present.size < 2:
        return None
    sd = float(np.std(present, ddof=1))
    if sd < 1.0:
        return None
    delta = _moving_average(x, short_ma) - _moving_average(x, long_ma)
    delta[np.abs(delta) < _ZERO_TOL] = 0.0
    ids, types = _crossings(x, delta)
    mm = _extrema(x, ids, types)
    up, up_pairs = _plus(mm, sd)
    down, down_pairs = _minus(mm, sd)
    if not up and not down:
        return None
    plus_first = bool(up) and (not down or up_pairs[0][1] <= down_pairs[0][0])
    m_plus = float(np.mean(up)) if up else float("nan")
    m_minus = abs(float(np.mean(down))) if down else float("nan")
    return m_plus, m_minus, plus_first


def mage_ma_fernandes_2022(
    gl_grid: FloatArray,
    *,
    short_ma: int = 5,
    long_ma: int = 32,
    max_gap: float = MAGE_MAX_GAP_MIN,
    step_min: int = MAGE_GRID_MIN,
) -> dict[str, float]:
    """MAGE of one trace on a regular grid, every direction (Fernandes 2022,
    doi:10.1177/19322968211061165; Service 1970, doi:10.2337/diab.19.9.644).

    Parameters
    ----------
    gl_grid
        Glucose on a regular grid [mg/dL], NaN where missing.
    short_ma, long_ma
        Moving-average windows [grid points], defaults 5 and 32 (R iglu 4.3.0).
    max_gap
        Missing stretches longer than this split the trace [min], default 180.
    step_min
        Grid step [min], default 5.

    Returns
    -------
    ``{"avg", "service", "max", "plus", "minus"}`` → MAGE [mg/dL] (NaN when not computable).

    >>> # a triangle wave 200 → 100 → 200 mg/dL (period 4 h, 24 h): every excursion is 100 mg/dL
    >>> t = np.arange(0, 24 * 60 + 5, 5.0)
    >>> tri = 100 + 100 * np.abs(((t / 120) % 2) - 1)
    >>> {k: round(v, 6) for k, v in mage_ma_fernandes_2022(tri).items()}
    {'avg': 100.0, 'service': 100.0, 'max': 100.0, 'plus': 100.0, 'minus': 100.0}
    """
    out = dict.fromkeys(MAGE_DIRECTIONS, float("nan"))
    ok = np.flatnonzero(~np.isnan(gl_grid))
    if ok.size == 0:
        return out
    x = gl_grid[ok[0] : ok[-1] + 1]
    if x.size < 7 or x.size < long_ma:
        return out
    # split at missing runs longer than max_gap
    miss = np.isnan(x)
    edges = np.flatnonzero(np.diff(miss.astype(np.int8)))
    run_start = np.concatenate(([0], edges + 1))
    run_end = np.concatenate((edges + 1, [x.size]))
    pieces: list[tuple[int, int]] = []
    cur = 0
    for a, b in zip(run_start.tolist(), run_end.tolist(), strict=True):
        if miss[a] and (b - a) * step_min > max_gap:
            if a > cur:
                pieces.append((cur, a))
            cur = b
    if cur < x.size:
        pieces.append((cur, x.size))
    rows: list[tuple[float, float, bool, float]] = []
    for a, b in pieces:
        res = _segment(x[a:b], short_ma, long_ma)
        if res is not None:
            rows.append((*res, float((b - 1 - a) * step_min)))
    if not rows:
        return out

    def weighted(entries: list[tuple[float, float]]) -> float:
        if not entries:
            return float("nan")
        total = sum(h for _, h in entries)
        if total == 0:
            return float("nan")
        return float(sum(m * h for m, h in entries) / total)

    out["avg"] = weighted([(m, h) for p, q, _, h in rows for m in (p, q) if not np.isnan(m)])
    out["service"] = weighted([(p if first else q, h) for p, q, first, h in rows])
    mx: list[tuple[float, float]] = []
    for p, q, _, h in rows:
        if np.isnan(p) or np.isnan(q):
            continue
        mx.extend([(p, h), (q, h)] if p == q else [(max(p, q), h)])
    out["max"] = weighted(mx)
    out["plus"] = weighted([(p, h) for p, _, _, h in rows])
    out["minus"] = weighted([(q, h) for _, q, _, h in rows])
    return out


@fill_doc
def mage(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    direction: Direction | Sequence[Direction] = "avg",
    short_ma: int = 5,
    long_ma: int = 32,
    inter_gap: float = DEFAULT_INTER_GAP_MIN,
    max_gap: float = MAGE_MAX_GAP_MIN,
    shared: Intermediates | None = None,
) -> pl.DataFrame:
    """MAGE by the ma algorithm per group (see module docstring; R iglu 4.3.0 defaults).

    Parameters
    ----------
    %(frame)s
    %(by)s
    direction
        One of ``avg`` (default), ``service``, ``max``, ``plus``, ``minus``, or several.
    short_ma, long_ma
        Moving-average windows [5-min grid points], defaults 5 and 32; short must be < long.
    inter_gap
        Longest gap interpolated over [min], default 45.
    max_gap
        Missing stretches longer than this split the trace [min], default 180.
    %(shared)s

    Returns
    -------
    ``mage`` for ``avg`` and ``mage_<direction>`` for the others [mg/dL].

    References
    ----------
    Service FJ et al. Mean amplitude of glycemic excursions, a measure of diabetic instability.
    Diabetes 1970;19(9):644–655, doi:10.2337/diab.19.9.644 (definition); Fernandes NJ et al. J Diabetes
    Sci Technol 2022;16(2):576–577, doi:10.1177/19322968211061165 (the moving-average algorithm).
    """
    dirs = [direction] if isinstance(direction, str) else list(direction)
    for d in dirs:
        if d not in MAGE_DIRECTIONS:
            raise InputError(
                f"direction must be one of {', '.join(MAGE_DIRECTIONS)}, got {d!r}",
                field="direction",
                value=d,
            )
    if not (1 <= short_ma < long_ma):
        raise InputError(
            f"short_ma must be ≥ 1 and below long_ma (grid points), got {short_ma} and {long_ma}",
            field="short_ma",
            value=short_ma,
        )
    grid = grid_of(frame, by, dt0=MAGE_GRID_MIN, inter_gap=inter_gap, shared=shared)
    cols: dict[str, FloatArray] = {
        ("mage" if d == "avg" else f"mage_{d}"): np.full(grid.n, np.nan) for d in dirs
    }
    for gi in range(grid.n):
        x = grid.gl[grid.start[gi] : grid.start[gi + 1]]
        if x.size == 0:
            continue
        res = mage_ma_fernandes_2022(x, short_ma=short_ma, long_ma=long_ma, max_gap=max_gap)
        for d in dirs:
            cols["mage" if d == "avg" else f"mage_{d}"][gi] = res[d]
    return result_frame(grid.keys, cols)
