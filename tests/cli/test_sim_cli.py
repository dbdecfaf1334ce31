"""`endolab trial simulate`, `trial demo` (wiring only), `sim patient` and `sim dose-response`, in process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app

runner = CliRunner()


def test_simulate_then_analyze(tmp_path: Path) -> None:
    out = tmp_path / "ds"
    r = runner.invoke(
        app,
        ["trial", "simulate", "--participants", "2", "--days", "3", "--out", str(out), "--json"],
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["participants"] == 2 and doc["simulated"] is True
    assert (out / "simulation.json").is_file()
    r = runner.invoke(app, ["trial", "analyze", str(out), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["dataset"]["simulated"] is True


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--participants", "0"], "participants must be"),
        (["--dose-cells", "-4e8"], "dose must be ≥ 0"),
        (["--protocol", "nope"], "unknown protocol 'nope'"),
        (["--days", "0"], "days must be"),
        (["--sensor", "libre"], "unknown sensor model 'libre'"),
        (["--she-minutes", "5"], "10–120 min"),
    ],
)
def test_simulate_bad_input_one_line_exit_3(tmp_path: Path, args: list[str], message: str) -> None:
    r = runner.invoke(app, ["trial", "simulate", "--out", str(tmp_path / "o"), *args])
    assert r.exit_code == 3
    assert r.stderr.startswith("error: ") and message in r.stderr
    assert r.stderr.count("\n") == 1
    assert not (tmp_path / "o").exists()
    assert list(tmp_path.iterdir()) == []


def test_simulate_unknown_format_is_a_usage_error_exit_2(tmp_path: Path) -> None:
    """An unknown --format is a usage error (docs/cli.md: exit 2), named before any work."""
    r = runner.invoke(app, ["trial", "simulate", "--out", str(tmp_path / "o"), "--format", "xlsx"])
    assert r.exit_code == 2
    assert r.stderr.startswith("error: ") and "--format must be" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_simulate_refuses_non_empty_out(tmp_path: Path) -> None:
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "keep.txt").write_text("x")
    r = runner.invoke(app, ["trial", "simulate", "--out", str(tmp_path / "o")])
    assert r.exit_code == 3 and "keep.txt', which endolab did not write" in r.stderr
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["keep.txt"]


def test_demo_wiring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the demo's science is the simulator (tested in tests/sim); here only the wiring, on a short run
    import endolab.sim.studies as studies
    from endolab.sim import runner as sim_runner

    monkeypatch.setattr(
        studies,
        "demo_trial",
        lambda seed=1, progress=None, settings=None: sim_runner.simulate_trial(
            participants=2, days=2, seed=seed, **settings.kwargs()
        ),
    )
    out = tmp_path / "demo"
    fast = tmp_path / "fast.toml"
    fast.write_text("[screening]\ndays = 56\n")
    r = runner.invoke(app, ["trial", "demo", "--out", str(out), "--settings", str(fast)])
    assert r.exit_code == 0, r.output
    manifest = (out / "dataset" / "simulation.json").read_text(encoding="utf-8")
    assert '"days": 56' in manifest  # the settings file reached the simulation
    assert {p.name for p in out.iterdir()} == {
        ".endolab-manifest.json",
        "dataset",
        "report",
        "calibration.md",
        "demo.json",
    }
    assert "NEJM 2025 10/12" in r.stdout
    assert "IN-SILICO" in (out / "report" / "report.html").read_text(encoding="utf-8")
    r = runner.invoke(
        app, ["trial", "demo", "--out", str(out), "--settings", str(fast)]
    )  # replaced
    assert r.exit_code == 0, r.output


def test_sim_patient_trace_and_errors(tmp_path: Path) -> None:
    out = tmp_path / "trace.csv"
    r = runner.invoke(
        app,
        [
            "sim",
            "patient",
            "--id",
            "adult#001",
            "--days",
            "1",
            "--graft-fraction",
            "0.5",
            "--out",
            str(out),
            "--json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert out.is_file() and out.with_suffix(".png").is_file()
    assert len(out.read_text().splitlines()) == 1441
    # a name outside the fixed list of patients is a parse error, as an unknown syringe or ester
    # (docs/cli.md, "Exit status": 2); it was 3 before
    r = runner.invoke(app, ["sim", "patient", "--id", "adult#999"])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error: E_UNKNOWN_PATIENT: unknown virtual patient 'adult#999'")
    r = runner.invoke(app, ["sim", "patient", "--id", "adult#001", "--days", "0"])
    assert r.exit_code == 3 and "days must be" in r.stderr


def test_dose_response_table_and_files(tmp_path: Path) -> None:
    out = tmp_path / "dr"
    r = runner.invoke(
        app,
        [
            "sim",
            "dose-response",
            "--doses",
            "0,8e8",
            "--participants",
            "2",
            "--days",
            "2",
            "--out",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    assert {p.name for p in out.iterdir()} == {
        ".endolab-manifest.json",
        "dose_response.png",
        "dose_response.json",
        "dose_response.csv",
    }
    r = runner.invoke(app, ["sim", "dose-response", "--doses", "2e8,abc"])
    assert r.exit_code == 2 and "`--doses` must be a number (got `abc`)" in r.stderr
    r = runner.invoke(app, ["sim", "dose-response", "--doses", "-1"])
    assert r.exit_code == 3


def test_dose_response_short_simulation_is_not_decided(tmp_path: Path) -> None:
    # Issue 18: `--days 30` (the help's own example) printed "SHE-free d90–365: 5/5" and "insulin
    # independent d180–365: 0/5" for windows it never simulated. A 3-day simulation covers none of
    # the windows (SHE-free 90–365, insulin independence 180–365, HbA1c 335–395, TIR 352–365).
    out = tmp_path / "dr"
    args = ["sim", "dose-response", "--doses", "8e8", "--participants", "2", "--days", "3"]
    r = runner.invoke(app, [*args, "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "not decided (N=2)" in r.stdout and "2/2" not in r.stdout and "0/2" not in r.stdout
    assert "notice: the simulation ends on day 3: not decided in any arm" in r.stdout
    doc = json.loads((out / "dose_response.json").read_text(encoding="utf-8"))
    row = doc["doses"][0]
    for key in ("she_free_90_365", "insulin_independent_180_365", "hba1c_lt7_day365"):
        assert row[key]["status"] == "not decided"
        assert (row[key]["n"], row[key]["percent"], row[key]["ci95"]) == (None, None, None)
        assert row[key]["N"] == 2 and row[key]["missing"] == 2
        assert key in doc["notices"][0]["message"]
    assert doc["notices"][0]["code"] == "W_SIM_WINDOW_NOT_COVERED"
    assert row["tir_pct"]["status"] == "not decided"
    csv_text = (out / "dose_response.csv").read_text(encoding="utf-8")
    assert "she_free_90_365_status" in csv_text and "not decided" in csv_text
    r = runner.invoke(app, [*args, "--json"])
    assert json.loads(r.stdout)["doses"][0]["she_free_90_365"]["status"] == "not decided"


def test_analyze_short_simulation_is_not_decided(tmp_path: Path) -> None:
    # The same short window through `trial simulate` + `trial analyze`: SHE-free 90–365 was
    # counted 2/2 from 3 simulated days; now not decided in the JSON, report.html and tables.md
    data, rep = tmp_path / "ds", tmp_path / "rep"
    r = runner.invoke(
        app, ["trial", "simulate", "--participants", "2", "--days", "3", "--out", str(data)]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(rep)])
    assert r.exit_code == 0, r.output
    doc = json.loads((rep / "endpoints.json").read_text(encoding="utf-8"))
    for group in ("C", "B+C"):
        she = doc["cohorts"][group]["she_free_90_365"]
        assert she["status"] == "not decided" and she["n"] is None
    assert [p["she_free_90_365"] for p in doc["participants"]] == [None, None]
    messages = [n["message"] if isinstance(n, dict) else n for n in doc["notices"]]
    assert any(m.startswith("she_free_90_365: not decided for 2 of 2") for m in messages)
    for name in ("report.html", "tables.md"):
        text = (rep / name).read_text(encoding="utf-8")
        assert "not decided" in text and "she_free_90_365: not decided for 2 of 2" in text


def test_sim_settings_prints_toml_that_round_trips(tmp_path: Path) -> None:
    import tomllib

    r = runner.invoke(app, ["sim", "settings"])
    assert r.exit_code == 0, r.output
    doc = tomllib.loads(r.stdout)
    assert {"graft", "therapy", "titration", "population", "behaviour", "screening", "she"} <= set(
        doc
    )
    assert "wean_cpeptide_pmol_l" not in doc["titration"]  # glycaemic criteria only
    custom = tmp_path / "s.toml"
    custom.write_text("[titration]\nreduce_by = 0.15\n[she]\nmin_minutes = 45\n")
    r = runner.invoke(app, ["sim", "settings", "--settings", str(custom)])
    assert r.exit_code == 0, r.output
    doc = tomllib.loads(r.stdout)
    assert doc["titration"]["reduce_by"] == 0.15 and doc["she"]["min_minutes"] == 45
    assert doc["titration"]["increase_by"] == 0.1
    # the awareness rule: printed with its default, unit and source; overridden by --settings
    line = next(x for x in (r.stdout.splitlines()) if x.startswith("awareness_restored_c_peptide"))
    assert "[pmol/L]" in line and "0.3 ng/mL" in line and "Leitão 2008" in line
    assert doc["behaviour"]["awareness_restoration"] == "leitao2008"
    assert doc["behaviour"]["awareness_restored_c_peptide_pmol_l"] == pytest.approx(0.3 * 331)
    custom.write_text('[behaviour]\nawareness_restoration = "proportional"\n')
    r = runner.invoke(app, ["sim", "settings", "--settings", str(custom)])
    assert tomllib.loads(r.stdout)["behaviour"]["awareness_restoration"] == "proportional"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[nope]\nx = 1\n", "unknown settings section [nope]"),
        ("[titration]\nwean_cpeptide_pmol_l = 200\n", "unknown setting titration.wean_cpeptide"),
        ("[she]\nmin_minutes = 5\n", "10–120 min"),
        ("[titration]\nreduce_by = 'a'\n", "titration.reduce_by must be like"),
        # a field of the former titration rule (before 0.1.x's sourced criteria) is named
        ("[titration]\nrestart_mean_mg_dl = 154\n", "unknown setting titration.restart_mean"),
        ("[titration\n", "not valid TOML"),
        ("[behaviour]\nawareness_restoration = 'sometimes'\n", "awareness_restoration must be"),
    ],
)
def test_settings_file_errors_are_one_line_exit_3(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(text)
    out = tmp_path / "o"
    r = runner.invoke(app, ["trial", "simulate", "--out", str(out), "--settings", str(bad)])
    assert r.exit_code == 3, r.output
    assert r.stderr.startswith("error: ") and message in r.stderr
    assert r.stderr.count("\n") == 1
    assert not out.exists()


def test_simulate_arm_control_and_bad_arm(tmp_path: Path) -> None:
    settings = tmp_path / "fast.toml"
    settings.write_text("[screening]\ndays = 56\n")
    out = tmp_path / "ctl"
    r = runner.invoke(
        app,
        ["trial", "simulate", "--participants", "2", "--days", "3", "--arm", "control",
         "--settings", str(settings), "--out", str(out), "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["arm"] == "control"
    manifest = json.loads((out / "simulation.json").read_text(encoding="utf-8"))
    assert manifest["arm"] == "control" and manifest["screening"]["days"] == 56
    # an unknown choice is a usage error: exit 2 (docs/cli.md; issue 18)
    r = runner.invoke(app, ["trial", "simulate", "--arm", "sham", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2 and "--arm must be treated or control" in r.stderr


def test_simulate_paired_then_analyze(tmp_path: Path) -> None:
    settings = tmp_path / "fast.toml"
    settings.write_text("[screening]\ndays = 28\n")
    out = tmp_path / "paired"
    r = runner.invoke(
        app,
        ["trial", "simulate", "--participants", "2", "--days", "3", "--paired",
         "--settings", str(settings), "--out", str(out), "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout)
    assert summary["paired"] is True and summary["twins_folder"] == str(out / "twins")
    assert (out / "twins" / "participants.csv").is_file()
    assert (out / "twins" / "simulation.json").is_file()
    report = tmp_path / "report"
    r = runner.invoke(app, ["trial", "analyze", str(out), "--out", str(report)])
    assert r.exit_code == 0, r.output
    assert "treated vs own untreated twin" in r.stdout  # the terminal shows the pairs too
    doc = json.loads((report / "endpoints.json").read_text(encoding="utf-8"))
    assert [p["participant_id"] for p in doc["paired"]["participants"]] == ["SIM-001", "SIM-002"]
    assert "treated vs own untreated twin" in (report / "tables.md").read_text(encoding="utf-8")
    # --paired with the control arm: one line, exit 3, nothing simulated
    r = runner.invoke(
        app, ["trial", "simulate", "--paired", "--arm", "control", "--out", str(tmp_path / "x")]
    )
    assert r.exit_code == 3 and "leave out --arm control" in r.stderr
    assert not (tmp_path / "x").exists()


def test_sim_patient_graft_alone_without_rescue(tmp_path: Path) -> None:
    # a graft alone (no exogenous insulin, no rescue): the trace has the α-cell, rescue and
    # severe-event columns; no rescue is ever given and glucose stays above 45 mg/dL
    out = tmp_path / "t.csv"
    r = runner.invoke(
        app,
        ["sim", "patient", "--id", "adult#009", "--days", "3", "--graft-fraction", "1.5",
         "--therapy", "none", "--rescue", "off", "--out", str(out), "--json"],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["rescue_carbs_g_per_day"] == 0.0 and doc["severe_events"] == 0
    assert doc["min_plasma_glucose_mg_dl"] >= 45.0
    header = out.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {
        "graft_glucagon_egp_mg_kg_min",
        "glucagon_pg_ml",
        "rescue_carbs_g",
        "severe_event",
    } <= set(header)
    r = runner.invoke(app, ["sim", "patient", "--id", "adult#001", "--rescue", "maybe"])
    assert r.exit_code == 2 and "--rescue must be on or off" in r.stderr
    r = runner.invoke(app, ["sim", "patient", "--id", "adult#001", "--therapy", "pump"])
    assert r.exit_code == 2 and "therapy must be basal-bolus or none" in r.stderr
