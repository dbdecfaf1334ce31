"""Diasend (now Glooko) export as the old binary Excel workbook (``.xls``, BIFF8), read with
python-calamine (optional extra ``[xlsx]``).

Layout facts, from two public readers of these workbooks found with the code search (read, not
copied): an R script that turns Diasend ``.xls`` files into CSV (``read.xls(file, sheet='CGM',
skip=1)``, then ``strptime(time, "%d/%m/%Y %H:%M")``; insulin from the sheet ``Insulin use and
carbs`` with the columns ``Basal Amount (U/h)``, ``Bolus Volume (U)``, ``Immediate Volume (U)``,
``Extended Volume (U)``, ``Duration (min)``, ``Carbs(g)``) and a Python uploader of Diasend
``.xls`` exports to Tidepool (xlrd: the blood glucose on the first sheet, the CGM readings on the
second from its third row, time in column 1 and glucose in mmol/L in column 2, times as
``%d/%m/%Y %H:%M`` text). So the sheet **"CGM"** has one line above its header row; the header
row starts with ``Time``; each row below holds the time and the glucose.

[A] The glucose column is the first header cell naming a unit (``mmol/L`` or ``mg/dL``), else the
column after ``Time`` with the unit from ``--unit`` or detected from the values (a third public
reader, of Diasend exports of Animas pumps, maps the CGM columns as ``Time`` and ``mg/dl``: the
unit alone, which this rule matches; the mmol/L spelling stays [A]). Basal rate rows of ``Insulin
use and carbs``: :func:`diasend_xls_treatments`. [A] Times are
read as Excel dates when the cell is a date, else as day/month text through the day/month
detection. [A] A text value ``HI``/``LO`` (``High``/``Low``) is kept as a censored reading, as
for the other vendors. [A] The layout is confirmed by the two readers only, not against a
workbook of ours.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import (
    CGMSource,
    DateOrder,
    Input,
    as_input,
    check_readings,
    merge_unit,
    parse_day_month_times,
    unit_from_header,
)
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.errors import DataFileError

#: The first bytes of an OLE2 compound file, the container of a BIFF8 ``.xls`` workbook.
XLS_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The worksheet of the sensor glucose readings.
CGM_SHEET: Final = "CGM"
#: The worksheet of the pump's insulin and carbohydrates.
INSULIN_SHEET: Final = "Insulin use and carbs"
#: Diasend ``.xls`` column → canonical field (the column map; glucose: the column naming a unit).
VARIABLE_MAP: Final = {
    "Time": "time",
    "mmol/L": "gl",
    "mg/dL": "gl",
    "Bolus Volume (U)": "insulin_u",
    "Carbs(g)": "carbs_g",
    "Basal Amount (U/h)": "basal_rate_u_per_h",
}
#: How many rows may come before the header row [A: one in the public readers; a few more are
#: searched].
_HEADER_SEARCH_ROWS: Final = 5


def is_xls(data: bytes) -> bool:
    """True when ``data`` starts as an OLE2 compound file (an old binary Excel ``.xls``)."""
    return data.startswith(XLS_MAGIC)


def _open(src: Input) -> Any:
    from python_calamine import CalamineError, CalamineWorkbook  # the [xlsx] extra

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(src.read_bytes()))
    except CalamineError as exc:
        raise DataFileError(f"not a readable Excel workbook (.xls): {exc}", file=src.name) from None


def _sheet(src: Input, name: str) -> list[list[Any]] | None:
    """The cells of sheet ``name`` (rows of Python values), or None when the workbook lacks it."""
    book = _open(src)
    if name not in book.sheet_names:
        return None
    rows: list[list[Any]] = book.get_sheet_by_name(name).to_python()
    return rows


def _header_at(rows: Sequence[Sequence[Any]]) -> int | None:
    for i, row in enumerate(rows[:_HEADER_SEARCH_ROWS]):
        if row and str(row[0]).strip().lower() == "time":
            return i
    return None


def looks_like_diasend_xls(src: Input) -> bool:
    """True when ``src`` is an ``.xls`` workbook with a ``CGM`` sheet whose header row starts
    with ``Time``."""
    if not is_xls(src.read_bytes(8)):
        return False
    rows = _sheet(src, CGM_SHEET)
    return rows is not None and _header_at(rows) is not None


def _cell_text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        return repr(cell)
    return "" if cell is None else str(cell).strip()


def _times(
    cells: Sequence[Any], file: str, line_no: Sequence[int], column: str, date_order: DateOrder
) -> list[datetime]:
    """Excel date cells as they are; text cells through the day/month detection."""
    out: list[datetime | None] = [c if isinstance(c, datetime) else None for c in cells]
    text_at = [i for i, c in enumerate(cells) if not isinstance(c, datetime)]
    if text_at:
        parsed = parse_day_month_times(
            [str(cells[i]).strip() for i in text_at],
            file,
            [line_no[i] for i in text_at],
            column,
            date_order,
        ).to_list()
        for i, when in zip(text_at, parsed, strict=True):
            out[i] = when
    return [t.replace(tzinfo=None) for t in out if t is not None]


def read_diasend_xls(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    """Read the ``CGM`` sheet of a Diasend ``.xls`` export (see the module docstring). Needs the
    ``[xlsx]`` extra."""
    return diasend_xls_from_input(
        as_input(source, name), unit=unit, subject_id=subject_id, date_order=date_order
    )


def diasend_xls_from_input(
    src: Input,
    *,
    unit: str | None = None,
    subject_id: str | None = None,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    file = src.name
    rows = _sheet(src, CGM_SHEET)
    if rows is None:
        raise DataFileError(
            f"no {CGM_SHEET!r} sheet (Diasend's sheet of sensor glucose) in this .xls workbook",
            file=file,
        )
    at = _header_at(rows)
    if at is None:
        raise DataFileError(
            f"no header row starting with 'Time' in the first {_HEADER_SEARCH_ROWS} rows of the "
            f"{CGM_SHEET!r} sheet",
            file=file,
        )
    header = [_cell_text(h) for h in rows[at]]
    i_gl = next((i for i, h in enumerate(header) if i and unit_from_header(h)), None)
    if i_gl is None:
        if len(header) < 2:
            raise DataFileError(
                f"the {CGM_SHEET!r} sheet has no glucose column after 'Time'", file=file
            )
        i_gl = 1
    header_unit = unit_from_header(header[i_gl])
    file_unit = merge_unit(file, header[i_gl], header_unit, unit)
    cells: list[Any] = []
    values: list[str] = []
    line_no: list[int] = []
    for n, row in enumerate(rows[at + 1 :], start=at + 2):  # spreadsheet rows count from 1
        if not row or all(c in (None, "") for c in row):
            continue
        cells.append(row[0])
        values.append(_cell_text(row[i_gl]) if i_gl < len(row) else "")
        line_no.append(n)
    if not cells:
        raise DataFileError(f"no readings in the {CGM_SHEET!r} sheet", file=file)
    times = _times(cells, f"{file}:{CGM_SHEET}", line_no, "Time", date_order)
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(
        frame, f"{file}:{CGM_SHEET}", file_unit, header[i_gl] if header_unit and not unit else None
    )


def diasend_xls_treatments(
    src: Input, *, subject_id: str | None = None, date_order: DateOrder = "auto"
) -> pl.DataFrame:
    """Insulin and carbohydrates of the ``Insulin use and carbs`` sheet as the treatments table
    (:mod:`endolab.cgm.readers.treatments`): ``Bolus Volume (U)`` → ``bolus``, ``Carbs(g)`` above
    0 → ``carbs``, and ``Basal Amount (U/h)`` as ``basal`` segments: a row with a rate is a change
    of the basal rate (the Diasend parser of tidepool-org/uploader reads it as a
    ``basal-rate-change``; a public script carries each rate forward to the next), so [A] each rate
    holds until the next rate row and the last until the sheet's last row; rows holding a daily
    summary (``Total daily dose``, ``Total daily basal``) are not rate changes. [A] Temporary
    rates and suspensions are not in this sheet, as far as the public readers show."""
    file = f"{src.name}:{INSULIN_SHEET}"
    rows = _sheet(src, INSULIN_SHEET)
    at = None if rows is None else _header_at(rows)
    if rows is None or at is None:
        raise DataFileError(
            f"no {INSULIN_SHEET!r} sheet with a 'Time' header in this Diasend workbook",
            file=src.name,
        )
    keys = [_cell_text(h).lower().replace(" ", "") for h in rows[at]]
    i_bolus = keys.index("bolusvolume(u)") if "bolusvolume(u)" in keys else None
    i_carbs = keys.index("carbs(g)") if "carbs(g)" in keys else None
    i_basal = keys.index("basalamount(u/h)") if "basalamount(u/h)" in keys else None
    i_summary = [i for i, k in enumerate(keys) if k in ("totaldailydose", "totaldailybasal")]
    cells: list[Any] = []
    line_no: list[int] = []
    amounts: list[tuple[str, str, str]] = []

    def cell(row: Sequence[Any], i: int | None) -> str:
        return _cell_text(row[i]) if i is not None and i < len(row) else ""

    for n, row in enumerate(rows[at + 1 :], start=at + 2):
        if not row or row[0] in (None, ""):
            continue
        cells.append(row[0])
        line_no.append(n)
        summary = any(cell(row, i) for i in i_summary)
        amounts.append(
            (cell(row, i_bolus), cell(row, i_carbs), "" if summary else cell(row, i_basal))
        )
    out: list[Row] = []
    times = _times(cells, file, line_no, "Time", date_order) if cells else []
    rates: list[tuple[datetime, float]] = []
    for when, n, (bolus, carbs, basal) in zip(times, line_no, amounts, strict=True):
        units = parse_amount(bolus, file, n, "Bolus Volume (U)")
        if units is not None:
            out.append((when, "bolus", units, None, None))
        grams = parse_amount(carbs, file, n, "Carbs(g)")
        if grams:
            out.append((when, "carbs", None, grams, None))
        rate = parse_amount(basal, file, n, "Basal Amount (U/h)")
        if rate is not None:
            rates.append((when, rate))
    if rates:
        rates.sort(key=lambda r: r[0])
        ends = [r[0] for r in rates[1:]] + [max(times)]
        for (start, rate), end in zip(rates, ends, strict=True):
            minutes = (end - start).total_seconds() / 60
            if minutes > 0:
                out.append((start, "basal", rate * minutes / 60, None, minutes))
    return treatment_frame(out, subject_id or src.stem, "diasend_xls")
