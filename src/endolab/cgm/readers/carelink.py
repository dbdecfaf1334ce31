"""Medtronic CareLink CSV export ("Data Export (CSV)"): a multi-section file.

Layout (the header published in tidepool-org/uploader issue #1427, a MiniMed 780G export): patient
lines, then one section per device, each opened by a marker line
``-------;<device>;Pump|Sensor;<serial>;-------`` and its own header line starting
``Index;Date;Time;New Device Time;…``. Sensor glucose is the column ``Sensor Glucose (mg/dL)``
(or ``(mmol/L)``) of the **Sensor** section; the Pump section carries insulin (``Bolus Volume
Delivered (U)``, ``Basal Rate (U/h)``) and carbohydrates (``BWZ Carb Input (grams)``). European
exports are semicolon-separated with decimal commas; dates are written ``YYYY/MM/DD`` with the
time in a separate ``Time`` column (other orders go through the day/month detection). Times are
the pump's display clock (local wall clock, no time zone).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import (
    CGMSource,
    DateOrder,
    Input,
    as_input,
    check_readings,
    csv_rows,
    merge_unit,
    parse_day_month_times,
    read_text,
    sniff_delimiter,
    unit_from_header,
)
from endolab.errors import DataFileError

#: CareLink column → canonical field (the column map). Glucose and carbohydrate columns are
#: matched by prefix: their headers end with the unit.
VARIABLE_MAP: Final = {
    "Date": "date",
    "Time": "time",
    "Sensor Glucose": "gl",
    "Bolus Volume Delivered (U)": "bolus_u",
    "Basal Rate (U/h)": "basal_u_per_h",
    "BWZ Carb Input": "carbs",
}

_MARKER = re.compile(r"^-{3,}[,;\t]")


def find_sections(lines: Sequence[str]) -> list[tuple[int, str]]:
    """(line index of the header, section kind) of each section: the line after a ``-------``
    marker line; kind is ``Sensor``, ``Pump`` or whatever the marker names."""
    out = []
    for i, line in enumerate(lines):
        if _MARKER.match(line) and i + 1 < len(lines):
            cells = [c.strip() for c in re.split(r"[,;\t]", line)]
            kind = next((c for c in cells if c.lower() in ("sensor", "pump", "meter")), "")
            header = next(
                (j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].strip()), None
            )
            if header is not None and lines[header].lstrip().lower().startswith("index"):
                out.append((header, kind))
    return out


def looks_like_carelink(lines: Sequence[str]) -> bool:
    """True when the file has a CareLink section header (``Index``, ``Date``, ``Time`` and a
    ``Sensor Glucose`` column)."""
    for line in lines:
        low = line.lower()
        if low.lstrip().startswith("index") and "sensor glucose" in low and "isig" in low:
            return True
    return False


def read_carelink(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    """Read the sensor glucose of a Medtronic CareLink CSV export (see the module docstring).

    ``subject_id`` defaults to the file name without extension (the export's patient lines hold
    names and are not read).
    """
    return carelink_from_input(
        as_input(source, name), unit=unit, subject_id=subject_id, date_order=date_order
    )


def carelink_from_input(
    src: Input,
    *,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    file = src.name
    lines = read_text(src).splitlines()
    sections = find_sections(lines)
    if not sections:
        plain = [
            i
            for i, line in enumerate(lines[:40])
            if line.lstrip().lower().startswith("index") and "sensor glucose" in line.lower()
        ]
        sections = [(plain[0], "")] if plain else []
    if not sections:
        raise DataFileError(
            "no CareLink section header (a line 'Index;Date;Time;…' with a 'Sensor Glucose' "
            "column): not a CareLink export?",
            file=file,
        )
    sensor = [s for s in sections if s[1].lower() == "sensor"] or sections
    ends = [*sorted(h for h, _ in sections), len(lines) + 1]
    texts: list[str] = []
    values: list[str] = []
    line_no: list[int] = []
    gl_header: str | None = None
    for header_at, _kind in sensor:
        delimiter = sniff_delimiter(lines[header_at])
        end = min(e for e in ends if e > header_at) - 1  # the next section's marker line
        rows = csv_rows("\n".join(lines[header_at:end]), delimiter)
        header = [h.strip() for h in rows[0]]
        low = [h.lower() for h in header]
        try:
            i_date, i_time = low.index("date"), low.index("time")
        except ValueError:
            raise DataFileError(
                f"no 'Date' and 'Time' columns (header: {', '.join(header)})",
                file=file,
                row=header_at + 1,
            ) from None
        i_gl = next((i for i, h in enumerate(low) if h.startswith("sensor glucose")), None)
        if i_gl is None:
            continue
        gl_header = header[i_gl]
        for n, row in enumerate(rows[1:], start=header_at + 2):
            if _MARKER.match(delimiter.join(row)) or not any(c.strip() for c in row):
                continue
            if len(row) <= max(i_date, i_time, i_gl):
                continue  # a short line (pump events without the sensor columns)
            value = row[i_gl].strip()
            if not value:
                continue
            texts.append(f"{row[i_date].strip()} {row[i_time].strip()}")
            values.append(value)
            line_no.append(n)
    if gl_header is None or not texts:
        raise DataFileError("no sensor glucose readings", file=file, column="Sensor Glucose")
    header_unit = unit_from_header(gl_header)
    unit_header = gl_header if unit is None and header_unit is not None else None
    unit = merge_unit(file, gl_header, header_unit, unit)
    times = parse_day_month_times(texts, file, line_no, "Date/Time", date_order)
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, unit, unit_header)
