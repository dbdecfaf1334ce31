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

import csv
import errno
import io
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Any, Final, Literal

import polars as pl

from endolab._io import os_error_reason
from endolab.cgm.frame import (
    ROW_COLUMN,
    RowInputError,
    RowParseError,
    check_frame,
    combine_frames,
    long_gap_notice,
    reading_dates_problem,
)
from endolab.dates import calendar_problem, iso_calendar_problem, not_a_calendar_date
from endolab.errors import DataFileError, EndolabError, InputError
from endolab.notices import Notice, collect, emit

__all__ = [
    "READERS",
    "CGMSource",
    "detect_date_order",
    "detect_format",
    "read_cgm",
    "read_dexcom",
    "read_generic",
    "read_libre",
]

ReaderName = Literal["auto", "generic", "dexcom", "libre"]

#: A CGM input: a path (text or :class:`os.PathLike`), the file's bytes, or a binary file object
#: (opened ``"rb"``; read from its current position). In-memory inputs take a ``name`` for
#: messages, for the format (``.parquet``) and for the default subject id; without one they are
#: called ``upload`` (Parquet is then recognised by its magic bytes).
CGMSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

#: The name of an in-memory input given without one.
UNNAMED: Final = "upload"
_PARQUET_MAGIC: Final = b"PAR1"
DateOrder = Literal["auto", "dmy", "mdy", "ymd"]

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


def _missing_reason(path: Path) -> str:
    """Why ``path`` cannot be opened: "no such file", or the OS's reason (a loop of symbolic
    links, a part of the path that is not a folder, permission denied) in words (issue 18)."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            return os_error_reason(exc, path)
    return "no such file"


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9/]", "", name.lower())


def _rethrow(exc: EndolabError, file: str) -> DataFileError:
    """Turn a check_frame error into a DataFileError naming ``file`` (and the row, column)."""
    if isinstance(exc, (RowInputError, RowParseError)):
        return DataFileError(exc.detail, file=file, row=exc.row, column=exc.column, value=exc.value)
    return DataFileError(exc.message, file=file, column=exc.field, value=exc.value)


def _check(
    frame: pl.DataFrame, file: str, unit: str | None, header: str | None = None
) -> pl.DataFrame:
    """check_frame with errors naming ``file``; ``header``: the column whose name gave ``unit``."""
    try:
        with collect() as caught:
            out = check_frame(frame, unit=unit)
    except EndolabError as exc:
        if isinstance(exc, DataFileError):
            raise
        if header is not None and exc.field == "gl" and exc.message.startswith("unit is"):
            # the unit came from the vendor's header, not from --unit: advice about --unit
            # would contradict the header check
            cut = re.split(r" (?:Mixed units\?|The values look like|Pass --unit)", exc.message)[0]
            raise DataFileError(
                f"{cut} The unit comes from the header {header!r}: the file mixes units or its "
                "header is wrong",
                file=file,
                column=header,
            ) from None
        raise _rethrow(exc, file) from None
    dates = reading_dates_problem(out)
    if dates is not None:
        raise DataFileError(dates, file=file, column="time")
    gaps = long_gap_notice(out)
    found = [*caught, *([Notice("W_CGM_LONG_GAP", "W", gaps)] if gaps else [])]
    for n in found:
        emit(Notice(n.code, n.severity, f"{file}: {n.message}", field=file), stacklevel=3)
    return out


@dataclass(frozen=True)
class _Input:
    """One input, read once: a file on disk (``path``) or bytes in memory (``data``)."""

    path: Path | None
    data: bytes | None
    name: str

    @property
    def stem(self) -> str:
        return PurePath(self.name).stem

    @property
    def is_parquet(self) -> bool:
        if PurePath(self.name).suffix.lower() in (".parquet", ".pq"):
            return True
        return self.path is None and (self.data or b"").startswith(_PARQUET_MAGIC)

    def read_bytes(self, limit: int | None = None) -> bytes:
        if self.data is not None:
            return self.data if limit is None else self.data[:limit]
        assert self.path is not None
        try:
            if limit is None:
                return self.path.read_bytes()
            with self.path.open("rb") as handle:
                return handle.read(limit)
        except OSError as exc:
            raise DataFileError(f"cannot read the file: {exc.strerror}", file=self.name) from None

    def source(self) -> Path | io.BytesIO:
        """What polars reads: the path, or a fresh buffer over the bytes."""
        return self.path if self.path is not None else io.BytesIO(self.data or b"")


def _input(source: CGMSource | _Input, name: str | None = None) -> _Input:
    """The :class:`_Input` of a path, bytes or binary file object (a file object is read here)."""
    if isinstance(source, _Input):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return _Input(path, None, name or str(path))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return _Input(None, bytes(source), name or UNNAMED)
    read = getattr(source, "read", None)
    if not callable(read):
        raise InputError(
            f"cannot read CGM data from a {type(source).__name__}: give a path, bytes or a binary "
            "file object",
            field="files",
        )
    data = read()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(
            "the CGM file object is open in text mode; open it in binary mode ('rb')",
            field="files",
        )
    own = getattr(source, "name", None)
    label = name or (os.path.basename(own) if isinstance(own, str) and own else UNNAMED)
    return _Input(None, bytes(data), label)


#: Byte-order marks of UTF-16 text (Excel's "Unicode text" and some exports write it).
_UTF16_BOMS: Final = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def _utf16(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``head`` (the first bytes of a file) is UTF-16 text —
    with a byte-order mark, or without one but with every other byte zero (ASCII text in UTF-16)
    — else None.

    >>> _utf16("id,time".encode("utf-16")), _utf16("id".encode("utf-16-be")), _utf16(b"id,time")
    ('utf-16-le', 'utf-16-be', None)
    """
    for bom, encoding in _UTF16_BOMS.items():
        if head.startswith(bom):
            return encoding
    sample = head[:4096]
    if len(sample) >= 4 and b"\x00" in sample:
        even, odd = sample[0::2], sample[1::2]
        if odd.count(0) >= 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) >= 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def _decode(raw: bytes, file: str) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark), UTF-16 (LE or BE, with
    or without one) or Windows-1252; anything else is named in a one-line error."""
    utf16 = _utf16(raw[:4096])
    if utf16 is not None:
        try:
            text = raw.decode(utf16)
        except UnicodeDecodeError:
            raise DataFileError(
                f"looks like UTF-16 text ({utf16.upper()}) but is not valid UTF-16; save the "
                "file as UTF-8 CSV",
                file=file,
            ) from None
        return text.removeprefix("\ufeff")
    if raw.startswith(b"PK\x03\x04"):
        raise DataFileError(
            "a zip archive or an Excel workbook (.xlsx), not a CSV text file; export the sheet "
            "as CSV (UTF-8)",
            file=file,
        )
    if b"\x00" in raw[:4096]:
        raise DataFileError(
            "not a text file (binary data; accepted: CSV text in UTF-8, UTF-16 or "
            "Windows-1252, or Parquet)",
            file=file,
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataFileError("not a text file (neither UTF-8, UTF-16 nor Windows-1252)", file=file)


def _read_text(src: _Input) -> str:
    return _decode(src.read_bytes(), src.name)


#: Separators detected from the header line, with their names for messages.
_SEPARATORS: Final = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def _sniff_delimiter(line: str) -> str:
    """The separator the header line uses most: comma, semicolon, tab or ``|`` (comma on a tie).

    >>> tab = chr(9)
    >>> _sniff_delimiter("id;time;gl"), _sniff_delimiter(f"id{tab}time"), _sniff_delimiter("gl")
    (';', '\\t', ',')
    """
    counts = {d: line.count(d) for d in _SEPARATORS}
    return max(counts, key=lambda d: counts[d])


def _rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def detect_format(
    source: CGMSource, *, name: str | None = None
) -> Literal["generic", "dexcom", "libre"]:
    """Guess the file format from its first lines: ``dexcom``, ``libre`` or ``generic``.

    ``source``: a path, bytes or a binary file object (:data:`CGMSource`; a file object is read to
    its end); ``name`` names in-memory data.
    """
    return _detect(_input(source, name))


def _detect(src: _Input) -> Literal["generic", "dexcom", "libre"]:
    if src.is_parquet:
        return "generic"
    head = _read_text(src)[:20_000].splitlines()[:12]
    for line in head:
        low = line.lower()
        if "device timestamp" in low and "record type" in low:
            return "libre"
        if "event type" in low and "glucose value" in low:
            return "dexcom"
    return "generic"


# ----------------------------------------------------------------------------------------------
# generic
# ----------------------------------------------------------------------------------------------


def _find(columns: Sequence[str], names: Sequence[str]) -> str | None:
    lookup = {_norm(c).replace("/", ""): c for c in columns}
    for name in names:
        hit = lookup.get(name.replace("_", ""))
        if hit is not None:
            return hit
    return None


def _read_generic_csv(src: _Input) -> pl.DataFrame:
    """All columns as text; polars reads the file itself (fast) unless it is not UTF-8."""
    file = src.name
    head = src.read_bytes(65536)
    if not head.strip():
        raise DataFileError("the file is empty", file=file)
    if _utf16(head) is not None or b"\x00" in head[:4096] or head.startswith(b"PK\x03\x04"):
        text = _read_text(src)  # UTF-16: decoded here (polars reads UTF-8); else a clear error
        first = text.split("\n", 1)[0]
    else:
        text = None
        first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace")
    options: dict[str, Any] = {
        "separator": _sniff_delimiter(first),
        "infer_schema": False,
        "truncate_ragged_lines": False,
    }
    if text is None:
        try:
            return pl.read_csv(src.source(), **options)
        except Exception:
            pass  # not UTF-8, or malformed: decode ourselves for a precise message
        text = _read_text(src)
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
    return _generic(
        _input(source, name),
        columns=columns,
        unit=unit,
        subject_id=subject_id,
        date_order=date_order,
    )


def _generic(
    src: _Input,
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
                    f"one of {', '.join(_SEPARATORS.values())} (detected from the header line); "
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
            and bool(text.head(1).str.contains(_DAY_MONTH_RE).all())  # cheap test first
            and bool(text.str.contains(_DAY_MONTH_RE).all())
        ):
            times = _libre_times(
                text.to_list(),
                file,
                out.get_column(ROW_COLUMN).to_list(),
                mapping["time"],
                date_order,
            )
            out = out.with_columns(times.alias("time"))
    if out.schema["gl"] == pl.String:
        out = out.with_columns(pl.col("gl").str.strip_chars())
    return _check(out, file, unit)


# ----------------------------------------------------------------------------------------------
# Dexcom Clarity
# ----------------------------------------------------------------------------------------------


def _unit_from_header(name: str) -> str | None:
    key = _norm(name)
    if "mmol/l" in key:
        return "mmol/L"
    if "mg/dl" in key:
        return "mg/dL"
    return None


def _merge_unit(file: str, column: str, header_unit: str | None, unit: str | None) -> str | None:
    if unit is not None and header_unit is not None and unit.lower() != header_unit.lower():
        raise DataFileError(
            f"the header says {header_unit} but unit={unit} was given; drop --unit or fix the file",
            file=file,
            column=column,
        )
    return unit or header_unit


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
    return _dexcom(_input(source, name), unit=unit, subject_id=subject_id)


def _dexcom(src: _Input, *, unit: str | None = None, subject_id: str | None = None) -> pl.DataFrame:
    file = src.name
    text = _read_text(src)
    lines = text.splitlines()
    if not lines:
        raise DataFileError("the file is empty", file=file)
    # the header is line 1 in Clarity exports; lines before it (a title, say) are skipped
    header_at = next(
        (
            i
            for i, line in enumerate(lines[:20])
            if "event type" in line.lower() and "glucose value" in line.lower()
        ),
        0,
    )
    rows = _rows("\n".join(lines[header_at:]), _sniff_delimiter(lines[header_at]))
    header = [h.strip() for h in rows[0]] if rows else []
    norm = [_norm(h) for h in header]

    def col(prefix: str) -> int:
        for i, h in enumerate(norm):
            if h.startswith(prefix):
                return i
        raise DataFileError(
            f"no '{prefix}' column: not a Dexcom Clarity export? (header: {', '.join(header)})",
            file=file,
            row=header_at + 1,
        )

    i_time, i_type, i_gl = col("timestamp"), col("eventtype"), col("glucosevalue")
    header_unit = _unit_from_header(header[i_gl])
    unit_header = header[i_gl] if unit is None and header_unit is not None else None
    unit = _merge_unit(file, header[i_gl], header_unit, unit)
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
        if row[i_type].strip().upper() != "EGV":
            continue
        times.append(row[i_time].strip())
        values.append(row[i_gl].strip())
        line_no.append(n)
    if not times:
        raise DataFileError("no EGV (glucose) rows", file=file, column=header[i_type])
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
    return _check(frame, file, unit, unit_header)


# ----------------------------------------------------------------------------------------------
# LibreView
# ----------------------------------------------------------------------------------------------

#: Text that starts with a date written day/month/year or month/day/year (not ISO 8601).
_DAY_MONTH_RE: Final = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}[ T]"

_DATE_RE: Final = re.compile(
    r"^\s*(\d{1,4})[-/.](\d{1,2})[-/.](\d{1,4})[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp]\.?[Mm]\.?)?\s*$"
)


def _split_dates(texts: Sequence[str], file: str, rows: Sequence[int], column: str) -> pl.DataFrame:
    parts = pl.Series("t", list(texts), dtype=pl.String).str.extract_groups(_DATE_RE.pattern)
    frame = parts.struct.unnest()
    bad = frame.get_column("1").is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        raise DataFileError(
            f"cannot read {texts[i]!r} as a date-time (expected e.g. 31-01-2024 13:05, "
            "01/31/2024 01:05 PM or 2024-01-31 13:05)",
            file=file,
            row=rows[i],
            column=column,
        )
    return frame


def detect_date_order(a: pl.Series, b: pl.Series, c: pl.Series) -> tuple[str, bool]:
    """Decide between day-first and month-first dates from the numbers themselves.

    ``a``, ``b``, ``c`` are the three numeric fields of each date as written. Rules, in order:
    a 4-digit first field → ``ymd``; any first field > 12 → ``dmy``; any second field > 12 →
    ``mdy``; day equal to month in every date → ``dmy`` (both orders give the same dates).
    Otherwise the file is ambiguous and an InputError asks for the order (it names the span of
    dates under each reading, to help choose). Returns the order and ``False`` (kept for
    compatibility: no rule is a guess). Raises InputError when the fields contradict each other
    (first > 12 somewhere and second > 12 elsewhere) or the order cannot be told.

    >>> s = lambda *v: pl.Series(list(v), dtype=pl.Int64)
    >>> detect_date_order(s(13, 14), s(1, 1), s(2024, 2024))
    ('dmy', False)
    >>> detect_date_order(s(3, 3), s(5, 12), s(2024, 2024))
    Traceback (most recent call last):
    ...
    endolab.errors.InputError: cannot tell day-first from month-first dates: every day and month is ≤ 12 (read day-first the dates span 214 day(s), month-first 7 day(s)); pass date_order='dmy' or 'mdy' (CLI: --date-order dmy|mdy)
    """
    if bool((a > 31).any()) or bool((a.cast(pl.String).str.len_chars() >= 4).any()):
        return "ymd", False
    first_big = bool((a > 12).any())
    second_big = bool((b > 12).any())
    if first_big and second_big:
        raise InputError(
            "dates are inconsistent: some have a first field > 12 (day-first) and others a second "
            "field > 12 (month-first)",
            field="date_order",
        )
    if first_big:
        return "dmy", False
    if second_big:
        return "mdy", False
    if bool((a == b).all()):
        return "dmy", False  # day == month everywhere: both orders give the same dates
    fields = pl.DataFrame({"a": a, "b": b, "c": c}).with_columns(
        pl.when(pl.col("c") < 100).then(pl.col("c") + 2000).otherwise(pl.col("c")).alias("y")
    )
    spans: dict[str, int | None] = {}
    for order, (day, month) in {"dmy": ("a", "b"), "mdy": ("b", "a")}.items():
        try:
            dates = fields.select(pl.date("y", month, day).alias("d"))
            span = dates.select((pl.col("d").max() - pl.col("d").min()).dt.total_days()).item()
        except pl.exceptions.PolarsError:  # e.g. a day 0: reported later with its row
            span = None
        spans[order] = span if isinstance(span, int) else None
    raise InputError(
        "cannot tell day-first from month-first dates: every day and month is ≤ 12 "
        f"(read day-first the dates span {spans['dmy']} day(s), month-first {spans['mdy']} "
        "day(s)); "
        "pass date_order='dmy' or 'mdy' (CLI: --date-order dmy|mdy)",
        field="date_order",
    )


def _libre_times(
    texts: Sequence[str], file: str, rows: Sequence[int], column: str, date_order: DateOrder
) -> pl.Series:
    f = _split_dates(texts, file, rows, column)
    # a two-digit year is never guessed (25-03-03: 25 March 2003? 2025-03-03? 3 March 2025?)
    short = (f.get_column("1").str.len_chars() != 4) & (f.get_column("3").str.len_chars() != 4)
    if short.any():
        i = int(short.arg_true()[0])
        raise DataFileError(
            f"{texts[i]!r} has no four-digit year: a two-digit year is never guessed (which "
            "century, and which field is the year?); write dates with four-digit years, e.g. "
            "2024-03-25 08:00 or 25/03/2024 08:00",
            file=file,
            row=rows[i],
            column=column,
        )
    a, b, c = (f.get_column(k).cast(pl.Int64) for k in ("1", "2", "3"))
    if date_order == "auto":
        try:
            order, _ = detect_date_order(a, b, c)
        except InputError as exc:
            raise DataFileError(exc.message, file=file, column=column) from None
    else:
        order = date_order
    if order == "ymd":
        year, month, day = a, b, c
    elif order == "dmy":
        day, month, year = a, b, c
    else:
        month, day, year = a, b, c
    year_text = f.get_column("1" if order == "ymd" else "3")
    if (year_text.str.len_chars() != 4).any():
        i = int((year_text.str.len_chars() != 4).arg_true()[0])
        raise DataFileError(
            f"{texts[i]!r} read as {order} has the year {year_text[i]!r}, not four digits: a "
            "year is never guessed; check --date-order (date_order=)",
            file=file,
            row=rows[i],
            column=column,
        )
    hour = f.get_column("4").cast(pl.Int64)
    ampm = f.get_column("7").str.to_lowercase().str.replace_all(".", "", literal=True)
    hour = (
        pl.DataFrame({"h": hour, "ap": ampm})
        .select(
            pl.when(pl.col("ap") == "am")
            .then(pl.col("h") % 12)
            .when(pl.col("ap") == "pm")
            .then(pl.col("h") % 12 + 12)
            .otherwise(pl.col("h"))
        )
        .to_series()
    )
    parts = pl.DataFrame(
        {
            "y": pl.Series(year).cast(pl.Int64),
            "mo": pl.Series(month).cast(pl.Int64),
            "d": pl.Series(day).cast(pl.Int64),
            "h": hour,
            "mi": f.get_column("5").cast(pl.Int64),
            "s": f.get_column("6").cast(pl.Int64).fill_null(0),
        }
    )
    valid = (
        parts.select(
            pl.col("mo").is_between(1, 12)
            & pl.col("d").is_between(1, 31)
            & pl.col("h").is_between(0, 23)
            & pl.col("mi").is_between(0, 59)
            & pl.col("s").is_between(0, 59)
        )
        .to_series()
        .fill_null(False)
    )
    times = parts.select(
        pl.when(valid)
        .then(
            # via text, so that an impossible date (31 Feb) becomes null, not a polars error
            pl.format(
                "{}-{}-{} {}:{}:{}",
                *(pl.col(c).cast(pl.String).str.zfill(2) for c in ("y", "mo", "d", "h", "mi", "s")),
            ).str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us", strict=False)
        )
        .alias("time")
    ).to_series()
    bad = ~valid | times.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        y, mo, d = (int(parts.get_column(k)[i]) for k in ("y", "mo", "d"))
        reason = calendar_problem(y, mo, d)
        raise DataFileError(
            not_a_calendar_date(f"{texts[i]!r} read as {order}", reason)
            if reason is not None  # the form is right, the day is not (issue 18)
            else f"{texts[i]!r} is not a valid date-time when read as {order}",
            file=file,
            row=rows[i],
            column=column,
        )
    return times


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
    return _libre(
        _input(source, name),
        unit=unit,
        subject_id=subject_id,
        include_scans=include_scans,
        date_order=date_order,
    )


def _libre(
    src: _Input,
    *,
    unit: str | None = None,
    subject_id: str | None = None,
    include_scans: bool = False,
    date_order: DateOrder = "auto",
) -> pl.DataFrame:
    file = src.name
    text = _read_text(src)
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
    delimiter = _sniff_delimiter(lines[header_at])
    rows = _rows("\n".join(lines[header_at:]), delimiter)
    header = [h.strip() for h in rows[0]]
    norm = [_norm(h) for h in header]

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
    header_unit = _unit_from_header(header[i_hist])
    unit_header = header[i_hist] if unit is None and header_unit is not None else None
    unit = _merge_unit(file, header[i_hist], header_unit, unit)
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
    parsed = _libre_times(times, file, line_no, header[i_time], date_order)
    frame = pl.DataFrame(
        {"time": parsed, "gl": values, ROW_COLUMN: line_no},
        schema={"time": pl.Datetime("us"), "gl": pl.String, ROW_COLUMN: pl.Int64},
    ).with_columns(pl.lit(subject_id or src.stem).alias("id"))
    return _check(frame, file, unit, unit_header)


READERS: Final = {"generic": read_generic, "dexcom": read_dexcom, "libre": read_libre}
_READ: Final[Mapping[str, Callable[..., pl.DataFrame]]] = {
    "generic": _generic,
    "dexcom": _dexcom,
    "libre": _libre,
}


def _is_one(sources: object) -> bool:
    return isinstance(sources, (str, os.PathLike, bytes, bytearray, memoryview)) or callable(
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
    given = list(names) if names is not None else [single_name] * len(items)
    if len(given) != len(items):
        raise InputError(
            f"{len(given)} names for {len(items)} inputs; give one name per input", field="names"
        )
    frames = []
    inputs = []
    for item, name in zip(items, given, strict=True):
        src = _input(item, name)
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
                f"unknown reader {reader!r}; accepted: auto, generic, dexcom, libre", field="reader"
            )
        opts = dict(options)
        if kind != "generic":
            opts.pop("columns", None)
        if kind != "libre":
            opts.pop("include_scans", None)
        if kind == "dexcom":
            opts.pop("date_order", None)
        frames.append(_READ[kind](src, unit=unit, **opts))
        inputs.append(src)
        if progress is not None:
            progress(src.name)
    return _combine(frames, inputs)


def _combine(frames: Sequence[pl.DataFrame], inputs: Sequence[_Input]) -> pl.DataFrame:
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
