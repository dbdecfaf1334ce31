"""The cgm commands name their options in what they refuse (issue 20): an ambiguous date order asks
for ``--date-order dmy|mdy`` (the library's error leaves the option's name to the front end; the
command line's line is as before), an unknown glucose unit names ``--unit`` or ``--report-unit``
(exit 2, docs/cli.md), and ``cgm report --json`` prints the library's record of the report
(:func:`endolab.cgm.report.report_record`, the JSON of ``POST /api/v1/cgm/report``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cgm.report import report_of_sources, report_record
from endolab.cli import app
from endolab.output import json_text

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"


def _ambiguous(tmp_path: Path) -> Path:
    """03/04/2024 and 03/05/2024: 3 April and 3 May day-first (30 days apart), 4 and 5 March
    month-first (1 day apart)."""
    path = tmp_path / "amb.csv"
    path.write_text("id,time,gl\na,03/04/2024 08:00,100\na,03/05/2024 08:00,120\n")
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["cgm", "metrics"],
        ["cgm", "episodes"],
        ["cgm", "report", "--out", "{tmp}/r.html"],
    ],
)
def test_ambiguous_dates_ask_for_the_option(tmp_path: Path, command: list[str]) -> None:
    src = _ambiguous(tmp_path)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    result = runner.invoke(app, [*args[:2], str(src), *args[2:]])
    assert result.exit_code == 3, result.output
    (line,) = result.stderr.strip().splitlines()
    # the spans by hand: 3 April → 3 May is 30 days, 4 → 5 March 1 day
    assert line.endswith(
        "cannot tell day-first from month-first dates: every day and month is ≤ 12 (read "
        "day-first the dates span 30 day(s), month-first 1 day(s)); pass date_order='dmy' or "
        "'mdy' (CLI: --date-order dmy|mdy)"
    ), line


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["cgm", "metrics", "{src}", "--unit", "g/L"], "--unit"),
        (["cgm", "metrics", "{src}", "--report-unit", "g/L"], "--report-unit"),
        (["cgm", "episodes", "{src}", "--unit", "g/L"], "--unit"),
        (["cgm", "report", "{src}", "--out", "{tmp}/r.html", "--unit", "g/L"], "--unit"),
        (
            ["cgm", "report", "{src}", "--out", "{tmp}/r.html", "--report-unit", "g/L"],
            "--report-unit",
        ),
        (["cgm", "fhir", "export", "{src}", "--out", "{tmp}/b.json", "--unit", "g/L"], "--unit"),
    ],
)
def test_unknown_unit_names_the_option(tmp_path: Path, args: list[str], option: str) -> None:
    src = EXAMPLES / "generic.csv"
    argv = [a.replace("{src}", str(src)).replace("{tmp}", str(tmp_path)) for a in args]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output  # a parse error (docs/cli.md)
    assert result.stderr.strip() == (
        f"error: {option}: unknown unit 'g/L' for glucose; accepted: mg/dL, mmol/L"
    )
    assert not list(tmp_path.iterdir())  # nothing written


def test_report_json_is_the_library_record(tmp_path: Path) -> None:
    src = EXAMPLES / "generic.csv"
    out = tmp_path / "r.html"
    result = runner.invoke(
        app, ["cgm", "report", str(src), "--out", str(out), "--json", "--report-unit", "mmol/L"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # the library's record of the same report (the JSON POST /api/v1/cgm/report answers)
    want = json.loads(json_text(report_record(report_of_sources([src], report_unit="mmol/L"))))
    assert doc == want
    assert [p["id"] for p in doc["pages"]] == ["S01", "S02"] and doc["glucose_unit"] == "mmol/L"
    # each page's metrics: the row of `cgm metrics --json --report-unit mmol/L`
    metrics = runner.invoke(app, ["cgm", "metrics", str(src), "--json", "--report-unit", "mmol/L"])
    assert metrics.exit_code == 0, metrics.output
    rows = {r["id"]: r for r in json.loads(metrics.stdout)["rows"]}
    for page in doc["pages"]:
        row = rows[page["id"]]
        assert page["metrics"].keys() == row.keys()
        for column, value in row.items():
            if isinstance(value, float):
                assert page["metrics"][column] == pytest.approx(value, rel=1e-9), column
            else:
                assert page["metrics"][column] == value, column
        assert page["sufficient"] is row["sufficient_2019"]
