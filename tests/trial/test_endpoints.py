"""Endpoints on a small cohort built so that every answer is known by construction.

Every participant isolates one edge of docs/methods/trial.md §4.2–§4.4; the expected value is argued in the
comment next to it (no expected value here comes from running endolab).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from endolab.trial.analysis import analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.endpoints import binary_endpoints, cgm_sampling_interval, continuous_endpoints
from endolab.trial.protocol import load_protocol, protocol_from_dict
from tests.trial.builders import cgm, event, insulin, lab, on, person, write_dataset

IN_RANGE_CYCLE = [70, 180, 100, 100, 100, 100, 100, 69, 181, 250]  # 7 of 10 in 70–180 (both ends)


def _cohort() -> dict[str, list[dict[str, Any]]]:
    P = [
        # cohort C: SHE and HbA1c edges
        person("C1_she89", "C"),
        person("C2_she90", "C"),
        person("C3_a1c7", "C", baseline_hba1c_pct=7.5),
        person("C4_fall1", "C", baseline_hba1c_pct=8.2),
        person("C5_fall09", "C", baseline_hba1c_pct=8.1),
        # cohort B: insulin coverage and CGM sufficiency edges (no HbA1c at all → primary null)
        person("B1_ins79", "B"),
        person("B2_ins80", "B"),
        person("B3_ins_used", "B"),
        person("B4_cgm69", "B"),
        person("B5_cgm70", "B"),
        person("B6_tir70", "B"),
        # cohort A: missing day-365 data, C-peptide edges, sampling interval over all data
        person("A1_none365", "A"),
        person("A2_cpep0", "A"),
        person("A3_median", "A"),
        person("A4_cpep_day0", "A"),
    ]
    labs = [
        lab("C1_she89", 200, "HBA1C", 6.5),
        lab("C2_she90", 200, "HBA1C", 6.5),
        lab("C3_a1c7", 365, "HBA1C", 7.0),
        lab("C4_fall1", 365, "HBA1C", 7.2),
        lab("C5_fall09", 365, "HBA1C", 7.2),
        lab("A1_none365", 100, "HBA1C", 6.2),
        lab("A1_none365", 90, "CPEP_STIM_PEAK", 300),
        lab("A2_cpep0", 180, "HBA1C", 6.9),
        lab("A2_cpep0", 90, "CPEP_FASTING", 0),
        lab("A2_cpep0", 180, "CPEP_STIM_PEAK", 0),
        lab("A4_cpep_day0", 0, "CPEP_FASTING", 500),
        lab("A4_cpep_day0", 365, "HBA1C", 6.0),
    ]
    # Follow-up to day 365 for everyone but A1 (whose follow-up ends with a fatal AE on day 300):
    # a fasting glucose on day 365 enters no binary endpoint; without any record on day 365 the
    # SHE-free window 90–365 would not be covered (→ not decided)
    labs += [
        lab(str(p["participant_id"]), 365, "GLUCOSE_FASTING", 95.0)
        for p in P
        if p["participant_id"] != "A1_none365"
    ]
    window = list(range(180, 366))  # 186 days
    ins = (
        # 21 % missing: 147 of 186 days recorded = 79.0 % < 80 % → null
        insulin("B1_ins79", window[:147], 0.0)
        # 149 of 186 = 80.1 % ≥ 80 % (148.8 needed) → true
        + insulin("B2_ins80", window[:149], 0.0)
        # one day with 2 U → false whatever the coverage (10 days recorded)
        + insulin("B3_ins_used", window[:9], 0.0)
        + insulin("B3_ins_used", [window[9]], 2.0)
    )
    readings = (
        # 5-min data; 14-day window = 20,160 min. 2782 × 5 / 20160 = 0.68998 (69 %) → null
        cgm("B4_cgm69", 352, 365, 120.0, keep=2782)
        # 2823 × 5 / 20160 = 0.70015 ≥ 0.70, all readings 120 → TIR 100 % > 70 % → true
        + cgm("B5_cgm70", 352, 365, 120.0, keep=2823)
        # 4000 readings (sufficiency 0.992), cycle with 7 of 10 in range → TIR exactly 70 % → false
        + cgm("B6_tir70", 352, 365, IN_RANGE_CYCLE, keep=4000)
        # 52 days at 15 min (4992 readings, 4991 gaps of 15) + 1400 at 5 min (1399 gaps of 5):
        # median gap over ALL data = 15 min → 1400 × 15 / 20160 = 1.04 → capped at 100 %.
        + cgm("A3_median", 300, 351, 120.0, every_min=15)
        + cgm("A3_median", 352, 365, 120.0, keep=1400)
    )
    events = [
        event("C1_she89", 89),  # day 89 is outside [90, 365] → SHE-free
        event("C2_she90", 90),  # day 90 is inside → not SHE-free
        event("C3_a1c7", 40, category="AE", term="Neutropenia", serious="Y", related="POSSIBLE"),
        event("C4_fall1", 50, category="AE", term="Neutropenia", serious="N", related="N"),
        event("C4_fall1", 60, category="AE", term="Neutropenia", serious="N", related="N"),
        event("A1_none365", 300, category="AE", term="Meningitis", outcome="FATAL"),
    ]
    return {"participants": P, "labs": labs, "insulin": ins, "cgm": readings, "events": events}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("edges"), **_cohort())


@pytest.fixture(scope="module")
def table(folder: Path) -> dict[str, dict[str, Any]]:
    ds = read_dataset(folder)
    frame = binary_endpoints(ds, load_protocol())
    return {r["participant_id"]: r for r in frame.to_dicts()}


def test_she_day_89_vs_90(table: dict[str, dict[str, Any]]) -> None:
    assert table["C1_she89"]["she_free_90_365"] is True
    assert table["C2_she90"]["she_free_90_365"] is False
    assert table["C2_she90"]["she_free_90_365__she_events"] == 1


def test_she_is_never_null(table: dict[str, dict[str, Any]]) -> None:
    # docs/trial-data.md: observed events are complete by definition, so SHE-free is never null,
    # even for A1 whose follow-up ends with a fatal AE on day 300 (the report says so in a notice)
    assert all(r["she_free_90_365"] is not None for r in table.values())
    assert table["A1_none365"]["she_free_90_365__follow_up_day"] == 300


def test_hba1c_exactly_7(table: dict[str, dict[str, Any]]) -> None:
    # 7.0 is not < 7.0, and 7.5 − 7.0 = 0.5 < 1.0 → no response; last value 7.0 is not < 7.0
    assert table["C3_a1c7"]["hba1c_response_180_365"] is False
    assert table["C3_a1c7"]["hba1c_lt7_day365"] is False


def test_one_point_fall(table: dict[str, dict[str, Any]]) -> None:
    # 8.2 − 7.2 = 1.0 (0.9999999999999991 in binary floating point) ≥ 1.0 → response
    assert table["C4_fall1"]["hba1c_response_180_365"] is True
    assert table["C4_fall1"]["hba1c_lt7_day365"] is False
    # 8.1 − 7.2 = 0.9 < 1.0 and 7.2 ≥ 7.0 → no response
    assert table["C5_fall09"]["hba1c_response_180_365"] is False


def test_primary_three_valued(table: dict[str, dict[str, Any]]) -> None:
    expected = {
        "C1_she89": True,  # SHE-free and HbA1c 6.5 < 7 at day 200
        "C2_she90": False,  # SHE on day 90
        "C3_a1c7": False,
        "C4_fall1": True,
        "C5_fall09": False,
        "A1_none365": None,  # SHE-free, no HbA1c in [180, 365] → null
        "A2_cpep0": True,  # HbA1c 6.9 on day 180 (window is closed)
        "A4_cpep_day0": True,
    }
    for pid, value in expected.items():
        assert table[pid]["primary"] is value, pid
    for pid in ("B1_ins79", "B2_ins80", "B3_ins_used", "B4_cgm69", "B5_cgm70", "B6_tir70"):
        assert table[pid]["primary"] is None, pid


def test_insulin_coverage(table: dict[str, dict[str, Any]]) -> None:
    assert table["B1_ins79"]["insulin_independent_180_365"] is None
    assert table["B1_ins79"]["insulin_independent_180_365__coverage"] == pytest.approx(147 / 186)
    assert table["B2_ins80"]["insulin_independent_180_365"] is True
    assert table["B3_ins_used"]["insulin_independent_180_365"] is False
    assert table["A1_none365"]["insulin_independent_180_365"] is None  # no rows at all


def test_cgm_sufficiency_and_tir(table: dict[str, dict[str, Any]]) -> None:
    assert table["B4_cgm69"]["tir_gt70_day365"] is None
    assert table["B4_cgm69"]["tir_gt70_day365__sufficiency_pct"] == pytest.approx(
        100 * 2782 * 5 / 20160
    )
    assert table["B5_cgm70"]["tir_gt70_day365"] is True
    assert table["B6_tir70"]["tir_gt70_day365"] is False
    assert table["B6_tir70"]["tir_gt70_day365__tir_pct"] == pytest.approx(70.0)
    assert table["A1_none365"]["tir_gt70_day365"] is None  # no readings


def test_sampling_interval_over_all_data(folder: Path, table: dict[str, dict[str, Any]]) -> None:
    ds = read_dataset(folder)
    intervals = dict(cgm_sampling_interval(ds.cgm).iter_rows())
    assert intervals["A3_median"] == pytest.approx(15.0)
    assert intervals["B4_cgm69"] == pytest.approx(5.0)
    assert table["A3_median"]["tir_gt70_day365__sufficiency_pct"] == pytest.approx(100.0)
    assert table["A3_median"]["tir_gt70_day365"] is True


def test_day365_missing(table: dict[str, dict[str, Any]]) -> None:
    row = table["A1_none365"]
    assert row["hba1c_lt7_day365"] is None
    assert row["she_free_90_365"] is True  # events complete by definition (docs/trial-data.md)
    assert row["c_peptide_detected"] is True  # 300 pmol/L on day 90


def test_c_peptide(table: dict[str, dict[str, Any]]) -> None:
    assert table["A2_cpep0"]["c_peptide_detected"] is False  # all results 0 (below the assay limit)
    assert table["A4_cpep_day0"]["c_peptide_detected"] is None  # only a day-0 result: not "after"
    assert table["A3_median"]["c_peptide_detected"] is None  # no result at all
    assert table["A4_cpep_day0"]["hba1c_lt7_day365"] is True


def test_cohort_summary_counts_null_in_N(folder: Path) -> None:
    result = analyze(read_dataset(folder), load_protocol())
    bc = result.cohorts["B+C"]["primary"]
    # B+C: 11 participants; true for C1 and C4; all six in B are null
    assert (bc["n"], bc["N"], bc["missing"]) == (2, 11, 6)
    assert bc["percent"] == pytest.approx(100 * 2 / 11)
    a = result.cohorts["A"]["primary"]
    assert (a["n"], a["N"], a["missing"]) == (2, 4, 2)  # A2, A4 true; A1, A3 null
    she = result.cohorts["C"]["she_free_90_365"]
    assert (she["n"], she["N"], she["missing"]) == (4, 5, 0)


def test_adverse_event_table(folder: Path) -> None:
    result = analyze(read_dataset(folder), load_protocol())
    rows = {(r["category"], r["term"]): r for r in result.adverse_events}
    neut = rows[("AE", "Neutropenia")]
    # C3 once (serious, possibly related), C4 twice (not serious, unrelated)
    assert (neut["participants"], neut["events"], neut["serious"], neut["related"]) == (2, 3, 1, 1)
    assert neut["fatal"] == 0
    assert rows[("AE", "Meningitis")]["fatal"] == 1
    assert rows[("SHE", "Severe hypoglycaemia")]["events"] == 2
    bc_terms = {(r["category"], r["term"]) for r in result.cohorts["B+C"]["adverse_events"]}
    assert ("AE", "Meningitis") not in bc_terms  # A1 is in cohort A


def test_continuous_change_from_baseline(tmp_path: Path) -> None:
    P = [person("X1", "C", baseline_hba1c_pct=8.0, baseline_insulin_u_per_day=40.0)]
    labs = [lab("X1", 340, "HBA1C", 6.5), lab("X1", 390, "HBA1C", 6.0), lab("X1", 396, "HBA1C", 9)]
    ins = insulin("X1", range(352, 359), 4.0) + insulin("X1", range(359, 366), 0.0)
    readings = cgm("X1", -14, -1, [100, 200]) + cgm("X1", 352, 365, [100, 100, 100, 300])
    ds = read_dataset(write_dataset(tmp_path, participants=P, labs=labs, insulin=ins, cgm=readings))
    row = continuous_endpoints(ds, load_protocol()).to_dicts()[0]
    assert row["hba1c_day365_pct"] == 6.0  # last in [335, 395]; day 396 is outside
    assert row["hba1c_change_day365_pct"] == pytest.approx(-2.0)
    assert row["tir_baseline_pct"] == pytest.approx(50.0)  # 100 in range, 200 not
    assert row["tir_day365_pct"] == pytest.approx(75.0)
    assert row["tir_change_day365_pct"] == pytest.approx(25.0)
    # mean of 7 days at 4 U and 7 at 0 = 2 U/day; reduction 1 − 2/40 = 0.95
    assert row["insulin_day365_u_per_day"] == pytest.approx(2.0)
    assert row["insulin_reduction_day365"] == pytest.approx(0.95)


def test_analysis_is_row_order_invariant(folder: Path, tmp_path: Path) -> None:
    data = _cohort()
    shuffled = {k: list(reversed(v)) for k, v in data.items()}
    a = analyze(read_dataset(folder), load_protocol()).participants
    b = analyze(read_dataset(write_dataset(tmp_path, **shuffled)), load_protocol()).participants
    assert a.equals(b)


def test_cit07_protocol(folder: Path) -> None:
    proto = load_protocol("cit07-style")
    frame = binary_endpoints(read_dataset(folder), proto)
    rows = {r["participant_id"]: r for r in frame.to_dicts()}
    # C1: SHE on day 89 is within [28, 365] → not SHE-free → primary false under CIT-07 rules
    assert rows["C1_she89"]["she_free_28_365"] is False
    assert rows["C1_she89"]["primary"] is False
    assert rows["A4_cpep_day0"]["primary"] is True  # HbA1c 6.0 at day 365, no SHE
    assert rows["A1_none365"]["primary"] is None  # no HbA1c in [335, 395]
    assert "tir_gt70_day365" not in frame.columns
    assert isinstance(frame, pl.DataFrame)


def test_cgm_day_boundaries_and_padding(tmp_path: Path) -> None:
    # Readings at 23:55 of day 365 are in [352, 365]; 00:00 of day 366 is not. Padded cells and a
    # space instead of "T" are accepted.
    P = [person("D1", "C")]
    inside = cgm("D1", 352, 365, 150.0)  # 4032 readings, sufficiency 100 %
    outside = cgm("D1", 366, 366, 300.0, keep=1)
    readings = inside + outside
    readings[0] = {**readings[0], "time": readings[0]["time"].replace("T", " ")}
    readings[1] = {**readings[1], "glucose_mg_dl": " 150 "}
    ds = read_dataset(write_dataset(tmp_path, participants=P, cgm=readings))
    days = ds.cgm["day"].to_list()
    assert days[0] == 352 and days[-2] == 365 and days[-1] == 366
    row = binary_endpoints(ds, load_protocol()).to_dicts()[0]
    assert row["tir_gt70_day365__n_readings"] == 4032
    assert row["tir_gt70_day365__tir_pct"] == pytest.approx(100.0)


# --- Edges of docs/methods/trial.md §4.2–§4.4 checked one by one (review) -----------------------------------


def _one(tmp_path: Path, protocol: str | None = None, **tables: Any) -> dict[str, dict[str, Any]]:
    ds = read_dataset(write_dataset(tmp_path, **tables))
    return {
        r["participant_id"]: r for r in binary_endpoints(ds, load_protocol(protocol)).to_dicts()
    }


def test_she_outside_window_and_ae_category_ignored(tmp_path: Path) -> None:
    P = [person("S1"), person("S2"), person("S3"), person("S4")]
    events = [
        event("S1", -5),  # before day 0: outside [90, 365]
        event("S1", 366),  # after day 365: outside
        event("S2", 365),  # day 365 is inside (closed window) → not SHE-free
        event("S3", 200, category="AE", term="Severe hypoglycaemia"),  # AE, not SHE → ignored
    ]
    # S3 and S4 are followed to day 365 (a fasting glucose that day); S5 has no record at all
    labs = [lab(pid, 365, "GLUCOSE_FASTING", 95.0) for pid in ("S3", "S4")]
    t = _one(tmp_path, participants=[*P, person("S5")], events=events, labs=labs)
    assert t["S1"]["she_free_90_365"] is True  # followed to day 366 (the later SHE)
    assert t["S2"]["she_free_90_365"] is False
    assert t["S3"]["she_free_90_365"] is True
    assert t["S4"]["she_free_90_365"] is True  # no events over a follow-up to day 365
    # nothing observed, but the format takes the events table as complete: never null for observed
    # data (docs/trial-data.md, "The SHE endpoint is never null")
    assert t["S5"]["she_free_90_365"] is True


def test_she_free_follow_up_rule_is_the_protocols_choice(tmp_path: Path) -> None:
    # Issue 18 vs the format: observed events are complete by definition (SHE-free never null) unless
    # the protocol sets min_follow_up_day; then a follow-up that ends before it is not decided.
    P = [person("F30"), person("F364"), person("F365"), person("F200_she")]
    labs = [
        lab("F30", 30, "HBA1C", 7.1),  # last record on day 30: the window starts on day 90
        lab("F364", 364, "HBA1C", 7.1),  # one day short of the window's last day
        lab("F365", 365, "HBA1C", 7.1),
    ]
    events = [event("F200_she", 120)]  # an SHE in the window decides "no" whatever follows
    t = _one(tmp_path, participants=P, labs=labs, events=events)
    assert {k: v["she_free_90_365"] for k, v in t.items()} == {
        "F30": True,
        "F364": True,
        "F365": True,
        "F200_she": False,
    }

    def rows(min_follow_up_day: int) -> dict[str, bool | None]:
        p = protocol_from_dict(
            {
                "name": "p",
                "title": "t",
                "primary_endpoint": "she",
                "cohort_groups": {"all": ["C"]},
                "endpoints": {
                    "she": {
                        "kind": "she_free",
                        "window": [90, 365],
                        "min_follow_up_day": min_follow_up_day,
                    }
                },
            }
        )
        ds = read_dataset(tmp_path)
        return {r["participant_id"]: r["she"] for r in binary_endpoints(ds, p).to_dicts()}

    assert rows(365) == {"F30": None, "F364": None, "F365": True, "F200_she": False}
    assert rows(335) == {"F30": None, "F364": True, "F365": True, "F200_she": False}


def test_second_infusion_does_not_move_day_0(tmp_path: Path) -> None:
    # Second infusion on day 100; an SHE on day 95 after the FIRST infusion (day -5 after the
    # second) is in [90, 365] → not SHE-free; HbA1c on day 179 (79 after the second) is outside
    # [180, 365] → no HbA1c in the window → null.
    P = [person("T1", second_infusion_date=on(100))]
    t = _one(
        tmp_path, participants=P, events=[event("T1", 95)], labs=[lab("T1", 179, "HBA1C", 6.0)]
    )
    assert t["T1"]["she_free_90_365"] is False
    assert t["T1"]["hba1c_response_180_365"] is None


def test_hba1c_response_window_edges(tmp_path: Path) -> None:
    P = [person(p) for p in ("H179", "H180", "H365", "H366")]
    labs = [
        lab("H179", 179, "HBA1C", 6.0),  # day 179: outside → null
        lab("H180", 180, "HBA1C", 6.0),  # day 180: inside, 6.0 < 7.0 → true
        lab("H365", 365, "HBA1C", 6.0),  # day 365: inside → true
        lab("H366", 366, "HBA1C", 6.0),  # day 366: outside → null
    ]
    t = _one(tmp_path, participants=P, labs=labs)
    assert [t[p]["hba1c_response_180_365"] for p in ("H179", "H180", "H365", "H366")] == [
        None,
        True,
        True,
        None,
    ]


def test_hba1c_fall_just_below_one_point_does_not_count(tmp_path: Path) -> None:
    P = [
        person("F1", baseline_hba1c_pct=8.0),
        person("F2", baseline_hba1c_pct=8.0),
        person("F3", baseline_hba1c_pct=8.1),
        person("F4", baseline_hba1c_pct=9.3),
    ]
    labs = [
        lab("F1", 200, "HBA1C", 7.0001),  # fall 0.9999 < 1.0, 7.0001 ≥ 7.0 → false
        lab("F2", 200, "HBA1C", 7.0),  # fall 8.0 − 7.0 = 1.0 exactly → true
        lab("F3", 200, "HBA1C", 7.1),  # 8.1 − 7.1 = 1.0 (0.9999999999999991 in binary) → true
        lab("F4", 250, "HBA1C", 8.4),  # fall 0.9 → false; a later 8.3 (fall 1.0) → true
        lab("F4", 300, "HBA1C", 8.3),
    ]
    t = _one(tmp_path, participants=P, labs=labs)
    assert t["F1"]["hba1c_response_180_365"] is False
    assert t["F2"]["hba1c_response_180_365"] is True
    assert t["F3"]["hba1c_response_180_365"] is True
    assert t["F4"]["hba1c_response_180_365"] is True


def test_hba1c_last_value_by_date(tmp_path: Path) -> None:
    # Rows in file order 390, 340, 400: the last by date inside [335, 395] is day 390 (7.4) → false,
    # although the row written last in the window (day 340, 6.1) is < 7.
    P = [person("L1"), person("L2")]
    labs = [
        lab("L1", 390, "HBA1C", 7.4),
        lab("L1", 340, "HBA1C", 6.1),
        lab("L1", 400, "HBA1C", 6.0),  # day 400 is outside [335, 395]
        lab("L2", 335, "HBA1C", 6.9),  # day 335 is inside → true
    ]
    t = _one(tmp_path, participants=P, labs=labs)
    assert t["L1"]["hba1c_lt7_day365"] is False
    assert t["L2"]["hba1c_lt7_day365"] is True


def test_insulin_rows_outside_window_ignored(tmp_path: Path) -> None:
    window = list(range(180, 366))
    P = [person("I1"), person("I2"), person("I3")]
    ins = (
        # insulin on days 179 and 366 (outside) and 0 U on all 186 window days → true
        insulin("I1", [179, 366], 10.0)
        + insulin("I1", window, 0.0)
        # 148 of 186 days = 79.6 % < 80 % (148.8 needed) → null; rows outside do not add coverage
        + insulin("I2", window[:148], 0.0)
        + insulin("I2", range(366, 400), 0.0)
        # 0.5 U on a single day, nothing else → false although coverage is 1/186
        + insulin("I3", [365], 0.5)
    )
    t = _one(tmp_path, participants=P, insulin=ins)
    assert t["I1"]["insulin_independent_180_365"] is True
    assert t["I2"]["insulin_independent_180_365"] is None
    assert t["I2"]["insulin_independent_180_365__days_recorded"] == 148
    assert t["I3"]["insulin_independent_180_365"] is False


def test_cgm_window_day_from_date_part(tmp_path: Path) -> None:
    # 23:55 on day 351 is outside [352, 365]; 00:00 on day 352 is inside. Day 352–365 at 5 min:
    # 4032 readings of 120 plus one 300 at 23:55 of day 351 → window TIR 100 %.
    P = [person("W1")]
    readings = cgm("W1", 351, 365, 120.0)
    readings[287] = {**readings[287], "glucose_mg_dl": 300}  # index 287 = 23:55 of day 351
    t = _one(tmp_path, participants=P, cgm=readings)
    assert t["W1"]["tir_gt70_day365__n_readings"] == 4032
    assert t["W1"]["tir_gt70_day365__tir_pct"] == pytest.approx(100.0)


def test_cgm_censored_values_and_range_limits(tmp_path: Path) -> None:
    # Cycle 39 (device "Low"), 401 ("High"), 70, 180, 120 ×6: 8 of 10 in [70, 180] → TIR 80 % > 70.
    # Cycle 39, 401, 69, 181, 120 ×6: 6 of 10 → 60 % → false.
    P = [person("G1"), person("G2")]
    # 4000 readings each (a multiple of the cycle), sufficiency 4000 × 5 / 20160 = 99 %.
    readings = cgm("G1", 352, 365, [39, 401, 70, 180] + [120] * 6, keep=4000) + cgm(
        "G2", 352, 365, [39, 401, 69, 181] + [120] * 6, keep=4000
    )
    t = _one(tmp_path, participants=P, cgm=readings)
    assert t["G1"]["tir_gt70_day365__tir_pct"] == pytest.approx(80.0)
    assert t["G1"]["tir_gt70_day365"] is True
    assert t["G2"]["tir_gt70_day365__tir_pct"] == pytest.approx(60.0)
    assert t["G2"]["tir_gt70_day365"] is False


def test_sampling_interval_median_of_even_count(tmp_path: Path) -> None:
    # Readings at 0, 5, 10, 25, 40 min: gaps 5, 5, 15, 15 → median of an even count is the mean of
    # the two middle gaps, (5 + 15) / 2 = 10 min.
    P = [person("M1")]
    t0 = dt.datetime(2024, 1, 1)
    readings = [
        {
            "participant_id": "M1",
            "time": (t0 + dt.timedelta(minutes=m)).isoformat(),
            "glucose_mg_dl": 100,
        }
        for m in (0, 5, 10, 25, 40)
    ]
    ds = read_dataset(write_dataset(tmp_path, participants=P, cgm=readings))
    assert dict(cgm_sampling_interval(ds.cgm).iter_rows())["M1"] == pytest.approx(10.0)


def test_c_peptide_day_1_counts_day_0_does_not(tmp_path: Path) -> None:
    P = [person("K1"), person("K2")]
    labs = [
        lab("K1", 0, "CPEP_STIM_PEAK", 300),  # day 0: not after day 0
        lab("K1", 1, "CPEP_FASTING", 0),  # day 1, below the assay limit → a result, not > 0
        lab("K2", 1, "CPEP_FASTING", 12),  # day 1, 12 pmol/L > 0 → detected
    ]
    t = _one(tmp_path, participants=P, labs=labs)
    assert t["K1"]["c_peptide_detected"] is False
    assert t["K2"]["c_peptide_detected"] is True


def test_insulin_reduction_missing_and_zero_baseline(tmp_path: Path) -> None:
    P = [
        person("R1", baseline_insulin_u_per_day=0.0),
        person("R2", baseline_insulin_u_per_day=40.0),
        person("R3", baseline_insulin_u_per_day=40.0),
    ]
    ins = insulin("R1", range(352, 366), 2.0) + insulin("R3", [352, 365], 10.0)
    ins += insulin("R3", [351, 366], 40.0)  # outside [352, 365]: ignored
    ds = read_dataset(write_dataset(tmp_path, participants=P, insulin=ins))
    rows = {r["participant_id"]: r for r in continuous_endpoints(ds, load_protocol()).to_dicts()}
    assert rows["R1"]["insulin_reduction_day365"] is None  # baseline 0: no division
    assert rows["R2"]["insulin_reduction_day365"] is None  # no rows in [352, 365]
    # mean of the 2 recorded days = 10 U/day; 1 − 10/40 = 0.75
    assert rows["R3"]["insulin_reduction_day365"] == pytest.approx(0.75)


def test_tir_threshold_compared_on_counts(tmp_path: Path) -> None:
    # A protocol with TIR > 55 %: 11 of every 20 readings in range is exactly 55 %, which is not
    # > 55 % (strict). As a float, 11 / 20 × 100 = 55.00000000000001, so the comparison must be made
    # on the counts (11 × 100 > 55 × 20 is false), not on the rounded percentage.
    proto = protocol_from_dict(
        {
            "name": "tir55",
            "primary_endpoint": "tir",
            "cohort_groups": {"C": ["C"]},
            "endpoints": {
                "tir": {
                    "kind": "tir_above",
                    "window": [352, 365],
                    "above_pct": 55.0,
                    "min_sufficiency": 0.7,
                }
            },
        }
    )
    cycle = [120] * 11 + [250] * 9  # 11 of 20 in range
    P = [person("N1")]
    ds = read_dataset(
        write_dataset(tmp_path, participants=P, cgm=cgm("N1", 352, 365, cycle, keep=4000))
    )
    row = binary_endpoints(ds, proto).to_dicts()[0]
    assert row["tir__n_readings"] == 4000
    assert row["tir"] is False


def test_single_cgm_reading_has_no_sufficiency(tmp_path: Path) -> None:
    # One reading in all of the participant's CGM data: there is no difference between consecutive
    # readings, so the sampling interval and the data sufficiency are undefined. One 5-min reading
    # is certainly not ≥ 70 % of 14 days → TIR > 70 % is null (cannot be decided), not true, and
    # the day-365 TIR value is not reported.
    P = [person("O1")]
    ds = read_dataset(
        write_dataset(tmp_path, participants=P, cgm=cgm("O1", 352, 352, 120.0, keep=1))
    )
    row = binary_endpoints(ds, load_protocol()).to_dicts()[0]
    assert row["tir_gt70_day365__n_readings"] == 1
    assert row["tir_gt70_day365__sufficiency_pct"] is None
    assert row["tir_gt70_day365"] is None
    assert continuous_endpoints(ds, load_protocol()).to_dicts()[0]["tir_day365_pct"] is None


def test_cgm_endpoints_use_the_cgm_engine_definitions() -> None:
    # TIR, time < 54 and sufficiency of a trial window come from the CGM engine's definitions
    # (endolab.cgm.metrics), so they equal the engine's consensus ranges and its per-period
    # active % (manual mode) on the same readings: a change of a consensus rule changes both
    import numpy as np

    from endolab.cgm import metrics as m
    from endolab.trial.endpoints import cgm_window_stats

    rng = np.random.default_rng(7)
    n = 14 * 288 - 500
    glucose = np.clip(np.round(rng.normal(140, 60, n)), 40, 400)
    glucose[:5] = [54.0, 70.0, 180.0, 180.5, 53.9]  # the boundaries of the bands
    t0 = dt.datetime(2025, 1, 1)
    times = [t0 + dt.timedelta(minutes=5 * k) for k in range(n)]
    trial_cgm = pl.DataFrame(
        {
            "participant_id": ["P1"] * n,
            "time": times,
            "day": [(t - t0).days + 352 for t in times],
            "glucose_mg_dl": glucose,
        }
    )
    intervals = cgm_sampling_interval(trial_cgm)
    stats = cgm_window_stats(trial_cgm, intervals, (352, 365)).row(0, named=True)

    frame = pl.DataFrame(
        {"id": ["P1"] * n, "time": times, "gl": glucose, "censored": [0] * n},
        schema={"id": pl.String, "time": pl.Datetime("us"), "gl": pl.Float64, "censored": pl.Int8},
    )
    ranges = m.consensus_ranges(frame, minutes_per_day=False).row(0, named=True)
    assert stats["tir_pct"] == ranges["tir_70_180"]
    assert stats["below54_pct"] == ranges["tbr_54"]
    active = m.active_percent(frame, dt0=5.0, period_minutes=14 * 1440).row(0, named=True)
    assert stats["sufficiency"] == pytest.approx(active["active_percent"] / 100, rel=1e-15)
    assert stats["sufficiency"] == n * 5 / (14 * 1440)  # 3532 readings × 5 min / 20160 min
