"""Server-rendered pages: they work without JavaScript, escape every input, carry the disclaimer."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from endolab.hcg import mix
from endolab.hormones import predict
from endolab.output import DISCLAIMER


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/hormones",
        "/hcg",
        "/cgm",
        "/embed/hormones",
        "/embed/hcg",
        "/hormones?tab=protocol",
        "/embed/hormones?tab=protocol",
        "/hormones?tab=protocol&ester=propionate&dose_mg=50&every_days=2",
    ],
)
def test_page_has_disclaimer_and_only_local_assets(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert DISCLAIMER in r.text
    for url in re.findall(r'(?:src|href)="([^"]+)"', r.text):
        if url.startswith("http://testserver/"):  # the embed snippet names this server
            continue
        assert not url.startswith(("http:", "https:", "//")), url


def test_hormone_form_without_javascript(client: TestClient) -> None:
    r = client.get("/hormones", params={"total_t": "650", "age": "45"})
    assert r.status_code == 200
    expected = predict(650, age=45)
    row = re.search(r'data-key="estradiol".*?<span class="num">([^<]+)</span>', r.text, re.S)
    assert row is not None
    assert float(row.group(1)) == pytest.approx(expected.estradiol_pg_ml, rel=5e-3)
    assert "band" in r.text and "Assumptions" in r.text
    assert "/hormones?total_t=650&amp;age=45" in r.text  # shareable link


def test_hormone_results_in_si_units(client: TestClient) -> None:
    # Issue 9: results, not only inputs, switch units. Hand conversions from molar masses:
    # estradiol 1 pg/mL = 1000/272.38 pmol/L (MW 272.38); DHT 1 nmol/L = 29.044 ng/dL
    # (MW 290.44); testosterone 1 pg/mL = 0.1 ng/dL = 0.1/28.84 nmol/L = 1000/288.4 pmol/L.
    expected = predict(650, age=45)
    r = client.get("/hormones", params={"total_t": "650", "age": "45", "out_units": "si"})
    assert r.status_code == 200

    def cell(key: str) -> tuple[float, str]:
        m = re.search(
            rf'data-key="{key}".*?<span class="num">([^<]+)</span> ([^<]+)</td>', r.text, re.S
        )
        assert m is not None, key
        return float(m.group(1).replace(",", "")), m.group(2).strip()

    e2, e2_unit = cell("estradiol")
    assert e2_unit == "pmol/L"
    assert e2 == pytest.approx(expected.estradiol_pg_ml * 1000 / 272.38, rel=5e-3)
    dht, dht_unit = cell("dht")
    assert dht_unit == "nmol/L"
    assert dht == pytest.approx(expected.dht_ng_dl / 29.044, rel=5e-3)
    free_t, free_t_unit = cell("free_t")
    assert free_t_unit == "pmol/L"
    assert free_t == pytest.approx(expected.free_testosterone_pg_ml * 1000 / 288.4, rel=5e-3)
    # the reference range moves too: estradiol 3.3–37 pg/mL → 12.1–136 pmol/L
    assert re.search(r'data-key="estradiol".*?12\.1–136 pmol/L', r.text, re.S)
    assert "out_units=si" in r.text  # the shareable link keeps the choice
    # an unknown choice falls back to the library's units
    plain = client.get("/hormones", params={"total_t": "650", "out_units": "furlongs"})
    assert plain.status_code == 200 and "pmol/L</td>" not in plain.text


def test_hormone_form_error_is_shown_not_raised(client: TestClient) -> None:
    r = client.get("/hormones", params={"total_t": "-5"})
    assert r.status_code == 422
    assert "out of range" in r.text


def test_user_input_is_escaped(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    for path, name in (("/hormones", "total_t"), ("/hcg", "vial_iu"), ("/embed/hcg", "dose_iu")):
        r = client.get(path, params={name: evil})
        assert evil not in r.text
        assert "&lt;script&gt;" in r.text


@pytest.mark.parametrize(
    ("schedule", "expected_days"),
    [
        # every 4 days from Monday 2025-01-06 for 4 weeks (days 0–27): 0, 4, …, 24 → 7 doses
        ({"every_days": "4"}, [6, 10, 14, 18, 22, 26, 30]),
        # Tuesdays and Saturdays of the same 4 weeks: Jan 7, 11, 14, 18, 21, 25, 28, Feb 1
        ({"weekdays": "tue,sat"}, [7, 11, 14, 18, 21, 25, 28, 1]),
    ],
)
def test_hcg_page_custom_schedule(
    client: TestClient, schedule: dict[str, str], expected_days: list[int]
) -> None:
    # Issue 9: not only the presets — every N days or chosen weekdays, as a plain form (no JS)
    q = {"vial_iu": "5000", "diluent_ml": "5", "dose_iu": "250", "start": "2025-01-06"}
    r = client.get("/hcg", params={**q, **schedule, "weeks": "4"})
    assert r.status_code == 200, r.text
    # dose cells of each month grid (a grid's days of the next/previous month are blank)
    days = re.findall(
        r'<td class="dose[^"]*" data-date="[\d-]+" title="[\d-]+: dose[^"]*">(\d+)</td>', r.text
    )
    assert [int(d) for d in days] == expected_days
    ics = client.get("/hcg/plan.ics", params={**q, **schedule, "weeks": "4"})
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text


def test_hcg_page_draws_syringe_at_the_dose(client: TestClient) -> None:
    r = client.get("/hcg", params={"vial_iu": "5000", "diluent_ml": "2", "dose_iu": "250"})
    assert r.status_code == 200
    m = mix("5000", "2", "250")
    assert f'data-dose-ml="{m.dose_ml}"' in r.text
    assert m.draw_line() in r.text


def test_hcg_page_plan_calendar_chart_ics(client: TestClient) -> None:
    q = {
        "vial_iu": "5000",
        "diluent_ml": "5",
        "dose_iu": "250",
        "freq": "2x-week",
        "start": "2025-01-06",
        "weeks": "12",
        "discard_after_days": "30",
        "price_per_vial": "60",
    }
    r = client.get("/hcg", params=q)
    assert r.status_code == 200
    assert 'class="month"' in r.text and 'class="iu-left"' in r.text
    assert r.text.count('class="discard"') >= 2
    ics = client.get("/hcg/plan.ics", params=q)
    assert ics.status_code == 200 and "BEGIN:VEVENT" in ics.text


def test_protocol_tab_escapes_input_and_shows_the_librarys_message(client: TestClient) -> None:
    evil = '<script>alert("x")</script>'
    r = client.get("/hormones", params={"tab": "protocol", "dose_mg": evil, "every_days": "7"})
    assert r.status_code == 422
    assert evil not in r.text and "&lt;script&gt;" in r.text
    assert 'data-code="E_NOT_A_NUMBER"' in r.text
    r = client.get(
        "/hormones",
        params={"tab": "protocol", "dose_mg": "60", "every_days": "7", "dose_mg_b": "60"},
    )
    assert r.status_code == 422  # regimen B without its interval: B's message, A still shown
    assert "Regimen B:" in r.text and 'id="pk-curve"' in r.text


def test_protocol_tab_links_keep_the_embed(client: TestClient) -> None:
    r = client.get("/embed/hormones", params={"tab": "protocol"})
    assert 'href="/embed/hormones?tab=protocol"' in r.text
    assert 'action="/embed/hormones"' in r.text and 'name="tab" value="protocol"' in r.text


def test_hcg_missing_input_is_the_librarys_check(client: TestClient) -> None:
    # Issue 22: the page, the API and the command line answer a missing dose with the same check
    # (hcg.MixRequest.check_required), naming the form field where the CLI names --dose-iu.
    for path in ("/hcg", "/embed/hcg"):
        r = client.get(path, params={"vial_iu": "5000", "diluent_ml": "2"})
        assert r.status_code == 422
        assert 'data-code="E_MISSING_INPUT" data-field="dose_iu"' in r.text
        assert "E_MISSING_INPUT: missing option dose_iu" in r.text
