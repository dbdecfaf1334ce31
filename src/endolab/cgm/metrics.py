"""Consensus CGM metrics, vectorised per group in polars.

Every metric function follows one contract (shared with :mod:`endolab.cgm.indices`; each is an
entry of the one registry, :data:`endolab.cgm.registry.REGISTRY`, which states the contract)::

    def metric(frame: pl.DataFrame, *, by: Sequence[str] = ("id",), **params) -> pl.DataFrame

``frame`` is a canonical frame (:func:`endolab.cgm.check_frame`), optionally with extra period
columns named in ``by``; the result has one row per group, the group columns first, then the named
metric columns, sorted by the group columns. Glucose in and out is in [mg/dL]; percentages in [%].

Each metric is built from polars aggregation expressions (``*_exprs`` functions) so that
:func:`endolab.cgm.compute_metrics` can evaluate the whole consensus set in ONE group-by pass.

Censored readings (device "Low"/"High", stored as 39 / 401 mg/dL) enter every metric at their
stored value [A]: they land in the right range bin (TBR < 54, TAR > 250), which is what matters for
the consensus endpoints; their effect on the mean/SD is a bias towards the centre, bounded by the
true value's distance from 39/401.

Quantiles use linear interpolation between order statistics (R ``quantile`` type 7, as R iglu's
``quantile_glu``/``median_glu``); SD is the sample SD (ddof = 1, as R iglu ``sd_glu``) [A].
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final, TypeVar

import numpy as np
import polars as pl
from numpy.typing import NDArray

from endolab.cgm.frame import TimeOrderError, measured_units
from endolab.cgm.kernels.chunks import CHUNK_READINGS, frame_chunks
from endolab.cgm.schema import (
    CUTOFFS,
    MMOL_COLUMN,
    TAR_LEVEL1_MG_DL,
    TAR_LEVEL2_MG_DL,
    TBR_LEVEL1_MG_DL,
    TBR_LEVEL2_MG_DL,
    TIGHT_HIGH_MG_DL,
    TIR_HIGH_MG_DL,
    TIR_LOW_MG_DL,
)
from endolab.errors import InputError
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L

__all__ = [
    "CGM_MAX_INTERVAL_MIN",
    "CONSENSUS_DAYS_2019",
    "CONSENSUS_MIN_ACTIVE_PERCENT_2019",
    "MINUTES_PER_DAY",
    "MetricFunction",
    "above_percent",
    "active_percent",
    "active_percent_exprs",
    "adag_nathan_2008",
    "below_percent",
    "consensus_band",
    "consensus_range_masks",
    "consensus_range_names",
    "consensus_ranges",
    "consensus_ranges_exprs",
    "core_exprs",
    "core_post_exprs",
    "coverage_fraction",
    "cutoff",
    "cv_glucose",
    "ea1c",
    "full_summary_exprs",
    "gmi",
    "gmi_bergenstal_2018",
    "gmi_mmol_mol_bergenstal_2018",
    "gmi_sufficiency_notice",
    "in_range_percent",
    "interval_notice",
    "interval_text",
    "iqr_glucose",
    "mean_glucose",
    "median_glucose",
    "percent_of",
    "quantile_glucose",
    "range_glucose",
    "run_exprs",
    "sd_glucose",
    "sufficiency_2019",
    "sufficiency_post_exprs",
    "summary_glucose",
]

MetricFunction = Callable[..., pl.DataFrame]

#: Minutes in a day.
MINUTES_PER_DAY: Final = 1440.0
#: Days of CGM data recommended by the 2019 consensus (Battelino 2019, doi:10.2337/dci19-0028).
CONSENSUS_DAYS_2019: Final = 14.0
#: Minimum % of CGM-active time recommended by the 2019 consensus (Battelino 2019).
CONSENSUS_MIN_ACTIVE_PERCENT_2019: Final = 70.0
#: Longest sampling interval of a CGM [min] [A]: FreeStyle Libre 1 and 2 store a (historic)
#: reading every 15 min; Dexcom G6/G7, Medtronic Guardian and FreeStyle Libre 3 exports every
#: 5 min (:mod:`endolab.cgm.readers`). A subject whose typical (median) interval between readings
#: is longer is not CGM data:
#: its active % counts one possible reading every 15 min (an upper bound: any CGM would have
#: had at least that many), its days worn add 15 min, and ``sufficient_2019`` is false.
CGM_MAX_INTERVAL_MIN: Final = 15.0

_T = TypeVar("_T", float, pl.Expr)
_A = TypeVar("_A", float, pl.Expr, NDArray[np.float64])

#: Smallest interval between successive readings of a group (> 0 when sorted, no duplicates).
_ORDER_CHECK: Final = pl.col("__td").slice(1).min().alias("__min_td")


_TD: Final = (pl.col("time").diff().dt.total_microseconds().cast(pl.Float64) / 60e6).alias("__td")


_G: Final = pl.col("gl")


def cutoff(name: str, units: str = "mg/dL") -> pl.Expr:
    """The consensus cut-off ``name`` (a field of :class:`~endolab.cgm.schema.Cutoffs`) in canonical
    mg/dL for readings measured in ``units``: ``"mg/dL"`` or ``"mmol/L"`` (a constant), or
    ``"mixed"`` (per reading, from the ``mmol_l`` column; see :mod:`endolab.cgm.schema`)."""
    mg = getattr(CUTOFFS["mg/dL"], name)
    mm = getattr(CUTOFFS["mmol/L"], name)
    if units != "mixed" or mg == mm:
        return pl.lit(mg if units == "mg/dL" else mm, dtype=pl.Float64)
    return pl.when(pl.col(MMOL_COLUMN).fill_null(False)).then(pl.lit(mm)).otherwise(pl.lit(mg))


def consensus_band(gl: pl.Expr = _G, *, units: str = "mg/dL") -> pl.Expr:
    """Consensus band of each reading of ``gl`` [mg/dL], as a small integer (UInt8), so that the
    range percentages are cheap comparisons of one column (Battelino 2019, doi:10.2337/dci19-0028,
    Table 1; boundaries as in :func:`consensus_ranges_exprs`)::

        0: g < 54 | 1: 54 ≤ g < 70 | 2: 70 ≤ g ≤ 140 | 3: 140 < g ≤ 180 | 4: 180 < g ≤ 250 | 5: g > 250

    with the cut-offs of the unit each reading was measured in (``units``: ``"mg/dL"``,
    ``"mmol/L"`` — < 3.0 | 3.0–3.8 | 3.9–7.8 | 7.9–10.0 | 10.1–13.9 | > 13.9 mmol/L — or
    ``"mixed"``, per reading from the ``mmol_l`` column; :data:`endolab.cgm.schema.CUTOFFS`).

    The one definition of the consensus cut-offs for readings: the CGM engine and the trial
    endpoints (:mod:`endolab.trial.endpoints`) both classify with it.
    """
    return (
        (gl >= cutoff("tbr_level2", units)).cast(pl.UInt8)
        + (gl >= cutoff("tbr_level1", units)).cast(pl.UInt8)
        + (gl > cutoff("tight_high", units)).cast(pl.UInt8)
        + (gl > cutoff("tir_high", units)).cast(pl.UInt8)
        + (gl > cutoff("tar_level2", units)).cast(pl.UInt8)
    )


def consensus_range_masks(band: pl.Expr) -> dict[str, pl.Expr]:
    """Boolean masks of the consensus ranges from a :func:`consensus_band` expression, by column
    name of :func:`consensus_range_names` (``tbr_54``, ``tbr_54_70``, ``tbr_70``, ``tir_70_180``,
    ``tir_70_140``, ``tar_180_250``, ``tar_180``, ``tar_250``)."""
    masks = (
        band == 0,
        band == 1,
        band <= 1,
        band.is_between(2, 3),
        band == 2,
        band == 4,
        band >= 4,
        band == 5,
    )
    return dict(zip(consensus_range_names(), masks, strict=True))


def percent_of(mask: pl.Expr) -> pl.Expr:
    """Share of readings where ``mask`` holds [%] (R iglu ``in_range_percent`` semantics: each
    reading is one unit of time, no time weighting)."""
    return mask.mean() * 100.0


def coverage_fraction(
    n_readings: pl.Expr, interval_min: pl.Expr | float, period_minutes: float
) -> pl.Expr:
    """Share of a fixed period covered by readings [1]: readings × sampling interval [min] ÷ the
    period [min] (R iglu ``active_percent`` manual mode; Danne 2017, doi:10.2337/dc17-1600).
    Uncapped; ``active_percent`` per period is 100 × this, the trial's data sufficiency
    (docs/trial-data.md) this capped at 1."""
    return n_readings * interval_min / float(period_minutes)


def _band(frame: pl.DataFrame) -> pl.Expr:
    """Consensus band of each reading of ``frame`` (see :func:`consensus_band`), in the unit each
    was measured in, as column ``__band``."""
    return consensus_band(_G, units=measured_units(frame)).alias("__band")


def _dt0_estimate() -> pl.Expr:
    """Per-group sampling interval [min]: round(median interval), half to even (R ``round``), at
    least 1 min [A]; null for a group with one reading."""
    med = pl.col("__td").slice(1).median().round()
    return pl.when(med.is_null()).then(None).otherwise(pl.max_horizontal(med, 1.0))


def _aggregate(
    frame: pl.DataFrame, keys: list[str], exprs: Sequence[pl.Expr], *, contiguous: bool
) -> pl.DataFrame:
    """:func:`_aggregate_chunk` over the chunks of whole subjects of ``frame`` (the CGM engine's
    chunker, :func:`~endolab.cgm.kernels.chunks.frame_chunks`), each copied into one contiguous
    block first: temporaries stay per chunk, and every group's values lie in one memory chunk
    whatever the input's chunk layout (polars' ``std`` of a group spanning two chunks differs in
    the last bits), so a Parquet file's row groups do not change a result."""
    parts = [
        _aggregate_chunk(chunk.rechunk(), keys, exprs, contiguous=contiguous)
        for chunk in frame_chunks(frame, ("id",), CHUNK_READINGS)
    ]
    return parts[0] if len(parts) == 1 else pl.concat(parts, how="vertical")


def _aggregate_chunk(
    frame: pl.DataFrame, keys: list[str], exprs: Sequence[pl.Expr], *, contiguous: bool
) -> pl.DataFrame:
    """One group-by over ``frame`` (sorted so that every group is a run of rows, in key order).

    Expressions that use the group's sampling interval read it from the column ``__dt0``: it is
    estimated in a cheap first pass and repeated onto the rows, so that the median is computed
    once per group rather than once per use (polars does not share sub-expressions in ``agg``).
    """
    lf = frame.lazy()
    if contiguous and len(keys) == 1:
        lf = lf.with_columns(pl.col("id").set_sorted(), _TD)
        group_key = keys
    elif contiguous:
        # one sorted integer key per contiguous group: polars then aggregates over row slices
        lf = lf.with_columns(pl.struct(keys).rle_id().set_sorted().alias("__run"), _TD)
        group_key = ["__run"]
    else:
        lf = lf.with_columns(_TD)
        group_key = keys
    firsts = [pl.col(k).first() for k in keys] if group_key == ["__run"] else []
    if any("__band" in e.meta.root_names() for e in exprs):
        lf = lf.with_columns(_band(frame))
    if any("__dt0" in e.meta.root_names() for e in exprs):
        sizes = (
            lf.group_by(group_key)
            .agg(*firsts, pl.len().alias("__n"), _dt0_estimate().alias("__dt0"))
            .sort(keys)
            .collect()
        )
        per_row = np.repeat(
            sizes.get_column("__dt0").fill_null(np.nan).to_numpy(),
            sizes.get_column("__n").to_numpy(),
        )
        lf = lf.with_columns(pl.Series("__dt0", per_row).fill_nan(None))
    agg = lf.group_by(group_key).agg(*firsts, *exprs, _ORDER_CHECK)
    if group_key == ["__run"]:
        agg = agg.drop("__run")
    return agg.sort(keys).collect()


def run_exprs(
    frame: pl.DataFrame,
    by: Sequence[str],
    exprs: Sequence[pl.Expr],
    *,
    post: Sequence[pl.Expr] = (),
    drop: Sequence[str] = (),
) -> pl.DataFrame:
    """Evaluate aggregation ``exprs`` per group ``by`` in one pass; rows sorted by ``by``.

    ``frame`` must be sorted by ``id`` then ``time`` (canonical frames are); extra group columns
    (periods) must be constant or non-decreasing in time within a subject, so that every group is
    one contiguous run of rows. The column ``__td`` (minutes since the previous row) is added for
    the time-based expressions; its first value in each group is dropped with ``.slice(1)``.
    ``post`` expressions are evaluated on the aggregated table, ``drop`` columns removed after.
    """
    keys = list(by)
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise InputError(
            f"group column(s) {', '.join(missing)} not in the frame; available: "
            f"{', '.join(frame.columns)}",
            field="by",
        )
    if not keys or keys[0] != "id":
        raise InputError(f"group columns must start with 'id', got {keys}", field="by")
    ids = frame.get_column("id")
    if not ids.is_sorted():
        frame = frame.sort(["id", "time"], maintain_order=True)
    collected = _aggregate(frame, keys, exprs, contiguous=True)
    if len(keys) > 1 and collected.select(pl.struct(keys).is_duplicated().any()).item():
        # a period column that is not contiguous within a subject: sort by the keys first
        frame = frame.sort([*keys, "time"], maintain_order=True)
        collected = _aggregate(frame, keys, exprs, contiguous=False)
    result = collected.lazy()
    collected = result.collect()
    if collected.select((pl.col("__min_td") <= 0).any()).item():
        raise TimeOrderError(
            "readings are not in strictly increasing time order within each subject (unsorted "
            "or duplicate timestamps): pass the data through endolab.cgm.check_frame first",
            field="time",
        )
    collected = collected.drop("__min_td")
    if post:
        collected = collected.with_columns(list(post))
    if drop:
        collected = collected.drop(list(drop))
    return collected


# --------------------------------------------------------------------------------------------
# Formulas (one function per published model)
# --------------------------------------------------------------------------------------------


def gmi_bergenstal_2018(mean_glucose: _T) -> _T:
    """Glucose Management Indicator [%] from mean sensor glucose [mg/dL].

    GMI [%] = 3.31 + 0.02392 × mean glucose [mg/dL]

    Bergenstal RM, Beck RW, Close KL, et al. Glucose Management Indicator (GMI): a new term for
    estimating A1C from continuous glucose monitoring. *Diabetes Care* 2018;41(11):2275–2280,
    doi:10.2337/dc18-1581 (equation in the Results; base it on ≥ 14 days of data).

    Works on a float or a polars expression.

    >>> round(gmi_bergenstal_2018(154.0), 4)   # 3.31 + 0.02392 × 154 = 6.99368
    6.9937
    """
    return 3.31 + 0.02392 * mean_glucose


def gmi_mmol_mol_bergenstal_2018(mean_glucose: _T) -> _T:
    """Glucose Management Indicator in IFCC units [mmol/mol] from mean sensor glucose [mg/dL].

    GMI [mmol/mol] = 12.71 + 4.70587 × mean glucose [mmol/L], with mean glucose [mmol/L] = mean
    [mg/dL] ÷ 18 (:data:`endolab.units.GLUCOSE_MG_DL_PER_MMOL_L`, [A]).

    Bergenstal RM, Beck RW, Close KL, et al. Glucose Management Indicator (GMI): a new term for
    estimating A1C from continuous glucose monitoring. *Diabetes Care* 2018;41(11):2275–2280,
    doi:10.2337/dc18-1581 (the mmol/mol form of the equation; docs/methods/cgm.md §4).

    Works on a float or a polars expression.

    >>> round(gmi_mmol_mol_bergenstal_2018(180.0), 4)   # 12.71 + 4.70587 × 10.0 = 59.7687
    59.7687
    """
    return 12.71 + 4.70587 * (mean_glucose / GLUCOSE_MG_DL_PER_MMOL_L)


def adag_nathan_2008(mean_glucose: _A) -> _A:
    """Estimated A1C [%] from mean glucose [mg/dL] by the ADAG regression.

    eAG [mg/dL] = 28.7 × A1C [%] − 46.7, hence eA1C [%] = (mean glucose + 46.7) / 28.7.

    Nathan DM, Kuenen J, Borg R, et al. Translating the A1C assay into estimated average glucose
    values. *Diabetes Care* 2008;31(8):1473–1478, doi:10.2337/dc08-0545 (abstract and Fig. 1;
    docs/methods/cgm.md §4).

    The one definition of the formula: the CGM engine's ``ea1c`` and the simulator's HbA1c
    (:mod:`endolab.sim.runner`) both use it. Works on a float, a numpy array or a polars
    expression.

    >>> round(adag_nathan_2008(154.0), 4)   # (154 + 46.7) / 28.7 = 6.99303
    6.993
    >>> adag_nathan_2008(np.array([154.0, 183.0])).round(2).tolist()  # the paper's 7 % and 8 %
    [6.99, 8.0]
    """
    return (mean_glucose + 46.7) / 28.7


# --------------------------------------------------------------------------------------------
# Expression builders
# --------------------------------------------------------------------------------------------

_GL = pl.col("gl")


def _q(p: float) -> pl.Expr:
    return _GL.quantile(p, interpolation="linear")


def _fmt(x: float) -> str:
    return f"{x:g}".replace(".", "p")


def consensus_ranges_exprs(*, minutes_per_day: bool = True) -> list[pl.Expr]:
    """Expressions for the consensus range percentages (and minutes per day).

    Share of readings [%] (R iglu ``in_range_percent``/``below_percent``/``above_percent``
    semantics: a reading is one unit of time; no time weighting):

    ===============  =================================  ===============================
    column           reading counted when [mg/dL]        consensus name (Battelino 2019)
    ===============  =================================  ===============================
    ``tbr_54``       g < 54                              TBR level 2
    ``tbr_54_70``    54 ≤ g < 70                         TBR level 1
    ``tbr_70``       g < 70                              TBR (levels 1 + 2)
    ``tir_70_180``   70 ≤ g ≤ 180                        TIR
    ``tir_70_140``   70 ≤ g ≤ 140                        time in tight range
    ``tar_180_250``  180 < g ≤ 250                       TAR level 1
    ``tar_180``      g > 180                             TAR (levels 1 + 2)
    ``tar_250``      g > 250                             TAR level 2
    ===============  =================================  ===============================

    ``*_min_per_day`` [min/day] = percentage / 100 × 1440 (time per day the share represents,
    as in Battelino 2019 Table 1: 70 % ≈ 16 h 48 min).
    """
    # band code per reading (added as column __band by run_exprs; see consensus_band)
    masks = consensus_range_masks(pl.col("__band"))
    exprs = [percent_of(mask).alias(name) for name, mask in masks.items()]
    if minutes_per_day:
        exprs += [
            (percent_of(mask) / 100.0 * MINUTES_PER_DAY).alias(f"{name}_min_per_day")
            for name, mask in masks.items()
        ]
    return exprs


def consensus_range_names() -> tuple[str, ...]:
    """Column names of :func:`consensus_ranges_exprs`, in order."""
    t = (TBR_LEVEL2_MG_DL, TBR_LEVEL1_MG_DL, TIR_LOW_MG_DL, TIR_HIGH_MG_DL, TIGHT_HIGH_MG_DL)
    tbr2, tbr1, lo, hi, tight = (_fmt(x) for x in t)
    tar1, tar2 = _fmt(TAR_LEVEL1_MG_DL), _fmt(TAR_LEVEL2_MG_DL)
    return (
        f"tbr_{tbr2}",
        f"tbr_{tbr2}_{tbr1}",
        f"tbr_{tbr1}",
        f"tir_{lo}_{hi}",
        f"tir_{lo}_{tight}",
        f"tar_{tar1}_{tar2}",
        f"tar_{tar1}",
        f"tar_{tar2}",
    )


def active_percent_exprs(
    *, dt0: float | None = None, period_minutes: float | None = None
) -> list[pl.Expr]:
    """Expressions for ``active_percent`` [%], ``ndays`` [days], ``dt0`` and ``longest_gap_min`` [min].

    ``period_minutes=None`` — R iglu ``active_percent`` automatic mode (R/active_percent.R), per
    group, with times in minutes::

        timediff     = successive differences of time
        dt0          = round(median(timediff))                       (unless given)
        theoretical  = round(round(t_max − t_min) / dt0) + 1
        gaps         = timediff where round(timediff) > dt0
        missing      = round((sum(gaps) − count(gaps) × dt0) / dt0)
        active %     = 100 × (theoretical − missing) / theoretical

    Rounding: half to even everywhere, as R's ``round`` (IEC 60559) [A: R iglu, not iglu-python,
    which compares ``timediff > dt0`` without rounding]. ``dt0`` is estimated per group (R iglu
    4.3.0 keeps the first subject's estimate for later subjects — a loop quirk we do not copy) and
    is at least 1 min [A] (guards against sub-minute medians).

    ``period_minutes`` given — R iglu's *manual* mode over a fixed window:
    ``100 × n_readings × dt0 / period_minutes`` (:func:`coverage_fraction`; used for day, week and
    trial-window periods).

    ``ndays`` = (t_max − t_min) [days], unrounded (R iglu rounds to 0.1 day for display).
    ``longest_gap_min`` = the longest interval between successive readings [min] (null with one
    reading), so that a long sensor gap is visible next to the metrics.
    ``median_interval_min`` = round(median interval) [min] (R iglu's estimate of ``dt0``, ≥ 1).
    A group with one reading has no interval: ``dt0`` and ``active_percent`` are null unless
    ``dt0`` is given.

    **The device interval** [A]. Active time is the share of the readings the device could have
    recorded over the wear span (Battelino 2019, doi:10.2337/dci19-0028: "% of time CGM is
    active"), so ``dt0`` must be a CGM sampling interval: when estimated, it is the median
    interval capped at :data:`CGM_MAX_INTERVAL_MIN` (15 min). Readings a week apart then count as
    4 of 2,017 possible readings over 21 days (0.2 %), not as 100 % active at a "7-day
    interval"; their ``median_interval_min`` (10,080) says they are not CGM data (see
    :func:`interval_notice`). Below 15 min the cap changes nothing (R iglu parity).
    """
    t = pl.col("time")
    td = pl.col("__td").slice(1)
    if dt0 is not None:
        if not 0.0 < float(dt0) <= MINUTES_PER_DAY:
            raise InputError(
                f"dt0 {dt0} min out of range; accepted: a sampling interval > 0 and ≤ 1440 min",
                field="dt0",
                value=dt0,
            )
        dt0_expr = pl.lit(float(dt0))
    else:
        # estimated once per group by run_exprs; a CGM interval at most (see above)
        median = pl.col("__dt0").first()
        dt0_expr = (
            pl.when(median.is_null())
            .then(None)
            .otherwise(pl.min_horizontal(median, pl.lit(CGM_MAX_INTERVAL_MIN)))
        )
    span = (t.max() - t.min()).dt.total_microseconds().cast(pl.Float64) / 60e6
    if period_minutes is None:
        theoretical = (span.round() / dt0_expr).round() + 1.0
        # sum over gaps of (gap − dt0) = gap_minutes − n_gaps × dt0
        excess = pl.when(td.round() > dt0_expr).then(td - dt0_expr).otherwise(0.0).sum()
        missing = (excess / dt0_expr).round()
        active = 100.0 * (theoretical - missing) / theoretical
    else:
        active = 100.0 * coverage_fraction(pl.len().cast(pl.Float64), dt0_expr, period_minutes)
    return [
        active.alias("active_percent"),
        (span / MINUTES_PER_DAY).alias("ndays"),
        dt0_expr.alias("dt0"),
        td.max().alias("longest_gap_min"),
        pl.col("__dt0").first().alias("median_interval_min"),
    ]


def _summary_exprs() -> list[pl.Expr]:
    return [
        _GL.min().alias("min"),
        _q(0.25).alias("q25"),
        _q(0.5).alias("median"),
        _q(0.75).alias("q75"),
        _GL.max().alias("max"),
        (_GL.max() - _GL.min()).alias("range"),
        (_q(0.75) - _q(0.25)).alias("iqr"),
    ]


# --------------------------------------------------------------------------------------------
# Metric functions (the contract)
# --------------------------------------------------------------------------------------------


def mean_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """Mean glucose ``mean`` [mg/dL] per group.

    A core metric of Battelino T, Danne T, Bergenstal RM, et al. *Diabetes Care*
    2019;42(8):1593–1603, doi:10.2337/dci19-0028 (Table 1); R iglu ``mean_glu``.
    """
    return run_exprs(frame, by, [_GL.mean().alias("mean")])


def median_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """Median glucose ``median`` [mg/dL] per group (R type-7 quantile, as R iglu ``median_glu``;
    Hyndman RJ, Fan Y. *Am Stat* 1996;50(4):361–365, doi:10.1080/00031305.1996.10473566)."""
    return run_exprs(frame, by, [_q(0.5).alias("median")])


def quantile_glucose(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    quantiles: Sequence[float] = (0.0, 0.25, 0.5, 0.75, 1.0),
) -> pl.DataFrame:
    """Glucose quantiles [mg/dL], columns ``q0``, ``q25``, … (percent of the quantile).

    Linear interpolation between order statistics, R ``quantile`` type 7 (R iglu ``quantile_glu``;
    Hyndman RJ, Fan Y. *Am Stat* 1996;50(4):361–365, doi:10.1080/00031305.1996.10473566).
    """
    exprs = []
    for p in quantiles:
        if not 0.0 <= p <= 1.0:
            raise InputError(
                f"quantile {p} out of range; accepted: 0 to 1", field="quantiles", value=p
            )
        exprs.append(_q(p).alias(f"q{_fmt(100 * p)}"))
    return run_exprs(frame, by, exprs)


def range_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """Range ``range`` = max − min glucose [mg/dL] (R iglu ``range_glu``; descriptive statistic,
    no clinical threshold)."""
    return run_exprs(frame, by, [(_GL.max() - _GL.min()).alias("range")])


def iqr_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """Interquartile range ``iqr`` = q75 − q25 [mg/dL] (type-7 quantiles, R iglu ``iqr_glu``;
    Hyndman & Fan 1996, doi:10.1080/00031305.1996.10473566)."""
    return run_exprs(frame, by, [(_q(0.75) - _q(0.25)).alias("iqr")])


def summary_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """``min``, ``q25``, ``median``, ``q75``, ``max``, ``range``, ``iqr`` [mg/dL]."""
    return run_exprs(frame, by, _summary_exprs())


def sd_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """Sample standard deviation ``sd`` [mg/dL] (ddof = 1, as R iglu ``sd_glu``) [A: the
    consensus, Battelino 2019, doi:10.2337/dci19-0028, does not say which SD]."""
    return run_exprs(frame, by, [_GL.std(ddof=1).alias("sd")])


def cv_glucose(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """Coefficient of variation ``cv`` = 100 × SD / mean [%], SD with ddof = 1.

    Battelino 2019, doi:10.2337/dci19-0028: a core metric, target ≤ 36 %.
    """
    return run_exprs(frame, by, [(100.0 * _GL.std(ddof=1) / _GL.mean()).alias("cv")])


def _with_sufficiency(
    frame: pl.DataFrame, by: Sequence[str], exprs: list[pl.Expr], post: list[pl.Expr]
) -> pl.DataFrame:
    """``exprs`` per group with the 2019 sufficiency flag beside them (GMI and eA1c are flagged
    where it is false; see :func:`gmi`)."""
    return run_exprs(
        frame,
        by,
        [*exprs, *active_percent_exprs()],
        post=[*post, *sufficiency_post_exprs()],
        drop=[
            "active_percent",
            "ndays",
            "dt0",
            "longest_gap_min",
            "median_interval_min",
            "days_worn",
        ],
    )


def gmi(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """``gmi`` [%] and ``gmi_mmol_mol`` [mmol/mol] per group, with ``sufficient_2019``.

    :func:`gmi_bergenstal_2018` and :func:`gmi_mmol_mol_bergenstal_2018` of the mean glucose.
    Bergenstal 2018 and the 2019 consensus base GMI on ≥ 14 days of data with ≥ 70 % CGM-active
    time: a group with less is **kept and flagged** — ``sufficient_2019`` false
    (:func:`sufficiency_2019`), in every table (core, full, a list, per period) — and the command
    line says so in a warning on standard error and in the JSON ``warnings``
    (:func:`gmi_sufficiency_notice`). The same flag applies to :func:`ea1c`.

    References
    ----------
    Bergenstal RM, Beck RW, Close KL, et al. Glucose Management Indicator (GMI): a new term for
    estimating A1C from continuous glucose monitoring. Diabetes Care 2018;41(11):2275–2280,
    doi:10.2337/dc18-1581. Battelino T et al. Diabetes Care 2019;42(8):1593–1603,
    doi:10.2337/dci19-0028 (14 days, ≥ 70 % active).
    """
    mean = pl.col("__mean")
    return _with_sufficiency(
        frame,
        by,
        [_GL.mean().alias("__mean")],
        [
            gmi_bergenstal_2018(mean).alias("gmi"),
            gmi_mmol_mol_bergenstal_2018(mean).alias("gmi_mmol_mol"),
        ],
    ).drop("__mean")


def ea1c(frame: pl.DataFrame, *, by: Sequence[str] = ("id",)) -> pl.DataFrame:
    """``ea1c`` [%] per group (:func:`adag_nathan_2008` of the mean glucose), with
    ``sufficient_2019``: flagged, as GMI, when the data are < 14 days or < 70 % active
    (see :func:`gmi`).

    References
    ----------
    Nathan DM, Kuenen J, Borg R, et al. Translating the A1C assay into estimated average glucose
    values. Diabetes Care 2008;31(8):1473–1478, doi:10.2337/dc08-0545.
    """
    return _with_sufficiency(
        frame,
        by,
        [_GL.mean().alias("__mean")],
        [adag_nathan_2008(pl.col("__mean")).alias("ea1c")],
    ).drop("__mean")


def gmi_sufficiency_notice(table: pl.DataFrame) -> str | None:
    """The warning for rows of a metrics table whose GMI / eA1c come from too little data.

    Rows with a ``gmi``, ``gmi_mmol_mol`` or ``ea1c`` value and ``sufficient_2019`` false (or
    null: a single reading); ``None`` when there is none. GMI and eA1c are kept in the table and
    flagged by ``sufficient_2019`` [A: keep-and-flag, applied to every table, period and front
    end].

    >>> t = pl.DataFrame({"id": ["a", "b"], "gmi": [6.8, 7.1], "sufficient_2019": [True, False]})
    >>> gmi_sufficiency_notice(t)[:56]
    'GMI/eA1c of 1 of 2 row(s) (b) come from < 14 days or < 7'
    """
    cols = [c for c in ("gmi", "gmi_mmol_mol", "ea1c") if c in table.columns]
    if not cols or "sufficient_2019" not in table.columns:
        return None
    has_value = pl.any_horizontal(pl.col(c).is_not_null() for c in cols)
    bad = table.filter(has_value & ~pl.col("sufficient_2019").fill_null(False))
    if bad.height == 0:
        return None
    ids = bad.get_column("id").unique(maintain_order=True).cast(pl.String).to_list()
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    return (
        f"GMI/eA1c of {bad.height} of {table.height} row(s) ({shown}) come from < 14 days or "
        "< 70 % CGM-active data (sufficient_2019 = false): kept but flagged, not a GMI in the "
        "sense of Bergenstal 2018 and the 2019 consensus, which base it on ≥ 14 days with ≥ 70 % "
        "active; do not report it as one"
    )


def interval_text(minutes: float) -> str:
    """A median interval as a person reads it: ``7 days``, ``2.5 h``, ``30 min``.

    >>> interval_text(10080.0), interval_text(1440.0), interval_text(150.0), interval_text(30.0)
    ('7 days', '1 day', '2.5 h', '30 min')
    >>> interval_text(8765 * 1440.0)
    '8,765 days'
    """
    if minutes >= MINUTES_PER_DAY:
        value = minutes / MINUTES_PER_DAY
        unit = "day" if round(value, 2) == 1 else "days"
    elif minutes >= 60.0:
        value, unit = minutes / 60.0, "h"
    else:
        value, unit = minutes, "min"
    text = f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
    return f"{text} {unit}"


def interval_notice(table: pl.DataFrame) -> str | None:
    """One line for the rows of a metrics table whose typical interval is not a CGM interval.

    Rows with ``median_interval_min`` above :data:`CGM_MAX_INTERVAL_MIN` (15 min) [A]: no CGM
    samples that rarely, so the file is not (only) CGM data — finger-stick values, a weekly
    export, a wrong date column. Their ``sufficient_2019`` is false and their active % counts one
    possible reading every 15 min (:func:`active_percent_exprs`). ``None`` when there is none.

    >>> t = pl.DataFrame({"id": ["a", "b"], "median_interval_min": [10080.0, 5.0]})
    >>> interval_notice(t)[:60]
    'median interval 7 days: not CGM data? 1 of 2 row(s) (a) have'
    """
    if "median_interval_min" not in table.columns or "id" not in table.columns:
        return None
    bad = table.filter(pl.col("median_interval_min") > CGM_MAX_INTERVAL_MIN)
    if bad.height == 0:
        return None
    longest = float(bad.get_column("median_interval_min").max())  # type: ignore[arg-type]
    ids = bad.get_column("id").unique(maintain_order=True).cast(pl.String).to_list()
    shown = ", ".join(ids[:5]) + (f" and {len(ids) - 5} more" if len(ids) > 5 else "")
    return (
        f"median interval {interval_text(longest)}: not CGM data? {bad.height} of "
        f"{table.height} row(s) ({shown}) have a typical interval between readings above "
        f"{CGM_MAX_INTERVAL_MIN:g} min, the longest CGM sampling interval [A]; their active % "
        f"counts one possible reading every {CGM_MAX_INTERVAL_MIN:g} min, sufficient_2019 is "
        "false, and no consensus metric of theirs (TIR, mean, GMI, CV …) describes CGM wear"
    )


def _check_threshold(value: float, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number in mg/dL, got {value!r}", field=name) from None
    if not 0.0 < v < 1000.0:
        raise InputError(
            f"{name} {v:g} mg/dL out of range; accepted: 0 to 1000 mg/dL", field=name, value=v
        )
    return v


def in_range_percent(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    target_ranges: Sequence[tuple[float, float]] | None = None,
) -> pl.DataFrame:
    """Percentage of readings with lo ≤ g ≤ hi, columns ``tir_<lo>_<hi>`` [%]; limits in [mg/dL].

    Both limits included (Battelino 2019, doi:10.2337/dci19-0028; R iglu ``in_range_percent``).
    Default (``None``): TIR 70–180 and time in tight range 70–140 mg/dL, each reading against the
    consensus limits of the unit it was measured in (3.9–10.0 and 3.9–7.8 mmol/L for readings
    measured in mmol/L; :data:`endolab.cgm.schema.CUTOFFS`). Ranges given explicitly are mg/dL for
    every reading.
    """
    if target_ranges is None:
        units = measured_units(frame)
        lo, hi, tight = (cutoff(n, units) for n in ("tbr_level1", "tir_high", "tight_high"))
        g = pl.col("gl")
        exprs = [
            percent_of((g >= lo) & (g <= hi)).alias(
                f"tir_{_fmt(TIR_LOW_MG_DL)}_{_fmt(TIR_HIGH_MG_DL)}"
            ),
            percent_of((g >= lo) & (g <= tight)).alias(
                f"tir_{_fmt(TIR_LOW_MG_DL)}_{_fmt(TIGHT_HIGH_MG_DL)}"
            ),
        ]
        return run_exprs(frame, by, exprs)
    exprs = []
    for lo_t, hi_t in target_ranges:
        lo_v, hi_v = _check_threshold(lo_t, "lower limit"), _check_threshold(hi_t, "upper limit")
        if lo_v >= hi_v:
            raise InputError(
                f"target range {lo_v:g}–{hi_v:g} mg/dL: the lower limit must be below the upper",
                field="target_ranges",
            )
        exprs.append(
            percent_of(_GL.is_between(lo_v, hi_v, closed="both")).alias(
                f"tir_{_fmt(lo_v)}_{_fmt(hi_v)}"
            )
        )
    return run_exprs(frame, by, exprs)


def _consensus_threshold_percents(
    frame: pl.DataFrame, by: Sequence[str], side: str
) -> pl.DataFrame:
    """``tbr_54``/``tbr_70`` (``side="tbr"``) or ``tar_180``/``tar_250`` (``"tar"``) [%], each
    reading against the consensus cut-offs of the unit it was measured in."""
    units = measured_units(frame)
    g = pl.col("gl")
    pairs = (
        (("tbr_level2", TBR_LEVEL2_MG_DL), ("tbr_level1", TBR_LEVEL1_MG_DL))
        if side == "tbr"
        else (("tir_high", TAR_LEVEL1_MG_DL), ("tar_level2", TAR_LEVEL2_MG_DL))
    )
    exprs = [
        percent_of(g < cutoff(name, units) if side == "tbr" else g > cutoff(name, units)).alias(
            f"{side}_{_fmt(mg)}"
        )
        for name, mg in pairs
    ]
    return run_exprs(frame, by, exprs)


def below_percent(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    targets: Sequence[float] | None = None,
) -> pl.DataFrame:
    """Percentage of readings with g < t, columns ``tbr_<t>`` [%]; thresholds in [mg/dL].

    Strict inequality (Battelino 2019, doi:10.2337/dci19-0028; R iglu ``below_percent``). Default
    (``None``): 54 and 70 mg/dL — 3.0 and 3.9 mmol/L for readings measured in mmol/L.
    """
    if targets is None:
        return _consensus_threshold_percents(frame, by, "tbr")
    exprs = [
        percent_of(_check_threshold(t, "target") > _GL).alias(f"tbr_{_fmt(float(t))}")
        for t in targets
    ]
    return run_exprs(frame, by, exprs)


def above_percent(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    targets: Sequence[float] | None = None,
) -> pl.DataFrame:
    """Percentage of readings with g > t, columns ``tar_<t>`` [%]; thresholds in [mg/dL].

    Strict inequality (Battelino 2019, doi:10.2337/dci19-0028; R iglu ``above_percent``). Default
    (``None``): 180 and 250 mg/dL — 10.0 and 13.9 mmol/L for readings measured in mmol/L.
    """
    if targets is None:
        return _consensus_threshold_percents(frame, by, "tar")
    exprs = [
        percent_of(_check_threshold(t, "target") < _GL).alias(f"tar_{_fmt(float(t))}")
        for t in targets
    ]
    return run_exprs(frame, by, exprs)


def consensus_ranges(
    frame: pl.DataFrame, *, by: Sequence[str] = ("id",), minutes_per_day: bool = True
) -> pl.DataFrame:
    """All consensus range percentages [%] and minutes per day [min/day]; see
    :func:`consensus_ranges_exprs` for the columns and boundaries (Battelino 2019,
    doi:10.2337/dci19-0028)."""
    return run_exprs(frame, by, consensus_ranges_exprs(minutes_per_day=minutes_per_day))


def active_percent(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    period_minutes: float | None = None,
) -> pl.DataFrame:
    """Percentage of time the CGM was active [%], with ``ndays`` [days] and ``dt0`` [min].

    Definition of R iglu ``active_percent`` (see :func:`active_percent_exprs`); reference: Danne T,
    et al. International consensus on use of continuous glucose monitoring. *Diabetes Care*
    2017;40(12):1631–1640, doi:10.2337/dc17-1600.
    """
    return run_exprs(frame, by, active_percent_exprs(dt0=dt0, period_minutes=period_minutes))


def sufficiency_2019(
    frame: pl.DataFrame,
    *,
    by: Sequence[str] = ("id",),
    dt0: float | None = None,
    period_minutes: float | None = None,
) -> pl.DataFrame:
    """Data sufficiency per the 2019 consensus: ``days_worn`` [days] and ``sufficient_2019`` (bool).

    Battelino 2019 (doi:10.2337/dci19-0028): "14 days" of data with "≥ 70 % of data from 14 days".
    ``days_worn`` = (t_max − t_min + dt0) / 1440 [days] — each reading stands for one sampling
    interval, so 14 × 288 readings at 5 min give exactly 14 days [A]; ``dt0`` is the device
    interval (at most :data:`CGM_MAX_INTERVAL_MIN`, see :func:`active_percent_exprs`).
    ``sufficient_2019`` = days_worn ≥ 14 and active_percent ≥ 70 and median_interval_min ≤ 15
    [A: the consensus gives no rule for rounding; none is applied; data whose typical interval is
    not a CGM interval are not CGM data]. Also returns ``active_percent``, ``ndays``, ``dt0``,
    ``longest_gap_min`` and ``median_interval_min``.
    """
    return run_exprs(
        frame,
        by,
        active_percent_exprs(dt0=dt0, period_minutes=period_minutes),
        post=sufficiency_post_exprs(),
    )


def sufficiency_post_exprs() -> list[pl.Expr]:
    """Post-aggregation expressions for ``days_worn`` and ``sufficient_2019`` (need
    ``active_percent``, ``ndays``, ``dt0`` and ``median_interval_min`` in the aggregated table)."""
    days_worn = pl.col("ndays") + pl.col("dt0") / MINUTES_PER_DAY
    return [
        days_worn.alias("days_worn"),
        (
            (days_worn >= CONSENSUS_DAYS_2019)
            & (pl.col("active_percent") >= CONSENSUS_MIN_ACTIVE_PERCENT_2019)
            & (pl.col("median_interval_min") <= CGM_MAX_INTERVAL_MIN)
        ).alias("sufficient_2019"),
    ]


def core_exprs(*, dt0: float | None = None, period_minutes: float | None = None) -> list[pl.Expr]:
    """Aggregation expressions of the consensus core set (one pass in ``compute_metrics``).

    Use with :func:`core_post_exprs` as ``post``.
    """
    return [
        pl.len().alias("n_readings"),
        (pl.col("censored") == -1).sum().alias("n_low_censored"),
        (pl.col("censored") == 1).sum().alias("n_high_censored"),
        _GL.mean().alias("mean"),
        _GL.median().alias("median"),
        _GL.std(ddof=1).alias("sd"),
        *consensus_ranges_exprs(minutes_per_day=False),
        *active_percent_exprs(dt0=dt0, period_minutes=period_minutes),
    ]


def core_post_exprs() -> list[pl.Expr]:
    """Post-aggregation expressions of the core set: cv, gmi, ea1c, minutes per day, sufficiency."""
    mean = pl.col("mean")
    return [
        (100.0 * pl.col("sd") / mean).alias("cv"),
        gmi_bergenstal_2018(mean).alias("gmi"),
        gmi_mmol_mol_bergenstal_2018(mean).alias("gmi_mmol_mol"),
        adag_nathan_2008(mean).alias("ea1c"),
        *[
            (pl.col(name) / 100.0 * MINUTES_PER_DAY).alias(f"{name}_min_per_day")
            for name in consensus_range_names()
        ],
        *sufficiency_post_exprs(),
    ]


def full_summary_exprs() -> list[pl.Expr]:
    """Extra summary columns of the full set: min, q25, q75, max, range, iqr [mg/dL]."""
    return [e for e in _summary_exprs() if e.meta.output_name() != "median"]
