"""Tidepool Excel export (``.xlsx``), read with openpyxl (optional extra ``[xlsx]``).

Layout facts from Tidepool's export service (tidepool-org/export, BSD-2: ``data-tools.js``, the
workbook writer, and ``config.json``, the column configuration; read, not copied): one worksheet
per data type, named by the type's display name (``cbg`` → sheet **"CGM"**, ``smbg`` → "SMBG");
row 1 holds the headers, one row per datum below it. The CGM sheet's headers are ``Zulu Time``
(``time``, UTC), ``Local Time`` (``time`` + ``timezoneOffset``), ``Device Time``, ``Tidepool Data
Type``, ``Value``, ``Units``, ``Timezone Offset`` … ``Annotations`` (the datum's annotations as a
JSON string). Times are Excel dates; values are in the unit the user chose for the export
(``Units``: mmol/L by default, or mg/dL = mmol/L × 18.01559 without rounding). A hidden first
sheet ``EXPORT ERROR`` is always present.

The wall clock of a reading is ``Device Time`` when present, else ``Local Time`` (as for the JSON
export, :mod:`endolab.cgm.readers.tidepool`). [A] A reading annotated ``bg/out-of-range`` with
value ``low``/``high`` is kept as a censored Low/High reading.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import datetime
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import CGMSource, Input, as_input, check_readings
from endolab.cgm.readers.tidepool import TIDEPOOL_MG_DL_PER_MMOL_L
from endolab.errors import DataFileError
from endolab.notices import Notice, emit

#: Tidepool xlsx column (CGM sheet) → canonical field (the column map).
VARIABLE_MAP: Final = {
    "Device Time": "time",
    "Local Time": "time",
    "Zulu Time": "time_utc",
    "Value": "gl",
    "Units": "unit",
    "Annotations": "censored",
}
#: The worksheet of the sensor glucose (``cbg``) data.
CGM_SHEET: Final = "CGM"
#: The header that marks a Tidepool sheet.
TYPE_HEADER: Final = "Tidepool Data Type"


def is_xlsx(data: bytes) -> bool:
    """True when ``data`` is an Office Open XML workbook (a zip holding ``xl/workbook.xml``)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _open(src: Input) -> Any:
    from openpyxl import load_workbook  # the [xlsx] extra; the CLI names it when missing

    try:
        return load_workbook(io.BytesIO(src.read_bytes()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataFileError(f"not a readable Excel workbook ({exc})", file=src.name) from None


def looks_like_tidepool_xlsx(src: Input) -> bool:
    """True when the workbook has a ``CGM`` sheet whose header names ``Tidepool Data Type``."""
    if not is_xlsx(src.read_bytes()):
        return False
    book = _open(src)
    try:
        if CGM_SHEET not in book.sheetnames:
            return False
        header = next(book[CGM_SHEET].iter_rows(max_row=1, values_only=True), ())
        return TYPE_HEADER in [str(h).strip() for h in header if h is not None]
    finally:
        book.close()


def _time(cell: Any) -> datetime | None:
    if isinstance(cell, datetime):
        return cell.replace(tzinfo=None)
    if isinstance(cell, str) and cell.strip():
        try:
            return datetime.fromisoformat(cell.strip().replace("Z", "+00:00")).replace(tzinfo=None)
        except ValueError:
            return None
    return None


def _censored(cell: Any) -> str | None:
    if not isinstance(cell, str) or "bg/out-of-range" not in cell:
        return None
    try:
        notes = json.loads(cell)
    except ValueError:
        return None
    for note in notes if isinstance(notes, list) else []:
        if isinstance(note, dict) and note.get("code") == "bg/out-of-range":
            value = str(note.get("value", "")).lower()
            if value in ("low", "high"):
                return value.capitalize()
    return None


def read_tidepool_xlsx(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read the CGM sheet of a Tidepool Excel export (see the module docstring); values are
    returned in mg/dL (mmol/L × 18.01559, Tidepool's factor). Needs the ``[xlsx]`` extra."""
    return tidepool_xlsx_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def tidepool_xlsx_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    del unit  # every row names its own unit
    book = _open(src)
    try:
        if CGM_SHEET not in book.sheetnames:
            raise DataFileError(
                f"no {CGM_SHEET!r} sheet (Tidepool's sheet of sensor glucose); sheets: "
                f"{', '.join(book.sheetnames)}",
                file=file,
            )
        rows = book[CGM_SHEET].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        col = {h: i for i, h in enumerate(header) if h}
        for needed in ("Value", "Units"):
            if needed not in col:
                raise DataFileError(
                    f"the {CGM_SHEET!r} sheet has no {needed!r} column", file=file, column=needed
                )
        time_cols = [col[h] for h in ("Device Time", "Local Time") if h in col]
        if not time_cols:
            raise DataFileError(
                f"the {CGM_SHEET!r} sheet has neither 'Device Time' nor 'Local Time'",
                file=file,
                column="Local Time",
            )
        times: list[datetime] = []
        values: list[str] = []
        index: list[int] = []
        for n, row in enumerate(rows, start=2):
            cells = list(row) + [None] * (len(header) - len(row))
            if all(c is None or c == "" for c in cells):
                continue
            when = next((t for t in (_time(cells[i]) for i in time_cols) if t is not None), None)
            if when is None:
                raise DataFileError(
                    "no readable Device Time or Local Time", file=file, row=n, column="Local Time"
                )
            censored = _censored(cells[col["Annotations"]]) if "Annotations" in col else None
            if censored is None:
                value, units = cells[col["Value"]], str(cells[col["Units"]] or "").strip().lower()
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise DataFileError(
                        f"value {value!r} is not a number", file=file, row=n, column="Value"
                    )
                if units == "mmol/l":
                    text = repr(round(float(value) * TIDEPOOL_MG_DL_PER_MMOL_L, 6))
                elif units == "mg/dl":
                    text = repr(float(value))
                else:
                    raise DataFileError(
                        f"units {cells[col['Units']]!r}; accepted: mg/dL, mmol/L",
                        file=file,
                        row=n,
                        column="Units",
                    )
            else:
                text = censored
            times.append(when)
            values.append(text)
            index.append(n)
    finally:
        book.close()
    if not times:
        raise DataFileError(f"no readings in the {CGM_SHEET!r} sheet", file=file)
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: index},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, "mg/dL")


#: The sheets of insulin and carbohydrates (tidepool-org/export ``config.json``: the types
#: ``bolus``, ``basal`` and ``food`` have no display name, so their sheets are start-cased), and
#: the sheet of meter blood glucose (``smbg``, display name ``SMBG``).
TREATMENT_SHEETS: Final = ("Bolus", "Basal", "Food", "SMBG")


def _number(cell: Any, file: str, sheet: str, n: int, column: str) -> float:
    """An amount ≥ 0 of a treatment sheet (an empty cell is 0)."""
    if cell is None or cell == "":
        return 0.0
    if isinstance(cell, str):
        try:
            cell = float(cell.strip())
        except ValueError:
            cell = None
    if not isinstance(cell, (int, float)) or isinstance(cell, bool) or not cell >= 0:
        raise DataFileError(
            f"sheet {sheet!r}: {cell!r} is not an amount ≥ 0", file=file, row=n, column=column
        )
    return float(cell)


def _grams(cell: Any, file: str, n: int) -> float:
    """Net carbohydrate [g] of a ``Nutrition`` cell (the datum's ``nutrition`` as JSON)."""
    if cell is None or cell == "":
        return 0.0
    try:
        nutrition = json.loads(str(cell))
    except ValueError:
        raise DataFileError(
            f"sheet 'Food': Nutrition {str(cell)[:40]!r} is not JSON",
            file=file,
            row=n,
            column="Nutrition",
        ) from None
    carb = nutrition.get("carbohydrate") if isinstance(nutrition, dict) else None
    if not isinstance(carb, dict):
        return 0.0
    units = str(carb.get("units", "grams")).lower()
    if units not in ("grams", "g"):
        raise DataFileError(
            f"sheet 'Food': carbohydrate in {carb.get('units')!r}; accepted: grams",
            file=file,
            row=n,
            column="Nutrition",
        )
    return _number(carb.get("net"), file, "Food", n, "Nutrition")


def tidepool_xlsx_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Insulin and carbohydrates of a Tidepool Excel export as the treatments table
    (:mod:`endolab.cgm.readers.treatments`), as for the JSON export
    (:func:`~endolab.cgm.readers.tidepool.tidepool_treatments`): sheet ``Bolus`` — ``Normal`` +
    ``Extended`` [U] → ``bolus``; sheet ``Basal`` — ``Rate`` [U/h] × ``Duration (mins)`` [min] /
    60 → ``basal`` (a suspend has no rate: 0 U; a temp basal without ``Rate``: ``Percent`` ×
    ``Suppressed Rate``, the rule of the JSON export, :func:`_xlsx_basal_rate`; a row with none of
    these is skipped with a warning); sheet ``Food`` — the net carbohydrate [g] of the
    ``Nutrition`` JSON, above 0 → ``carbs``; sheet ``SMBG`` — meter blood glucose ``Value`` in
    ``Units`` (mmol/L × 18.01559 → mg/dL) → ``smbg`` rows with ``bg_mg_dl``. The wall clock is
    ``Device Time``, else ``Local Time``. A workbook without any of these sheets gives an empty
    table. Needs ``[xlsx]``."""
    from endolab.cgm.readers.treatments import Row, treatment_frame

    file = src.name
    out: list[Row] = []
    meter: list[tuple[datetime, float]] = []
    no_rate = 0
    book = _open(src)
    try:
        for sheet in TREATMENT_SHEETS:
            if sheet not in book.sheetnames:
                continue
            rows = book[sheet].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            col = {h: i for i, h in enumerate(header) if h}
            time_cols = [col[h] for h in ("Device Time", "Local Time") if h in col]
            needed = {
                "Bolus": ("Normal",),
                "Basal": ("Duration (mins)",),
                "Food": ("Nutrition",),
                "SMBG": ("Value", "Units"),
            }
            for name in needed[sheet]:
                if name not in col:
                    raise DataFileError(
                        f"the {sheet!r} sheet has no {name!r} column", file=file, column=name
                    )
            if not time_cols:
                raise DataFileError(
                    f"the {sheet!r} sheet has neither 'Device Time' nor 'Local Time'",
                    file=file,
                    column="Local Time",
                )
            for n, row in enumerate(rows, start=2):
                cells = list(row) + [None] * (len(header) - len(row))
                if all(c is None or c == "" for c in cells):
                    continue
                when = next(
                    (t for t in (_time(cells[i]) for i in time_cols) if t is not None), None
                )
                if when is None:
                    raise DataFileError(
                        f"sheet {sheet!r}: no readable Device Time or Local Time",
                        file=file,
                        row=n,
                        column="Local Time",
                    )

                def get(name: str, cells: list[Any] = cells, col: dict[str, int] = col) -> Any:
                    return cells[col[name]] if name in col else None

                if sheet == "Bolus":
                    units = _number(get("Normal"), file, sheet, n, "Normal")
                    units += _number(get("Extended"), file, sheet, n, "Extended")
                    out.append((when, "bolus", units, None, None))
                elif sheet == "Basal":
                    minutes = _number(get("Duration (mins)"), file, sheet, n, "Duration (mins)")
                    rate = _xlsx_basal_rate(get, file, n)
                    if rate is None:
                        no_rate += 1
                        continue
                    out.append((when, "basal", rate * minutes / 60, None, minutes))
                elif sheet == "SMBG":
                    meter.append((when, _smbg_mg_dl(get("Value"), get("Units"), file, n)))
                else:
                    grams = _grams(get("Nutrition"), file, n)
                    if grams > 0:
                        out.append((when, "carbs", None, grams, None))
    finally:
        book.close()
    if no_rate:
        emit(
            Notice(
                "W_CGM_PARTIAL_BASAL",
                "W",
                f"{file}: {no_rate} row(s) of the 'Basal' sheet carry no rate (nor a percent of a "
                "suppressed rate) and are skipped: daily insulin totals miss that basal",
                field=file,
            )
        )
    subject = subject_id or src.stem
    return treatment_frame(out, subject, "tidepool_xlsx", meter)


def _xlsx_basal_rate(get: Any, file: str, n: int) -> float | None:
    """The rate [U/h] of a row of the ``Basal`` sheet, by the rule of the JSON export
    (:func:`endolab.cgm.readers.tidepool._basal_rate`): ``Rate``; a ``suspend`` without one: 0; a
    temp basal without one: ``Percent`` (a multiplier, 0.8 = 80 %) × ``Suppressed Rate`` (the
    export writes the nested ``suppressed.rate`` as that start-cased column); else None."""
    if get("Rate") not in (None, ""):
        return _number(get("Rate"), file, "Basal", n, "Rate")
    if str(get("Delivery Type") or "").strip().lower() == "suspend":
        return 0.0
    if get("Percent") not in (None, "") and get("Suppressed Rate") not in (None, ""):
        percent = _number(get("Percent"), file, "Basal", n, "Percent")
        return round(
            percent * _number(get("Suppressed Rate"), file, "Basal", n, "Suppressed Rate"), 9
        )
    return None


def _smbg_mg_dl(value: Any, units: Any, file: str, n: int) -> float:
    """A meter reading of the ``SMBG`` sheet in mg/dL (``Value`` in ``Units``: mmol/L × 18.01559,
    Tidepool's factor, as for the CGM sheet; mg/dL as written)."""
    number = _number(value, file, "SMBG", n, "Value")
    if not number > 0:
        raise DataFileError(
            f"sheet 'SMBG': value {value!r} is not a glucose > 0", file=file, row=n, column="Value"
        )
    unit = str(units or "").strip().lower()
    if unit == "mmol/l":
        return round(number * TIDEPOOL_MG_DL_PER_MMOL_L, 6)
    if unit == "mg/dl":
        return number
    raise DataFileError(
        f"sheet 'SMBG': units {units!r}; accepted: mg/dL, mmol/L", file=file, row=n, column="Units"
    )
