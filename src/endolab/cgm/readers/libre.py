"""FreeStyle LibreView CSV export."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final

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
    parse_day_month_times,
    read_text,
    sniff_delimiter,
    unit_from_header,
)
from endolab.errors import DataFileError

#: LibreView's column names in each export language (the column map, as pvlib's
#: ``VARIABLE_MAP``): vendor header → canonical field. Glucose columns are matched by prefix (the
#: header ends with the unit, ``mg/dL`` or ``mmol/L``); names are compared without accents, case,
#: spaces or punctuation (:func:`header_key`). Sources of the headers: docs/cgm.md (table of formats).
VARIABLE_MAP: Final[dict[str, dict[str, str]]] = {
    "en": {
        "Device Timestamp": "time",
        "Record Type": "record_type",
        "Historic Glucose": "historic",
        "Scan Glucose": "scan",
    },
    "de": {
        "Gerätezeitstempel": "time",
        "Aufzeichnungstyp": "record_type",
        "Glukosewert-Verlauf": "historic",
        "Glukose-Scan": "scan",
    },
    # French: all four names confirmed by public code that reads French exports (a pandera schema
    # listing the 19 columns of a French export in order: Appareil, Numéro de série, Horodatage
    # de l'appareil, Type d'enregistrement, Historique de la glycémie mg/dL, Numérisation de la
    # glycémie mg/dL, …; and two readers of French exports), found with the code search.
    "fr": {
        "Horodatage de l'appareil": "time",
        "Type d'enregistrement": "record_type",
        "Historique de la glycémie": "historic",
        "Numérisation de la glycémie": "scan",
    },
    "es": {
        "Sello de tiempo del dispositivo": "time",
        "Tipo de registro": "record_type",
        "Historial de glucosa": "historic",
        "Escaneo de glucosa": "scan",
    },
    # Italian: "Timestamp del dispositivo" and "Storico del glucosio mg/dL" (and the first column
    # "Dispositivo") confirmed by four public scripts (Python and R) reading Italian exports, found
    # with the code search; they corrected the earlier guesses "Timestamp dispositivo" / "Storico
    # glicemia". [A] The record-type and scan names are not confirmed by any public source: when
    # the record-type name is not in the header, the column right after the timestamp is taken as
    # the record type (:data:`RECORD_TYPE_FOLLOWS_TIME`).
    "it": {
        "Timestamp del dispositivo": "time",
        "Tipo di registrazione": "record_type",
        "Storico del glucosio": "historic",
        "Scansione del glucosio": "scan",
    },
    "nl": {
        "Tijdstempel apparaat": "time",
        "Gegevenstype": "record_type",
        "Historische glucose": "historic",
        "Scan Glucose": "scan",
    },
}

#: [A] In every LibreView header confirmed from a public source (en, de, fr, es, nl) the record type
#: is the column right after the device timestamp; a header whose record-type name is not
#: confirmed (Italian) is found by its timestamp and historic-glucose columns and read that way.
RECORD_TYPE_FOLLOWS_TIME: Final = True


def header_key(name: str) -> str:
    """A column name without accents, case, spaces or punctuation, for matching headers.

    >>> header_key("Gerätezeitstempel"), header_key("Type d'enregistrement")
    ('geratezeitstempel', 'typedenregistrement')
    """
    plain = unicodedata.normalize("NFKD", name)
    return re.sub(
        r"[^a-z0-9]", "", "".join(c for c in plain if not unicodedata.combining(c)).lower()
    )


def find_libre_header(lines: Sequence[str]) -> tuple[int, str] | None:
    """(index, language) of the first line that is a LibreView header, else None: a line with the
    device-timestamp column of one language of :data:`VARIABLE_MAP` and its record-type column,
    or (:data:`RECORD_TYPE_FOLLOWS_TIME`) a column starting with its historic-glucose name."""
    for i, line in enumerate(lines):
        cells = [header_key(c) for c in re.split(r"[,;\t|]", line)]
        for language, columns in VARIABLE_MAP.items():
            key = {c: header_key(v) for v, c in columns.items()}
            if key["time"] in cells and (
                key["record_type"] in cells or any(c.startswith(key["historic"]) for c in cells)
            ):
                return i, language
    return None


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
    found = find_libre_header(lines[:20])
    if found is None:
        raise DataFileError(
            "no LibreView header line (naming the device timestamp and the record type, in "
            f"{', '.join(VARIABLE_MAP)}) in the first 20 lines: not a LibreView export?",
            file=file,
        )
    header_at, language = found
    delimiter = sniff_delimiter(lines[header_at])
    rows = csv_rows("\n".join(lines[header_at:]), delimiter)
    header = [h.strip() for h in rows[0]]
    keys = [header_key(h) for h in header]
    names = {canonical: header_key(vendor) for vendor, canonical in VARIABLE_MAP[language].items()}

    def find(canonical: str, prefix: bool = False) -> int | None:
        want = names[canonical]
        for i, k in enumerate(keys):
            if k == want or (prefix and k.startswith(want)):
                return i
        return None

    def need(canonical: str, prefix: bool = False) -> int:
        i = find(canonical, prefix)
        if i is None:
            vendor = next(v for v, c in VARIABLE_MAP[language].items() if c == canonical)
            raise DataFileError(
                f"no {vendor!r} column in this LibreView ({language}) export (header: "
                f"{', '.join(header)})",
                file=file,
                row=header_at + 1,
            )
        return i

    i_time = need("time")
    found_type = find("record_type")
    if found_type is None and i_time + 1 < len(header):
        found_type = i_time + 1  # [A] RECORD_TYPE_FOLLOWS_TIME (Italian)
    i_type = found_type if found_type is not None else need("record_type")
    i_hist = need("historic", prefix=True)
    i_scan = find("scan", prefix=True)
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


#: Insulin and carbohydrate columns of each export language → (kind, treatments column); names
#: compared as :func:`header_key` does. Sources (read, not copied): English, the header of public
#: LibreView fixtures; German, the full 19-column header of public LibreView test fixtures and
#: readers of German exports; French, the 19 columns of a public schema validating French exports;
#: Dutch, the header a public LibreView converter writes; Spanish, ``Insulina de acción rápida
#: (unidades)`` and ``Carbohidratos (gramos)`` as several public readers of Spanish exports name
#: them, and the long-acting column as two of them name it, ``… de acción larga (unidades)`` (also
#: in the column list of the public HUPA-UCM dataset of LibreLink exports) or ``… de acción
#: prolongada (unidades)`` (one reader) — both are read [A]. Italian: only the rapid-acting column
#: appears in one public script, so no Italian column is read [A].
TREATMENT_MAP: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "en": {
        "Rapid-Acting Insulin (units)": ("bolus", "insulin_u"),
        "Long-Acting Insulin (units)": ("long_acting", "insulin_u"),
        "Carbohydrates (grams)": ("carbs", "carbs_g"),
    },
    "de": {
        "Schnellwirkendes Insulin (Einheiten)": ("bolus", "insulin_u"),
        "Depotinsulin (Einheiten)": ("long_acting", "insulin_u"),
        "Kohlenhydrate (Gramm)": ("carbs", "carbs_g"),
    },
    "fr": {
        "Insuline à action rapide (unités)": ("bolus", "insulin_u"),
        "Insuline à action longue (unités)": ("long_acting", "insulin_u"),
        "Glucides (grammes)": ("carbs", "carbs_g"),
    },
    "nl": {
        "Snelwerkende insuline (eenheden)": ("bolus", "insulin_u"),
        "Langwerkende insuline (eenheden)": ("long_acting", "insulin_u"),
        "Koolhydraten (gram)": ("carbs", "carbs_g"),
    },
    "es": {
        "Insulina de acción rápida (unidades)": ("bolus", "insulin_u"),
        "Insulina de acción larga (unidades)": ("long_acting", "insulin_u"),
        "Insulina de acción prolongada (unidades)": ("long_acting", "insulin_u"),
        "Carbohidratos (gramos)": ("carbs", "carbs_g"),
    },
}
#: Carbohydrates entered as servings (exchanges), per language: not converted to grams [A]
#: (Spanish: no public source names the column, so a Spanish servings entry is not seen).
SERVINGS_COLUMN: Final = {
    "en": "Carbohydrates (servings)",
    "de": "Kohlenhydrate (Portionen)",
    "fr": "Glucides (portions)",
    "nl": "Koolhydraten (porties)",
}


def libre_treatments(
    src: Input, *, subject_id: str | None = None, date_order: DateOrder = "auto"
) -> pl.DataFrame:
    """Insulin and carbohydrates of a LibreView export (English, German, French, Dutch or Spanish:
    :data:`TREATMENT_MAP`) as the treatments table (:mod:`endolab.cgm.readers.treatments`):
    ``Rapid-Acting Insulin (units)`` [U] → ``bolus``, ``Long-Acting Insulin (units)`` [U] →
    ``long_acting``, ``Carbohydrates (grams)`` [g] above 0 → ``carbs`` (or the same columns in
    the export's language), at ``Device Timestamp`` (the reader's wall clock; day/month order detected from
    every row's date, as for the readings). A row with ``Carbohydrates (servings)`` but no grams
    is refused [A: a serving is not a fixed number of grams]; the ``Non-numeric …`` columns (an
    entry without a number) are not read."""
    from endolab.cgm.readers.treatments import Row, parse_amount, treatment_frame

    file = src.name
    lines = read_text(src).splitlines()
    found = find_libre_header(lines[:20])
    if found is None:
        raise DataFileError(
            "no LibreView header line (naming the device timestamp and the record type) in the "
            "first 20 lines: not a LibreView export?",
            file=file,
        )
    header_at, language = found
    rows = csv_rows("\n".join(lines[header_at:]), sniff_delimiter(lines[header_at]))
    header = [h.strip() for h in rows[0]]
    keys = [header_key(h) for h in header]
    known = TREATMENT_MAP.get(language, {})
    columns = {
        keys.index(header_key(name)): spec
        for name, spec in known.items()
        if header_key(name) in keys
    }
    if not columns:
        names = ", ".join(f"'{n}'" for n in known) if known else "none known for this language"
        raise DataFileError(
            f"no insulin or carbohydrate column ({names}) in this LibreView ({language}) export; "
            f"insulin and carbohydrates are read from {', '.join(TREATMENT_MAP)} exports",
            file=file,
            row=header_at + 1,
        )
    i_time = keys.index(header_key(next(iter(VARIABLE_MAP[language]))))
    servings = SERVINGS_COLUMN.get(language, "")
    i_serv = keys.index(header_key(servings)) if servings and header_key(servings) in keys else None
    stamps: list[str] = []
    line_no: list[int] = []
    kept: list[tuple[int, list[str]]] = []
    for n, row in enumerate(rows[1:], start=header_at + 2):
        if not any(cell.strip() for cell in row) or len(row) <= i_time:
            continue
        stamps.append(row[i_time].strip())
        line_no.append(n)
        kept.append((n, row))
    if not stamps:
        return treatment_frame([], subject_id or src.stem, "libre")
    times = parse_day_month_times(stamps, file, line_no, header[i_time], date_order).to_list()
    out: list[Row] = []
    for when, (n, row) in zip(times, kept, strict=True):
        for i, (kind, column) in columns.items():
            amount = parse_amount(row[i] if i < len(row) else "", file, n, header[i])
            if amount is None or (kind == "carbs" and amount == 0):
                continue
            out.append(
                (when, kind, amount if column == "insulin_u" else None,
                 amount if column == "carbs_g" else None, None)
            )  # fmt: skip
        if i_serv is not None and i_serv < len(row) and row[i_serv].strip():
            grams = next((i for i, (k, _) in columns.items() if k == "carbs"), None)
            if grams is None or grams >= len(row) or not row[grams].strip():
                raise DataFileError(
                    f"carbohydrates entered as {row[i_serv].strip()!r} servings, not grams: "
                    "endolab does not convert servings to grams [A]; set the reader to grams",
                    file=file,
                    row=n,
                    column=servings,
                )
    return treatment_frame(out, subject_id or src.stem, "libre")
