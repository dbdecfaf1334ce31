"""The Tidepool Excel export (issue 20): a minimal workbook built here with openpyxl, laid out as
Tidepool's export service writes it (tidepool-org/export, BSD-2, read not copied:
``data-tools.js`` names each sheet by the type's display name and writes row 1 as headers;
``config.json`` gives ``cbg`` the display name "CGM" and the columns Zulu Time, Local Time, Device
Time, Tidepool Data Type, Value, Units, Timezone Offset, Conversion Offset, Clock Drift Offset,
Device Id, Id, Upload Id, Payload, Annotations; a hidden "EXPORT ERROR" sheet comes first).

Values and times checked against the cells written (worked out by hand in the comments).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cgm.readers import describe_file, detect_format, read_cgm
from endolab.cli import app
from endolab.errors import DataFileError

openpyxl = pytest.importorskip("openpyxl")
runner = CliRunner()

#: The CGM sheet's headers, in the order of tidepool-org/export config.json ("cbg" fields; a field
#: without a "header" is start-cased: localTime → "Local Time").
CGM_HEADER = [
    "Zulu Time",
    "Local Time",
    "Device Time",
    "Tidepool Data Type",
    "Value",
    "Units",
    "Timezone Offset",
    "Conversion Offset",
    "Clock Drift Offset",
    "Device Id",
    "Id",
    "Upload Id",
    "Payload",
    "Annotations",
]
LOW = json.dumps([{"code": "bg/out-of-range", "value": "low", "threshold": 40}])
HIGH = json.dumps([{"code": "bg/out-of-range", "value": "high", "threshold": 400}])


def _workbook(rows: list[list[object]], *, sheet: str = "CGM") -> bytes:
    book = openpyxl.Workbook()
    error = book.active
    error.title = "EXPORT ERROR"
    error.append(["Due to the size of your export, …"])
    error.sheet_state = "veryHidden"
    cgm = book.create_sheet(sheet)
    cgm.append(CGM_HEADER)
    for row in rows:
        cgm.append(row)
    book.create_sheet("SMBG").append(["Zulu Time", "Local Time", "Value", "Units"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _row(
    zulu: datetime, local: datetime, value: float, units: str, notes: str = ""
) -> list[object]:
    return [zulu, local, None, "cbg", value, units, -300, 0, 0, "dev1", "id", "up", "", notes]


# mmol/L export (Tidepool's default): 6.050315310239632 mmol/L is the data model's storage
# example, 109 mg/dL / 18.01559; 14.542959736539297 = 262 / 18.01559 (tidepool-org/data-model
# device-data/types/cbg.md and units.md). Local Time = Zulu Time − 300 min (timezoneOffset).
ROWS_MMOL = [
    _row(datetime(2024, 3, 1, 13, 0), datetime(2024, 3, 1, 8, 0), 6.050315310239632, "mmol/L"),
    _row(datetime(2024, 3, 1, 13, 5), datetime(2024, 3, 1, 8, 5), 14.542959736539297, "mmol/L"),
    _row(datetime(2024, 3, 1, 13, 10), datetime(2024, 3, 1, 8, 10), 2.2, "mmol/L", LOW),
    _row(datetime(2024, 3, 1, 13, 15), datetime(2024, 3, 1, 8, 15), 22.3, "mmol/L", HIGH),
]


def test_tidepool_xlsx_mmol_round_trip() -> None:
    data = _workbook(ROWS_MMOL)
    assert detect_format(data, name="tp.xlsx") == "tidepool_xlsx"
    frame = read_cgm(data, name="tp.xlsx")
    assert frame.height == 4
    # 6.050315310239632 × 18.01559 = 109.000…; 14.542959736539297 × 18.01559 = 262.000…;
    # the annotated rows are the censored Low (39) and High (401) readings
    assert frame["gl"].to_list() == pytest.approx([109.0, 262.0, 39.0, 401.0], abs=1e-6)
    assert frame["censored"].to_list() == [0, 0, -1, 1]
    assert frame["time"].to_list()[0] == datetime(2024, 3, 1, 8, 0)
    assert frame["time"].to_list()[-1] == datetime(2024, 3, 1, 8, 15)
    assert frame["id"].unique().to_list() == ["tp"]


def test_tidepool_xlsx_mg_dl_export_and_device_time() -> None:
    # an export made with mg/dL chosen: Value already × 18.01559; Device Time wins over Local
    rows = [
        _row(datetime(2024, 3, 1, 13, 0), datetime(2024, 3, 1, 8, 0), 120.0, "mg/dL"),
        _row(datetime(2024, 3, 1, 13, 5), datetime(2024, 3, 1, 8, 5), 125.0, "mg/dL"),
    ]
    rows[1][2] = datetime(2024, 3, 1, 8, 6)
    desc = describe_file(_workbook(rows), name="P7.xlsx")
    assert (desc.format, desc.unit, desc.n_readings) == ("tidepool_xlsx", "mg/dL", 2)
    assert (desc.first, desc.last) == (datetime(2024, 3, 1, 8, 0), datetime(2024, 3, 1, 8, 6))
    assert desc.label == "Tidepool Excel export (xlsx)"


def test_tidepool_xlsx_bad_value_names_the_row() -> None:
    rows = [*ROWS_MMOL[:1], _row(datetime(2024, 3, 1, 13, 5), datetime(2024, 3, 1, 8, 5), 5, "mg")]
    with pytest.raises(DataFileError, match=r"tp\.xlsx.*row 3.*units 'mg'"):
        read_cgm(_workbook(rows), name="tp.xlsx")


def test_other_workbook_is_refused_in_one_line() -> None:
    with pytest.raises(DataFileError, match="not a Tidepool export"):
        read_cgm(_workbook(ROWS_MMOL, sheet="Glucose"), name="x.xlsx")


def test_cli_detect_names_tidepool_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "tp.xlsx"
    path.write_bytes(_workbook(ROWS_MMOL))
    result = runner.invoke(app, ["cgm", "detect", str(path)])
    assert result.exit_code == 0, result.output
    assert "Tidepool Excel export (xlsx)" in result.stdout
    assert "4 readings (1 Low, 1 High)" in result.stdout


def test_without_the_xlsx_extra_one_line_hint(tmp_path: Path) -> None:
    # a plain install: importing openpyxl fails → one line naming [xlsx], exit status 2
    path = tmp_path / "tp.xlsx"
    path.write_bytes(_workbook(ROWS_MMOL))
    code = (
        "import sys\nsys.modules['openpyxl'] = None\nfrom endolab.cli import main\n"
        f"sys.argv = ['endolab', 'cgm', 'detect', {str(path)!r}]\nmain()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2, done.stderr
    assert "needs the optional extra [xlsx]" in done.stderr
    assert "Traceback" not in done.stderr
