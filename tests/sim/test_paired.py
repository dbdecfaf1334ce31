"""Counterfactual twins (``trial simulate --paired``): same scenario, only the infusion differs."""

from __future__ import annotations

import dataclasses
import filecmp
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from endolab.errors import InputError
from endolab.sim import simulate_trial, write_simulation
from endolab.sim.population import ScreeningSettings
from endolab.sim.runner import SIM_PROTOCOLS, allocate_cohorts, simulate_paired
from endolab.sim.sensor import measure
from endolab.trial import analyze, load_protocol
from endolab.trial.dataset import FILES, read_dataset
from endolab.trial.paired import exact_p_mcnemar_1947, paired_comparison
from endolab.trial.tables import paired_tables

SETTINGS: dict[str, Any] = {"days": 20, "seed": 7, "screening": ScreeningSettings(days=28)}


@pytest.fixture(scope="module")
def pair() -> Any:
    arms = allocate_cohorts(SIM_PROTOCOLS["zimislecel-2025"], 3, 8e8)
    return simulate_paired(arms, **SETTINGS)


@pytest.mark.slow
def test_twins_share_meals_behaviour_and_sensor_noise(pair: Any) -> None:
    treated, twins = pair
    assert treated.scenario.keys() == twins.scenario.keys()
    for key in ("meal_minute", "meal_grams", "counted_g", "bolus_minute", "si_daily", "episode_u"):
        np.testing.assert_array_equal(treated.scenario[key], twins.scenario[key], err_msg=key)
    assert treated.scenario["sensor_state"] == twins.scenario["sensor_state"]
    # the same sensor stream gives the same error: measured on a flat 200 mg/dL it is one array
    errors = []
    for result in (treated, twins):
        rng = np.random.default_rng()
        rng.bit_generator.state = result.scenario["sensor_state"]
        errors.append(measure(np.full((3, 2000), 200.0), rng, "breton2008") - 200.0)
    np.testing.assert_array_equal(errors[0], errors[1])
    assert np.abs(errors[0]).max() > 0  # the check is not vacuous: the sensor does have an error
    # same people; only the infusion differs
    assert treated.dataset.participants.drop("dose_cells").equals(
        twins.dataset.participants.drop("dose_cells")
    )
    assert (twins.dataset.participants["dose_cells"] == 0).all()
    assert (treated.dataset.participants["dose_cells"] > 0).all()
    assert twins.graft_fraction.max() == 0 and treated.graft_fraction[:, -1].min() > 0
    # before the infusion (F = 0 in both) the glucose traces are identical, after it they differ
    t, u = treated.dataset.cgm, twins.dataset.cgm
    assert t.filter(pl.col("day") < 0).equals(u.filter(pl.col("day") < 0))
    assert not t.filter(pl.col("day") > 10).equals(u.filter(pl.col("day") > 10))


@pytest.mark.slow
def test_twin_equals_the_control_arm_of_the_same_seed(pair: Any, tmp_path: Path) -> None:
    treated, _ = pair
    control = simulate_trial(participants=3, arm="control", **SETTINGS)
    write_simulation(treated.dataset, tmp_path / "paired")
    write_simulation(control, tmp_path / "control")
    for name in FILES:  # the twin's tables are byte for byte the control arm's
        assert filecmp.cmp(
            tmp_path / "paired" / "twins" / f"{name}.csv",
            tmp_path / "control" / f"{name}.csv",
            shallow=False,
        ), name
    back = read_dataset(tmp_path / "paired")
    assert back.twins is not None and back.simulation is not None
    assert back.simulation["paired"]["role"] == "treated"
    assert back.twins.simulation is not None
    assert back.twins.simulation["paired"]["role"] == "untreated twins"
    # an unpaired reader of the top-level folder sees exactly the treated arm
    assert read_dataset(tmp_path / "paired").participants.height == 3


@pytest.mark.slow
def test_paired_simulation_is_deterministic(pair: Any, tmp_path: Path) -> None:
    treated, _ = pair
    again = simulate_trial(participants=3, paired=True, **SETTINGS)
    write_simulation(treated.dataset, tmp_path / "a")
    write_simulation(again, tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert any(str(f).startswith("twins") for f in files)
    for f in files:
        assert filecmp.cmp(tmp_path / "a" / f, tmp_path / "b" / f, shallow=False), f


@pytest.mark.slow
def test_paired_analysis_and_table_are_views_of_the_two_analyses(pair: Any) -> None:
    treated, twins = pair
    protocol = load_protocol("zimislecel-2025")
    a = analyze(treated.dataset, protocol)
    assert a.paired is not None and a.endpoints_json()["paired"] == a.paired
    # independent: each arm analysed on its own, the difference taken here
    t = analyze(dataclasses.replace(treated.dataset, twins=None), protocol).participants
    u = analyze(twins.dataset, protocol).participants
    column = "c_peptide_fasting_day365_pmol_l"
    for record in a.paired["participants"]:
        pid = record["participant_id"]
        tv = t.filter(pl.col("participant_id") == pid)["c_peptide_detected"].item()
        uv = u.filter(pl.col("participant_id") == pid)["c_peptide_detected"].item()
        assert record["binary"]["c_peptide_detected"] == {"treated": tv, "twin": uv}
        assert record["continuous"]["c_peptide_fasting"]["column"] == column
    # the graft's C-peptide is detected in every treated participant, in no twin
    bc = a.paired["cohorts"]["B+C"]["binary"]["c_peptide_detected"]
    assert (bc["treated_only"], bc["both"], bc["twin_only"]) == (3, 0, 0)
    assert bc["mcnemar_exact_p"] == pytest.approx(2 / 2**3)  # 2 · (1/2)³, hand calculation
    # the report's tables show these numbers and no others
    binary, _continuous, per = paired_tables(a)
    row = next(r for r in binary.rows if r[0].startswith("B+C") and r[1] == "c_peptide_detected")
    assert row[2:] == ["3/3", "0/3", "0 / 3 / 0 / 0", "0.25"]
    assert [r[0] for r in per.rows] == t["participant_id"].to_list()


def test_paired_comparison_on_hand_made_tables() -> None:
    protocol = load_protocol("zimislecel-2025")
    v = protocol.continuous.visit_label
    ids = ["P1", "P2", "P3", "P4"]

    def table(primary: list[bool | None], hba1c: list[float | None]) -> pl.DataFrame:
        cols: dict[str, Any] = {"participant_id": ids, "cohort": ["B", "B", "C", "A"]}
        for key in protocol.endpoints:
            cols[key] = pl.Series(primary if key == "primary" else [None] * 4, dtype=pl.Boolean)
        cols[f"hba1c_{v}_pct"] = pl.Series(hba1c, dtype=pl.Float64)
        for name in ("tir", "insulin", "c_peptide_fasting", "c_peptide_stim_peak"):
            unit = {"tir": "pct", "insulin": "u_per_day"}.get(name, "pmol_l")
            cols[f"{name}_{v}_{unit}"] = pl.Series([None] * 4, dtype=pl.Float64)
        cols[f"insulin_reduction_{v}"] = pl.Series([None] * 4, dtype=pl.Float64)
        return pl.DataFrame(cols)

    treated = table([True, True, False, True], [6.5, 7.0, 8.0, 6.0])
    twins = table([False, True, False, False], [8.0, 7.5, 8.0, 9.0])
    out = paired_comparison(treated, twins, protocol)
    bc = out["cohorts"]["B+C"]
    # B+C = P1, P2, P3: both P2; treated only P1; neither P3
    p = bc["binary"]["primary"]
    assert (p["both"], p["treated_only"], p["twin_only"], p["neither"]) == (1, 1, 0, 1)
    assert p["mcnemar_exact_p"] == 1.0  # one discordant pair: 2 · ½ capped at 1
    d = bc["continuous"]["hba1c"]["difference"]
    # differences 6.5 − 8.0 = −1.5, 7.0 − 7.5 = −0.5, 8.0 − 8.0 = 0 → mean −2/3
    assert d["n"] == 3 and d["mean"] == pytest.approx(-2 / 3)
    # sign test on the two non-zero differences, both negative: 2 · (1/2)² = 0.5
    assert bc["continuous"]["hba1c"]["sign_test_exact_p"] == pytest.approx(0.5)
    assert exact_p_mcnemar_1947(0, 2) == pytest.approx(0.5)


def test_paired_refuses_the_control_arm() -> None:
    with pytest.raises(InputError, match="--paired"):
        simulate_trial(participants=2, days=1, arm="control", paired=True)
