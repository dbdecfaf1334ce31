"""Tidepool JSON export (the platform's data model: ``cbg`` records).

Facts from the Tidepool data model (tidepool-org/data-model, device-data/types/cbg.md, common.md,
units.md): a ``cbg`` record has ``value`` and ``units``; stored and exported values are in
mmol/L, converted on ingestion from mg/dL by dividing by **18.01559** (Tidepool's factor, from
the molar mass of glucose 180.1559 g/mol) without rounding, so × 18.01559 gives back the
device's mg/dL value. ``time`` is UTC; ``timezoneOffset`` (minutes) converts it back to the
device's display time; ``deviceTime`` (optional for cbg) is that display time as written. The
wall clock of a reading is ``deviceTime`` when present, else ``time`` + ``timezoneOffset``.
[A] A reading annotated ``bg/out-of-range`` (Tidepool's annotation code) with ``value`` ``low``
or ``high`` is kept as a censored Low/High reading.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Final

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import CGMSource, Input, as_input, check_readings
from endolab.cgm.readers.nightscout import load_json_records
from endolab.cgm.readers.treatments import Row, treatment_frame
from endolab.errors import DataFileError
from endolab.notices import Notice, emit

#: Field of a Tidepool datum → canonical field (the column map).
VARIABLE_MAP: Final = {
    "deviceTime": "time",
    "time": "time_utc",
    "timezoneOffset": "offset",
    "value": "gl",
    "units": "unit",
    "type": "record_type",
}
#: Tidepool's mg/dL per mmol/L (tidepool-org/data-model device-data/units.md) [mg/dL per mmol/L].
TIDEPOOL_MG_DL_PER_MMOL_L: Final = 18.01559


def looks_like_tidepool(records: list[Any]) -> bool:
    """True when the records are Tidepool data (a ``type`` such as ``cbg`` and a ``time``)."""
    head = [r for r in records[:50] if isinstance(r, dict)]
    types = {"cbg", "smbg", "bolus", "basal", "food", "wizard", "upload", "deviceEvent"}
    return (
        bool(head)
        and all(r.get("type") in types or "time" in r for r in head)
        and any(r.get("type") in types for r in head)
    )


def _parse_time(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def wall_clock(record: dict[str, Any]) -> tuple[datetime, bool] | None:
    """(display time, whether it is the device's local time) of a datum; None if unreadable
    (also when an offset is out of the calendar's range)."""
    try:
        return _wall_clock(record)
    except (OverflowError, ValueError):
        return None


def _wall_clock(record: dict[str, Any]) -> tuple[datetime, bool] | None:
    device = _parse_time(record.get("deviceTime"))
    if device is not None:
        return device.replace(tzinfo=None), True
    utc = _parse_time(record.get("time"))
    if utc is None:
        return None
    if utc.tzinfo is not None:
        utc = utc.astimezone(UTC)
    offset = record.get("timezoneOffset")
    if isinstance(offset, (int, float)) and not isinstance(offset, bool):
        return (utc + timedelta(minutes=float(offset))).replace(tzinfo=None), True
    return utc.replace(tzinfo=None), False


def _censored(record: dict[str, Any]) -> str | None:
    for note in record.get("annotations") or []:
        if isinstance(note, dict) and note.get("code") == "bg/out-of-range":
            value = str(note.get("value", "")).lower()
            if value in ("low", "high"):
                return value.capitalize()
    return None


def read_tidepool(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read a Tidepool JSON export (``cbg`` readings; see the module docstring).

    Values are returned in mg/dL (mmol/L × 18.01559, Tidepool's factor, which gives back the
    device's own mg/dL value). ``unit`` is not needed (each datum names its unit).
    """
    return tidepool_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def tidepool_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    del unit  # every datum names its own unit
    records = load_json_records(src, "Tidepool")
    times: list[datetime] = []
    values: list[str] = []
    index: list[int] = []
    utc_only = 0
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise DataFileError(
                f"record {i} is not a JSON object: not a Tidepool export?", file=file
            )
        if record.get("type") != "cbg":
            continue
        when = wall_clock(record)
        if when is None:
            raise DataFileError(
                f"record {i} (cbg) has no readable time or deviceTime", file=file, column="time"
            )
        censored = _censored(record)
        value = record.get("value")
        if censored is None:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise DataFileError(
                    f"record {i} (cbg): value {value!r} is not a number", file=file, column="value"
                )
            units = str(record.get("units", "")).lower()
            if units in ("mmol/l", "mmol/l "):
                mg_dl = round(float(value) * TIDEPOOL_MG_DL_PER_MMOL_L, 6)
            elif units == "mg/dl":
                mg_dl = float(value)
            else:
                raise DataFileError(
                    f"record {i} (cbg): units {record.get('units')!r}; accepted: mg/dL, mmol/L",
                    file=file,
                    column="units",
                )
            text = repr(mg_dl)
        else:
            text = censored
        utc_only += not when[1]
        times.append(when[0])
        values.append(text)
        index.append(i)
    if not times:
        raise DataFileError("no cbg (sensor glucose) records", file=file, column="type")
    if utc_only:
        emit(
            Notice(
                "W_CGM_UTC_TIMES",
                "W",
                f"{file}: {utc_only} cbg record(s) have neither deviceTime nor timezoneOffset: "
                "their times are UTC, not the wearer's clock",
                field=file,
            )
        )
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: index},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, "mg/dL")


def _amount(record: dict[str, Any], field: str, i: int, file: str) -> float:
    value = record.get(field, 0)
    if value is None:
        return 0.0
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
        raise DataFileError(
            f"record {i} ({record.get('type')}): {field} {value!r} is not an amount ≥ 0",
            file=file,
            column=field,
        )
    return float(value)


def tidepool_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Insulin and carbohydrates of a Tidepool JSON export as the treatments table
    (:mod:`endolab.cgm.readers.treatments`), from the data model's types: ``bolus`` (delivered
    ``normal`` + ``extended`` [U]), ``basal`` (``rate`` [U/h] × ``duration`` [ms]; a suspend has no
    rate: 0; a temp basal without ``rate``: ``percent`` × the ``suppressed`` rate,
    :func:`_basal_rate`), ``food`` (``nutrition.carbohydrate.net`` [g]) and ``smbg`` (meter blood
    glucose: ``value`` in ``units``, mmol/L × 18.01559 → mg/dL, as for ``cbg``; kind ``smbg``,
    column ``bg_mg_dl``)."""
    file = src.name
    out: list[Row] = []
    meter: list[tuple[datetime, float]] = []
    no_rate = 0
    for i, record in enumerate(load_json_records(src, "Tidepool"), start=1):
        if not isinstance(record, dict) or record.get("type") not in (
            "bolus",
            "basal",
            "food",
            "smbg",
        ):
            continue
        when = wall_clock(record)
        if when is None:
            raise DataFileError(
                f"record {i} ({record['type']}) has no readable time", file=file, column="time"
            )
        kind = record["type"]
        if kind == "smbg":
            meter.append((when[0], _mg_dl(record, i, file)))
        elif kind == "bolus":
            units = _amount(record, "normal", i, file) + _amount(record, "extended", i, file)
            out.append((when[0], "bolus", units, None, None))
        elif kind == "basal":
            minutes = _amount(record, "duration", i, file) / 60_000
            rate = _basal_rate(record, i, file)
            if rate is None:
                no_rate += 1
                continue
            out.append((when[0], "basal", rate * minutes / 60, None, minutes))
        else:
            carb = (record.get("nutrition") or {}).get("carbohydrate") or {}
            grams = _amount(carb, "net", i, file) if isinstance(carb, dict) else 0.0
            if grams > 0:
                out.append((when[0], "carbs", None, grams, None))
    if no_rate:
        emit(
            Notice(
                "W_CGM_PARTIAL_BASAL",
                "W",
                f"{file}: {no_rate} basal record(s) carry no rate (nor a percent of a suppressed "
                "rate) and are skipped: daily insulin totals miss that basal",
                field=file,
            )
        )
    subject = subject_id or src.stem
    return treatment_frame(out, subject, "tidepool", meter)


def _mg_dl(record: dict[str, Any], i: int, file: str) -> float:
    """The glucose of a ``cbg``/``smbg`` datum in mg/dL (``value`` in ``units``; mmol/L ×
    18.01559, Tidepool's factor, which gives back the meter's mg/dL)."""
    value = record.get("value")
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
        raise DataFileError(
            f"record {i} ({record.get('type')}): value {value!r} is not a glucose > 0",
            file=file,
            column="value",
        )
    units = str(record.get("units", "")).strip().lower()
    if units == "mmol/l":
        return round(float(value) * TIDEPOOL_MG_DL_PER_MMOL_L, 6)
    if units == "mg/dl":
        return float(value)
    raise DataFileError(
        f"record {i} ({record.get('type')}): units {record.get('units')!r}; accepted: mg/dL, "
        "mmol/L",
        file=file,
        column="units",
    )


def _basal_rate(record: dict[str, Any], i: int, file: str) -> float | None:
    """The rate [U/h] of a Tidepool basal datum: ``rate``; a ``suspend`` without one: 0; a
    ``temp`` basal without one (allowed by the legacy ingestion API): ``percent`` × the
    ``suppressed`` basal's ``rate`` — Tidepool's ``percent`` is a multiplier (0.8 = 80 % of the
    current rate; tidepool-org/data-model, device-data/types/basal/temp.md); None when none of
    these is given.

    >>> _basal_rate({"deliveryType": "temp", "percent": 0.8, "suppressed": {"rate": 0.575}}, 1, "f")
    0.46
    """
    if record.get("rate") is not None:
        return _amount(record, "rate", i, file)
    if record.get("deliveryType") == "suspend":
        return 0.0
    suppressed = record.get("suppressed")
    if record.get("percent") is not None and isinstance(suppressed, dict):
        if suppressed.get("rate") is None:
            return None
        percent = _amount(record, "percent", i, file)
        return round(percent * _amount(suppressed, "rate", i, file), 9)
    return None
