"""`endolab cgm report`'s reading options (issue 20): --unit, --reader and --date-order reach the
readers through the library's one reading of the options (``report_of_sources``), as on the /cgm
page and in ``POST /api/v1/cgm/report``. Values by hand in the comments."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from endolab.cli import app
from tests.web.test_cgm_report_api import _ambiguous_dates_csv, _cells, _mmol_csv

runner = CliRunner()


def _report(tmp_path: Path, data: bytes, name: str, *args: str) -> tuple[int, str, str]:
    source, out = tmp_path / name, tmp_path / "report.html"
    source.write_bytes(data)
    done = runner.invoke(
        app, ["cgm", "report", str(source), "--out", str(out), "--overwrite", *args]
    )
    page = out.read_text() if out.exists() else ""
    return done.exit_code, done.stderr, page


def test_date_order(tmp_path: Path) -> None:
    data = _ambiguous_dates_csv()
    # 01/02/2024: 2 January month-first, 1 February day-first; readings 00:00 to 23:55
    code, err, page = _report(tmp_path, data, "d.csv", "--date-order", "mdy", "--reader", "generic")
    assert code == 0, err
    assert "<p>2024-01-02 00:00 – 2024-01-02 23:55</p>" in page
    code, err, page = _report(tmp_path, data, "d.csv", "--date-order", "dmy")
    assert code == 0, err
    assert "<p>2024-02-01 00:00 – 2024-02-01 23:55</p>" in page


def test_unit_of_the_input_and_unit_shown(tmp_path: Path) -> None:
    code, err, page = _report(
        tmp_path, _mmol_csv(), "m.csv", "--unit", "mmol/L", "--report-unit", "mmol/L"
    )
    assert code == 0, err
    # 6.0 and 11.0 mmol/L (108 and 198 mg/dL), half each: mean 153 mg/dL = 8.5 mmol/L
    assert _cells(page)["mean"] == "8.5 mmol/L" and _cells(page)["tir_70_180"] == "50.0 %"
    assert "W_CGM_DATA_CHANGED" not in err and "warning" not in err  # nothing guessed


def test_refused_options_are_one_line(tmp_path: Path) -> None:
    data = _mmol_csv()
    for args, status, words in (
        (["--reader", "excel"], 2, "--reader 'excel' not accepted; accepted: auto, generic"),
        (["--date-order", "yyyy"], 2, "--date-order 'yyyy' not accepted"),
        (["--unit", "g/L"], 2, "unknown unit 'g/L' for glucose"),
        (["--report-unit", "g/L"], 2, "unknown unit 'g/L' for glucose"),
    ):
        code, err, page = _report(tmp_path, data, "m.csv", *args)
        assert code == status, (args, err)
        assert err.count("\n") == 1 and words in err, (args, err)
        assert page == "" and "Traceback" not in err
