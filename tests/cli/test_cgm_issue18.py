"""No silent wrong number from CGM files, end to end (issue 18): the command line (exit status,
message, ``--json``), the AGP's JSON and the web CGM page and API.

Each case failed before issue 18: four weekly readings gave ``active_percent 100.0``,
``days_worn 28``, ``sufficient_2019 True`` and an AGP saying "data sufficient"; ``25-03-03``
was read as 25 March 2003; readings in 1900 and 2098 were accepted; a UTF-16 file was "cannot
read '\\x001\\x003…'"; a folder was "no such file". Expected values are worked out by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app

runner = CliRunner()

NOT_CGM = "median interval 7 days: not CGM data?"
#: 4 readings over 21 days; the device interval is capped at 15 min (median 7 days is no CGM
#: interval): 30240 / 15 + 1 = 2017 possible readings → active = 100 × 4 / 2017 = 0.198 %
WEEKLY_ACTIVE = 100.0 * 4 / 2017
#: days worn = (21 × 1440 + 15) / 1440 = 21.0104 d (not 28)
WEEKLY_DAYS = (21 * 1440 + 15) / 1440


def _weekly(tmp_path: Path) -> Path:
    path = tmp_path / "weekly.csv"
    rows = [
        f"a,{dt.datetime(2024, 1, 1 + 7 * k, 8):%Y-%m-%d %H:%M},{120 + 10 * k}" for k in range(4)
    ]
    path.write_text("id,time,gl\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _no_traceback(res: object) -> None:
    assert "Traceback" not in getattr(res, "output", "")
    assert getattr(res, "exception", None) is None or isinstance(res.exception, SystemExit)  # type: ignore[attr-defined]


# --- sufficiency from time -------------------------------------------------------------------------


def test_weekly_readings_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["cgm", "metrics", str(_weekly(tmp_path)), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    (row,) = payload["rows"]
    assert row["active_percent"] == pytest.approx(WEEKLY_ACTIVE)
    assert row["days_worn"] == pytest.approx(WEEKLY_DAYS)
    assert row["median_interval_min"] == 10080.0  # 7 d
    assert row["dt0"] == 15.0
    assert row["sufficient_2019"] is False
    assert payload["units"]["median_interval_min"] == "min"
    assert any(w.startswith(NOT_CGM) for w in payload["warnings"])
    assert f"warning: {NOT_CGM}" in res.stderr
    assert sum(line.startswith(f"warning: {NOT_CGM}") for line in res.stderr.splitlines()) == 1


def test_weekly_readings_table(tmp_path: Path) -> None:
    res = runner.invoke(app, ["cgm", "metrics", str(_weekly(tmp_path))])
    assert res.exit_code == 0, res.output
    out = res.stdout
    # the row: 4 readings, 21.0 days, 0.20 % active, sufficient False, GMI marked †
    line = next(x for x in out.splitlines() if x.startswith("│ a "))
    cells = [c.strip() for c in line.strip("│").split("│")]
    assert cells[1:5] == ["4", "21.0", "0.20", "no"]
    assert cells[6].endswith("†")
    assert f"sufficient_2019 false: {NOT_CGM}" in out
    assert "100.0" not in cells[3]


def test_weekly_readings_agp_json(tmp_path: Path) -> None:
    out = tmp_path / "agp.png"
    res = runner.invoke(
        app, ["cgm", "agp", str(_weekly(tmp_path)), "--id", "a", "--out", str(out), "--json"]
    )
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["sufficient_2019"] is False
    assert payload["sufficiency"] == (
        "Insufficient data: median interval 7 days: not CGM data?; 0.1 % CGM active (< 70 % needed)"
    )
    assert payload["active_percent"] == pytest.approx(WEEKLY_ACTIVE)
    assert payload["days_worn"] == pytest.approx(WEEKLY_DAYS)
    assert any(w.startswith(NOT_CGM) for w in payload["warnings"])
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_weekly_readings_agp_human(tmp_path: Path) -> None:
    out = tmp_path / "agp.svg"
    res = runner.invoke(app, ["cgm", "agp", str(_weekly(tmp_path)), "--id", "a", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Insufficient data: median interval 7 days: not CGM data?" in res.stdout
    svg = out.read_text(encoding="utf-8")
    assert "not CGM data?" in svg and "Data sufficient" not in svg


# --- dates ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_json", [False, True])
def test_two_digit_year_refused(tmp_path: Path, as_json: bool) -> None:
    path = tmp_path / "yy.csv"
    path.write_text(
        "id,time,gl\na,25-03-03 08:00,120\na,25-03-03 08:05,130\na,27-03-03 08:10,140\n"
    )
    res = runner.invoke(app, ["cgm", "metrics", str(path), *(["--json"] if as_json else [])])
    assert res.exit_code == 3
    _no_traceback(res)
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        f"error: {path}, row 2, column time: '25-03-03 08:00' has no four-digit year"
    )


def test_two_digit_year_refused_by_agp(tmp_path: Path) -> None:
    path = tmp_path / "yy.csv"
    path.write_text("id,time,gl\na,25-03-03 08:00,120\na,25-03-03 08:05,130\n")
    out = tmp_path / "agp.png"
    res = runner.invoke(app, ["cgm", "agp", str(path), "--id", "a", "--out", str(out), "--json"])
    assert res.exit_code == 3
    assert "four-digit year" in res.stderr and not out.exists()


def test_198_years_apart_refused(tmp_path: Path) -> None:
    path = tmp_path / "far.csv"
    path.write_text("id,time,gl\na,1900-01-01 08:00,120\na,2098-01-01 08:00,130\n")
    res = runner.invoke(app, ["cgm", "metrics", str(path), "--json"])
    assert res.exit_code == 3
    _no_traceback(res)
    assert "1 reading(s) dated before 2000-01-01" in res.stderr
    assert "and 1 after tomorrow" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


# --- input messages -----------------------------------------------------------------------------------


# UTF-8 with a BOM and ';' / tab worked before (kept as guards); UTF-16 failed
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_encodings_and_separators_read(tmp_path: Path, encoding: str, sep: str) -> None:
    t0 = dt.datetime(2024, 3, 1)
    rows = [
        f"a{sep}{t0 + dt.timedelta(minutes=5 * i):%Y-%m-%d %H:%M}{sep}{100 + i}" for i in range(12)
    ]
    path = tmp_path / "enc.csv"
    path.write_bytes(
        (sep.join(["id", "time", "gl"]) + "\n" + "\n".join(rows) + "\n").encode(encoding)
    )
    res = runner.invoke(app, ["cgm", "metrics", str(path), "--json"])
    assert res.exit_code == 0, res.output
    (row,) = json.loads(res.stdout)["rows"]
    # 100 … 111: 12 readings, mean 105.5 mg/dL
    assert (row["n_readings"], row["mean"]) == (12, pytest.approx(105.5))


def test_folder_for_a_file(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    folder.mkdir()
    res = runner.invoke(app, ["cgm", "metrics", str(folder)])
    assert res.exit_code == 3
    assert (
        res.stderr.strip()
        == f"error: {folder}: is a folder, not a file; give the CGM file(s) in it"
    )


def test_folder_for_the_day0_file(tmp_path: Path) -> None:
    # was "--day0 '…': not a date (YYYY-MM-DD) nor an existing CSV file", exit 2
    folder = tmp_path / "day0s"
    folder.mkdir()
    res = runner.invoke(
        app, ["cgm", "metrics", str(_weekly(tmp_path)), "--window", "1:2", "--day0", str(folder)]
    )
    assert res.exit_code == 3
    assert res.stderr.strip() == (
        f"error: {folder}: is a folder, not a file; --day0 takes a date (YYYY-MM-DD) or a CSV "
        "file with columns id,day0"
    )
