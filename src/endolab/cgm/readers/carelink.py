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
from datetime import datetime
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
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.errors import DataFileError
from endolab.notices import Notice, emit

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


def carelink_treatments(
    src: Input, *, subject_id: str | None = None, date_order: DateOrder = "auto"
) -> pl.DataFrame:
    """Insulin and carbohydrates of the Pump section as the treatments table
    (:mod:`endolab.cgm.readers.treatments`): ``Bolus Volume Delivered (U)`` → ``bolus``,
    ``BWZ Carb Input (grams)`` above 0 → ``carbs`` (0 is a correction bolus without food),
    ``Basal Rate (U/h)`` → ``basal`` segments [A]: each rate holds until the next rate row (the
    last until the file's last record). Temporary basal rates and suspensions are not applied to
    these segments [A].

    A MiniMed 780G export has a Pump section marked ``Aggregated Auto Insulin Data`` whose rows
    (``Bolus Volume Delivered (U)``, ``CLOSED_LOOP_AUTO_INSULIN``) hold each day's automatic
    (SmartGuard) insulin, as the example export of the R package aidR shows and aidR reads it
    ("daily aggregated auto (closed-loop) insulin"); aidR notes that the ``Basal Rate (U/h)``
    rows are the programmed pattern, not what the pump delivers in automated mode. So such a row
    is a ``basal`` dose of that day (no duration), and [A] on a day with one the programmed
    basal segments are left out (the day is taken as automated; a day partly in manual mode is
    undercounted) — a warning says how many segments were left out."""
    file = src.name
    lines = read_text(src).splitlines()
    sections = [s for s in find_sections(lines) if s[1].lower() == "pump"] or find_sections(lines)
    if not sections:
        raise DataFileError("no CareLink Pump section: not a CareLink export?", file=file)
    ends = [*sorted(h for h, _ in find_sections(lines)), len(lines) + 1]
    texts: list[str] = []
    line_no: list[int] = []
    cells: list[tuple[str, str, str, str]] = []
    auto_rows: set[int] = set()
    for header_at, _kind in sections:
        marker = " ".join(lines[max(0, header_at - 3) : header_at]).lower()
        auto = "aggregated auto insulin" in marker
        delimiter = sniff_delimiter(lines[header_at])
        end = min(e for e in ends if e > header_at) - 1
        rows = csv_rows("\n".join(lines[header_at:end]), delimiter)
        header = [h.strip() for h in rows[0]]
        low = [h.lower() for h in header]
        if any(h.startswith("bwz carb input") and "gram" not in h for h in low):
            raise DataFileError(
                "carbohydrates are in exchanges, not grams: not read [A]",
                file=file,
                row=header_at + 1,
                column="BWZ Carb Input",
            )

        def at(name: str, low: list[str] = low) -> int | None:
            return next((i for i, h in enumerate(low) if h.startswith(name)), None)

        i_date, i_time = at("date"), at("time")
        i_bolus, i_carb, i_basal = (
            at("bolus volume delivered"),
            at("bwz carb input"),
            at("basal rate"),
        )
        if i_date is None or i_time is None:
            continue
        for n, row in enumerate(rows[1:], start=header_at + 2):
            if len(row) <= max(i_date, i_time) or not row[i_date].strip():
                continue

            def get(i: int | None, row: list[str] = row) -> str:
                return row[i] if i is not None and i < len(row) else ""

            texts.append(f"{row[i_date].strip()} {row[i_time].strip()}")
            line_no.append(n)
            if auto:
                auto_rows.add(n)
            cells.append((get(i_bolus), get(i_carb), get(i_basal), str(n)))
    if not texts:
        return treatment_frame([], subject_id or src.stem, "carelink")
    times = parse_day_month_times(texts, file, line_no, "Date/Time", date_order).to_list()
    out: list[Row] = []
    rates: list[tuple[datetime, float]] = []
    for when, (bolus, carbs, basal, n_text) in zip(times, cells, strict=True):
        n = int(n_text)
        units = parse_amount(bolus, file, n, "Bolus Volume Delivered (U)")
        if units is not None:
            out.append((when, "basal" if n in auto_rows else "bolus", units, None, None))
        grams = parse_amount(carbs, file, n, "BWZ Carb Input (grams)")
        if grams:
            out.append((when, "carbs", None, grams, None))
        rate = parse_amount(basal, file, n, "Basal Rate (U/h)")
        if rate is not None:
            rates.append((when, rate))
    last = max(times)
    rates.sort(key=lambda r: r[0])
    auto_days = {when.date() for when, (_b, _c, _r, n_text) in zip(times, cells, strict=True)
                 if int(n_text) in auto_rows}  # fmt: skip
    left_out = 0
    for (start, rate), nxt in zip(rates, [*rates[1:], (last, 0.0)], strict=True):
        minutes = (nxt[0] - start).total_seconds() / 60
        if minutes > 0 and start.date() in auto_days:
            left_out += 1
        elif minutes > 0:
            out.append((start, "basal", rate * minutes / 60, None, minutes))
    if left_out:
        emit(
            Notice(
                "W_CGM_PARTIAL_BASAL",
                "W",
                f"{file}: {left_out} programmed basal segment(s) left out on {len(auto_days)} "
                "day(s) with aggregated automatic (closed-loop) insulin, which stands for that "
                "day's basal",
                field=file,
            )
        )
    return treatment_frame(out, subject_id or src.stem, "carelink")
