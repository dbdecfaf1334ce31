"""Hypo- and hyperglycaemia episodes by the 2023 consensus for clinical trials.

Battelino T, Alexander CM, Amiel SA, et al. Continuous glucose monitoring and metrics for clinical
trials: an international consensus statement. *Lancet Diabetes Endocrinol* 2023;11(1):42–57,
doi:10.1016/S2213-8587(22)00319-9 — as R iglu ``episode_calculation`` and cgmguru read it
(specs/cgm.md §2). Thresholds from :mod:`endolab.cgm.schema` [mg/dL]; durations [min].

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

Open choices made here [A] (parameters, defaults documented):

* **Time model.** Each reading stands for the interval until the next reading (the last reading of a
  stretch for ``dt0``, the subject's sampling interval: median interval rounded to whole minutes,
  as R iglu). A run's duration is the sum of its readings' intervals, so 3 readings at 5 min last
  15 min and one Libre reading at 15 min lasts 15 min. R iglu instead interpolates linearly onto a
  5-min grid; counts can differ by one where a run is borderline (specs/cgm.md §2).
* **Gaps.** Intervals ≤ ``inter_gap`` (45 min, the iglu default) are bridged (the reading's state
  lasts until the next one); a longer gap splits the record: an episode in progress ends at the
  last reading before the gap (``ended_by="gap"``) and a new one must meet the start rule again.
* **Level 2 end rule** (``lv2_end``): ``"same"`` (default; end threshold = start threshold, as R
  iglu and cgmguru) or ``"level1"`` (the older Danne 2017 wording, doi:10.2337/dc17-1600: ends
  after ≥ 15 min above 70 / below 180). The Lancet text is ambiguous; fix it in the SAP.
* **Start and end times.** An episode starts at its first qualifying reading and ends where the
  last not-yet-recovered reading's interval ends (the start of the recovery run);
  ``duration_min`` = end − start. For ``hyper_ext`` the start is the first reading > 250 in the
  120-min window that first meets the 90-min rule; the 90 min are the summed intervals of the
  readings > 250 whose times lie in (t − 120, t].
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any, Final, Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl

from endolab.cgm.frame import CANONICAL_SCHEMA, check_frame, is_canonical
from endolab.cgm.metrics import TimeOrderError, run_exprs
from endolab.cgm.schema import (
    TAR_LEVEL1_MG_DL,
    TAR_LEVEL2_MG_DL,
    TBR_LEVEL1_MG_DL,
    TBR_LEVEL2_MG_DL,
)
from endolab.errors import InputError

__all__ = [
    "DUR_LENGTH_MIN",
    "END_LENGTH_MIN",
    "EPISODE_LEVELS",
    "EXTENDED_HYPER_MIN",
    "EXTENDED_HYPER_WINDOW_MIN",
    "EXTENDED_HYPO_MIN",
    "INTER_GAP_MIN",
    "EpisodeResult",
    "episode_summary",
    "episodes",
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


def _prepare(frame: pl.DataFrame, dt0: float | None, inter_gap: float) -> _Prepared:
    n = frame.height
    sid = frame.get_column("id").rle_id().to_numpy().astype(np.int64)
    t_us = frame.get_column("time").dt.epoch("us").to_numpy()
    t = (t_us - t_us[0]).astype(np.float64) / 60e6
    g_pad = np.empty(n + 1)
    g_pad[:n] = frame.get_column("gl").to_numpy()
    g_pad[n] = np.nan
    g = g_pad[:n]
    diff = np.diff(t)
    same = sid[1:] == sid[:-1]
    if bool(np.any(same & (diff <= 0.0))):
        raise TimeOrderError(
            "readings are not in strictly increasing time order within each subject (unsorted "
            "or duplicate timestamps): pass the data through endolab.cgm.check_frame first",
            field="time",
        )
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
    d = np.empty(n)
    d[:-1] = np.where(new_seg[1:], dt0_row[:-1], diff)
    if n:
        d[-1] = dt0_row[-1]
    seg_starts = np.flatnonzero(new_seg).astype(np.int64)
    return _Prepared(
        t=t, g=g, g_pad=g_pad, d=d, new_seg=new_seg, seg_starts=seg_starts, sid=sid, n=n
    )


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
) -> pl.DataFrame:
    """Episodes from candidate starts and the recovery mask, computed on runs (not readings).

    Groups are the stretches between recovery runs of ≥ ``end_length`` (and gaps); in each
    group the episode starts at the earliest candidate (clamped to the group start, then moved to
    ``first_valid`` of that index when given) and ends where the last unrecovered run ends.
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
    e = last_open[groups]
    next_gs = np.append(gstarts[1:], n)[groups]
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
        Group columns of the summary (``id`` first; period columns must be in ``frame``). An
        episode belongs to the period of its first reading.

    Returns
    -------
    EpisodeResult
        ``table``: one row per episode — group columns, ``type`` (hypo/hyper), ``level``
        (l1/l2/ext), ``start``, ``end`` (datetime), ``duration_min`` [min], ``n_readings``,
        ``nadir_gl``/``peak_gl`` [mg/dL] (lowest/highest reading), ``ended_by``
        (recovery/gap/end_of_data).
        ``summary``: per group, ``<level>_episodes`` (count) and ``<level>_mean_duration_min``
        [min] for each of :data:`EPISODE_LEVELS`.

    Example: 5-min readings 100, 65, 65, 65, 100, 100, 100 → one level-1 hypo episode of 15 min.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["a"] * 7, "time": [dt.datetime(2024, 1, 1, 0, 5 * i) for i in range(7)],
    ...                   "gl": [100.0, 65, 65, 65, 100, 100, 100]})
    >>> table, summary = episodes(f)
    >>> table.select("type", "level", "start", "duration_min").rows()
    [('hypo', 'l1', datetime.datetime(2024, 1, 1, 0, 5), 15.0)]
    """
    from endolab.cgm.compute import ensure_canonical

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
        p = _prepare(data, dt0, inter_gap)
    except TimeOrderError:
        # out of order or duplicated readings in a canonical-looking frame: normalise it
        data = check_frame(data.select(list(CANONICAL_SCHEMA)))
        if set(keys) - set(data.columns):
            raise
        p = _prepare(data, dt0, inter_gap)
    g = p.g
    lv2_hypo_end = TBR_LEVEL2_MG_DL if lv2_end == "same" else TBR_LEVEL1_MG_DL
    lv2_hyper_end = TAR_LEVEL2_MG_DL if lv2_end == "same" else TAR_LEVEL1_MG_DL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # reduceat over empty arrays
        specs = [
            ("hypo", "l1", _run_candidates(g < TBR_LEVEL1_MG_DL, p, dur_length, False), g >= TBR_LEVEL1_MG_DL),
            ("hypo", "l2", _run_candidates(g < TBR_LEVEL2_MG_DL, p, dur_length, False), g >= lv2_hypo_end),
            ("hypo", "ext", _run_candidates(g < TBR_LEVEL1_MG_DL, p, extended_hypo, True), g >= TBR_LEVEL1_MG_DL),
            ("hyper", "l1", _run_candidates(g > TAR_LEVEL1_MG_DL, p, dur_length, False), g <= TAR_LEVEL1_MG_DL),
            ("hyper", "l2", _run_candidates(g > TAR_LEVEL2_MG_DL, p, dur_length, False), g <= lv2_hyper_end),
            (
                "hyper",
                "ext",
                _window_candidates(g > TAR_LEVEL2_MG_DL, p, extended_hyper, extended_hyper_window),
                g <= TAR_LEVEL1_MG_DL,
            ),
        ]  # fmt: skip
        parts = []
        for kind, level, (cand, anchor, first_valid), end_mask in specs:
            found = _detect(p, cand, anchor, end_mask, end_length, first_valid)
            parts.append(
                found.with_columns(pl.lit(kind).alias("type"), pl.lit(level).alias("level"))
            )
    found = pl.concat(parts)
    t0 = data.get_column("time")[0] if data.height else None
    starts = found.get_column("_start_idx")
    group_cols = data.select(keys)[starts.to_numpy()] if found.height else data.select(keys).head(0)
    table = pl.concat([group_cols, found], how="horizontal").with_columns(
        (pl.lit(t0) + pl.duration(microseconds=(pl.col("start_min") * 60e6).round().cast(pl.Int64)))
        .cast(pl.Datetime("us"))
        .alias("start"),
        (pl.lit(t0) + pl.duration(microseconds=(pl.col("end_min") * 60e6).round().cast(pl.Int64)))
        .cast(pl.Datetime("us"))
        .alias("end"),
        pl.when(pl.col("type") == "hypo").then(pl.col("min_gl")).otherwise(None).alias("nadir_gl"),
        pl.when(pl.col("type") == "hyper").then(pl.col("max_gl")).otherwise(None).alias("peak_gl"),
    )
    table = table.select(
        *keys, "type", "level", "start", "end", "duration_min", "n_readings", "nadir_gl", "peak_gl",
        "ended_by",
    ).sort([*keys, "start", "type", "level"])  # fmt: skip
    summary = _summarise(data, table, keys)
    return EpisodeResult(table=table, summary=summary)


def _summarise(data: pl.DataFrame, table: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    base = run_exprs(data, keys, [pl.len().alias("_n")]).drop("_n")
    agg = (
        table.with_columns((pl.col("type") + "_" + pl.col("level")).alias("_name"))
        .group_by([*keys, "_name"])
        .agg(pl.len().alias("n"), pl.col("duration_min").mean().alias("dur"))
    )
    cols: list[pl.Expr] = []
    for name in EPISODE_LEVELS:
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
        [pl.col(f"{name}_episodes").fill_null(0).cast(pl.Int64) for name in EPISODE_LEVELS]
    ).sort(keys)


def episode_summary(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), dt0: float | None = None, **params: Any
) -> pl.DataFrame:
    """Metric-contract wrapper: per-group episode counts and mean durations (see :func:`episodes`)."""
    return episodes(frame, by=by, dt0=dt0, **params).summary
