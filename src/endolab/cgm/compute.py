"""The orchestrator: every metric of a set, per subject and optionally per period, in one table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import polars as pl

from endolab.cgm import metrics as _m
from endolab.cgm.columns import COLUMNS_DOC, column_unit
from endolab.cgm.data import CgmData
from endolab.cgm.episode_calc import episode_summary
from endolab.cgm.frame import TimeOrderError, check_frame, ensure_canonical, measured_units
from endolab.cgm.kernels import chunks
from endolab.cgm.kernels.grid import Intermediates
from endolab.cgm.periods import add_periods
from endolab.cgm.registry import REGISTRY, consensus_names, index_names
from endolab.errors import InputError
from endolab.notices import Notice, collect, echo, unique
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L, normalize_unit

__all__ = [
    "MetricsResult",
    "Partial",
    "available_metrics",
    "check_metric_names",
    "combine",
    "compute_metrics",
    "compute_partition",
    "metrics_result",
]

#: The code of the notice about GMI/eA1c from too little data (kept and flagged, issue 12).
GMI_NOTICE_CODE = "W_CGM_GMI_INSUFFICIENT_DATA"


def _glucose_columns(columns: Sequence[str]) -> list[str]:
    """The columns whose unit is glucose (or glucose per time), converted for mmol/L reports
    (:func:`endolab.cgm.columns.column_unit`: the documented columns and any quantile)."""
    return [c for c in columns if column_unit(c, "glucose").startswith("glucose")]


def available_metrics() -> list[str]:
    """Names accepted in ``compute_metrics(metrics=[...])``."""
    return [*consensus_names(), "episodes", *index_names()]


def compute_metrics(
    frame: Any,
    *,
    metrics: str | Sequence[str] = "core",
    by: str | None = None,
    window: tuple[Any, Any] | None = None,
    day0: Any = None,
    unit_out: str = "mg/dL",
    dt0: float | None = None,
    warn: bool = True,
) -> pl.DataFrame:
    """All metrics of a set, one row per subject (and period): the table of :func:`metrics_result`.

    Parameters
    ----------
    frame
        Canonical frame from :func:`endolab.cgm.check_frame` (anything else is checked first).
    metrics
        ``"core"`` — the 2019 consensus set in one pass: ``n_readings``, censored counts, ``mean``,
        ``median``, ``sd``, ``cv``, ``gmi``, ``ea1c``, the range percentages and minutes per day,
        ``active_percent``, ``ndays``, ``dt0``, ``days_worn``, ``sufficient_2019``.
        ``"full"`` — core + ``min``/``q25``/``q75``/``max``/``range``/``iqr`` + episode counts and
        durations + every index of :data:`endolab.cgm.registry.REGISTRY`.
        A list — names from :func:`available_metrics`, joined on the group columns.
    by
        ``None`` (whole record), ``"day"`` or ``"week"`` (see :mod:`endolab.cgm.periods`).
    window, day0
        An explicit window of days (see :func:`endolab.cgm.periods.add_periods`).
    unit_out
        ``"mg/dL"`` or ``"mmol/L"`` for glucose-valued columns (mean, median, sd, …; thresholds in
        column names stay in mg/dL).
    dt0
        Sampling interval [min] for active % and episodes; ``None`` estimates it per group.
    warn
        Echo the notices as :class:`~endolab.errors.EndolabWarning` (default; inside an
        :func:`endolab.notices.collect` block they are collected instead). The GMI-sufficiency
        notice is not echoed: the table flags those rows itself (``sufficient_2019``).
        :func:`metrics_result` returns the table with every notice as data.

    Returns
    -------
    polars.DataFrame
        Group columns (``id`` and any period columns), then metric columns (see docs/cgm.md).
    """
    result = metrics_result(
        frame,
        metrics=metrics,
        by=by,
        window=window,
        day0=day0,
        unit_out=unit_out,
        dt0=dt0,
    )
    if warn:
        echo((n for n in result.notices if n.code != GMI_NOTICE_CODE), stacklevel=2)
    return result.table


@dataclass(frozen=True)
class MetricsResult:
    """CGM metrics with their notices, as data (what :func:`metrics_result` returns).

    ``table``: group columns then metric columns (docs/cgm.md), glucose-valued columns in
    ``unit``; ``notices``: what the engine said about the data and the results, in order, each
    once (:class:`endolab.notices.Notice`: rows dropped or re-ordered, a unit detected, long gaps,
    single readings, a GMI from too little data, …); ``measured_unit``: the unit the readings
    were measured in (``"mg/dL"`` or ``"mmol/L"``).
    """

    table: pl.DataFrame
    notices: tuple[Notice, ...] = ()
    unit: str = "mg/dL"
    measured_unit: str = "mg/dL"

    @property
    def warnings(self) -> tuple[str, ...]:
        """The notices' messages (the JSON ``warnings`` list)."""
        return tuple(n.message for n in self.notices)


def metrics_result(
    frame: Any,
    *,
    metrics: str | Sequence[str] = "core",
    by: str | None = None,
    window: tuple[Any, Any] | None = None,
    day0: Any = None,
    unit_out: str = "mg/dL",
    dt0: float | None = None,
    warn: bool = False,
) -> MetricsResult:
    """The metrics of :func:`compute_metrics` with every notice returned as data, nothing warned.

    ``frame`` is a canonical frame (anything else is checked first) or the
    :class:`~endolab.cgm.data.CgmData` of :func:`endolab.cgm.load_cgm`, whose reading notices
    come first in ``notices``. The other parameters are those of :func:`compute_metrics`;
    ``warn=True`` also echoes the notices as warnings (:func:`endolab.notices.echo`).
    Thread-safe: notices are collected per call (:func:`endolab.notices.collect`), never through
    the process-wide warning filters, so simultaneous calls never see each other's notices.

    >>> import polars as pl, datetime as dt
    >>> f = pl.DataFrame({"id": ["a", "b", "b"], "gl": [100.0, 120.0, 140.0],
    ...                   "time": [dt.datetime(2024, 1, 1, 0, 5 * i) for i in (0, 0, 1)]})
    >>> r = metrics_result(f)
    >>> r.table.height, [n.code for n in r.notices]
    (2, ['W_CGM_SINGLE_READING', 'W_CGM_GMI_INSUFFICIENT_DATA'])
    """
    given: tuple[Notice, ...] = ()
    if isinstance(frame, CgmData):
        given, frame = frame.notices, frame.frame
    out_unit = normalize_unit(unit_out, quantity="glucose", field="unit_out")
    with collect() as found:
        canon = ensure_canonical(frame, check_time_order=False)
        names = _metric_names(metrics)
        try:
            table, notes = _compute(canon, names, by, window, day0, out_unit, dt0)
        except TimeOrderError:
            # a canonical-looking frame with readings out of order or duplicated: normalise it
            canon = check_frame(canon)
            table, notes = _compute(canon, names, by, window, day0, out_unit, dt0)
    notices = [*given, *found, *notes]
    gmi = gmi_sufficiency(table)
    if gmi is not None:
        notices.append(gmi)
    result = MetricsResult(table, unique(notices), out_unit, measured_units(canon))
    if warn:
        echo(result.notices, stacklevel=2)
    return result


def gmi_sufficiency(table: pl.DataFrame) -> Notice | None:
    """The notice of :func:`endolab.cgm.metrics.gmi_sufficiency_notice` (rows whose GMI / eA1c
    come from too little data), or None."""
    text = _m.gmi_sufficiency_notice(table)
    return None if text is None else Notice(GMI_NOTICE_CODE, "W", text, field="gmi")


class Partial(NamedTuple):
    """The metrics of one partition (:func:`compute_partition`) or of all (:func:`combine`)."""

    #: Group columns, then metric columns (glucose in mg/dL in a partition's table).
    table: pl.DataFrame
    #: Notices found while computing, as data, in order.
    notices: tuple[Notice, ...] = ()

    @property
    def warnings(self) -> tuple[str, ...]:
        """The notices' messages."""
        return tuple(n.message for n in self.notices)


def check_metric_names(metrics: str | Sequence[str]) -> list[str]:
    """The names of ``metrics`` checked as :func:`compute_metrics` checks them (before any work)."""
    return _metric_names(metrics)


def _metric_names(metrics: str | Sequence[str]) -> list[str]:
    """The requested names, checked (``"core"``, ``"full"`` or names of :func:`available_metrics`)."""
    if isinstance(metrics, str):
        if metrics not in ("core", "full"):
            raise InputError(
                f"metrics must be 'core', 'full' or a list of names, got {metrics!r}",
                field="metrics",
                value=metrics,
            )
        return [metrics]
    names = list(metrics)
    if not names:
        raise InputError("metrics: the list of metric names is empty", field="metrics")
    known = {"core", "full", *available_metrics()}
    for name in names:
        if name not in known:
            raise InputError(
                f"unknown metric {name!r}; accepted: core, full, {', '.join(available_metrics())}",
                field="metrics",
                value=name,
            )
    return names


def _compute(
    canon: pl.DataFrame,
    names: list[str],
    by: str | None,
    window: tuple[Any, Any] | None,
    day0: Any,
    out_unit: str,
    dt0: float | None,
) -> tuple[pl.DataFrame, tuple[Notice, ...]]:
    plan = add_periods(canon, by=by, window=window, day0=day0)
    part = compute_partition(
        plan.frame, plan.keys, metrics=names, dt0=dt0, period_minutes=plan.period_minutes
    )
    result = combine([part], plan.keys, expected=plan.expected, unit_out=out_unit)
    return result.table, result.notices


def compute_partition(
    data: pl.DataFrame,
    keys: Sequence[str],
    *,
    metrics: str | Sequence[str] = "core",
    dt0: float | None = None,
    period_minutes: float | None = None,
) -> Partial:
    """The per-partition step of :func:`compute_metrics`: pure, on whole subjects.

    ``data`` is a canonical frame (with the period columns of ``keys`` from
    :func:`endolab.cgm.periods.add_periods`) holding whole subjects; every metric is per group,
    so partitions of whole subjects can be computed anywhere (a process, a Dask worker) and put
    together with :func:`combine`. Nothing is printed or warned: notices come back as data
    (collected for this call only, :func:`endolab.notices.collect`: thread-safe).

    Returns
    -------
    Partial
        ``table``: one row per group present in ``data`` — group columns, then metric columns in
        mg/dL, unordered; ``notices``: notices found on the way (grid steps out of range, …).
    """
    names = _metric_names(metrics)
    keys = list(keys)
    chosen_set = "full" if "full" in names else ("core" if "core" in names else None)
    others = [n for n in names if n not in ("core", "full")]
    tables: list[pl.DataFrame] = []
    with collect() as found:
        if data.height:
            if chosen_set is not None:
                exprs = _m.core_exprs(dt0=dt0, period_minutes=period_minutes)
                if chosen_set == "full":
                    exprs += _m.full_summary_exprs()
                tables.append(_m.run_exprs(data, keys, exprs, post=_m.core_post_exprs()))
                if chosen_set == "full":
                    tables += _episodes_and_indices(data, keys, dt0)
            for name in others:
                if name == "episodes":
                    tables.append(_episode_table(data, keys, dt0))
                else:
                    metric = REGISTRY[name]
                    tables.append(metric(data, by=keys, dt0=dt0, period_minutes=period_minutes))
        table = _join(tables, keys, data)
    return Partial(table=table, notices=tuple(found))


def combine(
    parts: Sequence[Partial],
    keys: Sequence[str],
    *,
    expected: pl.DataFrame | None = None,
    unit_out: str = "mg/dL",
) -> Partial:
    """The final step of :func:`compute_metrics`: the partitions' tables stacked, the expected
    period rows joined (``expected`` of :func:`~endolab.cgm.periods.add_periods`: windows without
    readings appear with ``n_readings`` 0), columns in table order, glucose-valued columns in
    ``unit_out``, and the notices of every partition (each once, in order) plus the table's own.
    """
    keys = list(keys)
    out_unit = normalize_unit(unit_out, quantity="glucose", field="unit_out")
    if not parts:
        raise InputError("no partitions to combine", field="parts")
    tables = [p.table for p in parts]
    result = tables[0] if len(tables) == 1 else pl.concat(tables, how="vertical")
    result = result.sort(keys)
    if expected is not None:
        result = expected.join(result, on=keys, how="left").sort(keys)
        if "n_readings" in result.columns:
            result = result.with_columns(pl.col("n_readings").fill_null(0))
    result = result.select(_ordered(result.columns, keys))
    notes = list(unique(n for p in parts for n in p.notices))
    if "n_readings" in result.columns:
        single = result.filter(pl.col("n_readings") == 1).height
        if single:
            notes.append(
                Notice(
                    "W_CGM_SINGLE_READING",
                    "W",
                    f"{single} group(s) have a single reading: sd, cv, dt0, active_percent and "
                    "sufficiency need at least two readings and are null",
                    field="n_readings",
                )
            )
    interval = _m.interval_notice(result)
    if interval:
        notes.append(Notice("W_CGM_NOT_CGM_INTERVAL", "W", interval, field="median_interval_min"))
    if out_unit == "mmol/L":
        result = result.with_columns(
            [
                (pl.col(c) / GLUCOSE_MG_DL_PER_MMOL_L).alias(c)
                for c in _glucose_columns(result.columns)
            ]
        )
    return Partial(table=result, notices=tuple(notes))


def _indices_table(data: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Every index of the registry in one call (shared grids)."""
    from endolab.cgm.indices import compute_indices

    return compute_indices(data, by=keys, names=index_names())


def _episodes_and_indices(
    data: pl.DataFrame,
    keys: list[str],
    dt0: float | None,
) -> list[pl.DataFrame]:
    """The episode table and the indices table of the full set, sharing R iglu's grid.

    Without period columns (``keys == ["id"]``) both run on the chunks of
    :func:`endolab.cgm.indices.chunks_of` (whole subjects, ≤
    :data:`~endolab.cgm.kernels.chunks.CHUNK_READINGS` readings each) with one
    :class:`~endolab.cgm.kernels.grid.Intermediates` per chunk: the episodes
    (``method="iglu_grid"``, one grid per subject) and the grid-based indices (grouped by ``id``)
    take the same grid from it, so it is built once per chunk instead of twice. Every value is
    per subject, so the results equal separate :func:`~endolab.cgm.episode_calc.episode_summary`
    and ``compute_indices`` calls (same chunks for the indices). With period columns the
    episodes' grid (per subject) and the indices' grids (per subject and period) differ, and the
    two are computed separately.
    """
    if keys != ["id"]:
        return [_episode_table(data, keys, dt0), _indices_table(data, keys)]
    import endolab.cgm.indices as ix

    by = ("id",)
    names = index_names()
    episode_parts: list[pl.DataFrame] = []
    index_parts: list[pl.DataFrame] = []
    for chunk in ix.chunks_of(data, by, chunks.CHUNK_READINGS):
        shared = Intermediates(chunk)
        episode_parts.append(episode_summary(chunk, by=keys, dt0=dt0, shared=shared))
        index_parts.append(ix.run_chunk(chunk, by, names, shared))
    return [pl.concat(episode_parts, how="vertical"), pl.concat(index_parts, how="vertical")]


def _ordered(columns: list[str], keys: list[str]) -> list[str]:
    """Group columns, then the documented columns in table order, then the rest as they came."""
    rank = {name: i for i, name in enumerate(COLUMNS_DOC)}
    rest = [c for c in columns if c not in keys]
    known = sorted((c for c in rest if c in rank), key=rank.__getitem__)
    return [*keys, *known, *[c for c in rest if c not in rank]]


def _episode_table(data: pl.DataFrame, keys: list[str], dt0: float | None) -> pl.DataFrame:
    return episode_summary(data, by=keys, dt0=dt0)


def _join(tables: list[pl.DataFrame], keys: list[str], data: pl.DataFrame) -> pl.DataFrame:
    if not tables:
        return (
            data.select(keys)
            .unique()
            .with_columns(pl.lit(0, dtype=pl.UInt32).alias("n_readings"))
            .sort(keys)
        )
    result = tables[0]
    seen = set(result.columns)
    for table in tables[1:]:
        new = [c for c in table.columns if c not in seen]
        seen.update(new)
        result = result.join(table.select([*keys, *new]), on=keys, how="left", nulls_equal=True)
    return result.sort(keys)
