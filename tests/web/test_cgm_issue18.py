"""The web CGM page and API flag data that are not CGM data and refuse two-digit years (issue 18).

Expected values: 4 readings over 21 days, device interval capped at 15 min → 30240 / 15 + 1 = 2017
possible readings → active = 100 × 4 / 2017 % (see tests/cgm/test_sufficiency_time.py).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

NOT_CGM = "median interval 7 days: not CGM data?"
WEEKLY = b"id,time,gl\n" + b"".join(
    f"a,2024-01-{1 + 7 * k:02d} 08:00,{120 + 10 * k}\n".encode() for k in range(4)
)


def test_web_cgm_page_and_api_flag_weekly_data(client: TestClient) -> None:
    data = WEEKLY
    api = client.post("/api/v1/cgm/metrics", files={"file": ("weekly.csv", data)})
    assert api.status_code == 200, api.text
    (row,) = api.json()["rows"]
    assert row["sufficient_2019"] is False
    assert row["active_percent"] == pytest.approx(100.0 * 4 / 2017)
    assert any(w.startswith(NOT_CGM) for w in api.json()["warnings"])
    page = client.post("/cgm", files={"file": ("weekly.csv", data)})
    assert page.status_code == 200
    assert NOT_CGM in page.text
    assert "sufficient_2019 false: median interval 7 days" in page.text  # footnote


def test_web_two_digit_year_is_422(client: TestClient) -> None:
    r = client.post(
        "/api/v1/cgm/metrics",
        files={"file": ("yy.csv", b"id,time,gl\na,25-03-03 08:00,120\na,25-03-03 08:05,130\n")},
    )
    assert r.status_code == 422
    assert "four-digit year" in r.text
