"""FreeStyle LibreView CSV export."""

from __future__ import annotations

from typing import Any

import polars as pl

from endolab.cgm.frame import (
    ROW_COLUMN,
)
from endolab.cgm.readers.base import (
    CGMSource,
    DateOrder,
    Input,
    as_input,
    check_readings,
    csv_rows,
    merge_unit,
    norm_name,
    parse_day_month_times,
    read_text,
    sniff_delimiter,
    unit_from_header,
)
from endolab.errors import DataFileError


def read_libre(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    include_scans: bool = False,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    """Read a FreeStyle LibreView CSV export (historic readings; scans on request).

    ``source``: a path, bytes or a binary file object (:data:`CGMSource`); ``name`` names
    in-memory data. ``date_order``: ``"auto"`` (detected from the dates,
    :func:`detect_date_order`), ``"dmy"``, ``"mdy"`` or ``"ymd"``.
    """
    return libre_from_input(
        as_input(source, name),
        unit=unit,
        subject_id=subject_id,
        include_scans=include_scans,
        date_order=date_order,
    )


def libre_from_input(
    src: Input,
    *,
    unit: str | None = None,
    subject_id: str | None = None,
    include_scans: bool = False,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    file = src.name
    text = read_text(src)
    lines = text.splitlines()
    header_at = next(
        (
            i
            for i, line in enumerate(lines[:20])
            if "device timestamp" in line.lower() and "record type" in line.lower()
        ),
        None,
    )
    if header_at is None:
        raise DataFileError(
            "no header line naming 'Device Timestamp' and 'Record Type' in the first 20 lines: "
            "not a LibreView export?",
            file=file,
        )
    delimiter = sniff_delimiter(lines[header_at])
    rows = csv_rows("\n".join(lines[header_at:]), delimiter)
    header = [h.strip() for h in rows[0]]
    norm = [norm_name(h) for h in header]

    def find(pred: Any, what: str) -> int:
        for i, h in enumerate(norm):
            if pred(h):
                return i
        raise DataFileError(
            f"no {what} column (header: {', '.join(header)})", file=file, row=header_at + 1
        )

    i_time = find(lambda h: h == "devicetimestamp", "'Device Timestamp'")
    i_type = find(lambda h: h == "recordtype", "'Record Type'")
    i_hist = find(lambda h: h.startswith("historicglucose"), "'Historic Glucose'")
    i_scan = next((i for i, h in enumerate(norm) if h.startswith("scanglucose")), None)
    header_unit = unit_from_header(header[i_hist])
    unit_header = header[i_hist] if unit is None and header_unit is not None else None
    unit = merge_unit(file, header[i_hist], header_unit, unit)
    keep = {"0": i_hist}
    if include_scans and i_scan is not None:
        keep["1"] = i_scan
    times: list[str] = []
    values: list[str] = []
    line_no: list[int] = []
    for n, row in enumerate(rows[1:], start=header_at + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) <= max(i_time, i_type):
            raise DataFileError(
                f"{len(row)} fields, expected {len(header)}",
                file=file,
                row=n,
                column=header[i_type],
            )
        kind = row[i_type].strip()
        if kind not in keep:
            continue
        idx = keep[kind]
        # an empty value is kept: check_frame drops it and counts it in its warning
        value = row[idx].strip() if idx < len(row) else ""
        times.append(row[i_time].strip())
        values.append(value)
        line_no.append(n)
    if not times:
        raise DataFileError(
            "no historic glucose readings (record type 0)", file=file, column=header[i_type]
        )
    parsed = parse_day_month_times(times, file, line_no, header[i_time], date_order)
    frame = pl.DataFrame(
        {"time": parsed, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, unit, unit_header)
