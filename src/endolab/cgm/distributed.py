"""CGM metrics on a Dask cluster: whole subjects per task, the single-machine engine in each task.

:func:`compute_metrics_dask` takes Parquet files (a path, a glob or a list of them) with one row
per reading, counts the readings of every subject (one pass over the id columns), splits the sorted
subject ids into ``K`` contiguous ranges of about equal readings (:func:`endolab._dask.id_ranges`), and runs one
task per range: the task reads only its range's rows from every file (a polars scan with a range
filter, which Parquet row-group statistics let polars skip for files outside the range; a subject
spread over several files is read whole and never split across tasks), checks them with
:func:`endolab.cgm.check_frame` and computes them with
:func:`endolab.cgm.compute.compute_partition` — the same code as :func:`endolab.cgm.compute_metrics`.
The client puts the parts together with :func:`endolab.cgm.compute.combine`. Notices come back as
data (:class:`~endolab.cgm.compute.Partial` ``notices``) for the caller to show.

Cost of the assignment: one pass over the id columns on the client, then each task reads the id
column of the row groups its range may touch (all of them at worst) and only its rows of the other
columns. No shuffle of the readings is needed. ``K`` defaults to 4 per worker thread or one task per
:data:`endolab._dask.ROWS_PER_TASK` readings, whichever is more, so memory per worker stays bounded.

Needs the optional extra: ``pip install 'endolab[dask]'``.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from endolab._dask import (
    ClusterError,
    MissingExtraError,
    dask_session,
    gather,
    open_client,
    require_dask,
    task_ranges,
)
from endolab.cgm.compute import (
    MetricsResult,
    Partial,
    check_metric_names,
    combine,
    compute_partition,
)
from endolab.errors import DataFileError, InputError
from endolab.notices import Notice, collect
from endolab.units import normalize_unit

__all__ = [
    "PARTS_CONTENTS",
    "SUCCESS_MARKER",
    "ClusterError",
    "DistributedResult",
    "MissingExtraError",
    "check_parts_folder",
    "compute_metrics_dask",
    "dask_session",
    "gather",
    "open_client",
    "parquet_files",
    "require_dask",
    "task_ranges",
    "write_parts",
]

#: Written last into a folder of parts: a folder without it is not a complete result.
SUCCESS_MARKER = "_SUCCESS"

_ID_NAMES = ("id", "subject", "subject_id", "patient_id", "participant_id")
_TIME_NAMES = ("time", "timestamp", "datetime", "date_time", "device_timestamp")
_GL_NAMES = ("gl", "glucose", "sensor_glucose", "glucose_value", "sgv")


@dataclass(frozen=True)
class DistributedResult(MetricsResult):
    """What :func:`compute_metrics_dask` returns: a :class:`~endolab.cgm.compute.MetricsResult`
    (``table`` of :func:`endolab.cgm.compute_metrics`, every task's ``notices`` once each,
    ``measured_unit`` the unit the readings were measured in) and ``tasks``, the number of tasks.
    """

    tasks: int = 0


def parquet_files(source: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The Parquet files of ``source``: paths or globs (``data/*.parquet``), or folders of them.

    A pattern or folder matching no Parquet file is a one-line :class:`~endolab.errors.InputError`.
    """
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not items:
        raise InputError("no input files", field="files")
    files: list[Path] = []
    for item in items:
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".parquet", ".pq"))
        elif path.is_file():
            found = [path]
        else:
            found = [Path(p) for p in sorted(glob.glob(text, recursive=True)) if Path(p).is_file()]
        if not found:
            raise InputError(
                f"{text!r} matches no Parquet file; give files, a folder or a glob such as "
                "'data/*.parquet'",
                field="files",
                value=text,
            )
        files += found
    unique = list(dict.fromkeys(p.resolve() for p in files))
    return unique


def _columns(files: list[Path], columns: dict[str, str] | None) -> dict[str, str]:
    """The id/time/gl(/censored) column names, after checking that every file has one schema."""
    schemas = []
    for f in files:
        try:
            schemas.append(pl.read_parquet_schema(f))
        except Exception as exc:  # polars raises several types for a broken file
            raise DataFileError(
                f"cannot read as Parquet: {exc}".splitlines()[0], file=str(f)
            ) from None
    first = schemas[0]
    for f, schema in zip(files[1:], schemas[1:], strict=True):
        if schema != first:
            raise DataFileError(
                f"its columns ({_schema_text(schema)}) differ from those of {files[0].name} "
                f"({_schema_text(first)}); every file needs the same columns and types",
                file=str(f),
            )
    return _mapping(list(first), columns, str(files[0]))


def _mapping(names: list[str], columns: dict[str, str] | None, where: str) -> dict[str, str]:
    """The id/time/gl(/censored) column names among ``names`` (given or found by name)."""
    mapping = dict(columns or {})
    for key, candidates in (("id", _ID_NAMES), ("time", _TIME_NAMES), ("gl", _GL_NAMES)):
        if key not in mapping:
            lower = {n.lower(): n for n in names}
            found = next((lower[c] for c in candidates if c in lower), None)
            if found is None:
                raise DataFileError(
                    f"no {key} column found (columns: {', '.join(names)}); "
                    f"--engine dask needs {'/'.join(candidates[:3])} or --{key}-col",
                    file=where,
                )
            mapping[key] = found
    missing = [v for v in mapping.values() if v not in names]
    if missing:
        raise DataFileError(
            f"column(s) {', '.join(missing)} not in the file (columns: {', '.join(names)})",
            file=where,
        )
    if "censored" not in mapping and "censored" in names:
        mapping["censored"] = "censored"
    return mapping


def _schema_text(schema: Any) -> str:
    return ", ".join(f"{k}: {v}" for k, v in schema.items())


@dataclass(frozen=True)
class _Spec:
    """What every task computes: column mapping, metric names and the options of compute_metrics."""

    mapping: dict[str, str]
    names: list[str]
    by: str | None = None
    unit: str | None = None
    dt0: float | None = None
    window: tuple[Any, Any] | None = None
    day0: Any = None


def _bucket_task(bounds: tuple[Any, Any], files: list[str], spec: _Spec) -> _TaskResult:
    """One task: the rows of subjects in ``bucket`` from every file, computed as on one machine.

    Returns the partition's metrics (glucose in mg/dL), the unit the readings were measured in,
    the grouping keys and the expected period rows of :func:`~endolab.cgm.periods.add_periods`.
    """
    mapping = spec.mapping
    id_col = mapping["id"]
    keep = [mapping[k] for k in ("id", "time", "gl", "censored") if k in mapping]
    lo, hi = bounds  # whole subjects: every id from lo to hi (inclusive), in sort order
    in_bucket = (
        pl.col(id_col).is_null()  # rows without an id: one task, checked as on one machine
        if lo is None and hi is None
        else pl.col(id_col).is_between(pl.lit(lo), pl.lit(hi), closed="both")
    )
    frame = pl.concat(
        [pl.scan_parquet(f).select(keep).filter(in_bucket) for f in files], how="vertical"
    ).collect()
    return _compute_rows(frame, spec)


_TaskResult = tuple[Partial, str, tuple[str, ...], pl.DataFrame | None]


def _compute_rows(frame: pl.DataFrame, spec: _Spec) -> _TaskResult:
    """Whole subjects' readings → (metrics in mg/dL, measured unit, keys, expected period rows)."""
    from endolab.cgm.frame import check_frame, measured_units, reading_dates_problem
    from endolab.cgm.periods import add_periods

    mapping = spec.mapping
    id_col = mapping["id"]
    # the files' pieces of a subject in time order (as the single-machine reader puts them
    # together), so that check_frame reports only what is wrong within the data
    frame = frame.sort([id_col, mapping["time"]], maintain_order=True)
    if frame.height == 0:
        return Partial(table=pl.DataFrame(), notices=()), "mg/dL", (), None
    with collect() as found:  # this task's notices only (per thread): no lock needed
        canon = check_frame(
            frame,
            unit=spec.unit,
            id_col=mapping["id"],
            time_col=mapping["time"],
            gl_col=mapping["gl"],
        )
        plan = add_periods(canon, by=spec.by, window=spec.window, day0=spec.day0)
    part = compute_partition(
        plan.frame,
        plan.keys,
        metrics=spec.names,
        dt0=spec.dt0,
        period_minutes=plan.period_minutes,
    )
    # readings before 2000 or after tomorrow: the file readers refuse them; here (a task on a
    # worker) they are flagged with their counts in the notices (issue 18)
    dates = reading_dates_problem(canon)
    flagged = (
        ()
        if dates is None
        else (
            Notice(
                "W_CGM_READING_DATES",
                "W",
                f"{dates}; kept by the Dask engine, flagged here",
                field="time",
            ),
        )
    )
    partial = Partial(part.table, (*found, *flagged, *part.notices))
    return partial, measured_units(canon), tuple(plan.keys), plan.expected


def _pandas_task(pdf: Any, spec: _Spec) -> _TaskResult:
    """One partition of a Dask DataFrame (whole subjects after the shuffle), as polars."""
    keep = [spec.mapping[k] for k in ("id", "time", "gl", "censored") if k in spec.mapping]
    return _compute_rows(pl.from_pandas(pdf[keep].reset_index(drop=True)), spec)


def _is_dask_frame(source: object) -> bool:
    return all(hasattr(source, a) for a in ("npartitions", "to_delayed", "shuffle", "columns"))


#: What a folder of parts holds, as its manifest records it (:func:`endolab._io.atomic_directory`).
PARTS_CONTENTS = "a folder of CGM metric parts"


def check_parts_folder(
    folder: str | os.PathLike[str], *, inputs: Sequence[str | os.PathLike[str]] = ()
) -> Path:
    """``folder`` for :func:`write_parts`: new, empty, or a parts folder endolab wrote, unchanged
    (the output rule of :mod:`endolab._io`; a user's files are never replaced), else a one-line
    :class:`~endolab.errors.InputError`."""
    from endolab._io import check_output_path

    return check_output_path(folder, kind="folder", writer=PARTS_CONTENTS, inputs=inputs)


def write_parts(table: pl.DataFrame, folder: str | os.PathLike[str], *, parts: int = 1) -> Path:
    """Write ``table`` as a folder of Parquet parts with :data:`SUCCESS_MARKER` written last.

    The folder is built in a hidden temporary sibling and renamed into place (atomic on one file
    system), and the marker is written into it only after every part: a folder at ``folder`` is
    always complete, and an interrupted run leaves at most the hidden sibling, without the marker.
    ``folder`` must be new, empty or a parts folder endolab wrote, unchanged: its parts are then
    replaced, and parts of the earlier run beyond the new ones removed (a user's files are never
    replaced or deleted). Parts hold whole subjects, ``part-00000.parquet`` upward, in table order.
    """
    from endolab._io import atomic_directory

    target = Path(folder)  # checked by atomic_directory before anything is written
    ids = table.get_column("id").unique(maintain_order=True)
    n = max(1, min(int(parts), ids.len()))
    per = -(-ids.len() // n) if ids.len() else 1
    with atomic_directory(target, writer=PARTS_CONTENTS, last=(SUCCESS_MARKER,)) as tmp:
        for k in range(n):
            if k and k * per >= ids.len():
                break
            piece = (
                table
                if n == 1
                else table.filter(pl.col("id").is_in(ids.slice(k * per, per).implode()))
            )
            piece.write_parquet(tmp / f"part-{k:05d}.parquet")
        (tmp / SUCCESS_MARKER).write_bytes(b"")  # last: the parts above are complete
    return target


def compute_metrics_dask(
    source: Any,
    *,
    metrics: str | Sequence[str] = "core",
    by: str | None = None,
    unit: str | None = None,
    unit_out: str = "mg/dL",
    dt0: float | None = None,
    columns: dict[str, str] | None = None,
    client: Any = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    buckets: int | None = None,
    progress: bool = False,
    window: tuple[Any, Any] | None = None,
    day0: Any = None,
) -> DistributedResult:
    """Per-subject metrics of Parquet files on Dask; the same table as :func:`compute_metrics`.

    Parameters
    ----------
    source
        A Parquet file, a folder, a glob (``"data/*.parquet"``) or a list of them; one row per
        reading, every file with the same columns; a subject's rows may be in several files.
        Or a Dask DataFrame (one row per reading): it is shuffled by subject id so that each
        partition holds whole subjects (cost: one all-to-all shuffle of the readings; none when the
        files are read by bucket as above), and each partition is converted to polars.
    metrics, by, unit_out, dt0, window, day0
        As :func:`endolab.cgm.compute_metrics` (``by``: ``None``, ``"day"`` or ``"week"``;
        ``day0`` a date, a mapping or a frame — not a path, which workers may not see).
    unit
        Glucose unit of the files, or ``None`` to detect it (per task; tasks that disagree are an
        error asking for ``unit``).
    columns
        Optional map from ``id``/``time``/``gl``/``censored`` to the files' column names.
    client, scheduler, n_workers
        A ``distributed.Client``; else a scheduler address (``tcp://HOST:PORT``, connection
        timeout :data:`endolab._dask.CONNECT_TIMEOUT_S`); else a ``LocalCluster`` of ``n_workers`` processes
        (default 2), closed at the end.
    buckets
        Number of tasks (default: 4 per worker thread, at most the number of subjects).
    progress
        Show Dask's progress bar (for a terminal).

    Returns
    -------
    DistributedResult
        ``table`` as :func:`endolab.cgm.compute_metrics`; ``notices``: the notices, as data;
        ``measured_unit`` of the readings.

    Raises
    ------
    ClusterError
        A worker died more often than the scheduler allows (``distributed.scheduler.allowed-
        failures``; Dask retries a task whose worker died until then).
    """
    require_dask()
    names = check_metric_names(metrics)
    if by is not None and by not in ("day", "week"):
        raise InputError(f"by must be None, 'day' or 'week', got {by!r}", field="by", value=by)
    if unit is not None:
        unit = normalize_unit(unit, quantity="glucose", field="unit")
    out_unit = normalize_unit(unit_out, quantity="glucose", field="unit_out")
    if _is_dask_frame(source):
        return _compute_frame(
            source, columns, names, by, unit, dt0, window, day0, out_unit, client, scheduler,
            n_workers, progress,
        )  # fmt: skip
    files = parquet_files(source)
    mapping = _columns(files, columns)
    counts = (  # readings per subject: one pass over the id columns only
        pl.concat([pl.scan_parquet(f).select(mapping["id"]) for f in files])
        .group_by(mapping["id"])
        .len()
        .sort(mapping["id"])
        .collect()
    )
    if counts.height == 0:
        raise InputError("the Parquet files hold no readings", field="files")
    spec = _Spec(mapping, names, by, unit, dt0, window, day0)
    with dask_session(client, scheduler, n_workers) as the_client:
        ranges = task_ranges(counts, the_client, buckets, per_thread=4)
        futures = the_client.map(
            _bucket_task, ranges, files=[str(f) for f in files], spec=spec, pure=False
        )
        results = gather(the_client, futures, progress=progress)
    return _finish(results, out_unit, len(ranges))


def _compute_frame(
    ddf: Any,
    columns: dict[str, str] | None,
    names: list[str],
    by: str | None,
    unit: str | None,
    dt0: float | None,
    window: tuple[Any, Any] | None,
    day0: Any,
    out_unit: str,
    client: Any,
    scheduler: str | None,
    n_workers: int | None,
    progress: bool,
) -> DistributedResult:
    """A Dask DataFrame: shuffled by subject id (whole subjects per partition), then each
    partition through the single-machine engine as polars."""
    from dask.delayed import delayed

    mapping = _mapping([str(c) for c in ddf.columns], columns, "the Dask DataFrame")
    spec = _Spec(mapping, names, by, unit, dt0, window, day0)
    parts = ddf.shuffle(on=mapping["id"]).to_delayed()
    tasks = [delayed(_pandas_task)(p, spec) for p in parts]
    with dask_session(client, scheduler, n_workers) as the_client:
        results = gather(the_client, list(the_client.compute(tasks)), progress=progress)
    if not any(r[2] for r in results):
        raise InputError("the Dask DataFrame holds no readings", field="source")
    return _finish(results, out_unit, len(tasks))


def _finish(results: list[_TaskResult], out_unit: str, k: int) -> DistributedResult:
    """The tasks' parts put together (:func:`~endolab.cgm.compute.combine`)."""
    done = [r for r in results if r[2]]  # tasks that had readings
    units = {u for _, u, _, _ in done}
    if len(units) > 1:
        raise InputError(
            "the glucose unit detected differs between subjects (mg/dL and mmol/L); give the "
            "unit of the files (--unit)",
            field="unit",
        )
    keys = list(done[0][2])
    expected_parts = [e for _, _, _, e in done if e is not None]
    expected = (
        pl.concat(expected_parts, how="vertical").unique(keys, maintain_order=True)
        if expected_parts
        else None
    )
    parts = [p for p, _, _, _ in done if p.table.height] or [done[0][0]]
    result = combine(parts, keys, expected=expected, unit_out=out_unit)
    return DistributedResult(
        table=result.table,
        notices=result.notices,
        unit=out_unit,
        measured_unit=units.pop() if units else "mg/dL",
        tasks=k,
    )
