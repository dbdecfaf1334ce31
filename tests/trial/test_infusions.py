"""Repeat infusions: each endpoint's windows count from the first or the last infusion, as the
protocol says (docs/methods/trial.md §4.7).

Every participant below has one endpoint's data and a second infusion inside or outside that
endpoint's window (windows in days after the FIRST infusion). Each expected value is reasoned by
hand in the comment beside it: under ``day0 = "first"`` a second infusion moves nothing; under
``"last"`` a day d becomes d − (day of the second infusion).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from endolab.trial.analysis import grading_inputs
from endolab.trial.dataset import TrialDataset, read_dataset
from endolab.trial.endpoints import binary_endpoints, cgm_sampling_interval, continuous_endpoints
from endolab.trial.infusions import day0_offsets, rebase
from endolab.trial.protocol import Protocol, protocol_from_dict
from tests.trial.builders import cgm, event, insulin, lab, on, person, write_dataset


def _protocol(day0: str, **own: str) -> Protocol:
    """Five endpoints, the day-365 continuous values and one grading visit; ``own`` sets an
    endpoint's own day0."""
    endpoints: dict[str, dict[str, Any]] = {
        "she": {"kind": "she_free", "window": [90, 365]},
        "a1c": {"kind": "hba1c_last_below", "window": [335, 395], "below_pct": 7.0},
        "ins": {"kind": "insulin_independent", "window": [180, 365], "min_coverage": 0.8},
        "tir": {
            "kind": "tir_above",
            "window": [352, 365],
            "above_pct": 70.0,
            "min_sufficiency": 0.7,
        },
        "cpep": {"kind": "c_peptide_detected", "after_day": 0},
    }
    for key, value in own.items():
        endpoints[key]["day0"] = value
    return protocol_from_dict(
        {
            "name": "t",
            "primary_endpoint": "she",
            "cohort_groups": {"all": ["A"]},
            "infusions": {"day0": day0},
            "endpoints": endpoints,
            "grading": {
                "report_visit": 365,
                "visits": [
                    {
                        "day": 365,
                        "lab_window": [335, 395],
                        "she_window": [90, 365],
                        "cgm_window": [352, 365],
                        "insulin_window": [352, 365],
                    }
                ],
            },
        }
    )


@pytest.fixture(scope="module")
def ds(tmp_path_factory: pytest.TempPathFactory) -> TrialDataset:
    folder = tmp_path_factory.mktemp("repeat") / "trial"
    people = [
        person("S_in", "A", second_infusion_date=on(100)),  # inside the SHE window 90–365
        person("S_out", "A", second_infusion_date=on(400)),  # after it
        person("H_in", "A", second_infusion_date=on(350)),  # inside the HbA1c window 335–395
        person("H_out", "A", second_infusion_date=on(30)),  # before it
        person("I_in", "A", second_infusion_date=on(200)),  # inside the insulin window 180–365
        person("I_out", "A", second_infusion_date=on(500)),  # after it
        person("T_in", "A", second_infusion_date=on(360)),  # inside the CGM window 352–365
        person("T_out", "A", second_infusion_date=on(10)),  # before it
        person("C_in", "A", second_infusion_date=on(60)),  # inside "after day 0"
        person("N_one", "A"),  # a single infusion
    ]
    labs = [
        lab("S_in", 500, "HBA1C", 6.0),  # follow-up to day 500 (day 400 after the 2nd infusion)
        lab("S_out", 700, "HBA1C", 6.0),
        lab("H_in", 340, "HBA1C", 6.5),
        lab("H_in", 390, "HBA1C", 7.5),
        lab("H_in", 720, "HBA1C", 6.8),
        lab("H_out", 366, "HBA1C", 6.5),
        lab("H_out", 420, "HBA1C", 7.4),
        lab("C_in", 30, "CPEP_STIM_PEAK", 200),
        lab("C_in", 90, "CPEP_STIM_PEAK", 0),
        lab("N_one", 400, "HBA1C", 6.0),
    ]
    events = [
        event("S_in", 95),
        event("S_out", 600),
        event("N_one", 200),
    ]
    doses = [
        *insulin("I_in", range(0, 200), 10.0),
        *insulin("I_in", range(200, 601), 0.0),
        *insulin("I_out", range(0, 401), 0.0),
        *insulin("I_out", range(401, 901), 10.0),
    ]
    readings = [
        *cgm("T_in", 352, 365, 100.0, every_min=15),
        *cgm("T_in", 712, 725, 250.0, every_min=15),
        *cgm("T_out", 352, 361, 250.0, every_min=15),
        *cgm("T_out", 362, 375, 100.0, every_min=15),
    ]
    write_dataset(
        folder, participants=people, labs=labs, events=events, insulin=doses, cgm=readings
    )
    return read_dataset(folder)


def _value(frame: pl.DataFrame, pid: str, column: str) -> Any:
    return frame.filter(pl.col("participant_id") == pid)[column].item()


def test_offsets_are_the_days_between_the_two_infusions(ds: TrialDataset) -> None:
    offsets = dict(day0_offsets(ds).iter_rows())
    assert offsets["S_in"] == 100 and offsets["I_out"] == 500 and offsets["N_one"] == 0
    last = rebase(ds, "last")
    # S_in's SHE on day 95 after the first infusion is day 95 − 100 = −5 after the second
    assert _value(last.events, "S_in", "start_day") == -5
    assert _value(ds.events, "S_in", "start_day") == 95  # the dataset itself is unchanged
    assert rebase(ds, "first") is ds


@pytest.mark.parametrize(
    ("pid", "key", "first", "last"),
    [
        # SHE on day 95. first: 95 in [90, 365] -> not SHE-free. last: day -5, outside -> free
        # (observed events are complete; no min_follow_up_day).
        ("S_in", "she", False, True),
        # SHE on day 600. first: outside [90, 365] -> free. last: 600 - 400 = 200, inside -> not.
        ("S_out", "she", True, False),
        # A single infusion: the SHE on day 200 is in the window under either rule.
        ("N_one", "she", False, False),
        # HbA1c 6.5 (day 340), 7.5 (390), 6.8 (720). first: last in [335, 395] is day 390,
        # 7.5 -> not < 7. last: days -10, 40, 370 -> last in the window is 6.8 -> < 7.
        ("H_in", "a1c", False, True),
        # HbA1c 6.5 (day 366), 7.4 (420). first: only day 366 in [335, 395] -> 6.5 < 7.
        # last: days 336 and 390 both inside -> the last is 7.4 -> not < 7.
        ("H_out", "a1c", True, False),
        # 10 U/day on days 0-199, none on 200-600. first: insulin on days 180-199 of the window
        # -> not independent. last: window days 380-565 after the first, all recorded with 0 U.
        ("I_in", "ins", False, True),
        # none on days 0-400, 10 U/day on 401-900. first: 180-365 all 0 U, recorded -> yes.
        # last: window days 680-865 after the first -> insulin -> no.
        ("I_out", "ins", True, False),
        # CGM 100 mg/dL on days 352-365, 250 on 712-725 (every 15 min). first: TIR 100 % > 70 %,
        # sufficiency 1344 x 15 min / 20160 min = 100 %. last: days 712-725 -> TIR 0 %.
        ("T_in", "tir", True, False),
        # 250 on days 352-361, 100 on 362-375. first: 4 of 14 days in range -> 28.6 % -> no.
        # last: window days 362-375 -> all 100 mg/dL -> 100 % -> yes.
        ("T_out", "tir", False, True),
        # stimulated C-peptide 200 on day 30, 0 on day 90. first: > 0 after day 0 -> detected.
        # last: days -30 and 30 -> the only result after day 0 is 0 -> not detected.
        ("C_in", "cpep", True, False),
    ],
)
def test_each_endpoint_follows_the_day0_rule(
    ds: TrialDataset, pid: str, key: str, first: bool, last: bool
) -> None:
    assert _value(binary_endpoints(ds, _protocol("first")), pid, key) is first
    assert _value(binary_endpoints(ds, _protocol("last")), pid, key) is last


def test_an_endpoint_can_keep_its_own_day0(ds: TrialDataset) -> None:
    # Global "last", but the SHE endpoint counts from the first infusion: S_in as under "first"
    # (False), H_in as under "last" (True).
    table = binary_endpoints(ds, _protocol("last", she="first"))
    assert _value(table, "S_in", "she") is False
    assert _value(table, "S_out", "she") is True
    assert _value(table, "H_in", "a1c") is True


def test_continuous_and_grading_windows_move_but_baselines_stay(ds: TrialDataset) -> None:
    intervals = cgm_sampling_interval(ds.cgm)
    # H_in: HbA1c at day 365 = last in [335, 395]: first -> 7.5 (day 390); last -> 6.8 (day 720);
    # the baseline stays the participants table's 7.8 %: changes -0.3 and -1.0 points.
    first = continuous_endpoints(ds, _protocol("first"), intervals)
    last = continuous_endpoints(ds, _protocol("last"), intervals)
    assert _value(first, "H_in", "hba1c_day365_pct") == 7.5
    assert _value(last, "H_in", "hba1c_day365_pct") == 6.8
    assert _value(last, "H_in", "hba1c_change_day365_pct") == pytest.approx(6.8 - 7.8)
    # grading visit 365: lab window [335, 395] from the last infusion -> H_in's HbA1c 6.8; C_in's
    # day-30 C-peptide (day -30 after the second infusion) is NOT a baseline: the baseline is
    # measured before the first infusion, and C_in has none -> unknown.
    inputs = grading_inputs(ds, _protocol("last"), intervals)
    assert _value(inputs, "H_in", "hba1c_pct") == 6.8
    assert _value(inputs, "C_in", "baseline_c_peptide_pmol_l") is None
    # and under "first" the visit takes day 390's 7.5
    assert _value(grading_inputs(ds, _protocol("first"), intervals), "H_in", "hba1c_pct") == 7.5


def test_time_to_first_she_counts_from_the_protocols_day0(ds: TrialDataset) -> None:
    pytest.importorskip("lifelines")
    from endolab.trial.survival import time_to_events

    def she(protocol: Protocol) -> dict[str, tuple[int, bool]]:
        t = time_to_events(ds, protocol).filter(pl.col("endpoint") == "first_she")
        return {r["participant_id"]: (r["time_days"], r["event"]) for r in t.to_dicts()}

    first, last = she(_protocol("first")), she(_protocol("last"))
    # S_in: SHE on day 95 -> event at 95; from the second infusion (day 100) it is before day 0,
    # so no event: censored at the last observation, day 500 - 100 = 400.
    assert first["S_in"] == (95, True) and last["S_in"] == (400, False)
    # S_out: SHE on day 600 -> 600 from the first infusion, 600 - 400 = 200 from the second.
    assert first["S_out"] == (600, True) and last["S_out"] == (200, True)
    # N_one: one infusion, the same either way.
    assert first["N_one"] == last["N_one"] == (200, True)


def test_the_report_says_which_infusion_is_day0() -> None:
    from endolab.trial.report import day0_sentence

    assert day0_sentence(_protocol("last", she="first")) == (
        "Day 0 is the last infusion (the second, for a participant who had one; else the first) "
        "for a1c, ins, tir, cpep, continuous, grading, survival; the first infusion for she. "
        "Baselines are those before the first infusion."
    )


def test_the_state_chart_marks_each_second_infusion_on_its_day(ds: TrialDataset) -> None:
    pytest.importorskip("matplotlib")
    from endolab.trial.analysis import analyze
    from endolab.trial.figures import state_figure

    def marks(day0: str) -> dict[float, int]:
        fig = state_figure(analyze(ds, _protocol(day0)))
        assert fig is not None
        found: dict[float, int] = {}
        for line in fig.axes[0].lines:
            x = float(line.get_xdata()[0])  # type: ignore[index]
            found[x] = found.get(x, 0) + 1
        return found

    # nine participants had a second infusion, on days 100, 400, 350, 30, 200, 500, 360, 10, 60
    assert marks("first") == {d: 1 for d in (100, 400, 350, 30, 200, 500, 360, 10, 60)}
    # counted from the last infusion, each second infusion is on day 0
    assert marks("last") == {0.0: 9}
