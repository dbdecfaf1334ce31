"""Generic CSV/Parquet reader: one row per reading (R iglu's ``id, time, gl`` and the like)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import (
    ROW_COLUMN,
)
from endolab.cgm.readers.base import (
    DAY_MONTH_RE,
    SEPARATORS,
    CGMSource,
    DateOrder,
    Input,
    as_input,
    check_readings,
    norm_name,
    parse_day_month_times,
    read_text,
    sniff_delimiter,
    utf16_encoding,
)
from endolab.errors import DataFileError

_ID_NAMES: Final = (
    "id",
    "subject",
    "subject_id",
    "subjectid",
    "patient",
    "patient_id",
    "patientid",
)
_TIME_NAMES: Final = ("time", "timestamp", "datetime", "date_time", "device_timestamp")
_GL_NAMES: Final = ("gl", "glucose", "sensor_glucose", "glucose_value", "sgv")


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    lookup = {norm_name(c).replace("/", ""): c for c in columns}
    for name in names:
        hit = lookup.get(name.replace("_", ""))
        if hit is not None:
            return hit
    return None


def _read_generic_csv(src: Input) -> pl.DataFrame:
    """All columns as text; polars reads the file itself (fast) unless it is not UTF-8."""
    file = src.name
    head = src.read_bytes(65536)
    if not head.strip():
        raise DataFileError("the file is empty", file=file)
    if utf16_encoding(head) is not None or b"\x00" in head[:4096] or head.startswith(b"PK\x03\x04"):
        text = read_text(src)  # UTF-16: decoded here (polars reads UTF-8); else a clear error
        first = text.split("\n", 1)[0]
    else:
        text = None
        first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    options: dict[str, Any] = {
        "separator": sniff_delimiter(first),
        "infer_schema": False,
        "truncate_ragged_lines": False,
    }
    if text is None:
        try:
            return pl.read_csv(src.source(), **options)
        except Exception:
            pass  # not UTF-8, or malformed: decode ourselves for a precise message
        text = read_text(src)
    try:
        return pl.read_csv(io.StringIO(text), **options)
    except Exception as exc:
        raise _malformed(text, options["separator"], file) or DataFileError(
            f"not a readable CSV table: {exc}", file=file
        ) from None


def _malformed(text: str, delimiter: str, file: str) -> DataFileError | None:
    """The first row with more fields than the header, or an open quote, as a DataFileError."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader, [])
        for row in reader:
            if len(row) > len(header):
                return DataFileError(
                    f"{len(row)} fields, but the header names {len(header)}",
                    file=file,
                    row=reader.line_num,
                )
    except csv.Error as exc:
        return DataFileError(f"malformed CSV ({exc})", file=file, row=reader.line_num)
    return None


def read_generic(
    source: CGMSource,
    *,
    name: str | None = None,
    columns: Mapping[str, str] | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    """Read a CSV or Parquet file with one row per reading (see the module docstring).

    Parameters
    ----------
    source
        ``.csv``/``.txt`` (comma, semicolon or tab separated) or ``.parquet``: a path, bytes or a
        binary file object (:data:`CGMSource`).
    name
        Name of in-memory data (messages, format, default subject id); default ``upload``.
    columns
        Optional map from canonical names (``id``, ``time``, ``gl``, ``censored``) to the file's.
    unit
        Glucose unit of the file, or ``None`` to detect it when unambiguous.
    subject_id
        Subject id when the file has no subject column (default: file name without extension).
    date_order
        For text times written day/month/year or month/day/year (``13/03/2024 07:05``,
        ``03-13-2024 07:05 AM``): ``"auto"`` detects the order from the data
        (:func:`detect_date_order`; ambiguous files are an error asking for it), or ``"dmy"`` /
        ``"mdy"``. ISO 8601 times (``2024-03-13T07:05:00``) need nothing.
    """
    return generic_from_input(
        as_input(source, name),
        columns=columns,
        unit=unit,
        subject_id=subject_id,
        date_order=date_order,
    )


def generic_from_input(
    src: Input,
    *,
    columns: Mapping[str, str] | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    file = src.name
    if src.is_parquet:
        try:
            frame = pl.read_parquet(src.source())
        except Exception as exc:
            raise DataFileError(f"cannot read as Parquet: {exc}", file=file) from None
        header_lines = 0
    else:
        frame = _read_generic_csv(src)
        header_lines = 1
    mapping = dict(columns or {})
    for key, names in (("id", _ID_NAMES), ("time", _TIME_NAMES), ("gl", _GL_NAMES)):
        if key not in mapping:
            found = _find(frame.columns, names)
            if found is not None:
                mapping[key] = found
    for key in ("time", "gl"):
        if key not in mapping:
            if header_lines and len(frame.columns) == 1:
                # one column: the separator is not one we know (a colon, spaces …)
                raise DataFileError(
                    f"the header line {frame.columns[0]!r} is one column: its separator is not "
                    f"one of {', '.join(SEPARATORS.values())} (detected from the header line); "
                    "save the file as CSV",
                    file=file,
                )
            raise DataFileError(
                f"no {key} column found (columns: {', '.join(frame.columns) or 'none'}); name it "
                f"{'/'.join((_TIME_NAMES if key == 'time' else _GL_NAMES)[:3])} or map it with "
                f"columns={{'{key}': ...}} (CLI: --{key}-col)",
                file=file,
            )
    unknown = [v for v in mapping.values() if v not in frame.columns]
    if unknown:
        raise DataFileError(
            f"column(s) {', '.join(unknown)} not in the file (columns: {', '.join(frame.columns)})",
            file=file,
        )
    selected = {k: pl.col(v) for k, v in mapping.items() if k in ("id", "time", "gl", "censored")}
    out = frame.select([e.alias(k) for k, e in selected.items()])
    if "id" not in out.columns:
        out = out.with_columns(pl.lit(subject_id or src.stem).alias("id"))
    if frame.height == 0:
        raise DataFileError("no readings (the table has a header only)", file=file)
    if header_lines or out.schema["time"] == pl.String:
        # file lines for the errors (a Parquet row's number is its index + 1, check_frame's
        # default, so a Parquet file of typed columns needs no copy of them)
        out = out.with_row_index(ROW_COLUMN, offset=1 + header_lines)
    if out.schema["time"] == pl.String:
        text = out.get_column("time").str.strip_chars()
        if (
            text.null_count() == 0
            and bool(text.head(1).str.contains(DAY_MONTH_RE).all())  # cheap test first
            and bool(text.str.contains(DAY_MONTH_RE).all())
        ):
            times = parse_day_month_times(
                text.to_list(),
                file,
                out.get_column(ROW_COLUMN).to_list(),
                mapping["time"],
                date_order,
            )
            out = out.with_columns(times.alias("time"))
    if out.schema["gl"] == pl.String:
        out = out.with_columns(pl.col("gl").str.strip_chars())
    return check_readings(out, file, unit)
