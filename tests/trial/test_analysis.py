"""Grading wired to the dataset: visit windows, baselines, insulin per kg, missing data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from endolab.trial.analysis import analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import load_protocol
from tests.trial.builders import cgm, event, insulin, lab, person, write_dataset


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Any:
    P = [
        person("G1", "C", baseline_insulin_u_per_day=42.0, weight_kg=70.0, baseline_hba1c_pct=8.0),
        person("G2", "C", baseline_insulin_u_per_day=42.0, weight_kg=70.0),
        person("G3", "B"),
    ]
    labs = []
    for pid in ("G1", "G2"):
        labs += [
            lab(pid, -10, "CPEP_FASTING", 0),
            lab(pid, 360, "HBA1C", 6.0),
            lab(pid, 360, "GLUCOSE_FASTING", 90),  # 5.0 mmol/L
            lab(pid, 360, "CPEP_FASTING", 400),  # 0.4 nmol/L
            lab(pid, 360, "CPEP_STIM_PEAK", 900),
        ]
    ins = insulin("G1", range(352, 366), 0.0)
    # G2: 7 U/day on every day of the visit window: 7 / 70 kg = 0.1 U/kg/day (< 50 % of 0.6)
    ins += insulin("G2", range(352, 366), 7.0)
    readings = []
    for pid in ("G1", "G2"):
        readings += cgm(pid, -14, -1, [50, 100, 150, 250]) + cgm(pid, 352, 365, [100, 150])
    events = [event("G2", 200)]  # an SHE in the day-365 SHE window [90, 365]
    folder = write_dataset(
        tmp_path_factory.mktemp("grading"),
        participants=P,
        labs=labs,
        insulin=ins,
        cgm=readings,
        events=events,
    )
    return analyze(read_dataset(folder), load_protocol())


def _rec(result: Any, pid: str) -> dict[str, Any]:
    return {r["participant_id"]: r for r in result.participant_records()}[pid]


def test_full_function(result: Any) -> None:
    r = _rec(result, "G1")
    # HbA1c 6.0 ≤ 6.5, TIR 100 % ≥ 80, no SHE in [90, 365], no reading < 54 → optimal (both)
    assert r["igls1_outcome"] == "optimal"
    assert r["igls2_outcome"] == "optimal"
    assert r["igls2_beta_cell_function"] == "optimal"
    # β-score: FPG 5.0 → 2, HbA1c 6.0 → 2, insulin 0 → 2, stim 0.9 nmol/L → 2
    assert r["beta_score"] == 8
    # BETA-2 = sqrt(0.4 × 1) / (5.0 × 6.0) × 1000 = 0.632456 / 30 × 1000 = 21.0819
    assert r["beta2"] == pytest.approx(21.0819, abs=1e-4)
    visit = next(v for v in r["visits"] if v["day"] == 365)
    assert visit["inputs"]["baseline_tir_pct"] == pytest.approx(50.0)  # 100 and 150 of 4
    assert visit["inputs"]["baseline_below54_pct"] == pytest.approx(25.0)  # 50 of 4


def test_insulin_and_she(result: Any) -> None:
    r = _rec(result, "G2")
    # one SHE → not optimal/good; rate 1 × 365.25 / 276 = 1.32/yr < 3 → marginal (Igls 1.0)
    assert r["igls1_outcome"] == "marginal"
    assert "1 severe hypoglycaemic event(s) in days 90–365" in r["igls1_reason"]
    # Igls 2.0: marginal needs HbA1c ≤ 7.8, TIR > 50, rate < 3, time < 54 (0) < 25 → marginal
    assert r["igls2_outcome"] == "marginal"
    # insulin used → β-cell function not optimal; fasting 400 ≥ 70 → good
    assert r["igls2_beta_cell_function"] == "good"
    # 0.1 U/kg/day → 1 point: 2 + 2 + 1 + 2 = 7
    assert r["beta_score"] == 7
    visit = next(v for v in r["visits"] if v["day"] == 365)
    assert visit["inputs"]["insulin_u_kg_day"] == pytest.approx(0.1)


def test_no_data_is_not_graded(result: Any) -> None:
    r = _rec(result, "G3")
    assert r["igls1_outcome"] is None and r["igls1_reason"].startswith("not graded")
    assert r["igls2_outcome"] is None
    assert r["beta_score"] is None and r["beta2"] is None
    counts = result.cohorts["B"]["igls2_outcome_day365"]
    assert counts["not_graded"] == 1
    assert result.cohorts["C"]["igls1_outcome_day365"] == {
        "optimal": 1,
        "good": 0,
        "marginal": 1,
        "failure": 0,
        "not_graded": 0,
    }


def test_stray_cohort_notice(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path, participants=[person("Z1", "D")])
    res = analyze(read_dataset(folder), load_protocol())
    (notice,) = [n for n in res.notices if "cohort(s) D" in n.message]
    assert (notice.code, notice.severity, notice.field) == (
        "I_TRIAL_COHORT_NOT_SUMMARISED",
        "I",
        "cohort",
    )
    assert notice.as_dict() in res.endpoints_json()["notices"]
    assert res.cohorts["B+C"]["primary"]["N"] == 0


def test_zimislecel_like_cohort(tmp_path: Path) -> None:
    """12 full-dose participants shaped like the NEJM 2025 results: all SHE-free from day 90 with
    HbA1c < 7 %, 10 of 12 insulin-independent. Expected: primary 12/12, CI [0.7354, 1.0];
    insulin independence 10/12, CI [0.5159, 0.9791] (Clopper–Pearson, see test_stats.py)."""
    P, labs, ins = [], [], []
    for i in range(12):
        pid = f"Z{i:02d}"
        P.append(person(pid, "B" if i < 5 else "C"))
        labs.append(lab(pid, 180, "HBA1C", 6.2))
        labs.append(lab(pid, 365, "HBA1C", 6.0))
        ins += insulin(pid, range(180, 366), 0.0 if i < 10 else 4.0)
    folder = write_dataset(tmp_path, participants=P, labs=labs, insulin=ins)
    bc = analyze(read_dataset(folder), load_protocol()).cohorts["B+C"]
    assert (bc["primary"]["n"], bc["primary"]["N"]) == (12, 12)
    assert [round(x, 4) for x in bc["primary"]["ci95"]] == [0.7354, 1.0]
    ii = bc["insulin_independent_180_365"]
    assert (ii["n"], ii["N"], ii["missing"]) == (10, 12, 0)
    assert [round(x, 4) for x in ii["ci95"]] == [0.5159, 0.9791]
    assert bc["hba1c_lt7_day365"]["n"] == 12
    assert bc["tir_gt70_day365"]["missing"] == 12  # no CGM in this cohort → null, counted in N


def test_stray_cohort_is_listed_per_participant(tmp_path: Path) -> None:
    # Cohort D is in no group of zimislecel-2025: not summarised, but listed with its endpoints
    # (SHE on day 100 → not SHE-free → primary false by three-valued AND).
    folder = write_dataset(
        tmp_path, participants=[person("Z1", "D"), person("C1", "C")], events=[event("Z1", 100)]
    )
    doc = analyze(read_dataset(folder), load_protocol()).endpoints_json()
    rows = {r["participant_id"]: r for r in doc["participants"]}
    assert rows["Z1"]["cohort"] == "D"
    assert rows["Z1"]["she_free_90_365"] is False and rows["Z1"]["primary"] is False
    assert doc["cohorts"]["B+C"]["primary"]["N"] == 1  # C1 only
