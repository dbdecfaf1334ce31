"""Dexcom Clarity CSV export (G6 and G7)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import polars as pl

from endolab.cgm.frame import (
    ROW_COLUMN,
)
from endolab.cgm.readers.base import (
    CGMSource,
    Input,
    as_input,
    check_readings,
    csv_rows,
    merge_unit,
    norm_name,
    read_text,
    sniff_delimiter,
    unit_from_header,
)
from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame
from endolab.dates import iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError

#: Clarity column → canonical field (the column map; names matched by their start, as the unit
#: follows in brackets). G6 and G7 exports share the layout; the ``Device`` row's Device Info
#: names the system (``Dexcom G7 Mobile App``).
VARIABLE_MAP: Final = {
    "Timestamp (YYYY-MM-DDThh:mm:ss)": "time",
    "Event Type": "record_type",
    "Event Subtype": "subtype",
    "Device Info": "device",
    "Glucose Value": "gl",
    "Insulin Value (u)": "insulin_u",
    "Carb Value (grams)": "carbs_g",
}


@dataclass(frozen=True)
class ClarityLanguage:
    """The names a Clarity export writes in one language: the timestamp, event-type and glucose
    columns (the glucose column matched by its start: the unit follows in brackets), the event
    type of the glucose readings, and the text of the censored High/Low readings."""

    name: str
    time: str
    event: str
    glucose: str
    egv: tuple[str, ...]
    high: str | None
    low: str | None


#: Clarity exports by language. English: Dexcom's export. German: the example export of the R
#: package aidR (``inst/extdata/dexcom_clarity_example.csv``, its Dexcom Clarity vignette;
#: GPL-3, read, nothing copied): ``;``-separated, every cell quoted, header
#: ``"Index";"Zeitstempel (JJJJ-MM-TTThh:mm:ss)";"Ereignisart";…;"Glukosewert (mg/dL)";…``, and
#: aidR recognises the readings by ``EGV`` in the event-type column in every language it reads;
#: ``Hoch``/``Niedrig`` as a public pipeline reading German Clarity exports drops them
#: (``Glukosewert (mmol/l)``). Spanish: ``Marca temporal (AAAA-MM-DDThh:mm:ss)``, ``Tipo de
#: evento``, ``Nivel de glucosa (mg/dl)`` and the readings' event type ``Niveles estimados de
#: glucosa``, as the public readers of the HUPA-UCM data set (Spanish Clarity exports) use them;
#: [A] the Spanish High/Low text is not known (such a cell is refused naming its line).
CLARITY_LANGUAGES: Final = {
    "en": ClarityLanguage(
        "English", "Timestamp (YYYY-MM-DDThh:mm:ss)", "Event Type", "Glucose Value",
        ("EGV",), "High", "Low",
    ),
    "de": ClarityLanguage(
        "German", "Zeitstempel (JJJJ-MM-TTThh:mm:ss)", "Ereignisart", "Glukosewert",
        ("EGV",), "Hoch", "Niedrig",
    ),
    "es": ClarityLanguage(
        "Spanish", "Marca temporal (AAAA-MM-DDThh:mm:ss)", "Tipo de evento", "Nivel de glucosa",
        ("Niveles estimados de glucosa", "EGV"), None, None,
    ),
}  # fmt: skip
#: Clarity exports recognised but not read, with what is missing. Italian: public scripts
#: reading Italian exports name ``Data e ora (AAAA-MM-GGThh:mm:ss)``, ``Tipo di evento`` and
#: ``Valore del glucosio (mg/dL)`` (and ``Basso`` for Low), but none names the readings' event
#: type, which tells them from calibrations; French: only ``Valeur du glucose (mg/dL)`` is
#: named by a public source.
CLARITY_UNREAD: Final = {
    "Data e ora (AAAA-MM-GG": "Italian",
    "Valore del glucosio": "Italian",
    "Valeur du glucose": "French",
}
#: The timestamp column of a Clarity export in any language: a name ending in the date pattern
#: in brackets, ``(YYYY-MM-DDThh:mm:ss)`` translated letter by letter.
_CLARITY_TIME: Final = re.compile(r"\(\w{4}-\w{2}-\w{2,3}thh:mm:ss\)", re.IGNORECASE)


def _cells(line: str) -> list[str]:
    row = next(csv.reader([line], delimiter=sniff_delimiter(line)), [])
    return [c.strip() for c in row]


def clarity_language(line: str) -> str | None:
    """The language key of :data:`CLARITY_LANGUAGES` whose header ``line`` is; ``"?"`` for the
    header of a Clarity export in another language (a timestamp column named with the date
    pattern, or ``Index`` then a column named in :data:`CLARITY_UNREAD`); None when it is no
    Clarity header.

    >>> clarity_language('"Index";"Zeitstempel (JJJJ-MM-TTThh:mm:ss)";"Ereignisart"')
    'de'
    >>> clarity_language("Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Glucose Value (mg/dL)")
    'en'
    >>> clarity_language("Index;Data e ora (AAAA-MM-GGThh:mm:ss);Tipo di evento")
    '?'
    """
    raw = _cells(line)
    cells = [norm_name(c) for c in raw]
    for key, lang in CLARITY_LANGUAGES.items():
        if norm_name(lang.time) in cells and norm_name(lang.event) in cells:
            return key
    if any(_CLARITY_TIME.search(c) for c in raw):
        return "?"
    if cells[:1] == ["index"] and any(name.lower() in line.lower() for name in CLARITY_UNREAD):
        return "?"
    return None


def _unread_language(line: str) -> str:
    return next(
        (lang for name, lang in CLARITY_UNREAD.items() if name.lower() in line.lower()),
        "a language endolab does not know",
    )


def find_clarity_header(lines: list[str], file: str) -> tuple[int, ClarityLanguage] | None:
    """Index and language of the header line of a Clarity export among the first 20 ``lines``;
    a Clarity export in a language endolab cannot read is refused in one line naming it."""
    for i, line in enumerate(lines[:20]):
        key = clarity_language(line)
        if key is None:
            continue
        if key == "?":
            what = _unread_language(line)
            raise DataFileError(
                f"a Dexcom Clarity export in {what}: endolab reads Clarity exports in "
                f"{', '.join(lang.name for lang in CLARITY_LANGUAGES.values())} (no public source "
                "names the columns and the readings' event type of this one); export it in "
                "English",
                file=file,
                row=i + 1,
            )
        return i, CLARITY_LANGUAGES[key]
    return None


def dexcom_system(text: str) -> str:
    """``G7``, ``G6`` … as named by the ``Device`` rows of a Clarity export, else ``""``.

    >>> dexcom_system("Index,Timestamp,Event Type,Event Subtype,Patient Info,Device Info\\n"
    ...               "3,,Device,,,Dexcom G7 Mobile App")
    'G7'
    """
    for line in text.splitlines()[:60]:
        cells = _cells(line)
        if len(cells) > 2 and cells[2].lower() in ("device", "gerät"):
            found = re.search(r"\bG(\d+)\b", " ".join(cells[3:]))
            if found:
                return f"G{found.group(1)}"
    return ""


def read_dexcom(
    source: CGMSource,
    *,
    name: str | None = None,
    unit: str | None = None,
    subject_id: str | None = None,
) -> pl.DataFrame:
    """Read a Dexcom Clarity CSV export (EGV rows only; High/Low kept as censored readings).

    ``source``: a path, bytes or a binary file object (:data:`CGMSource`); ``name`` names
    in-memory data. ``subject_id`` defaults to the file name without extension (the export's name
    fields are personal data and are not read).
    """
    return dexcom_from_input(as_input(source, name), unit=unit, subject_id=subject_id)


def dexcom_from_input(
    src: Input, *, unit: str | None = None, subject_id: str | None = None
) -> pl.DataFrame:
    file = src.name
    text = read_text(src)
    lines = text.splitlines()
    if not lines:
        raise DataFileError("the file is empty", file=file)
    # the header is line 1 in Clarity exports; lines before it (a title, say) are skipped
    found = find_clarity_header(lines, file)
    header_at, lang = found if found is not None else (0, CLARITY_LANGUAGES["en"])
    rows = csv_rows("\n".join(lines[header_at:]), sniff_delimiter(lines[header_at]))
    header = [h.strip() for h in rows[0]] if rows else []
    norm = [norm_name(h) for h in header]

    def col(name: str) -> int:
        prefix = norm_name(name.split("(")[0]) if name != lang.glucose else norm_name(name)
        for i, h in enumerate(norm):
            if h.startswith(prefix):
                return i
        raise DataFileError(
            f"no '{name}' column: not a Dexcom Clarity export? (header: {', '.join(header)})",
            file=file,
            row=header_at + 1,
        )

    i_time, i_type, i_gl = col(lang.time), col(lang.event), col(lang.glucose)
    egv = {e.upper() for e in lang.egv}
    censored = {t.upper(): std for t, std in ((lang.high, "High"), (lang.low, "Low")) if t}
    header_unit = unit_from_header(header[i_gl])
    unit_header = header[i_gl] if unit is None and header_unit is not None else None
    unit = merge_unit(file, header[i_gl], header_unit, unit)
    times: list[str] = []
    values: list[str] = []
    line_no: list[int] = []
    for n, row in enumerate(rows[1:], start=header_at + 2):
        if len(row) <= max(i_time, i_type, i_gl):
            if not any(cell.strip() for cell in row):
                continue
            raise DataFileError(
                f"{len(row)} fields, expected {len(header)}", file=file, row=n, column=header[i_gl]
            )
        if row[i_type].strip().upper() not in egv:
            continue
        times.append(row[i_time].strip())
        value = row[i_gl].strip()
        values.append(censored.get(value.upper(), value))
        line_no.append(n)
    if not times:
        raise DataFileError(
            f"no {' or '.join(lang.egv)} (glucose) rows", file=file, column=header[i_type]
        )
    frame = pl.DataFrame(
        {"time": times, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.String, "gl": pl.String, ROW_COLUMN: pl.Int64},
    )
    time_text = frame.get_column("time")
    parsed = pl.select(
        pl.coalesce(
            time_text.str.to_datetime(fmt, time_unit="us", strict=False)
            for fmt in ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M")
        )
    ).to_series()
    bad = parsed.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        reason = iso_calendar_problem(times[i])
        raise DataFileError(
            not_a_calendar_date(repr(times[i]), reason)
            if reason is not None  # the form is right, the day is not (issue 18)
            else f"cannot read {times[i]!r} as a date-time (expected YYYY-MM-DDThh:mm:ss)",
            file=file,
            row=line_no[i],
            column=header[i_time],
        )
    frame = frame.with_columns(parsed.alias("time"), pl.lit(subject_id or src.stem).alias("id"))
    return check_readings(frame, file, unit, unit_header)


def dexcom_treatments(src: Input, *, subject_id: str | None = None) -> pl.DataFrame:
    """Insulin and carbohydrate events of a Clarity export as the treatments table
    (:mod:`endolab.cgm.readers.treatments`): ``Insulin`` rows (``Insulin Value (u)``; subtype
    ``Long-Acting`` → ``long_acting``, otherwise ``bolus``) and ``Carbs`` rows (``Carb Value
    (grams)``)."""
    file = src.name
    lines = read_text(src).splitlines()
    found = find_clarity_header(lines, file)
    if found is not None and found[1] is not CLARITY_LANGUAGES["en"]:
        raise DataFileError(
            f"the insulin and carbohydrate events of a Dexcom Clarity export in {found[1].name} "
            "are not read (no public source names their event types); export it in English",
            file=file,
            row=found[0] + 1,
        )
    header_at = next((i for i, line in enumerate(lines[:20]) if "event type" in line.lower()), None)
    if header_at is None:
        raise DataFileError("no 'Event Type' column: not a Dexcom Clarity export?", file=file)
    rows = csv_rows("\n".join(lines[header_at:]), sniff_delimiter(lines[header_at]))
    norm = [norm_name(h) for h in rows[0]]

    def col(prefix: str) -> int | None:
        return next((i for i, h in enumerate(norm) if h.startswith(prefix)), None)

    i_time, i_type, i_sub = col("timestamp"), col("eventtype"), col("eventsubtype")
    i_ins, i_carb = col("insulinvalue"), col("carbvalue")
    if i_time is None or i_type is None:
        raise DataFileError("no 'Timestamp' and 'Event Type' columns", file=file, row=header_at + 1)
    out: list[Row] = []
    for n, row in enumerate(rows[1:], start=header_at + 2):
        if len(row) <= i_type:
            continue
        kind = row[i_type].strip().lower()
        if kind not in ("insulin", "carbs"):
            continue
        try:
            when = datetime.fromisoformat(row[i_time].strip())
        except ValueError:
            raise DataFileError(
                f"cannot read {row[i_time]!r} as a date-time", file=file, row=n, column="Timestamp"
            ) from None
        if kind == "insulin" and i_ins is not None and i_ins < len(row):
            units = parse_amount(row[i_ins], file, n, rows[0][i_ins])
            sub = row[i_sub].strip().lower() if i_sub is not None and i_sub < len(row) else ""
            if units is not None:
                out.append((when, "long_acting" if "long" in sub else "bolus", units, None, None))
        elif kind == "carbs" and i_carb is not None and i_carb < len(row):
            grams = parse_amount(row[i_carb], file, n, rows[0][i_carb])
            if grams is not None:
                out.append((when, "carbs", None, grams, None))
    return treatment_frame(out, subject_id or src.stem, "dexcom")
