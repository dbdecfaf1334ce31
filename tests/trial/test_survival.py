"""Time-to-event endpoints and Kaplan–Meier estimates (issue 21), against hand calculations."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from endolab.trial.dataset import read_dataset
from endolab.trial.protocol import load_protocol
from endolab.trial.survival import kaplan_meier, survival_analysis, time_to_events
from tests.trial.builders import event, insulin, lab, person, write_dataset

Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution


def test_kaplan_meier_equals_the_hand_calculation_with_ties_and_censoring() -> None:
    # Eight participants; events (1) and censored times (0), with a tie of an event and a censored
    # time at day 3 (the censored one is still at risk at day 3) and two events at day 6.
    durations = [2, 3, 3, 5, 6, 6, 8, 9]
    events = [True, True, False, True, True, True, False, True]
    km = kaplan_meier(durations, events, landmarks=(0, 4, 7, 9, 10))
    # Product-limit estimate, by hand: S(t) = prod over event times t_i <= t of (1 - d_i / n_i)
    #   t=2: n=8, d=1 -> 7/8              = 0.875
    #   t=3: n=7, d=1 -> 0.875 x 6/7       = 0.75   (one censored at 3 as well)
    #   t=5: n=5, d=1 -> 0.75 x 4/5        = 0.6
    #   t=6: n=4, d=2 -> 0.6 x 2/4         = 0.3
    #   t=8: n=2, d=0 (one censored)       = 0.3
    #   t=9: n=1, d=1 -> 0
    t = km.table
    assert t["time_days"].to_list() == [2, 3, 5, 6, 8, 9]
    assert t["at_risk"].to_list() == [8, 7, 5, 4, 2, 1]
    assert t["events"].to_list() == [1, 1, 1, 2, 0, 1]
    assert t["censored"].to_list() == [0, 1, 0, 0, 1, 0]
    assert t["survival"].to_list() == pytest.approx([0.875, 0.75, 0.6, 0.3, 0.3, 0.0], abs=1e-12)
    # Greenwood: sum of d / (n (n - d)) over the event times up to t; the log(-log) interval is
    # S^exp(+z sigma) (lower) to S^exp(-z sigma) (upper), sigma = sqrt(sum) / |ln S|.
    greenwood = {2: 1 / (8 * 7), 3: 1 / (8 * 7) + 1 / (7 * 6)}
    greenwood[5] = greenwood[3] + 1 / (5 * 4)
    greenwood[6] = greenwood[5] + 2 / (4 * 2)
    greenwood[8] = greenwood[6]
    for row in t.iter_rows(named=True):
        day, s = int(row["time_days"]), row["survival"]
        if s == 0:
            continue
        sigma = math.sqrt(greenwood[day]) / abs(math.log(s))
        assert row["ci_lower"] == pytest.approx(s ** math.exp(Z95 * sigma), rel=1e-9), day
        assert row["ci_upper"] == pytest.approx(s ** math.exp(-Z95 * sigma), rel=1e-9), day
    # e.g. at day 6: sigma = sqrt(0.341667) / 1.20397 = 0.48550 -> 0.3^2.5898 = 0.0443 .. 0.3^0.3861 = 0.628
    row6 = t.row(3, named=True)
    assert (round(row6["ci_lower"], 3), round(row6["ci_upper"], 3)) == (0.044, 0.628)
    # numbers at risk on a landmark day: those followed at least that long
    assert km.at_risk_at == {0: 8, 4: 5, 7: 2, 9: 1, 10: 0}
    assert km.survival_at(5.5) == pytest.approx(0.6) and km.survival_at(1) == 1.0


def test_time_to_events_follows_the_definitions(tmp_path: Path) -> None:
    # P1: first SHE on day 40 (one before day 0 does not count); graft detected on day 90
    #     (120 pmol/L >= 99.3) then 50 pmol/L on day 180 -> graft failure at 180.
    # P2: no SHE; graft never detected (not at risk); 14 insulin-free days 30-43 -> independence
    #     achieved on day 30, lost on day 200 (insulin again).
    # P3: dies on day 100 (FATAL AE): the SHE time is censored at death (no SHE before); the graft,
    #     detected on day 60, is censored at death too.
    # P4: insulin-free days 30-42 only (13 days, one short of 14): not at risk of losing it.
    participants = [person("P1"), person("P2"), person("P3"), person("P4", cohort="A")]
    labs = [
        lab("P1", 90, "CPEP_FASTING", 120.0),
        lab("P1", 180, "CPEP_FASTING", 50.0),
        lab("P1", 180, "CPEP_STIM_PEAK", 80.0),
        lab("P1", 300, "CPEP_FASTING", 10.0),
        lab("P2", 90, "CPEP_STIM_PEAK", 60.0),
        lab("P3", 60, "CPEP_STIM_PEAK", 300.0),
        lab("P4", 250, "HBA1C", 6.5),
    ]
    ins = (
        insulin("P2", range(30, 44))
        + insulin("P2", range(44, 200))
        + insulin("P2", [200], units=5.0)
        + insulin("P2", range(201, 321), units=5.0)
        + insulin("P4", range(30, 43))
        + insulin("P4", [43], units=3.0)
    )
    events = [event("P1", -20), event("P1", 40), event("P1", 70)]
    events.append(event("P3", 100, category="AE", term="Sepsis", outcome="FATAL"))
    folder = write_dataset(
        tmp_path / "ds", participants=participants, labs=labs, insulin=ins, events=events
    )
    tte = time_to_events(read_dataset(folder), load_protocol())
    got = {(r["participant_id"], r["endpoint"]): r for r in tte.iter_rows(named=True)}

    def check(pid: str, endpoint: str, at_risk: bool, time: int | None, ev: bool | None) -> None:
        r = got[(pid, endpoint)]
        assert (r["at_risk"], r["time_days"], r["event"]) == (at_risk, time, ev), (pid, endpoint)

    check("P1", "first_she", True, 40, True)
    check("P1", "graft_failure", True, 180, True)
    check("P1", "insulin_independence_loss", False, None, None)
    check("P2", "first_she", True, 320, False)  # censored at the last insulin record, day 320
    check("P2", "graft_failure", False, None, None)
    check("P2", "insulin_independence_loss", True, 200, True)
    check("P3", "first_she", True, 100, False)
    check("P3", "graft_failure", True, 100, False)
    assert got[("P3", "first_she")]["censor_reason"] == "death"
    check("P4", "insulin_independence_loss", False, None, None)
    check("P4", "first_she", True, 250, False)

    result = survival_analysis(read_dataset(folder), load_protocol())
    # cohort C (P1-P3), first SHE: P1 event at 40 among 3 -> S = 2/3 after day 40
    she = result.curve("first_she", "C")
    assert she.n == 3 and she.events == 1 and she.survival_at(40) == pytest.approx(2 / 3)
    assert result.curve("graft_failure", "B+C").n == 2
    assert result.to_dict()["curves"][0]["endpoint"] == "first_she"


def test_the_report_shows_the_curves_with_numbers_at_risk(tmp_path: Path) -> None:
    # the survival result travels into endpoints.json, tables.md and report.html (issue 21)
    from endolab.trial.analysis import analyze
    from endolab.trial.report import report_files

    participants = [person("P1"), person("P2"), person("P3", cohort="A")]
    events = [event("P1", 40), event("P2", 200)]
    labs = [lab(p, 365, "HBA1C", 6.5) for p in ("P1", "P2", "P3")]
    folder = write_dataset(tmp_path / "ds", participants=participants, labs=labs, events=events)
    a = analyze(read_dataset(folder), load_protocol())
    doc = a.endpoints_json()["survival"]
    she_c = next(c for c in doc["curves"] if c["endpoint"] == "first_she" and c["group"] == "C")
    # two at risk, events on days 40 and 200: S = 1/2 after day 40, 0 after day 200
    assert [r["survival"] for r in she_c["curve"]] == pytest.approx([0.5, 0.0])
    assert she_c["at_risk_at"] == {"0": 2, "90": 1, "180": 1, "270": 0, "365": 0}
    files = report_files(a)
    md = files["tables.md"].decode()
    assert "Time to event: Kaplan–Meier estimates (95 % CI)" in md
    assert "| Time to the first severe hypoglycaemic event | C | 2 | 2 | 50 %" in md
    assert "Time to event (Kaplan–Meier, 95 % CI) with the numbers at risk" in (
        files["report.html"].decode()
    )
