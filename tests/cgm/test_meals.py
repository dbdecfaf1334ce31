"""Meal-time segments (issue 20): clock windows and windows around recorded meals, each checked
against a hand calculation written out below; and the segments in the clinic report."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cgm import check_frame
from endolab.cgm.meals import meal_metrics, meal_segments, parse_meal_windows
from endolab.cgm.report import clinic_report, report_html
from endolab.cli import app
from endolab.errors import InputError

DAY = dt.datetime(2024, 6, 3)
runner = CliRunner()


def _day(values: dict[dt.time, float], default: float = 100.0) -> pl.DataFrame:
    """One day of 5-min readings 00:00–23:55 (288), ``default`` except the times given."""
    times = [DAY + dt.timedelta(minutes=5 * i) for i in range(288)]
    gl = [values.get(t.time(), default) for t in times]
    return check_frame(pl.DataFrame({"id": ["p"] * 288, "time": times, "gl": gl}))


def _span(a: str, b: str, value: float) -> dict[dt.time, float]:
    """``value`` at every 5-min time from a up to (not including) b."""
    start = dt.datetime.combine(DAY.date(), dt.time.fromisoformat(a))
    end = dt.datetime.combine(DAY.date(), dt.time.fromisoformat(b))
    n = int((end - start).total_seconds() // 300)
    return {(start + dt.timedelta(minutes=5 * i)).time(): value for i in range(n)}


# Clock windows: breakfast 06:00–08:00 at 200 (24 readings) and 08:00–10:00 at 100 (24): mean
# (24·200 + 24·100) / 48 = 150 mg/dL, TAR > 180 = 24/48 = 50 %, TIR = 50 %. The 10:00 reading
# (300) lies outside [06:00, 10:00): if it were counted the mean would be 7500/49 = 153.06.
# Dinner 17:00–21:00 all at 60: mean 60, TBR < 70 = 100 %. Lunch: all 100, TIR 100 %.
CLOCK = _day({**_span("06:00", "08:00", 200), dt.time(10, 0): 300, **_span("17:00", "21:00", 60)})


def test_clock_windows_by_hand() -> None:
    table = meal_metrics(CLOCK)
    rows = {r["segment"]: r for r in table.iter_rows(named=True)}
    assert list(rows) == ["breakfast", "lunch", "dinner"]
    assert rows["breakfast"]["mean"] == pytest.approx(150.0)
    assert rows["breakfast"]["tar_180"] == pytest.approx(50.0)
    assert rows["breakfast"]["tir_70_180"] == pytest.approx(50.0)
    assert rows["lunch"]["mean"] == pytest.approx(100.0)
    assert rows["lunch"]["tir_70_180"] == pytest.approx(100.0)
    assert rows["dinner"]["mean"] == pytest.approx(60.0)
    assert rows["dinner"]["tbr_70"] == pytest.approx(100.0)


def test_windows_are_overridable() -> None:
    # only the 10:00 reading lies in [10:00, 10:05): mean 300
    windows = parse_meal_windows("brunch=10:00-10:05")
    (row,) = meal_metrics(CLOCK, windows=windows).iter_rows(named=True)
    assert (row["segment"], row["mean"]) == ("brunch", pytest.approx(300.0))
    with pytest.raises(InputError, match="start before the end"):
        parse_meal_windows("lunch=15:00-11:00")


def _treatments(rows: list[tuple[dt.datetime, str, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["p"] * len(rows),
            "time": [r[0] for r in rows],
            "kind": [r[1] for r in rows],
            "insulin_u": [r[2] for r in rows],
            "carbs_g": [r[3] for r in rows],
            "duration_min": [None] * len(rows),
            "source": ["test"] * len(rows),
        },
        schema_overrides={"duration_min": pl.Float64, "insulin_u": pl.Float64},
    )


# A meal of 40 g at 12:00 (a bolus and a 0-g carb row at 18:00 are not meals). Pre-meal
# [11:00, 12:00): 12 readings at 90 → mean 90, TIR 100 %. Post-meal [12:00, 14:00): 12 at 160
# and 12 at 240 → mean (12·160 + 12·240) / 24 = 200, TAR > 180 = 50 %, TAR > 250 = 0 %. The
# readings at 10:55 (65 min before) and 14:00 (120 min after) are 300 and outside both windows.
MEAL = _day(
    {
        dt.time(10, 55): 300,
        **_span("11:00", "12:00", 90),
        **_span("12:00", "13:00", 160),
        **_span("13:00", "14:00", 240),
        dt.time(14, 0): 300,
    }
)
TREATMENTS = _treatments(
    [
        (DAY.replace(hour=12), "carbs", None, 40.0),
        (DAY.replace(hour=18), "bolus", 4.0, None),
        (DAY.replace(hour=18), "carbs", None, 0.0),
    ]
)


def test_windows_around_recorded_meals_by_hand() -> None:
    parts = meal_segments(MEAL, TREATMENTS)
    assert parts["pre_meal"].height == 12 and parts["post_meal"].height == 24
    rows = {r["segment"]: r for r in meal_metrics(MEAL, TREATMENTS).iter_rows(named=True)}
    assert rows["pre_meal"]["mean"] == pytest.approx(90.0)
    assert rows["pre_meal"]["tir_70_180"] == pytest.approx(100.0)
    assert rows["post_meal"]["mean"] == pytest.approx(200.0)
    assert rows["post_meal"]["tar_180"] == pytest.approx(50.0)
    assert rows["post_meal"]["tar_250"] == pytest.approx(0.0)


def _cells(html_text: str) -> dict[str, str]:
    return dict(re.findall(r"data-metric='([^']+)'>([^<]*)<", html_text))


def test_report_shows_meal_segments() -> None:
    (page,) = clinic_report(CLOCK).pages
    assert [(k, label) for k, label, _ in page.meals] == [
        ("breakfast", "Breakfast 06:00–10:00"),
        ("lunch", "Lunch 11:00–15:00"),
        ("dinner", "Dinner 17:00–21:00"),
    ]
    cells = _cells(report_html(clinic_report(CLOCK), figures=False))
    assert cells["breakfast_mean"] == "150 mg/dL"
    assert cells["dinner_tbr_70"] == "100.0 %"
    cells = _cells(report_html(clinic_report(MEAL, treatments=TREATMENTS), figures=False))
    assert cells["pre_meal_mean"] == "90 mg/dL" and cells["post_meal_mean"] == "200 mg/dL"


def test_cli_report_meal_windows_and_recorded_meals(tmp_path: Path) -> None:
    # a Dexcom Clarity export (header as in tests/cgm/test_readers_vendors.py) with readings every
    # 5 min 11:00–13:55 and a Carbs event at 12:00: 11:00–11:55 at 90, 12:00–13:55 at 200 →
    # pre-meal mean 90, post-meal mean 200; the clock window lunch=12:00-14:00 holds the 24
    # readings at 200 → mean 200, and lunch=11:00-12:00 the 12 at 90
    header = (
        "Index,Timestamp (YYYY-MM-DDThh:mm:ss),Event Type,Event Subtype,Patient Info,Device Info,"
        "Source Device ID,Glucose Value (mg/dL),Insulin Value (u),Carb Value (grams),"
        "Duration (hh:mm:ss),Glucose Rate of Change (mg/dL/min),Transmitter Time (Long Integer),"
        "Transmitter ID"
    )
    lines = [header]
    for i in range(36):
        when = DAY.replace(hour=11) + dt.timedelta(minutes=5 * i)
        lines.append(f"{i + 1},{when:%Y-%m-%dT%H:%M:%S},EGV,,,,G7,{90 if i < 12 else 200},,,,,,X")
    lines.append(f"99,{DAY.replace(hour=12):%Y-%m-%dT%H:%M:%S},Carbs,,,,G7,,,45,,,,")
    path = tmp_path / "P01.csv"
    path.write_text("\n".join(lines) + "\n")
    out = tmp_path / "r.html"
    done = runner.invoke(
        app,
        ["cgm", "report", str(path), "--out", str(out), "--meal-windows",
         "early=11:00-12:00,late=12:00-14:00"],
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    cells = _cells(out.read_text())
    assert cells["early_mean"] == "90 mg/dL" and cells["late_mean"] == "200 mg/dL"
    done = runner.invoke(
        app, ["cgm", "report", str(path), "--out", str(out), "--recorded-meals", "--overwrite"]
    )
    assert done.exit_code == 0, done.output
    cells = _cells(out.read_text())
    assert cells["pre_meal_mean"] == "90 mg/dL" and cells["post_meal_mean"] == "200 mg/dL"
    bad = runner.invoke(
        app, ["cgm", "report", str(path), "--out", str(tmp_path / "x.html"), "--meal-windows", "x"]
    )
    assert bad.exit_code == 3 and "NAME=HH:MM-HH:MM" in bad.output
    assert "Traceback" not in bad.output
