"""The /cgm page's reading options apply to everything the page computes (issue 20): its
**Analyse** button (``POST /cgm``) reads the upload with the form's ``unit``, ``reader``,
``date_order`` and ``id`` as the report buttons do, and the API's CGM uploads
(``/api/v1/cgm/metrics``, ``/api/v1/cgm/agp``) take the same reading options.

Every number checked is worked out by hand in the comments, or is the row of
:func:`endolab.cgm.metrics_result` of the file read by the library with the same options (never a
value of the page pasted back).
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from endolab.cgm import load_cgm, metrics_result
from endolab.cgm.tables import display_cell

EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"
GENERIC = (EXAMPLES / "generic.csv").read_bytes()  # subjects S01 and S02


def _mmol_csv() -> bytes:
    """One day of a generic file in mmol/L without a unit: 6.0 mmol/L before noon, 11.0 after,
    every 5 min (144 readings each)."""
    rows = ["id,time,gl"]
    for i in range(288):
        h, m = divmod(i * 5, 60)
        rows.append(f"m1,2024-01-01 {h:02d}:{m:02d}:00,{6.0 if h < 12 else 11.0}")
    return ("\n".join(rows) + "\n").encode()


def _ambiguous_dates_csv() -> bytes:
    """Three days at 120 mg/dL every 30 min, dated 01/02/2024–03/02/2024: 1–3 February
    day-first, 2 January, 2 February and 2 March month-first (every day and month ≤ 12, so the
    order cannot be detected)."""
    rows = ["id,time,gl"]
    for day in (1, 2, 3):
        for i in range(48):
            h, m = divmod(i * 30, 60)
            rows.append(f"d1,0{day}/02/2024 {h:02d}:{m:02d},120")
    return ("\n".join(rows) + "\n").encode()


def _table(page: str) -> dict[str, dict[str, str]]:
    """The Analyse table of ``page``: subject id → (column → cell text)."""
    out: dict[str, dict[str, str]] = {}
    for sid, body in re.findall(r'<tr data-id="([^"]*)">(.*?)</tr>', page, re.S):
        out[sid] = dict(re.findall(r'<td data-col="([^"]+)">([^<]*)</td>', body))
    return out


def _alert(page: str) -> str:
    (alert,) = re.findall(r'<div class="error" role="alert"[^>]*>.*?</div>', page, re.S)
    return alert


def _library_cells(data: bytes, name: str, **options: object) -> dict[str, dict[str, str]]:
    """The ``cgm metrics`` rows of the library's reading with ``options``, as the page words a
    cell (:func:`endolab.cgm.tables.display_cell`)."""
    table = metrics_result(load_cgm(data, name=name, **options)).table  # type: ignore[arg-type]
    return {str(r["id"]): {c: display_cell(v) for c, v in r.items()} for r in table.to_dicts()}


def _same(page_row: dict[str, str], library_row: dict[str, str]) -> None:
    """Every cell the page shows is the library's (a footnote mark such as ``†`` after it aside)."""
    assert page_row, "no row shown"
    for column, text in page_row.items():
        assert text.rstrip(" †‡*") == library_row[column], (column, text, library_row[column])


def _analyse(client: TestClient, data: bytes, name: str, **form: object):
    return client.post("/cgm", files={"file": (name, data)}, data=form)


def test_analyse_reads_the_unit_of_the_form(client: TestClient) -> None:
    data = _mmol_csv()
    r = _analyse(client, data, "m.csv", unit="mmol/L")
    assert r.status_code == 200, r.text[:300]
    row = _table(r.text)["m1"]
    # 6.0 × 18 = 108 and 11.0 × 18 = 198 mg/dL, half the day each: mean (108 + 198) / 2 = 153
    # mg/dL; in 70–180 mg/dL: the 144 morning readings of 288 = 50.0 %
    assert row["mean"] == "153.0" and row["tir_70_180"] == "50.0"
    _same(row, _library_cells(data, "m.csv", unit="mmol/L")["m1"])
    # the unit given: no "read as mmol/L" notice, which the detected reading carries
    detected = _analyse(client, data, "m.csv")
    assert "read as mmol/L" in detected.text and "read as mmol/L" not in r.text
    # mg/dL chosen for values all below 36: refused in one line (Analyse read the file with
    # the detected unit before, whatever the form said), the choice kept in the form
    wrong = _analyse(client, data, "m.csv", unit="mg/dL")
    assert wrong.status_code == 422 and "\n" not in _alert(wrong.text)
    assert "<option selected>mg/dL</option>" in wrong.text.split('name="unit"')[1][:400]
    # a unit the readers do not know: one line naming the field
    bad = _analyse(client, data, "m.csv", unit="g/L")
    assert bad.status_code == 422
    assert 'data-field="unit"' in _alert(bad.text)
    assert "unit: unknown unit &#39;g/L&#39; for glucose" in _alert(bad.text)


def test_analyse_reads_the_date_order_of_the_form(client: TestClient) -> None:
    data = _ambiguous_dates_csv()
    day_first = _analyse(client, data, "d.csv", date_order="dmy")
    month_first = _analyse(client, data, "d.csv", date_order="mdy")
    assert day_first.status_code == 200 and month_first.status_code == 200
    dmy, mdy = _table(day_first.text)["d1"], _table(month_first.text)["d1"]
    _same(dmy, _library_cells(data, "d.csv", date_order="dmy")["d1"])
    _same(mdy, _library_cells(data, "d.csv", date_order="mdy")["d1"])
    # 3 × 48 = 144 readings either way; day-first 1–3 February (under 3 days worn),
    # month-first 2 January to 2 March 2024 (31 + 29 = 60 days apart: more than 60 days worn)
    assert dmy["n_readings"] == mdy["n_readings"] == "144"
    assert float(dmy["days_worn"]) <= 3.0 < 60.0 < float(mdy["days_worn"])
    # the date order chosen is kept in the form
    assert "<option selected>mdy</option>" in month_first.text
    # auto cannot tell: one line that asks for the page's field, not the command line's option
    auto = _analyse(client, data, "d.csv")
    assert auto.status_code == 422
    alert = _alert(auto.text)
    assert "cannot tell day-first from month-first" in alert
    assert "choose dmy or mdy in the Date order field" in alert
    assert "CLI" not in alert and "--date-order" not in alert


def test_analyse_reads_the_reader_and_subjects_of_the_form(client: TestClient) -> None:
    # S02 only: the table and the AGPs of S02, its row as the library's
    r = _analyse(client, GENERIC, "generic.csv", id="S02")
    assert r.status_code == 200, r.text[:300]
    assert list(_table(r.text)) == ["S02"]
    assert re.findall(r"<figcaption>AGP — ([^<]*)</figcaption>", r.text) == ["S02"]
    _same(_table(r.text)["S02"], _library_cells(GENERIC, "generic.csv")["S02"])
    # a subject not in the file: one line naming the field and the subjects found
    r = _analyse(client, GENERIC, "generic.csv", id="S09")
    assert r.status_code == 422 and 'data-field="id"' in _alert(r.text)
    assert "S01, S02" in _alert(r.text)
    # a LibreView export read as a generic file: refused (it was read as LibreView before)
    libre = (EXAMPLES / "libreview.csv").read_bytes()
    assert _analyse(client, libre, "l.csv").status_code == 200
    assert _analyse(client, libre, "l.csv", reader="libre").status_code == 200
    r = _analyse(client, libre, "l.csv", reader="generic")
    assert r.status_code == 422, r.text[:300]
    r = _analyse(client, libre, "l.csv", reader="excel")
    assert r.status_code == 422 and 'data-field="reader"' in _alert(r.text)


# ------------------------------------------------------------------ the API's CGM uploads


def test_api_metrics_and_agp_take_the_reading_options(client: TestClient) -> None:
    data = _ambiguous_dates_csv()
    rows = {}
    for order in ("dmy", "mdy"):
        r = client.post(
            "/api/v1/cgm/metrics", files={"file": ("d.csv", data)}, data={"date_order": order}
        )
        assert r.status_code == 200, r.text
        (rows[order],) = r.json()["rows"]
        expected = metrics_result(load_cgm(data, name="d.csv", date_order=order)).table
        assert rows[order]["days_worn"] == expected["days_worn"][0]
    assert rows["dmy"]["days_worn"] <= 3.0 < 60.0 < rows["mdy"]["days_worn"]  # as above
    # auto: refused, asking in the library's words (the API's field is date_order)
    r = client.post("/api/v1/cgm/metrics", files={"file": ("d.csv", data)})
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert message.endswith("pass date_order='dmy' or 'mdy'") and "CLI" not in message
    # the AGP: the same options
    r = client.post("/api/v1/cgm/agp", files={"file": ("d.csv", data)}, data={"date_order": "dmy"})
    assert r.status_code == 200 and r.text.lstrip().startswith("<svg")
    assert client.post("/api/v1/cgm/agp", files={"file": ("d.csv", data)}).status_code == 422
    # reader and unit: a value not accepted names the field
    for form, field in (({"reader": "excel"}, "reader"), ({"unit": "g/L"}, "unit")):
        for path in ("/api/v1/cgm/metrics", "/api/v1/cgm/agp"):
            r = client.post(path, files={"file": ("d.csv", data)}, data=form)
            assert r.status_code == 422 and r.json()["error"]["field"] == field, (path, form)
    mmol = client.post(
        "/api/v1/cgm/metrics", files={"file": ("m.csv", _mmol_csv())}, data={"unit": "mmol/L"}
    )
    assert mmol.json()["rows"][0]["mean"] == 153.0  # (6.0 × 18 + 11.0 × 18) / 2


def test_openapi_documents_the_reading_options(client: TestClient) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    for route in ("cgm_metrics", "cgm_agp", "cgm_report"):
        (name,) = [k for k in schemas if k.startswith(f"Body_{route}_")]
        props = schemas[name]["properties"]
        for field in ("unit", "reader", "date_order"):
            assert props[field].get("description"), (route, field)
