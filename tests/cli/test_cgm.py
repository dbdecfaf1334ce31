"""`endolab cgm` commands, in-process (CliRunner): exit codes, stdout, stderr, written files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.output import DISCLAIMER

runner = CliRunner()


def _csv(tmp_path: Path, name: str = "cgm.csv", rows: list[str] | None = None) -> Path:
    # subject a: 100, 65, 65, 65, 100, 100, 100 at 5-min steps (one level-1 hypo episode)
    # subject b: 200, 260, 260, 260, 150, 150, 150 (one level-1 and one level-2 hyper episode)
    if rows is None:
        rows = [
            f"a,2024-01-01 00:{5 * i:02d}:00,{g}"
            for i, g in enumerate([100, 65, 65, 65, 100, 100, 100])
        ]
        rows += [
            f"b,2024-01-01 00:{5 * i:02d}:00,{g}"
            for i, g in enumerate([200, 260, 260, 260, 150, 150, 150])
        ]
    path = tmp_path / name
    path.write_text("id,time,gl\n" + "\n".join(rows) + "\n")
    return path


def test_metrics_human_output_has_units_and_disclaimer(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cgm", "metrics", str(_csv(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "[mg/dL]" in result.stdout and "[%]" in result.stdout
    assert DISCLAIMER[:40] in result.stdout


def test_metrics_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cgm", "metrics", str(_csv(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["disclaimer"] == DISCLAIMER
    assert payload["units"]["mean"] == "mg/dL"
    a = payload["rows"][0]
    # a: (100 + 3 × 65 + 3 × 100) / 7 = 595 / 7 = 85.714; tbr_70 = 3/7 = 42.857 %
    assert a["id"] == "a"
    assert a["mean"] == pytest.approx(595 / 7)
    assert a["tbr_70"] == pytest.approx(300 / 7)


def test_metrics_out_csv_parquet_and_mmol(tmp_path: Path) -> None:
    src = _csv(tmp_path)
    out = tmp_path / "m.csv"
    result = runner.invoke(
        app, ["cgm", "metrics", str(src), "--out", str(out), "--report-unit", "mmol/L"]
    )
    assert result.exit_code == 0, result.output
    assert "wrote 2 row(s)" in result.stdout
    table = pl.read_csv(out)
    assert table["mean"][0] == pytest.approx(595 / 7 / 18)
    pq = tmp_path / "m.parquet"
    result = runner.invoke(app, ["cgm", "metrics", str(src), "--out", str(pq), "--by", "day"])
    assert result.exit_code == 0, result.output
    assert pl.read_parquet(pq).columns[:2] == ["id", "date"]


def test_metrics_csv_to_stdout_keeps_stdout_clean(tmp_path: Path) -> None:
    result = runner.invoke(app, ["cgm", "metrics", str(_csv(tmp_path)), "--format", "csv"])
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0].startswith("id,")
    assert "Disclaimer" in result.stderr


def test_metrics_bad_options(tmp_path: Path) -> None:
    src = str(_csv(tmp_path))
    result = runner.invoke(app, ["cgm", "metrics", src, "--by", "month"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --by 'month' not accepted; accepted: day, week")
    result = runner.invoke(app, ["cgm", "metrics", src, "--format", "parquet"])
    assert result.exit_code == 3 and "needs --out" in result.stderr
    result = runner.invoke(app, ["cgm", "metrics", src, "--unit", "mg/L"])
    assert result.exit_code == 2 and "unknown unit" in result.stderr


def test_metrics_bad_file_is_one_line_exit_3(tmp_path: Path) -> None:
    bad = _csv(tmp_path, "bad.csv", ["a,2024-01-01 00:00:00,100", "a,2024-01-01 00:05:00,x"])
    result = runner.invoke(app, ["cgm", "metrics", str(bad)])
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert (
        lines[0]
        == f"error: {bad}, row 3, column gl: cannot read 'x' as a glucose value; accepted: a number, or High/Low for a censored device reading"
    )


def test_metrics_mixed_units_asks_for_unit(tmp_path: Path) -> None:
    bad = _csv(tmp_path, "mixed.csv", ["a,2024-01-01 00:00:00,5.5", "a,2024-01-01 00:05:00,120"])
    result = runner.invoke(app, ["cgm", "metrics", str(bad)])
    assert result.exit_code == 3
    assert "--unit" in result.stderr


def test_metrics_warnings_go_to_stderr(tmp_path: Path) -> None:
    src = _csv(
        tmp_path,
        "dup.csv",
        ["a,2024-01-01 00:05:00,100", "a,2024-01-01 00:00:00,110", "a,2024-01-01 00:00:00,120"],
    )
    result = runner.invoke(app, ["cgm", "metrics", str(src), "--json"])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "duplicate" in result.stderr
    json.loads(result.stdout)


def test_episodes_table_and_summary(tmp_path: Path) -> None:
    src = str(_csv(tmp_path))
    result = runner.invoke(app, ["cgm", "episodes", src, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    kinds = sorted((r["id"], r["type"], r["level"]) for r in rows)
    assert kinds == [("a", "hypo", "l1"), ("b", "hyper", "l1"), ("b", "hyper", "l2")]
    result = runner.invoke(app, ["cgm", "episodes", src, "--summary", "--json"])
    summary = json.loads(result.stdout)["rows"]
    assert [r["hypo_l1_episodes"] for r in summary] == [1, 0]
    result = runner.invoke(app, ["cgm", "episodes", src])
    assert result.exit_code == 0 and "Disclaimer" in result.stdout
    result = runner.invoke(app, ["cgm", "episodes", src, "--inter-gap", "4,5"])
    assert result.exit_code == 2 and "`--inter-gap` must be a number (got `4,5`)" in result.stderr
    result = runner.invoke(
        app, ["cgm", "episodes", src, "--summary", "--json", "--method", "readings"]
    )
    assert [r["hypo_l1_episodes"] for r in json.loads(result.stdout)["rows"]] == [1, 0]
    result = runner.invoke(app, ["cgm", "episodes", src, "--method", "grid"])
    assert result.exit_code == 2 and "--method 'grid' not accepted" in result.stderr


def test_agp_png_and_svg(tmp_path: Path) -> None:
    src = str(_csv(tmp_path))
    png = tmp_path / "agp.png"
    result = runner.invoke(app, ["cgm", "agp", src, "--id", "a", "--out", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = tmp_path / "agp.svg"
    result = runner.invoke(app, ["cgm", "agp", src, "--id", "b", "--out", str(svg), "--json"])
    assert result.exit_code == 0
    assert "<svg" in svg.read_text()[:500]
    assert json.loads(result.stdout)["out"] == str(svg)


def test_agp_unknown_subject_and_suffix(tmp_path: Path) -> None:
    src = str(_csv(tmp_path))
    result = runner.invoke(app, ["cgm", "agp", src, "--id", "zz", "--out", str(tmp_path / "x.png")])
    assert result.exit_code == 3 and "'zz' not found" in result.stderr
    assert not (tmp_path / "x.png").exists()
    result = runner.invoke(app, ["cgm", "agp", src, "--id", "a", "--out", str(tmp_path / "x.jpg")])
    assert result.exit_code == 3 and ".png, .svg or .pdf" in result.stderr


def test_progress_bar_path_on_large_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from endolab.cli import cgm as cli_cgm

    monkeypatch.setattr(cli_cgm, "PROGRESS_MIN_BYTES", 0)  # treat the small file as large
    result = runner.invoke(app, ["cgm", "metrics", str(_csv(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows"][0]["id"] == "a"


def test_metrics_window_with_day0(tmp_path: Path) -> None:
    # readings on 2024-01-01 (day 0 for a, day -1 for b with day0 2024-01-02)
    src = str(_csv(tmp_path))
    result = runner.invoke(
        app, ["cgm", "metrics", src, "--window", "0:0", "--day0", "2024-01-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["rows"]
    assert [(r["id"], r["window_start"], r["n_readings"]) for r in rows] == [
        ("a", 0, 7),
        ("b", 0, 7),
    ]
    day0 = tmp_path / "day0.csv"
    day0.write_text("id,day0\na,2024-01-01\nb,2024-01-02\n")
    result = runner.invoke(
        app, ["cgm", "metrics", src, "--window", "-1:-1", "--day0", str(day0), "--json"]
    )
    rows = json.loads(result.stdout)["rows"]
    assert [(r["id"], r["n_readings"]) for r in rows] == [("a", 0), ("b", 7)]
    result = runner.invoke(
        app, ["cgm", "metrics", src, "--window", "2024-01-01:2024-01-01", "--json"]
    )
    assert [r["n_readings"] for r in json.loads(result.stdout)["rows"]] == [7, 7]


def test_metrics_window_errors(tmp_path: Path) -> None:
    src = str(_csv(tmp_path))
    result = runner.invoke(app, ["cgm", "metrics", src, "--window", "1,5"])
    assert result.exit_code == 2 and "expected FIRST:LAST" in result.stderr
    result = runner.invoke(app, ["cgm", "metrics", src, "--window", "1:5"])
    assert result.exit_code == 3 and "needs --day0" in result.stderr
    result = runner.invoke(app, ["cgm", "metrics", src, "--window", "1:5", "--day0", "soon"])
    assert result.exit_code == 2 and "--day0 'soon'" in result.stderr


def test_metrics_window_outside_every_reading_is_said(tmp_path: Path) -> None:
    # every reading of _csv is on 2024-01-01: day 0 from --day0 2024-01-01. A window that holds
    # none of them was an empty table with exit status 0 and no word why; now one line, exit 3,
    # and nothing written (docs/cli.md: a value that validation rejects)
    src = str(_csv(tmp_path))
    out = tmp_path / "m.csv"
    for window, day0, said in (
        (["--window", "2030-01-01:2030-01-14"], [], "falls on these dates (inclusive)"),
        (["--window", "2023-12-31:2023-12-31"], [], "falls on these dates (inclusive)"),
        (["--window", "1:5"], ["--day0", "2024-01-01"], "falls on days 1 to 5 counted from --day0"),
        (["--window", "-3:-1"], ["--day0", "2024-01-01"], "on days -3 to -1"),
    ):
        for extra in ([], ["--json"], ["--by", "day"], ["--out", str(out)]):
            result = runner.invoke(app, ["cgm", "metrics", src, *window, *day0, *extra])
            assert result.exit_code == 3, (window, extra, result.output)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: E_WINDOW_EMPTY: --window '")
            assert said in lines[0] and "nothing to compute" in lines[0]
            assert result.stdout == "" and not out.exists()
    # the window's last day is the readings' day: a result (each subject has its 7 readings)
    result = runner.invoke(
        app, ["cgm", "metrics", src, "--window", "-3:0", "--day0", "2024-01-01", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert [r["n_readings"] for r in json.loads(result.stdout)["rows"]] == [7, 7]
