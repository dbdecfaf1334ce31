"""Tandem t:connect "Therapy Timeline" CSV export.

Layout (as in the public test fixtures of the t:connect client tconnectsync): banner lines
(``Tandem Diabetes Care Inc.``, ``t:connect Therapy Timeline Data Export``, patient lines), then
sections separated by blank lines, in any order, each with its own header line. The CGM section's
header is ``DeviceType,SerialNumber,Description,EventDateTime,Readings (CGM / BGM)``; its rows with
Description ``EGV`` are sensor readings (``BG`` rows are meter values, skipped). The bolus
section's header starts ``Type,Description,BG,IOB,BolusRequestID,…`` and carries
``CompletionDateTime``, ``InsulinDelivered`` [U] and ``CarbSize`` [g]. Times are the pump's
display clock (ISO 8601 without offset). [A] The export names no glucose unit: it is detected from
the values as for generic files (``unit=`` forces it).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import (
    CGMSource,
    Input,
    as_input,
    check_readings,
    csv_rows,
    read_text,
)
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError

#: Tandem column → canonical field (the column map).
VARIABLE_MAP: Final = {
    "EventDateTime": "time",
    "Description": "record_type",
    "Readings (CGM / BGM)": "gl",
    "CompletionDateTime": "bolus_time",
    "InsulinDelivered": "insulin_u",
    "CarbSize": "carbs_g",
}
_CGM_HEADER: Final = ("devicetype", "serialnumber", "description", "eventdatetime")


def _key(cell: str) -> str:
    return "".join(c for c in cell.lower() if c.isalnum())


def looks_like_tandem(lines: Sequence[str]) -> bool:
    """True when a line is the t:connect CGM section header or the export's banner."""
    for line in lines:
        keys = tuple(_key(c) for c in line.split(",")[:4])
        if keys == _CGM_HEADER or "tconnecttherapytimeline" in _key(line):
            return True
    return False


def _sections(lines: Sequence[str]) -> Iterator[tuple[int, list[list[str]]]]:
    """(line index of the header, rows incl. the header) of each blank-line separated block."""
    start: int | None = None
    for i, line in enumerate([*lines, ""]):
        if line.strip() and start is None:
            start = i
        elif not line.strip() and start is not None:
            yield start, csv_rows("\n".join(lines[start:i]), ",")
            start = None


def read_tandem(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read the CGM readings of a t:connect Therapy Timeline CSV (see the module docstring)."""
    return tandem_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def tandem_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    lines = read_text(src).splitlines()
    times: list[datetime] = []
    values: list[str] = []
    line_no: list[int] = []
    found = False
    for start, rows in _sections(lines):
        keys = [_key(c) for c in rows[0]]
        if tuple(keys[:4]) != _CGM_HEADER or "readingscgmbgm" not in keys:
            continue
        found = True
        i_desc, i_time = keys.index("description"), keys.index("eventdatetime")
        i_gl = keys.index("readingscgmbgm")
        for n, row in enumerate(rows[1:], start=start + 2):
            if len(row) <= max(i_desc, i_time, i_gl) or row[i_desc].strip().upper() != "EGV":
                continue
            try:
                when = datetime.fromisoformat(row[i_time].strip())
            except ValueError:
                reason = iso_calendar_problem(row[i_time])
                raise DataFileError(
                    not_a_calendar_date(repr(row[i_time]), reason)
                    if reason is not None  # the form is right, the day is not (issue 18)
                    else f"cannot read {row[i_time]!r} as a date-time (expected YYYY-MM-DDThh:mm:ss)",
                    file=file,
                    row=n,
                    column="EventDateTime",
                ) from None
            times.append(when.replace(tzinfo=None))
            values.append(row[i_gl].strip())
            line_no.append(n)
    if not found:
        raise DataFileError(
            "no CGM section (header 'DeviceType,SerialNumber,Description,EventDateTime,Readings "
            "(CGM / BGM)'): not a t:connect Therapy Timeline export?",
            file=file,
        )
    if not times:
        raise DataFileError("no EGV (sensor glucose) rows", file=file, column="Description")
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, unit)


def tandem_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Boluses and carbohydrates of the bolus section as the treatments table
    (:mod:`endolab.cgm.readers.treatments`): ``InsulinDelivered`` [U] at ``CompletionDateTime``
    → ``bolus``; ``CarbSize`` [g] above 0 at ``EventDateTime`` → ``carbs``. [A] Basal delivery is
    not read (the basal section's layout is not in the public fixtures), so a daily total from
    t:connect holds boluses only."""
    file = src.name
    out: list[Row] = []
    for start, rows in _sections(read_text(src).splitlines()):
        keys = [_key(c) for c in rows[0]]
        if not keys or keys[0] != "type" or "insulindelivered" not in keys:
            continue
        at = {k: i for i, k in enumerate(keys)}
        for n, row in enumerate(rows[1:], start=start + 2):

            def cell(key: str, row: list[str] = row, at: dict[str, int] = at) -> str:
                i = at.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            stamp = cell("completiondatetime") or cell("eventdatetime")
            try:
                when = datetime.fromisoformat(stamp)
            except ValueError:
                raise DataFileError(
                    f"cannot read {stamp!r} as a date-time",
                    file=file,
                    row=n,
                    column="CompletionDateTime",
                ) from None
            units = parse_amount(cell("insulindelivered"), file, n, "InsulinDelivered")
            if units is not None:
                out.append((when, "bolus", units, None, None))
            grams = parse_amount(cell("carbsize"), file, n, "CarbSize")
            if grams:
                try:
                    meal = datetime.fromisoformat(cell("eventdatetime"))
                except ValueError:
                    meal = when
                out.append((meal, "carbs", None, grams, None))
    return treatment_frame(out, subject_id or src.stem, "tandem")
