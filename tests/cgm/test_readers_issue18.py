"""Readers: dates are never guessed, encodings and separators are read or named (issue 18).

Before issue 18, ``25-03-03 08:00`` was read day-first as 25 March 2003 (two-digit year + 2000)
although docs/cgm.md said such years are refused; readings in 1900 or 2098 were accepted; a
UTF-16 file failed with "cannot read '\\x001\\x003…' as a glucose value"; a folder was "no such
file".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from endolab.cgm.readers import read_cgm, read_generic, read_libre
from endolab.errors import DataFileError, EndolabWarning

LIBRE_HEADER = (
    "Device,Serial Number,Device Timestamp,Record Type,Historic Glucose mg/dL,Scan Glucose mg/dL"
)
DEXCOM_HEADER = (
    "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
    "Source Device ID,Glucose Value (mg/dL)"
)
GENERIC = [
    "id,time,gl",
    "a,2024-03-13 07:05,100",
    "a,2024-03-13 07:10,110.5",
    "a,2024-03-13 07:15,120",
]


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _rows(frame: pl.DataFrame) -> list[tuple[object, ...]]:
    return frame.select("id", "time", "gl").rows()


EXPECTED = [
    ("a", dt.datetime(2024, 3, 13, 7, 5), 100.0),
    ("a", dt.datetime(2024, 3, 13, 7, 10), 110.5),
    ("a", dt.datetime(2024, 3, 13, 7, 15), 120.0),
]


# --- two-digit years -------------------------------------------------------------------------


@pytest.mark.parametrize("order", ["auto", "dmy", "mdy"])
@pytest.mark.parametrize("text", ["25-03-03 08:00", "03/25/25 08:00", "3.4.24 08:00"])
def test_generic_two_digit_year_refused_naming_the_line(
    tmp_path: Path, text: str, order: str
) -> None:
    path = _write(tmp_path / "g.csv", ["id,time,gl", f"a,{text},100", f"a,{text[:-1]}5,110"])
    with pytest.raises(DataFileError, match=r"g\.csv, row 2, column time: .*four-digit year"):
        read_generic(path, date_order=order)  # type: ignore[arg-type]


def test_libre_two_digit_year_refused(tmp_path: Path) -> None:
    rows = [f"FreeStyle Libre 2,X,25-03-03 08:{m:02d},0,{100 + m}," for m in (0, 15, 30)]
    path = _write(tmp_path / "libre.csv", ["Glucose Data,Generated on", LIBRE_HEADER, *rows])
    # line 3: the banner is line 1, the header line 2
    with pytest.raises(
        DataFileError, match=r"libre\.csv, row 3, column Device Timestamp: '25-03-03 08:00'"
    ):
        read_cgm(path)
    with pytest.raises(DataFileError, match="four-digit year"):
        read_libre(path, date_order="ymd")


def test_dexcom_two_digit_year_refused_as_before_2000(tmp_path: Path) -> None:
    # %Y reads '25' as the year 25: refused by the date bounds
    rows = [f"{i},25-03-03T08:{5 * i:02d}:00,EGV,,,,G6,{100 + i}" for i in range(3)]
    path = _write(tmp_path / "P01.csv", [DEXCOM_HEADER, *rows])
    with pytest.raises(DataFileError, match=r"3 reading\(s\) dated before 2000-01-01"):
        read_cgm(path)


def test_day_first_and_month_first_detection_stays(tmp_path: Path) -> None:
    # 13 can only be the day: first field → day-first, second field → month-first
    dmy = _write(
        tmp_path / "d.csv", ["id,time,gl", "a,13/03/2024 07:05,100", "a,13/03/2024 07:10,110"]
    )
    mdy = _write(
        tmp_path / "m.csv", ["id,time,gl", "a,03/13/2024 07:05,100", "a,03/13/2024 07:10,110"]
    )
    expected = [dt.datetime(2024, 3, 13, 7, 5), dt.datetime(2024, 3, 13, 7, 10)]
    assert read_generic(dmy)["time"].to_list() == expected
    assert read_generic(mdy)["time"].to_list() == expected


# --- dates before 2000 or after tomorrow -------------------------------------------------------


def test_old_and_future_readings_refused_with_counts(tmp_path: Path) -> None:
    lines = [
        "id,time,gl",
        "a,1999-12-31 23:50,100",
        "a,1999-12-31 23:55,100",
        "a,2024-01-01 00:00,100",
        "a,2098-01-01 00:00,100",
        "a,2098-01-01 00:05,100",
        "a,2098-01-01 00:10,100",
    ]
    path = _write(tmp_path / "far.csv", lines)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(DataFileError) as info:
        read_cgm(path)
    assert str(info.value) == (
        f"{path}, column time: 2 reading(s) dated before 2000-01-01 (earliest 1999-12-31 23:50, "
        f"subject a) and 3 after tomorrow, {tomorrow:%Y-%m-%d} (latest 2098-01-01 00:10, subject "
        "a): a wrong year or device clock? CGM readings are dated from 2000-01-01 to tomorrow [A]"
    )


def test_198_years_apart_refused(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "f.csv", ["id,time,gl", "a,1900-01-01 08:00,120", "a,2098-01-01 08:00,130"]
    )
    with pytest.raises(
        DataFileError, match=r"1 reading\(s\) dated before 2000-01-01 .* and 1 after"
    ):
        read_cgm(path)


def test_parquet_dates_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame(
        {
            "id": ["a", "a"],
            "time": [dt.datetime(1970, 1, 1), dt.datetime(1970, 1, 1, 0, 5)],
            "gl": [100.0, 110.0],
        }
    ).write_parquet(path)
    with pytest.raises(DataFileError, match=r"2 reading\(s\) dated before 2000-01-01"):
        read_cgm(path)


# --- encodings ----------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252"])
def test_generic_encodings_read(tmp_path: Path, encoding: str) -> None:
    path = _write(tmp_path / "e.csv", GENERIC, encoding)
    assert _rows(read_cgm(path)) == EXPECTED
    assert _rows(read_cgm(path.read_bytes(), name="e.csv")) == EXPECTED  # an upload


def test_libre_utf16_read(tmp_path: Path) -> None:
    rows = [f"FreeStyle Libre 2,X,13-03-2024 07:{m:02d},0,{100 + m}," for m in (5, 20)]
    path = _write(
        tmp_path / "libre.csv", ["Glucose Data,Generated on", LIBRE_HEADER, *rows], "utf-16"
    )
    f = read_cgm(path)
    assert f["time"].to_list() == [dt.datetime(2024, 3, 13, 7, 5), dt.datetime(2024, 3, 13, 7, 20)]
    assert f["gl"].to_list() == [105.0, 120.0]


def test_excel_workbook_named(tmp_path: Path) -> None:
    path = tmp_path / "cgm.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(DataFileError, match=r"cgm\.csv: a zip archive or an Excel workbook"):
        read_cgm(path)


# --- separators ---------------------------------------------------------------------------------


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_generic_separators_detected(tmp_path: Path, sep: str) -> None:
    lines = [line.replace(",", sep) for line in GENERIC]
    if sep == ";":  # decimal commas come with semicolons
        lines = [line.replace(".", ",") for line in lines]
    assert _rows(read_cgm(_write(tmp_path / "s.csv", lines))) == EXPECTED


def test_unknown_separator_named(tmp_path: Path) -> None:
    path = _write(tmp_path / "c.csv", [line.replace(",", ":") for line in GENERIC[:1]] + ["x"])
    with pytest.raises(DataFileError) as info:
        read_cgm(path)
    assert str(info.value) == (
        f"{path}: the header line 'id:time:gl' is one column: its separator is not one of comma, "
        "semicolon, tab, vertical bar (detected from the header line); save the file as CSV"
    )


# --- a folder for a file --------------------------------------------------------------------------


def test_folder_given_for_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(DataFileError, match=r"exports: is a folder, not a file"):
        read_cgm(folder)
    with pytest.raises(DataFileError, match=r"missing\.csv: no such file"):
        read_cgm(tmp_path / "missing.csv")


def test_no_warning_for_a_clean_utf16_file(tmp_path: Path) -> None:
    import warnings

    path = _write(tmp_path / "e.csv", GENERIC, "utf-16")
    with warnings.catch_warnings():
        warnings.simplefilter("error", EndolabWarning)
        read_cgm(path)
