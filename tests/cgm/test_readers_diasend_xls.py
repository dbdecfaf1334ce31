"""The old Diasend export, a binary Excel workbook (.xls; issue 20): minimal workbooks written here
with xlwt (an independent .xls writer) and read back with python-calamine.

Layout as two public readers of Diasend .xls exports describe it (code search; see
endolab.cgm.readers.diasend_xls): the sensor readings on the sheet "CGM", one line above the header
row, the header row starting with "Time", then time and glucose; insulin and carbohydrates on the
sheet "Insulin use and carbs" (``Bolus Volume (U)``, ``Carbs(g)``, ``Basal Amount (U/h)`` …; a
basal row is a rate change, as the Diasend parser of tidepool-org/uploader reads it).
The glucose column's header text is written here as the unit alone, as a third public reader (of
Diasend exports of Animas pumps) names it ("mg/dl"); [A] the mmol/L spelling. Each test checks the values read against the values written,
worked out by hand in the comments.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from endolab.cgm.readers import (
    describe_file,
    detect_format,
    insulin_daily_totals,
    read_cgm,
    read_treatments,
)
from endolab.cli import app
from endolab.errors import DataFileError

xlwt = pytest.importorskip("xlwt")
pytest.importorskip("python_calamine")

runner = CliRunner()


def _xls(sheets: dict[str, list[list[Any]]]) -> bytes:
    book = xlwt.Workbook()
    when = xlwt.easyxf(num_format_str="DD/MM/YYYY HH:MM")
    for name, rows in sheets.items():
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, datetime):
                    sheet.write(r, c, value, when)
                elif value is not None:
                    sheet.write(r, c, value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: The first sheet (blood glucose) and the CGM sheet: a line above the header, then the header.
GLUCOSE_SHEET = [["Name: Test Person"], ["Time", "mmol/L"], ["13/02/2024 07:00", 6.1]]
CGM_MMOL = [
    ["Name: Test Person", None, None],
    ["Time", "mmol/L", "Serial number"],
    ["13/02/2024 23:50", 5.6, "S1"],
    ["14/02/2024 00:05", 10.0, "S1"],
    ["14/02/2024 00:20", "LO", "S1"],
    ["14/02/2024 00:35", "HI", "S1"],
]


def test_diasend_xls_mmol_l_text_times_round_trip() -> None:
    data = _xls({"Name and glucose": GLUCOSE_SHEET, "CGM": CGM_MMOL})
    assert detect_format(data, name="p.xls") == "diasend_xls"
    frame = read_cgm(data, name="P07.xls")
    # 5.6 and 10.0 mmol/L × 18 = 100.8 and 180.0 mg/dL; LO → 39 (−1), HI → 401 (+1) censored
    assert frame["gl"].to_list() == pytest.approx([100.8, 180.0, 39.0, 401.0])
    assert frame["censored"].to_list() == [0, 0, -1, 1]
    assert frame["mmol_l"].to_list() == [True] * 4
    # 13/02: the first field > 12, so day first; the night crosses midnight
    assert frame["time"][0] == datetime(2024, 2, 13, 23, 50)
    assert frame["time"][-1] == datetime(2024, 2, 14, 0, 35)
    assert set(frame["id"].to_list()) == {"P07"}
    found = describe_file(data, name="P07.xls")
    assert (found.format, found.unit) == ("diasend_xls", "mmol/L")
    assert (found.n_readings, found.n_low, found.n_high) == (4, 1, 1)
    assert found.label == "Diasend Excel export (.xls)"


def test_diasend_xls_mg_dl_with_excel_date_cells() -> None:
    cgm = [
        ["Name: x"],
        ["Time", "mg/dL"],
        [datetime(2024, 3, 1, 8, 0), 120],
        [datetime(2024, 3, 1, 8, 5), 125],
        [datetime(2024, 3, 1, 8, 10), 131],
    ]
    frame = read_cgm(_xls({"Name and glucose": GLUCOSE_SHEET, "CGM": cgm}), name="m.xls")
    assert frame["gl"].to_list() == [120.0, 125.0, 131.0]
    assert frame["time"].to_list() == [datetime(2024, 3, 1, 8, m) for m in (0, 5, 10)]
    assert "mmol_l" not in frame.columns or not any(frame["mmol_l"].to_list())


def test_diasend_xls_bad_value_names_sheet_and_row() -> None:
    cgm = [["x"], ["Time", "mg/dL"], ["13/03/2024 08:00", 120], ["13/03/2024 08:05", "abc"]]
    with pytest.raises(DataFileError) as caught:
        read_cgm(_xls({"CGM": cgm}), name="b.xls")
    message = str(caught.value)
    assert "b.xls:CGM" in message
    assert "row 4" in message  # banner = row 1, header = row 2, readings 3 and 4


def test_an_xls_that_is_not_diasend_is_refused_in_one_line() -> None:
    data = _xls({"Sheet1": [["a", "b"], [1, 2]]})
    with pytest.raises(DataFileError) as caught:
        read_cgm(data, name="other.xls")
    assert "not a Diasend export" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_diasend_xls_insulin_and_carbs() -> None:
    insulin = [
        ["Time", "Basal Amount (U/h)", "Bolus Volume (U)", "Carbs(g)"],
        ["13/03/2024 07:30", None, 4.5, 45],
        ["13/03/2024 12:00", 0.8, None, None],  # a basal rate change
        ["13/03/2024 18:15", None, 3.0, 0],  # 0 g: no carbs row
        ["14/03/2024 07:45", None, 2.0, 20],  # the sheet's last row: the rate holds until here
    ]
    data = _xls(
        {"Name and glucose": GLUCOSE_SHEET, "CGM": CGM_MMOL, "Insulin use and carbs": insulin}
    )
    table = read_treatments(data, names=["P07.xls"])
    # 0.8 U/h from 13/03 12:00 to 14/03 07:45 = 19 h 45 min = 1185 min: 0.8 × 1185 / 60 = 15.8 U
    assert table.select("kind", "insulin_u", "carbs_g", "duration_min").rows() == [
        ("bolus", 4.5, None, None),
        ("carbs", None, 45.0, None),
        ("basal", pytest.approx(15.8), None, 1185.0),
        ("bolus", 3.0, None, None),
        ("bolus", 2.0, None, None),
        ("carbs", None, 20.0, None),
    ]
    totals = insulin_daily_totals(table)
    # 13 March: 4.5 + 3.0 + 0.8 × 12 h (12:00–24:00) = 17.1 U; 14 March: 2.0 + 0.8 × 7.75 h
    # (00:00–07:45) = 8.2 U (13/03: the first field > 12, so day first)
    assert totals.select("date", "total_units").rows() == [
        (date(2024, 3, 13), pytest.approx(17.1)),
        (date(2024, 3, 14), pytest.approx(8.2)),
    ]


def test_diasend_xls_basal_rate_changes_and_summary_rows() -> None:
    # columns in the order a public reader of these sheets lists them (Time, Basal Amount (U/h),
    # Bolus Type, Bolus Volume (U), Immediate Volume (U), Extended Volume (U), Duration (min),
    # Carbs(g), Notes), plus the daily summary columns another public script drops
    header = ["Time", "Basal Amount (U/h)", "Bolus Type", "Bolus Volume (U)",
              "Immediate Volume (U)", "Extended Volume (U)", "Duration (min)", "Carbs(g)",
              "Notes", "Total daily dose", "Total daily basal"]  # fmt: skip
    insulin = [
        header,
        ["13/04/2024 00:00", 0.5, None, None, None, None, None, None, None, None, None],
        ["13/04/2024 06:00", 1.0, None, None, None, None, None, None, None, None, None],
        ["13/04/2024 22:00", 0.0, None, None, None, None, None, None, None, None, None],
        ["13/04/2024 23:59", 9.9, None, None, None, None, None, None, None, 30.0, 19.0],
        ["14/04/2024 00:00", 0.5, None, None, None, None, None, None, None, None, None],
    ]
    data = _xls({"CGM": CGM_MMOL, "Insulin use and carbs": insulin})
    table = read_treatments(data, names=["P08.xls"])
    # 0.5 × 6 h = 3.0; 1.0 × 16 h = 16.0; 0.0 × 2 h = 0 (the 23:59 summary row is no rate
    # change); the last rate starts at the sheet's last row: 0 min, no segment
    assert table.select("time", "insulin_u", "duration_min").rows() == [
        (datetime(2024, 4, 13, 0, 0), 3.0, 360.0),
        (datetime(2024, 4, 13, 6, 0), 16.0, 960.0),
        (datetime(2024, 4, 13, 22, 0), 0.0, 120.0),
    ]
    assert insulin_daily_totals(table)["total_units"].to_list() == [19.0]


def test_cli_detect_names_diasend_xls(tmp_path: Path) -> None:
    path = tmp_path / "p.xls"
    path.write_bytes(_xls({"Name and glucose": GLUCOSE_SHEET, "CGM": CGM_MMOL}))
    result = runner.invoke(app, ["cgm", "detect", str(path)])
    assert result.exit_code == 0, result.output
    assert "Diasend Excel export (.xls)" in result.stdout
    assert "4 readings (1 Low, 1 High)" in result.stdout


def test_without_python_calamine_one_line_hint(tmp_path: Path) -> None:
    path = tmp_path / "p.xls"
    path.write_bytes(_xls({"CGM": CGM_MMOL}))
    code = (
        "import sys\nsys.modules['python_calamine'] = None\nfrom endolab.cli import main\n"
        f"sys.argv = ['endolab', 'cgm', 'detect', {str(path)!r}]\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "needs the optional extra [xlsx]" in done.stderr
    assert "Traceback" not in done.stderr
