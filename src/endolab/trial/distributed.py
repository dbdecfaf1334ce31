"""`trial analyze --engine dask`: a trial whose CGM table is larger than memory, read on Dask.

The CGM table must be Parquet: ``cgm.parquet`` or a folder ``cgm/`` of Parquet parts. The client
counts each participant's readings and splits the participants into contiguous id ranges of about
equal readings (:func:`endolab._dask.id_ranges`); one Dask task per range reads only
that range's CGM rows, validates them with the dataset's own checks
(:func:`~endolab.trial.dataset.validate_tables`, with the participants table: keys, unknown
participants, plausibility) and returns what the analysis needs from them — each participant's
sampling interval over **all** of their readings (:func:`~endolab.trial.endpoints.
cgm_sampling_interval`) and the readings that fall in any window of the protocol (every CGM
endpoint, grade and figure uses only readings in its window). The client then reads the other
tables as :func:`~endolab.trial.read_dataset` does, with the window readings as the CGM table,
and :func:`~endolab.trial.analyze` runs unchanged with the precomputed intervals. The endpoints
equal those of the single-machine engine (tested).

Memory on the client: the other tables plus the readings in the protocol's windows (for the
zimislecel-2025 protocol about 20 % of a year of CGM); on a worker: one range of ≈ 5 M readings.
Needs the optional extra ``endolab[dask]``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from endolab.errors import DataFileError, InputError
from endolab.notices import Notice
from endolab.trial.analysis import TrialAnalysis, analyze
from endolab.trial.dataset import (
    FILES,
    dataset_folder,
    empty_table,
    read_dataset,
    read_table,
    validate_tables,
)
from endolab.trial.endpoints import cgm_sampling_interval
from endolab.trial.infusions import day0_offsets
from endolab.trial.protocol import Protocol

__all__ = ["analyze_dask", "cgm_parquet_files", "protocol_windows"]

_CGM_COLUMNS = [c.name for c in FILES["cgm"]]


def cgm_parquet_files(folder: str | Path) -> list[Path]:
    """The CGM table of a dataset folder as Parquet files: ``cgm.parquet`` or ``cgm/*.parquet``."""
    path = dataset_folder(folder)
    single = path / "cgm.parquet"
    parts = sorted((path / "cgm").glob("*.parquet")) if (path / "cgm").is_dir() else []
    if single.is_file() and parts:
        raise DataFileError("both cgm.parquet and a cgm/ folder are present; keep one", file="cgm")
    if single.is_file():
        return [single]
    if parts:
        return parts
    if (path / "cgm.csv").is_file():
        raise InputError(
            "--engine dask needs the CGM table as Parquet (cgm.parquet or a folder cgm/ of Parquet "
            "parts); cgm.csv is read by the default engine",
            field="engine",
            value="dask",
        )
    raise DataFileError(
        f"required file is missing (expected cgm.parquet or cgm/*.parquet in {str(path)!r})",
        file="cgm.parquet",
    )


def protocol_windows(protocol: Protocol) -> list[tuple[int, int]]:
    """Every window of study days named in ``protocol`` (endpoints, continuous values, grading)."""
    found: set[tuple[int, int]] = set()

    def walk(value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, str(k))
        elif isinstance(value, (list, tuple)):
            if (
                "window" in key
                and len(value) == 2
                and all(isinstance(x, int) and not isinstance(x, bool) for x in value)
            ):
                found.add((int(value[0]), int(value[1])))
            else:
                for v in value:
                    walk(v, key)

    walk(
        {
            "endpoints": {k: v.model_dump() for k, v in protocol.endpoints.items()},
            "continuous": protocol.continuous.model_dump(),
            "grading": protocol.grading.model_dump(),
        }
    )
    return sorted(found)


def _range_task(
    bounds: tuple[Any, Any],
    files: list[str],
    participants: pl.DataFrame,
    windows: list[tuple[int, int]],
    from_last: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame, int, tuple[Notice, ...]]:
    """One range of participants: (intervals, readings in any window, reading count, notices).

    The participants' own values are checked once, by the final :func:`read_dataset`; here only
    the CGM rows are, so the participants' confirmable findings are accepted and not kept.
    ``from_last``: some windows count from the last infusion, so a reading is also kept when its
    day counted from the second infusion falls in a window (:mod:`endolab.trial.infusions`).
    """
    lo, hi = bounds
    pid = pl.col("participant_id")
    keep = pid.is_null() if lo is None and hi is None else pid.is_between(pl.lit(lo), pl.lit(hi))
    frame = pl.concat([pl.scan_parquet(f).filter(keep) for f in files], how="diagonal").collect()
    ds = validate_tables(
        {
            "participants": participants,
            "cgm": frame,
            "labs": empty_table("labs"),
            "insulin": empty_table("insulin"),
            "events": empty_table("events"),
        },
        source="cgm",
        accept_units=True,
    )
    notes = tuple(n for n in ds.notices if n.message.startswith("cgm"))
    day = pl.col("day")
    # each participant's last reading is kept too: it is their last observation (follow-up and the
    # survival analysis's censoring), outside every window it enters no endpoint
    last = pl.col("time") == pl.col("time").max().over("participant_id")
    cgm = ds.cgm
    days = [day]
    if from_last:
        cgm = cgm.join(day0_offsets(ds), on="participant_id", how="left")
        days.append(day - pl.col("day0_offset"))
    in_any = (
        pl.any_horizontal([d.is_between(a, b) for d in days for a, b in windows])
        if windows
        else None
    )
    rows = cgm.filter(last if in_any is None else (in_any | last))
    return cgm_sampling_interval(ds.cgm), rows.select(_CGM_COLUMNS), ds.cgm.height, notes


def analyze_dask(
    folder: str | Path,
    protocol: Protocol,
    *,
    client: Any = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    buckets: int | None = None,
    accept_units: bool = False,
) -> tuple[TrialAnalysis, tuple[Notice, ...]]:
    """:func:`~endolab.trial.analyze` of a dataset folder whose CGM table is read on Dask.

    Returns the analysis and the CGM notices of the tasks (plausibility warnings), as data.
    Errors in the CGM table are the same one-line :class:`~endolab.errors.DataFileError` as on one
    machine (row numbers count within the task's rows).
    """
    from endolab._dask import dask_session, gather, require_dask, task_ranges

    require_dask()
    files = cgm_parquet_files(folder)
    participants = read_table(folder, "participants")
    counts = (
        pl.concat([pl.scan_parquet(f).select("participant_id") for f in files], how="vertical")
        .group_by("participant_id")
        .len()
        .sort("participant_id")
        .collect()
    )
    windows = protocol_windows(protocol)
    with dask_session(client, scheduler, n_workers) as the_client:
        futures = the_client.map(
            _range_task,
            task_ranges(counts, the_client, buckets, per_thread=2),
            files=[str(f) for f in files],
            participants=participants,
            windows=windows,
            from_last=any(
                protocol.day0_of(part) == "last"
                for part in [*protocol.endpoints, "continuous", "grading"]
            ),
            pure=False,
        )
        results = gather(the_client, futures)
    parts = list(results)
    intervals = (
        pl.concat([r[0] for r in parts], how="vertical").sort("participant_id")
        if parts
        else pl.DataFrame()
    )
    window_rows = pl.concat([r[1] for r in parts], how="vertical") if parts else empty_table("cgm")
    total = sum(r[2] for r in parts)
    notes = tuple(dict.fromkeys(n for r in parts for n in r[3]))
    ds = read_dataset(folder, cgm=window_rows, accept_units=accept_units)
    if not parts:
        intervals = cgm_sampling_interval(ds.cgm)
    analysis = analyze(ds, protocol, cgm_intervals=intervals, cgm_readings=total)
    analysis.notices.extend(n for n in notes if n not in analysis.notices)
    return analysis, notes
