"""`endolab trial analyze`, in process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app
from tests.trial.builders import cgm, event, insulin, lab, person, write_dataset

runner = CliRunner()


@pytest.fixture
def data(tmp_path: Path) -> Path:
    P = [person(f"C{i}", "C") for i in range(1, 4)] + [person("B1", "B"), person("A1", "A")]
    labs = []
    ins = []
    readings = []
    for p in P:
        pid = str(p["participant_id"])
        labs += [
            lab(pid, -5, "CPEP_STIM_PEAK", 0),
            lab(pid, 180, "HBA1C", 6.4),
            lab(pid, 365, "HBA1C", 6.1),
            lab(pid, 365, "CPEP_STIM_PEAK", 600),
            lab(pid, 365, "CPEP_FASTING", 200),
            lab(pid, 365, "GLUCOSE_FASTING", 95),
        ]
        ins += insulin(pid, range(180, 366), 0.0)
        readings += cgm(pid, -14, -1, [60, 150, 250, 120]) + cgm(pid, 352, 365, [110, 130])
    events = [event("C1", 30, "AE", "Neutropenia")]
    return write_dataset(
        tmp_path / "data", participants=P, labs=labs, insulin=ins, cgm=readings, events=events
    )


def test_analyze_writes_report(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output + result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        ".endolab-manifest.json",  # what endolab wrote there (the output rule, issue 18)
        "endpoints.json",
        "participants.csv",
        "report.html",
        "tables.md",
    ]
    assert "Disclaimer:" in result.stdout
    doc = json.loads((out / "endpoints.json").read_text())
    bc = doc["cohorts"]["B+C"]
    # 4 participants in B+C, all SHE-free with HbA1c 6.4 % on day 180 → 4/4;
    # Clopper–Pearson lower bound for 4/4 = 0.025^(1/4) = 0.39764
    assert bc["primary"]["n"] == 4 and bc["primary"]["N"] == 4
    assert bc["primary"]["percent"] == 100.0
    assert bc["primary"]["ci95"][0] == pytest.approx(0.025**0.25, abs=1e-9)
    assert bc["primary"]["missing"] == 0
    for key in (
        "she_free_90_365",
        "hba1c_response_180_365",
        "insulin_independent_180_365",
        "hba1c_lt7_day365",
        "tir_gt70_day365",
        "c_peptide_detected",
    ):
        assert set(bc[key]) == {"n", "N", "percent", "ci95", "missing", "decided", "status"}
    assert bc["hba1c"]["followup"]["mean"] == pytest.approx(6.1)
    part = {p["participant_id"]: p for p in doc["participants"]}
    assert part["C1"]["primary"] is True
    # HbA1c 6.1 ≤ 6.5, TIR 100 % ≥ 80, no SHE, no reading < 54 → optimal
    assert part["C1"]["igls2_outcome"] == "optimal"
    assert part["C1"]["igls2_reason"].startswith("optimal:")
    html = (out / "report.html").read_text()
    assert "data:image/png;base64," in html
    assert not re.search(r"""(src|href)=["']?https?://""", html)
    assert "zimislecel-2025" in html and "computed from the provided data" in html
    csv_lines = (out / "participants.csv").read_text().splitlines()
    assert len(csv_lines) == 6 and csv_lines[0].startswith("participant_id,cohort,primary")


def test_json_to_stdout(data: Path) -> None:
    result = runner.invoke(app, ["trial", "analyze", str(data), "--json"])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["protocol"]["name"] == "zimislecel-2025"
    assert set(doc["cohorts"]) == {"A", "B", "C", "B+C"}


def test_other_protocol(data: Path) -> None:
    result = runner.invoke(
        app, ["trial", "analyze", str(data), "--json", "--protocol", "cit07-style"]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["protocol"]["name"] == "cit07-style"
    assert doc["cohorts"]["all"]["she_free_28_365"]["n"] == 5


def test_bad_data_is_one_line_exit_3(data: Path, tmp_path: Path) -> None:
    text = (data / "labs.csv").read_text().replace("6.4", "six", 1)
    (data / "labs.csv").write_text(text)
    out = tmp_path / "report"
    result = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(out)])
    assert result.exit_code == 3
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: labs.csv, row ")
    assert "column value" in lines[0]
    assert not out.exists()  # nothing is written from an invalid dataset


def test_bad_protocol_exit_3(data: Path, tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text('name = "x"\nprimary_endpoint = "p"\n[cohort_groups]\nA = ["A"]\n')
    result = runner.invoke(app, ["trial", "analyze", str(data), "--json", "--protocol", str(bad)])
    assert result.exit_code == 3
    assert "field endpoints" in result.stderr


def test_out_inside_input_is_refused(data: Path) -> None:
    result = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(data / "r")])
    assert result.exit_code == 3
    assert "never written to" in result.stderr
    result = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(data.parent)])
    assert result.exit_code == 3
    assert (data / "labs.csv").exists()


def test_needs_out_or_json(data: Path) -> None:
    result = runner.invoke(app, ["trial", "analyze", str(data)])
    assert result.exit_code == 3
    assert "--out" in result.stderr


def test_minimal_protocol_without_grading(data: Path, tmp_path: Path) -> None:
    proto = tmp_path / "mini.toml"
    proto.write_text(
        'name = "mini"\nprimary_endpoint = "she"\n[cohort_groups]\nall = ["A", "B", "C"]\n'
        '[endpoints.she]\nkind = "she_free"\nwindow = [0, 30]\n'
    )
    out = tmp_path / "report"
    result = runner.invoke(
        app, ["trial", "analyze", str(data), "--out", str(out), "--protocol", str(proto)]
    )
    assert result.exit_code == 0, result.stderr
    doc = json.loads((out / "endpoints.json").read_text())
    # no SHE event at all in the data → 5/5 SHE-free
    assert doc["cohorts"]["all"]["she"]["n"] == 5
    assert "igls2_outcome" not in doc["participants"][0]
    assert doc["participants"][0]["visits"] == []


def test_engine_warnings_are_one_line_each(tmp_path: Path) -> None:
    # A participant with a single CGM reading in the day-365 window: the CGM engine's AGP report
    # warns (EndolabWarning) that its metrics need two readings. The command relays it as one
    # "warning: ..." line on standard error instead of letting a Python warning escape.
    data = write_dataset(
        tmp_path / "data",
        participants=[person("C1", "C")],
        cgm=cgm("C1", 352, 352, 120.0, keep=1),
    )
    result = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output + result.stderr
    assert "warning: 1 group(s) have a single reading" in result.stderr
    doc = json.loads((tmp_path / "r" / "endpoints.json").read_text())
    assert doc["participants"][0]["tir_gt70_day365"] is None  # sufficiency undefined


def _one_ng_ml(tmp_path: Path) -> Path:
    # C1–C3 in pmol/L (600 and 200 pmol/L on day 365); C2's C-peptide written in ng/mL
    # (1.81 ng/mL = 600 pmol/L, 0.60 ng/mL = 200 pmol/L): with 0.60 ng/mL read as pmol/L the
    # graft of C2 is graded a failure; the old dataset-wide rule stayed silent (largest value 600)
    P = [person(f"C{i}", "C") for i in range(1, 4)]
    labs = []
    for p in P:
        pid = str(p["participant_id"])
        peak, fasting = (1.81, 0.60) if pid == "C2" else (600.0, 200.0)
        labs += [
            lab(pid, 180, "HBA1C", 6.4),
            lab(pid, 365, "HBA1C", 6.1),
            lab(pid, 365, "CPEP_STIM_PEAK", peak),
            lab(pid, 365, "CPEP_FASTING", fasting),
        ]
    return write_dataset(tmp_path / "data", participants=P, labs=labs)


def test_one_participant_in_ng_ml_is_named_and_refused(tmp_path: Path) -> None:
    data = _one_ng_ml(tmp_path)
    r = runner.invoke(app, ["trial", "validate", str(data)])
    assert r.exit_code == 3
    assert "problem: E_UNIT_SUSPECT: labs.csv, row 8, column value: participant 'C2'" in r.stdout
    assert "(1 of them can be confirmed with --accept-units" in r.stderr
    out = tmp_path / "rep"
    r = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(out)])
    assert r.exit_code == 3 and r.stderr.count("\n") == 1
    assert r.stderr.startswith("error: E_UNIT_SUSPECT: labs.csv, row 8, column value: ")
    assert "participant 'C2': every C-peptide above 0 is below 10 pmol/L (largest 1.81)" in r.stderr
    assert not out.exists()


def test_accept_units_keeps_the_finding_in_every_report(tmp_path: Path) -> None:
    data = _one_ng_ml(tmp_path)
    r = runner.invoke(app, ["trial", "validate", str(data), "--accept-units"])
    assert r.exit_code == 0, r.output
    assert "warning: E_UNIT_SUSPECT" in r.stdout and "1 warning(s)" in r.stdout
    out = tmp_path / "rep"
    r = runner.invoke(app, ["trial", "analyze", str(data), "--out", str(out), "--accept-units"])
    assert r.exit_code == 0, r.output
    doc = json.loads((out / "endpoints.json").read_text(encoding="utf-8"))
    notice = next(n["message"] for n in doc["notices"] if "E_UNIT_SUSPECT" in n["message"])
    assert "participant 'C2'" in notice and "confirmed as given (--accept-units)" in notice
    # escaped in the page (jinja2 autoescape writes ' as &#39;), the notice itself unchanged
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "participant &#39;C2&#39;" in page and "participant 'C2'" not in page
    assert "participant 'C2'" in (out / "tables.md").read_text(encoding="utf-8")
    assert "notice: E_UNIT_SUSPECT" in r.stdout  # and on the screen, not only on stderr
    r = runner.invoke(app, ["trial", "analyze", str(data), "--json", "--accept-units"])
    assert any("participant 'C2'" in n["message"] for n in json.loads(r.stdout)["notices"])


def test_readme_path_template_validate_analyze(tmp_path: Path) -> None:
    # README: `trial template my-trial && trial validate my-trial && trial analyze my-trial --out
    # rep`: validate said "valid", analyze died with a KeyError in grading_table
    folder, rep = tmp_path / "my-trial", tmp_path / "rep"
    assert runner.invoke(app, ["trial", "template", str(folder)]).exit_code == 0
    r = runner.invoke(app, ["trial", "validate", str(folder)])
    assert r.exit_code == 3
    assert "problem: E_NO_PARTICIPANTS: participants.csv: no participants" in r.stdout
    r = runner.invoke(app, ["trial", "analyze", str(folder), "--out", str(rep)])
    assert r.exit_code == 3 and "Traceback" not in r.output
    assert r.stderr == (
        "error: E_NO_PARTICIPANTS: participants.csv: no participants: the table has no data rows "
        "(an empty template?); add one row per participant before validating or analysing "
        "(docs/trial-data.md)\n"
    )
    assert not rep.exists()
