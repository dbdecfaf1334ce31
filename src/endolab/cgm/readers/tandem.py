"""Tandem pump CSV exports: the t:connect "Therapy Timeline" export and its successor, the
Tandem Source "Daily Timeline" CSV export.

**t:connect** (as in the public test fixtures of the t:connect client tconnectsync): banner lines
(``Tandem Diabetes Care Inc.``, ``t:connect Therapy Timeline Data Export``, patient lines), then
sections separated by blank lines, in any order, each with its own header line. The CGM section's
header is ``DeviceType,SerialNumber,Description,EventDateTime,Readings (CGM / BGM)``; its rows with
Description ``EGV`` are sensor readings (``BG`` rows are meter values, skipped). The bolus
section's header starts ``Type,Description,BG,IOB,BolusRequestID,…`` and carries
``CompletionDateTime``, ``InsulinDelivered`` [U] and ``CarbSize`` [g]; the basal section carries
``EventDateTime`` and ``BasalRate`` [U/h] (the names tconnectsync's parser reads). Times are the
pump's display clock (ISO 8601 without offset). [A] The t:connect export names no glucose unit: it
is detected from the values as for generic files (``unit=`` forces it).

**Tandem Source** (the newer web app; header lines as public readers of its export describe them:
the R package aidR's Tandem Source reader and two open-source Python parsers, read, not copied):
the same kinds of table with spaced column names — CGM ``Device Type,Serial Number,Description,
Event Date Time,Readings (mg/dL)`` (or ``(mmol/L)``: the unit is in the header), bolus ``Type,
Bolus Type,Bolus Delivery Method,BG (mg/dL),Serial Number,Completion Date Time,Insulin Delivered,
…,Carb Size,…``, basal ``Device Type,Serial Number,Event Date Time,Commanded Basal Dose (units of
insulin)`` [U per record], meter ``…,BG (mg/dL),Note``. The export is a folder or zip of one CSV
per table (``…-CGM.csv``, ``…-Bolus.csv``, ``…-Basal-doses.csv``, ``…-BG.csv``,
``…-Hourly-basal-delivery.csv``), each starting with its header row, times written
``2026-03-05T00:04:33`` (the pump's clock) — as the example export the aidR package ships
(``inst/extdata/tandem_source_example``, an anonymised real export) shows; the zip, any one CSV, or [A] the tables as sections
of one file are read (the hourly summary is left out: it would count the basal twice). Column
names are compared without case, spaces or punctuation, so both spellings match; [A] English
headers only (aidR notes that Tandem Source writes them in the export's language).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import (
    CGMSource,
    Input,
    as_input,
    check_readings,
    csv_rows,
    merge_unit,
    read_text,
    unit_from_header,
    zip_member_texts,
)
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError

#: Tandem column → canonical field (the column map; t:connect and Tandem Source spellings).
VARIABLE_MAP: Final = {
    "EventDateTime": "time",
    "Event Date Time": "time",
    "Description": "record_type",
    "Readings (CGM / BGM)": "gl",
    "Readings (mg/dL)": "gl",
    "Readings (mmol/L)": "gl",
    "CompletionDateTime": "bolus_time",
    "Completion Date Time": "bolus_time",
    "InsulinDelivered": "insulin_u",
    "Insulin Delivered": "insulin_u",
    "CarbSize": "carbs_g",
    "Carb Size": "carbs_g",
    "BasalRate": "basal_rate_u_per_h",
    "Commanded Basal Dose (units of insulin)": "basal_u",
}
_CGM_HEADER: Final = ("devicetype", "serialnumber", "description", "eventdatetime")
_DOSE_HEADER: Final = ("devicetype", "serialnumber", "eventdatetime", "commandedbasaldose")


def _key(cell: str) -> str:
    return "".join(c for c in cell.lower() if c.isalnum())


def _kind(cells: Sequence[str]) -> str | None:
    """Which Tandem table a header line opens: ``cgm``, ``meter``, ``bolus``, ``basal_rate``,
    ``basal_dose``, or None (a data row, a banner line)."""
    keys = [_key(c) for c in cells]
    if tuple(keys[:4]) == _CGM_HEADER and len(keys) > 4:
        return "cgm" if keys[4].startswith("readings") else "meter"
    if (
        len(keys) >= 4
        and tuple(keys[:3]) == _DOSE_HEADER[:3]
        and keys[3].startswith(_DOSE_HEADER[3])
    ):
        return "basal_dose"
    if keys and keys[0] == "type" and "insulindelivered" in keys and "completiondatetime" in keys:
        return "bolus"
    if "basalrate" in keys and "eventdatetime" in keys:
        return "basal_rate"
    return None


def looks_like_tandem(lines: Sequence[str]) -> bool:
    """True when a line is a t:connect or Tandem Source table header, or the t:connect banner."""
    for line in lines:
        if "tconnecttherapytimeline" in _key(line):
            return True
        if _kind(csv_rows(line, ",")[0] if line.strip() else []) in ("cgm", "meter", "basal_dose"):
            return True
        if _kind(line.split(",")) == "bolus" and _key(line.split(",")[1]) == "bolustype":
            return True  # the Tandem Source bolus table
    return False


#: File-name endings of the per-table CSVs of a Tandem Source export (a folder or zip; the
#: ``…-Hourly-basal-delivery.csv`` summary is left out: it would count the basal doses twice).
SOURCE_MEMBERS: Final = ("-cgm.csv", "-bolus.csv", "-basal-doses.csv", "-bg.csv")


def source_members(data: bytes) -> list[str]:
    """The Tandem Source table CSVs in a zip (names ending ``-CGM.csv``, ``-Bolus.csv``,
    ``-Basal-doses.csv``, ``-BG.csv``), sorted; empty when ``data`` is not such a zip."""
    if not data.startswith(b"PK\x03\x04"):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return []
    return sorted(n for n in names if n.lower().endswith(SOURCE_MEMBERS))


def _texts(src: Input) -> list[tuple[str, str]]:
    """(name for messages, text) of each table file: the members of a Tandem Source zip, or the
    input itself."""
    raw = src.read_bytes()
    members = source_members(raw)
    if not members:
        return [(src.name, read_text(src))]
    return zip_member_texts(raw, members, src.name, "Tandem Source")


def tandem_variant(text: str) -> str:
    """``t:connect`` when the file has the t:connect banner or its CGM header (``Readings (CGM /
    BGM)``), else ``Source`` (Tandem Source's tables name the unit or use spaced names)."""
    for line in text.splitlines()[:200]:
        key = _key(line)
        if "tconnecttherapytimeline" in key or key.endswith("readingscgmbgm"):
            return "t:connect"
    return "Source"


def _sections(lines: Sequence[str]) -> Iterator[tuple[str, int, list[list[str]]]]:
    """(kind, line index of the header, rows incl. the header) of each table: a table starts at a
    header line :func:`_kind` knows and ends at a blank line or the next header."""
    kind: str | None = None
    start = 0
    for i, line in enumerate([*lines, ""]):
        cells = csv_rows(line, ",")[0] if line.strip() else []
        new = _kind(cells) if cells else None
        if kind is not None and (not line.strip() or new is not None):
            yield kind, start, csv_rows("\n".join(lines[start:i]), ",")
            kind = None
        if new is not None:
            kind, start = new, i


def _stamp(text: str, file: str, row: int, column: str) -> datetime:
    try:
        return datetime.fromisoformat(text.strip()).replace(tzinfo=None)
    except ValueError:
        reason = iso_calendar_problem(text)
        raise DataFileError(
            not_a_calendar_date(repr(text), reason)
            if reason is not None  # the form is right, the day is not (issue 18)
            else f"cannot read {text!r} as a date-time (expected YYYY-MM-DDThh:mm:ss or "
            "YYYY-MM-DD hh:mm:ss)",
            file=file,
            row=row,
            column=column,
        ) from None


def read_tandem(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read the CGM readings of a t:connect Therapy Timeline or Tandem Source CSV (see the module
    docstring)."""
    return tandem_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def tandem_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    times: list[datetime] = []
    values: list[str] = []
    line_no: list[int] = []
    units: dict[str | None, str] = {}
    found = False
    for label, kind, start, rows in (
        (label, *section) for label, text in _texts(src) for section in _sections(text.splitlines())
    ):
        if kind != "cgm":
            continue
        found = True
        keys = [_key(c) for c in rows[0]]
        i_desc, i_time, i_gl = keys.index("description"), keys.index("eventdatetime"), 4
        gl_header = rows[0][i_gl].strip()
        units.setdefault(unit_from_header(gl_header), gl_header)
        for n, row in enumerate(rows[1:], start=start + 2):
            if len(row) <= max(i_desc, i_time, i_gl) or row[i_desc].strip().upper() != "EGV":
                continue
            times.append(_stamp(row[i_time], label, n, rows[0][i_time].strip()))
            values.append(row[i_gl].strip())
            line_no.append(n)
    if not found:
        raise DataFileError(
            "no CGM table (header 'DeviceType,SerialNumber,Description,EventDateTime,Readings "
            "(CGM / BGM)' or Tandem Source's 'Device Type,Serial Number,Description,Event Date "
            "Time,Readings (mg/dL)'): not a Tandem t:connect/Source export, or its CGM file?",
            file=file,
        )
    if not times:
        raise DataFileError("no EGV (sensor glucose) rows", file=file, column="Description")
    if len(units) > 1:
        raise DataFileError(
            f"the CGM tables name different units ({', '.join(sorted(units.values()))})",
            file=file,
        )
    header_unit, gl_header = next(iter(units.items()))
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    merged = merge_unit(file, gl_header, header_unit, unit)
    return check_readings(frame, file, merged, gl_header if unit is None and header_unit else None)


def tandem_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Insulin and carbohydrates of a t:connect or Tandem Source export as the treatments table
    (:mod:`endolab.cgm.readers.treatments`).

    * bolus table: ``InsulinDelivered`` [U] at ``CompletionDateTime`` → ``bolus``; ``CarbSize``
      [g] above 0 at ``EventDateTime`` (Tandem Source: at the completion time) → ``carbs``;
    * t:connect basal table: ``BasalRate`` [U/h] as segments — each rate holds until the next
      basal row, the last until the latest time in the file [A] — insulin = rate × duration;
    * Tandem Source basal table: each ``Commanded Basal Dose (units of insulin)`` [U] is one
      ``basal`` row with that dose and no duration [A: the dose is counted on the day of its
      time stamp; the hourly-basal summary table is not read, it would count the same insulin
      twice].
    """
    file = src.name
    out: list[Row] = []
    rates: list[tuple[datetime, float]] = []
    latest: datetime | None = None
    for file, kind, start, rows in (
        (label, *section) for label, text in _texts(src) for section in _sections(text.splitlines())
    ):
        keys = [_key(c) for c in rows[0]]
        at = {k: i for i, k in enumerate(keys)}
        names = {k: rows[0][i].strip() for i, k in enumerate(keys)}
        for n, row in enumerate(rows[1:], start=start + 2):

            def cell(key: str, row: list[str] = row, at: dict[str, int] = at) -> str:
                i = at.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            if not any(c.strip() for c in row):
                continue
            if kind == "bolus":
                when = _stamp(
                    cell("completiondatetime") or cell("eventdatetime"),
                    file,
                    n,
                    names.get("completiondatetime", "CompletionDateTime"),
                )
                units = parse_amount(cell("insulindelivered"), file, n, names["insulindelivered"])
                if units is not None:
                    out.append((when, "bolus", units, None, None))
                grams = parse_amount(cell("carbsize"), file, n, names.get("carbsize", "CarbSize"))
                if grams:
                    try:
                        meal = datetime.fromisoformat(cell("eventdatetime"))
                    except ValueError:
                        meal = when
                    out.append((meal, "carbs", None, grams, None))
            elif kind in ("basal_rate", "basal_dose", "cgm", "meter"):
                when = _stamp(cell("eventdatetime"), file, n, names["eventdatetime"])
                if kind == "basal_rate":
                    rate = parse_amount(cell("basalrate"), file, n, names["basalrate"])
                    if rate is not None:
                        rates.append((when, rate))
                elif kind == "basal_dose":
                    dose_key = keys[3]
                    dose = parse_amount(cell(dose_key), file, n, names[dose_key])
                    if dose is not None:
                        out.append((when, "basal", dose, None, None))
            else:
                continue
            latest = when if latest is None or when > latest else latest
    rates.sort(key=lambda r: r[0])
    ends = [*(t for t, _ in rates[1:]), latest][: len(rates)]
    for (t0, rate), end in zip(rates, ends, strict=True):
        minutes = (end - t0) / timedelta(minutes=1) if end is not None else 0.0
        if minutes > 0:
            out.append((t0, "basal", rate * minutes / 60, None, minutes))
    return treatment_frame(out, subject_id or src.stem, "tandem")
