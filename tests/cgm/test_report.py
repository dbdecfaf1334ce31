"""The clinic AGP report (issue 20): the PDF opens and its first page is not blank, its numbers
are those of `cgm metrics --json` for the same file, one page per subject, the comparison period
and the day/night split.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cgm import check_frame
from endolab.cgm.report import clinic_report, report_html, report_rows
from endolab.cli import app

pytest.importorskip("matplotlib")
pdfium = pytest.importorskip("pypdfium2")

EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"
runner = CliRunner()


def _metrics_json(*args: str) -> list[dict]:
    done = runner.invoke(app, ["cgm", "metrics", *args, "--json"])
    assert done.exit_code == 0, done.output
    return json.loads(done.stdout)["rows"]


def _floor1(x: float) -> str:
    return f"{math.floor(x * 10) / 10:.1f}"


def _shown(row: dict) -> dict[str, str]:
    """How the report writes each figure, from the `cgm metrics --json` row (docs/cgm.md)."""
    out = {c: f"{row[c]:.1f} %" for c in ("gmi", "cv", "tir_70_180", "tbr_54", "tbr_54_70")}
    out |= {c: f"{row[c]:.1f} %" for c in ("tbr_70", "tar_180", "tar_180_250", "tar_250")}
    out["mean"] = f"{row['mean']:.0f} mg/dL"
    out["days_worn"] = f"{_floor1(row['days_worn'])} d"
    out["active_percent"] = f"{_floor1(row['active_percent'])} %"
    return out


def _cells(page_html: str) -> dict[str, str]:
    return dict(re.findall(r"data-metric='([a-z0-9_]+)'>([^<]*)</td>", page_html))


def test_pdf_opens_one_page_per_subject_and_page_one_is_not_blank(tmp_path: Path) -> None:
    source, out = EXAMPLES / "generic.csv", tmp_path / "report.pdf"
    done = runner.invoke(app, ["cgm", "report", str(source), "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "wrote the AGP report of 2 subject(s)" in done.stdout
    doc = pdfium.PdfDocument(str(out))
    assert len(doc) == 2  # the example holds S01 and S02: a cohort PDF, one page each
    pixels = np.asarray(doc[0].render(scale=0.5).to_pil().convert("L"), dtype=float)
    dark = (pixels < 200).mean()
    assert 0.02 < dark < 0.6, dark  # drawn on, not a white (or black) page
    # the page's text layer carries S01's figures, exactly as `cgm metrics --json` has them
    text = doc[0].get_textpage().get_text_range()
    row = next(r for r in _metrics_json(str(source)) if r["id"] == "S01")
    assert "Subject S01" in text
    for column, value in _shown(row).items():
        assert value in text, (column, value)
    assert "Data sufficient" in text and "For education and research only" in text
    assert "Subject S02" in doc[1].get_textpage().get_text_range()


def test_html_numbers_equal_cgm_metrics_and_the_comparison_equals_its_window(
    tmp_path: Path,
) -> None:
    source, out = EXAMPLES / "libreview.csv", tmp_path / "report.html"
    window = "2025-03-03:2025-03-09"
    done = runner.invoke(
        app, ["cgm", "report", str(source), "--out", str(out), "--compare", window]
    )
    assert done.exit_code == 0, done.output
    page = out.read_text()
    cells = _cells(page)
    (row,) = _metrics_json(str(source))
    for column, value in _shown(row).items():
        assert cells[column] == value, column
    # the previous period's column: the metrics of that window (cgm metrics --window)
    (previous,) = _metrics_json(str(source), "--window", window)
    prev_cells = re.findall(r"data-metric='tir_70_180'>[^<]*</td><td>([^<]*)</td>", page)
    assert prev_cells == [f"{previous['tir_70_180']:.1f} %"]
    assert "previous 2025-03-03–2025-03-09" in page
    assert "For education and research only" in page


def test_day_and_night_are_split_at_six_by_hand() -> None:
    # two days; at night (02:00, 04:00) 100 and 60 mg/dL, by day (12:00, 20:00) 200 and 300:
    # night mean (100 + 60 + 100 + 60) / 4 = 80, TBR < 70 = 2/4 = 50 %; day mean 250, TAR > 250 = 50 %
    times, gls = [], []
    for day in (1, 2):
        for hour, gl in ((2, 100), (4, 60), (12, 200), (20, 300)):
            times.append(dt.datetime(2024, 5, day, hour))
            gls.append(float(gl))
    frame = check_frame(pl.DataFrame({"id": ["x"] * 8, "time": times, "gl": gls}))
    (page,) = clinic_report(frame).pages
    night, day = page.segments["night"], page.segments["day"]
    assert night is not None and day is not None
    assert night["mean"] == pytest.approx(80.0) and night["tbr_70"] == pytest.approx(50.0)
    assert day["mean"] == pytest.approx(250.0) and day["tar_250"] == pytest.approx(50.0)
    html_text = report_html(clinic_report(frame), figures=False)
    assert _cells(html_text)["night_mean"] == "80 mg/dL"
    assert _cells(html_text)["day_tar_250"] == "50.0 %"
    # 14 daily profiles ending on the last day of the record
    assert page.profile_days[-1] == dt.date(2024, 5, 2) and len(page.profile_days) == 14
    assert page.sufficiency.startswith("Insufficient data")


def test_report_rows_in_mmol_per_litre() -> None:
    rows = {r[0]: r for r in report_rows({"mean": 180.0, "tir_70_180": 50.0}, "mmol/L")}
    assert rows["mean"][2:4] == ("10.0", "mmol/L")  # 180 / 18
    assert rows["tir_70_180"][1] == "Target 3.9–10.0"


def test_errors_are_one_line(tmp_path: Path) -> None:
    source = str(EXAMPLES / "generic.csv")
    cases = [
        (["--out", str(tmp_path / "r.pdf"), "--compare", "1:14"], 3, "--compare"),
        (["--out", str(tmp_path / "r.txt")], 3, "--out"),
        (["--out", str(tmp_path / "r.pdf"), "--id", "nobody"], 3, "nobody"),
    ]
    for args, status, word in cases:
        done = runner.invoke(app, ["cgm", "report", source, *args])
        assert done.exit_code == status, done.output
        assert done.stderr.count("\n") == 1 and word in done.stderr
    assert not list(tmp_path.iterdir())


def test_pdf_without_the_plot_extra_names_it(tmp_path: Path) -> None:
    run = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "from endolab.cli import main\n"
        "sys.argv = ['endolab', *sys.argv[1:]]\n"
        "main()\n"
    )
    out = tmp_path / "r.pdf"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            run,
            "cgm",
            "report",
            str(EXAMPLES / "generic.csv"),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "endolab[plot]" in done.stderr
    assert done.stderr.count("\n") == 1 and not out.exists()
