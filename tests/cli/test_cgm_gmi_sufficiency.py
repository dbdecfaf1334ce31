"""A GMI from too little data is never printed unflagged (issue 12), through the command line.

The 2019 consensus and Bergenstal 2018 (doi:10.2337/dc18-1581) base GMI on ≥ 14 days with ≥ 70 %
CGM-active time. endolab keeps the value and flags it (``sufficient_2019`` false), with a warning
on standard error and in the JSON ``warnings``; the human table marks it with †.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app

runner = CliRunner()


def _file(tmp_path: Path, days: float, unit_values: float = 120.0) -> Path:
    """One subject, a reading every 5 min for ``days`` days at ``unit_values`` mg/dL."""
    n = int(days * 288)
    t0 = dt.datetime(2024, 1, 1)
    rows = [
        f"s1,{(t0 + dt.timedelta(minutes=5 * i)).isoformat(sep=' ')},{unit_values}"
        for i in range(n)
    ]
    path = tmp_path / f"cgm_{days}d.csv"
    path.write_text("id,time,gl\n" + "\n".join(rows) + "\n")
    return path


def _gmi_rows_unflagged(payload: dict[str, object]) -> list[dict[str, object]]:
    rows = payload["rows"]
    assert isinstance(rows, list)
    return [r for r in rows if r.get("gmi") is not None and r.get("sufficient_2019") is not True]


def test_two_day_file_gives_no_unflagged_gmi_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["cgm", "metrics", str(_file(tmp_path, 2)), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    (row,) = payload["rows"]
    # the value is kept, and flagged in the same row …
    assert row["gmi"] == pytest.approx(3.31 + 0.02392 * 120.0)  # 6.1804 %
    assert row["gmi_mmol_mol"] == pytest.approx(12.71 + 4.70587 * 120.0 / 18.0)  # 44.08 mmol/mol
    assert row["sufficient_2019"] is False
    # … and the JSON and standard error say why
    assert any("14 days" in w and "GMI" in w for w in payload["warnings"])
    assert "warning: GMI/eA1c" in res.stderr
    assert payload["glucose_conversion"]["mg_dl_per_mmol_l"] == 18.0


@pytest.mark.parametrize("by", [None, "day"])
def test_two_day_file_human_table_marks_gmi(tmp_path: Path, by: str | None) -> None:
    args = ["cgm", "metrics", str(_file(tmp_path, 2))] + (["--by", by] if by else [])
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "sufficient_2019" in res.stdout  # the flag is in the default table
    assert "6.18 †" in res.stdout  # every GMI of the table carries the mark
    assert "not a valid GMI" in res.stdout
    assert "warning: GMI/eA1c" in res.stderr


def test_per_day_gmi_is_always_flagged_json(tmp_path: Path) -> None:
    res = runner.invoke(app, ["cgm", "metrics", str(_file(tmp_path, 2)), "--by", "day", "--json"])
    payload = json.loads(res.stdout)
    assert len(payload["rows"]) == 2
    assert all(r["sufficient_2019"] is False for r in payload["rows"])


def test_fourteen_days_is_not_flagged(tmp_path: Path) -> None:
    res = runner.invoke(app, ["cgm", "metrics", str(_file(tmp_path, 14)), "--json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert _gmi_rows_unflagged(payload) == []
    assert payload["rows"][0]["sufficient_2019"] is True
    assert not any("GMI" in w for w in payload["warnings"])
    assert "GMI/eA1c" not in res.stderr


def test_two_day_file_csv_carries_the_flag(tmp_path: Path) -> None:
    res = runner.invoke(app, ["cgm", "metrics", str(_file(tmp_path, 2)), "--format", "csv"])
    header, row = res.stdout.strip().splitlines()[:2]
    cols = header.split(",")
    assert dict(zip(cols, row.split(","), strict=True))["sufficient_2019"] == "false"
