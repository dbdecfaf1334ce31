"""HL7 FHIR CGM IG 1.0 Bundles (issue 20): export validates, the IG's example imports, and
export → import → metrics equals the metrics of the source.

The IG's example Bundle (tests/cgm/data/fhir_cgm_ig_example_bundle.json, CC0; see its README) is
the independent source: its values are those printed in the IG.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cgm import check_frame, compute_metrics
from endolab.cgm.fhir import (
    LOINC,
    check_cgm_bundle,
    fhir_bundle,
    read_fhir_bundle,
    readings_table,
    summaries_from_bundle,
    validate_r4,
)
from endolab.cli import app
from endolab.errors import DataFileError, InputError

pytest.importorskip("fhir.resources")

IG_EXAMPLE = Path(__file__).parent / "data" / "fhir_cgm_ig_example_bundle.json"
EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"
STAMP = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
runner = CliRunner()


def _five() -> pl.DataFrame:
    # one reading in each consensus band, 5 min apart: 50 (< 54), 60 (54–69), 100 (70–180),
    # 200 (181–250), 300 (> 250) mg/dL, then a device "High" (censored, stored as 401)
    t0 = dt.datetime(2024, 3, 1, 8, 0)
    return check_frame(
        pl.DataFrame(
            {
                "id": ["p1"] * 6,
                "time": [t0 + dt.timedelta(minutes=5 * i) for i in range(6)],
                "gl": ["50", "60", "100", "200", "300", "High"],
            }
        )
    )


def _resources(bundle: dict, code: str) -> list[dict]:
    return [
        e["resource"]
        for e in bundle["entry"]
        if any(c.get("code") == code for c in e["resource"].get("code", {}).get("coding", []))
    ]


def test_exported_bundle_validates_and_carries_the_hand_computed_summary() -> None:
    bundle = fhir_bundle(_five(), timestamp=STAMP)
    validate_r4(bundle)  # the fhir.resources Bundle model accepts it
    assert check_cgm_bundle(bundle) == []
    assert bundle["type"] == "transaction" and bundle["timestamp"] == "2026-01-01T12:00:00+00:00"
    # by hand: six readings; very low 1, low 1, target 1, high 1, very high 2 (300 and High)
    (tir,) = _resources(bundle, LOINC["times_in_ranges"])
    values = {c["code"]["coding"][0]["code"]: c["valueQuantity"]["value"] for c in tir["component"]}
    assert values == {
        LOINC["very_low"]: pytest.approx(100 / 6, abs=1e-4),
        LOINC["low"]: pytest.approx(100 / 6, abs=1e-4),
        LOINC["target"]: pytest.approx(100 / 6, abs=1e-4),
        LOINC["high"]: pytest.approx(100 / 6, abs=1e-4),
        LOINC["very_high"]: pytest.approx(200 / 6, abs=1e-4),
    }
    assert {c["valueQuantity"]["code"] for c in tir["component"]} == {"%"}
    (mean,) = _resources(bundle, LOINC["mean_mg_dl"])
    # (50 + 60 + 100 + 200 + 300 + 401) / 6 = 185.1667 mg/dL
    assert mean["valueQuantity"]["value"] == pytest.approx(1111 / 6, abs=1e-4)
    assert mean["valueQuantity"]["code"] == "mg/dL"
    assert mean["effectivePeriod"] == {"start": "2024-03-01", "end": "2024-03-01"}
    (summary,) = _resources(bundle, LOINC["summary"])
    assert len(summary["hasMember"]) == 6
    readings = _resources(bundle, LOINC["reading_mg_dl"])
    assert [r["effectiveDateTime"] for r in readings][:2] == [
        "2024-03-01T08:00:00+00:00",
        "2024-03-01T08:05:00+00:00",
    ]
    assert readings[-1]["valueQuantity"]["comparator"] == ">"  # the device "High"


def test_time_zone_offset_is_written_and_the_wall_clock_read_back() -> None:
    bundle = fhir_bundle(_five(), tz="Europe/Berlin", timestamp=STAMP)
    first = _resources(bundle, LOINC["reading_mg_dl"])[0]
    assert first["effectiveDateTime"] == "2024-03-01T08:00:00+01:00"  # CET in March before DST
    back = read_fhir_bundle(bundle)
    assert back.get_column("time").to_list() == _five().get_column("time").to_list()


def test_the_ig_example_bundle_validates_and_imports() -> None:
    example = json.loads(IG_EXAMPLE.read_text())
    validate_r4(example)
    assert check_cgm_bundle(example) == []
    readings = read_fhir_bundle(example)
    # the IG's one sensor reading: 120 mg/dL at 2024-05-02T10:15:00Z, Patient/patientExample
    assert readings.select("id", "time", "gl").rows() == [
        ("patientExample", dt.datetime(2024, 5, 2, 10, 15), 120.0)
    ]
    (row,) = summaries_from_bundle(example).rows(named=True)
    assert row == {
        "id": "patientExample",
        "start": "2024-05-01",
        "end": "2024-05-31",
        "mean": 145,
        "tbr_54": 3,
        "tbr_54_70": 8,
        "tir_70_180": 65,
        "tar_180_250": 20,
        "tar_250": 4,
        "gmi": 6.8,
        "cv": 34,
        "days_worn": 28,
        "active_percent": 95,
    }


@pytest.mark.parametrize("name", ["generic.csv", "libreview.csv", "dexcom_clarity.csv"])
def test_export_import_metrics_equal_the_metrics_of_the_source(tmp_path: Path, name: str) -> None:
    source = EXAMPLES / name
    bundle, csv = tmp_path / "bundle.json", tmp_path / "readings.csv"
    done = runner.invoke(
        app, ["cgm", "fhir", "export", str(source), "--out", str(bundle), "--tz", "Europe/Paris"]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(app, ["cgm", "fhir", "import", str(bundle), "--out", str(csv)])
    assert done.exit_code == 0, done.output
    metrics = []
    for path in (source, csv):
        done = runner.invoke(app, ["cgm", "metrics", str(path), "--json"])
        assert done.exit_code == 0, done.output
        metrics.append(json.loads(done.stdout)["rows"])
    assert metrics[1] == metrics[0]
    # and the Bundle's own summary is that of cgm metrics, to the Bundle's 4 decimals
    for row, summary in zip(
        metrics[0],
        summaries_from_bundle(json.loads(bundle.read_text())).rows(named=True),
        strict=True,
    ):
        for column in ("mean", "tir_70_180", "tbr_54", "tar_250", "gmi", "cv", "days_worn"):
            assert summary[column] == pytest.approx(row[column], abs=1e-4)


def test_censored_readings_survive_the_round_trip() -> None:
    back = read_fhir_bundle(fhir_bundle(_five(), timestamp=STAMP))
    assert back.get_column("censored").to_list() == [0, 0, 0, 0, 0, 1]
    assert compute_metrics(back).equals(compute_metrics(_five()))
    assert readings_table(back).get_column("gl").to_list()[-1] == "High"


def test_the_ig_rules_catch_a_wrong_unit_and_a_missing_band() -> None:
    bundle = fhir_bundle(_five(), readings=False, timestamp=STAMP)
    (mean,) = _resources(bundle, LOINC["mean_mg_dl"])
    mean["valueQuantity"]["code"] = "mmol/L"
    (tir,) = _resources(bundle, LOINC["times_in_ranges"])
    tir["component"].pop(0)
    problems = check_cgm_bundle(bundle)
    assert len(problems) == 2
    assert "UCUM 'mg/dL'" in problems[0] and "very_low" in problems[1]


def test_bad_input_is_one_line() -> None:
    with pytest.raises(InputError, match="time zone 'Mars/Olympus'"):
        fhir_bundle(_five(), tz="Mars/Olympus")
    with pytest.raises(InputError, match="subject 'nobody' not found"):
        fhir_bundle(_five(), subjects=["nobody"])
    with pytest.raises(DataFileError, match="no CGM sensor readings"):
        read_fhir_bundle({"resourceType": "Bundle", "type": "transaction", "entry": []})
    with pytest.raises(DataFileError, match="not a valid FHIR R4 Bundle"):
        # an Observation needs its code (FHIR R4 Observation.code 1..1)
        validate_r4(
            {
                "resourceType": "Bundle",
                "type": "transaction",
                "entry": [{"resource": {"resourceType": "Observation", "status": "final"}}],
            }
        )


def test_cli_errors_are_one_line_with_their_exit_status(tmp_path: Path) -> None:
    source = EXAMPLES / "generic.csv"
    done = runner.invoke(
        app,
        ["cgm", "fhir", "export", str(source), "--out", str(tmp_path / "b.json"), "--tz", "X/Y"],
    )
    assert done.exit_code == 3 and done.stderr.count("\n") == 1 and "time zone" in done.stderr
    done = runner.invoke(
        app, ["cgm", "fhir", "export", str(source), "--out", str(tmp_path / "b.txt")]
    )
    assert done.exit_code != 0 and done.stderr.count("\n") == 1
    (tmp_path / "x.json").write_text('{"resourceType": "Patient"}')
    done = runner.invoke(
        app, ["cgm", "fhir", "import", str(tmp_path / "x.json"), "--out", str(tmp_path / "r.csv")]
    )
    assert done.exit_code == 3 and done.stderr.count("\n") == 1
    assert not (tmp_path / "r.csv").exists()


def test_without_the_fhir_extra_the_command_names_it(tmp_path: Path) -> None:
    run = (
        "import sys\n"
        "sys.modules['fhir'] = None\n"
        "from endolab.cli import main\n"
        "sys.argv = ['endolab', *sys.argv[1:]]\n"
        "main()\n"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            run,
            "cgm",
            "fhir",
            "export",
            str(EXAMPLES / "generic.csv"),
            "--out",
            str(tmp_path / "b.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and "endolab[fhir]" in done.stderr
    assert not (tmp_path / "b.json").exists()
