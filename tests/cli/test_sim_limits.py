"""Issue 18: seeds outside 0–2³²−1 refused by every command that takes one (one shared check),
and a simulation larger than the machine's memory or disk refused before any work, with the
estimate and the limit. Nothing here simulates: a tripwire replaces the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import endolab.sim
import endolab.sim.limits as limits
import endolab.sim.replay
import endolab.sim.studies
from endolab.cli import app
from endolab.errors import InputError

runner = CliRunner()


@pytest.fixture
def no_simulation(monkeypatch: pytest.MonkeyPatch) -> None:
    def tripwire(*_a: object, **_k: object) -> None:
        raise AssertionError("the simulator was reached")

    monkeypatch.setattr(endolab.sim, "simulate_trial", tripwire)
    monkeypatch.setattr(endolab.sim.studies, "simulate", tripwire)
    monkeypatch.setattr(endolab.sim.studies, "demo_trial", tripwire)
    monkeypatch.setattr(endolab.sim.replay, "load_patient", tripwire)


SEED_COMMANDS = {
    "sim patient": ["sim", "patient", "--id", "adult#001", "--days", "1"],
    "sim dose-response": ["sim", "dose-response", "--participants", "1", "--days", "1"],
    "trial simulate": ["trial", "simulate", "--participants", "1", "--days", "1"],
    "trial demo": ["trial", "demo"],
}


@pytest.mark.parametrize("command", sorted(SEED_COMMANDS))
@pytest.mark.parametrize("seed", ["-1", "4294967296", "18446744073709551616"])
def test_seed_out_of_range_is_one_line_exit_3(
    command: str, seed: str, tmp_path: Path, no_simulation: None
) -> None:
    # `sim patient --seed -1` was a NumPy traceback; 2^32 and 2^64 were accepted by some commands
    args = [*SEED_COMMANDS[command], f"--seed={seed}"]
    if command.startswith("trial"):
        args += ["--out", str(tmp_path / "o")]
    r = runner.invoke(app, args)
    assert r.exit_code == 3, r.output
    shown = seed if len(seed) <= 12 else f"a {len(seed)}-digit number"  # long numbers not echoed
    assert r.stderr == f"error: seed must be a whole number from 0 to 4294967295, got {shown}\n"
    assert "Traceback" not in r.output
    assert list(tmp_path.iterdir()) == []


def test_seed_bounds_are_accepted() -> None:
    assert limits.check_seed(0) == 0 and limits.check_seed(2**32 - 1) == 4294967295
    with pytest.raises(InputError, match="got a 40-digit number"):
        limits.check_seed(10**39)


def test_estimate_is_the_measured_figure_times_participant_days() -> None:
    # 14 participants × (365 + 15) days = 5,320 participant-days;
    # memory 400 MB + 5,320 × 34 kB = 580.88 MB; CSV 5,320 × 9,800 B = 52.136 MB
    e = limits.simulation_estimate(14, 365, file_format="csv")
    assert (e.participant_days, e.memory_bytes, e.disk_bytes) == (5_320, 580_880_000, 52_136_000)


def test_too_large_for_memory_is_refused_with_estimate_and_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    # The request: 10,000 × (3,650 + 15) = 36,650,000 participant-days × 34 kB
    # + 0.4 GB = 1,246.5 GB ≈ 1.25 TB, against 8 GB free: refused before anything is written
    monkeypatch.setattr(limits, "available_memory_bytes", lambda: 8_000_000_000)
    out = tmp_path / "big"
    r = runner.invoke(
        app,
        ["trial", "simulate", "--participants", "10000", "--days", "3650", "--out", str(out)],
    )
    assert r.exit_code == 3, r.output
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: E_TOO_LARGE: ")
    assert "10,000 participants × 3,665 simulated days needs about 1.25 TB of memory" in r.stderr
    assert "more than the 8 GB this machine has free" in r.stderr
    # (8e9 − 4e8) / 34,000 = 223,529 participant-days
    assert "at most about 223,529 participant-days" in r.stderr
    assert not out.exists()
    r = runner.invoke(app, ["sim", "dose-response", "--participants", "10000", "--days", "3650"])
    assert r.exit_code == 3 and "1.25 TB of memory" in r.stderr


def test_too_large_for_the_disk_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_simulation: None
) -> None:
    # 2 × (30 + 15) = 90 participant-days × 9,800 B = 882 kB of CSV, 500 kB free
    monkeypatch.setattr(limits, "available_disk_bytes", lambda _folder: 500_000)
    out = tmp_path / "ds"
    args = ["trial", "simulate", "--participants", "2", "--days", "30", "--out", str(out)]
    r = runner.invoke(app, args)
    assert r.exit_code == 3, r.output
    assert "writes about 882 kB of csv files" in r.stderr and "the 500 kB free" in r.stderr
    assert r.stderr.count("\n") == 1 and not out.exists()


@pytest.mark.parametrize("command", [["trial", "simulate"], ["sim", "dose-response"]])
def test_help_states_the_limits(command: list[str]) -> None:
    r = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    text = " ".join(r.stdout.split())
    assert "34 kB per simulated participant-day + 0.4 GB, measured" in text
    assert "0–4294967295" in text
