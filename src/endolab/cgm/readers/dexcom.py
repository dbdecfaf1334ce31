"""Dexcom Clarity CSV export (G6 and G7)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Final

import polars as pl

from endolab.cgm.frame import (
    ROW_COLUMN,
)
from endolab.cgm.readers.base import (
    CGMSource,
    Input,
    as_input,
    check_readings,
    csv_rows,
    merge_unit,
    norm_name,
    read_text,
    sniff_delimiter,
    unit_from_header,
)
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError

#: Clarity column → canonical field (the column map; names matched by their start, as the unit
#: follows in brackets). G6 and G7 exports share the layout; the ``Device`` row's Device Info
#: names the system (``Dexcom G7 Mobile App``).
VARIABLE_MAP: Final = {
    "Timestamp (YYYY-MM-DDThh:mm:ss)": "time",
    "Event Type": "record_type",
    "Event Subtype": "subtype",
    "Device Info": "device",
    "Glucose Value": "gl",
    "Insulin Value (u)": "insulin_u",
    "Carb Value (grams)": "carbs_g",
}


def dexcom_system(text: str) -> str:
    """``G7``, ``G6`` … as named by the ``Device`` rows of a Clarity export, else ``""``.

    >>> dexcom_system("Index,Timestamp,Event Type,Event Subtype,Patient Info,Device Info\\n"
    ...               "3,,Device,,,Dexcom G7 Mobile App")
    'G7'
    """
    for line in text.splitlines()[:60]:
        cells = [c.strip() for c in line.split(",")]
        if len(cells) > 2 and cells[2].lower() == "device":
            found = re.search(r"\bG(\d+)\b", " ".join(cells[3:]))
            if found:
                return f"G{found.group(1)}"
    return ""


def read_dexcom(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read a Dexcom Clarity CSV export (EGV rows only; High/Low kept as censored readings).

    ``source``: a path, bytes or a binary file object (:data:`CGMSource`); ``name`` names
    in-memory data. ``subject_id`` defaults to the file name without extension (the export's name
    fields are personal data and are not read).
    """
    return dexcom_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def dexcom_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    text = read_text(src)
    lines = text.splitlines()
    if not lines:
        raise DataFileError("the file is empty", file=file)
    # the header is line 1 in Clarity exports; lines before it (a title, say) are skipped
    header_at = next(
        (
            i
            for i, line in enumerate(lines[:20])
            if "event type" in line.lower() and "glucose value" in line.lower()
        ),
        0,
    )
    rows = csv_rows("\n".join(lines[header_at:]), sniff_delimiter(lines[header_at]))
    header = [h.strip() for h in rows[0]] if rows else []
    norm = [norm_name(h) for h in header]

    def col(prefix: str) -> int:
        for i, h in enumerate(norm):
            if h.startswith(prefix):
                return i
        raise DataFileError(
            f"no '{prefix}' column: not a Dexcom Clarity export? (header: {', '.join(header)})",
            file=file,
            row=header_at + 1,
        )

    i_time, i_type, i_gl = col("timestamp"), col("eventtype"), col("glucosevalue")
    header_unit = unit_from_header(header[i_gl])
    unit_header = header[i_gl] if unit is None and header_unit is not None else None
    unit = merge_unit(file, header[i_gl], header_unit, unit)
    times: list[str] = []
    values: list[str] = []
    line_no: list[int] = []
    for n, row in enumerate(rows[1:], start=header_at + 2):
        if len(row) <= max(i_time, i_type, i_gl):
            if not any(cell.strip() for cell in row):
                continue
            raise DataFileError(
                f"{len(row)} fields, expected {len(header)}", file=file, row=n, column=header[i_gl]
            )
        if row[i_type].strip().upper() != "EGV":
            continue
        times.append(row[i_time].strip())
        values.append(row[i_gl].strip())
        line_no.append(n)
    if not times:
        raise DataFileError("no EGV (glucose) rows", file=file, column=header[i_type])
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.String, "gl": pl.String, ROW_COLUMN: pl.Int64},
    )
    time_text = frame.get_column("time")
    parsed = pl.select(
        pl.coalesce(
            time_text.str.to_datetime(fmt, time_unit="us", strict=False)
            for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M")
        )
    ).to_series()
    bad = parsed.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        reason = iso_calendar_problem(times[i])
        raise DataFileError(
            not_a_calendar_date(repr(times[i]), reason)
            if reason is not None  # the form is right, the day is not (issue 18)
            else f"cannot read {times[i]!r} as a date-time (expected YYYY-MM-DDThh:mm:ss)",
            file=file,
            row=line_no[i],
            column=header[i_time],
        )
    frame = frame.with_columns(parsed.alias("time"), pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, unit, unit_header)


def dexcom_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Insulin and carbohydrate events of a Clarity export as the treatments table
    (:mod:`endolab.cgm.readers.treatments`): ``Insulin`` rows (``Insulin Value (u)``; subtype
    ``Long-Acting`` → ``long_acting``, otherwise ``bolus``) and ``Carbs`` rows (``Carb Value
    (grams)``)."""
    file = src.name
    lines = read_text(src).splitlines()
    header_at = next((i for i, line in enumerate(lines[:20]) if "event type" in line.lower()), None)
    if header_at is None:
        raise DataFileError("no 'Event Type' column: not a Dexcom Clarity export?", file=file)
    rows = csv_rows("\n".join(lines[header_at:]), sniff_delimiter(lines[header_at]))
    norm = [norm_name(h) for h in rows[0]]

    def col(prefix: str) -> int | None:
        return next((i for i, h in enumerate(norm) if h.startswith(prefix)), None)

    i_time, i_type, i_sub = col("timestamp"), col("eventtype"), col("eventsubtype")
    i_ins, i_carb = col("insulinvalue"), col("carbvalue")
    if i_time is None or i_type is None:
        raise DataFileError("no 'Timestamp' and 'Event Type' columns", file=file, row=header_at + 1)
    out: list[Row] = []
    for n, row in enumerate(rows[1:], start=header_at + 2):
        if len(row) <= i_type:
            continue
        kind = row[i_type].strip().lower()
        if kind not in ("insulin", "carbs"):
            continue
        try:
            when = datetime.fromisoformat(row[i_time].strip())
        except ValueError:
            raise DataFileError(
                f"cannot read {row[i_time]!r} as a date-time", file=file, row=n, column="Timestamp"
            ) from None
        if kind == "insulin" and i_ins is not None and i_ins < len(row):
            units = parse_amount(row[i_ins], file, n, rows[0][i_ins])
            sub = row[i_sub].strip().lower() if i_sub is not None and i_sub < len(row) else ""
            if units is not None:
                out.append((when, "long_acting" if "long" in sub else "bolus", units, None, None))
        elif kind == "carbs" and i_carb is not None and i_carb < len(row):
            grams = parse_amount(row[i_carb], file, n, rows[0][i_carb])
            if grams is not None:
                out.append((when, "carbs", None, grams, None))
    return treatment_frame(out, subject_id or src.stem, "dexcom")
