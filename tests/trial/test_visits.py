"""Graft function at every visit: Igls 1.0, Igls 2.0, β-score and the registry's state, graded by
hand from the criteria of docs/methods/trial.md §2.1 (Igls 1.0), docs/methods/trial.md §2.2
(Igls 2.0), docs/methods/trial.md §3.1 (β-score) and docs/methods/trial.md §4.8 (state), on two
participants and the default protocol's visits 90, 180 and 365.

Visit windows (zimislecel-2025): day 90 — labs 60–120, SHE 1–90, CGM and insulin 77–90; day 180 —
labs 150–210, SHE 90–180, CGM and insulin 167–180; day 365 — labs 335–395, SHE 90–365, CGM and
insulin 352–365. No expected value below comes from running endolab.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from endolab.trial.analysis import TrialAnalysis, analyze
from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import load_protocol
from endolab.trial.tables import to_markdown, visit_table
from tests.trial.builders import cgm, event, insulin, lab, person, write_dataset

# P1: 70 kg, baseline insulin 42 U/day = 0.6 U/kg/day, HbA1c 8.0 %, 4 SHE/year; C-peptide 0
# (undetectable) before the infusion; baseline CGM (days −14 to −1, every 15 min) cycles
# 50, 100, 250, 250 mg/dL: TIR 25 %, time < 54 mg/dL 25 %.
# P2: no C-peptide ever, no CGM; insulin only around day 90.
EXPECTED: dict[str, dict[int, dict[str, Any]]] = {
    "P1": {
        # HbA1c 7.2; stimulated 150, fasting 50 pmol/L; FPG 130 mg/dL; 12 U/day (0.171 U/kg/day);
        # no SHE; CGM 120 mg/dL (TIR 100 %, < 54: 0 %).
        90: {
            # Igls 1.0: optimal/good need HbA1c ≤ 6.5 / < 7.0 → 7.2 fails both; marginal needs
            # C-peptide > baseline (150 > 0 yes) AND > 0.17 nmol/L = 170 pmol/L (150, no) → failure.
            "igls1_outcome": "failure",
            # Igls 2.0: HbA1c 7.2 rules out optimal and good; marginal: 7.2 ≤ 8.0, TIR 100 > 25,
            # SHE 0 < 4/year, < 54 0 < 25 → marginal.
            "igls2_outcome": "marginal",
            # β-cell: insulin taken → not optimal; stimulated 150 ≤ 170 and fasting 50 < 70 → not
            # good; stimulated 150 ≥ 100 → marginal.
            "igls2_beta_cell_function": "marginal",
            # β-score: FPG 130/18 = 7.2 mmol/L ≥ 7.0 → 0; HbA1c 7.2 > 6.9 → 0; 0.171 U/kg/day
            # (0 < x ≤ 0.24) → 1; stimulated 0.15 nmol/L (0.1–0.3) → 1; total 2.
            "beta_score": 2,
            # state: C-peptide 150 ≥ 99.3 pmol/L (0.3 ng/mL), insulin taken → graft functioning.
            "state": "graft_functioning",
        },
        # HbA1c 6.4; stimulated 600, fasting 250; FPG 90 mg/dL; no insulin on 14 of 14 days;
        # no SHE in 90–180; CGM 120 mg/dL.
        180: {
            # 6.4 ≤ 6.5, no SHE, no insulin, C-peptide 600 > 0 and > 170 → optimal.
            "igls1_outcome": "optimal",
            # 6.4 ≤ 6.5, TIR 100 ≥ 80, no SHE, < 54 = 0 → optimal.
            "igls2_outcome": "optimal",
            # detectable and no insulin → optimal.
            "igls2_beta_cell_function": "optimal",
            # FPG 5.0 ≤ 5.5 → 2; HbA1c 6.4 (6.2–6.9) → 1; no insulin → 2; stim 0.6 ≥ 0.3 → 2: 7.
            "beta_score": 7,
            # no exogenous insulin, C-peptide ≥ 99.3 → insulin independent.
            "state": "insulin_independent",
        },
        # HbA1c 6.8; stimulated 80, fasting 20; FPG 160; 30 U/day; one SHE on day 300;
        # CGM cycles 50, 100, 100, 100 (TIR 75 %, < 54: 25 %).
        365: {
            # SHE rules out optimal and good; marginal: SHE rate 1 × 365.25 / 276 = 1.32 < 4 yes,
            # C-peptide 80 > 0 yes but not > 170 → failure.
            "igls1_outcome": "failure",
            # HbA1c 6.8 > 6.5 and an SHE: not optimal, not good; marginal needs < 54 25 % below
            # the baseline 25 % → no → failure.
            "igls2_outcome": "failure",
            # insulin taken; 80 ≤ 170 and 20 < 70; 80 < 100 and 20 < 40 → failure.
            "igls2_beta_cell_function": "failure",
            # stimulated 0.08 nmol/L < 0.1 → total score 0.
            "beta_score": 0,
            # C-peptide 80 < 99.3 → graft failed.
            "state": "graft_failed",
        },
    },
    "P2": {
        # no labs, no CGM; 10 U/day (0.143 U/kg/day, half of baseline 0.571 is 0.286), no SHE.
        90: {
            # optimal: insulin taken → out; good: HbA1c and C-peptide unknown, none false →
            # cannot be ruled in or out → not graded.
            "igls1_outcome": None,
            # optimal: HbA1c, TIR, < 54 unknown, none false → not graded.
            "igls2_outcome": None,
            # optimal: insulin taken → out; good: no C-peptide measured → not graded.
            "igls2_beta_cell_function": None,
            # no stimulated (or fasting) C-peptide → no β-score.
            "beta_score": None,
            # no C-peptide and insulin taken → not graded.
            "state": None,
        },
        # no data at all: everything unknown.
        180: {"igls1_outcome": None, "igls2_outcome": None, "beta_score": None, "state": None},
        365: {"igls1_outcome": None, "igls2_outcome": None, "beta_score": None, "state": None},
    },
}


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> TrialAnalysis:
    folder = tmp_path_factory.mktemp("visits") / "trial"
    people = [
        person(
            "P1",
            "C",
            weight_kg=70.0,
            baseline_insulin_u_per_day=42.0,
            baseline_hba1c_pct=8.0,
            baseline_she_per_year=4,
        ),
        person("P2", "C", weight_kg=70.0, baseline_insulin_u_per_day=40.0),
    ]
    labs = [
        lab("P1", -10, "CPEP_FASTING", 0),
        lab("P1", -10, "CPEP_STIM_PEAK", 0),
        *[
            lab("P1", day, test, value)
            for day, values in {
                90: (7.2, 150, 50, 130),
                180: (6.4, 600, 250, 90),
                365: (6.8, 80, 20, 160),
            }.items()
            for test, value in zip(
                ("HBA1C", "CPEP_STIM_PEAK", "CPEP_FASTING", "GLUCOSE_FASTING"), values, strict=True
            )
        ],
    ]
    doses = [
        *insulin("P1", range(77, 91), 12.0),
        *insulin("P1", range(167, 181), 0.0),
        *insulin("P1", range(352, 366), 30.0),
        *insulin("P2", range(77, 91), 10.0),
    ]
    readings = [
        *cgm("P1", -14, -1, [50, 100, 250, 250], every_min=15),
        *cgm("P1", 77, 90, 120, every_min=15),
        *cgm("P1", 167, 180, 120, every_min=15),
        *cgm("P1", 352, 365, [50, 100, 100, 100], every_min=15),
    ]
    write_dataset(
        folder,
        participants=people,
        labs=labs,
        insulin=doses,
        cgm=readings,
        events=[event("P1", 300)],
    )
    return analyze(read_dataset(folder), load_protocol())


def test_every_visit_is_graded_as_by_hand(analysis: TrialAnalysis) -> None:
    for pid, visits in EXPECTED.items():
        got = {v["day"]: v for v in analysis.visits[pid]}
        assert sorted(got) == [90, 180, 365]
        for day, expected in visits.items():
            for key, value in expected.items():
                why = got[day].get(
                    key.removesuffix("_outcome").removesuffix("_function") + "_reason"
                )
                assert got[day][key] == value, (pid, day, key, why)


def test_the_visits_are_in_endpoints_json(analysis: TrialAnalysis) -> None:
    records = {r["participant_id"]: r for r in analysis.endpoints_json()["participants"]}
    p1 = {v["day"]: v for v in records["P1"]["visits"]}
    assert p1[180]["state"] == "insulin_independent"
    assert p1[365]["state_reason"].startswith("graft failed: C-peptide 80.0 pmol/L < 99.3 pmol/L")


def test_the_visit_table_shows_each_participant_and_visit(analysis: TrialAnalysis) -> None:
    table = visit_table(analysis)
    assert table is not None
    rows = {(r[0], r[2]): r for r in table.rows}
    assert len(rows) == 6  # 2 participants × 3 visits
    assert rows[("P1", "90")][3:] == [
        "failure",
        "marginal",
        "marginal",
        "2",
        "graft functioning",
    ]
    assert rows[("P1", "180")][3:] == ["optimal", "optimal", "optimal", "7", "insulin independent"]
    assert rows[("P1", "365")][3:] == ["failure", "failure", "failure", "0", "graft failed"]
    assert rows[("P2", "90")][3:] == ["not graded"] * 3 + ["—", "not graded"]
    assert "| P1 | C | 180 | optimal |" in to_markdown(table)


def test_the_state_figure_draws_the_library_states(analysis: TrialAnalysis) -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.colors import to_hex

    from endolab.trial.figures import STATE_COLOURS, state_figure

    fig = state_figure(analysis)
    assert fig is not None
    ax = fig.axes[0]
    # one bar per participant and visit; rows bottom-up: P2 (row 0), P1 (row 1)
    drawn = sorted(
        (round(float(c.get_paths()[0].vertices[:, 1].mean())), to_hex(c.get_facecolor()[0]))
        for c in ax.collections
    )
    colours = {k: to_hex(v) for k, v in STATE_COLOURS.items()}
    expected = sorted(
        [(1, colours[v["state"]]) for v in EXPECTED["P1"].values()]
        + [(0, colours[v["state"]]) for v in EXPECTED["P2"].values()]
    )
    assert drawn == expected


def test_report_has_the_visit_table_and_the_state_figure(
    analysis: TrialAnalysis, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    from endolab.trial.report import report_files

    files = report_files(analysis)
    html = files["report.html"].decode()
    assert "Graft function at every visit" in html
    assert "Graft state of each participant at every visit" in html
    assert "### Graft function at every visit" in files["tables.md"].decode()
