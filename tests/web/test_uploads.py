"""Uploads: CGM exports and trial dataset zips; zip safety; temporary folders removed."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endolab.errors import InputError
from endolab.web import Settings
from endolab.web.trialdata import demo_folder, extract_zip
from tests.web.conftest import zip_bytes


def _cgm_csv() -> bytes:
    rows = ["id,time,gl"]
    for i in range(288 * 2):  # two days of 5-min readings
        h, m = divmod(i * 5, 60)
        d, h = divmod(h, 24)
        rows.append(f"s1,2024-01-0{1 + d} {h:02d}:{m:02d}:00,{100 + (i % 40) * 3}")
    return ("\n".join(rows) + "\n").encode()


def test_cgm_metrics_and_agp(client: TestClient) -> None:
    r = client.post("/api/v1/cgm/metrics", files={"file": ("cgm.csv", _cgm_csv())})
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    # readings 100, 103, …, 217 repeated over 576 readings: 14 full cycles of 40 with 27 values
    # in 70–180 (100…178), then 16 more readings (100…145), all in range: 394 / 576
    assert row["tir_70_180"] == pytest.approx(100 * (14 * 27 + 16) / 576)
    svg = client.post("/api/v1/cgm/agp", files={"file": ("cgm.csv", _cgm_csv())})
    assert svg.status_code == 200 and svg.text.startswith("<svg")
    page = client.post("/cgm", files={"file": ("cgm.csv", _cgm_csv())})
    assert page.status_code == 200 and "AGP — s1" in page.text
    assert "data:image/svg+xml;base64," in page.text


def test_cgm_clinic_report_pdf(client: TestClient) -> None:
    assert 'formaction="/cgm/report"' in client.get("/cgm").text  # the page's report button
    r = client.post("/cgm/report", files={"file": ("cgm.csv", _cgm_csv())})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf" and r.content.startswith(b"%PDF-")
    assert "agp-report.pdf" in r.headers["content-disposition"]
    bad = client.post("/cgm/report", files={"file": ("e.csv", b"")})
    assert bad.status_code == 422 and "empty" in bad.text


def test_cgm_nightscout_json_upload(client: TestClient) -> None:
    # two Nightscout entries (issue 20): 100 and 200 mg/dL, 5 min apart, local time UTC + 60 min
    entries = (
        b'[{"type": "sgv", "sgv": 100, "date": 1704096000000, "utcOffset": 60},'
        b' {"type": "sgv", "sgv": 200, "date": 1704096300000, "utcOffset": 60}]'
    )
    r = client.post("/api/v1/cgm/metrics", files={"file": ("ns.json", entries)})
    assert r.status_code == 200, r.text
    row = r.json()["rows"][0]
    assert row["n_readings"] == 2 and row["mean"] == pytest.approx(150.0)  # (100 + 200) / 2


def test_cgm_bad_upload_is_422(client: TestClient) -> None:
    r = client.post("/api/v1/cgm/metrics", files={"file": ("cgm.csv", b"\x00\x01garbage")})
    assert r.status_code == 422
    assert client.post("/api/v1/cgm/metrics", files={"file": ("e.csv", b"")}).status_code == 422


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "a/../../evil.csv", "C:/x.csv"])
def test_zip_paths_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(InputError, match=r"absolute path or '\.\.'"):
        extract_zip(zip_bytes({name: b"x"}), tmp_path, Settings())
    assert not (tmp_path.parent / "evil.csv").exists()


def test_zip_bombs_bounded(tmp_path: Path) -> None:
    many = zip_bytes({f"f{i}.csv": b"x" for i in range(30)})
    with pytest.raises(InputError, match="30 entries"):
        extract_zip(many, tmp_path, Settings(max_zip_entries=20))
    big = zip_bytes({"participants.csv": b"0" * 2_000_000})  # compresses to ~2 kB
    assert len(big) < 10_000
    with pytest.raises(InputError, match="expands to"):
        extract_zip(big, tmp_path, Settings(max_zip_uncompressed_bytes=1_000_000))


def test_zip_lying_about_its_size(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"participants.csv": b"0" * 100_000}))
    # patch the declared uncompressed size (central directory) to 10 bytes
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24 : cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises((InputError, zipfile.BadZipFile)):
        extract_zip(bytes(data), tmp_path, Settings(max_zip_uncompressed_bytes=1000))


def test_trial_analyze_zip(
    client: TestClient,
    small_dataset_zip: bytes,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    r = client.post("/api/v1/trial/analyze", files={"file": ("t.zip", small_dataset_zip)})
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["dataset"]["participants"] == 2
    assert doc["dataset"]["simulated"] is True
    html = client.post(
        "/api/v1/trial/analyze",
        files={"file": ("t.zip", small_dataset_zip)},
        data={"report": "html"},
    )
    assert html.status_code == 200 and "<html" in html.text.lower()
    assert not list(tmp_path.glob("endolab-upload-*"))  # temporary folders removed


def test_trial_analyze_rejects_non_dataset(client: TestClient) -> None:
    r = client.post(
        "/api/v1/trial/analyze", files={"file": ("t.zip", zip_bytes({"readme.txt": b"hi"}))}
    )
    assert r.status_code == 422
    assert "participants.csv" in r.json()["error"]["message"]
    r = client.post("/api/v1/trial/analyze", files={"file": ("t.zip", b"not a zip")})
    assert r.status_code == 422


def test_trial_simulate_bounded(client: TestClient) -> None:
    r = client.post("/api/v1/trial/simulate", json={"participants": 500})
    assert r.status_code == 422
    assert "at most" in r.json()["error"]["message"]


def test_demo_cache_under_xdg_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    s = Settings(demo_participants=1, demo_days=2)
    folder = demo_folder(s)
    assert folder.is_relative_to(tmp_path / "xdg" / "endolab")
    assert (folder / "simulation.json").is_file()
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".staging")]

    def boom(**_: object) -> None:
        raise AssertionError("simulated again")

    import endolab.sim

    monkeypatch.setattr(endolab.sim, "simulate_trial", boom)
    assert demo_folder(s) == folder


def test_zip_folder_found_at_any_depth(tmp_path: Path, small_dataset_zip: bytes) -> None:
    folder = extract_zip(small_dataset_zip, tmp_path, Settings())
    assert folder == tmp_path / "mytrial"
    z = zipfile.ZipFile(io.BytesIO(small_dataset_zip))
    assert len(z.namelist()) >= 5


def test_trial_page_upload(client: TestClient, small_dataset_zip: bytes) -> None:
    r = client.post("/trial", files={"file": ("t.zip", small_dataset_zip)})
    assert r.status_code == 200
    assert "In-silico" in r.text  # the uploaded dataset was simulated: labelled as such
    assert 'id="cohort-table"' in r.text
    assert 'download="trial-report.html"' in r.text
    bad = client.post("/trial", files={"file": ("t.zip", zip_bytes({"../x.csv": b"1"}))})
    assert bad.status_code == 422
    assert "absolute path or" in bad.text
