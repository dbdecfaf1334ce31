"""Core consensus metrics: hand-computed values (arithmetic in the comments) and paper tables."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from endolab.cgm import check_frame, compute_metrics
from endolab.cgm import metrics as m
from endolab.errors import EndolabWarning, InputError

T0 = dt.datetime(2024, 3, 1, 0, 0)


def _frame(gl: list[float], minutes: list[float] | None = None, sid: str = "a") -> pl.DataFrame:
    minutes = minutes if minutes is not None else [5.0 * i for i in range(len(gl))]
    return check_frame(
        pl.DataFrame(
            {
                "id": [sid] * len(gl),
                "time": [T0 + dt.timedelta(minutes=x) for x in minutes],
                "gl": [float(g) for g in gl],
            }
        )
    )


# Bergenstal 2018 (doi:10.2337/dc18-1581), Table 1: mean glucose [mg/dL] → GMI [%]
@pytest.mark.parametrize(
    ("mean", "expected"),
    [(100, 5.7), (125, 6.3), (150, 6.9), (175, 7.5), (200, 8.1), (250, 9.3), (300, 10.5)],
)
def test_gmi_paper_table(mean: float, expected: float) -> None:
    assert m.gmi_bergenstal_2018(float(mean)) == pytest.approx(expected, abs=0.05)


# Nathan 2008 (doi:10.2337/dc08-0545), Table 2: A1C [%] → eAG [mg/dL]
@pytest.mark.parametrize(("a1c", "eag"), [(6, 126), (7, 154), (8, 183), (9, 212), (10, 240)])
def test_ea1c_adag_table(a1c: float, eag: float) -> None:
    assert m.adag_nathan_2008(float(eag)) == pytest.approx(a1c, abs=0.03)


def test_range_boundaries() -> None:
    # values: 53 54 69 70 140 141 180 181 250 251  (10 readings, each = 10 %)
    f = _frame([53, 54, 69, 70, 140, 141, 180, 181, 250, 251])
    r = m.consensus_ranges(f).row(0, named=True)
    assert r["tbr_54"] == pytest.approx(10.0)  # 53
    assert r["tbr_54_70"] == pytest.approx(20.0)  # 54, 69
    assert r["tbr_70"] == pytest.approx(30.0)  # 53, 54, 69
    assert r["tir_70_180"] == pytest.approx(40.0)  # 70, 140, 141, 180
    assert r["tir_70_140"] == pytest.approx(20.0)  # 70, 140
    assert r["tar_180_250"] == pytest.approx(20.0)  # 181, 250
    assert r["tar_180"] == pytest.approx(30.0)  # 181, 250, 251
    assert r["tar_250"] == pytest.approx(10.0)  # 251
    # 40 % of 1440 min = 576 min/day
    assert r["tir_70_180_min_per_day"] == pytest.approx(576.0)


def test_any_thresholds() -> None:
    f = _frame([60, 100, 150, 200])
    assert m.in_range_percent(f, target_ranges=[(63, 140)]).row(0, named=True)[
        "tir_63_140"
    ] == pytest.approx(25.0)  # only 100
    assert m.below_percent(f, targets=[63]).row(0, named=True)["tbr_63"] == pytest.approx(25.0)
    assert m.above_percent(f, targets=[140]).row(0, named=True)["tar_140"] == pytest.approx(50.0)
    with pytest.raises(InputError, match="lower limit must be below"):
        m.in_range_percent(f, target_ranges=[(180, 70)])


def test_summary_statistics_by_hand() -> None:
    # gl = 100, 120, 140, 200
    # mean = 560/4 = 140; deviations -40, -20, 0, 60 → squares 1600+400+0+3600 = 5600
    # sample variance = 5600/3 = 1866.67; sd = 43.2049; cv = 100 × 43.2049/140 = 30.8607 %
    # type-7 quantiles: h = (n−1)p: q25 at h=0.75 → 100 + 0.75×20 = 115; median 130;
    # q75 at h=2.25 → 140 + 0.25×60 = 155; iqr = 40; range = 100
    f = _frame([100, 120, 140, 200])
    assert m.mean_glucose(f)["mean"][0] == pytest.approx(140.0)
    assert m.sd_glucose(f)["sd"][0] == pytest.approx(math.sqrt(5600 / 3))
    assert m.cv_glucose(f)["cv"][0] == pytest.approx(30.86067, rel=1e-6)
    s = m.summary_glucose(f).row(0, named=True)
    assert (s["min"], s["q25"], s["median"], s["q75"], s["max"]) == pytest.approx(
        (100, 115, 130, 155, 200)
    )
    assert (s["iqr"], s["range"]) == pytest.approx((40.0, 100.0))
    q = m.quantile_glucose(f, quantiles=[0.1, 0.9]).row(0, named=True)
    # h = 0.3 → 100 + 0.3 × 20 = 106; h = 2.7 → 140 + 0.7 × 60 = 182
    assert (q["q10"], q["q90"]) == pytest.approx((106.0, 182.0))
    # gmi = 3.31 + 0.02392 × 140 = 6.6588; ea1c = (140 + 46.7)/28.7 = 6.50523
    assert m.gmi(f)["gmi"][0] == pytest.approx(6.6588)
    assert m.ea1c(f)["ea1c"][0] == pytest.approx(6.505226, rel=1e-6)


def test_active_percent_iglu_doc_example() -> None:
    # R iglu docs: times 0, 5, 10, 15 at 5 min with the reading at 5 missing → 75 %.
    # dt0 = 5: theoretical = round(15/5) + 1 = 4; one gap of 10 → missing = round((10−5)/5) = 1
    f = _frame([100, 110, 120], minutes=[0, 10, 15])
    r = m.active_percent(f, dt0=5).row(0, named=True)
    assert r["active_percent"] == pytest.approx(75.0)


def test_active_percent_automatic_dt0() -> None:
    # 0..50 every 5 min without 20 and 25 → 9 readings; diffs 5,5,5,15,5,5,5,5 → dt0 = 5
    # theoretical = round(50/5) + 1 = 11; one gap of 15 → missing = round((15−5)/5) = 2
    # active = 100 × (11 − 2)/11 = 81.8182 %; ndays = 50/1440
    minutes = [0, 5, 10, 15, 30, 35, 40, 45, 50]
    r = m.active_percent(_frame([100] * 9, minutes=minutes)).row(0, named=True)
    assert r["active_percent"] == pytest.approx(900 / 11)
    assert r["dt0"] == 5.0
    assert r["ndays"] == pytest.approx(50 / 1440)


def test_active_percent_rounds_gaps_like_r() -> None:
    # A 5 min 20 s interval rounds to 5 = dt0: not a gap in R iglu (iglu-python counts it).
    # theoretical = round(round(20.33)/5) + 1 = round(4) + 1 = 5; missing 0 → 100 %
    minutes = [0, 5, 5 + 16 / 3, 15 + 1 / 3, 20 + 1 / 3]
    r = m.active_percent(_frame([100] * 5, minutes=minutes)).row(0, named=True)
    assert r["active_percent"] == pytest.approx(100.0)


def test_active_percent_rounds_half_to_even_like_r() -> None:
    # R's round() is half to even (IEC 60559). Times 0, 5, 10, 22.5 min: diffs 5, 5, 12.5 → dt0 5.
    # theoretical = round(round(22.5)/5) + 1 = round(22/5) + 1 = round(4.4) + 1 = 5
    #   (half away from zero would give round(23/5) + 1 = 6);
    # one gap (round(12.5) = 12 > 5): missing = round((12.5 − 5)/5) = round(1.5) = 2
    # active = 100 × (5 − 2)/5 = 60 %  (half away from zero: 100 × 4/6 = 66.7 %)
    r = m.active_percent(_frame([100] * 4, minutes=[0, 5, 10, 22.5])).row(0, named=True)
    assert r["active_percent"] == pytest.approx(60.0)


def test_active_percent_one_reading_is_null() -> None:
    r = m.active_percent(_frame([100])).row(0, named=True)
    assert r["active_percent"] is None


def test_sufficiency_14_days() -> None:
    # 14 days × 288 readings at 5 min: days_worn = (4031 × 5 + 5)/1440 = 14.0 → sufficient
    n = 14 * 288
    f = _frame([100.0] * n)
    r = m.sufficiency_2019(f).row(0, named=True)
    assert r["days_worn"] == pytest.approx(14.0)
    assert r["sufficient_2019"] is True
    # one reading fewer: (4030 × 5 + 5)/1440 = 13.9965 days → not sufficient
    r = m.sufficiency_2019(f.head(n - 1)).row(0, named=True)
    assert r["sufficient_2019"] is False


def test_sufficiency_needs_70_percent_active() -> None:
    # 15 days span, but every other reading missing: dt0 = round(median(10)) = 10 → active
    # would be 100 %; with dt0 = 5 given: theoretical = 15×288 + 1 = 4321, readings 2161 …
    # gaps: 2160 gaps of 10 → missing = round(2160 × 5 / 5) = 2160 → 100 × 2161/4321 = 50.01 %
    n = 15 * 288 // 2 + 1
    f = _frame([100.0] * n, minutes=[10.0 * i for i in range(n)])
    r = m.sufficiency_2019(f, dt0=5).row(0, named=True)
    assert r["sufficient_2019"] is False


def test_core_set_one_pass_matches_functions() -> None:
    f = pl.concat([_frame([60, 100, 190, 120]), _frame([250, 260, 40, 100], sid="b")])
    core = compute_metrics(f)
    assert core["id"].to_list() == ["a", "b"]
    b = core.row(1, named=True)
    # b: mean = 650/4 = 162.5; tbr_54 = 25 % (40); tar_250 = 25 % (260); tar_180 = 50 %
    assert b["mean"] == pytest.approx(162.5)
    assert (b["tbr_54"], b["tar_250"], b["tar_180"]) == pytest.approx((25.0, 25.0, 50.0))
    assert b["gmi"] == pytest.approx(3.31 + 0.02392 * 162.5)
    assert b["n_readings"] == 4


def test_by_day() -> None:
    # day 1: 23:50, 23:55 (gl 100, 200); day 2: 00:00, 00:05 (gl 50, 60)
    minutes = [23 * 60 + 50, 23 * 60 + 55, 24 * 60, 24 * 60 + 5]
    f = _frame([100, 200, 50, 60], minutes=minutes)
    r = compute_metrics(f, by="day")
    assert r["date"].to_list() == [dt.date(2024, 3, 1), dt.date(2024, 3, 2)]
    assert r["mean"].to_list() == pytest.approx([150.0, 55.0])
    # manual mode: 2 readings / (1440/5) = 2/288 → 0.69444 %
    assert r["active_percent"].to_list() == pytest.approx([200 / 288, 200 / 288])


def test_window_relative_to_day0() -> None:
    # day0 = 2024-03-01 for "a": day 1 is 2024-03-02. Readings on days 0, 1, 2.
    minutes = [0, 1440, 2880]
    f = _frame([100, 200, 300], minutes=minutes)
    # readings a day apart are not CGM data: said in a warning (issue 18)
    with pytest.warns(EndolabWarning, match="median interval 1 day: not CGM data"):
        r = compute_metrics(f, window=(1, 2), day0={"a": dt.date(2024, 3, 1)})
    row = r.row(0, named=True)
    assert (row["window_start"], row["window_end"]) == (1, 2)
    assert row["mean"] == pytest.approx(250.0)  # (200 + 300)/2
    assert row["n_readings"] == 2


def test_window_subject_without_data_appears() -> None:
    f = pl.concat([_frame([100, 110]), _frame([120, 130], sid="b")])
    r = compute_metrics(f, window=(5, 6), day0=dt.date(2024, 3, 1))
    assert r["id"].to_list() == ["a", "b"]
    assert r["n_readings"].to_list() == [0, 0]


def test_window_needs_day0() -> None:
    with pytest.raises(InputError, match="day0"):
        compute_metrics(_frame([100]), window=(1, 2))


def test_report_unit_mmol() -> None:
    f = _frame([90, 180])
    r = compute_metrics(f, unit_out="mmol/L").row(0, named=True)
    assert r["mean"] == pytest.approx(7.5)  # 135 / 18
    assert r["tir_70_180"] == pytest.approx(100.0)  # percentages are not converted
    assert r["gmi"] == pytest.approx(3.31 + 0.02392 * 135)


def test_unknown_metric() -> None:
    with pytest.raises(InputError, match="unknown metric 'nope'"):
        compute_metrics(_frame([100]), metrics=["nope"])


def test_metric_list_joins() -> None:
    r = compute_metrics(_frame([100, 200]), metrics=["mean", "summary"])
    assert r.columns[:2] == ["id", "mean"]
    assert r["range"][0] == 100.0


def test_unsorted_input_to_metric_function_is_sorted() -> None:
    f = pl.concat([_frame([100, 200], sid="b"), _frame([50, 70], sid="a")])
    r = m.mean_glucose(f)
    assert r["id"].to_list() == ["a", "b"]
    assert r["mean"].to_list() == [60.0, 150.0]


def test_metric_list_with_a_set_and_an_index() -> None:
    r = compute_metrics(_frame([100, 200, 150]), metrics=["core", "summary"])
    assert {"tir_70_180", "iqr"} <= set(r.columns)
    with pytest.raises(InputError, match="unknown metric 'nope'"):
        compute_metrics(_frame([100]), metrics=["core", "nope"])
