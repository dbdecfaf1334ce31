"""Glooko (formerly Diasend) export: the zip of CSV files, or its CGM CSV alone.

Layout (as public Glooko readers and their fixtures describe it, found with the code search): the
export is a zip with one folder per kind (``CGM data/cgm_data_1.csv`` …, ``Insulin
data/bolus_data_1.csv`` …); each CSV starts with one metadata line (name, date range or record
number), then its header. The CGM header is ``Timestamp,CGM Glucose Value (mg/dl),Serial Number``
(or ``(mmol/l)``); the bolus files carry ``Insulin Delivered (U)`` and ``Carbs Input (g)``. Times
are the device's wall clock. [A] A ``Timestamp`` in ISO order is read as written; day/month text
goes through the day/month detection.

Checked against a published export: the German example export the R package aidR ships
(``inst/extdata/glooko_example``, anonymised with randomised values; GPL-3, read, not copied): the
file names and folders (``cgm_data_1.csv``, ``Insulin data/bolus_data_1.csv``, ``…/basal_data_1.csv``),
the metadata line (``Name:…,Datumsbereich:22.06.2026 - 22.06.2026,``), headers in the account's
language (German names: :data:`GERMAN_NAMES`), times ``22.06.2026 23:55`` (day first), decimal
commas (``"215,0"``) and the newest reading first (the reader sorts by time, without a warning).
[A] Other languages than English and German are not read.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers import base
from endolab.cgm.readers.base import (
    CGMSource,
    DateOrder,
    Input,
    as_input,
    check_readings,
    csv_rows,
    decode_text,
    merge_unit,
    parse_day_month_times,
    sniff_delimiter,
    unit_from_header,
)
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.errors import DataFileError

#: Glooko column → canonical field (the column map; glucose matched by its start).
VARIABLE_MAP: Final = {
    "Timestamp": "time",
    "CGM Glucose Value": "gl",
    "Insulin Delivered (U)": "insulin_u",
    "Carbs Input (g)": "carbs_g",
    "Duration (minutes)": "duration_min",
    "Rate": "basal_rate_u_per_h",
}
#: German column names of a Glooko export → the English ones (the export writes its headers in
#: the account's language; these are the headers of the German example export the R package aidR
#: ships, inst/extdata/glooko_example: cgm_data_1.csv, Insulin data/bolus_data_1.csv and
#: basal_data_1.csv; read, not copied). [A] The mmol/L spelling of the glucose column by analogy.
GERMAN_NAMES: Final = {
    "Zeitstempel": "Timestamp",
    "CGM-Glukosewert (mg/dl)": "CGM Glucose Value (mg/dl)",
    "CGM-Glukosewert (mmol/l)": "CGM Glucose Value (mmol/l)",
    "Seriennummer": "Serial Number",
    "Insulin-Typ": "Insulin type",
    "Abgegebenes Insulin (E)": "Insulin Delivered (U)",
    "Kohlenhydrataufnahme (g)": "Carbs Input (g)",
    "Dauer (Minuten)": "Duration (minutes)",
    "Prozentsatz (%)": "Percentage (%)",
}
_ZIP_MAGIC: Final = b"PK\x03\x04"
#: The most a Glooko zip may unpack to [bytes] (the readers' limit, base.MAX_UNPACKED_BYTES).
MAX_UNPACKED_BYTES: Final = base.MAX_UNPACKED_BYTES


def glooko_members(data: bytes, kind: str) -> list[str]:
    """The CSV members of a Glooko zip whose file name starts with ``kind`` (``cgm_data``,
    ``bolus_data``), sorted; empty when ``data`` is not such a zip."""
    if not data.startswith(_ZIP_MAGIC):
        return []
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return []
    return sorted(
        n for n in names if n.rsplit("/", 1)[-1].lower().startswith(kind) and n.endswith(".csv")
    )


def looks_like_glooko(lines: Sequence[str]) -> bool:
    """True when one of the first lines is a Glooko CGM header (``Timestamp`` and ``CGM Glucose
    Value``, or the German ``Zeitstempel`` and ``CGM-Glukosewert``)."""
    return any(
        ("timestamp" in s.lower() and "cgm glucose value" in s.lower())
        or ("zeitstempel" in s.lower() and "cgm-glukosewert" in s.lower())
        for s in lines[:5]
    )


def _english(text: str) -> str:
    """The text with a German header line (among the first 5) written with the English names
    (:data:`GERMAN_NAMES`); other lines as they are."""
    lines = text.split("\n")
    for i, line in enumerate(lines[:5]):
        if "Zeitstempel" in line:
            cells = line.split(",")
            lines[i] = ",".join(GERMAN_NAMES.get(c.strip(), c) for c in cells)
    return "\n".join(lines)


def _texts(src: Input, kind: str) -> list[tuple[str, str]]:
    """(name for messages, text) of each Glooko CSV of ``kind`` in the input (a zip or a CSV)."""
    raw = src.read_bytes()
    members = glooko_members(raw, kind)
    if not members:
        return [(src.name, _english(decode_text(raw, src.name)))]
    return base.zip_member_texts(
        raw,
        members,
        src.name,
        "Glooko",
        limit=MAX_UNPACKED_BYTES,
        decode=lambda data, label: _english(decode_text(data, label)),
    )


def _table(text: str, file: str, want: str) -> tuple[int, list[list[str]]]:
    lines = text.splitlines()
    at = next(
        (i for i, s in enumerate(lines[:5]) if "timestamp" in s.lower() and want in s.lower()),
        None,
    )
    if at is None:
        raise DataFileError(
            f"no Glooko header ('Timestamp' and {want!r}) in the first 5 lines", file=file
        )
    return at, csv_rows("\n".join(lines[at:]), sniff_delimiter(lines[at]))


def read_glooko(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    """Read the CGM readings of a Glooko export: the zip (every ``cgm_data_*.csv`` in it) or one
    CGM CSV (see the module docstring)."""
    return glooko_from_input(
        as_input(source, name), unit=unit, subject_id=subject_id, date_order=date_order
    )


def glooko_from_input(
    src: Input,
    *,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    frames: list[tuple[str, pl.DataFrame, str | None, str | None]] = []
    for file, text in _texts(src, "cgm_data"):
        at, rows = _table(text, file, "cgm glucose value")
        header = [h.strip() for h in rows[0]]
        low = [h.lower() for h in header]
        i_time = low.index("timestamp")
        i_gl = next(i for i, h in enumerate(low) if h.startswith("cgm glucose value"))
        stamps: list[str] = []
        values: list[str] = []
        line_no: list[int] = []
        for n, row in enumerate(rows[1:], start=at + 2):
            if len(row) <= max(i_time, i_gl) or not row[i_time].strip():
                continue
            stamps.append(row[i_time].strip())
            values.append(row[i_gl].strip())
            line_no.append(n)
        if not stamps:
            raise DataFileError("no CGM readings", file=file, column=header[i_gl])
        header_unit = unit_from_header(header[i_gl])
        file_unit = merge_unit(file, header[i_gl], header_unit, unit)
        iso = pl.Series(stamps).str.to_datetime(strict=False, time_unit="us")
        times = (
            iso
            if iso.null_count() == 0
            else parse_day_month_times(stamps, file, line_no, header[i_time], date_order)
        )
        frame = (
            pl.DataFrame(
                {"time": times, "gl": values, ROW_COLUMN: line_no},
                schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
            )
            .sort("time", maintain_order=True)  # the export lists the newest reading first
            .with_columns(pl.lit(subject_id or src.stem).alias("id"))
        )
        frames.append((file, frame, file_unit, header[i_gl] if unit is None else None))
    if len(frames) == 1:
        file, frame, file_unit, header_name = frames[0]
        return check_readings(frame, file, file_unit, header_name)
    units = {f[2] for f in frames}
    if len(units) > 1:
        raise DataFileError(
            f"the CGM files of this export use different units ({', '.join(map(str, units))})",
            file=src.name,
        )
    joined = pl.concat([f[1] for f in frames]).sort("time", maintain_order=True)
    return check_readings(joined, src.name, frames[0][2], frames[0][3])


def glooko_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Boluses and carbohydrates of a Glooko zip's ``bolus_data_*.csv`` as the treatments table
    (:mod:`endolab.cgm.readers.treatments`): ``Insulin Delivered (U)`` → ``bolus``, ``Carbs
    Input (g)`` above 0 → ``carbs``; and the ``basal_data_*.csv`` files as ``basal`` segments
    (:func:`glooko_basal`)."""
    raw = src.read_bytes()
    if not glooko_members(raw, "bolus_data") and not glooko_members(raw, "basal_data"):
        raise DataFileError(
            "no 'bolus_data' or 'basal_data' CSV in this Glooko export: give the export's zip",
            file=src.name,
        )
    out: list[Row] = glooko_basal(src) if glooko_members(raw, "basal_data") else []
    if not glooko_members(raw, "bolus_data"):
        return treatment_frame(out, subject_id or src.stem, "glooko")
    for file, text in _texts(src, "bolus_data"):
        at, rows = _table(text, file, "insulin delivered")
        low = [h.strip().lower() for h in rows[0]]
        i_time = low.index("timestamp")
        i_ins = next((i for i, h in enumerate(low) if h.startswith("insulin delivered")), None)
        i_carb = next((i for i, h in enumerate(low) if h.startswith("carbs input")), None)
        stamps: list[str] = []
        line_no: list[int] = []
        cells: list[tuple[str, str]] = []
        for n, row in enumerate(rows[1:], start=at + 2):
            if len(row) <= i_time or not row[i_time].strip():
                continue
            stamps.append(row[i_time].strip())
            line_no.append(n)
            cells.append(
                (
                    row[i_ins] if i_ins is not None and i_ins < len(row) else "",
                    row[i_carb] if i_carb is not None and i_carb < len(row) else "",
                )
            )
        iso = pl.Series(stamps, dtype=pl.String).str.to_datetime(strict=False, time_unit="us")
        times = (
            iso
            if iso.null_count() == 0
            else parse_day_month_times(stamps, file, line_no, "Timestamp", "auto")
        ).to_list()
        for when, n, (ins, carb) in zip(times, line_no, cells, strict=True):
            units = parse_amount(ins, file, n, "Insulin Delivered (U)")
            if units is not None:
                out.append((when, "bolus", units, None, None))
            grams = parse_amount(carb, file, n, "Carbs Input (g)")
            if grams:
                out.append((when, "carbs", None, grams, None))
    return treatment_frame(out, subject_id or src.stem, "glooko")


def _times(stamps: list[str], file: str, line_no: list[int]) -> list[datetime]:
    iso = pl.Series(stamps, dtype=pl.String).str.to_datetime(strict=False, time_unit="us")
    if iso.null_count() == 0:
        return iso.to_list()
    return parse_day_month_times(stamps, file, line_no, "Timestamp", "auto").to_list()


def glooko_basal(src: Input) -> list[Row]:
    """Basal rows of a Glooko zip's ``basal_data_*.csv`` (header ``Timestamp,Insulin
    type,Duration (minutes),Percentage (%),Rate,Insulin delivered (U),Serial number``, names
    compared without case): a row with ``Rate`` [U/h] and ``Duration (minutes)`` [min] is a segment
    of rate × duration / 60 [U]; a rate without a duration holds until the next basal row [A] (the
    last such row, with nothing after it, is not counted); a row with ``Insulin delivered (U)``
    but no rate counts that insulin, with no duration."""
    out: list[Row] = []
    for file, text in _texts(src, "basal_data"):
        at, rows = _table(text, file, "duration")
        header = [h.strip() for h in rows[0]]
        low = [h.lower() for h in header]

        def find(prefix: str, low: list[str] = low) -> int | None:
            return next((i for i, h in enumerate(low) if h.startswith(prefix)), None)

        i_time, i_rate = low.index("timestamp"), find("rate")
        i_dur, i_ins = find("duration"), find("insulin delivered")
        body = [
            (n, r)
            for n, r in enumerate(rows[1:], start=at + 2)
            if len(r) > i_time and r[i_time].strip()
        ]
        times = _times([r[i_time].strip() for _, r in body], file, [n for n, _ in body])

        def amount(
            row: list[str], i: int | None, n: int, file: str = file, header: list[str] = header
        ) -> float | None:
            if i is None or i >= len(row):
                return None
            return parse_amount(row[i], file, n, header[i])

        for k, (when, (n, row)) in enumerate(zip(times, body, strict=True)):
            rate, minutes = amount(row, i_rate, n), amount(row, i_dur, n)
            if rate is not None and minutes is None and k + 1 < len(times):
                minutes = (times[k + 1] - when).total_seconds() / 60
            if rate is not None and minutes is not None:
                out.append((when, "basal", rate * minutes / 60, None, minutes))
            elif rate is None and (units := amount(row, i_ins, n)) is not None:
                out.append((when, "basal", units, None, None))
    return out
