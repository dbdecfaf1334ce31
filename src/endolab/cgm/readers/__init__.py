"""Read CGM files into the canonical frame: generic CSV/Parquet, Dexcom Clarity CSV, LibreView CSV.

Every reader returns :func:`endolab.cgm.check_frame` output and raises
:class:`~endolab.errors.DataFileError` naming the file, the line (header = line 1 of the table, as
in a spreadsheet; banner lines are counted) and the column for a value it cannot read. Input files
are only read.

* **Generic** (:func:`read_generic`): CSV or Parquet with one row per reading; ISO 8601 times, or
  day/month/year and month/day/year text with the order detected as for LibreView. Column names are
  matched case-insensitively: subject ``id``/``subject``/``subject_id``/``patient_id``; time
  ``time``/``timestamp``/``datetime``/``date_time``; glucose ``gl``/``glucose``/``sensor_glucose``
  (R iglu's ``id, time, gl`` work as they are). ``columns={"id": …, "time": …, "gl": …}`` maps any
  other names. Without a subject column every row belongs to ``subject_id`` (default: the file
  name without extension).
* **Dexcom Clarity CSV** (:func:`read_dexcom`): the export's metadata rows (``FirstName``,
  ``Device``, ``Alert`` …) and every event other than ``EGV`` (calibrations, insulin, carbs …) are
  skipped; "High"/"Low" readings are kept as censored 401/39 mg/dL (``censored`` = +1/-1), never
  dropped. The unit comes from the header ("Glucose Value (mg/dL)" or "(mmol/L)").
* **LibreView CSV** (:func:`read_libre`): banner lines before the header are skipped (the header
  is the first line naming "Device Timestamp" and "Record Type"); record type 0 (historic, every
  15 min on Libre 1/2, 5 min on Libre 3) is kept, scans (type 1) only with ``include_scans=True``
  [A: scans duplicate the historic trace at irregular times]; other record types (strip, insulin,
  food, notes …) are skipped. Day-first vs month-first dates are **detected from the data**
  (:func:`detect_date_order`), never from the glucose unit. "HI"/"LO" are kept as censored.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

import polars as pl

from endolab._io import os_error_reason
from endolab.cgm.frame import check_frame, combine_frames
from endolab.cgm.readers.base import (
    UNNAMED as UNNAMED,
)
from endolab.cgm.readers.base import (
    CGMSource,
    DateOrderError,
    Input,
    as_input,
    detect_date_order,
    read_text,
)
from endolab.cgm.readers.base import (
    DateOrder as DateOrder,
)
from endolab.cgm.readers.carelink import (
    carelink_from_input,
    carelink_treatments,
    looks_like_carelink,
    read_carelink,
)
from endolab.cgm.readers.dexcom import (
    clarity_language,
    dexcom_from_input,
    dexcom_system,
    dexcom_treatments,
    read_dexcom,
)
from endolab.cgm.readers.diasend_xls import (
    diasend_xls_from_input,
    diasend_xls_treatments,
    is_xls,
    looks_like_diasend_xls,
    read_diasend_xls,
)
from endolab.cgm.readers.eversense import (
    eversense_from_input,
    looks_like_eversense,
    looks_like_eversense_xlsx,
    read_eversense,
)
from endolab.cgm.readers.generic import generic_from_input, read_generic
from endolab.cgm.readers.glooko import (
    glooko_from_input,
    glooko_members,
    glooko_treatments,
    looks_like_glooko,
    read_glooko,
)
from endolab.cgm.readers.libre import (
    find_libre_header,
    libre_from_input,
    libre_treatments,
    read_libre,
)
from endolab.cgm.readers.nightscout import (
    load_json_records,
    looks_like_nightscout,
    nightscout_from_input,
    nightscout_treatments,
    read_nightscout,
)
from endolab.cgm.readers.tandem import (
    looks_like_tandem,
    read_tandem,
    tandem_from_input,
    tandem_treatments,
    tandem_variant,
)
from endolab.cgm.readers.tandem import source_members as tandem_source_members
from endolab.cgm.readers.tidepool import (
    looks_like_tidepool,
    read_tidepool,
    tidepool_from_input,
    tidepool_treatments,
)
from endolab.cgm.readers.tidepool_xlsx import (
    is_xlsx,
    looks_like_tidepool_xlsx,
    read_tidepool_xlsx,
    tidepool_xlsx_from_input,
    tidepool_xlsx_treatments,
)
from endolab.cgm.readers.treatments import (
    TREATMENT_COLUMNS,
    insulin_daily_totals,
    write_insulin_csv,
)
from endolab.errors import DataFileError, InputError, asks, one_of

ReaderName = Literal[
    "auto",
    "generic",
    "dexcom",
    "libre",
    "carelink",
    "nightscout",
    "tidepool",
    "tidepool_xlsx",
    "tandem",
    "glooko",
    "diasend_xls",
    "eversense",
]
FormatName = Literal[
    "generic",
    "dexcom",
    "libre",
    "carelink",
    "nightscout",
    "tidepool",
    "tidepool_xlsx",
    "tandem",
    "glooko",
    "diasend_xls",
    "eversense",
]

__all__ = [
    "DATE_ORDERS",
    "FORMATS",
    "READERS",
    "CGMSource",
    "DateOrderError",
    "FileDescription",
    "describe_file",
    "detect_date_order",
    "detect_format",
    "insulin_daily_totals",
    "read_carelink",
    "read_cgm",
    "read_dexcom",
    "read_diasend_xls",
    "read_eversense",
    "read_generic",
    "read_glooko",
    "read_libre",
    "read_nightscout",
    "read_tandem",
    "read_tidepool",
    "read_tidepool_xlsx",
    "read_treatments",
    "reader_options",
    "write_insulin_csv",
]

#: Each format's name for messages and ``endolab cgm detect``.
FORMATS: Final[dict[str, str]] = {
    "generic": "generic CSV/Parquet (one row per reading)",
    "dexcom": "Dexcom Clarity CSV",
    "libre": "LibreView CSV",
    "carelink": "Medtronic CareLink CSV",
    "nightscout": "Nightscout entries JSON",
    "tidepool": "Tidepool JSON",
    "tidepool_xlsx": "Tidepool Excel export (xlsx)",
    "tandem": "Tandem t:connect/Source CSV",
    "glooko": "Glooko/Diasend export (zip or CGM CSV)",
    "diasend_xls": "Diasend Excel export (.xls)",
    "eversense": "Eversense CSV or Excel export",
}


def _missing_reason(path: Path) -> str:
    """Why ``path`` cannot be opened: "no such file", or the OS's reason (a loop of symbolic
    links, a part of the path that is not a folder, permission denied) in words (issue 18)."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            return os_error_reason(exc, path)
    return "no such file"


#: The request of a workbook whose format is not told from its sheets.
READER_GIVE: Final = "give reader="


def detect_format(source: CGMSource, *, name: str | None = None) -> FormatName:
    """Guess the file format from its first lines (or, for JSON, its first records): one of
    :data:`FORMATS` (``generic`` when nothing vendor-specific is found).

    ``source``: a path, bytes or a binary file object (:data:`CGMSource`; a file object is read to
    its end); ``name`` names in-memory data.
    """
    return _detect(as_input(source, name))


def _detect(src: Input) -> FormatName:
    if src.is_parquet:
        return "generic"
    if src.read_bytes(4) == b"PK\x03\x04" and glooko_members(src.read_bytes(), "cgm_data"):
        return "glooko"  # a zip is read in full only when it is one
    if src.read_bytes(4) == b"PK\x03\x04" and tandem_source_members(src.read_bytes()):
        return "tandem"
    if src.read_bytes(4) == b"PK\x03\x04" and is_xlsx(src.read_bytes()):
        if looks_like_tidepool_xlsx(src):
            return "tidepool_xlsx"
        if looks_like_eversense_xlsx(src):
            return "eversense"
        raise asks(
            DataFileError(
                "an Excel workbook that is not a Tidepool export (no 'CGM' sheet with a "
                "'Tidepool Data Type' column) or an Eversense export (no sheet starting with "
                f"'EventDateStr'); export the sheet as CSV (UTF-8) or {READER_GIVE}",
                file=src.name,
            ),
            "reader",
            "reader_give",
            READER_GIVE,
        )
    if is_xls(src.read_bytes(8)):
        if looks_like_diasend_xls(src):
            return "diasend_xls"
        raise asks(
            DataFileError(
                "an old Excel workbook (.xls) that is not a Diasend export (no 'CGM' sheet whose "
                f"header row starts with 'Time'); export the sheet as CSV (UTF-8) or {READER_GIVE}",
                file=src.name,
            ),
            "reader",
            "reader_give",
            READER_GIVE,
        )
    text = read_text(src)
    if text.lstrip()[:1] in ("[", "{"):
        records = load_json_records(src, "JSON CGM")
        if looks_like_nightscout(records):
            return "nightscout"
        if looks_like_tidepool(records):
            return "tidepool"
        raise DataFileError(
            "a JSON file that is neither Nightscout entries (sgv, date) nor Tidepool data "
            "(type cbg, time)",
            file=src.name,
        )
    head = text[:200_000].splitlines()[:40]
    for line in head[:12]:
        low = line.lower()
        if ("event type" in low and "glucose value" in low) or clarity_language(line) is not None:
            return "dexcom"  # a Clarity export in a language endolab does not read is refused there
    if find_libre_header(head[:20]) is not None:
        return "libre"
    if looks_like_carelink(head):
        return "carelink"
    if looks_like_tandem(head):
        return "tandem"
    if looks_like_glooko(head):
        return "glooko"
    if looks_like_eversense(head):
        return "eversense"
    return "generic"


READERS: Final = {
    "generic": read_generic,
    "dexcom": read_dexcom,
    "libre": read_libre,
    "carelink": read_carelink,
    "nightscout": read_nightscout,
    "tidepool": read_tidepool,
    "tidepool_xlsx": read_tidepool_xlsx,
    "tandem": read_tandem,
    "glooko": read_glooko,
    "diasend_xls": read_diasend_xls,
    "eversense": read_eversense,
}
_READ: Final[Mapping[str, Callable[..., pl.DataFrame]]] = {
    "generic": generic_from_input,
    "dexcom": dexcom_from_input,
    "libre": libre_from_input,
    "carelink": carelink_from_input,
    "nightscout": nightscout_from_input,
    "tidepool": tidepool_from_input,
    "tidepool_xlsx": tidepool_xlsx_from_input,
    "tandem": tandem_from_input,
    "glooko": glooko_from_input,
    "diasend_xls": diasend_xls_from_input,
    "eversense": eversense_from_input,
}
#: The keyword options each reader takes (others are dropped for that file).
_OPTIONS: Final[Mapping[str, frozenset[str]]] = {
    "generic": frozenset({"subject_id", "columns", "date_order"}),
    "dexcom": frozenset({"subject_id"}),
    "libre": frozenset({"subject_id", "include_scans", "date_order"}),
    "carelink": frozenset({"subject_id", "date_order"}),
    "nightscout": frozenset({"subject_id", "tz"}),
    "tidepool": frozenset({"subject_id"}),
    "tidepool_xlsx": frozenset({"subject_id"}),
    "tandem": frozenset({"subject_id"}),
    "glooko": frozenset({"subject_id", "date_order"}),
    "diasend_xls": frozenset({"subject_id", "date_order"}),
    "eversense": frozenset({"subject_id"}),
}


@dataclass(frozen=True)
class FileDescription:
    """What :func:`describe_file` found in one file (``endolab cgm detect``).

    ``format``: a key of :data:`FORMATS`; ``variant``: the export language of a LibreView file
    (``en``, ``de`` …), the system of a Dexcom file (``G6``, ``G7``, from its Device row; with
    the export language when it is not English: ``G7, de``), the
    export of a Tandem file (``t:connect`` or ``Source``), else
    ``""``; ``unit``: the glucose unit the readings were measured in
    (mg/dL or mmol/L); ``n_readings`` / ``n_low`` / ``n_high``: readings kept and the censored
    Low/High among them [count]; ``first`` / ``last``: first and last reading (wall clock);
    ``span_days``: last − first [days]; ``subjects``: the subject ids.
    """

    file: str
    format: str
    variant: str
    unit: str
    n_readings: int
    n_low: int
    n_high: int
    first: datetime
    last: datetime
    span_days: float
    subjects: tuple[str, ...]

    @property
    def label(self) -> str:
        """The format's name, with the variant (``LibreView CSV (de)``)."""
        name = FORMATS[self.format]
        return f"{name} ({self.variant})" if self.variant else name

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields, with ``units`` naming the unit of each number."""
        return {
            "file": self.file,
            "format": self.format,
            "format_name": self.label,
            "variant": self.variant,
            "unit": self.unit,
            "n_readings": self.n_readings,
            "n_low": self.n_low,
            "n_high": self.n_high,
            "first": self.first.isoformat(sep=" "),
            "last": self.last.isoformat(sep=" "),
            "span_days": self.span_days,
            "subjects": list(self.subjects),
            "units": {
                "n_readings": "count",
                "n_low": "count",
                "n_high": "count",
                "span_days": "days",
            },
        }


def describe_file(
    source: CGMSource, *, name: str | None = None, reader: ReaderName = "auto", **options: Any
) -> FileDescription:
    """Detect the format of one file, read it, and say what it holds (:class:`FileDescription`).

    Reading is the full read of :func:`read_cgm` (so a file that breaks its format is refused the
    same way, naming the line); ``options`` go to the reader.
    """
    src = as_input(source, name)
    kind = _detect(src) if reader == "auto" else reader
    if kind not in _READ:
        raise InputError(
            f"unknown reader {reader!r}; accepted: auto, {', '.join(_READ)}", field="reader"
        )
    unit = options.pop("unit", None)
    frame = _READ[kind](src, unit=unit, **{k: v for k, v in options.items() if k in _OPTIONS[kind]})
    variant = ""
    if kind == "libre":
        found = find_libre_header(read_text(src).splitlines()[:20])
        variant = found[1] if found else ""
    elif kind == "dexcom":
        lines = read_text(src).splitlines()
        language = next(
            (clarity_language(line) for line in lines[:20] if clarity_language(line)), ""
        )
        parts = [dexcom_system(read_text(src)), "" if language in ("en", "?") else str(language)]
        variant = ", ".join(p for p in parts if p)
    elif kind == "tandem":
        variant = (
            "Source" if tandem_source_members(src.read_bytes()) else tandem_variant(read_text(src))
        )
    mmol = "mmol_l" in frame.columns and bool(frame.get_column("mmol_l").any())
    first, last = frame.get_column("time").min(), frame.get_column("time").max()
    assert isinstance(first, datetime) and isinstance(last, datetime)
    censored = frame.get_column("censored")
    return FileDescription(
        file=src.name,
        format=kind,
        variant=variant,
        unit="mmol/L" if mmol else "mg/dL",
        n_readings=frame.height,
        n_low=int((censored == -1).sum()),
        n_high=int((censored == 1).sum()),
        first=first,
        last=last,
        span_days=round((last - first).total_seconds() / 86400, 3),
        subjects=tuple(str(v) for v in frame.get_column("id").unique(maintain_order=True)),
    )


_TREATMENTS: Final[Mapping[str, Callable[..., pl.DataFrame]]] = {
    "dexcom": dexcom_treatments,
    "libre": libre_treatments,
    "carelink": carelink_treatments,
    "nightscout": nightscout_treatments,
    "tidepool": tidepool_treatments,
    "tidepool_xlsx": tidepool_xlsx_treatments,
    "tandem": tandem_treatments,
    "glooko": glooko_treatments,
    "diasend_xls": diasend_xls_treatments,
}


def read_treatments(
    sources: CGMSource | Sequence[CGMSource],
    *,
    reader: ReaderName = "auto",
    names: Sequence[str | None] | None = None,
    subject_ids: Sequence[str | None] | None = None,
    tz: str | None = None,
    date_order: DateOrder = "auto",
    nightscout_profile: CGMSource | None = None,
) -> pl.DataFrame:
    """Insulin and carbohydrates of device exports as one table
    (:mod:`endolab.cgm.readers.treatments`: ``id, time, kind, insulin_u [U], carbs_g [g],
    duration_min [min], source``), from Dexcom Clarity, LibreView (en, de, fr, nl, es), CareLink,
    Nightscout treatments, Tidepool (JSON and xlsx), Tandem t:connect/Source, Glooko (zip) and
    Diasend ``.xls`` files. ``subject_ids``: one per input (default: the file name without
    extension); ``tz``: the wearer's time zone for Nightscout records without an offset;
    ``date_order``: the order of day/month dates in LibreView, CareLink and Diasend ``.xls`` files
    (``"auto"``: detected, as for the readings); ``nightscout_profile``: the Nightscout profile
    export (``/api/v1/profile.json``, a path or bytes) that gives the Nightscout treatments their
    scheduled basal and the rate of a temporary basal given as a percent
    (:mod:`endolab.cgm.readers.nightscout_profile`).

    >>> t = read_treatments(b'[{"eventType": "Meal Bolus", "created_at": "2024-01-01T08:00:00Z", '
    ...                     b'"utcOffset": 0, "insulin": 4.5, "carbs": 40}]', names=["P01.json"])
    >>> t.select("id", "kind", "insulin_u", "carbs_g").rows()
    [('P01', 'bolus', 4.5, None), ('P01', 'carbs', None, 40.0)]
    """
    items: list[Any] = [sources] if _is_one(sources) else list(sources)  # type: ignore[arg-type]
    given = list(names) if names is not None else [None] * len(items)
    ids = list(subject_ids) if subject_ids is not None else [None] * len(items)
    if len(given) != len(items) or len(ids) != len(items):
        raise InputError("give one name and one subject id per input", field="names")
    frames = []
    profile = None if nightscout_profile is None else as_input(nightscout_profile)
    profile_used = False
    for item, name, subject in zip(items, given, ids, strict=True):
        src = as_input(item, name)
        kind = _detect(src) if reader == "auto" else reader
        if kind not in _TREATMENTS:
            raise DataFileError(
                f"a {FORMATS.get(kind, kind)} file carries no insulin or carbohydrate records "
                f"that endolab reads (accepted: {', '.join(FORMATS[k] for k in _TREATMENTS)})",
                file=src.name,
            )
        options: dict[str, Any] = {"subject_id": subject}
        if kind == "nightscout":
            options["tz"] = tz
            options["profile"] = profile
            profile_used = True
        if kind in ("libre", "carelink", "diasend_xls"):
            options["date_order"] = date_order
        frames.append(_TREATMENTS[kind](src, **options))
    if profile is not None and not profile_used:
        raise InputError(
            "a Nightscout profile was given but no Nightscout treatments file: the profile only "
            "completes the basal of Nightscout treatments",
            field="nightscout_profile",
        )
    if not frames:
        return pl.DataFrame(schema=TREATMENT_COLUMNS)
    return pl.concat(frames).sort("id", "time", maintain_order=True)


def _is_one(sources: object) -> bool:
    return isinstance(sources, (str, os.PathLike, bytes, bytearray, memoryview, Input)) or callable(
        getattr(sources, "read", None)
    )


def read_cgm(
    sources: CGMSource | Sequence[CGMSource],
    *,
    reader: ReaderName = "auto",
    unit: str | None = None,
    names: Sequence[str | None] | None = None,
    progress: Callable[[str], None] | None = None,
    **options: Any,
) -> pl.DataFrame:
    """Read one or more CGM inputs (any supported format) into one canonical frame.

    ``sources``: one input or a sequence of them, each a path, bytes or a binary file object
    (:data:`CGMSource`). ``names`` names in-memory inputs, one per input (``None`` keeps the
    default: the path, the file object's name, or ``upload``); for one input ``name=`` works too.
    ``progress`` is called with each input's name once it is read.

    ``reader="auto"`` picks the format per input (:func:`detect_format`). Other keyword options go
    to the reader (``columns`` generic only; ``subject_id``; ``include_scans`` LibreView only;
    ``date_order`` LibreView and generic). Two inputs whose ids come from the same file name are
    an error (see :func:`_combine`).

    >>> csv = b"id,time,gl\\na,2024-01-01T00:00,100\\na,2024-01-01T00:05,110\\n"
    >>> read_cgm(csv, name="a.csv").get_column("gl").to_list()
    [100.0, 110.0]
    """
    items: list[Any] = [sources] if _is_one(sources) else list(sources)  # type: ignore[arg-type]
    if not items:
        raise InputError("no input files", field="files")
    single_name = options.pop("name", None)
    unknown = sorted(set(options) - set().union(*_OPTIONS.values()))
    if unknown:
        raise InputError(
            f"unknown reader option(s) {', '.join(unknown)}; accepted: "
            f"{', '.join(sorted(set().union(*_OPTIONS.values())))}",
            field="reader",
        )
    given = list(names) if names is not None else [single_name] * len(items)
    if len(given) != len(items):
        raise InputError(
            f"{len(given)} names for {len(items)} inputs; give one name per input", field="names"
        )
    frames = []
    inputs = []
    for item, name in zip(items, given, strict=True):
        src = as_input(item, name)
        if src.path is not None and not src.path.is_file():
            if src.path.is_dir():
                what = "is a folder, not a file; give the CGM file(s) in it"
            elif src.path.exists():
                what = "is not a regular file"
            else:
                what = _missing_reason(src.path)
            raise DataFileError(what, file=src.name)
        kind = _detect(src) if reader == "auto" else reader
        if kind not in _READ:
            raise InputError(
                f"unknown reader {reader!r}; accepted: auto, {', '.join(_READ)}", field="reader"
            )
        opts = {k: v for k, v in options.items() if k in _OPTIONS[kind]}
        frames.append(_READ[kind](src, unit=unit, **opts))
        inputs.append(src)
        if progress is not None:
            progress(src.name)
    return _combine(frames, inputs)


def _combine(frames: Sequence[pl.DataFrame], inputs: Sequence[Input]) -> pl.DataFrame:
    """One canonical frame from the canonical frames of several inputs (in the same order).

    Two inputs whose readings all carry their file name as id (Dexcom, LibreView and generic files
    without a subject column) but have the same name (``p1/cgm.csv``, ``p2/cgm.csv``) would merge two
    people into one subject: that is an error. A subject found in several inputs (a generic file
    per month, say) is checked again as a whole (order, duplicates across inputs).
    """
    if len(frames) == 1:
        return frames[0]
    seen: set[Path] = set()
    for src in inputs:
        if src.path is None:
            continue
        if src.path.resolve() in seen:
            raise DataFileError("the same file is given twice", file=src.name)
        seen.add(src.path.resolve())
    ids = [set(f.get_column("id").unique().to_list()) for f in frames]
    named: dict[str, str] = {}
    for frame_ids, src in zip(ids, inputs, strict=True):
        if frame_ids == {src.stem}:
            if src.stem in named:
                raise DataFileError(
                    f"subject id {src.stem!r} comes from the file name, and "
                    f"{named[src.stem]} gives the same id: two files would be merged into one "
                    "subject; rename the files (the id is the file name without extension)",
                    file=src.name,
                )
            named[src.stem] = src.name
    if sum(len(i) for i in ids) == len(set().union(*ids)):
        # no subject in two inputs: each frame is already checked, only the subject order is new
        return combine_frames(frames).sort("id", maintain_order=True)
    return check_frame(combine_frames(frames))


#: The ``date_order`` values the readers take (``"auto"``: detected from the data).
DATE_ORDERS: Final = ("auto", "dmy", "mdy", "ymd")


def reader_options(
    reader: str = "auto",
    date_order: str = "auto",
    *,
    reader_field: str = "--reader",
    date_order_field: str = "--date-order",
) -> dict[str, Any]:
    """The readers' keyword options (``reader``, and ``date_order`` unless ``"auto"``) from a
    reader name and a date order given as text, checked the same way for every front end (case is
    ignored; a value not accepted is a one-line :class:`~endolab.errors.ParseError` naming
    ``reader_field`` or ``date_order_field`` and the accepted values).

    >>> reader_options("LIBRE", "dmy")
    {'reader': 'libre', 'date_order': 'dmy'}
    >>> reader_options("excel")
    Traceback (most recent call last):
    ...
    endolab.errors.ParseError: --reader 'excel' not accepted; accepted: auto, generic, dexcom, ...
    """
    options: dict[str, Any] = {"reader": one_of(reader, ("auto", *_READ), reader_field)}
    order = one_of(date_order, DATE_ORDERS, date_order_field)
    if order != "auto":
        options["date_order"] = order
    return options
