"""Windows of days as people write them: ``FIRST:LAST`` and a day 0 (a date or a table id → day0).

:func:`resolve_window` turns the text of a window (``352:365``, ``-14:-1`` or
``2024-01-01:2024-01-14``) and of a day 0 into the ``window`` and ``day0`` arguments of
:func:`endolab.cgm.compute_metrics`; :func:`parse_window` and :func:`parse_day0` do one each;
:func:`check_window_readings` refuses a window in which no subject has a reading.
Day numbers are relative to day 0 and both ends are inclusive (:func:`endolab.cgm.periods.add_periods`).

Messages name the inputs by their command-line options (``--window``, ``--day0``) unless told
otherwise, so that every front end answers with the same words.

>>> resolve_window("352:365", "2024-01-10")
((352, 365), datetime.date(2024, 1, 10))
>>> resolve_window("2024-01-01:2024-01-14", None)
((datetime.date(2024, 1, 1), datetime.date(2024, 1, 14)), None)
"""

from __future__ import annotations

import datetime as _dt
import io
import os
from pathlib import Path
from typing import IO, Any

import polars as pl

from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError, InputError, ParseError

__all__ = ["Day0", "check_window_readings", "parse_day0", "parse_window", "resolve_window"]

#: A day 0: a date (or its ISO text) for everyone, or a CSV table with columns ``id`` and ``day0``
#: given as a path, as bytes, as a binary file object or as a polars frame.
Day0 = str | _dt.date | os.PathLike[str] | bytes | IO[bytes] | pl.DataFrame

Bounds = tuple[int, int] | tuple[_dt.date, _dt.date]


def parse_window(window: str, *, label: str = "--window") -> Bounds:
    """``FIRST:LAST`` as two whole day numbers or two ISO dates (inclusive).

    >>> parse_window(" -14 : -1 ")
    (-14, -1)
    >>> parse_window("1-14")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: --window '1-14': expected FIRST:LAST, e.g. 352:365, -14:-1 or 2024-01-01:2024-01-14
    >>> parse_window("2024-02-01:2024-02-30")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: --window '2024-02-01:2024-02-30': '2024-02-30' is not a calendar date (that month has no such day)
    """
    parts = window.strip().split(":")
    if len(parts) != 2:
        raise ParseError(
            f"{label} {window!r}: expected FIRST:LAST, e.g. 352:365, -14:-1 or "
            "2024-01-01:2024-01-14",
            field=label,
            value=window,
        )
    first, last = (p.strip() for p in parts)
    try:
        return (int(first), int(last))
    except ValueError:
        pass
    for part in (first, last):
        problem = iso_calendar_problem(part)
        if problem is not None:
            raise ParseError(
                f"{label} {window!r}: " + not_a_calendar_date(repr(part), problem),
                field=label,
                value=window,
            )
    try:
        return (_dt.date.fromisoformat(first), _dt.date.fromisoformat(last))
    except ValueError:
        raise ParseError(
            f"{label} {window!r}: FIRST and LAST must be whole day numbers or dates (YYYY-MM-DD)",
            field=label,
            value=window,
        ) from None


def _day0_table(source: Any, name: str) -> pl.DataFrame:
    if isinstance(source, Path) and source.is_dir():
        raise DataFileError(
            "is a folder, not a file; --day0 takes a date (YYYY-MM-DD) or a CSV file with "
            "columns id,day0",
            file=name,
        )
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            source = io.BytesIO(bytes(source))
        table = pl.read_csv(source, infer_schema=False)
    except Exception as exc:
        raise DataFileError(f"not a readable CSV table: {exc}", file=name) from None
    if not {"id", "day0"} <= set(table.columns):
        raise DataFileError("needs columns id and day0", file=name, row=1)
    return table


def parse_day0(day0: Day0, *, label: str = "--day0", name: str | None = None) -> Any:
    """A day 0 for everyone (a :class:`datetime.date`) or per subject (a frame with id, day0).

    Text is read as an ISO date only (never as a file name: a front end that takes a file turns it
    into a path, bytes or a file object first). ``name`` names an in-memory table in messages
    (default: the path, or ``day0.csv``).

    >>> parse_day0("2024-01-10")
    datetime.date(2024, 1, 10)
    >>> parse_day0(b"id,day0\\np1,2024-01-10\\n").rows()
    [('p1', '2024-01-10')]
    """
    if isinstance(day0, pl.DataFrame):
        if not {"id", "day0"} <= set(day0.columns):
            raise DataFileError("needs columns id and day0", file=name or "day0", row=1)
        return day0
    if isinstance(day0, _dt.datetime):
        return day0.date()
    if isinstance(day0, _dt.date):
        return day0
    if isinstance(day0, os.PathLike):
        path = Path(day0)
        return _day0_table(path, name or str(path))
    if isinstance(day0, (bytes, bytearray, memoryview)) or hasattr(day0, "read"):
        data = day0 if isinstance(day0, (bytes, bytearray, memoryview)) else day0.read()
        return _day0_table(data, name or "day0.csv")
    try:
        return _dt.date.fromisoformat(str(day0).strip())
    except ValueError:
        raise ParseError(
            f"{label} {day0!r}: not a date (YYYY-MM-DD) nor an existing CSV file",
            field=label,
            value=day0,
        ) from None


def resolve_window(
    window: str | None,
    day0: Day0 | None,
    *,
    labels: tuple[str, str] = ("--window", "--day0"),
) -> tuple[Bounds | None, Any]:
    """``(window, day0)`` for :func:`endolab.cgm.compute_metrics` from their written forms.

    A window of day numbers needs a day 0; a window of dates does not (its day 0 is ignored); a
    day 0 without a window is an error.

    >>> resolve_window(None, None)
    (None, None)
    >>> resolve_window("-14:-1", None)
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: --window with day numbers needs --day0 DATE or --day0 FILE
    """
    w_label, d_label = labels
    if window is None:
        if day0 is not None:
            raise InputError(f"{d_label} needs {w_label} FIRST:LAST", field=d_label)
        return None, None
    bounds = parse_window(window, label=w_label)
    if isinstance(bounds[0], _dt.date):
        return bounds, None
    if day0 is None:
        raise InputError(
            f"{w_label} with day numbers needs {d_label} DATE or {d_label} FILE", field=d_label
        )
    return bounds, parse_day0(day0, label=d_label)


def check_window_readings(
    table: pl.DataFrame,
    window: Bounds,
    *,
    labels: tuple[str, str] = ("--window", "--day0"),
) -> None:
    """Refuse the metrics table of a window in which no subject has a single reading.

    A window entirely outside the readings (another year, a day 0 far from the data) gives a table
    with no row (a window of dates, or any window with ``by``) or with ``n_readings`` 0 on every
    row (a window of day numbers: one row per subject with a day 0): said in one line,
    ``E_WINDOW_EMPTY`` (:class:`~endolab.errors.InputError`, exit status 3), instead of an empty
    table. A window that holds readings of some subjects is a result (the others have
    ``n_readings`` 0), and :func:`endolab.cgm.compute_metrics` itself still returns such tables.

    >>> import datetime as dt
    >>> empty = pl.DataFrame({"id": ["a", "b"], "n_readings": [0, 0]})
    >>> check_window_readings(empty, (500, 510))
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: E_WINDOW_EMPTY: --window '500:510': no reading of any subject falls on days 500 to 510 counted from --day0; nothing to compute: check --window and --day0
    >>> check_window_readings(pl.DataFrame({"id": [], "n_readings": []}),
    ...                       (dt.date(2030, 1, 1), dt.date(2030, 1, 14)))
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: E_WINDOW_EMPTY: --window '2030-01-01:2030-01-14': no reading of any subject falls on these dates (inclusive); nothing to compute: give a window within the dates of the readings
    >>> check_window_readings(pl.DataFrame({"id": ["a", "b"], "n_readings": [0, 7]}), (0, 0))
    """
    readings = (
        int(table.get_column("n_readings").fill_null(0).sum())
        if "n_readings" in table.columns
        else table.height
    )
    if table.height and readings:
        return
    w_label, d_label = labels
    first, last = window
    if isinstance(first, _dt.date):
        where = "on these dates (inclusive)"
        fix = "give a window within the dates of the readings"
    else:
        where = f"on days {first} to {last} counted from {d_label}"
        fix = f"check {w_label} and {d_label}"
    given = f"{first}:{last}"
    raise InputError(
        f"{w_label} {given!r}: no reading of any subject falls {where}; nothing to compute: {fix}",
        code="E_WINDOW_EMPTY",
        field=w_label,
        value=given,
    )
