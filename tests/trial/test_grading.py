"""Graft-function classifications on hand-built inputs at and around every cut-off."""

from __future__ import annotations

import math
from typing import Any

import pytest

from endolab.trial.grading import (
    beta2_forbes_2016,
    beta_score_ryan_2005,
    igls1_rickels_2018,
    igls2_beta_cell_landstra_2021,
    igls2_outcome_landstra_2021,
)

IGLS1: dict[str, Any] = dict(
    hba1c_pct=6.0,
    she_events=0,
    she_rate_per_year=0.0,
    baseline_she_per_year=4.0,
    insulin_none=True,
    insulin_u_kg_day=0.0,
    baseline_insulin_u_kg_day=0.6,
    c_peptide_pmol_l=500.0,
    baseline_c_peptide_pmol_l=0.0,
)


def igls1(**kw: Any) -> Any:
    return igls1_rickels_2018(**{**IGLS1, **kw})


def test_igls1_grades() -> None:
    assert igls1().grade == "optimal"
    assert igls1(hba1c_pct=6.5).grade == "optimal"  # ≤ 6.5 includes 6.5
    # 6.6 > 6.5 → not optimal; 6.6 < 7.0, insulin 0 < 0.3 → good
    g = igls1(hba1c_pct=6.6)
    assert g.grade == "good" and "not optimal: HbA1c 6.6 % > 6.5 %" in g.reason
    # insulin 0.29 U/kg/d < 50 % of 0.6 = 0.30 → good; 0.30 is not < 0.30 → marginal
    assert igls1(insulin_none=False, insulin_u_kg_day=0.29).grade == "good"
    assert igls1(insulin_none=False, insulin_u_kg_day=0.30).grade == "marginal"
    # HbA1c exactly 7.0 is not < 7.0 → not good; SHE rate 0 < 4 and C-peptide > 0 → marginal
    assert igls1(hba1c_pct=7.0, insulin_none=False, insulin_u_kg_day=0.1).grade == "marginal"
    # one SHE → neither optimal nor good; rate 1.33/year < 4 → marginal
    assert igls1(she_events=1, she_rate_per_year=1.33).grade == "marginal"
    # rate 5 ≥ baseline 4 → failure
    assert igls1(she_events=4, she_rate_per_year=5.0).grade == "failure"
    # C-peptide 0 = baseline → failure whatever else
    f = igls1(c_peptide_pmol_l=0.0)
    assert f.grade == "failure" and "C-peptide 0 pmol/L ≤ 0 pmol/L (baseline)" in f.reason


def test_igls1_missing_data() -> None:
    g = igls1(hba1c_pct=None)
    assert g.grade is None and "HbA1c unknown" in g.reason
    # No C-peptide: cannot tell optimal from failure
    assert igls1(c_peptide_pmol_l=None).grade is None
    # Missing HbA1c does not matter once SHE and C-peptide rule out everything but failure
    assert igls1(hba1c_pct=None, c_peptide_pmol_l=0.0).grade == "failure"


OUT: dict[str, Any] = dict(
    hba1c_pct=6.2,
    tir_pct=85.0,
    below54_pct=0.0,
    she_events=0,
    she_rate_per_year=0.0,
    baseline_hba1c_pct=8.0,
    baseline_tir_pct=50.0,
    baseline_below54_pct=3.0,
    baseline_she_per_year=3.0,
)


def out(**kw: Any) -> Any:
    return igls2_outcome_landstra_2021(**{**OUT, **kw})


def test_igls2_outcome() -> None:
    assert out().grade == "optimal"
    assert out(tir_pct=80.0).grade == "optimal"  # ≥ 80 includes 80
    assert out(tir_pct=79.9).grade == "good"
    assert out(below54_pct=0.5).grade == "good"  # > 0 → not optimal; < 1 → good
    assert out(below54_pct=1.0).grade == "marginal"  # 1.0 is not < 1 → marginal (1 < 3)
    assert out(tir_pct=70.0, hba1c_pct=6.9).grade == "good"
    assert out(tir_pct=69.9).grade == "marginal"
    # TIR not above baseline → failure
    assert out(tir_pct=50.0).grade == "failure"
    # HbA1c above baseline → failure
    assert out(hba1c_pct=8.1, tir_pct=60.0).grade == "failure"
    # HbA1c equal to baseline satisfies "≤ baseline"
    assert (
        out(hba1c_pct=8.0, tir_pct=60.0, below54_pct=2.0, she_events=1, she_rate_per_year=1).grade
        == "marginal"
    )


def test_igls2_outcome_missing_cgm() -> None:
    g = out(tir_pct=None, below54_pct=None)
    assert g.grade is None and "TIR unknown" in g.reason
    # an SHE rules out optimal and good without CGM; marginal then needs CGM → still not graded
    assert out(tir_pct=None, below54_pct=None, she_events=1, she_rate_per_year=1.0).grade is None
    # HbA1c above baseline rules out every grade → failure even without CGM
    assert out(tir_pct=None, below54_pct=None, hba1c_pct=9.0).grade == "failure"


def beta_cell(f: float | None, s: float | None, ins: bool | None = False) -> Any:
    return igls2_beta_cell_landstra_2021(
        c_peptide_fasting_pmol_l=f, c_peptide_stim_pmol_l=s, insulin_none=ins
    ).grade


def test_igls2_beta_cell_cutoffs() -> None:
    # 0.17 nmol/L = 170 pmol/L: "good" needs stimulated > 170
    assert beta_cell(None, 171.0) == "good"
    assert beta_cell(None, 170.0) == "marginal"
    assert beta_cell(None, 100.0) == "marginal"  # 0.10 nmol/L is the lower end of marginal
    assert beta_cell(None, 99.0) == "failure"
    assert beta_cell(70.0, None) == "good"  # fasting ≥ 0.07 nmol/L
    assert beta_cell(69.0, None) == "marginal"
    assert beta_cell(40.0, None) == "marginal"
    assert beta_cell(39.0, None) == "failure"
    assert beta_cell(39.0, 171.0) == "good"  # the better of the two measures [A]
    assert beta_cell(10.0, 50.0, True) == "optimal"  # detectable and no insulin
    assert beta_cell(0.0, 0.0, True) == "failure"
    assert beta_cell(None, None) is None
    assert beta_cell(10.0, None, None) is None  # detectable, insulin unknown → optimal undecided


def test_beta_score_hand() -> None:
    # FPG 99 mg/dL = 5.5 mmol/L → 2; HbA1c 6.1 → 2; insulin 0 → 2; stim 300 pmol/L = 0.3 nmol/L → 2
    score, reason = beta_score_ryan_2005(
        fasting_glucose_mg_dl=99.0, hba1c_pct=6.1, insulin_u_kg_day=0.0, c_peptide_stim_pmol_l=300.0
    )
    assert score == 8, reason
    # FPG 108 = 6.0 → 1; HbA1c 6.5 → 1; insulin 0.2 → 1; stim 150 = 0.15 → 1: total 4
    assert (
        beta_score_ryan_2005(
            fasting_glucose_mg_dl=108.0,
            hba1c_pct=6.5,
            insulin_u_kg_day=0.2,
            c_peptide_stim_pmol_l=150.0,
        )[0]
        == 4
    )
    # FPG 126 = 7.0 → 0; HbA1c 7.0 → 0; insulin 0.25 → 0; stim 0.3 → 2: total 2
    assert (
        beta_score_ryan_2005(
            fasting_glucose_mg_dl=126.0,
            hba1c_pct=7.0,
            insulin_u_kg_day=0.25,
            c_peptide_stim_pmol_l=300.0,
        )[0]
        == 2
    )
    # stimulated C-peptide < 0.1 nmol/L → total 0 whatever else (even with other data missing)
    assert (
        beta_score_ryan_2005(
            fasting_glucose_mg_dl=None,
            hba1c_pct=None,
            insulin_u_kg_day=None,
            c_peptide_stim_pmol_l=90.0,
        )[0]
        == 0
    )
    # no stimulated value but fasting ≥ 0.3 nmol/L counts as 2 points
    assert (
        beta_score_ryan_2005(
            fasting_glucose_mg_dl=90.0,
            hba1c_pct=5.5,
            insulin_u_kg_day=0.0,
            c_peptide_stim_pmol_l=None,
            c_peptide_fasting_pmol_l=300.0,
        )[0]
        == 8
    )
    missing = beta_score_ryan_2005(
        fasting_glucose_mg_dl=None, hba1c_pct=6.0, insulin_u_kg_day=0.0, c_peptide_stim_pmol_l=400.0
    )
    assert missing[0] is None and "fasting glucose" in missing[1]


def test_beta2_hand() -> None:
    # C-peptide 0.5 nmol/L, insulin 0.2 U/kg/d, FPG 126 mg/dL = 7.0 mmol/L, HbA1c 6.0 %:
    # sqrt(0.5 × 0.8) / (7.0 × 6.0) × 1000 = 0.632456 / 42 × 1000 = 15.0585
    value, reason = beta2_forbes_2016(
        c_peptide_fasting_pmol_l=500.0,
        insulin_u_kg_day=0.2,
        fasting_glucose_mg_dl=126.0,
        hba1c_pct=6.0,
    )
    assert value == pytest.approx(math.sqrt(0.4) / 42 * 1000)
    assert round(value, 4) == 15.0585
    assert "unverified" in reason
    assert (
        beta2_forbes_2016(
            c_peptide_fasting_pmol_l=500.0,
            insulin_u_kg_day=1.2,
            fasting_glucose_mg_dl=126.0,
            hba1c_pct=6.0,
        )[0]
        is None
    )
    assert (
        beta2_forbes_2016(
            c_peptide_fasting_pmol_l=None,
            insulin_u_kg_day=0.0,
            fasting_glucose_mg_dl=90.0,
            hba1c_pct=6.0,
        )[0]
        is None
    )


# --- issue 12: C-peptide columns, the Igls 1.0 footnote, unknown baseline, decisive precision ---
# Cut-offs in pmol/L written out by hand from the Igls tables (Landstra 2021 Table 2):
#   nmol/L column: 0.17, 0.10, 0.07, 0.04 nmol/L × 1000 = 170, 100, 70, 40
#   ng/mL column:  0.5, 0.3, 0.2, 0.1 ng/mL × 331 pmol/L per ng/mL = 165.5, 99.3, 66.2, 33.1
COLUMNS = {
    "nmol_l": {"stim_good": 170.0, "stim_marg": 100.0, "fast_good": 70.0, "fast_marg": 40.0},
    "ng_ml": {"stim_good": 165.5, "stim_marg": 99.3, "fast_good": 66.2, "fast_marg": 33.1},
}
EPS = 0.01  # pmol/L, far below any assay's resolution, far above float error


def beta_cell_col(column: str, fasting: float | None = None, stim: float | None = None) -> Any:
    return igls2_beta_cell_landstra_2021(
        c_peptide_fasting_pmol_l=fasting,
        c_peptide_stim_pmol_l=stim,
        insulin_none=False,
        c_peptide_column=column,
    )


@pytest.mark.parametrize("column", ["nmol_l", "ng_ml"])
def test_igls2_beta_cell_both_edges_of_every_cutoff(column: str) -> None:
    c = COLUMNS[column]
    # stimulated: good is "> cut", so the cut itself is marginal; marginal is "≥ cut"
    assert beta_cell_col(column, stim=c["stim_good"] + EPS).grade == "good"
    assert beta_cell_col(column, stim=c["stim_good"]).grade == "marginal"
    assert beta_cell_col(column, stim=c["stim_marg"]).grade == "marginal"
    assert beta_cell_col(column, stim=c["stim_marg"] - EPS).grade == "failure"
    # fasting: good "≥ cut", marginal "≥ cut"
    assert beta_cell_col(column, fasting=c["fast_good"]).grade == "good"
    assert beta_cell_col(column, fasting=c["fast_good"] - EPS).grade == "marginal"
    assert beta_cell_col(column, fasting=c["fast_marg"]).grade == "marginal"
    assert beta_cell_col(column, fasting=c["fast_marg"] - EPS).grade == "failure"


def test_columns_disagree_between_33_and_40_pmol_l() -> None:
    # the example: fasting C-peptide 35 pmol/L flips marginal ↔ failure with the column
    assert beta_cell_col("ng_ml", fasting=35.0).grade == "marginal"
    assert beta_cell_col("nmol_l", fasting=35.0).grade == "failure"
    # the reason prints the cut-off of the column used
    assert "≥ 33.1 pmol/L" in beta_cell_col("ng_ml", fasting=35.0).reason
    assert "< 40 pmol/L" in beta_cell_col("nmol_l", fasting=35.0).reason


def test_unknown_column_is_refused() -> None:
    with pytest.raises(ValueError, match="c_peptide_column"):
        beta_cell_col("mg_dl", fasting=35.0)


@pytest.mark.parametrize(("column", "floor"), [("nmol_l", 170.0), ("ng_ml", 165.5)])
def test_igls1_footnote_both_edges(column: str, floor: float) -> None:
    assert igls1(c_peptide_pmol_l=floor + EPS, c_peptide_column=column).grade == "optimal"
    g = igls1(c_peptide_pmol_l=floor, c_peptide_column=column)
    assert g.grade == "failure" and "(footnote" in g.reason


def test_igls1_footnote_moves_a_grade() -> None:
    # C-peptide 120 pmol/L > baseline 0: optimal without the footnote, failure with it (≤ 170)
    assert igls1(c_peptide_pmol_l=120.0, c_peptide_footnote=False).grade == "optimal"
    g = igls1(c_peptide_pmol_l=120.0)
    assert g.grade == "failure"
    assert "C-peptide 120 pmol/L ≤ 170 pmol/L (footnote, 0.17 nmol/L)" in g.reason


def test_igls1_missing_baseline_c_peptide_is_unknown_not_zero() -> None:
    # a trace of C-peptide (20 pmol/L) used to beat the default baseline 0 and earn "optimal"
    g = igls1(c_peptide_pmol_l=20.0, baseline_c_peptide_pmol_l=None, c_peptide_footnote=False)
    assert g.grade is None and "not graded" in g.reason and "baseline unknown" in g.reason
    # where it does not matter, it is graded: undetectable C-peptide exceeds no baseline …
    assert igls1(c_peptide_pmol_l=0.0, baseline_c_peptide_pmol_l=None).grade == "failure"
    # … and with the footnote a value ≤ 170 pmol/L fails whatever the baseline
    assert igls1(c_peptide_pmol_l=20.0, baseline_c_peptide_pmol_l=None).grade == "failure"
    # above the footnote's floor the baseline decides → not graded
    assert igls1(c_peptide_pmol_l=500.0, baseline_c_peptide_pmol_l=None).grade is None


def test_reasons_print_the_deciding_precision() -> None:
    g = igls2_outcome_landstra_2021(
        hba1c_pct=6.3,
        tir_pct=79.96,
        below54_pct=0.0,
        she_events=0,
        she_rate_per_year=0.0,
        baseline_hba1c_pct=7.9,
        baseline_tir_pct=45.0,
        baseline_below54_pct=3.0,
        baseline_she_per_year=4,
    )
    assert g.grade == "good"
    assert "TIR 79.96 % < 80 %" in g.reason
    assert "TIR 80 % < 80 %" not in g.reason
    # HbA1c 6.54 > 6.5, not "6.5 % > 6.5 %"
    h = igls1(hba1c_pct=6.54)
    assert "HbA1c 6.54 % > 6.5 %" in h.reason


@pytest.mark.parametrize(
    ("fpg_mmol_l", "points"),
    # Ryan 2005 (abstract): 2 for normal FPG (table ≤ 5.5 mmol/L), 0 in the diabetic range
    # (≥ 7.0), "one point for intermediate values"
    [(5.5, 2), (5.54, 1), (5.55, 1), (5.6, 1), (6.9, 1), (6.95, 1), (6.99, 1), (7.0, 0)],
)
def test_beta_score_fpg_gaps_are_intermediate(fpg_mmol_l: float, points: int) -> None:
    score, reason = beta_score_ryan_2005(
        fasting_glucose_mg_dl=fpg_mmol_l * 18.0,
        hba1c_pct=5.0,
        insulin_u_kg_day=0.0,
        c_peptide_stim_pmol_l=500.0,
    )
    assert score == points + 2 + 2 + 2, reason


@pytest.mark.parametrize(
    ("a1c", "points"),
    # 2 for ≤ 6.1 %, 0 for "HbA1c > 6.9 %" (abstract), 1 between
    [(6.1, 2), (6.14, 1), (6.15, 1), (6.2, 1), (6.9, 1), (6.94, 0), (6.95, 0), (7.0, 0)],
)
def test_beta_score_hba1c_gaps(a1c: float, points: int) -> None:
    score, _ = beta_score_ryan_2005(
        fasting_glucose_mg_dl=90.0, hba1c_pct=a1c, insulin_u_kg_day=0.0, c_peptide_stim_pmol_l=500.0
    )
    assert score == 2 + points + 2 + 2


@pytest.mark.parametrize(
    ("stim_pmol_l", "total"),
    # ≥ 0.3 nmol/L → 2, < 0.1 ("absent") → total score 0, between → 1
    [(300.0, 8), (299.9, 7), (295.0, 7), (100.0, 7), (99.9, 0)],
)
def test_beta_score_c_peptide_gaps(stim_pmol_l: float, total: int) -> None:
    score, _ = beta_score_ryan_2005(
        fasting_glucose_mg_dl=90.0,
        hba1c_pct=5.0,
        insulin_u_kg_day=0.0,
        c_peptide_stim_pmol_l=stim_pmol_l,
    )
    assert score == total


@pytest.mark.parametrize(
    ("dose", "points"),
    # none → 2, "in excess of 0.24 units/kg" → 0, between → 1
    [(0.0, 2), (0.004, 1), (0.24, 1), (0.245, 0), (0.25, 0)],
)
def test_beta_score_insulin_gaps(dose: float, points: int) -> None:
    score, _ = beta_score_ryan_2005(
        fasting_glucose_mg_dl=90.0, hba1c_pct=5.0, insulin_u_kg_day=dose, c_peptide_stim_pmol_l=500
    )
    assert score == 2 + 2 + points + 2
