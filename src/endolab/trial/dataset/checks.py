"""The checks of a trial dataset: each table on its own (types, empty cells, ranges, codes, keys,
all driven by :mod:`endolab.trial.dataset.schema`), then across tables (participant ids, infusion
dates, duplicate readings, plausibility), and the assembly of the :class:`TrialDataset`.

A problem is a :class:`~endolab.errors.DataFileError` naming the file (or table), the row (numbered
as in a CSV file: header = row 1, first data row = 2) and the column. :class:`Problems` decides
whether it is raised at once (:func:`~endolab.trial.dataset.read_dataset`) or collected with the
others (:func:`~endolab.trial.dataset.check_dataset`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import polars as pl

from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import Ask, DataFileError
from endolab.notices import Notice, Severity
from endolab.trial.dataset.model import PLAUSIBILITY_CODE, TrialDataset
from endolab.trial.dataset.schema import (
    FILES,
    KEYS,
    MAX_DATE,
    MIN_DATE,
    Column,
    Kind,
    dtype,
)
from endolab.trial.plausibility import CONFIRM_HINT, check_plausibility

__all__ = ["no_participants_error", "simulation_notices", "validate_tables"]

_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
)


class Problems:
    """Where a check reports a problem: raised at once (``collect=False``, :func:`read_dataset`)
    or collected so that every problem of a dataset is reported in one run (:func:`check_dataset`).
    Notices (plausibility findings that do not stop the analysis) are kept as data, for the
    dataset's :attr:`TrialDataset.notices`. A confirmable unit finding (:meth:`suspect`) is a
    problem unless ``accept_units``, then a notice."""

    def __init__(self, collect: bool = False, accept_units: bool = False) -> None:
        self.collect = collect
        self.accept_units = accept_units
        self.errors: list[DataFileError] = []
        self.warnings: list[str] = []

    def add(self, error: DataFileError, mask: pl.Series | None = None, *, last: str = "") -> None:
        """Report ``error``; with ``mask`` (the rows it applies to) say how many more rows (when
        collecting); ``last`` is appended at the very end of the message."""
        more = int(mask.fill_null(False).sum()) - 1 if mask is not None and self.collect else 0
        if more > 0 or last:
            rows = f" ({more:,} more row(s) like it)" if more > 0 else ""
            error.message = f"{error.message}{rows}{last}"
            error.args = (error.message,)
        if not self.collect:
            raise error
        self.errors.append(error)

    def warn(self, message: str) -> None:
        if message not in self.warnings:
            self.warnings.append(message)

    def suspect(self, error: DataFileError, mask: pl.Series | None = None) -> None:
        """A confirmable unit finding: a problem, or with ``accept_units`` a notice."""
        if not self.accept_units:
            # the message ends with the request once add() has appended it
            error.ask = Ask("accept_units", "accept_units", CONFIRM_HINT)
            self.add(error, mask, last=f"; {CONFIRM_HINT}")
            return
        self.warn(f"{error} — confirmed as given (--accept-units)")


def _first_row(mask: pl.Series) -> int | None:
    """1-based CSV row number (header = row 1) of the first True in ``mask``, or None."""
    idx = mask.arg_true()
    return None if idx.len() == 0 else int(idx[0]) + 2


def _bad(
    file: str, row: int | None, column: str, message: str, value: object = None
) -> DataFileError:
    return DataFileError(message, file=file, row=row, column=column, value=value)


def _report_rows(
    report: Problems,
    mask: pl.Series,
    file: str,
    column: str,
    message: str | Callable[[int], str],
    value: Callable[[int], object] | None = None,
) -> None:
    """Report the rows of ``mask`` (at least one True, no null) as one problem of ``column``.

    The problem names the first such row; ``message`` and ``value`` (text, or functions of that
    row's 0-based index in the table) say what is wrong there, and :meth:`Problems.add` adds how
    many more rows are like it when problems are collected.
    """
    row = _first_row(mask)
    assert row is not None
    index = row - 2
    text = message if isinstance(message, str) else message(index)
    report.add(_bad(file, row, column, text, None if value is None else value(index)), mask)


def _example(series: pl.Series, index: int) -> str:
    value = series[index]
    return repr(value) if value is not None else "empty"


def _parse_text(series: pl.Series, kind: Kind) -> pl.Series:
    """Parse a String series to ``kind``; unparseable values become null."""
    if kind == "number":
        return series.cast(pl.Float64, strict=False)
    if kind == "date":
        return series.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    parsed = series.str.strptime(
        pl.Datetime("us"), _DATETIME_FORMATS[0], strict=False, exact=True, cache=False
    )
    for fmt in _DATETIME_FORMATS[1:]:
        pending = parsed.is_null() & series.is_not_null()
        if not pending.any():
            break
        parsed = parsed.fill_null(
            series.str.strptime(pl.Datetime("us"), fmt, strict=False, exact=True, cache=False)
        )
    return parsed


def _from_typed(series: pl.Series, col: Column, file: str) -> pl.Series:
    """Convert a typed (Parquet) column to the column's type, or raise naming the column.

    A column with no value at all (Parquet null type, or e.g. a float column of nulls written by
    pandas for an all-empty CSV column) is a column of empty cells of the column's type.
    """
    given = series.dtype
    kind = col.kind
    if series.null_count() == series.len():
        return pl.Series(series.name, [None] * series.len(), dtype=dtype(kind))
    if kind == "text" and (given.is_numeric() or given in (pl.Boolean, pl.Categorical)):
        return series.cast(pl.String)
    if kind == "text" and isinstance(given, pl.Enum):
        return series.cast(pl.String)
    if kind == "number" and given.is_numeric():
        return series.cast(pl.Float64)
    if kind == "date" and given == pl.Date:
        return series
    if kind == "date" and isinstance(given, pl.Datetime):
        return series.dt.date()
    if kind == "datetime" and isinstance(given, pl.Datetime):
        if given.time_zone is not None:
            series = series.dt.replace_time_zone(None)
        return series.cast(pl.Datetime("us"))
    wanted = {
        "text": "text",
        "number": "a number",
        "date": "an ISO 8601 date",
        "datetime": "an ISO 8601 date-time",
    }[kind]
    row = _first_row(series.is_not_null())
    raise _bad(file, row, col.name, f"holds {given} values; {wanted} is required")


#: What a value of each kind must be, in the messages.
_WANTED: dict[Kind, str] = {
    "number": "a number",
    "date": "an ISO 8601 date (YYYY-MM-DD)",
    "datetime": "an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS)",
    "text": "text",
}


def _parse_column(
    series: pl.Series, col: Column, file: str, report: Problems
) -> tuple[pl.Series, pl.Series]:
    """The column parsed to its type and the mask of its empty cells (unparseable values null).

    Text cells are stripped of surrounding spaces. Other cells are parsed as given and, only where
    that fails, again after stripping (so padded values are accepted without stripping millions of
    well-formed cells). A typed (Parquet) column of another type is reported here.
    """
    if series.dtype != pl.String:
        try:
            parsed = _from_typed(series, col, file)
        except DataFileError as exc:
            report.add(exc)
            return pl.Series(
                col.name, [None] * series.len(), dtype=dtype(col.kind)
            ), series.is_null()
        return parsed, series.is_null()
    if col.kind == "text":
        parsed = series.str.strip_chars().replace("", None)
        return parsed, parsed.is_null()
    missing = series.is_null()
    parsed = _parse_text(series, col.kind)
    failed = parsed.is_null() & ~missing
    if failed.any():
        idx = failed.arg_true()
        retry = series.gather(idx).str.strip_chars().replace("", None)
        parsed = parsed.scatter(idx, _parse_text(retry, col.kind))
        missing = missing.scatter(idx, retry.is_null())
    return parsed, missing


# Each check of one column's values: (series as given, parsed values, empty cells, column, file)
# → the parsed values, with the values it reported set to null so that no later check repeats them.
_CellCheck = Callable[[pl.Series, pl.Series, pl.Series, Column, str, "Problems"], pl.Series]


def _check_required(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """A required column has a value in every row."""
    if col.required and missing.any():
        _report_rows(
            report, missing, file, col.name, "a value is required here but the cell is empty"
        )
    return parsed


def _check_type(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """Every value given is of the column's type."""
    wrong = parsed.is_null() & ~missing
    if wrong.any():

        def what(index: int) -> str:
            value = series[index]
            reason = iso_calendar_problem(value) if isinstance(value, str) else None
            if col.kind in ("date", "datetime") and reason is not None:
                return not_a_calendar_date(repr(str(value).strip()), reason)  # 2026-02-30 (#18)
            return f"{_example(series, index)} is not {_WANTED[col.kind]}"

        _report_rows(report, wrong, file, col.name, what, lambda index: series[index])
    return parsed


def _check_finite(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """A number is finite (not NaN or infinite)."""
    if col.kind != "number":
        return parsed
    finite = parsed.is_finite() | parsed.is_null()
    if not finite.all():
        _report_rows(
            report, ~finite, file, col.name, "must be a finite number (not NaN or infinite)"
        )
        parsed = parsed.set(~finite, None)
    return parsed


def _out_of_range(
    parsed: pl.Series, low: pl.Series, col: Column, file: str, report: Problems, rule: str
) -> pl.Series:
    """Report the rows of ``low`` (a value outside the column's range) and set them to null."""
    low = low.fill_null(False)
    if low.any():
        _report_rows(
            report, low, file, col.name, lambda i: f"{parsed[i]} is not accepted; must be {rule}"
        )
        parsed = parsed.set(low, None)  # reported: not checked again
    return parsed


def _check_positive(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """A number declared ``positive`` is greater than 0."""
    if col.kind != "number" or not col.positive:
        return parsed
    return _out_of_range(parsed, parsed <= 0, col, file, report, "greater than 0")


def _check_minimum(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """A number is at least the column's ``minimum``."""
    if col.kind != "number" or col.minimum is None:
        return parsed
    return _out_of_range(parsed, parsed < col.minimum, col, file, report, f"≥ {col.minimum:g}")


def _check_date_range(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """A date or date-time lies from :data:`MIN_DATE` to :data:`MAX_DATE`."""
    if col.kind == "date":
        out = (parsed < MIN_DATE) | (parsed > MAX_DATE)
    elif col.kind == "datetime":
        out = (parsed < dt.datetime.combine(MIN_DATE, dt.time())) | (
            parsed >= dt.datetime.combine(MAX_DATE + dt.timedelta(days=1), dt.time())
        )
    else:
        return parsed
    out = out.fill_null(False)
    if out.any():
        _report_rows(
            report,
            out,
            file,
            col.name,
            lambda i: (
                f"{col.kind.replace('datetime', 'time')} {parsed[i]} is outside the "
                f"accepted range {MIN_DATE} to {MAX_DATE}"
            ),
        )
    return parsed


def _check_codes(
    series: pl.Series,
    parsed: pl.Series,
    missing: pl.Series,
    col: Column,
    file: str,
    report: Problems,
) -> pl.Series:
    """A text column with ``allowed`` codes holds only those (case-sensitive)."""
    if not col.allowed:
        return parsed
    bad = ~parsed.is_in(list(col.allowed)) & parsed.is_not_null()
    if bad.any():
        _report_rows(
            report,
            bad,
            file,
            col.name,
            lambda i: f"{parsed[i]!r} is not accepted; use one of {', '.join(col.allowed)}",
            lambda i: parsed[i],
        )
    return parsed


#: The checks of one column's cells, in the order they run (each sees what the earlier ones left;
#: :func:`_check_codes` runs after every column's cells, as the table's next step).
CELL_CHECKS: tuple[_CellCheck, ...] = (
    _check_required,
    _check_type,
    _check_finite,
    _check_positive,
    _check_minimum,
    _check_date_range,
)


def _coerce(
    series: pl.Series, col: Column, file: str, problems: Problems | None = None
) -> pl.Series:
    """Parse one column to its type and run :data:`CELL_CHECKS` on it."""
    report = problems or Problems()
    parsed, missing = _parse_column(series, col, file, report)
    for check in CELL_CHECKS:
        parsed = check(series, parsed, missing, col, file, report)
    return parsed


def validate_table(
    raw: pl.DataFrame, name: str, fname: str, problems: Problems | None = None
) -> pl.DataFrame:
    """Check and type one raw table (text or typed columns); errors name ``fname``."""
    report = problems or Problems()
    columns = FILES[name]
    absent: set[str] = set()
    for col in columns:
        if col.name not in raw.columns and not col.required:
            # an optional column ("date, optional" in the format) may be left out: all empty
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(col.name))
        if col.name not in raw.columns:
            report.add(
                DataFileError(
                    "required column is missing "
                    f"(the file has: {', '.join(raw.columns) or 'no columns'})",
                    file=fname,
                    row=1,
                    column=col.name,
                )
            )
            absent.add(col.name)
    parsed = {
        col.name: (
            pl.Series(col.name, [None] * raw.height, dtype=dtype(col.kind))
            if col.name in absent
            else _coerce(raw.get_column(col.name), col, fname, report)
        )
        for col in columns
    }
    for col in columns:  # after every column's cells (the order in which problems are named)
        parsed[col.name] = _check_codes(
            raw.get_column(col.name) if col.name in raw.columns else parsed[col.name],
            parsed[col.name],
            parsed[col.name].is_null(),
            col,
            fname,
            report,
        )
    frame = pl.DataFrame(parsed)
    for col in columns:
        if col.not_before is not None:
            _check_order(frame, col.name, col.not_before, fname, report)
    keys = KEYS.get(name)
    if keys and frame.height:
        dup = ~frame.select(pl.struct(list(keys)).is_first_distinct()).to_series()
        if dup.any():
            _report_rows(
                report,
                dup,
                fname,
                " + ".join(keys),
                lambda i: (
                    f"duplicate key ({', '.join(f'{k}={frame[k][i]}' for k in keys)}) "
                    "already given on an earlier row"
                ),
            )
    return frame


def _check_order(
    frame: pl.DataFrame, later: str, earlier: str, fname: str, report: Problems
) -> None:
    """A date that precedes the date it may not precede on the same row (e.g. an event's
    ``end_date`` before its ``start_date``) is an error naming the first such row."""
    wrong = (frame.get_column(later) < frame.get_column(earlier)).fill_null(False)
    if wrong.any():
        _report_rows(
            report,
            wrong,
            fname,
            later,
            lambda i: f"{later} {frame[later][i]} is before {earlier} {frame[earlier][i]}",
            lambda i: frame[later][i],
        )


def _check_ids(
    frame: pl.DataFrame, fname: str, ids: pl.Series, problems: Problems | None = None
) -> None:
    unknown = (~frame.get_column("participant_id").is_in(ids.implode())).fill_null(False)
    if unknown.any():
        pid = frame.get_column("participant_id")
        _report_rows(
            problems or Problems(),
            unknown,
            fname,
            "participant_id",
            lambda i: f"participant {pid[i]!r} is not in participants (unknown participant id)",
            lambda i: pid[i],
        )


def _with_day(
    frame: pl.DataFrame, starts: pl.DataFrame, date_col: str, day_col: str
) -> pl.DataFrame:
    return (
        frame.join(starts, on="participant_id", how="left")
        .with_columns(
            (pl.col(date_col) - pl.col("_day0")).dt.total_days().cast(pl.Int32).alias(day_col)
        )
        .drop("_day0")
    )


def _sorted_cgm(
    cgm: pl.DataFrame, participants: pl.DataFrame, fname: str, problems: Problems | None = None
) -> pl.DataFrame:
    """Sort CGM by participant then time, reject a duplicate (participant_id, time), add ``day``.

    Vectorised for millions of rows: participants become integer codes (their order in the
    sorted participants table), the sort is skipped when the file is already in order, and
    duplicates are found as equal neighbours after a stable sort (the error names the later row).
    """
    # (participants with a missing or repeated id reach here only when problems are collected)
    known = participants.filter(pl.col("participant_id").is_not_null()).unique(
        "participant_id", keep="first", maintain_order=True
    )
    ids = known.get_column("participant_id")
    day0 = known.get_column("infusion_date")
    code = cgm.get_column("participant_id").cast(pl.Enum(ids.to_list()), strict=False).to_physical()
    frame = cgm.with_columns(
        code.alias("_code"), pl.int_range(pl.len(), dtype=pl.Int64).alias("_row")
    )
    if frame.select(pl.col("_code").is_null().any() | pl.col("time").is_null().any()).item():
        # only when problems are collected: rows already reported (unknown id, no time)
        frame = frame.filter(pl.col("_code").is_not_null() & pl.col("time").is_not_null())
    step = pl.col("_code").diff()
    in_order = frame.select(
        ((step > 0) | ((step == 0) & (pl.col("time").diff() > pl.duration(microseconds=0)))).all()
    ).item()
    if frame.height > 1 and not in_order:
        frame = frame.sort("_code", "time", maintain_order=True)
    dup = frame.select(
        (pl.col("_code") == pl.col("_code").shift(1)) & (pl.col("time") == pl.col("time").shift(1))
    ).to_series()
    if dup.any():
        first = int(frame.get_column("_row").filter(dup).min())  # type: ignore[arg-type]
        row = first + 2
        key = f"participant_id={cgm['participant_id'][first]}, time={cgm['time'][first]}"
        (problems or Problems()).add(
            _bad(
                fname,
                row,
                "participant_id + time",
                f"duplicate key ({key}) already given on an earlier row",
            ),
            dup,
        )
    # day = calendar date of the reading − infusion date, in integer days since the epoch
    # (floor division also handles times before 1970).
    start = day0.cast(pl.Int32).gather(frame.get_column("_code"))
    return frame.with_columns(
        (pl.col("time").dt.epoch("us") // 86_400_000_000 - start).cast(pl.Int32).alias("day")
    ).drop("_code", "_row")


def validate_tables(
    tables: Mapping[str, pl.DataFrame],
    *,
    source: str = "in-memory dataset",
    simulation: Mapping[str, Any] | None = None,
    accept_units: bool = False,
) -> TrialDataset:
    """Validate in-memory tables with the same checks as :func:`read_dataset` (``accept_units``
    as there).

    ``tables`` maps each of ``participants``, ``cgm``, ``labs``, ``insulin``, ``events`` to a polars
    frame whose columns are text (as read from CSV) or already typed (numbers, dates, datetimes).
    Errors name the table (e.g. ``labs``), the row (numbered as in a CSV file: first data row = 2)
    and the column. The returned dataset has ``folder=None``; ``simulation`` (a simulator's
    manifest) marks it as in silico.

    >>> import polars as pl
    >>> validate_tables({"participants": pl.DataFrame({"participant_id": ["p1"]})})
    Traceback (most recent call last):
    ...
    endolab.errors.DataFileError: cgm: required table is missing
    """
    missing = [name for name in FILES if name not in tables]
    if missing:
        raise DataFileError("required table is missing", file=missing[0])
    checked = {name: validate_table(tables[name], name, name) for name in FILES}
    return assemble(
        checked,
        {name: name for name in FILES},
        folder=None,
        source=source,
        simulation=simulation,
        problems=Problems(accept_units=accept_units),
    )


#: CGM readings before this day are flagged (no CGM device stored readings before 2000), as the
#: CGM readers do (docs/cgm.md, "Dates"); so are readings after tomorrow (a device clock set wrong).
CGM_EARLIEST: dt.date = dt.date(2000, 1, 1)


def _flag_cgm_dates(cgm: pl.DataFrame, fname: str, report: Problems) -> None:
    """Flag (with their count and the first row) CGM readings dated before 2000-01-01 or after
    tomorrow: the readings are kept, the notice reaches every report (issue 18, "Dates")."""
    if cgm.height == 0:
        return
    time = cgm.get_column("time")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    for mask, what in (
        (time < dt.datetime.combine(CGM_EARLIEST, dt.time()), f"before {CGM_EARLIEST}"),
        (time >= dt.datetime.combine(tomorrow + dt.timedelta(days=1), dt.time()), "after tomorrow"),
    ):
        mask = mask.fill_null(False)
        count = int(mask.sum())
        if count:
            row = _first_row(mask)
            report.warn(
                f"{fname}: {count:,} CGM reading(s) dated {what} (first on row {row}, "
                f"{time[row - 2 if row else 0]}): check the device's clock"
            )


def assemble(
    tables: dict[str, pl.DataFrame],
    names: dict[str, str],
    *,
    folder: Path | None,
    source: str,
    simulation: Mapping[str, Any] | None = None,
    problems: Problems | None = None,
) -> TrialDataset:
    """Cross-table checks (ids, infusion dates), plausibility, sorting and study days.

    A simulated dataset (an endolab.sim manifest) is in the format's units by construction: the
    confirmable unit findings are not asked about.
    """
    report = problems or Problems()
    participants = tables["participants"].sort("participant_id")
    if participants.height == 0:
        report.add(no_participants_error(names["participants"]))
    ids = participants.get_column("participant_id")
    for name in ("cgm", "labs", "insulin", "events"):
        _check_ids(tables[name], names[name], ids, report)
    second = participants.filter(
        pl.col("second_infusion_date").is_not_null()
        & (pl.col("second_infusion_date") < pl.col("infusion_date"))
    )
    if second.height:
        pid = second["participant_id"][0]
        row = int(tables["participants"]["participant_id"].to_list().index(pid)) + 2
        report.add(
            _bad(
                names["participants"],
                row,
                "second_infusion_date",
                "second_infusion_date is before infusion_date",
            )
        )
    check_plausibility(
        tables, names, report.add, report.warn, None if simulation is not None else report.suspect
    )
    if simulation is None:  # a simulation's clock is its own (START_DATE + days, any year)
        _flag_cgm_dates(tables["cgm"], names["cgm"], report)
    starts = participants.select("participant_id", pl.col("infusion_date").alias("_day0"))
    cgm = _sorted_cgm(tables["cgm"], participants, names["cgm"], report)
    labs = _with_day(tables["labs"], starts, "date", "day").sort("participant_id", "date", "test")
    insulin = _with_day(tables["insulin"], starts, "date", "day").sort("participant_id", "date")
    events = _with_day(tables["events"], starts, "start_date", "start_day")
    formats = (
        {name: Path(fname).suffix.lstrip(".") for name, fname in names.items()}
        if folder is not None
        else {}
    )
    return TrialDataset(
        folder=folder,
        participants=participants,
        cgm=cgm,
        labs=labs,
        insulin=insulin,
        events=events,
        formats=formats,
        source=source,
        simulation=simulation,
        notices=(
            *(Notice(PLAUSIBILITY_CODE, "W", m) for m in report.warnings),
            *simulation_notices(simulation),
        ),
    )


def simulation_notices(simulation: Mapping[str, Any] | None) -> tuple[Notice, ...]:
    """The simulator's own notices recorded in its manifest (``notices``: ``{code, severity,
    message, field}`` each), so that a simulated dataset carries them however it is read.

    >>> simulation_notices({"notices": [{"code": "W_SIM_X", "severity": "W", "message": "m"}]})
    (Notice(code='W_SIM_X', severity='W', message='m', field=None, data=mappingproxy({})),)
    >>> simulation_notices(None), simulation_notices({"notices": "not a list"})
    ((), ())
    """
    found = (simulation or {}).get("notices")
    if not isinstance(found, list):
        return ()
    out: list[Notice] = []
    for item in found:
        if not isinstance(item, Mapping) or not all(
            isinstance(item.get(k), str) for k in ("code", "message")
        ):
            continue  # a manifest edited by hand: not a notice of endolab.sim
        severity: Severity = "I" if item.get("severity") == "I" else "W"
        field = item.get("field")
        out.append(
            Notice(
                str(item["code"]),
                severity,
                str(item["message"]),
                field=field if isinstance(field, str) else None,
            )
        )
    return tuple(out)


def no_participants_error(file: str = "participants.csv") -> DataFileError:
    """The one-line error of a dataset with no participant (e.g. a fresh template): nothing to
    analyse."""
    return DataFileError(
        "no participants: the table has no data rows (an empty template?); add one row per "
        "participant before validating or analysing (docs/trial-data.md)",
        file=file,
        code="E_NO_PARTICIPANTS",
    )
