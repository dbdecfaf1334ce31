"""% active and days worn come from the device interval and the wear span (issue 18).

Battelino 2019 (doi:10.2337/dci19-0028) defines CGM active time as the share of the readings the
device could have recorded over the period. Before issue 18 the "device interval" was the median
interval between readings, whatever it was: four readings a week apart were 100 % active over
28 days and "sufficient". Now the interval used is a CGM interval (the median, capped at 15 min,
the longest CGM sampling interval [A]), and a median interval above 15 min flags the subject as
not CGM data (``sufficient_2019`` false, a warning). Every expected value is worked out by hand
below from R iglu's formula (docs/cgm.md):

    theoretical = round(span / dt0) + 1;  missing = round(Σ(gap − dt0) / dt0) over gaps > dt0
    active %    = 100 × (theoretical − missing) / theoretical;  days_worn = (span + dt0) / 1440
"""

from __future__ import annotations

import datetime as dt
import warnings

import polars as pl
import pytest

from endolab.cgm import check_frame, compute_metrics
from endolab.cgm.agp import agp_figure, agp_metrics, sufficiency_text
from endolab.cgm.frame import reading_dates_problem
from endolab.cgm.metrics import CGM_MAX_INTERVAL_MIN, interval_notice
from endolab.errors import EndolabWarning

NOT_CGM = "median interval 7 days: not CGM data?"


def _frame(times: list[dt.datetime], sid: str = "a") -> pl.DataFrame:
    return check_frame(
        pl.DataFrame({"id": [sid] * len(times), "time": times, "gl": [120.0] * len(times)})
    )


def _weekly() -> pl.DataFrame:
    """Four readings a week apart: 2024-01-01, -08, -15, -22 at 08:00."""
    return _frame([dt.datetime(2024, 1, 1 + 7 * k, 8) for k in range(4)])


def test_constant_is_fifteen_minutes() -> None:
    assert CGM_MAX_INTERVAL_MIN == 15.0  # FreeStyle Libre 1/2 historic readings [A]


def test_weekly_readings_are_not_active_nor_sufficient() -> None:
    with pytest.warns(EndolabWarning, match=NOT_CGM):
        r = compute_metrics(_weekly()).row(0, named=True)
    # median interval 7 d = 10080 min > 15 → device interval dt0 = 15 min
    assert r["median_interval_min"] == 10080.0
    assert r["dt0"] == 15.0
    # span 21 d = 30240 min: theoretical = 30240 / 15 + 1 = 2017 possible readings;
    # 3 gaps of 10080: missing = 3 × (10080 − 15) / 15 = 2013 → active = 4 / 2017
    assert r["active_percent"] == pytest.approx(100.0 * 4 / 2017)  # 0.198 %
    # days worn = (30240 + 15) / 1440 = 21.0104 d (not 28: one 15-min interval, not one week)
    assert r["days_worn"] == pytest.approx((30240 + 15) / 1440)
    assert r["sufficient_2019"] is False
    assert r["gmi"] == pytest.approx(3.31 + 0.02392 * 120.0)  # kept, flagged by the row


def test_far_apart_readings_are_not_active() -> None:
    # two readings 2001-01-01 and 2024-12-31 (23 years apart)
    t0, t1 = dt.datetime(2001, 1, 1), dt.datetime(2024, 12, 31)
    span_days = (t1 - t0).days  # 8765
    with pytest.warns(EndolabWarning, match="not CGM data"):
        r = compute_metrics(_frame([t0, t1])).row(0, named=True)
    # span = 8765 × 1440 min, a multiple of 15: theoretical = 8765 × 96 + 1; one gap:
    # missing = (span − 15) / 15 = 8765 × 96 − 1 → active = 2 / (8765 × 96 + 1)
    assert r["active_percent"] == pytest.approx(100.0 * 2 / (span_days * 96 + 1))
    assert r["days_worn"] == pytest.approx(span_days + 15 / 1440)
    assert r["sufficient_2019"] is False


def test_sixteen_minute_interval_is_flagged_though_mostly_active() -> None:
    # 20 readings 16 min apart: median 16 > 15 → dt0 = 15, span = 19 × 16 = 304 min;
    # theoretical = round(304 / 15) + 1 = round(20.27) + 1 = 21; each of the 19 gaps rounds to
    # 16 > 15 → missing = round(19 × (16 − 15) / 15) = round(1.27) = 1 → active = 20 / 21
    t0 = dt.datetime(2024, 1, 1)
    with pytest.warns(EndolabWarning, match="median interval 16 min: not CGM data"):
        r = compute_metrics(_frame([t0 + dt.timedelta(minutes=16 * i) for i in range(20)])).row(
            0, named=True
        )
    assert r["active_percent"] == pytest.approx(100.0 * 20 / 21)
    assert r["sufficient_2019"] is False  # not CGM data, whatever the active %


def test_fifteen_minute_libre_record_is_cgm_and_unchanged() -> None:
    # 14 days of a reading every 15 min (FreeStyle Libre 2): n = 14 × 96 = 1344, span = 1343 × 15;
    # days worn = (1343 × 15 + 15) / 1440 = 14 d, active 100 % → sufficient, no warning
    t0 = dt.datetime(2024, 1, 1)
    frame = _frame([t0 + dt.timedelta(minutes=15 * i) for i in range(14 * 96)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = compute_metrics(frame).row(0, named=True)
    assert (r["dt0"], r["median_interval_min"]) == (15.0, 15.0)
    assert r["days_worn"] == pytest.approx(14.0)
    assert r["active_percent"] == pytest.approx(100.0)
    assert r["sufficient_2019"] is True


def test_per_day_active_percent_uses_the_device_interval() -> None:
    # two readings a day, 12 h apart (08:00, 20:00), for 3 days; per day the median interval is
    # 720 min → dt0 = 15; manual mode: 100 × 2 × 15 / 1440 = 2.083 % a day (was 100 × 2 × 720 /
    # 1440 = 100 %)
    times = [dt.datetime(2024, 1, d, h) for d in (1, 2, 3) for h in (8, 20)]
    with pytest.warns(EndolabWarning, match="median interval 12 h: not CGM data"):
        r = compute_metrics(_frame(times), by="day")
    assert r["active_percent"].to_list() == pytest.approx([100.0 * 2 * 15 / 1440] * 3)
    assert r["sufficient_2019"].to_list() == [False] * 3


def test_interval_notice_names_rows_in_one_line() -> None:
    t = pl.DataFrame({"id": ["a", "b", "c"], "median_interval_min": [10080.0, 5.0, 60.0]})
    notice = interval_notice(t)
    assert notice is not None and "\n" not in notice
    assert notice.startswith("median interval 7 days: not CGM data? 2 of 3 row(s) (a, c)")
    assert interval_notice(t.filter(pl.col("id") == "b")) is None


def test_agp_panel_says_not_cgm_data() -> None:
    frame = _weekly()
    with pytest.warns(EndolabWarning, match=NOT_CGM):
        panel = agp_metrics(frame, "a")
    assert panel["sufficient"] is False and panel["sufficient_2019"] is False
    # days and active % shown rounded down to 0.1: 21.0 d (≥ 14, not a failed criterion), 0.1 %
    assert panel["sufficiency"] == (
        "Insufficient data: median interval 7 days: not CGM data?; 0.1 % CGM active (< 70 % needed)"
    )
    fig = agp_figure(frame, "a", metrics=panel)
    (line,) = fig.findobj(lambda a: getattr(a, "get_gid", lambda: None)() == "agp-sufficiency")
    assert "not CGM data?" in line.get_text()  # type: ignore[attr-defined]
    assert "CGM active 100" not in " ".join(
        t.get_text()  # type: ignore[attr-defined]
        for t in fig.findobj(lambda a: hasattr(a, "get_text"))
    )


def test_sufficiency_text_interval_first() -> None:
    text, ok = sufficiency_text(30.0, 95.0, 20.0)
    assert (text, ok) == ("Insufficient data: median interval 20 min: not CGM data?", False)
    assert sufficiency_text(30.0, 95.0, 15.0) == ("Data sufficient (≥ 14 d, ≥ 70 % active)", True)


def test_reading_dates_bounds() -> None:
    today = dt.date(2024, 1, 1)
    # tomorrow (2024-01-02) is accepted up to 23:59:59; the day after is not
    ok = _frame([dt.datetime(2000, 1, 1), dt.datetime(2024, 1, 2, 23, 59, 59)])
    assert reading_dates_problem(ok, today=today) is None
    late = _frame([dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 3), dt.datetime(2024, 1, 4)])
    assert reading_dates_problem(late, today=today) == (
        "2 reading(s) dated after tomorrow, 2024-01-02 (latest 2024-01-04 00:00, subject a): a "
        "wrong year or device clock? CGM readings are dated from 2000-01-01 to tomorrow [A]"
    )
    early = _frame([dt.datetime(1999, 12, 31, 23, 59, 59), dt.datetime(2024, 1, 1)])
    problem = reading_dates_problem(early, today=today)
    assert problem is not None
    assert problem.startswith("1 reading(s) dated before 2000-01-01 (earliest 1999-12-31 23:59")
