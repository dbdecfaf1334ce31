"""Read and validate a trial dataset folder (format version 1, docs/trial-data.md).

A dataset is a folder with ``participants``, ``cgm``, ``labs``, ``insulin`` and ``events`` tables, each
as ``<name>.csv`` (UTF-8, comma-separated, header row, ISO 8601 dates) or ``<name>.parquet`` with the
same columns. :func:`read_dataset` reads every file, checks it, and returns a :class:`TrialDataset`
of typed polars frames with a ``day`` column (day 0 = ``infusion_date``, a date D is on day
``(D - infusion_date).days``). Any problem — a missing file or column, a value of the wrong type, an
empty required cell, an unknown participant id, a date before 1900 or after 2100, a duplicate key —
raises :class:`~endolab.errors.DataFileError` naming the file, the row and the column, before anything
is computed. Unknown extra columns are kept and ignored. The optional columns (``second_infusion_date``,
``end_date``) may hold empty cells or be left out of the file. The folder is only read, never written.

The checks work on in-memory tables: :func:`validate_tables` takes a mapping of table name to polars
frame (text columns as read from CSV, or typed columns as from Parquet or a simulator) and returns the
same :class:`TrialDataset`; :func:`read_dataset` is a thin reader over it. :func:`write_dataset` writes
a dataset folder atomically (built in a temporary sibling folder and renamed into place), so a reader
never sees a half-written dataset.

Row numbers are those of the CSV file: the header is row 1, the first data row is row 2 (the same
numbering is used for Parquet files: data row *k*, counted from 1, is reported as row *k* + 1).

Keys that must be unique: ``participants``: participant_id; ``cgm``: (participant_id, time);
``labs``: (participant_id, date, test); ``insulin``: (participant_id, date). Events have no key (two
identical events on one day are possible).
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from endolab._io import atomic_directory, check_output_path
from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError, InputError
from endolab.notices import Notice
from endolab.trial.plausibility import CONFIRM_HINT, check_plausibility

__all__ = [
    "COLUMN_NOTES",
    "DATASET_CONTENTS",
    "FILES",
    "LAB_TESTS",
    "MANIFEST",
    "TEMPLATE_CONTENTS",
    "TWINS_FOLDER",
    "DatasetCheck",
    "TrialDataset",
    "check_dataset",
    "check_new_folder",
    "read_dataset",
    "template_readme",
    "validate_tables",
    "write_dataset",
    "write_template",
]

Kind = Literal["text", "number", "date", "datetime"]

#: Earliest and latest accepted date (trial dataset format: "a date before 1900 or after 2100").
_MIN_DATE = dt.date(1900, 1, 1)
_MAX_DATE = dt.date(2100, 12, 31)

#: Laboratory test codes of the format and their units.
LAB_TESTS: dict[str, str] = {
    "HBA1C": "%",
    "CPEP_FASTING": "pmol/L",
    "CPEP_STIM_PEAK": "pmol/L",
    "GLUCOSE_FASTING": "mg/dL",
}

_ENUMS: dict[tuple[str, str], tuple[str, ...]] = {
    ("participants", "sex"): ("F", "M"),
    ("labs", "test"): tuple(LAB_TESTS),
    ("events", "category"): ("SHE", "AE"),
    ("events", "serious"): ("Y", "N"),
    ("events", "related"): ("Y", "N", "POSSIBLE"),
    ("events", "outcome"): ("RECOVERED", "ONGOING", "FATAL"),
}


@dataclass(frozen=True)
class _Col:
    name: str
    kind: Kind
    required: bool = True  # a value is required in every row
    min_value: float | None = None  # numbers: smallest accepted value (inclusive)
    positive: bool = False  # numbers: strictly greater than zero


#: Files and their required columns, in the order they are read.
FILES: dict[str, tuple[_Col, ...]] = {
    "participants": (
        _Col("participant_id", "text"),
        _Col("cohort", "text"),
        _Col("dose_cells", "number", min_value=0.0),
        _Col("infusion_date", "date"),
        _Col("second_infusion_date", "date", required=False),
        _Col("baseline_hba1c_pct", "number", positive=True),
        _Col("baseline_insulin_u_per_day", "number", min_value=0.0),
        _Col("baseline_she_per_year", "number", min_value=0.0),
        _Col("weight_kg", "number", positive=True),
        _Col("age_years", "number", min_value=0.0),
        _Col("sex", "text"),
    ),
    "cgm": (
        _Col("participant_id", "text"),
        _Col("time", "datetime"),
        _Col("glucose_mg_dl", "number", positive=True),
    ),
    "labs": (
        _Col("participant_id", "text"),
        _Col("date", "date"),
        _Col("test", "text"),
        _Col("value", "number", min_value=0.0),
    ),
    "insulin": (
        _Col("participant_id", "text"),
        _Col("date", "date"),
        _Col("total_units", "number", min_value=0.0),
    ),
    "events": (
        _Col("participant_id", "text"),
        _Col("start_date", "date"),
        _Col("end_date", "date", required=False),
        _Col("category", "text"),
        _Col("term", "text"),
        _Col("serious", "text"),
        _Col("related", "text"),
        _Col("outcome", "text"),
    ),
}

#: What each table holds (one row per …) and the unit and meaning of each column: the source of the
#: template README (:func:`write_template`) and checked against docs/trial-data.md by a test.
TABLE_ROWS: dict[str, str] = {
    "participants": "one row per participant",
    "cgm": "one row per sensor reading",
    "labs": "one row per laboratory result",
    "insulin": "one row per participant-day with a record (a day without a row is unknown, not 0)",
    "events": "one row per event",
}

COLUMN_NOTES: dict[tuple[str, str], tuple[str, str]] = {
    ("participants", "participant_id"): ("", "unique id of the participant"),
    ("participants", "cohort"): ("", "trial part or arm, e.g. A, B, C"),
    ("participants", "dose_cells"): ("cells", "cells infused at the first infusion, e.g. 8.0e8"),
    ("participants", "infusion_date"): ("", "date of the first infusion: day 0"),
    ("participants", "second_infusion_date"): ("", "date of a second infusion; empty if none"),
    ("participants", "baseline_hba1c_pct"): ("%", "HbA1c at baseline (NGSP percent)"),
    ("participants", "baseline_insulin_u_per_day"): ("U/day", "total daily insulin at baseline"),
    ("participants", "baseline_she_per_year"): ("events", "severe hypoglycaemia in the prior year"),
    ("participants", "weight_kg"): ("kg", "body weight at baseline"),
    ("participants", "age_years"): ("years", "age at baseline"),
    ("participants", "sex"): ("", "F or M"),
    ("cgm", "participant_id"): ("", "a participant_id of participants"),
    ("cgm", "time"): ("", "local wall-clock time of the reading, no time zone"),
    ("cgm", "glucose_mg_dl"): ("mg/dL", "sensor glucose; device Low/High stored as 39/401"),
    ("labs", "participant_id"): ("", "a participant_id of participants"),
    ("labs", "date"): ("", "date of the sample"),
    ("labs", "test"): ("", "HBA1C, CPEP_FASTING, CPEP_STIM_PEAK or GLUCOSE_FASTING"),
    ("labs", "value"): (
        "unit of the test",
        "HBA1C in %, C-peptide in pmol/L (0 = below the assay's limit), GLUCOSE_FASTING in mg/dL",
    ),
    ("insulin", "participant_id"): ("", "a participant_id of participants"),
    ("insulin", "date"): ("", "the day of the record"),
    ("insulin", "total_units"): ("U", "total insulin taken that day; 0 = none"),
    ("events", "participant_id"): ("", "a participant_id of participants"),
    ("events", "start_date"): ("", "first day of the event"),
    ("events", "end_date"): ("", "last day of the event; empty if ongoing or unknown"),
    ("events", "category"): ("", "SHE (severe hypoglycaemia, level 3) or AE (adverse event)"),
    ("events", "term"): ("", "the event's preferred term, e.g. Neutropenia"),
    ("events", "serious"): ("", "Y or N: a serious adverse event"),
    ("events", "related"): ("", "Y, N or POSSIBLE: related to the study treatment"),
    ("events", "outcome"): ("", "RECOVERED, ONGOING or FATAL"),
}

_KEYS: dict[str, tuple[str, ...]] = {
    "participants": ("participant_id",),
    # cgm: (participant_id, time), checked after sorting in read_dataset (millions of rows)
    "labs": ("participant_id", "date", "test"),
    "insulin": ("participant_id", "date"),
}

_DATETIME_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
)


@dataclass(frozen=True)
class TrialDataset:
    """A validated trial dataset: typed polars frames, each with a study ``day`` column.

    ``participants`` is sorted by participant_id; ``cgm`` (columns participant_id, time,
    glucose_mg_dl, day) by participant_id then time; ``labs``, ``insulin`` and ``events`` carry
    ``day`` (``start_day`` for events) computed from each participant's ``infusion_date``.

    ``folder`` is the folder the dataset was read from, or ``None`` for a dataset built in memory
    (e.g. by :func:`endolab.sim.simulate_trial`); ``formats`` maps each table to the file format it
    was read from (``csv``/``parquet``; empty for an in-memory dataset). ``source`` describes where
    the data came from in words (the folder, or e.g. "simulated by endolab.sim").
    ``simulation`` is the simulator's manifest (``simulation.json``) when the dataset is in silico,
    else ``None``; reports then say that the results are simulated, not clinical evidence.
    ``notices`` are the plausibility findings that did not stop the reading (e.g. a unit slip
    confirmed with ``accept_units``), as :class:`endolab.notices.Notice` data with code
    :data:`PLAUSIBILITY_CODE`; every report shows them.
    """

    folder: Path | None
    participants: pl.DataFrame
    cgm: pl.DataFrame
    labs: pl.DataFrame
    insulin: pl.DataFrame
    events: pl.DataFrame
    formats: dict[str, str] = field(default_factory=dict)
    source: str = ""
    simulation: Mapping[str, Any] | None = None
    notices: tuple[Notice, ...] = ()
    #: A paired simulation's untreated twins (same participant ids, meals, behaviour and sensor
    #: noise, no graft), or ``None``; on disk the folder's ``twins/`` sub-folder (docs/trial-data.md,
    #: "Paired simulations").
    twins: TrialDataset | None = None

    @property
    def simulated(self) -> bool:
        """True for an in-silico dataset (made by :mod:`endolab.sim`): never clinical evidence."""
        return self.simulation is not None

    @property
    def label(self) -> str:
        """A short name for reports: the folder's name, else ``source``, else "in-memory dataset"."""
        if self.folder is not None:
            return self.folder.name or str(self.folder)
        return self.source or "in-memory dataset"


class _Problems:
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
            self.add(error, mask, last=f"; {CONFIRM_HINT}")
            return
        self.warn(f"{error} — confirmed as given (--accept-units)")


def _first_row(mask: pl.Series) -> int | None:
    """1-based CSV row number (header = row 1) of the first True in ``mask``, or None."""
    idx = mask.arg_true()
    return None if idx.len() == 0 else int(idx[0]) + 2


def _locate(path: Path, name: str) -> Path:
    candidates = [path / f"{name}.csv", path / f"{name}.parquet"]
    found = [c for c in candidates if c.is_file()]
    if not found:
        raise DataFileError(
            f"required file is missing (expected {name}.csv or {name}.parquet in {str(path)!r})",
            file=f"{name}.csv",
        )
    if len(found) > 1:
        raise DataFileError(
            f"both {name}.csv and {name}.parquet are present; keep exactly one", file=found[0].name
        )
    return found[0]


def _csv_source(file: Path) -> Path | io.BytesIO:
    """The CSV to read: the file, or its bytes without a UTF-8 byte-order mark. A UTF-16 file or one
    whose columns are separated by semicolons or tabs is named as such (it used to be reported as
    every column missing)."""
    with file.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise DataFileError(
            "is UTF-16 (or holds NUL bytes), not UTF-8 text: save it as CSV UTF-8",
            file=file.name,
        )
    first = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0]
    if b"," not in first:
        for sep, name in ((b";", "semicolons"), (b"\t", "tabs")):
            if sep in first:
                raise DataFileError(
                    f"its columns are separated by {name}, not commas: save it as "
                    "comma-separated CSV (a point as the decimal separator)",
                    file=file.name,
                )
    if head.startswith(codecs.BOM_UTF8):
        return io.BytesIO(file.read_bytes().removeprefix(codecs.BOM_UTF8))
    return file


def _read_raw(file: Path) -> pl.DataFrame:
    try:
        if file.suffix == ".parquet":
            return pl.read_parquet(file)
        return pl.read_csv(
            _csv_source(file),
            infer_schema=False,
            encoding="utf8",
            truncate_ragged_lines=False,
        )
    except DataFileError:
        raise
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError, ValueError) as exc:
        text = " ".join(str(exc).split())[:300]
        raise DataFileError(
            f"cannot be read as {'Parquet' if file.suffix == '.parquet' else 'CSV'}: {text}",
            file=file.name,
        ) from None
    except Exception as exc:  # pyarrow/polars raise assorted types for corrupt files
        text = " ".join(str(exc).split())[:300]
        raise DataFileError(f"cannot be read: {text}", file=file.name) from None


def _bad(
    file: str, row: int | None, column: str, message: str, value: object = None
) -> DataFileError:
    return DataFileError(message, file=file, row=row, column=column, value=value)


def _example(series: pl.Series, row: int) -> str:
    value = series[row - 2]
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


_DTYPES: dict[Kind, pl.DataType] = {
    "text": pl.String(),
    "number": pl.Float64(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
}


def _from_typed(series: pl.Series, col: _Col, file: str) -> pl.Series:
    """Convert a typed (Parquet) column to the column's type, or raise naming the column.

    A column with no value at all (Parquet null type, or e.g. a float column of nulls written by
    pandas for an all-empty CSV column) is a column of empty cells of the column's type.
    """
    dtype = series.dtype
    kind = col.kind
    if series.null_count() == series.len():
        return pl.Series(series.name, [None] * series.len(), dtype=_DTYPES[kind])
    if kind == "text" and (dtype.is_numeric() or dtype in (pl.Boolean, pl.Categorical)):
        return series.cast(pl.String)
    if kind == "text" and isinstance(dtype, pl.Enum):
        return series.cast(pl.String)
    if kind == "number" and dtype.is_numeric():
        return series.cast(pl.Float64)
    if kind == "date" and dtype == pl.Date:
        return series
    if kind == "date" and isinstance(dtype, pl.Datetime):
        return series.dt.date()
    if kind == "datetime" and isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            series = series.dt.replace_time_zone(None)
        return series.cast(pl.Datetime("us"))
    wanted = {
        "text": "text",
        "number": "a number",
        "date": "an ISO 8601 date",
        "datetime": "an ISO 8601 date-time",
    }[kind]
    row = _first_row(series.is_not_null())
    raise _bad(file, row, col.name, f"holds {dtype} values; {wanted} is required")


def _coerce(
    series: pl.Series, col: _Col, file: str, problems: _Problems | None = None
) -> pl.Series:
    """Parse one column to its type; raise DataFileError at the first bad row.

    Text cells are stripped of surrounding spaces. Other cells are parsed as given and, only where
    that fails, again after stripping (so padded values are accepted without stripping millions of
    well-formed cells).
    """
    name = col.name
    report = problems or _Problems()
    if series.dtype != pl.String:
        try:
            parsed = _from_typed(series, col, file)
        except DataFileError as exc:
            report.add(exc)
            return pl.Series(name, [None] * series.len(), dtype=_DTYPES[col.kind])
        missing = series.is_null()
    elif col.kind == "text":
        parsed = series.str.strip_chars().replace("", None)
        missing = parsed.is_null()
    else:
        missing = series.is_null()
        parsed = _parse_text(series, col.kind)
        failed = parsed.is_null() & ~missing
        if failed.any():
            idx = failed.arg_true()
            retry = series.gather(idx).str.strip_chars().replace("", None)
            parsed = parsed.scatter(idx, _parse_text(retry, col.kind))
            missing = missing.scatter(idx, retry.is_null())
    if col.required and missing.any():
        row = _first_row(missing)
        report.add(_bad(file, row, name, "a value is required here but the cell is empty"), missing)
    wrong = parsed.is_null() & ~missing
    if wrong.any():
        row = _first_row(wrong)
        assert row is not None
        what = {
            "number": "a number",
            "date": "an ISO 8601 date (YYYY-MM-DD)",
            "datetime": "an ISO 8601 date-time (YYYY-MM-DDTHH:MM:SS)",
            "text": "text",
        }[col.kind]
        value = series[row - 2]
        reason = iso_calendar_problem(value) if isinstance(value, str) else None
        if col.kind in ("date", "datetime") and reason is not None:
            what = not_a_calendar_date(repr(str(value).strip()), reason)  # 2026-02-30 (issue 18)
        else:
            what = f"{_example(series, row)} is not {what}"
        report.add(_bad(file, row, name, what, value), wrong)
    if col.kind == "number":
        finite = parsed.is_finite() | parsed.is_null()
        if not finite.all():
            row = _first_row(~finite)
            report.add(
                _bad(file, row, name, "must be a finite number (not NaN or infinite)"), ~finite
            )
            parsed = parsed.set(~finite, None)
        if col.positive:
            low = (parsed <= 0).fill_null(False)
            if low.any():
                row = _first_row(low)
                assert row is not None
                report.add(
                    _bad(
                        file,
                        row,
                        name,
                        f"{parsed[row - 2]} is not accepted; must be greater than 0",
                    ),
                    low,
                )
                parsed = parsed.set(low, None)  # reported: not checked again
        if col.min_value is not None:
            low = (parsed < col.min_value).fill_null(False)
            if low.any():
                row = _first_row(low)
                assert row is not None
                report.add(
                    _bad(
                        file,
                        row,
                        name,
                        f"{parsed[row - 2]} is not accepted; must be ≥ {col.min_value:g}",
                    ),
                    low,
                )
                parsed = parsed.set(low, None)  # reported: not checked again
    elif col.kind in ("date", "datetime"):
        if col.kind == "date":
            out = (parsed < _MIN_DATE) | (parsed > _MAX_DATE)
        else:
            out = (parsed < dt.datetime.combine(_MIN_DATE, dt.time())) | (
                parsed >= dt.datetime.combine(_MAX_DATE + dt.timedelta(days=1), dt.time())
            )
        out = out.fill_null(False)
        if out.any():
            row = _first_row(out)
            assert row is not None
            report.add(
                _bad(
                    file,
                    row,
                    name,
                    f"{col.kind.replace('datetime', 'time')} {parsed[row - 2]} is outside the "
                    "accepted range 1900-01-01 to 2100-12-31",
                ),
                out,
            )
    return parsed


def _read_table(
    folder: Path, name: str, problems: _Problems | None = None
) -> tuple[pl.DataFrame, str]:
    file = _locate(folder, name)
    return _validate_table(_read_raw(file), name, file.name, problems), file.name


def _validate_table(
    raw: pl.DataFrame, name: str, fname: str, problems: _Problems | None = None
) -> pl.DataFrame:
    """Check and type one raw table (text or typed columns); errors name ``fname``."""
    report = problems or _Problems()
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
            pl.Series(col.name, [None] * raw.height, dtype=_DTYPES[col.kind])
            if col.name in absent
            else _coerce(raw.get_column(col.name), col, fname, report)
        )
        for col in columns
    }
    for (table, column), allowed in _ENUMS.items():
        if table != name:
            continue
        values = parsed[column]
        bad = ~values.is_in(list(allowed)) & values.is_not_null()
        if bad.any():
            row = _first_row(bad)
            assert row is not None
            report.add(
                _bad(
                    fname,
                    row,
                    column,
                    f"{values[row - 2]!r} is not accepted; use one of {', '.join(allowed)}",
                    values[row - 2],
                ),
                bad,
            )
    frame = pl.DataFrame(parsed)
    keys = _KEYS.get(name)
    if keys and frame.height:
        dup = ~frame.select(pl.struct(list(keys)).is_first_distinct()).to_series()
        if dup.any():
            row = _first_row(dup)
            assert row is not None
            key = ", ".join(f"{k}={frame[k][row - 2]}" for k in keys)
            report.add(
                _bad(
                    fname,
                    row,
                    " + ".join(keys),
                    f"duplicate key ({key}) already given on an earlier row",
                ),
                dup,
            )
    return frame


def _check_ids(
    frame: pl.DataFrame, fname: str, ids: pl.Series, problems: _Problems | None = None
) -> None:
    unknown = (~frame.get_column("participant_id").is_in(ids.implode())).fill_null(False)
    if unknown.any():
        row = _first_row(unknown)
        assert row is not None
        pid = frame["participant_id"][row - 2]
        (problems or _Problems()).add(
            _bad(
                fname,
                row,
                "participant_id",
                f"participant {pid!r} is not in participants (unknown participant id)",
                pid,
            ),
            unknown,
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
    cgm: pl.DataFrame, participants: pl.DataFrame, fname: str, problems: _Problems | None = None
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
        (problems or _Problems()).add(
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


def read_dataset(
    folder: str | Path, *, cgm: pl.DataFrame | None = None, accept_units: bool = False
) -> TrialDataset:
    """Read and validate a trial dataset folder; raise DataFileError naming file, row and column.

    Extra columns are dropped from the returned frames (kept in the files, ignored here). The first
    problem found is raised; :func:`check_dataset` reports them all. A confirmable unit finding
    (:mod:`endolab.trial.plausibility`: a participant's C-peptide or weight on another scale) is a
    problem too, unless ``accept_units`` (``--accept-units``): it is then one of the returned
    dataset's ``notices``. ``cgm``, when given, replaces the folder's CGM table (e.g. the rows of
    the analysis windows read on Dask, :mod:`endolab.trial.distributed`); the folder's CGM file is
    then not read.
    """
    path = dataset_folder(folder)
    tables: dict[str, pl.DataFrame] = {}
    names: dict[str, str] = {}
    for name in FILES:
        if name == "cgm" and cgm is not None:
            names[name] = "cgm.parquet"
            tables[name] = _validate_table(cgm, name, names[name])
            continue
        tables[name], names[name] = _read_table(path, name)
    ds = _assemble(
        tables,
        names,
        folder=path,
        source=str(path),
        simulation=_read_manifest(path),
        problems=_Problems(accept_units=accept_units),
    )
    if ds.simulation is not None and ds.simulation.get("paired") and (path / TWINS_FOLDER).is_dir():
        twins = read_dataset(path / TWINS_FOLDER, accept_units=accept_units)
        ds = dataclasses.replace(ds, twins=twins)
    return ds


def read_table(folder: str | Path, name: str) -> pl.DataFrame:
    """One table of a dataset folder (``participants``, ``labs``, …), read and checked on its own
    (no cross-table checks)."""
    return _read_table(dataset_folder(folder), name)[0]


def empty_table(name: str) -> pl.DataFrame:
    """An empty table ``name`` with the format's columns (as text, as read from an empty CSV)."""
    return pl.DataFrame({c.name: pl.Series([], dtype=pl.String) for c in FILES[name]})


def dataset_folder(folder: str | Path) -> Path:
    """``folder`` as a Path; a one-line InputError when it is not an existing folder."""
    path = Path(folder)
    if not path.is_dir():
        raise InputError(
            f"dataset folder {str(path)!r} does not exist or is not a folder",
            field="folder",
            value=str(folder),
        )
    return path


@dataclass(frozen=True)
class DatasetCheck:
    """Every problem of a dataset folder: ``errors`` (each a DataFileError naming file, row and
    column; the dataset cannot be analysed while there is one) and plausibility ``warnings``."""

    folder: Path
    errors: tuple[DataFileError, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """True when the dataset can be analysed (warnings allowed)."""
        return not self.errors


def check_dataset(folder: str | Path, *, accept_units: bool = False) -> DatasetCheck:
    """Validate a dataset folder and report **every** problem, not just the first.

    Each table is checked on its own (a missing or unreadable file is one problem and that table is
    skipped); within a table every check reports its first row and how many more rows it applies
    to; the checks across tables (participant ids, dates, duplicate readings) and plausibility run
    on what could be read. Nothing is computed or written. ``accept_units`` turns the confirmable
    unit findings into warnings (as :func:`read_dataset`).
    """
    path = dataset_folder(folder)
    problems = _Problems(collect=True, accept_units=accept_units)
    tables: dict[str, pl.DataFrame] = {}
    names: dict[str, str] = {}
    for name in FILES:
        try:
            file = _locate(path, name)
            raw = _read_raw(file)
        except DataFileError as exc:
            problems.add(exc)
            continue
        tables[name] = _validate_table(raw, name, file.name, problems)
        names[name] = file.name
    have_participants = "participants" in tables
    for name in FILES:  # a table that could not be read is checked as empty
        if name not in tables:
            tables[name] = pl.DataFrame(schema={c.name: _DTYPES[c.kind] for c in FILES[name]})
            names[name] = f"{name}.csv"
    if have_participants:
        _assemble(
            tables,
            names,
            folder=path,
            source=str(path),
            simulation=_read_manifest(path),
            problems=problems,
        )
    else:
        check_plausibility(tables, names, problems.add, problems.warn, problems.suspect)
    return DatasetCheck(path, tuple(problems.errors), tuple(problems.warnings))


#: Name of the simulator's manifest in a simulated dataset folder.
MANIFEST = "simulation.json"
#: The sub-folder of a paired simulation's dataset folder that holds the untreated twins (a dataset
#: folder of the same format with its own manifest; docs/trial-data.md, "Paired simulations").
TWINS_FOLDER = "twins"


def _read_manifest(path: Path) -> dict[str, Any] | None:
    """The simulator's manifest if the folder holds one written by endolab.sim, else None."""
    file = path / MANIFEST
    if not file.is_file():
        return None
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if isinstance(doc, dict) and str(doc.get("generator", "")).startswith("endolab.sim"):
        return doc
    return None


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
    checked = {name: _validate_table(tables[name], name, name) for name in FILES}
    return _assemble(
        checked,
        {name: name for name in FILES},
        folder=None,
        source=source,
        simulation=simulation,
        problems=_Problems(accept_units=accept_units),
    )


def _assemble(
    tables: dict[str, pl.DataFrame],
    names: dict[str, str],
    *,
    folder: Path | None,
    source: str,
    simulation: Mapping[str, Any] | None = None,
    problems: _Problems | None = None,
) -> TrialDataset:
    """Cross-table checks (ids, infusion dates), plausibility, sorting and study days.

    A simulated dataset (an endolab.sim manifest) is in the format's units by construction: the
    confirmable unit findings are not asked about.
    """
    report = problems or _Problems()
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
        notices=tuple(Notice(PLAUSIBILITY_CODE, "W", m) for m in report.warnings),
    )


#: The code of a plausibility finding that does not stop the analysis (a value that looks like a
#: unit slip, confirmed or only suspected).
PLAUSIBILITY_CODE = "W_TRIAL_PLAUSIBILITY"


def no_participants_error(file: str = "participants.csv") -> DataFileError:
    """The one-line error of a dataset with no participant (e.g. a fresh template): nothing to
    analyse."""
    return DataFileError(
        "no participants: the table has no data rows (an empty template?); add one row per "
        "participant before validating or analysing (docs/trial-data.md)",
        file=file,
        code="E_NO_PARTICIPANTS",
    )


def _output_frame(ds: TrialDataset, name: str) -> pl.DataFrame:
    """The columns of the format for ``name`` (derived ``day`` columns dropped), in format order."""
    frame: pl.DataFrame = getattr(ds, name)
    return frame.select([c.name for c in FILES[name]])


def template_readme() -> str:
    """The README of a dataset skeleton: every table and column with its type and unit."""
    kinds = {
        "text": "text",
        "number": "number",
        "date": "date YYYY-MM-DD",
        "datetime": "date-time YYYY-MM-DDTHH:MM:SS",
    }
    lines = [
        "# Trial dataset (endolab format, version 1)",
        "",
        "Five tables, each as <name>.csv (UTF-8, comma-separated, header row) or <name>.parquet.",
        "Fill in the rows under each header; keep the column names. Day 0 is each participant's",
        "infusion_date; a date D is on day (D - infusion_date) in days. Extra columns are ignored.",
        "",
        "Check the folder with:  endolab trial validate THIS_FOLDER",
        "Analyse it with:        endolab trial analyze THIS_FOLDER --out REPORT_FOLDER",
        "The full description (windows, missing data, examples) is docs/trial-data.md in the",
        "endolab repository.",
    ]
    for name, columns in FILES.items():
        lines += ["", f"## {name}.csv — {TABLE_ROWS[name]}", ""]
        for col in columns:
            unit, meaning = COLUMN_NOTES[(name, col.name)]
            need = "required" if col.required else "optional"
            unit_text = f" [{unit}]" if unit else ""
            lines.append(f"- {col.name} ({kinds[col.kind]}, {need}){unit_text}: {meaning}")
    return "\n".join(lines) + "\n"


#: What a dataset folder and a template folder hold, as their manifests record it
#: (:func:`endolab._io.atomic_directory`).
DATASET_CONTENTS = "a trial dataset"
TEMPLATE_CONTENTS = "an empty trial dataset (template)"


def write_template(folder: str | Path, *, flag: str = "OUT") -> Path:
    """Write an empty, valid dataset skeleton (header-only CSV files and a README) atomically.

    ``folder`` must be new, empty or an unchanged template endolab wrote (the output rule of
    :mod:`endolab._io`: a template whose files were filled in is never replaced). The skeleton
    passes :func:`check_dataset`.
    """
    target = Path(folder)  # checked by atomic_directory before anything is written
    with atomic_directory(target, writer=TEMPLATE_CONTENTS, flag=flag) as tmp:
        for name, columns in FILES.items():
            (tmp / f"{name}.csv").write_text(",".join(c.name for c in columns) + "\n")
        (tmp / "README.md").write_text(template_readme(), encoding="utf-8")
    return target


def check_new_folder(
    folder: str | Path, *, contents: str | None = DATASET_CONTENTS, flag: str = "--out"
) -> Path:
    """Return ``folder`` as a Path if it may be written as ``contents``, else raise InputError.

    The output rule (:func:`endolab._io.check_output_path`): a new folder, an empty one, or one
    holding only the unchanged files endolab wrote there as ``contents`` (``None``: only new or
    empty). A user's files are never replaced or deleted.
    """
    return check_output_path(folder, flag=flag, kind="folder", writer=contents)


def write_dataset(
    ds: TrialDataset,
    folder: str | Path,
    *,
    format: Literal["csv", "parquet"] = "csv",
    extra_files: Mapping[str, bytes] | None = None,
) -> Path:
    """Write ``ds`` as a dataset folder (format version 1) atomically and return its path.

    The folder is built in a temporary sibling and renamed into place, so a reader never sees a
    half-written dataset and a failed write leaves nothing behind. ``folder`` must be new, empty, or a
    dataset folder endolab wrote with its files unchanged and nothing else in it (the output rule of
    :mod:`endolab._io`: a user's files are never replaced or deleted). Columns are written in the order of the
    format; dates as ``YYYY-MM-DD`` and times as ``YYYY-MM-DDTHH:MM:SS``. ``extra_files`` (name →
    bytes, e.g. a ``simulation.json`` manifest) are written into the same folder. The same dataset
    gives the same bytes.
    """
    if format not in ("csv", "parquet"):
        raise InputError(
            f"unknown dataset format {format!r}; use csv or parquet", field="format", value=format
        )
    target = Path(folder)  # checked by atomic_directory before anything is written
    for extra in extra_files or {}:
        if Path(extra).name != extra or Path(extra).stem in FILES or extra == TWINS_FOLDER:
            raise InputError(f"extra file name {extra!r} is not allowed", field="extra_files")
    with atomic_directory(target, writer=DATASET_CONTENTS) as tmp:
        _write_tables(ds, tmp, format)
        for extra, data in (extra_files or {}).items():
            (tmp / extra).write_bytes(data)
        if ds.twins is not None:  # a paired simulation: the untreated twins, same format
            twin_folder = tmp / TWINS_FOLDER
            twin_folder.mkdir()
            _write_tables(ds.twins, twin_folder, format)
            if ds.twins.simulation is not None:
                text = json.dumps(ds.twins.simulation, indent=2, ensure_ascii=False, sort_keys=True)
                (twin_folder / MANIFEST).write_text(text + "\n", encoding="utf-8")
    return target


def _write_tables(ds: TrialDataset, folder: Path, format: str) -> None:
    """Write the five tables of ``ds`` into ``folder`` (csv or parquet)."""
    for name in FILES:
        frame = _output_frame(ds, name)
        if format == "csv":
            frame.write_csv(
                folder / f"{name}.csv",
                date_format="%Y-%m-%d",
                datetime_format="%Y-%m-%dT%H:%M:%S",
            )
        else:
            frame.write_parquet(folder / f"{name}.parquet", statistics=False)
