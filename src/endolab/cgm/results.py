"""Results with their notices as data: reading, episodes, the AGP, and metrics of files on an engine.

Each function here runs the engine's function of the same capability inside an
:func:`endolab.notices.collect` block and returns its value together with every notice found on
the way (:class:`endolab.notices.Notice`), in order, each once; nothing is warned unless
``warn=True`` (the optional echo for library users). The blocks are per thread and per asyncio
task, so a server can run these calls at the same time for different requests without a lock and
each result carries exactly its own notices. :func:`endolab.cgm.metrics_result` does the same for
the metrics table; :func:`metrics_of_files` chooses the engine (this process or Dask) for files.

>>> csv = b"id,time,gl\\na,2024-01-01T00:05,110\\na,2024-01-01T00:00,100\\n"
>>> data = load_cgm(csv, name="a.csv")
>>> data.frame.get_column("gl").to_list(), [(n.code, n.field) for n in data.notices]
([100.0, 110.0], [('W_CGM_DATA_CHANGED', 'a.csv')])
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

import polars as pl

from endolab.cgm.agp import agp_figure, agp_metrics
from endolab.cgm.compute import MetricsResult, metrics_result
from endolab.cgm.data import CgmData
from endolab.cgm.episode_calc import episodes
from endolab.cgm.readers import CGMSource, ReaderName, read_cgm
from endolab.errors import InputError
from endolab.notices import Notice, collect, echo, unique
from endolab.resources import CGM_READ_COST, check_input_memory
from endolab.units import normalize_unit

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "CLI_OPTION_NAMES",
    "AgpResult",
    "CgmData",
    "EpisodesResult",
    "agp_result",
    "episodes_result",
    "load_cgm",
    "load_cgm_with_options",
    "metrics_of_files",
]

#: The engines of :func:`metrics_of_files`.
ENGINES = ("local", "dask")


def load_cgm(
    sources: CGMSource | Sequence[CGMSource],
    *,
    reader: ReaderName = "auto",
    unit: str | None = None,
    names: Sequence[str | None] | None = None,
    progress: Callable[[str], None] | None = None,
    warn: bool = False,
    **options: Any,
) -> CgmData:
    """:func:`endolab.cgm.readers.read_cgm` (same arguments) with its notices returned as data
    (``warn=True`` also echoes them as warnings)."""
    listed = sources if isinstance(sources, (list, tuple)) else [sources]
    # files too large for this machine's memory: refused before reading (issue 18)
    check_input_memory(
        [s for s in listed if isinstance(s, (str, os.PathLike))],
        CGM_READ_COST,
        hint="give fewer or smaller files, or use Parquet with engine='dask' (cgm metrics; "
        "docs/dask.md)",
        ask="engine_dask_cgm",
    )
    with collect() as found:
        frame = read_cgm(
            sources, reader=reader, unit=unit, names=names, progress=progress, **options
        )
    data = CgmData(frame, unique(found))
    if warn:
        echo(data.notices, stacklevel=2)
    return data


#: The reading options of :func:`load_cgm_with_options` (and the report's, in
#: :func:`endolab.cgm.report.report_of_sources`) as the command line spells them: the messages
#: name the option (a front end with other names passes its own, e.g. its form fields).
CLI_OPTION_NAMES: Final[Mapping[str, str]] = {
    "subjects": "--id",
    "report_unit": "--report-unit",
    "unit": "--unit",
    "reader": "--reader",
    "date_order": "--date-order",
    "compare": "--compare",
    "meal_windows": "--meal-windows",
}


def load_cgm_with_options(
    sources: CGMSource | Sequence[CGMSource],
    *,
    names: Sequence[str | None] | None = None,
    unit: str | None = None,
    reader: str = "auto",
    date_order: str = "auto",
    subjects: Sequence[str] | None = None,
    option_names: Mapping[str, str] = CLI_OPTION_NAMES,
) -> CgmData:
    """:func:`load_cgm` with the reading options as a person gives them, as text: what ``endolab
    cgm report``, the /cgm page (its Analyse and report buttons) and the web API's CGM uploads
    call, so that each reads a file with the same options the same way.

    ``unit``: the glucose unit of the input (``--unit``, for a generic file without one; ``None``
    or ``""``: as the file says); ``reader``, ``date_order``: ``--reader``, ``--date-order``
    (:func:`endolab.cgm.readers.reader_options`); ``subjects``: keep these subjects only
    (``--id``; default every one; one not in the file is refused, naming the subjects found);
    ``option_names``: how messages name each option (:data:`CLI_OPTION_NAMES` by default). An
    ambiguous date order is a :class:`endolab.cgm.readers.DateOrderError`, whose request the
    front end words (its :meth:`~endolab.cgm.readers.DateOrderError.asking`).

    >>> csv = b"id,time,gl\\na,03/05/2024 00:00,5.5\\na,03/05/2024 00:05,6.0\\n"
    >>> data = load_cgm_with_options(csv, names=["a.csv"], unit="mmol/l", date_order="dmy")
    >>> data.frame.get_column("time").dt.month().to_list(), data.frame.get_column("gl").to_list()
    ([5, 5], [99.0, 108.0])
    >>> load_cgm_with_options(csv, names=["a.csv"], unit="g/L")
    Traceback (most recent call last):
    ...
    endolab.errors.UnitError: --unit: unknown unit 'g/L' for glucose; accepted: mg/dL, mmol/L
    """
    from endolab.cgm.readers import reader_options

    label = {**CLI_OPTION_NAMES, **option_names}
    in_unit = (
        normalize_unit(unit, quantity="glucose", field=label["unit"], prefix_field=True)
        if unit
        else None
    )
    options = reader_options(
        reader, date_order, reader_field=label["reader"], date_order_field=label["date_order"]
    )
    data = load_cgm(sources, names=names, unit=in_unit, **options)
    if not subjects:
        return data
    known = data.ids
    wanted = list(dict.fromkeys(str(s) for s in subjects))
    for s in wanted:
        if s not in known:
            raise InputError(
                f"{label['subjects']}: subject {s!r} not found; subjects: {', '.join(known[:10])}",
                field=label["subjects"],
                value=s,
            )
    return CgmData(data.frame.filter(pl.col("id").is_in(wanted)), data.notices)


def _split(data: Any) -> tuple[Any, tuple[Notice, ...]]:
    if isinstance(data, CgmData):
        return data.frame, data.notices
    return data, ()


@dataclass(frozen=True)
class EpisodesResult:
    """Consensus episodes (:func:`endolab.cgm.episodes`) with their notices: ``table`` one row per
    episode, ``summary`` one row per group, ``notices`` as data."""

    table: pl.DataFrame
    summary: pl.DataFrame
    notices: tuple[Notice, ...] = ()


def episodes_result(data: Any, *, warn: bool = False, **options: Any) -> EpisodesResult:
    """:func:`endolab.cgm.episodes` of a frame or :class:`CgmData` (same keyword options), with
    the notices (the data's first) returned as data."""
    frame, given = _split(data)
    with collect() as found:
        out = episodes(frame, **options)
    result = EpisodesResult(out.table, out.summary, unique([*given, *found]))
    if warn:
        echo(result.notices, stacklevel=2)
    return result


@dataclass(frozen=True)
class AgpResult:
    """The AGP report figure of one subject (:func:`endolab.cgm.agp_figure`) with its notices and
    the panel's metrics (:func:`endolab.cgm.agp.agp_metrics`: the consensus row and the
    sufficiency verdict, as drawn)."""

    figure: Figure
    subject: str
    notices: tuple[Notice, ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)


def agp_result(data: Any, subject_id: str, *, warn: bool = False, **options: Any) -> AgpResult:
    """:func:`endolab.cgm.agp_figure` of one subject of a frame or :class:`CgmData` (same keyword
    options), with the panel's metrics and the notices (the data's first) returned as data."""
    frame, given = _split(data)
    with collect() as found:
        panel = agp_metrics(frame, subject_id)
        fig = agp_figure(frame, subject_id, metrics=panel, **options)
    result = AgpResult(fig, str(subject_id), unique([*given, *found]), panel)
    if warn:
        echo(result.notices, stacklevel=2)
    return result


def metrics_of_files(
    sources: Sequence[str | os.PathLike[str]],
    *,
    engine: str = "local",
    metrics: str | Sequence[str] = "core",
    by: str | None = None,
    window: tuple[Any, Any] | None = None,
    day0: Any = None,
    unit: str | None = None,
    unit_out: str = "mg/dL",
    columns: dict[str, str] | None = None,
    scheduler: str | None = None,
    n_workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    dask_progress: bool = False,
    **read_options: Any,
) -> MetricsResult:
    """The metrics of CGM files on the chosen engine, with their notices as data.

    ``engine="local"``: every file is read in this process (any supported format;
    :func:`load_cgm` with ``unit``, ``columns``, ``progress`` and ``read_options`` such as
    ``reader``, ``date_order``, ``include_scans``) and computed with :func:`metrics_result`.
    ``engine="dask"``: Parquet files (paths, folders or globs) are computed on a Dask cluster —
    the scheduler at ``scheduler``, else a ``LocalCluster`` of ``n_workers`` —
    (:func:`endolab.cgm.distributed.compute_metrics_dask`; ``dask_progress`` shows Dask's
    progress bar); it returns a :class:`~endolab.cgm.distributed.DistributedResult` (a
    :class:`~endolab.cgm.compute.MetricsResult` with ``tasks``). Both give the same table and
    notices. The other arguments are those of :func:`metrics_result`.

    Raises
    ------
    InputError
        An unknown engine; ``scheduler``/``n_workers`` with the local engine; reader options with
        Dask (only generic Parquet columns are read there).
    MissingExtraError
        ``engine="dask"`` without the ``dask`` extra (exit status 2).
    """
    how = engine.strip().lower()
    if how not in ENGINES:
        raise InputError(
            f"engine must be local or dask, got {engine!r}", field="engine", value=engine
        )
    if how == "local":
        if scheduler is not None or n_workers is not None:
            raise InputError("scheduler and n_workers need engine='dask'", field="engine")
        options: dict[str, Any] = dict(read_options)
        if columns:
            options["columns"] = columns
        data = load_cgm(list(sources), unit=unit, progress=progress, **options)
        return metrics_result(
            data, metrics=metrics, by=by, window=window, day0=day0, unit_out=unit_out
        )
    from endolab.cgm.distributed import compute_metrics_dask, parquet_files, require_dask

    require_dask()
    given = sorted(k for k, v in read_options.items() if v not in (None, False, "auto", "generic"))
    if given:
        raise InputError(
            f"{', '.join(given)} not supported with engine='dask' (generic Parquet files)",
            field="engine",
            value="dask",
        )
    return compute_metrics_dask(
        [str(f) for f in parquet_files(list(sources))],
        metrics=metrics,
        by=by,
        unit=unit,
        unit_out=unit_out,
        columns=columns or None,
        scheduler=scheduler,
        n_workers=n_workers,
        progress=dask_progress,
        window=window,
        day0=day0,
    )
