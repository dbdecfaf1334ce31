"""Hypo- and hyperglycaemia episodes by the 2023 consensus for clinical trials.

Battelino T, Alexander CM, Amiel SA, et al. Continuous glucose monitoring and metrics for clinical
trials: an international consensus statement. *Lancet Diabetes Endocrinol* 2023;11(1):42–57,
doi:10.1016/S2213-8587(22)00319-9 — as R iglu ``episode_calculation`` and cgmguru read it
(docs/methods/cgm.md §2). Thresholds from :mod:`endolab.cgm.schema` [mg/dL]; durations [min].

==============  =========================================  ============================================
level           starts with                                ends with (first reading of)
==============  =========================================  ============================================
``hypo_l1``     ≥ ``dur_length`` (15) min with g < 70      ≥ ``end_length`` (15) min with g ≥ 70
``hypo_l2``     ≥ 15 min with g < 54                       ≥ 15 min with g ≥ 54 (``lv2_end="same"``)
                                                           or g ≥ 70 (``lv2_end="level1"``)
``hypo_ext``    > 120 min with g < 70                      ≥ 15 min with g ≥ 70
``hyper_l1``    ≥ 15 min with g > 180                      ≥ 15 min with g ≤ 180
``hyper_l2``    ≥ 15 min with g > 250                      ≥ 15 min with g ≤ 250 (``"same"``) or ≤ 180
``hyper_ext``   ≥ 90 min with g > 250 within 120 min       ≥ 15 min with g ≤ 180
==============  =========================================  ============================================

Level 2 episodes are a subset of level 1 (they are counted in both), as in R iglu (issue #117).

Two methods apply these rules (``method``):

* ``"iglu_grid"`` (default) — **R iglu 4.3.0's** ``episode_calculation`` (R/episode_calculation.R):
  each subject's readings are first interpolated onto R iglu's ``CGMS2DayByDay`` grid
  (:mod:`endolab.cgm.kernels.grid`: points at 00:00 + k·dt0 of the first day, k ≥ 1, linear
  interpolation, no points strictly inside gaps > ``inter_gap``); the present grid points are then
  the "readings" of the rules below, each lasting dt0, and a missing point splits the record. A
  run of n points lasts n·dt0, so it starts (ends) an episode when n ≥ ceil(15 / dt0), as iglu's
  ``dur_idx``/``end_idx``; extended hypoglycaemia needs n ≥ ceil(120 / dt0 + 1) points (iglu's
  ``120/dt0 + 1``, i.e. > 120 min at 5 min). The counts equal iglu's (checked against iglu-python
  0.4.3 in R-compatible mode on the example data: validation/iglu_compare_core.md); a duration is
  n·dt0 over the points from the start to the point before the recovery run, as iglu's
  ``avg_ep_duration`` (an episode cut by a gap or the end of data runs to the last point before
  it, including a recovery run too short to end it). Extended hyperglycaemia, which R iglu does not count, uses the rule below on the
  grid points. With period columns in ``by``, each grid point belongs to the period of the
  reading at or before it.
* ``"readings"`` — the readings themselves, with the time model below [A]. Counts can differ from
  R iglu's by one where a run is borderline on one of the two time axes (docs/methods/cgm.md §2).

Open choices made here [A] (parameters, defaults documented):

* **Time model** (``"readings"``). Each reading stands for the interval until the next reading (the
  last reading of a stretch for ``dt0``, the subject's sampling interval: median interval rounded
  to whole minutes, as R iglu). A run's duration is the sum of its readings' intervals, so 3
  readings at 5 min last 15 min and one Libre reading at 15 min lasts 15 min.
* **Gaps.** Intervals ≤ ``inter_gap`` (45 min, the iglu default) are bridged (``"readings"``: the
  reading's state lasts until the next one; ``"iglu_grid"``: interpolated); a longer gap splits the
  record: an episode in progress ends at the last reading (grid point) before the gap
  (``ended_by="gap"``) and a new one must meet the start rule again.
* **Level 2 end rule** (``lv2_end``): ``"same"`` (default; end threshold = start threshold, as R
  iglu and cgmguru) or ``"level1"`` (the older Danne 2017 wording, doi:10.2337/dc17-1600: ends
  after ≥ 15 min above 70 / below 180). The Lancet text is ambiguous; fix it in the SAP.
* **Start and end times** (grid points in place of readings for ``"iglu_grid"``). An episode
  starts at its first qualifying reading and ends where the
  last not-yet-recovered reading's interval ends (the start of the recovery run);
  ``duration_min`` = end − start. For ``hyper_ext`` the start is the first reading > 250 in the
  120-min window that first meets the 90-min rule; the 90 min are the summed intervals of the
  readings > 250 whose times lie in (t − 120, t].
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl

from endolab.cgm.frame import (
    TimeOrderError,
    canonical_columns,
    check_frame,
    ensure_canonical,
    is_canonical,
)
from endolab.cgm.kernels.chunks import group_blocks, map_blocks
from endolab.cgm.kernels.grid import Grid, Intermediates, grid_of, groups_cached
from endolab.cgm.kernels.groups import US_PER_DAY, US_PER_MIN, FloatArray, cutoffs_for
from endolab.cgm.metrics import run_exprs
from endolab.cgm.schema import CANONICAL_SCHEMA, MMOL_COLUMN
from endolab.errors import InputError

__all__ = [
    "DUR_LENGTH_MIN",
    "END_LENGTH_MIN",
    "EPISODE_LEVELS",
    "EXCLUSIVE_LEVELS",
    "EXTENDED_HYPER_MIN",
    "EXTENDED_HYPER_WINDOW_MIN",
    "EXTENDED_HYPO_MIN",
    "INTER_GAP_MIN",
    "EpisodeResult",
    "episode_summary",
    "episodes",
    "hypo_counts_on_grid",
]

#: Minimum duration of a run that starts an episode [min] (2023 consensus; iglu ``dur_length``).
DUR_LENGTH_MIN: Final = 15.0
#: Minimum duration of a recovery run that ends an episode [min] (2023 consensus; iglu ``end_length``).
END_LENGTH_MIN: Final = 15.0
#: Longest gap bridged inside an episode [min] (R iglu ``inter_gap`` default) [A].
INTER_GAP_MIN: Final = 45.0
#: Extended hypoglycaemia: more than this many consecutive minutes < 70 mg/dL (2023 consensus).
EXTENDED_HYPO_MIN: Final = 120.0
#: Extended hyperglycaemia: at least this many minutes > 250 mg/dL … (2023 consensus)
EXTENDED_HYPER_MIN: Final = 90.0
#: … within a window of this length [min] (2023 consensus).
EXTENDED_HYPER_WINDOW_MIN: Final = 120.0

#: Episode levels, in output order.
EPISODE_LEVELS: Final = ("hypo_l1", "hypo_l2", "hypo_ext", "hyper_l1", "hyper_l2", "hyper_ext")
#: Summary-only levels: level-1 episodes that never reach level 2 (R iglu's ``lv1_excl``: a level-1
#: episode none of whose points belongs to a level-2 episode), in output order.
EXCLUSIVE_LEVELS: Final = ("hypo_l1_excl", "hyper_l1_excl")

_F64 = npt.NDArray[np.float64]
_I64 = npt.NDArray[np.int64]
_B = npt.NDArray[np.bool_]


class EpisodeResult(NamedTuple):
    """Per-episode table and per-group summary (unpack as ``table, summary = episodes(frame)``)."""

    table: pl.DataFrame
    summary: pl.DataFrame


class _Prepared(NamedTuple):
    t: _F64  # minutes since the first reading of the frame
    g: _F64
    g_pad: _F64  # g with a NaN appended (for reduceat up to the last reading)
    d: _F64  # interval each reading stands for [min]
    new_seg: _B
    seg_starts: _I64
    sid: _I64
    n: int
    mmol: _B | None = None  # per reading: measured in mmol/L (None: all mg/dL)


def _check_order(frame: pl.DataFrame) -> tuple[_I64, npt.NDArray[np.int64]]:
    """Subject run ids and times [µs]; TimeOrderError unless time strictly increases per id."""
    sid = frame.get_column("id").rle_id().to_numpy().astype(np.int64)
    t_us = frame.get_column("time").dt.epoch("us").to_numpy()
    if bool(np.any((sid[1:] == sid[:-1]) & (t_us[1:] <= t_us[:-1]))):
        raise TimeOrderError(
            "readings are not in strictly increasing time order within each subject (unsorted "
            "or duplicate timestamps): pass the data through endolab.cgm.check_frame first",
            field="time",
        )
    return sid, t_us


def _prepare(frame: pl.DataFrame, dt0: float | None, inter_gap: float) -> _Prepared:
    n = frame.height
    sid, t_us = _check_order(frame)
    t = (t_us - t_us[0]).astype(np.float64) / 60e6 if n else np.empty(0)
    diff = np.diff(t)
    same = sid[1:] == sid[:-1]
    if dt0 is not None:
        dt0_row = np.full(n, float(dt0))
    else:
        # per-subject median interval, rounded half to even (R round) and at least 1 min [A]
        # (the frame is sorted by id, so the sorted group-by order is the run order of sid)
        td = pl.col("time").diff().dt.total_microseconds().cast(pl.Float64) / 60e6
        per = (
            frame.lazy()
            .select(pl.col("id").set_sorted(), td.alias("td"))
            .group_by("id")
            .agg(pl.col("td").slice(1).median().round())
            .sort("id")
            .collect()
        )
        dt0_sub = np.maximum(per.get_column("td").fill_null(0.0).to_numpy(), 1.0)
        dt0_sub[per.get_column("td").is_null().to_numpy()] = 0.0
        dt0_row = dt0_sub[sid]  # a subject with one reading has dt0 0: no episode can start
    new_seg = np.ones(n, dtype=bool)
    new_seg[1:] = ~same | (diff > inter_gap)
    mmol = None
    if MMOL_COLUMN in frame.columns:
        flags = frame.get_column(MMOL_COLUMN).fill_null(False)
        mmol = np.asarray(flags.to_numpy(), dtype=bool) if flags.any() else None
    return _assemble(t, frame.get_column("gl").to_numpy(), sid, dt0_row, new_seg, mmol=mmol)


def _assemble(
    t: _F64,
    gl: _F64,
    sid: _I64,
    dt0_row: _F64,
    new_seg: _B,
    d: _F64 | None = None,
    mmol: _B | None = None,
) -> _Prepared:
    """The prepared arrays from times [min], glucose, subject ids, dt0 per row and segment starts:
    each reading stands for the interval to the next one (``d``, when not given), the last of a
    segment for its dt0."""
    n = t.size
    g_pad = np.empty(n + 1)
    g_pad[:n] = gl
    g_pad[n] = np.nan
    if d is None:
        d = np.empty(n)
        d[:-1] = np.where(new_seg[1:], dt0_row[:-1], np.diff(t))
        if n:
            d[-1] = dt0_row[-1]
    seg_starts = np.flatnonzero(new_seg).astype(np.int64)
    return _Prepared(
        t=t,
        g=g_pad[:n],
        g_pad=g_pad,
        d=d,
        new_seg=new_seg,
        seg_starts=seg_starts,
        sid=sid,
        n=n,
        mmol=mmol,
    )


#: Grid points per block in ``method="iglu_grid"`` (whole subjects; bounds the temporaries).
_GRID_BLOCK_POINTS: Final = 2_000_000


class _GridBlock(NamedTuple):
    p: _Prepared  # the block's present grid points as readings
    step: _F64  # grid step of each point [min]
    key_row: _I64  # row of the key frame (data rows, or grid keys) of each point
    t0_us: int  # time of the block's first point [µs]


def _grid_points(
    grid: Grid, g0: int, g1: int, midnight: _I64 | None
) -> tuple[_Prepared, _F64, _I64, _I64] | None:
    """The present points of groups g0 … g1 − 1 of ``grid`` as readings (consecutive present
    points form a segment; a missing point or a new group splits), their grid steps [min], groups
    and times [µs] (``midnight``: each group's grid origin [µs]; ``None`` when only counts are
    wanted: times are then left at 0); None without a present point."""
    lo, hi = int(grid.start[g0]), int(grid.start[g1])
    x = grid.gl[lo:hi]
    present = ~np.isnan(x)
    idx = np.flatnonzero(present)
    if idx.size == 0:
        return None
    rel = grid.start[g0 : g1 + 1] - lo
    firsts = rel[:-1][rel[:-1] < x.size]
    # a present point starts a segment unless the grid point before it is present, same group
    prev = np.zeros(x.size, dtype=bool)
    prev[1:] = present[:-1]
    prev[firsts] = False
    new_seg = ~prev[idx]
    gi = np.searchsorted(rel, idx[new_seg], side="right") - 1 + g0  # per segment, then per point
    gi = np.repeat(gi, np.diff(np.append(np.flatnonzero(new_seg), idx.size))).astype(np.int64)
    step = grid.dt0.astype(np.float64)[gi]
    mmol = None if grid.mmol is None else grid.mmol[gi]  # each point in its group's unit
    if midnight is None:
        # consecutive points of a segment lie one step apart: each stands for its step
        t_us = np.zeros(idx.size, dtype=np.int64)
        p = _assemble(np.zeros(idx.size), x[idx], gi, step, new_seg, d=step, mmol=mmol)
        return p, step, gi, t_us
    pos = idx - rel[gi - g0]
    t_us = midnight[gi] + (pos + 1) * grid.dt0[gi] * US_PER_MIN
    t = (t_us - t_us[0]).astype(np.float64) / 60e6
    return _assemble(t, x[idx], gi, step, new_seg, mmol=mmol), step, gi, t_us


def _grid_blocks(
    data: pl.DataFrame,
    keys: list[str],
    dt0: float | None,
    inter_gap: float,
    shared: Intermediates | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, Iterator[_GridBlock]]:
    """The present (non-missing) points of R iglu's interpolated grid (``CGMS2DayByDay``, built by
    :func:`endolab.cgm.kernels.grid.grid_of`, one grid per subject) as readings, in blocks of
    whole subjects: consecutive present points form a segment; a missing point (inside a gap
    > ``inter_gap``) splits. With period columns in ``keys`` each point takes them from the reading
    at or before it (``data`` must be sorted by id, then time).

    Returns the key frame (rows indexed by ``key_row``), the subjects with ≥ 2 readings but no
    grid, and the blocks.
    """
    grid = grid_of(data, ["id"], dt0=dt0, inter_gap=inter_gap, shared=shared)
    groups = groups_cached(data, ["id"], shared)
    first = groups.t_us[groups.start[:-1]]
    midnight = (first // US_PER_DAY) * US_PER_DAY
    periods = len(keys) > 1
    key_frame = data.select(keys) if periods else grid.keys
    no_grid = grid.keys.filter(pl.Series((grid.dt0 == 0) & (groups.counts >= 2)))

    def block(g0: int, g1: int) -> _GridBlock | None:
        points = _grid_points(grid, g0, g1, midnight)
        if points is None:
            return None
        p, step, gi, t_us = points
        if periods:
            # the reading at or before each grid point (one sorted key over the block's subjects)
            r_lo, r_hi = int(groups.start[g0]), int(groups.start[g1])
            rg = groups.index[r_lo:r_hi]
            stride = np.int64(US_PER_DAY) * (int(grid.ndays[g0:g1].max(initial=0)) + 2)
            rkey = (rg - g0) * stride + (groups.t_us[r_lo:r_hi] - midnight[rg])
            gkey = (gi - g0) * stride + (t_us - midnight[gi])
            rows = (np.searchsorted(rkey, gkey, side="right") - 1 + r_lo).astype(np.int64)
        else:
            rows = gi
        return _GridBlock(p=p, step=step, key_row=rows, t0_us=int(t_us[0]))

    def blocks() -> Iterator[_GridBlock]:
        for g0, g1 in group_blocks(grid.start, _GRID_BLOCK_POINTS):
            b = block(g0, g1)
            if b is not None:
                yield b

    return key_frame, no_grid, blocks()


def _runs(mask: _B, p: _Prepared) -> tuple[_I64, _F64, _B]:
    """Run start indices, run durations [min] and run values of ``mask`` (runs split at gaps)."""
    start = p.new_seg.copy()
    np.not_equal(mask[1:], mask[:-1], out=start[1:], where=~start[1:])
    starts = np.flatnonzero(start).astype(np.int64)
    dur = np.add.reduceat(p.d, starts) if p.n else np.empty(0)
    return starts, dur, mask[starts]


def _group_of(gstarts: _I64, index: _I64) -> _I64:
    return (np.searchsorted(gstarts, index, side="right") - 1).astype(np.int64)


def _detect(
    p: _Prepared,
    cand_start: _I64,
    cand_anchor: _I64,
    end_mask: _B,
    end_length: float,
    first_valid: _I64 | None = None,
    to_segment_end: bool = False,
) -> pl.DataFrame:
    """Episodes from candidate starts and the recovery mask, computed on runs (not readings).

    Groups are the stretches between recovery runs of ≥ ``end_length`` (and gaps); in each
    group the episode starts at the earliest candidate (clamped to the group start, then moved to
    ``first_valid`` of that index when given) and ends where the last unrecovered run ends, or,
    with ``to_segment_end`` (R iglu), at the last reading before the recovery run, the gap or the
    end of data (an unfinished recovery run at a gap then belongs to the episode).
    """
    n = p.n
    starts, dur, val = _runs(end_mask, p)
    term_starts = starts[val & (dur >= end_length)]
    is_term = np.zeros(n + 1, dtype=bool)
    is_term[term_starts] = True
    boundary = is_term[:n] | p.new_seg
    gstarts = np.flatnonzero(boundary).astype(np.int64)
    grp_c = _group_of(gstarts, cand_anchor)
    begin = np.maximum(cand_start, gstarts[grp_c])
    if first_valid is not None:
        # move each start to the first valid reading at or after it (first_valid: sorted indices)
        begin = first_valid[np.minimum(np.searchsorted(first_valid, begin), first_valid.size - 1)]
    if begin.size:
        # anchors are sorted, so their groups are non-decreasing
        first_pos = np.flatnonzero(np.diff(grp_c, prepend=-1))
        groups = grp_c[first_pos]
        s = np.minimum.reduceat(begin, first_pos)
    else:
        groups = s = np.empty(0, dtype=np.int64)
    # last reading of the last unrecovered run of each group
    run_end = np.append(starts[1:], n) - 1
    open_runs = ~val
    grp_r = _group_of(gstarts, starts[open_runs])
    last_open = np.full(gstarts.size, -1, dtype=np.int64)
    if grp_r.size:
        last_pos = np.append(np.flatnonzero(np.diff(grp_r)), grp_r.size - 1)
        last_open[grp_r[last_pos]] = run_end[open_runs][last_pos]
    next_gs = np.append(gstarts[1:], n)[groups]
    e = next_gs - 1 if to_segment_end else last_open[groups]
    closed = next_gs < n
    by_recovery = np.zeros(s.size, dtype=bool)
    by_recovery[closed] = is_term[next_gs[closed]] & ~p.new_seg[next_gs[closed]]
    more_data = np.zeros(s.size, dtype=bool)
    more_data[closed] = p.sid[next_gs[closed]] == p.sid[s[closed]]
    ended_by = np.where(by_recovery, "recovery", np.where(more_data, "gap", "end_of_data"))
    g_pad = p.g_pad
    bounds = np.empty(2 * s.size, dtype=np.int64)
    bounds[0::2] = s
    bounds[1::2] = e + 1
    if s.size:
        g_min = np.minimum.reduceat(g_pad, bounds)[0::2]
        g_max = np.maximum.reduceat(g_pad, bounds)[0::2]
    else:
        g_min = g_max = np.empty(0)
    start_t = p.t[s]
    end_t = p.t[e] + p.d[e]
    return pl.DataFrame(
        {
            "_start_idx": s,
            "start_min": start_t,
            "end_min": end_t,
            "duration_min": end_t - start_t,
            "n_readings": (e - s + 1).astype(np.int64),
            "min_gl": g_min,
            "max_gl": g_max,
            "ended_by": ended_by.astype(str),
        },
        schema_overrides={"ended_by": pl.String},
    )


def _run_candidates(
    start_mask: _B, p: _Prepared, min_minutes: float, strict: bool
) -> tuple[_I64, _I64, None]:
    starts, dur, val = _runs(start_mask, p)
    ok = val & ((dur > min_minutes) if strict else (dur >= min_minutes))
    cand = starts[ok]
    return cand, cand, None


def _grid_extended_candidates(
    start_mask: _B, p: _Prepared, step: _F64, minutes: float
) -> tuple[_I64, _I64, None]:
    """Runs of at least ``ceil(minutes / dt0 + 1)`` grid points (R iglu's extended-hypo rule,
    ``n() >= 120/dt0 + 1``: more than 120 min when dt0 divides 120)."""
    starts, _dur, val = _runs(start_mask, p)
    npts = np.diff(np.append(starts, p.n))
    need = np.ceil(minutes / step[starts] + 1.0) if starts.size else np.empty(0)
    cand = starts[val & (npts >= need)]
    return cand, cand, None


def _window_candidates(
    above: _B, p: _Prepared, need: float, window: float
) -> tuple[_I64, _I64, _I64]:
    """Readings in ``above`` where the summed intervals of ``above`` readings within
    (t − window, t] reach ``need``: (first ``above`` index of the window, the reading, and the
    sorted ``above`` indices, used to move a start clamped to a group start onto a reading > 250)."""
    idx = np.flatnonzero(above).astype(np.int64)
    if idx.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    seg = np.searchsorted(p.seg_starts, idx, side="right") - 1
    # time within the segment, offset by segment number so one sorted key spans all segments
    key = seg.astype(np.float64) * 1e7 + (p.t[idx] - p.t[p.seg_starts[seg]])
    cs = np.concatenate([[0.0], np.cumsum(p.d[idx])])
    jstart = np.searchsorted(key, key - window, side="right")
    total = cs[1:] - cs[jstart]
    ok = total >= need
    return idx[jstart[ok]], idx[ok], idx


def _check_params(**values: float) -> None:
    for name, value in values.items():
        if not (isinstance(value, (int, float)) and 0 < float(value) <= 1440):
            raise InputError(
                f"{name} must be a number of minutes > 0 and ≤ 1440, got {value!r}",
                field=name,
                value=value,
            )


class _Rules(NamedTuple):
    dur_length: float
    end_length: float
    lv2_end: str
    extended_hypo: float
    extended_hyper: float
    extended_hyper_window: float


_EMPTY: Final = _assemble(
    np.empty(0), np.empty(0), np.empty(0, dtype=np.int64), np.empty(0), np.empty(0, dtype=bool)
)


def _find(
    p: _Prepared, grid_step: _F64 | None, r: _Rules, levels: Sequence[str] = EPISODE_LEVELS
) -> pl.DataFrame:
    """Every episode of the ``levels`` in ``p`` (``grid_step`` given: ``p`` holds grid points)."""
    g = p.g
    # the consensus cut-offs of the unit each reading was measured in (schema.CUTOFFS)
    tbr1, tbr2 = cutoffs_for("tbr_level1", p.mmol), cutoffs_for("tbr_level2", p.mmol)
    tar1, tar2 = cutoffs_for("tir_high", p.mmol), cutoffs_for("tar_level2", p.mmol)
    lv2_hypo_end = tbr2 if r.lv2_end == "same" else tbr1
    lv2_hyper_end = tar2 if r.lv2_end == "same" else tar1

    def hypo_ext() -> tuple[_I64, _I64, _I64 | None]:
        low = g < tbr1
        if grid_step is not None:
            return _grid_extended_candidates(low, p, grid_step, r.extended_hypo)
        return _run_candidates(low, p, r.extended_hypo, True)

    def runs(mask: Callable[[], _B]) -> Callable[[], tuple[_I64, _I64, _I64 | None]]:
        return lambda: _run_candidates(mask(), p, r.dur_length, False)

    rules: dict[str, tuple[Callable[[], tuple[_I64, _I64, _I64 | None]], Callable[[], _B]]] = {
        "hypo_l1": (runs(lambda: g < tbr1), lambda: g >= tbr1),
        "hypo_l2": (runs(lambda: g < tbr2), lambda: g >= lv2_hypo_end),
        "hypo_ext": (hypo_ext, lambda: g >= tbr1),
        "hyper_l1": (runs(lambda: g > tar1), lambda: g <= tar1),
        "hyper_l2": (runs(lambda: g > tar2), lambda: g <= lv2_hyper_end),
        "hyper_ext": (
            lambda: _window_candidates(g > tar2, p, r.extended_hyper, r.extended_hyper_window),
            lambda: g <= tar1,
        ),
    }
    # reduceat over empty or all-NaN segments: floating-point flags, silenced per thread
    # (np.errstate is context-local; warnings.catch_warnings would change process-wide filters)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        parts = []
        for name in levels:
            candidates, end_mask = rules[name]
            cand, anchor, first_valid = candidates()
            found = _detect(
                p, cand, anchor, end_mask(), r.end_length, first_valid, grid_step is not None
            )
            kind, level = name.split("_")
            parts.append(
                found.with_columns(pl.lit(kind).alias("type"), pl.lit(level).alias("level"))
            )
    return pl.concat(parts)


def hypo_counts_on_grid(
    grid: Grid,
    *,
    dur_length: float = DUR_LENGTH_MIN,
    end_length: float = END_LENGTH_MIN,
    lv2_end: Literal["same", "level1"] = "same",
) -> dict[str, FloatArray]:
    """Hypoglycaemic episodes per group of ``grid``, by the rules of :func:`episodes` with
    ``method="iglu_grid"`` applied to that grid (its present points are the readings; a missing
    point or a new group splits).

    For indices that count episodes on their own grid (PGS, Hirsch 2017, doi:10.1089/dia.2017.0080,
    counts them with ``dur_length = 20`` and ``end_length = 30`` min, as R iglu's ``pgs``), so that
    one set of episode rules serves both.

    Parameters
    ----------
    grid
        R iglu's interpolated grid (:func:`endolab.cgm.kernels.grid.grid_of`).
    dur_length, end_length
        Minimum duration [min] of the run that starts / ends an episode.
    lv2_end
        Level-2 end rule (see :func:`episodes`).

    Returns
    -------
    dict
        ``hypo_l1``, ``hypo_l2`` and ``hypo_l1_excl`` (level-1 episodes without a level-2 episode
        inside, R iglu's ``lv1_excl``): counts per group [float], in group order.
    """
    _check_params(dur_length=dur_length, end_length=end_length)
    rules = _Rules(
        dur_length=dur_length,
        end_length=end_length,
        lv2_end=lv2_end,
        extended_hypo=EXTENDED_HYPO_MIN,
        extended_hyper=EXTENDED_HYPER_MIN,
        extended_hyper_window=EXTENDED_HYPER_WINDOW_MIN,
    )

    def block(g0: int, g1: int) -> dict[str, FloatArray]:
        n = g1 - g0
        points = _grid_points(grid, g0, g1, None) if n else None
        if points is None:
            return {k: np.zeros(n) for k in ("hypo_l1", "hypo_l2", "hypo_l1_excl")}
        p, step, gi, _t_us = points
        found = _find(p, step, rules, levels=("hypo_l1", "hypo_l2"))
        level = found.get_column("level").to_numpy()
        s = found.get_column("_start_idx").to_numpy()
        last = s + found.get_column("n_readings").to_numpy() - 1
        s1, e1, s2 = s[level == "l1"], last[level == "l1"], s[level == "l2"]
        order = np.argsort(s1, kind="stable")
        s1, e1 = s1[order], e1[order]
        # a level-2 episode lies in the level-1 episode that starts at or before it (as
        # _exclusive on the episode table)
        owner = np.searchsorted(s1, s2, side="right") - 1
        ok = owner >= 0
        reached = np.zeros(s1.size, dtype=bool)
        reached[owner[ok][s2[ok] <= e1[owner[ok]]]] = True
        group = gi - g0
        return {
            "hypo_l1": np.bincount(group[s1], minlength=n).astype(np.float64),
            "hypo_l2": np.bincount(group[s2], minlength=n).astype(np.float64),
            "hypo_l1_excl": np.bincount(group[s1[~reached]], minlength=n).astype(np.float64),
        }

    return map_blocks(grid.start, block, _GRID_BLOCK_POINTS)


def _absolute(found: pl.DataFrame, key_row: _I64 | None, t0_us: int) -> pl.DataFrame:
    """Key-frame row and start/end [µs since 1970] of each episode found in a block."""
    starts = found.get_column("_start_idx").to_numpy()
    return found.with_columns(
        pl.Series("_key_row", starts if key_row is None else key_row[starts], dtype=pl.Int64),
        (pl.lit(t0_us, dtype=pl.Int64) + (pl.col("start_min") * 60e6).round().cast(pl.Int64)).alias(
            "_start_us"
        ),
        (pl.lit(t0_us, dtype=pl.Int64) + (pl.col("end_min") * 60e6).round().cast(pl.Int64)).alias(
            "_end_us"
        ),
    )


def episodes(
    frame: Any,
    *,
    dt0: float | None = None,
    dur_length: float = DUR_LENGTH_MIN,
    end_length: float = END_LENGTH_MIN,
    inter_gap: float = INTER_GAP_MIN,
    lv2_end: Literal["same", "level1"] = "same",
    extended_hypo: float = EXTENDED_HYPO_MIN,
    extended_hyper: float = EXTENDED_HYPER_MIN,
    extended_hyper_window: float = EXTENDED_HYPER_WINDOW_MIN,
    by: Sequence[str] = ("id",),
    method: Literal["iglu_grid", "readings"] = "iglu_grid",
    shared: Intermediates | None = None,
) -> EpisodeResult:
    """Consensus hypo/hyperglycaemia episodes (see the module docstring for the rules).

    Parameters
    ----------
    frame
        Canonical CGM frame (:func:`endolab.cgm.check_frame`); other frames are checked first.
    dt0
        Sampling interval [min]; ``None`` = per subject, median interval rounded.
    dur_length, end_length, inter_gap, extended_hypo, extended_hyper, extended_hyper_window
        Durations [min] (defaults: 2023 consensus and R iglu; module constants).
    lv2_end
        Level-2 end rule: ``"same"`` or ``"level1"``.
    by
        Group columns of the summary (``id`` first; period columns must be in ``frame``). With
        ``method="readings"`` an episode belongs to the period of its first reading; with
        ``"iglu_grid"`` each group gets its own grid, so an episode ends at a period boundary.
    method
        ``"iglu_grid"`` (default): the rules applied to R iglu's interpolated grid (see the module
        docstring), reproducing R iglu 4.3.0's ``episode_calculation`` counts; ``"readings"``: the
        rules applied to the readings themselves (time model in the module docstring).
    shared
        :class:`~endolab.cgm.kernels.grid.Intermediates` of ``frame`` (``method="iglu_grid"``):
        the grid is taken from (or kept in) it, so indices on the same frame reuse it.

    Returns
    -------
    EpisodeResult
        ``table``: one row per episode — group columns, ``type`` (hypo/hyper), ``level``
        (l1/l2/ext), ``start``, ``end`` (datetime), ``duration_min`` [min], ``n_readings``
        (grid points with ``"iglu_grid"``), ``nadir_gl``/``peak_gl`` [mg/dL] (lowest/highest
        reading or grid value), ``ended_by`` (recovery/gap/end_of_data).
        ``summary``: per group, ``<level>_episodes`` (count) and ``<level>_mean_duration_min``
        [min] for each of :data:`EPISODE_LEVELS` and :data:`EXCLUSIVE_LEVELS` (level-1 episodes
        that never reach level 2, R iglu's ``lv1_excl``).

    Example: 5-min readings 100, 65, 65, 65, 100, 100, 100 → one level-1 hypo episode of 15 min.

    References
    ----------
    Battelino T et al. Continuous glucose monitoring and metrics for clinical trials: an
    international consensus statement. Lancet Diabetes Endocrinol 2023;11(1):42–57,
    doi:10.1016/S2213-8587(22)00319-9.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["a"] * 7, "time": [dt.datetime(2024, 1, 1, 0, 5 * i) for i in range(7)],
    ...                   "gl": [100.0, 65, 65, 65, 100, 100, 100]})
    >>> table, summary = episodes(f)
    >>> table.select("type", "level", "start", "duration_min").rows()
    [('hypo', 'l1', datetime.datetime(2024, 1, 1, 0, 5), 15.0)]
    """
    _check_params(
        dur_length=dur_length,
        end_length=end_length,
        inter_gap=inter_gap,
        extended_hypo=extended_hypo,
        extended_hyper=extended_hyper,
        extended_hyper_window=extended_hyper_window,
    )
    if dt0 is not None:
        _check_params(dt0=dt0)
    if method not in ("iglu_grid", "readings"):
        raise InputError(
            f"method must be 'iglu_grid' or 'readings', got {method!r}",
            field="method",
            value=method,
        )
    if lv2_end not in ("same", "level1"):
        raise InputError(
            f"lv2_end must be 'same' or 'level1', got {lv2_end!r}", field="lv2_end", value=lv2_end
        )
    if extended_hyper > extended_hyper_window:
        raise InputError(
            f"extended_hyper ({extended_hyper} min) cannot exceed its window "
            f"({extended_hyper_window} min)",
            field="extended_hyper",
        )
    keys = list(by)
    if is_canonical(frame):
        data = ensure_canonical(frame, check_time_order=False)  # _prepare checks the order
    elif (
        isinstance(frame, pl.DataFrame)
        and set(keys) <= set(frame.columns)
        and all(frame.schema.get(c) == CANONICAL_SCHEMA[c] for c in CANONICAL_SCHEMA)
    ):
        data = frame  # canonical columns plus period columns (from compute_metrics)
        if not data.get_column("id").is_sorted():
            data = data.sort(["id", "time"], maintain_order=True)
    else:
        data = ensure_canonical(frame)
    missing = [k for k in keys if k not in data.columns]
    if missing or not keys or keys[0] != "id":
        raise InputError(
            f"episode groups must start with 'id' and be columns of the frame, got {keys}",
            field="by",
        )

    try:
        p = _prepare(data, dt0, inter_gap) if method == "readings" else None
        if p is None:
            _check_order(data)
    except TimeOrderError:
        # out of order or duplicated readings in a canonical-looking frame: normalise it
        data = check_frame(data.select(canonical_columns(data)))
        if set(keys) - set(data.columns):
            raise
        p = _prepare(data, dt0, inter_gap) if method == "readings" else None
    rules = _Rules(
        dur_length=dur_length,
        end_length=end_length,
        lv2_end=lv2_end,
        extended_hypo=extended_hypo,
        extended_hyper=extended_hyper,
        extended_hyper_window=extended_hyper_window,
    )
    no_grid = data.select(keys).head(0)
    if p is not None:
        key_frame = data.select(keys)
        t0_us = int(data.get_column("time").dt.epoch("us")[0]) if data.height else 0
        found = _absolute(_find(p, None, rules), None, t0_us)
    else:
        key_frame, no_grid, blocks = _grid_blocks(data, keys, dt0, inter_gap, shared)
        found_parts = [_absolute(_find(b.p, b.step, rules), b.key_row, b.t0_us) for b in blocks]
        found = (
            pl.concat(found_parts)
            if found_parts
            else _absolute(_find(_EMPTY, None, rules), None, 0)
        )
    rows = found.get_column("_key_row").to_numpy()
    group_cols = key_frame[rows] if found.height else key_frame.head(0)
    table = pl.concat([group_cols, found], how="horizontal").with_columns(
        pl.from_epoch("_start_us", time_unit="us").alias("start"),
        pl.from_epoch("_end_us", time_unit="us").alias("end"),
        pl.when(pl.col("type") == "hypo").then(pl.col("min_gl")).otherwise(None).alias("nadir_gl"),
        pl.when(pl.col("type") == "hyper").then(pl.col("max_gl")).otherwise(None).alias("peak_gl"),
    )
    table = table.select(
        *keys, "type", "level", "start", "end", "duration_min", "n_readings", "nadir_gl", "peak_gl",
        "ended_by",
    ).sort([*keys, "start", "type", "level"])  # fmt: skip
    summary = _summarise(data, table, keys)
    if no_grid.height:
        # R iglu stops for such a subject; we leave its counts empty (the grid warned)
        flag = pl.col("id").is_in(no_grid.get_column("id").implode())
        summary = summary.with_columns(
            pl.when(~flag).then(pl.col(f"{name}_episodes")).alias(f"{name}_episodes")
            for name in (*EPISODE_LEVELS, *EXCLUSIVE_LEVELS)
        )
    return EpisodeResult(table=table, summary=summary)


def _exclusive(table: pl.DataFrame) -> pl.DataFrame:
    """Level-1 episodes with no level-2 episode inside them (R iglu ``lv1_excl``), as table rows
    with ``level`` = ``"l1_excl"``. A level-2 episode lies within the level-1 episode that starts at
    or before it (its start run is also below 70 / above 180, and whatever ends level 1 also
    ends level 2), so each level-2 start is matched to the last level-1 start at or before it."""
    ev = (
        table.filter(pl.col("level").is_in(["l1", "l2"]))
        .with_row_index("_row")
        .with_columns((pl.col("level") == "l2").alias("_is2"))
        .sort(["id", "type", "start", "_is2"])
        .with_columns(
            pl.when(~pl.col("_is2"))
            .then(pl.col("_row"))
            .forward_fill()
            .over(["id", "type"])
            .alias("_owner"),
            pl.when(~pl.col("_is2"))
            .then(pl.col("end"))
            .forward_fill()
            .over(["id", "type"])
            .alias("_owner_end"),
        )
    )
    reached = ev.filter(pl.col("_is2") & (pl.col("start") < pl.col("_owner_end")))
    return (
        ev.filter(~pl.col("_is2") & ~pl.col("_row").is_in(reached.get_column("_owner").implode()))
        .with_columns(pl.lit("l1_excl").alias("level"))
        .select(table.columns)
    )


def _summarise(data: pl.DataFrame, table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    base = run_exprs(data, keys, [pl.len().alias("_n")]).drop("_n")
    agg = (
        pl.concat([table, _exclusive(table)])
        .with_columns((pl.col("type") + "_" + pl.col("level")).alias("_name"))
        .group_by([*keys, "_name"])
        .agg(pl.len().alias("n"), pl.col("duration_min").mean().alias("dur"))
    )
    cols: list[pl.Expr] = []
    names = (*EPISODE_LEVELS, *EXCLUSIVE_LEVELS)
    for name in names:
        cols += [
            pl.col("n").filter(pl.col("_name") == name).sum().alias(f"{name}_episodes"),
            pl.col("dur")
            .filter(pl.col("_name") == name)
            .first()
            .alias(f"{name}_mean_duration_min"),
        ]
    wide = agg.group_by(keys).agg(cols)
    out = base.join(wide, on=keys, how="left", nulls_equal=True)
    return out.with_columns(
        [pl.col(f"{name}_episodes").fill_null(0).cast(pl.Int64) for name in names]
    ).sort(keys)


def episode_summary(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), dt0: float | None = None, **params: Any
) -> pl.DataFrame:
    """Metric-contract wrapper: per-group episode counts and mean durations (see :func:`episodes`)."""
    return episodes(frame, by=by, dt0=dt0, **params).summary
