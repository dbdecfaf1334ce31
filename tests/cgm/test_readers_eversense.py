"""The Eversense (Senseonics) export reader (issue 20).

The header reproduces the one public Eversense export found (``example/data/eversense_example.xlsx``
of gcappon/py_agata, GPL-3, read to learn the layout — nothing of it is copied here):
``EventDateStr,EventTimeStr,Value,UnitMeasureVal,SensorID``, dates ``19-October-2021``, times
``3:00 PM``, newest row first. The rows below are written by hand; each test checks the values
read against the cells written (worked out in the comments).
"""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cgm.readers import describe_file, detect_format, read_cgm
from endolab.cgm.readers.eversense import HEADER, VARIABLE_MAP, parse_eversense_time
from endolab.cli import app
from endolab.errors import DataFileError

runner = CliRunner()

HEADER_LINE = "EventDateStr,EventTimeStr,Value,UnitMeasureVal,SensorID"
#: Newest first, as the export lists them; one LO and one HI [A] among them.
ROWS = [
    ["19-October-2021", "12:10 AM", "180", "mg/dL", "999999"],
    ["19-October-2021", "12:05 AM", "HI", "mg/dL", "999999"],
    ["19-October-2021", "12:00 AM", "LO", "mg/dL", "999999"],
    ["18-October-2021", "11:55 PM", "154", "mg/dL", "999999"],
]


def _csv(rows: list[list[str]], header: str = HEADER_LINE, sep: str = ",") -> bytes:
    lines = [header.replace(",", sep), *(sep.join(r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_header_is_the_column_map() -> None:
    assert tuple(VARIABLE_MAP) == HEADER
    assert ",".join(HEADER) == HEADER_LINE


def test_csv_round_trip_counts_times_censored_unit() -> None:
    data = _csv(ROWS)
    assert detect_format(data, name="P07.csv") == "eversense"
    frame = read_cgm(data, name="P07.csv")
    # sorted oldest first: 18 Oct 23:55 (154), 19 Oct 00:00 (LO → 39, −1), 00:05 (HI → 401,
    # +1), 00:10 (180); 11:55 PM is 23:55, 12:00 AM is midnight
    assert frame["time"].to_list() == [
        datetime(2021, 10, 18, 23, 55),
        datetime(2021, 10, 19, 0, 0),
        datetime(2021, 10, 19, 0, 5),
        datetime(2021, 10, 19, 0, 10),
    ]
    assert frame["gl"].to_list() == [154.0, 39.0, 401.0, 180.0]
    assert frame["censored"].to_list() == [0, -1, 1, 0]
    assert frame["id"].unique().to_list() == ["P07"]  # the file name, not SensorID
    found = describe_file(data, name="P07.csv")
    assert (found.format, found.unit, found.n_readings, found.n_low, found.n_high) == (
        "eversense",
        "mg/dL",
        4,
        1,
        1,
    )
    assert (found.first, found.last) == (
        datetime(2021, 10, 18, 23, 55),
        datetime(2021, 10, 19, 0, 10),
    )


def test_mmol_l_rows_and_semicolons() -> None:
    rows = [
        ["05-Mar-2024", "8:10 AM", "6.5", "mmol/L", "1"],
        ["05-Mar-2024", "8:05 AM", "7", "mmol/L", "1"],
    ]
    frame = read_cgm(_csv(rows, sep=";"), name="m.csv")
    # 6.5 and 7.0 mmol/L × 18 = 117 and 126 mg/dL; 05-Mar-2024 read with the short month name
    assert frame["gl"].to_list() == [126.0, 117.0]
    assert frame["time"].to_list() == [datetime(2024, 3, 5, 8, 5), datetime(2024, 3, 5, 8, 10)]
    assert describe_file(_csv(rows, sep=";"), name="m.csv").unit == "mmol/L"


def test_twelve_hour_clock_edges() -> None:
    # 12:00 AM is midnight, 12:00 PM noon; 24-hour text [A] is read as written
    assert parse_eversense_time("01-January-2024", "12:00 AM") == datetime(2024, 1, 1, 0, 0)
    assert parse_eversense_time("01-January-2024", "12:00 PM") == datetime(2024, 1, 1, 12, 0)
    assert parse_eversense_time("01-January-2024", "13:45") == datetime(2024, 1, 1, 13, 45)
    assert parse_eversense_time("01-January-2024", "13:45 PM") is None
    assert parse_eversense_time("31-February-2024", "1:00 AM") is None


def test_bad_date_names_the_line() -> None:
    rows = [*ROWS[:2], ["19-Oktober-2021", "2:50 PM", "172", "mg/dL", "1"]]
    with pytest.raises(DataFileError, match=r"e\.csv.*row 4.*19-Oktober-2021"):
        read_cgm(_csv(rows), name="e.csv")


def test_mixed_units_and_contradicting_unit_refused() -> None:
    rows = [ROWS[0], ["19-October-2021", "2:50 PM", "9.5", "mmol/L", "1"]]
    with pytest.raises(DataFileError, match=r"row 3.*mixes mg/dL and mmol/L"):
        read_cgm(_csv(rows), name="e.csv")
    with pytest.raises(DataFileError, match="UnitMeasureVal says mg/dL"):
        read_cgm(_csv(ROWS), name="e.csv", unit="mmol/L")


def test_xlsx_workbook_is_read_like_the_csv() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet 1"
    sheet.append(list(HEADER))
    for date_text, clock, value, unit, _sensor in ROWS:
        sheet.append([date_text, clock, float(value) if value.isdigit() else value, unit, 999999.0])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert detect_format(data, name="P08.xlsx") == "eversense"
    frame = read_cgm(data, name="P08.xlsx")
    assert frame["gl"].to_list() == [154.0, 39.0, 401.0, 180.0]
    assert frame["censored"].to_list() == [0, -1, 1, 0]
    assert frame["time"][0] == datetime(2021, 10, 18, 23, 55)


def test_cli_detect_names_eversense(tmp_path: Path) -> None:
    path = tmp_path / "P07.csv"
    path.write_bytes(_csv(ROWS))
    result = runner.invoke(app, ["cgm", "detect", str(path)])
    assert result.exit_code == 0, result.output
    assert "Eversense" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv([["19-October-2021", "3:00 XM", "180", "mg/dL", "1"]]))
    result = runner.invoke(app, ["cgm", "detect", str(bad)])
    assert result.exit_code == 3
    assert "row 2" in result.output and "Traceback" not in result.output
