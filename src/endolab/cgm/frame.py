"""Check and normalise any CGM table into the canonical frame of :mod:`endolab.cgm.schema`.

One function, :func:`check_frame`, is the single entry point: every reader, metric and CLI command
goes through it (or receives its output). What it does, in order:

1. **Columns.** Renames ``id_col``/``time_col``/``gl_col`` to ``id``/``time``/``gl``. A missing
   ``id`` column is an error (readers of single-subject files add one); so is a missing or blank
   subject id (empty or only spaces) in any row, named by its row. An optional ``censored``
   column (-1/0/+1) is kept; otherwise it is created: text glucose values ``"Low"``/``"LO"`` and
   ``"High"``/``"HI"`` become censored readings stored as 39 / 401 mg/dL
   (:data:`~endolab.cgm.schema.LOW_CENSORED_MG_DL`, :data:`~endolab.cgm.schema.HIGH_CENSORED_MG_DL`)
   with ``censored`` = -1 / +1; they are never dropped.
2. **Time.** Text is parsed (ISO 8601 and ``YYYY-MM-DD HH:MM[:SS]``); an unparsable value is a
   :class:`~endolab.errors.ParseError` naming the row. Time-zone-aware input is converted to the
   *naive wall clock of its own zone* (``2024-10-27 02:30 CET`` → ``2024-10-27 02:30``), because
   the consensus metrics group by local calendar day and local time of day. Text with UTC offsets
   (``…Z``, ``…+02:00``) is read the same way: the written local wall clock is kept and the offset
   dropped (``2024-03-13T07:05+01:00`` → ``07:05``); a change of offset inside the data (DST) is
   stated in a warning. DST [A]: in the
   fall-back hour the wall clock repeats, so readings of both passes interleave (readings landing on
   the same minute-second become duplicates, resolved below); the spring-forward hour has no wall
   clock time at all and appears as a 1-hour gap. A warning says when the input crosses a DST
   transition. Pass UTC-converted times instead if you prefer an unbroken time axis.
3. **Missing glucose.** Rows with null/NaN glucose are dropped; the warning gives the count. No
   rows left is an :class:`~endolab.errors.InputError`.
4. **Units.** ``unit="mg/dL"`` or ``"mmol/L"`` (× 18, :data:`endolab.units.GLUCOSE_MG_DL_PER_MMOL_L`)
   when given. When ``unit=None`` the unit is detected only when unambiguous [A]: a value below
   :data:`MMOL_L_UPPER_BOUND` (36) cannot be a CGM reading in mg/dL (devices store nothing below
   39–40 mg/dL) and a value at or above it cannot be mmol/L (no device reports above 33.3 mmol/L).
   All values below 36 → mmol/L (converted, with a warning); none → mg/dL; both kinds → an
   :class:`~endolab.errors.InputError` ("mixed or ambiguous units: pass unit=…"). An explicit unit
   that contradicts the values (mmol/L with a value ≥ 36; mg/dL with every value < 36, or a mix) is
   the same error. Glucose ≤ 0 or infinite is rejected, and so is a measured (not censored)
   reading outside :data:`GL_MIN_MG_DL`–:data:`GL_MAX_MG_DL` (10–1,000 mg/dL = 0.6–55.5 mmol/L)
   after conversion, named by its row: no CGM reports such a value, so it is an export or unit
   error, never a reading (censored High/Low codes are exempt: they are the device's limits).
5. **Order and duplicates.** Rows are sorted by ``id`` then ``time`` (a warning counts readings that
   went backwards in time in the input). Duplicate ``(id, time)`` rows are resolved by **keeping the
   first in input order** [A] (as R iglu since 3.2.0, iglu issue #153), with a warning giving the
   count.

>>> import polars as pl, datetime as dt
>>> raw = pl.DataFrame({"id": ["a", "a"], "time": ["2024-01-01 00:05", "2024-01-01 00:00"],
...                     "gl": [100, 120]})
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     check_frame(raw).rows()
[('a', datetime.datetime(2024, 1, 1, 0, 0), 120.0, 0), ('a', datetime.datetime(2024, 1, 1, 0, 5), 100.0, 0)]
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import polars as pl

from endolab.cgm.schema import (
    CANONICAL_SCHEMA,
    COLUMNS,
    HIGH_CENSORED_MG_DL,
    LOW_CENSORED_MG_DL,
    MMOL_COLUMN,
)
from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import InputError, ParseError, asks
from endolab.notices import Notice, emit
from endolab.units import GLUCOSE_MG_DL_PER_MMOL_L, normalize_unit

__all__ = [
    "EARLIEST_READING",
    "GL_MAX_MG_DL",
    "GL_MIN_MG_DL",
    "LONG_GAP_MINUTES",
    "MMOL_L_UPPER_BOUND",
    "ROW_COLUMN",
    "GlucoseUnit",
    "RowInputError",
    "RowParseError",
    "TimeOrderError",
    "canonical_columns",
    "check_frame",
    "combine_frames",
    "ensure_canonical",
    "from_pandas",
    "is_canonical",
    "long_gap_notice",
    "measured_units",
    "reading_dates_problem",
    "to_pandas",
]

GlucoseUnit = Literal["mg/dL", "mmol/L"]

#: Boundary used to tell mmol/L from mg/dL values [A]: a value below it is taken as mmol/L-like
#: (no CGM reports above 33.3 mmol/L = 600 mg/dL), a value at or above it as mg/dL-like (no CGM
#: stores a value below 39–40 mg/dL).
MMOL_L_UPPER_BOUND: Final = 36.0

#: Physiological range of a measured CGM reading [mg/dL] [A]: sensors report 40–400 (Dexcom) or
#: 40–500 mg/dL (FreeStyle Libre) and store lower/higher values as Low/High codes; the bounds are
#: wider by a margin so that only an export or unit error (e.g. ``1e308``, a reading in µmol/L) is
#: refused, never a real reading.
GL_MIN_MG_DL: Final = 10.0
GL_MAX_MG_DL: Final = 1000.0

#: Gaps between successive readings of a subject longer than this are stated in a warning [min].
#: [A] 180 min is R iglu's ``max_gap`` for MAGE (the longest gap it interpolates over;
#: docs/methods/cgm.md §8); shorter gaps are routine (sensor warm-up, signal loss) and would make the warning noise.
LONG_GAP_MINUTES: Final = 180

_LOW_WORDS: Final = ("low", "lo")
_HIGH_WORDS: Final = ("high", "hi")


def _no_censored(like: pl.Series) -> pl.Series:
    """A ``censored`` column of zeros, materialised in the chunks of ``like``: a broadcast literal
    column makes polars' group-by aggregations several times slower (measured: 8 s instead of 2 s
    for the core set of 24.7 M readings), and a column chunked unlike the others makes polars copy
    the whole frame into one chunk at the next select (+740 MB)."""
    parts = [pl.Series("censored", np.zeros(n, dtype=np.int8)) for n in like.chunk_lengths()]
    if not parts:
        return pl.Series("censored", [], dtype=pl.Int8)
    return pl.concat(parts, rechunk=False)


#: The canonical schema with the optional unit column (readings measured in mmol/L).
_SCHEMA_WITH_UNIT: Final = pl.Schema({**CANONICAL_SCHEMA, MMOL_COLUMN: pl.Boolean()})


def is_canonical(frame: pl.DataFrame) -> bool:
    """True when ``frame`` has exactly the canonical columns and dtypes, with or without the
    optional ``mmol_l`` column (content is not checked)."""
    return isinstance(frame, pl.DataFrame) and frame.schema in (CANONICAL_SCHEMA, _SCHEMA_WITH_UNIT)


def canonical_columns(frame: pl.DataFrame) -> list[str]:
    """The canonical columns of ``frame``: ``id, time, gl, censored`` and ``mmol_l`` if present."""
    return [*COLUMNS, MMOL_COLUMN] if MMOL_COLUMN in frame.columns else list(COLUMNS)


def measured_units(frame: pl.DataFrame) -> Literal["mg/dL", "mmol/L", "mixed"]:
    """The unit(s) the readings of ``frame`` were measured in (from the ``mmol_l`` column).

    >>> import datetime as dt
    >>> f = pl.DataFrame({"id": ["a"], "time": [dt.datetime(2024, 1, 1)], "gl": [100.0]})
    >>> measured_units(f), measured_units(f.with_columns(pl.lit(True).alias("mmol_l")))
    ('mg/dL', 'mmol/L')
    """
    if MMOL_COLUMN not in frame.columns or frame.height == 0:
        return "mg/dL"
    flags = frame.get_column(MMOL_COLUMN).fill_null(False)
    if flags.all():
        return "mmol/L"
    return "mixed" if flags.any() else "mg/dL"


def combine_frames(frames: Sequence[pl.DataFrame]) -> pl.DataFrame:
    """Stack canonical frames; readings of a frame without ``mmol_l`` count as measured in mg/dL."""
    if not any(MMOL_COLUMN in f.columns for f in frames):
        return pl.concat(frames)
    return pl.concat(
        [
            f if MMOL_COLUMN in f.columns else f.with_columns(pl.lit(False).alias(MMOL_COLUMN))
            for f in frames
        ]
    )


def _as_polars(data: Any) -> pl.DataFrame:
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        return data.collect()
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        try:
            return pl.from_pandas(data)
        except Exception as exc:
            raise InputError(f"cannot convert the pandas frame to polars: {exc}") from None
    raise InputError(
        f"CGM data must be a polars or pandas DataFrame, got {type(data).__name__}", field="data"
    )


def _num(value: Any) -> float:
    return float(value)


#: Name of the optional input column holding each row's number in its source (readers put the
#: file line there so that errors name it); when absent, rows are numbered 1, 2, … (data rows).
ROW_COLUMN: Final = "__row"


class RowInputError(InputError):
    """An :class:`~endolab.errors.InputError` about one row: carries ``row``, ``column``, ``detail``."""

    def __init__(self, column: str, row: int, detail: str, value: Any = None) -> None:
        super().__init__(f"column {column}, row {row}: {detail}", field=column, value=value)
        self.row = row
        self.column = column
        self.detail = detail


class RowParseError(ParseError):
    """A :class:`~endolab.errors.ParseError` about one row: carries ``row``, ``column``, ``detail``."""

    def __init__(self, column: str, row: int, detail: str, value: Any = None) -> None:
        super().__init__(f"column {column}, row {row}: {detail}", field=column, value=value)
        self.row = row
        self.column = column
        self.detail = detail


def _first(frame: pl.DataFrame, mask: pl.Series, column: str) -> tuple[int, Any]:
    """Source row number and value of ``column`` at the first True in ``mask``."""
    i = int(mask.arg_true()[0])
    return int(frame.get_column(ROW_COLUMN)[i]), frame.get_column(column)[i]


#: Formats tried first on text times (fast, no inference); anything else is inferred by polars.
_FAST_TIME_FORMATS: Final = (
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
)


#: Text starting with a date written day/month/year or month/day/year: never inferred here, since
#: the order cannot be told from one value (the readers detect it from the whole file).
#: Text times before this year are read as unreadable, not as ancient dates [A: CGM exists since
#: 1999; the bound only catches 2-digit years read as year 3, 24 …].
_EARLIEST_YEAR: Final = 1900

#: A UTC offset right after the minutes or seconds of a text time: ``Z``, ``+02:00``, ``-0500``
#: (group 1: the time's last field, kept; group 2: the offset, dropped).
_OFFSET_PATTERN: Final = r"(:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})$"

_DAY_MONTH_PATTERN: Final = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}"


def _fast_formats(text: pl.Series) -> pl.Series:
    return pl.select(
        pl.coalesce(
            [text.str.to_datetime(fmt, time_unit="us", strict=False) for fmt in _FAST_TIME_FORMATS]
        )
    ).to_series()


def _parse_time_text(text: pl.Series) -> pl.Series:
    """Parse ISO-like text times: a fixed format when the first values all fit it, else inference."""
    sample = text.drop_nulls().head(1000)
    for fmt in _FAST_TIME_FORMATS:
        if (
            sample.len()
            and sample.str.to_datetime(fmt, time_unit="us", strict=False).null_count() == 0
        ):
            parsed = text.str.to_datetime(fmt, time_unit="us", strict=False)
            if parsed.null_count() == text.null_count():
                return parsed
            break
    if bool(text.str.contains(_DAY_MONTH_PATTERN).any()):
        # polars would silently read 03/04/2024 as 3 April: leave such values unread (reported
        # with their row by the caller)
        return _fast_formats(text)
    try:
        return text.str.to_datetime(time_unit="us", strict=False)
    except pl.exceptions.PolarsError:
        # polars could not infer one format from the first values: try the usual ones per value
        # (values none of them fits become null and are reported with their row)
        return _fast_formats(text)


def _parse_time(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Return ``frame`` with ``time`` as naive ``Datetime('us')`` and any notices."""
    notes: list[str] = []
    dtype = frame.schema["time"]
    col = frame.get_column("time")
    if dtype == pl.String:
        text = col.str.strip_chars()
        # a UTC offset after the time (…Z, …+02:00): keep the written local wall clock, as for
        # time-zone-aware input, and note an offset change (DST) inside the data
        offsets = (
            text.str.extract(_OFFSET_PATTERN, 2)
            .str.replace("Z", "+00:00", literal=True)
            .str.replace(":", "", literal=True)
            .drop_nulls()
            .unique(maintain_order=True)
        )
        if offsets.len() > 1:
            notes.append(
                f"times carry more than one UTC offset (e.g. {offsets[0]} and {offsets[1]}): the "
                "data cross a DST transition (or mix time zones); times are analysed as the "
                "written local wall clock (the fall-back hour repeats, the spring-forward hour is "
                "a 1-hour gap)"
            )
        text = text.str.replace(_OFFSET_PATTERN, "${1}")
        parsed = _parse_time_text(text)
        # %Y takes any number of digits, so 03-04-24 would be the year 3: no CGM date is that old
        ancient = (parsed.dt.year() < _EARLIEST_YEAR).fill_null(False)
        parsed = pl.select(pl.when(~ancient).then(parsed)).to_series()
        # day/month text (03-04-24) read as the year 3 is reported below as day/month text
        ancient = ancient & ~text.str.contains(_DAY_MONTH_PATTERN).fill_null(False)
        if ancient.any():
            row, value = _first(frame, ancient, "time")
            raise RowParseError(
                "time",
                row,
                f"{value!r} is dated before the year {_EARLIEST_YEAR}: not the date of a "
                "CGM reading (a two-digit or mistyped year?); write four-digit years, e.g. "
                "2024-01-31 13:05:00",
                value,
            )
        bad = parsed.is_null() & col.is_not_null()
        if bad.any():
            row, value = _first(frame, bad, "time")
            if (
                isinstance(value, str)
                and pl.select(pl.lit(value.strip()).str.contains(_DAY_MONTH_PATTERN)).item()
            ):
                raise asks(
                    RowParseError(
                        "time",
                        row,
                        f"{value!r} is written day/month/year or month/day/year, which cannot be "
                        f"told apart from one value; write ISO 8601 (2024-01-31 13:05:00) or "
                        f"{DATE_ORDER_READ}",
                        value,
                    ),
                    "date_order",
                    "date_order_read",
                    DATE_ORDER_READ,
                )
            reason = iso_calendar_problem(value) if isinstance(value, str) else None
            if reason is not None:  # the form is right, the day is not (issue 18)
                raise RowParseError(
                    "time", row, not_a_calendar_date(repr(str(value).strip()), reason), value
                )
            raise RowParseError(
                "time",
                row,
                f"cannot read {value!r} as a date-time; accepted: ISO 8601, e.g. "
                "2024-01-31 13:05:00 or 2024-01-31T13:05:00+01:00",
                value,
            )
        col = parsed
        dtype = col.dtype
    elif dtype == pl.Date:
        raise InputError(
            "column time holds dates without a time of day; CGM readings need date-times",
            field="time",
        )
    if not isinstance(dtype, pl.Datetime):
        raise InputError(
            f"column time must hold date-times, got dtype {dtype}; accepted: datetime or ISO 8601 text",
            field="time",
        )
    if col.is_null().any():
        row, _ = _first(frame, col.is_null(), "time")
        raise RowInputError("time", row, "missing date-time")
    if dtype.time_zone is not None:
        offsets = col.dt.base_utc_offset() + col.dt.dst_offset()
        if offsets.n_unique() > 1:
            notes.append(
                f"time zone {dtype.time_zone}: the data cross a DST transition; times are "
                "analysed as local wall clock (the fall-back hour repeats, the spring-forward hour "
                "is a 1-hour gap)"
            )
        col = col.dt.replace_time_zone(None)
    col = col.cast(pl.Datetime("us"))
    return frame.with_columns(col.alias("time")), notes


def _parse_glucose(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` with numeric ``gl`` (text High/Low → censored) and a ``censored`` column."""
    has_censored = "censored" in frame.columns
    if has_censored:
        cens = frame.get_column("censored")
        if not cens.dtype.is_integer() and cens.dtype != pl.Boolean:
            try:
                cens = cens.cast(pl.Int64, strict=True)
            except Exception:
                raise InputError(
                    "column censored must hold -1 (Low), 0 or +1 (High)", field="censored"
                ) from None
        cens = cens.cast(pl.Int64).fill_null(0)
        bad = ~cens.is_in([-1, 0, 1])
        if bad.any():
            i = int(bad.arg_true()[0])
            row = int(frame.get_column(ROW_COLUMN)[i])
            raise RowInputError(
                "censored", row, f"{cens[i]} is not -1 (Low), 0 or +1 (High)", cens[i]
            )
        frame = frame.with_columns(cens.cast(pl.Int8).alias("censored"))
    else:
        frame = frame.with_columns(_no_censored(frame.get_column("gl")))

    dtype = frame.schema["gl"]
    if dtype == pl.String:
        text = frame.get_column("gl").str.strip_chars()
        lower = text.str.to_lowercase()
        is_low = lower.is_in(list(_LOW_WORDS))
        is_high = lower.is_in(list(_HIGH_WORDS))
        missing_words = lower.is_in(["", "na", "nan", "null", "none"])
        numeric = text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
        bad = numeric.is_null() & text.is_not_null() & ~is_low & ~is_high & ~missing_words
        if bad.any():
            row, value = _first(frame, bad, "gl")
            raise RowParseError(
                "gl",
                row,
                f"cannot read {value!r} as a glucose value; accepted: a number, or High/Low "
                "for a censored device reading",
                value,
            )
        frame = frame.with_columns(
            pl.when(is_low)
            .then(pl.lit(LOW_CENSORED_MG_DL))
            .when(is_high)
            .then(pl.lit(HIGH_CENSORED_MG_DL))
            .otherwise(numeric)
            .alias("gl"),
            pl.when(is_low)
            .then(pl.lit(-1, dtype=pl.Int8))
            .when(is_high)
            .then(pl.lit(1, dtype=pl.Int8))
            .otherwise(pl.col("censored"))
            .alias("censored"),
        )
    elif dtype.is_numeric() and dtype != pl.Boolean:
        frame = frame.with_columns(pl.col("gl").cast(pl.Float64))
    else:
        raise InputError(f"column gl must hold numbers, got dtype {dtype}", field="gl")
    return frame


#: The requests that end the unit errors, in the library's words (the keyword ``unit``; a front
#: end words them with its own name of the option: :meth:`endolab.errors.EndolabError.asking`).
UNIT_MG_DL_IF: Final = "Pass unit='mg/dL' if the file is in mg/dL"
UNIT_MMOL_L: Final = "pass unit='mmol/L'"
UNIT_EITHER: Final = "pass unit='mg/dL' or unit='mmol/L'"
#: The request that ends the error of a single day/month date-time (the keyword ``date_order``).
DATE_ORDER_READ: Final = (
    "read the file with endolab.cgm.readers.read_cgm(date_order='dmy' or 'mdy')"
)


def _resolve_unit(gl: pl.Series, unit: str | None) -> tuple[float, str | None]:
    """Return the factor to mg/dL and an optional notice."""
    n_small = int((gl < MMOL_L_UPPER_BOUND).sum())
    n_large = gl.len() - n_small
    if unit is not None:
        canonical = normalize_unit(unit, quantity="glucose")
        if canonical == "mmol/L":
            if n_large:
                raise asks(
                    InputError(
                        f"unit is mmol/L but {n_large} gl value(s) are ≥ {MMOL_L_UPPER_BOUND:g} "
                        f"(max {_num(gl.max()):g}); mmol/L readings lie below "
                        f"{MMOL_L_UPPER_BOUND:g}. Mixed units? {UNIT_MG_DL_IF}",
                        field="gl",
                        value=gl.max(),
                    ),
                    "unit",
                    "unit_mg_dl_if",
                    UNIT_MG_DL_IF,
                )
            return GLUCOSE_MG_DL_PER_MMOL_L, None
        if n_small:
            err = InputError(
                f"unit is mg/dL but {n_small} of {gl.len()} gl value(s) are below "
                f"{MMOL_L_UPPER_BOUND:g} (min {_num(gl.min()):g}); CGM readings in mg/dL are ≥ 39. "
                + (
                    f"The values look like mmol/L: {UNIT_MMOL_L}" if not n_large else "Mixed units?"
                ),
                field="gl",
                value=gl.min(),
            )
            raise err if n_large else asks(err, "unit", "unit_mmol_l", UNIT_MMOL_L)
        return 1.0, None
    if n_small and n_large:
        raise asks(
            InputError(
                f"cannot tell the glucose unit: {n_small} value(s) are below "
                f"{MMOL_L_UPPER_BOUND:g} (mmol/L-like) and {n_large} are ≥ "
                f"{MMOL_L_UPPER_BOUND:g} (mg/dL-like); mixed or ambiguous units: convert them to "
                f"one unit and {UNIT_EITHER}",
                field="gl",
            ),
            "unit",
            "unit_either",
            UNIT_EITHER,
        )
    if n_small:
        return (
            GLUCOSE_MG_DL_PER_MMOL_L,
            f"every gl value is below {MMOL_L_UPPER_BOUND:g}: read as mmol/L and converted to mg/dL "
            f"(× {GLUCOSE_MG_DL_PER_MMOL_L:g}); pass unit='mg/dL' or 'mmol/L' to be explicit",
        )
    return 1.0, None


def _check_range(frame: pl.DataFrame, factor: float) -> None:
    """Refuse a measured reading outside GL_MIN_MG_DL–GL_MAX_MG_DL (``gl`` already in mg/dL)."""
    outside = frame.select(
        (
            (pl.col("censored") == 0)
            & ((pl.col("gl") < GL_MIN_MG_DL) | (pl.col("gl") > GL_MAX_MG_DL))
        ).alias("outside")
    ).to_series()
    if not outside.any():
        return
    row, value = _first(frame, outside, "gl")
    given = f"{value / factor:g} mmol/L" if factor != 1.0 else f"{value:g} mg/dL"
    raise RowInputError(
        "gl",
        row,
        f"{given} is outside the physiological range of a CGM reading "
        f"({GL_MIN_MG_DL:g}–{GL_MAX_MG_DL:,.0f} mg/dL): an export or unit error?",
        value,
    )


class TimeOrderError(InputError):
    """Readings of a group are not in strictly increasing time order (run check_frame first)."""


def ensure_canonical(frame: Any, *, check_time_order: bool = True) -> pl.DataFrame:
    """Return ``frame`` if it is a valid canonical frame, else :func:`check_frame` it.

    A frame with the canonical schema is trusted after a cheap check (ids sorted, strictly
    increasing time within each id — skipped with ``check_time_order=False`` when the caller checks
    it itself, as :func:`endolab.cgm.metrics.run_exprs` does — glucose finite and > 0); otherwise it
    goes through :func:`check_frame`, which warns about what it changed.
    """
    if (
        isinstance(frame, pl.DataFrame)
        and not is_canonical(frame)
        and {"id", "time", "gl"} <= set(frame.columns)
        and frame.schema["id"] == pl.String
        and isinstance(frame.schema["time"], pl.Datetime)
        and frame.schema["time"].time_zone is None
        and frame.schema["gl"] == pl.Float64
        and ("censored" not in frame.columns or frame.schema["censored"] == pl.Int8)
    ):
        # typed like the canonical frame but without (or with extra) columns: cheap conversion,
        # then the same checks (a censored column, if present, is validated by check_frame)
        extra = [_no_censored(frame.get_column("gl"))] if "censored" not in frame.columns else []
        if not extra and not frame.get_column("censored").is_in([-1, 0, 1]).all():
            return check_frame(frame)
        unit_col = (
            [pl.col(MMOL_COLUMN).fill_null(False)]
            if frame.schema.get(MMOL_COLUMN) == pl.Boolean
            else []
        )
        frame = frame.with_columns(extra).select(
            "id", pl.col("time").cast(pl.Datetime("us")), "gl", "censored", *unit_col
        )
    if is_canonical(frame) and frame.height > 0:
        ok = (
            frame.get_column("id").is_sorted()
            and frame.select(
                (
                    (
                        (pl.col("id") == pl.col("id").shift(1))
                        & (pl.col("time") <= pl.col("time").shift(1))
                    )
                    .any()
                    .not_()
                    if check_time_order
                    else pl.lit(True)
                )
                & pl.col("gl").is_not_nan().all()
                & pl.col("gl").is_not_null().all()
                & (pl.col("gl") > 0).all()
                & pl.col("gl").is_finite().all()
                & ((pl.col("censored") != 0) | (pl.col("gl") <= GL_MAX_MG_DL)).all()
            ).item()
        )
        if ok:
            return frame  # type: ignore[no-any-return]
    return check_frame(frame)


def _unchanged(frame: pl.DataFrame, unit: str | None) -> pl.DataFrame | None:
    """The canonical frame when :func:`check_frame` would change nothing in ``frame``, else None.

    ``frame`` already typed as the canonical frame (``censored`` optional), checked in one pass:
    no missing id/time/glucose, glucose finite and > 0, ``censored`` in {-1, 0, +1}, measured
    values in mg/dL (none below :data:`MMOL_L_UPPER_BOUND`; ``unit`` None or mg/dL), ids sorted,
    time strictly increasing within each id. Anything else (or an empty frame) takes the full path
    of :func:`check_frame`, which converts, warns and names rows.
    """
    schema = frame.schema
    if (
        frame.height == 0
        or schema.get("id") != pl.String
        or schema.get("time") != CANONICAL_SCHEMA["time"]
        or schema.get("gl") != pl.Float64
        or schema.get("censored", pl.Int8) != pl.Int8
    ):
        return None
    if unit is not None and normalize_unit(unit, quantity="glucose") != "mg/dL":
        return None
    ids = frame.get_column("id")
    if ids.null_count() or not ids.is_sorted():
        return None
    gl = pl.col("gl")
    has_censored = "censored" in frame.columns
    cens = pl.col("censored") if has_censored else pl.lit(0, dtype=pl.Int8)
    # per subject (ids sorted: each is one run of rows, so the temporaries stay per subject)
    stats = (
        frame.lazy()
        .select(pl.col("id").set_sorted(), "time", "gl", *(["censored"] if has_censored else []))
        .group_by("id")
        .agg(
            pl.col("time").null_count().alias("missing"),
            (gl.is_null() | gl.is_nan() | gl.is_infinite() | (gl <= 0)).sum().alias("bad_gl"),
            (cens.is_null() | ~cens.is_in([-1, 0, 1])).sum().alias("bad_censored"),
            (cens == 0).sum().alias("measured"),
            ((cens == 0) & (gl < MMOL_L_UPPER_BOUND)).sum().alias("small"),
            ((cens == 0) & (gl > GL_MAX_MG_DL)).sum().alias("large"),
            (pl.col("time").diff().slice(1) <= pl.duration(microseconds=0))
            .sum()
            .alias("unordered"),
        )
        .select(
            pl.exclude("id").sum(),
            (pl.col("id").str.strip_chars() == "").sum().alias("blank"),  # one row per id
        )
        .collect()
        .row(0, named=True)
    )
    if (
        stats["missing"]
        or stats["bad_gl"]
        or stats["bad_censored"]
        or not stats["measured"]
        or stats["small"]
        or stats["large"]
        or stats["blank"]
        or stats["unordered"]
    ):
        return None
    if has_censored:
        return frame
    # added, not selected: a select over columns of different chunk layouts would copy the
    # whole frame into one chunk (measured: +740 MB for 24.7 M readings)
    return frame.with_columns(_no_censored(frame.get_column("gl")))


@dataclass
class _Pass:
    """What the steps of :func:`check_frame` share: the unit asked for, whether the input carried
    the ``mmol_l`` column, the factor to mg/dL once known, and the notes of what was changed."""

    unit: str | None
    had_unit: bool
    factor: float = 1.0
    notes: list[str] = field(default_factory=list)


def _step_not_empty(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """The table has readings."""
    if frame.height == 0:
        raise InputError("the CGM table is empty: no readings", field="gl")
    return frame


def _step_ids(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """Subject ids are text (numbers are converted), none missing or blank."""
    if frame.schema["id"] != pl.String:
        if frame.schema["id"] == pl.Null:
            raise InputError("column id is empty (all values missing)", field="id")
        try:
            if frame.schema["id"].is_nested():
                raise pl.exceptions.InvalidOperationError("nested")
            frame = frame.with_columns(pl.col("id").cast(pl.String))
        except pl.exceptions.PolarsError:
            raise InputError(
                f"column id must hold text or numbers, got dtype {frame.schema['id']}", field="id"
            ) from None
    ids = frame.get_column("id")
    blank = ids.is_null() | (ids.str.strip_chars() == "")
    if blank.any():
        row, value = _first(frame, blank, "id")
        what = "missing subject id" if value is None else f"blank subject id {value!r}"
        raise RowInputError("id", row, f"{what}; every reading needs a subject id")
    return frame


def _step_glucose(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """Glucose read as numbers (High/Low text → censored); rows without glucose dropped."""
    frame = _parse_glucose(frame)
    missing_gl = frame.get_column("gl").is_null() | frame.get_column("gl").is_nan()
    n_missing = int(missing_gl.sum())
    if n_missing:
        frame = frame.filter(~missing_gl)
        run.notes.append(f"dropped {n_missing} reading(s) with missing glucose (null/NaN)")
    if frame.height == 0:
        raise InputError(
            f"no glucose readings: all {n_missing} gl value(s) are missing", field="gl"
        )
    return frame


def _step_time(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """Times read as naive wall-clock date-times (see :func:`_parse_time`)."""
    frame, time_notes = _parse_time(frame)
    run.notes.extend(time_notes)
    return frame


def _step_positive(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """Every glucose value is a finite number > 0."""
    gl = frame.get_column("gl")
    bad = gl.is_infinite() | (gl <= 0)
    if bad.any():
        row, value = _first(frame, bad, "gl")
        raise RowInputError(
            "gl",
            row,
            f"{value} is not a glucose concentration; accepted: a finite number > 0",
            value,
        )
    return frame


def _step_units(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """The unit given or detected (:func:`_resolve_unit`); mmol/L readings converted to mg/dL
    and flagged in the ``mmol_l`` column."""
    measured = frame.filter(pl.col("censored") == 0).get_column("gl")
    if measured.len():
        factor, note = _resolve_unit(measured, run.unit)
    else:  # only device High/Low codes (39/401 mg/dL whatever the unit): nothing to convert
        if run.unit is not None:
            normalize_unit(run.unit, quantity="glucose")
        factor, note = 1.0, None
    if note:
        run.notes.append(note)
    run.factor = factor
    if factor != 1.0:
        return frame.with_columns(
            pl.when(pl.col("censored") == 0)
            .then(pl.col("gl") * factor)
            .otherwise(pl.col("gl"))
            .alias("gl"),
            # the unit each reading was measured in: classified against that unit's cut-offs
            pl.lit(True).alias(MMOL_COLUMN),
        )
    if run.had_unit:
        return frame.with_columns(pl.col(MMOL_COLUMN).fill_null(False))
    return frame


def _step_range(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """Measured readings lie in :data:`GL_MIN_MG_DL`–:data:`GL_MAX_MG_DL` (:func:`_check_range`)."""
    _check_range(frame, run.factor)
    return frame


def _step_order(frame: pl.DataFrame, run: _Pass) -> pl.DataFrame:
    """Rows sorted by id then time (stable); duplicate (id, time) readings: the first kept."""
    same_id = pl.col("id") == pl.col("id").shift(1)
    stats = frame.select(
        (same_id & (pl.col("time") < pl.col("time").shift(1))).sum().alias("backwards"),
        (same_id & (pl.col("time") == pl.col("time").shift(1))).sum().alias("adjacent_dups"),
        (
            same_id
            & (pl.col("time").shift(1) - pl.col("time")).is_between(
                pl.duration(minutes=45), pl.duration(minutes=60)
            )
        )
        .any()
        .alias("hour_back"),
    ).row(0, named=True)
    backwards = int(stats["backwards"])
    if backwards:
        run.notes.append(
            f"{backwards} reading(s) went backwards in time; rows were sorted by id, time"
            + (
                " (a step back of about 1 h: a DST fall-back in local wall-clock times? The "
                "repeated hour's readings now interleave; give times with their UTC offset for "
                "an unbroken time axis)"
                if stats["hour_back"]
                else ""
            )
        )
    if backwards or not frame.get_column("id").is_sorted():
        # stable sort: duplicates stay in input order, so the first of a run is the first given
        frame = frame.sort(["id", "time"], maintain_order=True)
        n_dup_candidates = 1
    else:
        n_dup_candidates = int(stats["adjacent_dups"])
    if n_dup_candidates:
        # sorted by id then time: duplicates are adjacent; keep the first of each run
        dup = (pl.col("id") == pl.col("id").shift(1)) & (pl.col("time") == pl.col("time").shift(1))
        n_before = frame.height
        frame = frame.filter(~dup.fill_null(False))
        n_dup = n_before - frame.height
        if n_dup:
            run.notes.append(
                f"removed {n_dup} duplicate reading(s) with the same id and time (kept the first "
                "in input order)"
            )
    return frame


#: The steps of :func:`check_frame` after the columns are found, in order (the module docstring's
#: items 1–5); each takes the frame and the pass's shared state and returns the frame.
CHECK_STEPS: Final[tuple[Callable[[pl.DataFrame, _Pass], pl.DataFrame], ...]] = (
    _step_not_empty,
    _step_ids,
    _step_glucose,
    _step_time,
    _step_positive,
    _step_units,
    _step_range,
    _step_order,
)


def _columns(
    data: Any, id_col: str, time_col: str, gl_col: str
) -> tuple[pl.DataFrame, list[str], dict[str, str], bool]:
    """The input as polars, the columns to keep, the mapping to canonical names, and whether it
    carries the ``mmol_l`` column; a missing column is an InputError."""
    frame = _as_polars(data)
    mapping = {"id": id_col, "time": time_col, "gl": gl_col}
    missing = [src for src in mapping.values() if src not in frame.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}; the CGM table needs subject, time and glucose "
            f"columns (found: {', '.join(map(str, frame.columns)) or 'none'}). Map yours with "
            "id_col=, time_col=, gl_col=",
            field=missing[0],
        )
    keep = [mapping["id"], mapping["time"], mapping["gl"]]
    if "censored" in frame.columns and "censored" not in mapping.values():
        keep.append("censored")
    had_unit = frame.schema.get(MMOL_COLUMN) == pl.Boolean and MMOL_COLUMN not in mapping.values()
    return frame, keep, mapping, had_unit


def check_frame(
    data: Any,
    *,
    unit: str | None = None,
    id_col: str = "id",
    time_col: str = "time",
    gl_col: str = "gl",
) -> pl.DataFrame:
    """Validate and normalise CGM readings into the canonical frame.

    Parameters
    ----------
    data
        A polars or pandas DataFrame, one row per reading.
    unit
        Glucose unit of ``gl_col``: ``"mg/dL"``, ``"mmol/L"`` or ``None`` to detect it when the
        values leave no doubt (see the module docstring).
    id_col, time_col, gl_col
        Names of the subject, time and glucose columns in ``data``.

    Returns
    -------
    polars.DataFrame
        Columns ``id`` (String), ``time`` (naive Datetime[us], wall clock), ``gl`` [mg/dL]
        (Float64), ``censored`` (Int8: -1 Low, 0 measured, +1 High); sorted by id then time; no
        missing glucose; no duplicate (id, time).

    Raises
    ------
    InputError
        Missing columns, no readings, glucose ≤ 0, mixed or undetectable units.
    ParseError
        A time or glucose text that cannot be read.

    Warnings
    --------
    EndolabWarning for every change made to the data: rows dropped for missing glucose, readings
    re-ordered, duplicates removed, units converted by detection, DST transitions.
    """
    frame, keep, mapping, had_unit = _columns(data, id_col, time_col, gl_col)
    # the columns as they are (no select: a select over columns of different chunk layouts, as
    # a reader's row numbers next to Parquet row groups, copies the frame into one chunk)
    columns = [frame.get_column(c).alias(k) for k, c in zip(COLUMNS, keep, strict=False)]
    fast = _unchanged(pl.DataFrame(columns), unit)
    if fast is not None:
        if had_unit:  # already canonical readings that were measured in mmol/L: keep the flag
            return fast.with_columns(frame.get_column(MMOL_COLUMN).fill_null(False))
        return fast
    if had_unit:
        keep.append(MMOL_COLUMN)
    if ROW_COLUMN in frame.columns:
        keep.append(ROW_COLUMN)
    frame = frame.select(keep).rename({v: k for k, v in mapping.items() if v != k})
    if ROW_COLUMN not in frame.columns:
        frame = frame.with_row_index(ROW_COLUMN, offset=1)
    run = _Pass(unit=unit, had_unit=had_unit)
    for step in CHECK_STEPS:
        frame = step(frame, run)
    if run.notes:
        emit(Notice("W_CGM_DATA_CHANGED", "W", "; ".join(run.notes)), stacklevel=2)
    if MMOL_COLUMN in frame.columns:
        return frame.select(*COLUMNS, MMOL_COLUMN).cast(_SCHEMA_WITH_UNIT)
    return frame.select(COLUMNS).cast(CANONICAL_SCHEMA)


def _minutes_text(minutes: float) -> str:
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    return f"{hours} h {rest} min" if hours else f"{rest} min"


def long_gap_notice(frame: pl.DataFrame) -> str | None:
    """A notice about gaps longer than :data:`LONG_GAP_MINUTES` in a canonical frame, or None.

    The readers add it to their warnings (a file with a 6-hour hole says so); :func:`check_frame`
    itself does not, since a gap changes no reading.

    >>> import datetime as dt
    >>> f = pl.DataFrame({"id": ["a", "a"], "time": [dt.datetime(2024, 1, 1, 1, 55),
    ...                   dt.datetime(2024, 1, 1, 8, 0)]})
    >>> long_gap_notice(f)[:60]
    '1 gap(s) longer than 3 h between readings (longest 6 h 5 min'
    """
    limit = LONG_GAP_MINUTES * 60_000_000
    ids = frame.get_column("id")
    if frame.height and not ids.null_count() and ids.is_sorted():
        # per subject (each a run of rows): no frame-sized temporaries
        gaps = pl.col("time").diff().slice(1).dt.total_microseconds()
        per = (
            frame.lazy()
            .select(pl.col("id").set_sorted(), "time")
            .group_by("id", maintain_order=True)
            .agg((gaps > limit).sum().alias("n"), gaps.max().alias("longest"))
            .collect()
        )
        n_long = int(per.get_column("n").sum())
        if not n_long:
            return None
        k = int(per.get_column("longest").arg_max() or 0)  # the first subject with the longest
        subject = per.get_column("id")[k]
        times = frame.filter(pl.col("id") == subject).get_column("time")
        j = int(times.diff().arg_max() or 0)
        gap_us = int(per.get_column("longest")[k])
        start, end, sid = times[j - 1], times[j], subject
    else:
        gap = (
            frame.select(
                pl.when(pl.col("id") == pl.col("id").shift(1))
                .then((pl.col("time") - pl.col("time").shift(1)).dt.total_microseconds())
                .alias("gap")
            )
            .to_series()
            .fill_null(0)
        )
        n_long = int((gap > limit).sum())
        if not n_long:
            return None
        i = int(gap.arg_max() or 0)
        start, end = frame.get_column("time")[i - 1], frame.get_column("time")[i]
        gap_us, sid = int(gap[i]), frame.get_column("id")[i]
    return (
        f"{n_long} gap(s) longer than {LONG_GAP_MINUTES // 60} h between readings (longest "
        f"{_minutes_text(gap_us / 60_000_000)}: subject {sid}, "
        f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}); gaps count as missing data "
        "(active %, data sufficiency)"
    )


#: Earliest plausible time of a CGM reading [A]: the first CGM (Medtronic CGMS) was approved in
#: 1999, and no export of today holds older data; a reading before this is a wrong year (a
#: two-digit year read as 00xx or 19xx, a device clock never set, a date column in another unit).
EARLIEST_READING: Final = dt.datetime(2000, 1, 1)


def reading_dates_problem(frame: pl.DataFrame, *, today: dt.date | None = None) -> str | None:
    """One line about readings dated before :data:`EARLIEST_READING` (2000-01-01) or after
    tomorrow, with their counts, or None when every reading lies in between.

    "After tomorrow" [A]: readings from tomorrow are accepted (an export made in a time zone
    ahead of this computer's), anything on the day after or later is a wrong date. ``today``
    defaults to this computer's local date. The readers refuse such files
    (:mod:`endolab.cgm.readers`).

    >>> f = pl.DataFrame({"id": ["a"] * 3, "time": [dt.datetime(1999, 12, 31, 23, 55),
    ...                   dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3)]})
    >>> reading_dates_problem(f, today=dt.date(2024, 1, 1))
    '1 reading(s) dated before 2000-01-01 (earliest 1999-12-31 23:55, subject a) and 1 after tomorrow, 2024-01-02 (latest 2024-01-03 00:00, subject a): a wrong year or device clock? CGM readings are dated from 2000-01-01 to tomorrow [A]'
    """
    if frame.height == 0:
        return None
    limit = dt.datetime.combine((today or dt.date.today()) + dt.timedelta(days=2), dt.time())
    time = pl.col("time")
    stats = frame.select(
        (time < EARLIEST_READING).sum().alias("early"),
        (time >= limit).sum().alias("late"),
        time.min().alias("first"),
        time.max().alias("last"),
        pl.col("id").sort_by(time).first().alias("first_id"),
        pl.col("id").sort_by(time).last().alias("last_id"),
    ).row(0, named=True)
    parts = []
    if stats["early"]:
        parts.append(
            f"{stats['early']} reading(s) dated before {EARLIEST_READING:%Y-%m-%d} (earliest "
            f"{stats['first']:%Y-%m-%d %H:%M}, subject {stats['first_id']})"
        )
    if stats["late"]:
        tomorrow = (limit - dt.timedelta(days=1)).date()
        parts.append(
            f"{stats['late']}{'' if parts else ' reading(s) dated'} after tomorrow, "
            f"{tomorrow:%Y-%m-%d} (latest {stats['last']:%Y-%m-%d %H:%M}, subject "
            f"{stats['last_id']})"
        )
    if not parts:
        return None
    return (
        " and ".join(parts) + f": a wrong year or device clock? CGM readings are dated from "
        f"{EARLIEST_READING:%Y-%m-%d} to tomorrow [A]"
    )


def from_pandas(data: Any, **kwargs: Any) -> pl.DataFrame:
    """:func:`check_frame` for a pandas DataFrame (same keyword arguments); needs ``endolab[pandas]``."""
    return check_frame(data, **kwargs)


def to_pandas(frame: pl.DataFrame) -> Any:
    """Convert a canonical (or any result) polars frame to a pandas DataFrame.

    Times stay naive wall clock (``datetime64[us]``); ``id`` is text. Needs the optional extra
    ``endolab[pandas]`` (pandas and pyarrow).
    """
    return frame.to_pandas()
