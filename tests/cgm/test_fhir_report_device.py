"""The HL7 FHIR CGM IG 1.0 CGM Summary PDF Report (DiagnosticReport, profile cgm-summary-pdf) and
CGM Device (profile cgm-device) in the exported Bundle and on import (issue 20).

Independent sources: the IG's example Bundle (tests/cgm/data/fhir_cgm_ig_example_bundle.json, CC0,
with the IG's DiagnosticReport ``cgmSummaryPDFExample``) and the IG's Device example
``cgmDeviceExample`` (input/fsh/examples.fsh of github.com/HL7/cgm, CC0), written out below as JSON
following the published example's structure.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from endolab.cgm.fhir import (
    DEVICE_SYSTEM,
    CGMDevice,
    check_cgm_bundle,
    devices_from_bundle,
    fhir_bundle,
    read_fhir_bundle,
    reports_from_bundle,
    validate_r4,
)
from endolab.cli import app
from endolab.errors import DataFileError, InputError
from tests.cgm.test_fhir import _five

pytest.importorskip("fhir.resources")

IG_EXAMPLE = Path(__file__).parent / "data" / "fhir_cgm_ig_example_bundle.json"
EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"
STAMP = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)
runner = CliRunner()

#: The IG's Device example (cgmDeviceExample): "Acme CGM System", serial number ABC123,
#: identifier http://acme.com/devices | 456789.
IG_DEVICE_ENTRY = {
    "fullUrl": "https://example.org/Device/cgmDeviceExample",
    "resource": {
        "resourceType": "Device",
        "id": "cgmDeviceExample",
        "meta": {"profile": ["http://hl7.org/fhir/uv/cgm/StructureDefinition/cgm-device"]},
        "identifier": [{"system": "http://acme.com/devices", "value": "456789"}],
        "deviceName": [{"name": "Acme CGM System", "type": "user-friendly-name"}],
        "serialNumber": "ABC123",
    },
    "request": {"method": "POST", "url": "Device"},
}
#: A one-page PDF, written by hand (the smallest a reader opens) — only its bytes matter here.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _of(bundle: dict, kind: str) -> list[dict]:
    return [e for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_ig_example_report_and_device_import() -> None:
    example = json.loads(IG_EXAMPLE.read_text())
    example["entry"].append(copy.deepcopy(IG_DEVICE_ENTRY))
    validate_r4(example)
    assert check_cgm_bundle(example) == []
    (report,) = reports_from_bundle(example).rows(named=True)
    # the IG's report: Patient/patientExample, 2024-05-01 to 2024-05-14, issued 2024-05-15 14:30Z;
    # its base64 data is a PDF 1.0 that prints "FHIR CGM!"
    assert (report["id"], report["start"], report["end"], report["issued"]) == (
        "patientExample",
        "2024-05-01",
        "2024-05-14",
        "2024-05-15T14:30:00Z",
    )
    assert report["pdf"].startswith(b"%PDF-1.0")
    assert b"(FHIR CGM!) Tj" in report["pdf"]
    assert report["pdf_bytes"] == len(report["pdf"])
    assert devices_from_bundle(example).rows() == [
        ("", "Acme CGM System", "http://acme.com/devices", "456789", "ABC123")
    ]
    # the readings import as before: the report and the device are no readings
    assert read_fhir_bundle(example).height == 1


def test_export_with_report_and_device_validates_and_round_trips() -> None:
    device = CGMDevice("Dexcom G7", "8ABC12", serial_number="SN-0001")
    bundle = fhir_bundle(
        _five(), timestamp=STAMP, devices={"p1": device}, reports={"p1": PDF}, tz="UTC"
    )
    validate_r4(bundle)
    assert check_cgm_bundle(bundle) == []
    (report_entry,) = _of(bundle, "DiagnosticReport")
    report = report_entry["resource"]
    summary_url = next(
        e["fullUrl"]
        for e in _of(bundle, "Observation")
        if e["resource"]["code"]["coding"][0]["code"] == "107931-8"
    )
    # the profile's fixed and required elements (IG profiles.fsh, CGMSummaryPDF)
    assert report["code"]["coding"][0] == {"system": "http://loinc.org", "code": "107931-8"}
    assert report["effectivePeriod"] == {"start": "2024-03-01", "end": "2024-03-01"}
    assert report["presentedForm"][0]["contentType"] == "application/pdf"
    assert report["result"] == [{"reference": summary_url}]
    assert report["issued"] == "2026-01-01T12:00:00+00:00"
    (device_entry,) = _of(bundle, "Device")
    assert device_entry["resource"]["deviceName"] == [
        {"name": "Dexcom G7", "type": "user-friendly-name"}
    ]
    readings = [e for e in _of(bundle, "Observation") if "effectiveDateTime" in e["resource"]]
    assert len(readings) == 6
    assert {r["resource"]["device"]["reference"] for r in readings} == {device_entry["fullUrl"]}
    # import: the same device, the same PDF bytes, the same readings
    assert devices_from_bundle(bundle).rows() == [
        ("p1", "Dexcom G7", DEVICE_SYSTEM, "8ABC12", "SN-0001")
    ]
    (back,) = reports_from_bundle(bundle).rows(named=True)
    assert (back["id"], back["pdf"]) == ("p1", PDF)
    assert read_fhir_bundle(bundle)["gl"].to_list() == _five()["gl"].to_list()


def test_without_devices_and_reports_the_bundle_has_neither() -> None:
    bundle = fhir_bundle(_five(), timestamp=STAMP)
    assert _of(bundle, "DiagnosticReport") == [] and _of(bundle, "Device") == []
    assert devices_from_bundle(bundle).height == 0
    assert reports_from_bundle(bundle).height == 0


def test_the_ig_rules_catch_a_report_without_pdf_and_a_device_without_identifier() -> None:
    example = json.loads(IG_EXAMPLE.read_text())
    example["entry"][0]["resource"]["presentedForm"] = [
        {"contentType": "text/plain", "data": "eA=="}
    ]
    device = copy.deepcopy(IG_DEVICE_ENTRY)
    del device["resource"]["identifier"]
    example["entry"].append(device)
    problems = check_cgm_bundle(example)
    assert any("application/pdf" in p for p in problems)
    assert any("identifier" in p for p in problems)
    with pytest.raises(DataFileError, match="not a CGM Summary PDF Report"):
        reports_from_bundle(example)
    with pytest.raises(DataFileError, match="not a CGM Device"):
        devices_from_bundle(example)


def test_bad_reports_and_devices_are_refused_in_one_line() -> None:
    with pytest.raises(InputError, match="not a PDF"):
        fhir_bundle(_five(), timestamp=STAMP, reports={"p1": b"<html>"})
    with pytest.raises(InputError, match="device name is empty"):
        CGMDevice(" ", "1")
    with pytest.raises(InputError, match="not exported"):
        fhir_bundle(_five(), timestamp=STAMP, devices={"p9": CGMDevice("X", "1")})
    example = json.loads(IG_EXAMPLE.read_text())
    example["entry"][0]["resource"]["presentedForm"][0]["data"] = "bm90IGEgcGRm"  # "not a pdf"
    with pytest.raises(DataFileError, match="not a PDF"):
        reports_from_bundle(example)


def test_cli_export_with_report_and_device_then_import(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    out = tmp_path / "b.json"
    result = runner.invoke(
        app,
        [
            "cgm", "fhir", "export", str(EXAMPLES / "libreview.csv"), "--out", str(out),
            "--with-report", "--device", "FreeStyle Libre 2", "--device-id", "0A1B",
            "--summary-only",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 PDF report(s), 1 device(s)" in result.stdout
    bundle = json.loads(out.read_text())
    validate_r4(bundle)
    assert check_cgm_bundle(bundle) == []
    devices = tmp_path / "d.csv"
    result = runner.invoke(
        app, ["cgm", "fhir", "import", str(out), "--out", str(devices), "--devices"]
    )
    assert result.exit_code == 0, result.output
    assert pl.read_csv(devices).select("id", "name", "identifier").rows() == [
        ("libreview", "FreeStyle Libre 2", "0A1B")
    ]
    reports = tmp_path / "r.csv"
    result = runner.invoke(
        app, ["cgm", "fhir", "import", str(out), "--out", str(reports), "--reports"]
    )
    assert result.exit_code == 0, result.output
    (row,) = pl.read_csv(reports).rows(named=True)
    assert row["id"] == "libreview" and row["pdf_bytes"] > 1000


def test_cli_device_needs_its_id_and_one_subject(tmp_path: Path) -> None:
    out = tmp_path / "b.json"
    alone = runner.invoke(
        app,
        [
            "cgm",
            "fhir",
            "export",
            str(EXAMPLES / "libreview.csv"),
            "--out",
            str(out),
            "--device",
            "X",
        ],
    )
    assert alone.exit_code == 3
    assert "--device and --device-id go together" in alone.stderr
    two = runner.invoke(
        app,
        [
            "cgm", "fhir", "export", str(EXAMPLES / "generic.csv"), "--out", str(out),
            "--device", "X", "--device-id", "1",
        ],
    )  # fmt: skip
    assert two.exit_code == 3
    assert "give --id" in two.stderr
    assert not out.exists()
