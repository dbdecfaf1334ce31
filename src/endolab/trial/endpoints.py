"""Per-participant endpoints of a trial protocol, vectorised over participants with polars.

Each binary endpoint is ``True``, ``False`` or ``None`` (cannot be decided from the data), following
the endpoint definitions and missing-data rules of docs/trial-data.md exactly:

* windows are closed intervals of study days ``[a, b]``; a date D is on day ``(D - infusion_date).days``;
* ``she_free``: ``False`` with an ``SHE`` event starting in the window; else ``True`` — events are
  complete by definition, so observed data are never ``None`` (docs/trial-data.md) — except when
  the protocol sets ``min_follow_up_day`` or the dataset is simulated: then ``None`` for a
  participant whose follow-up (:func:`follow_up_days`: their last study day with any record) ends
  before that day (for a simulation, the window's last day): a window not covered is not decided;
* ``hba1c_response``: any ``HBA1C`` in the window with value < ``below_pct`` or
  ``baseline_hba1c_pct - value >= fall_pct``; ``None`` without an ``HBA1C`` in the window;
* ``insulin_independent``: ``False`` if any insulin row in the window has ``total_units > 0`` (whatever
  the coverage); else ``True`` if rows exist for at least ``min_coverage`` of the window's days, else
  ``None``;
* ``hba1c_last_below``: the last ``HBA1C`` in the window is < ``below_pct``; ``None`` without one;
* ``tir_above``: share of CGM readings in the window with 70 ≤ glucose ≤ 180 mg/dL > ``above_pct``,
  ``None`` when there is no reading or the data sufficiency is < ``min_sufficiency``. Sufficiency =
  readings in the window × the participant's sampling interval (median difference between consecutive
  readings over ALL of that participant's CGM data) ÷ the window's length in minutes, capped at 100 %;
* ``c_peptide_detected``: any ``CPEP_FASTING`` or ``CPEP_STIM_PEAK`` > 0 on a day after ``after_day``;
  ``None`` without any such result;
* ``all_of``: ``False`` if any component is ``False``, else ``None`` if any is ``None``, else ``True``.

Each endpoint's windows count from the day 0 its protocol gives it (``day0 = "first"`` or
``"last"`` infusion, :meth:`~endolab.trial.protocol.Protocol.day0_of`): the endpoint is computed on
the dataset seen from that day 0 (:func:`endolab.trial.infusions.rebase`), the follow-up of
``she_free`` included. Baselines (``baseline_hba1c_pct``, the values before day 0 of the continuous
endpoints) stay those before the first infusion [A] (docs/methods/trial.md §4.7).

Differences of HbA1c values are rounded to 9 decimals before comparing with ``fall_pct`` [A], so that a
fall from 7.8 % to 6.8 % (0.9999999999999998 in binary floating point) counts as the 1.0-point fall it
is; HbA1c is reported to 0.1 %.
"""

from __future__ import annotations

import polars as pl

from endolab.cgm.metrics import (
    consensus_band,
    consensus_range_masks,
    coverage_fraction,
    percent_of,
)
from endolab.trial.dataset import TrialDataset
from endolab.trial.infusions import rebase
from endolab.trial.protocol import (
    AllOf,
    CPeptideDetected,
    Day0,
    Hba1cLastBelow,
    Hba1cResponse,
    InsulinIndependent,
    Protocol,
    SheFree,
    TirAbove,
)

__all__ = [
    "binary_endpoints",
    "cgm_sampling_interval",
    "cgm_window_stats",
    "continuous_endpoints",
    "follow_up_days",
    "window_days",
]

_MINUTES_PER_DAY = 1440
_CPEP_TESTS = ("CPEP_FASTING", "CPEP_STIM_PEAK")


def window_days(window: tuple[int, int]) -> int:
    """Number of days in a closed window ``[a, b]``.

    >>> window_days((180, 365)), window_days((352, 365))
    (186, 14)
    """
    return window[1] - window[0] + 1


def _in_window(column: str, window: tuple[int, int]) -> pl.Expr:
    return pl.col(column).is_between(window[0], window[1], closed="both")


def cgm_sampling_interval(cgm: pl.DataFrame) -> pl.DataFrame:
    """Each participant's sampling interval [min]: median difference between consecutive readings.

    Computed over ALL of the participant's CGM data (docs/trial-data.md, "Data sufficiency");
    ``null`` for a participant with fewer than two readings. ``cgm`` must be sorted by
    participant_id then time (as :func:`~endolab.trial.dataset.read_dataset` returns it).
    """
    return (
        cgm.lazy()
        .select(
            "participant_id",
            (pl.col("time").diff().dt.total_microseconds() / 60e6).alias("gap_min"),
            (pl.col("participant_id") == pl.col("participant_id").shift(1)).alias("same"),
        )
        .filter(pl.col("same"))
        .group_by("participant_id")
        .agg(pl.col("gap_min").median().alias("interval_min"))
        .collect()
    )


def cgm_window_stats(
    cgm: pl.DataFrame, intervals: pl.DataFrame, window: tuple[int, int]
) -> pl.DataFrame:
    """CGM readings, TIR [%], time below 54 mg/dL [%] and data sufficiency [1] over a day window.

    Columns: participant_id, n_readings, n_in_range (readings with 70 ≤ g ≤ 180 mg/dL), tir_pct
    (share of readings with 70 ≤ g ≤ 180 mg/dL), below54_pct (g < 54 mg/dL) — readings classified by
    the CGM engine's :func:`~endolab.cgm.metrics.consensus_band` — and sufficiency (readings ×
    interval ÷ window minutes, :func:`~endolab.cgm.metrics.coverage_fraction`, capped at 1; null
    when the participant's sampling interval is undefined, i.e. a single reading in all their CGM
    data). Only participants with ≥ 1 reading
    in the window appear.
    """
    minutes = window_days(window) * _MINUTES_PER_DAY
    # the CGM engine's definitions: one classification of readings, one coverage formula
    ranges = consensus_range_masks(consensus_band(pl.col("glucose_mg_dl")))
    in_range, below54 = ranges["tir_70_180"], ranges["tbr_54"]
    stats = (
        cgm.lazy()
        .filter(_in_window("day", window))
        .group_by("participant_id")
        .agg(
            pl.len().alias("n_readings"),
            in_range.sum().alias("n_in_range"),
            percent_of(in_range).alias("tir_pct"),
            percent_of(below54).alias("below54_pct"),
        )
        .join(intervals.lazy(), on="participant_id", how="left")
        .with_columns(
            # clip, not min_horizontal: min_horizontal skips nulls and would turn an undefined
            # sufficiency (a participant with a single reading, no interval) into 100 %
            coverage_fraction(pl.col("n_readings"), pl.col("interval_min"), minutes)
            .clip(upper_bound=1.0)
            .alias("sufficiency")
        )
        .drop("interval_min")
        .collect()
    )
    return stats


def _three_valued_all(columns: list[str]) -> pl.Expr:
    any_false = pl.any_horizontal([pl.col(c).eq(False).fill_null(False) for c in columns])
    any_null = pl.any_horizontal([pl.col(c).is_null() for c in columns])
    return (
        pl.when(any_false)
        .then(pl.lit(False))
        .when(any_null)
        .then(pl.lit(None, dtype=pl.Boolean))
        .otherwise(pl.lit(True))
    )


def follow_up_days(ds: TrialDataset) -> pl.DataFrame:
    """Each participant's follow-up: the last study day with any record [day].

    The latest of their CGM readings, laboratory results, insulin records and event start days
    (the "last observation" at which :mod:`endolab.trial.survival` censors); ``null`` for a
    participant with no record at all. The dataset format has no "end of follow-up" column, so
    what the data cover is what they hold.
    """
    parts = [
        ds.cgm.lazy().select("participant_id", "day"),
        ds.labs.lazy().select("participant_id", "day"),
        ds.insulin.lazy().select("participant_id", "day"),
        ds.events.lazy().select("participant_id", pl.col("start_day").alias("day")),
    ]
    last = (
        pl.concat([p.with_columns(pl.col("day").cast(pl.Int64)) for p in parts], how="vertical")
        .group_by("participant_id")
        .agg(pl.col("day").max().alias("follow_up_day"))
    )
    return (
        ds.participants.lazy()
        .select("participant_id")
        .join(last, on="participant_id", how="left")
        .collect()
    )


def _she_free(ds: TrialDataset, key: str, ep: SheFree, follow_up: pl.DataFrame) -> pl.DataFrame:
    counts = (
        ds.events.lazy()
        .filter((pl.col("category") == "SHE") & _in_window("start_day", ep.window))
        .group_by("participant_id")
        .agg(pl.len().alias(f"{key}__she_events"))
    )
    events = pl.col(f"{key}__she_events")
    needed = ep.follow_up_needed(ds.simulated)
    return (
        ds.participants.lazy()
        .select("participant_id")
        .join(counts, on="participant_id", how="left")
        .join(follow_up.lazy(), on="participant_id", how="left")
        .with_columns(events.fill_null(0).cast(pl.Int64))
        .with_columns(
            pl.when(events > 0)
            .then(pl.lit(False))
            .when(pl.lit(needed is None) | (pl.col("follow_up_day") >= (needed or 0)))
            .then(pl.lit(True))
            .otherwise(pl.lit(None, dtype=pl.Boolean))
            .alias(key)
        )
        .rename({"follow_up_day": f"{key}__follow_up_day"})
        .collect()
    )


def _hba1c_rows(ds: TrialDataset, window: tuple[int, int]) -> pl.LazyFrame:
    return ds.labs.lazy().filter((pl.col("test") == "HBA1C") & _in_window("day", window))


def _hba1c_response(ds: TrialDataset, key: str, ep: Hba1cResponse) -> pl.DataFrame:
    baseline = ds.participants.lazy().select("participant_id", "baseline_hba1c_pct")
    hit = (pl.col("value") < ep.below_pct) | (
        (pl.col("baseline_hba1c_pct") - pl.col("value")).round(9) >= ep.fall_pct
    )
    return (
        _hba1c_rows(ds, ep.window)
        .join(baseline, on="participant_id", how="left")
        .group_by("participant_id")
        .agg(
            hit.any().alias(key),
            pl.len().alias(f"{key}__n_hba1c"),
            pl.col("value").min().alias(f"{key}__min_hba1c_pct"),
        )
        .collect()
    )


def _hba1c_last_below(ds: TrialDataset, key: str, ep: Hba1cLastBelow) -> pl.DataFrame:
    return (
        _hba1c_rows(ds, ep.window)
        .sort("participant_id", "date")
        .group_by("participant_id")
        .agg(
            pl.col("value").last().alias(f"{key}__hba1c_pct"),
            pl.col("day").last().alias(f"{key}__day"),
        )
        .with_columns((pl.col(f"{key}__hba1c_pct") < ep.below_pct).alias(key))
        .collect()
    )


def _insulin_independent(ds: TrialDataset, key: str, ep: InsulinIndependent) -> pl.DataFrame:
    ndays = window_days(ep.window)
    agg = (
        ds.insulin.lazy()
        .filter(_in_window("day", ep.window))
        .group_by("participant_id")
        .agg(
            pl.len().alias(f"{key}__days_recorded"),
            (pl.col("total_units") > 0).sum().alias(f"{key}__days_with_insulin"),
        )
    )
    recorded = pl.col(f"{key}__days_recorded")
    coverage = recorded / ndays
    return (
        ds.participants.lazy()
        .select("participant_id")
        .join(agg, on="participant_id", how="left")
        .with_columns(
            recorded.fill_null(0).cast(pl.Int64),
            pl.col(f"{key}__days_with_insulin").fill_null(0).cast(pl.Int64),
        )
        .with_columns(coverage.alias(f"{key}__coverage"))
        .with_columns(
            pl.when(pl.col(f"{key}__days_with_insulin") > 0)
            .then(pl.lit(False))
            .when(pl.col(f"{key}__coverage") >= ep.min_coverage - 1e-12)
            .then(pl.lit(True))
            .otherwise(pl.lit(None, dtype=pl.Boolean))
            .alias(key)
        )
        .collect()
    )


def _tir_above(ds: TrialDataset, key: str, ep: TirAbove, intervals: pl.DataFrame) -> pl.DataFrame:
    stats = cgm_window_stats(ds.cgm, intervals, ep.window)
    return stats.select(
        "participant_id",
        pl.col("n_readings").alias(f"{key}__n_readings"),
        pl.col("tir_pct").alias(f"{key}__tir_pct"),
        (pl.col("sufficiency") * 100).alias(f"{key}__sufficiency_pct"),
        # TIR > above_pct compared on counts (in_range × 100 > above_pct × readings) so that a
        # share exactly at the threshold is never pushed over it by rounding (11/20 × 100 in binary
        # floating point is 55.00000000000001).
        pl.when(pl.col("sufficiency").is_not_null() & (pl.col("sufficiency") >= ep.min_sufficiency))
        .then(pl.col("n_in_range") * 100 > pl.col("n_readings") * ep.above_pct)
        .otherwise(pl.lit(None, dtype=pl.Boolean))
        .alias(key),
    )


def _c_peptide_detected(ds: TrialDataset, key: str, ep: CPeptideDetected) -> pl.DataFrame:
    return (
        ds.labs.lazy()
        .filter(pl.col("test").is_in(list(_CPEP_TESTS)) & (pl.col("day") > ep.after_day))
        .group_by("participant_id")
        .agg(
            (pl.col("value") > 0).any().alias(key),
            pl.len().alias(f"{key}__n_results"),
            pl.col("value").max().alias(f"{key}__max_pmol_l"),
        )
        .collect()
    )


def binary_endpoints(
    ds: TrialDataset, protocol: Protocol, intervals: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per participant: every binary endpoint of ``protocol`` and its supporting values.

    Endpoint columns are named by their protocol key (Boolean, null = cannot be decided); supporting
    columns are ``<key>__<what>`` (e.g. ``insulin_independent_180_365__coverage``).
    """
    if intervals is None:
        intervals = cgm_sampling_interval(ds.cgm)
    out = ds.participants.select("participant_id", "cohort")
    views: dict[Day0, tuple[TrialDataset, pl.DataFrame]] = {}
    composites: list[tuple[str, AllOf]] = []
    for key, ep in protocol.endpoints.items():
        part: pl.DataFrame
        if isinstance(ep, AllOf):
            composites.append((key, ep))
            continue
        day0 = protocol.day0_of(key)
        if day0 not in views:
            view = rebase(ds, day0)
            views[day0] = (view, follow_up_days(view))
        seen, follow_up = views[day0]
        if isinstance(ep, SheFree):
            part = _she_free(seen, key, ep, follow_up)
        elif isinstance(ep, Hba1cResponse):
            part = _hba1c_response(seen, key, ep)
        elif isinstance(ep, Hba1cLastBelow):
            part = _hba1c_last_below(seen, key, ep)
        elif isinstance(ep, InsulinIndependent):
            part = _insulin_independent(seen, key, ep)
        elif isinstance(ep, TirAbove):
            part = _tir_above(seen, key, ep, intervals)
        else:
            part = _c_peptide_detected(seen, key, ep)
        out = out.join(part, on="participant_id", how="left")
    for key, ep in composites:
        out = out.with_columns(_three_valued_all(ep.components).alias(key))
    ordered = [k for k in protocol.endpoints]
    rest = [c for c in out.columns if c not in ordered and c not in ("participant_id", "cohort")]
    return out.select("participant_id", "cohort", *ordered, *rest)


def _last_lab(ds: TrialDataset, test: str, window: tuple[int, int], name: str) -> pl.LazyFrame:
    return (
        ds.labs.lazy()
        .filter((pl.col("test") == test) & _in_window("day", window))
        .sort("participant_id", "date")
        .group_by("participant_id")
        .agg(pl.col("value").last().alias(name))
    )


def _baseline_lab(ds: TrialDataset, test: str, name: str) -> pl.LazyFrame:
    return (
        ds.labs.lazy()
        .filter((pl.col("test") == test) & (pl.col("day") <= 0))
        .sort("participant_id", "date")
        .group_by("participant_id")
        .agg(pl.col("value").last().alias(name))
    )


def continuous_endpoints(
    ds: TrialDataset, protocol: Protocol, intervals: pl.DataFrame | None = None
) -> pl.DataFrame:
    """One row per participant: follow-up value, baseline and change of the continuous endpoints.

    Columns (``<v>`` = ``protocol.continuous.visit_label``, e.g. ``day365``):

    * ``hba1c_<v>_pct`` last HBA1C in ``hba1c_window``; ``hba1c_baseline_pct`` = baseline_hba1c_pct;
      ``hba1c_change_<v>_pct`` = follow-up − baseline [percentage points];
    * ``tir_<v>_pct`` CGM TIR over ``tir_window`` (null unless sufficiency ≥ ``tir_min_sufficiency``),
      ``tir_baseline_pct`` over ``tir_baseline_window``, ``tir_change_<v>_pct``;
    * ``insulin_<v>_u_per_day`` mean total_units over the recorded days of ``insulin_window``,
      ``insulin_baseline_u_per_day``, ``insulin_change_<v>_u_per_day`` and
      ``insulin_reduction_<v>`` = 1 − follow-up / baseline [fraction] (null if the baseline is 0);
    * ``c_peptide_fasting_<v>_pmol_l`` / ``c_peptide_stim_peak_<v>_pmol_l`` last value in
      ``c_peptide_window``, baselines (last value on day ≤ 0) and changes.

    The follow-up windows count from ``protocol.day0_of("continuous")``; the baselines from the
    first infusion (module docstring).
    """
    spec = protocol.continuous
    v = spec.visit_label
    if intervals is None:
        intervals = cgm_sampling_interval(ds.cgm)
    fu = rebase(ds, protocol.day0_of("continuous"))

    def tir(window: tuple[int, int], name: str, source: TrialDataset) -> pl.LazyFrame:
        stats = cgm_window_stats(source.cgm, intervals, window)
        return stats.lazy().select(
            "participant_id",
            pl.when(pl.col("sufficiency") >= spec.tir_min_sufficiency)
            .then(pl.col("tir_pct"))
            .otherwise(None)
            .alias(name),
        )

    insulin = (
        fu.insulin.lazy()
        .filter(_in_window("day", spec.insulin_window))
        .group_by("participant_id")
        .agg(pl.col("total_units").mean().alias(f"insulin_{v}_u_per_day"))
    )
    frame = (
        ds.participants.lazy()
        .select(
            "participant_id",
            "cohort",
            pl.col("baseline_hba1c_pct").alias("hba1c_baseline_pct"),
            pl.col("baseline_insulin_u_per_day").alias("insulin_baseline_u_per_day"),
        )
        .join(
            _last_lab(fu, "HBA1C", spec.hba1c_window, f"hba1c_{v}_pct"),
            on="participant_id",
            how="left",
        )
        .join(tir(spec.tir_window, f"tir_{v}_pct", fu), on="participant_id", how="left")
        .join(
            tir(spec.tir_baseline_window, "tir_baseline_pct", ds), on="participant_id", how="left"
        )
        .join(insulin, on="participant_id", how="left")
        .join(
            _last_lab(fu, "CPEP_FASTING", spec.c_peptide_window, f"c_peptide_fasting_{v}_pmol_l"),
            on="participant_id",
            how="left",
        )
        .join(
            _baseline_lab(ds, "CPEP_FASTING", "c_peptide_fasting_baseline_pmol_l"),
            on="participant_id",
            how="left",
        )
        .join(
            _last_lab(
                fu, "CPEP_STIM_PEAK", spec.c_peptide_window, f"c_peptide_stim_peak_{v}_pmol_l"
            ),
            on="participant_id",
            how="left",
        )
        .join(
            _baseline_lab(ds, "CPEP_STIM_PEAK", "c_peptide_stim_peak_baseline_pmol_l"),
            on="participant_id",
            how="left",
        )
        .with_columns(
            (pl.col(f"hba1c_{v}_pct") - pl.col("hba1c_baseline_pct")).alias(
                f"hba1c_change_{v}_pct"
            ),
            (pl.col(f"tir_{v}_pct") - pl.col("tir_baseline_pct")).alias(f"tir_change_{v}_pct"),
            (pl.col(f"insulin_{v}_u_per_day") - pl.col("insulin_baseline_u_per_day")).alias(
                f"insulin_change_{v}_u_per_day"
            ),
            pl.when(pl.col("insulin_baseline_u_per_day") > 0)
            .then(1 - pl.col(f"insulin_{v}_u_per_day") / pl.col("insulin_baseline_u_per_day"))
            .otherwise(None)
            .alias(f"insulin_reduction_{v}"),
            (
                pl.col(f"c_peptide_fasting_{v}_pmol_l")
                - pl.col("c_peptide_fasting_baseline_pmol_l")
            ).alias(f"c_peptide_fasting_change_{v}_pmol_l"),
            (
                pl.col(f"c_peptide_stim_peak_{v}_pmol_l")
                - pl.col("c_peptide_stim_peak_baseline_pmol_l")
            ).alias(f"c_peptide_stim_peak_change_{v}_pmol_l"),
        )
        .collect()
    )
    return frame
