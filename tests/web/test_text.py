"""Issue 19: text slips on the pages (sentences run together, integers shown with decimals)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from endolab.hormones import predict


def test_observed_to_predicted_sentences_are_separated(client: TestClient) -> None:
    r = client.get(
        "/hormones",
        params={"total_t": "650", "age": "45", "measured_e2": "40", "measured_dht": "60"},
    )
    assert r.status_code == 200
    expected = predict(650, age=45, measured_e2=40, measured_dht=60)
    e2 = f"{expected.estradiol_observed_to_predicted:.2f}"
    dht = f"{expected.dht_observed_to_predicted:.2f}"
    text = re.sub(r"\s+", " ", r.text)
    assert f"Estradiol observed ÷ predicted {e2}. DHT observed ÷ predicted {dht}." in text
    assert not re.search(r"\d\.[A-Z]", re.sub(r"<[^>]+>", " ", r.text))  # was "2.82.DHT"


def test_counts_are_shown_as_integers(client: TestClient) -> None:
    # one reading per 5 min for an hour: n_readings 12 (a count), shown "12", not "12.0"
    rows = ["id,time,gl"] + [f"p1,2024-03-01 10:{m:02d}:00,{100 + m}" for m in range(0, 60, 5)]
    r = client.post("/cgm", files={"file": ("one-hour.csv", "\n".join(rows).encode())})
    assert r.status_code == 200, r.text
    header = re.findall(r"<th>([a-z_0-9]+)", r.text)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", re.search(r"<tbody>.*?</tbody>", r.text, re.S)[0])  # type: ignore[index]
    assert cells[header.index("n_readings")] == "12"
