"""Issue 18: the trial explorer never counts an endpoint whose window the data do not cover.

The uploaded dataset is the web tests' 2-participant, 40-day simulation: the SHE-free window
(days 90–365), insulin independence (180–365) and TIR at day 365 (352–365) are past its end.
"""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_uploaded_short_trial_shows_not_decided(
    client: TestClient, small_dataset_zip: bytes
) -> None:
    r = client.post("/api/v1/trial/analyze", files={"file": ("t.zip", small_dataset_zip)})
    assert r.status_code == 200, r.text
    doc = r.json()
    for group, summary in doc["cohorts"].items():
        if summary["participants"]:
            she = summary["she_free_90_365"]
            assert she["status"] == "not decided" and she["n"] is None, group
    assert any(
        n["message"].startswith("she_free_90_365: not decided for 2 of 2") for n in doc["notices"]
    )
    page = client.post("/trial", files={"file": ("t.zip", small_dataset_zip)})
    assert page.status_code == 200
    assert "not decided (no participant" in page.text
    assert "she_free_90_365: not decided for 2 of 2" in page.text
