"""Simulation notices are data (issue 22): a run at the model's non-negativity gate is a
:class:`endolab.notices.Notice` that reaches the dataset, the analysis, the manifest and the screen.

No seed is known to reach the gate with the default settings (screening excludes such candidates),
so the finding itself is stubbed: these tests check where the notice goes, and
``gate_notices`` is checked on minutes written out here.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.notices import Notice
from endolab.sim import runner as sim_runner
from endolab.sim import write_simulation
from endolab.trial import analyze, load_protocol, read_dataset

cli = CliRunner()


def test_gate_notices_name_each_participant_with_minutes_at_the_gate() -> None:
    found = sim_runner.gate_notices(["SIM-001", "SIM-002", "SIM-003"], np.array([0.0, 7.0, 125.0]))
    assert [(n.code, n.severity, n.field) for n in found] == [
        ("W_SIM_NONNEGATIVITY_GATE", "W", "participant_id")
    ] * 2
    assert found[0].message.startswith("SIM-002: plasma or tissue glucose at the model's")
    assert "for 7 min" in found[0].message and "for 125 min" in found[1].message
    assert dict(found[1].data) == {"participant_id": "SIM-003", "minutes": 125}


def _stub(ids: list[str], gate: np.ndarray) -> tuple[Notice, ...]:
    return (
        Notice("W_SIM_NONNEGATIVITY_GATE", "W", f"{ids[0]}: at the gate (stub)", "participant_id"),
    )


def test_gate_notice_reaches_dataset_manifest_and_analysis(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sim_runner, "gate_notices", _stub)
    result = sim_runner.simulate([("A", 4e8), ("B", 8e8)], seed=3, days=3)
    assert [n.message for n in result.notices] == ["SIM-001: at the gate (stub)"]
    assert result.notices[0] in result.dataset.notices
    assert result.manifest["warnings"] == ["SIM-001: at the gate (stub)"]
    assert result.manifest["notices"][0]["code"] == "W_SIM_NONNEGATIVITY_GATE"
    analysis = analyze(result.dataset, load_protocol("zimislecel-2025"))
    assert "W_SIM_NONNEGATIVITY_GATE" in [n.code for n in analysis.notices]
    # written and read back (the web app's demo cache, `trial analyze` of a simulated folder)
    back = read_dataset(write_simulation(result.dataset, tmp_path / "ds"))
    assert [n for n in back.notices if n.code == "W_SIM_NONNEGATIVITY_GATE"] == [result.notices[0]]


def test_trial_simulate_prints_the_notice_and_lists_it_in_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sim_runner, "gate_notices", _stub)
    args = ["trial", "simulate", "--participants", "1", "--days", "2"]
    r = cli.invoke(app, [*args, "--out", str(tmp_path / "a")])
    assert r.exit_code == 0, r.output
    assert "warning: SIM-001: at the gate (stub)" in r.stderr
    r = cli.invoke(app, [*args, "--out", str(tmp_path / "b"), "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["warnings"] == ["SIM-001: at the gate (stub)"]
    assert {"code": "W_SIM_NONNEGATIVITY_GATE", "severity": "W"}.items() <= doc["notices"][
        0
    ].items()
