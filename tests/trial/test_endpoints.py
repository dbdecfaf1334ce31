"""Endpoints on a small cohort built so that every answer is known by construction.

Every participant isolates one edge of specs/trial-data.md; the expected value is argued in the
comment next to it (no expected value here comes from running endolab).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from endolab.trial.analysis import analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.endpoints import binary_endpoints, cgm_sampling_interval, continuous_endpoints
from endolab.trial.protocol import load_protocol
from tests.trial.builders import cgm, event, insulin, lab, person, write_dataset

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
    assert all(r["she_free_90_365"] is not None for r in table.values())


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
    assert row["she_free_90_365"] is True
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
