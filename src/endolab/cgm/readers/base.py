"""Shared plumbing of the CGM readers: inputs (paths, bytes, file objects), text decoding,
separators, day/month date parsing, units from headers, and the final check of a vendor's
readings (:func:`check_readings`). Science-free; every vendor module builds on it."""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import IO, Final, Literal

import polars as pl

from endolab.cgm.frame import (
    RowInputError,
    RowParseError,
    check_frame,
    long_gap_notice,
    reading_dates_problem,
)
from endolab.dates import calendar_problem, not_a_calendar_date
from endolab.errors import Ask, DataFileError, EndolabError, InputError, asks
from endolab.notices import Notice, collect, emit

ReaderName = Literal["auto", "generic", "dexcom", "libre"]

#: A CGM input: a path (text or :class:`os.PathLike`), the file's bytes, or a binary file object
#: (opened ``"rb"``; read from its current position). In-memory inputs take a ``name`` for
#: messages, for the format (``.parquet``) and for the default subject id; without one they are
#: called ``upload`` (Parquet is then recognised by its magic bytes).
CGMSource = str | os.PathLike[str] | bytes | bytearray | memoryview | IO[bytes]

#: The name of an in-memory input given without one.
UNNAMED: Final = "upload"
PARQUET_MAGIC: Final = b"PAR1"
DateOrder = Literal["auto", "dmy", "mdy", "ymd"]


def norm_name(name: str) -> str:
    return re.sub(r"[^a-z0-9/]", "", name.lower())


def _rethrow(exc: EndolabError, file: str) -> DataFileError:
    """Turn a check_frame error into a DataFileError naming ``file`` (and the row, column)."""
    if isinstance(exc, (RowInputError, RowParseError)):
        out = DataFileError(exc.detail, file=file, row=exc.row, column=exc.column, value=exc.value)
    else:
        out = DataFileError(exc.message, file=file, column=exc.field, value=exc.value)
    return out if exc.ask is None else asks(out, exc.ask.option, exc.ask.kind, exc.ask.text)


def check_readings(
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
            # the unit came from the vendor's header, not from the unit option: advice about the
            # option would contradict the header check
            cut = re.split(r" (?:Mixed units\?|The values look like|Pass unit=)", exc.message)[0]
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
class Input:
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
        return self.path is None and (self.data or b"").startswith(PARQUET_MAGIC)

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


def as_input(source: CGMSource | Input, name: str | None = None) -> Input:
    """The :class:`Input` of a path, bytes or binary file object (a file object is read here)."""
    if isinstance(source, Input):
        return source
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        return Input(path, None, name or str(path))
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Input(None, bytes(source), name or UNNAMED)
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
    return Input(None, bytes(data), label)


#: Byte-order marks of UTF-16 text (Excel's "Unicode text" and some exports write it).
_UTF16_BOMS: Final = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def utf16_encoding(head: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when ``head`` (the first bytes of a file) is UTF-16 text —
    with a byte-order mark, or without one but with every other byte zero (ASCII text in UTF-16)
    — else None.

    >>> utf16_encoding("id,time".encode("utf-16")), utf16_encoding("id".encode("utf-16-be")), utf16_encoding(b"id,time")
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


def decode_text(raw: bytes, file: str) -> str:
    """The text of a CSV file: UTF-8 (with or without a byte-order mark), UTF-16 (LE or BE, with
    or without one) or Windows-1252; anything else is named in a one-line error."""
    utf16 = utf16_encoding(raw[:4096])
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


#: The most a vendor's zip export may unpack to [bytes] [A: 512 MiB, far above years of 5-min CSV
#: data; a zip bomb is refused before it is unpacked].
MAX_UNPACKED_BYTES: Final = 512 * 1024 * 1024


def zip_member_texts(
    raw: bytes,
    members: Sequence[str],
    file: str,
    vendor: str,
    *,
    limit: int = MAX_UNPACKED_BYTES,
    decode: Callable[[bytes, str], str] | None = None,
) -> list[tuple[str, str]]:
    """(``file:member`` for messages, text) of each of ``members`` of the zip ``raw``, decoded with
    ``decode`` (default :func:`decode_text`); refused in one line, before anything is unpacked,
    when the members together unpack to more than ``limit`` bytes."""
    out = []
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        size = sum(archive.getinfo(m).file_size for m in members)
        if size > limit:
            raise DataFileError(
                f"the {vendor} files unpack to {size / 2**20:.0f} MiB, more than "
                f"{limit / 2**20:.0f} MiB: not read",
                file=file,
            )
        for member in members:
            label = f"{file}:{member}"
            out.append((label, (decode or decode_text)(archive.read(member), label)))
    return out


def read_text(src: Input) -> str:
    return decode_text(src.read_bytes(), src.name)


#: Separators detected from the header line, with their names for messages.
SEPARATORS: Final = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}


def sniff_delimiter(line: str) -> str:
    """The separator the header line uses most: comma, semicolon, tab or ``|`` (comma on a tie).

    >>> tab = chr(9)
    >>> sniff_delimiter("id;time;gl"), sniff_delimiter(f"id{tab}time"), sniff_delimiter("gl")
    (';', '\\t', ',')
    """
    counts = {d: line.count(d) for d in SEPARATORS}
    return max(counts, key=lambda d: counts[d])


def csv_rows(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def unit_from_header(name: str) -> str | None:
    key = norm_name(name)
    if "mmol/l" in key:
        return "mmol/L"
    if "mg/dl" in key:
        return "mg/dL"
    return None


#: The request of an error whose glucose unit was given but the file names its own.
UNIT_UNSET: Final = "leave unit=None"
UNIT_UNSET_OR_FIX: Final = "leave unit=None or fix the file"
#: The request of a date read with a chosen day/month order into a year not of four digits.
DATE_ORDER_CHECK: Final = "check date_order="


def merge_unit(file: str, column: str, header_unit: str | None, unit: str | None) -> str | None:
    if unit is not None and header_unit is not None and unit.lower() != header_unit.lower():
        raise asks(
            DataFileError(
                f"the header says {header_unit} but unit={unit} was given; {UNIT_UNSET_OR_FIX}",
                file=file,
                column=column,
            ),
            "unit",
            "unit_unset_or_fix",
            UNIT_UNSET_OR_FIX,
        )
    return unit or header_unit


#: Text that starts with a date written day/month/year or month/day/year (not ISO 8601).
DAY_MONTH_RE: Final = r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}[ T]"

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


class DateOrderError(DataFileError):
    """Dates that read day-first and month-first alike: ``detail`` says what each reading gives,
    and the message ends asking for the order in the library's words (``date_order='dmy' or
    'mdy'``, the keyword of the readers and the web API's field); ``file`` and ``column`` say
    where, as any :class:`~endolab.errors.DataFileError`. A front end words the request with its
    own name of the option: :meth:`asking` (the CLI ``--date-order dmy|mdy``, the /cgm page its
    Date order field).

    >>> err = DateOrderError("every day and month is ≤ 12", file="d.csv", column="time")
    >>> str(err)
    "d.csv, column time: every day and month is ≤ 12; pass date_order='dmy' or 'mdy'"
    >>> str(err.asking("choose dmy or mdy in the Date order field"))
    'd.csv, column time: every day and month is ≤ 12; choose dmy or mdy in the Date order field'
    """

    #: The request in the library's words (the readers' keyword).
    ASK: Final = "pass date_order='dmy' or 'mdy'"

    def __init__(
        self, detail: str, ask: str = ASK, *, file: str | None = None, column: str | None = None
    ) -> None:
        super().__init__(f"{detail}; {ask}", file=file, column=column)
        self.detail = detail
        self.ask = Ask("date_order", "date_order_ambiguous", ask)

    def asking(self, text: str) -> DateOrderError:
        """The same error asking for the date order in ``text``'s words."""
        return DateOrderError(self.detail, text, file=self.file, column=self.column)


def detect_date_order(a: pl.Series, b: pl.Series, c: pl.Series) -> tuple[str, bool]:
    """Decide between day-first and month-first dates from the numbers themselves.

    ``a``, ``b``, ``c`` are the three numeric fields of each date as written. Rules, in order:
    a 4-digit first field → ``ymd``; any first field > 12 → ``dmy``; any second field > 12 →
    ``mdy``; day equal to month in every date → ``dmy`` (both orders give the same dates).
    Otherwise the file is ambiguous and a :class:`DateOrderError` asks for the order (it names
    the span of dates under each reading, to help choose). Returns the order and ``False`` (kept
    for compatibility: no rule is a guess). Raises InputError when the fields contradict each
    other (first > 12 somewhere and second > 12 elsewhere), DateOrderError when the order cannot
    be told.

    >>> s = lambda *v: pl.Series(list(v), dtype=pl.Int64)
    >>> detect_date_order(s(13, 14), s(1, 1), s(2024, 2024))
    ('dmy', False)
    >>> detect_date_order(s(3, 3), s(5, 12), s(2024, 2024))
    Traceback (most recent call last):
    ...
    endolab.cgm.readers.base.DateOrderError: cannot tell day-first from month-first dates: every day and month is ≤ 12 (read day-first the dates span 214 day(s), month-first 7 day(s)); pass date_order='dmy' or 'mdy'
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
    raise DateOrderError(
        "cannot tell day-first from month-first dates: every day and month is ≤ 12 "
        f"(read day-first the dates span {spans['dmy']} day(s), month-first {spans['mdy']} "
        "day(s))"
    )


def parse_day_month_times(
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
        except DateOrderError as exc:
            raise DateOrderError(exc.detail, file=file, column=column) from None
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
        raise asks(
            DataFileError(
                f"{texts[i]!r} read as {order} has the year {year_text[i]!r}, not four digits: a "
                f"year is never guessed; {DATE_ORDER_CHECK}",
                file=file,
                row=rows[i],
                column=column,
            ),
            "date_order",
            "date_order_check",
            DATE_ORDER_CHECK,
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
