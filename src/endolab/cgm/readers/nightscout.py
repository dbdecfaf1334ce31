"""Nightscout entries (and treatments) exported as JSON from the API (``/api/v1/entries.json``).

Nightscout stores sensor glucose as ``sgv`` in mg/dL whatever the display unit, the time as
``date`` (milliseconds since 1970-01-01 UTC) with ``dateString`` (ISO 8601) and, from uploaders
that send it, ``utcOffset`` (minutes east of UTC). The wall clock of a reading is ``date`` +
``utcOffset``; without ``utcOffset`` the offset written in ``dateString`` is used, and without
either (``Z`` times) the reading is kept in UTC unless ``tz=`` names the wearer's time zone [A].
Only ``type == "sgv"`` records are readings (``mbg`` meter values and ``cal`` calibrations are
skipped). [A] ``sgv`` values below 39 are the Dexcom receiver's status codes (no reading) and are
skipped with a count; 39 is the receiver's "LOW" and 401 its "HIGH", kept as censored readings
(the canonical frame's own 39/401 codes).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from endolab.cgm.frame import ROW_COLUMN
from endolab.cgm.readers.base import (
    UNIT_UNSET,
    CGMSource,
    Input,
    as_input,
    check_readings,
    read_text,
)
from endolab.cgm.readers.nightscout_profile import (
    ProfileSwitch,
    TempBasal,
    basal_segments,
    load_profile,
    parse_carried_profile,
)
from endolab.cgm.readers.treatments import Row, treatment_frame
from endolab.errors import DataFileError, InputError, asks
from endolab.notices import Notice, emit

#: Field of a Nightscout entry → canonical field (the column map).
VARIABLE_MAP: Final = {"date": "time", "sgv": "gl", "type": "record_type", "utcOffset": "offset"}
#: sgv codes kept as censored readings [A]: the receiver's LOW and HIGH.
LOW_CODE: Final = 39
HIGH_CODE: Final = 401


def load_json_records(src: Input, what: str) -> list[Any]:
    """The top-level array of a JSON export (one error line naming the file and line if not)."""
    text = read_text(src)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            f"not valid JSON ({exc.msg}): not a {what} export?", file=src.name, row=exc.lineno
        ) from None
    except RecursionError:
        raise DataFileError(
            f"JSON nested too deeply to read: not a {what} export?", file=src.name
        ) from None
    if isinstance(data, dict):
        for key in ("data", "entries", "records"):
            if isinstance(data.get(key), list):
                return list(data[key])
        return [data]
    if not isinstance(data, list):
        raise DataFileError(
            f"the JSON is not a list of records: not a {what} export?", file=src.name
        )
    return data


def looks_like_nightscout(records: list[Any]) -> bool:
    """True when the first records are Nightscout entries (``sgv`` and ``date``) or treatments
    (``eventType`` and ``created_at``)."""
    head = [r for r in records[:20] if isinstance(r, dict)]
    return bool(head) and all(
        ("sgv" in r and "date" in r)
        or ("eventType" in r and "created_at" in r)
        or r.get("type") in ("mbg", "cal")
        for r in head
    )


def _zone(tz: str | None) -> ZoneInfo | None:
    if tz is None:
        return None
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"unknown time zone {tz!r}; give an IANA name such as Europe/Berlin", field="tz"
        ) from None


def local_time(record: dict[str, Any], zone: ZoneInfo | None) -> tuple[datetime, bool] | None:
    """(wall-clock time, whether it is a true local time) of an entry, or None when unreadable
    (also when a number is out of the calendar's range)."""
    try:
        return _local_time(record, zone)
    except (OverflowError, ValueError, OSError):
        return None


def _local_time(record: dict[str, Any], zone: ZoneInfo | None) -> tuple[datetime, bool] | None:
    ms = record.get("date")
    text = record.get("dateString") or record.get("sysTime")
    offset = record.get("utcOffset")
    utc: datetime | None = None
    if isinstance(ms, (int, float)) and not isinstance(ms, bool):
        utc = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=float(ms))
    written: datetime | None = None
    if isinstance(text, str):
        try:
            written = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            written = None
    if utc is None and written is not None and written.tzinfo is not None:
        utc = written.astimezone(UTC)
    if utc is None:
        return None
    if isinstance(offset, (int, float)) and not isinstance(offset, bool):
        return (utc + timedelta(minutes=float(offset))).replace(tzinfo=None), True
    if zone is not None:
        return utc.astimezone(zone).replace(tzinfo=None), True
    if written is not None and written.utcoffset() not in (None, timedelta(0)):
        return written.replace(tzinfo=None), True
    return utc.replace(tzinfo=None), False


def read_nightscout(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
    tz: str | None = None,
) -> pl.DataFrame:
    """Read Nightscout entries exported as JSON (``sgv`` records; see the module docstring).

    ``tz``: IANA time zone of the wearer, for entries without ``utcOffset`` or an offset in
    ``dateString`` (default: such times stay in UTC, with a warning). ``unit`` must be mg/dL if
    given (Nightscout stores mg/dL).
    """
    return nightscout_from_input(as_input(source, name), unit=unit, subject_id=subject_id, tz=tz)


def nightscout_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None, tz: str | None = None
) -> pl.DataFrame:
    file = src.name
    if unit is not None and unit.lower() != "mg/dl":
        raise asks(
            DataFileError(
                f"Nightscout stores sgv in mg/dL, but unit={unit} was given; {UNIT_UNSET}",
                file=file,
                column="sgv",
            ),
            "unit",
            "unit_unset",
            UNIT_UNSET,
        )
    zone = _zone(tz)
    records = load_json_records(src, "Nightscout")
    times: list[datetime] = []
    values: list[str] = []
    index: list[int] = []
    codes = 0
    utc_only = 0
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise DataFileError(
                f"record {i} is not a JSON object: not a Nightscout entries export?", file=file
            )
        if record.get("type", "sgv") != "sgv" or "sgv" not in record:
            continue
        sgv = record["sgv"]
        if isinstance(sgv, str):
            try:
                sgv = float(sgv)
            except ValueError:
                raise DataFileError(
                    f"record {i}: sgv {record['sgv']!r} is not a number", file=file, column="sgv"
                ) from None
        if not isinstance(sgv, (int, float)) or isinstance(sgv, bool):
            raise DataFileError(f"record {i}: sgv {sgv!r} is not a number", file=file, column="sgv")
        when = local_time(record, zone)
        if when is None:
            raise DataFileError(
                f"record {i} has no readable time (date in ms or dateString)",
                file=file,
                column="date",
            )
        if sgv < LOW_CODE:
            codes += 1
            continue
        utc_only += not when[1]
        times.append(when[0])
        values.append(
            "Low" if sgv == LOW_CODE else "High" if sgv == HIGH_CODE else repr(float(sgv))
        )
        index.append(i)
    if not times:
        raise DataFileError("no sgv (sensor glucose) entries", file=file, column="sgv")
    if codes:
        emit(
            Notice(
                "W_CGM_STATUS_CODES",
                "W",
                f"{file}: {codes} sgv value(s) below 39 are device status codes, not readings; "
                "skipped",
                field=file,
            )
        )
    if utc_only:
        emit(
            Notice(
                "W_CGM_UTC_TIMES",
                "W",
                f"{file}: {utc_only} entr(y/ies) carry no utcOffset and a UTC dateString: their "
                "times are UTC, not the wearer's clock; read_nightscout(tz=...) converts them",
                field=file,
            )
        )
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: index},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, "mg/dL")


def nightscout_treatments(
    src: Input,
    *,
    subject_id: str | None = None,
    tz: str | None = None,
    profile: Input | None = None,
) -> pl.DataFrame:
    """Insulin and carbohydrates of a Nightscout treatments export (``/api/v1/treatments.json``)
    as the treatments table (:mod:`endolab.cgm.readers.treatments`): a record's ``insulin`` [U]
    → ``bolus``, ``carbs`` [g] → ``carbs``; the time is ``created_at`` (+ ``utcOffset``, or
    ``tz=``).

    Without ``profile``: a ``Temp Basal`` record with ``absolute`` (or ``rate``) [U/h] and
    ``duration`` [min] is a ``basal`` segment of rate × duration / 60 [U]; one given only as
    ``percent`` of the profile rate is skipped and counted. [A] The scheduled basal between
    temporary basals lives in the profile, not in the treatments: a daily total holds boluses and
    temporary basals only (a warning, ``W_CGM_PARTIAL_BASAL``, says so).

    With ``profile`` (the Nightscout profile export, ``/api/v1/profile.json``;
    :mod:`endolab.cgm.readers.nightscout_profile`): the basal from the first to the last record is
    the profile's scheduled rate, replaced while a temporary basal runs by its ``absolute`` rate or
    by the scheduled rate × (100 + ``percent``) / 100, as ``basal`` segments of constant rate;
    ``Profile Switch`` records select the profile (and, marked ``CircadianPercentageProfile``,
    scale it by ``percentage``) and ``Suspend Pump`` … ``Resume Pump`` is rate 0, by the rules of
    :mod:`endolab.cgm.readers.nightscout_profile`. Records without ``utcOffset`` take the
    profile's ``timezone`` when ``tz`` is not given."""
    file = src.name
    zone = _zone(tz)
    schedules = (
        load_profile(load_json_records(profile, "Nightscout profile"), profile.name, zone)
        if profile is not None
        else None
    )
    if zone is None and schedules:
        zone = next((_zone(s.timezone) for s in reversed(schedules) if s.timezone), None)
    out: list[Row] = []
    temps: list[TempBasal] = []
    stamps: list[datetime] = []
    temp_basals = percent_only = shifted = 0
    switched: list[ProfileSwitch] = []
    pauses: list[tuple[str, datetime]] = []
    for i, record in enumerate(load_json_records(src, "Nightscout treatments"), start=1):
        if not isinstance(record, dict) or "created_at" not in record:
            continue
        stamp = {"dateString": record["created_at"], "utcOffset": record.get("utcOffset")}
        when = local_time(stamp, zone)
        if when is None:
            raise DataFileError(
                f"record {i}: created_at {record['created_at']!r} is not a date-time",
                file=file,
                column="created_at",
            )
        stamps.append(when[0])
        if record.get("eventType") == "Profile Switch":
            switched.append(_profile_switch(record, when[0], i, file))
            if record.get("timeshift") not in (None, 0, "0"):
                shifted += 1
        if record.get("eventType") in ("Suspend Pump", "Resume Pump"):
            pauses.append((str(record["eventType"]), when[0]))
        if record.get("eventType") == "Temp Basal":
            rate: Any = record.get("absolute", record.get("rate"))
            minutes: Any = record.get("duration")
            percent: Any = record.get("percent")
            if (
                rate is None
                and percent is not None
                and minutes is not None
                and (not _number(percent) or percent < -100)
            ):
                raise DataFileError(
                    f"record {i}: Temp Basal percent {percent!r} is not a change ≥ −100 %",
                    file=file,
                    column="percent",
                )
            if rate is None and (percent is None or minutes is None or schedules is None):
                percent_only += 1
                continue
            for field, value in (("absolute", rate), ("duration", minutes)):
                if value is None and field == "absolute":
                    continue
                if not _number(value) or value < 0:
                    raise DataFileError(
                        f"record {i}: Temp Basal {field} {value!r} is not an amount ≥ 0",
                        file=file,
                        column=field,
                    )
            temp_basals += 1
            if schedules is not None:
                temps.append(
                    TempBasal(
                        when[0],
                        float(minutes),
                        None if rate is None else float(rate),
                        None if rate is not None else float(percent),
                    )
                )
            elif minutes > 0:
                out.append((when[0], "basal", float(rate) * minutes / 60, None, float(minutes)))
            continue
        for field, kind in (("insulin", "bolus"), ("carbs", "carbs")):
            value = record.get(field)
            if value is None:
                continue
            if not _number(value) or value < 0:
                raise DataFileError(
                    f"record {i}: {field} {value!r} is not an amount ≥ 0", file=file, column=field
                )
            if value > 0:
                amount = float(value)
                out.append(
                    (
                        when[0],
                        kind,
                        amount if kind == "bolus" else None,
                        amount if kind == "carbs" else None,
                        None,
                    )
                )
    if schedules is not None and stamps:
        first = min(stamps)
        last = max([*stamps, *(t.start + timedelta(minutes=t.minutes) for t in temps)])
        segments = basal_segments(
            schedules, temps, first, last, switched, _suspensions(pauses, last), file
        )
        for start, rate, minutes in segments:
            out.append((start, "basal", rate * minutes / 60, None, minutes))
        if shifted:
            emit(
                Notice(
                    "W_CGM_PROFILE_TIMESHIFT",
                    "W",
                    f"{file}: {shifted} Profile Switch treatment(s) carry a timeshift; as in "
                    "Nightscout's own basal, it does not move the schedule",
                    field=file,
                )
            )
    elif temp_basals or percent_only:
        skipped = (
            f"; {percent_only} given only as a percent of the profile rate were skipped"
            if percent_only
            else ""
        )
        emit(
            Notice(
                "W_CGM_PARTIAL_BASAL",
                "W",
                f"{file}: {temp_basals} temporary basal(s) read{skipped}; the scheduled basal "
                "between them lives in the Nightscout profile and is not read (give the profile "
                "export: read_treatments(nightscout_profile=...)), so daily insulin totals hold "
                "boluses and temporary basals only",
                field=file,
            )
        )
    return treatment_frame(out, subject_id or src.stem, "nightscout")


def _profile_switch(record: dict[str, Any], when: datetime, i: int, file: str) -> ProfileSwitch:
    """A ``Profile Switch`` record (:class:`ProfileSwitch`; fields as Nightscout reads them)."""
    minutes: Any = record.get("duration") or 0
    percentage: Any = record.get("percentage", 100)
    if isinstance(percentage, str):
        try:
            percentage = float(percentage)
        except ValueError:
            percentage = None
    for name, value, ok in (
        ("duration", minutes, _number(minutes) and minutes >= 0),
        ("percentage", percentage, _number(percentage) and percentage > 0),
    ):
        if not ok:
            raise DataFileError(
                f"record {i}: Profile Switch {name} {value!r} is not "
                + ("an amount ≥ 0 [min]" if name == "duration" else "a percentage > 0"),
                file=file,
                column=name,
            )
    return ProfileSwitch(
        when,
        float(minutes),
        str(record.get("profile") or ""),
        parse_carried_profile(record.get("profileJson")),
        float(percentage),
        record.get("CircadianPercentageProfile") is True,
    )


def _suspensions(
    pauses: list[tuple[str, datetime]], last: datetime
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each pump suspension: a ``Suspend Pump`` until the next ``Resume Pump``
    [A: without one, until ``last``]; a repeated suspend or a resume alone changes nothing."""
    out = []
    since: datetime | None = None
    for kind, when in sorted(pauses, key=lambda p: p[1]):
        if kind == "Suspend Pump" and since is None:
            since = when
        elif kind == "Resume Pump" and since is not None:
            out.append((since, when))
            since = None
    if since is not None and since < last:
        out.append((since, last))
    return out


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
