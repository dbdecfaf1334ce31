"""Eversense (Senseonics) glucose export: CSV, or the same table as an Excel workbook (``.xlsx``).

Layout facts, from the one public Eversense export found with the code search (issue 20): the
example data file ``example/data/eversense_example.xlsx`` of gcappon/py_agata (AGATA, GPL-3; the
file was read to learn the layout, nothing of it is copied) and that project's reader
``read_eversense_data`` (which reads the same table from ``.xlsx`` or ``.csv``). One sheet, one
header row, one row per reading::

    EventDateStr,EventTimeStr,Value,UnitMeasureVal,SensorID
    19-October-2021,3:00 PM,180,mg/dL,…

* ``EventDateStr``: day-monthname-year (``19-October-2021``, English month names);
* ``EventTimeStr``: 12-hour clock with AM/PM (``3:00 PM``), the wearer's wall clock (no zone);
* ``Value``: sensor glucose in the unit of ``UnitMeasureVal`` (``mg/dL``; [A] ``mmol/L`` read
  the same way); ``SensorID``: the sensor, not the person (the id is the file name);
* rows newest first (the reader sorts them).

[A] Not confirmed by a second source: the CSV variant's separator (sniffed: comma, semicolon,
tab), abbreviated month names (``19-Oct-2021``), a 24-hour time (``15:00``) and seconds are read
too; other month names (an export in another language) are refused naming the line.
[A] ``HI``/``LO`` text in ``Value`` (the app shows HI above 400 mg/dL and LO below 40 mg/dL; the
example holds none) is kept as a censored reading, as for the other vendors. Insulin, meals and
calibrations are not in this table.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import (
    UNIT_UNSET,
    CGMSource,
    Input,
    as_input,
    check_readings,
    csv_rows,
    norm_name,
    read_text,
    sniff_delimiter,
)
from endolab.cgm.readers.tidepool_xlsx import is_xlsx
from endolab.errors import DataFileError, asks

#: The header row of an Eversense export, in order.
HEADER: Final = ("EventDateStr", "EventTimeStr", "Value", "UnitMeasureVal", "SensorID")
#: Eversense column → canonical field (the column map).
VARIABLE_MAP: Final = {
    "EventDateStr": "date",
    "EventTimeStr": "time",
    "Value": "gl",
    "UnitMeasureVal": "unit",
    "SensorID": "sensor",
}
#: English month names and their three-letter abbreviations → month number.
_MONTHS: Final = {
    name: number
    for number, full in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
    for name in (full, full[:3])
}
_DATE_RE: Final = re.compile(r"^(\d{1,2})[-/ ]([A-Za-z]+)\.?[-/ ](\d{4})$")
_TIME_RE: Final = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$")
#: How many lines may come before the header [A: none in the example; a banner is allowed].
_HEADER_SEARCH_LINES: Final = 5


def _is_header(cells: Sequence[Any]) -> bool:
    names = {norm_name(str(c)) for c in cells if c is not None}
    return "eventdatestr" in names and "eventtimestr" in names and "value" in names


def looks_like_eversense(lines: Sequence[str]) -> bool:
    """True when one of the first lines is the Eversense header (``EventDateStr``,
    ``EventTimeStr``, ``Value``)."""
    for line in lines[:_HEADER_SEARCH_LINES]:
        if "eventdatestr" in line.lower() and line.strip():
            return _is_header(csv_rows(line, sniff_delimiter(line))[0])
    return False


def _open_xlsx(src: Input) -> Any:
    from openpyxl import load_workbook  # the [xlsx] extra; the CLI names it when missing

    try:
        return load_workbook(io.BytesIO(src.read_bytes()), read_only=True, data_only=True)
    except (KeyError, ValueError, OSError) as exc:
        raise DataFileError(f"not a readable Excel workbook ({exc})", file=src.name) from None


def _xlsx_rows(src: Input) -> tuple[str, list[list[Any]]] | None:
    """(sheet name, rows) of the first sheet holding the Eversense header, or None."""
    import zipfile

    try:
        book = _open_xlsx(src)
    except zipfile.BadZipFile:
        return None
    try:
        for sheet in book.worksheets:
            head = list(sheet.iter_rows(max_row=_HEADER_SEARCH_LINES, values_only=True))
            if any(_is_header(row) for row in head):
                return sheet.title, [list(r) for r in sheet.iter_rows(values_only=True)]
        return None
    finally:
        book.close()


def looks_like_eversense_xlsx(src: Input) -> bool:
    """True when a sheet of the workbook starts with the Eversense header."""
    return _xlsx_rows(src) is not None


def parse_eversense_time(day: Any, clock: Any) -> datetime | None:
    """The wall clock of one row from ``EventDateStr`` and ``EventTimeStr`` (text, or Excel
    date/time cells); None when either cannot be read.

    >>> parse_eversense_time("19-October-2021", "3:00 PM"), parse_eversense_time("07-Oct-2021", "12:05 AM")
    (datetime.datetime(2021, 10, 19, 15, 0), datetime.datetime(2021, 10, 7, 0, 5))
    >>> parse_eversense_time("19-Oktober-2021", "3:00 PM") is None
    True
    """
    if isinstance(day, datetime):
        on: date | None = day.date()
    elif isinstance(day, date):
        on = day
    else:
        on = None
        found = _DATE_RE.match(str(day or "").strip())
        month = _MONTHS.get(found.group(2).lower()) if found else None
        if found and month:
            try:
                on = date(int(found.group(3)), month, int(found.group(1)))
            except ValueError:
                return None
    if on is None:
        return None
    if isinstance(clock, datetime):
        clock = clock.time()
    if isinstance(clock, time):
        return datetime.combine(on, clock.replace(tzinfo=None))
    hit = _TIME_RE.match(str(clock or "").strip())
    if hit is None:
        return None
    hour, minute, second = int(hit.group(1)), int(hit.group(2)), int(hit.group(3) or 0)
    half = (hit.group(4) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime.combine(on, time(hour, minute, second))


def read_eversense(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read an Eversense export, CSV or ``.xlsx`` (see the module docstring; the workbook needs
    the ``[xlsx]`` extra). The id is the file name without extension (``SensorID`` names the
    sensor, not the person); ``unit`` must agree with ``UnitMeasureVal`` when both are given."""
    return eversense_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return repr(value)
    return "" if value is None else str(value).strip()


def eversense_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    rows: list[list[Any]]
    if is_xlsx(src.read_bytes()):
        found = _xlsx_rows(src)
        if found is None:
            raise DataFileError(
                "no sheet starts with the Eversense header (EventDateStr, EventTimeStr, Value, "
                "UnitMeasureVal, SensorID)",
                file=file,
            )
        file = f"{file}:{found[0]}"
        rows = found[1]
    else:
        lines = read_text(src).splitlines()
        first = next(
            (i for i, s in enumerate(lines[:_HEADER_SEARCH_LINES]) if "eventdatestr" in s.lower()),
            None,
        )
        if first is None:
            raise DataFileError(
                f"no Eversense header (EventDateStr, EventTimeStr, Value, UnitMeasureVal) in the "
                f"first {_HEADER_SEARCH_LINES} lines",
                file=file,
            )
        # banner lines stay as empty rows so that row numbers are line numbers
        rows = [[] for _ in range(first)]
        rows += csv_rows("\n".join(lines[first:]), sniff_delimiter(lines[first]))
    at = next((i for i, r in enumerate(rows[:_HEADER_SEARCH_LINES]) if _is_header(r)), None)
    if at is None:
        raise DataFileError(
            "the Eversense header lacks EventDateStr, EventTimeStr or Value", file=file
        )
    keys = [norm_name(_cell(h)) for h in rows[at]]
    i_date, i_time, i_gl = (keys.index(k) for k in ("eventdatestr", "eventtimestr", "value"))
    i_unit = keys.index("unitmeasureval") if "unitmeasureval" in keys else None
    times: list[datetime] = []
    values: list[str] = []
    line_no: list[int] = []
    units: dict[str, int] = {}
    for n, row in enumerate(rows[at + 1 :], start=at + 2):  # header = line at + 1
        cells = list(row) + [None] * (len(keys) - len(row))
        if all(_cell(c) == "" for c in cells):
            continue
        when = parse_eversense_time(cells[i_date], cells[i_time])
        if when is None:
            raise DataFileError(
                f"{_cell(cells[i_date])!r} {_cell(cells[i_time])!r} is not a date and time as "
                "Eversense writes them ('19-October-2021', '3:00 PM')",
                file=file,
                row=n,
                column="EventDateStr",
            )
        if i_unit is not None and _cell(cells[i_unit]):
            row_unit = _cell(cells[i_unit])
            if norm_name(row_unit) not in ("mg/dl", "mmol/l"):
                raise DataFileError(
                    f"unit {row_unit!r}; accepted: mg/dL, mmol/L",
                    file=file,
                    row=n,
                    column="UnitMeasureVal",
                )
            units.setdefault("mmol/L" if norm_name(row_unit) == "mmol/l" else "mg/dL", n)
        times.append(when)
        values.append(_cell(cells[i_gl]))
        line_no.append(n)
    if not times:
        raise DataFileError("no readings below the Eversense header", file=file)
    if len(units) > 1:
        second = max(units.values())
        raise DataFileError(
            "the file mixes mg/dL and mmol/L readings; export it in one unit",
            file=file,
            row=second,
            column="UnitMeasureVal",
        )
    file_unit = next(iter(units), None)
    if unit is not None and file_unit is not None and unit.lower() != file_unit.lower():
        raise asks(
            DataFileError(
                f"UnitMeasureVal says {file_unit} but unit={unit} was given; {UNIT_UNSET}",
                file=file,
                column="UnitMeasureVal",
            ),
            "unit",
            "unit_unset",
            UNIT_UNSET,
        )
    frame = (
        pl.DataFrame(
            {"time": times, "gl": values, ROW_COLUMN: line_no},
            schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
        )
        .sort("time", maintain_order=True)  # the export lists the newest reading first
        .with_columns(pl.lit(subject_id or src.stem).alias("id"))
    )
    return check_readings(frame, file, file_unit or unit)
