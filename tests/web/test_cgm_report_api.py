"""The clinic AGP report's remaining surfaces (issue 20): the /cgm form's ``id``, ``unit``,
``reader`` and ``date_order`` (``endolab cgm report``'s ``--id``, ``--unit``, ``--reader``,
``--date-order``), and ``POST /api/v1/cgm/report`` (the report's numbers as JSON, or its PDF/HTML).

Every number checked is worked out by hand in the comments, or is the row of ``cgm metrics``
(``/api/v1/cgm/metrics``, ``endolab.cgm.metrics_result``) or the AGP percentiles
(``endolab.cgm.agp_percentiles``) of the same file: never a value of the report pasted back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endolab.cli._common import READER_CHOICES
from endolab.web import Settings, create_app

EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"
GENERIC = (EXAMPLES / "generic.csv").read_bytes()  # subjects S01 and S02


def _two_days_csv() -> bytes:
    """2024-01-01 at 100 mg/dL and 2024-01-02 at 200 mg/dL, every 5 min (288 readings a day)."""
    rows = ["id,time,gl"]
    for day, gl in ((1, 100), (2, 200)):
        for i in range(288):
            h, m = divmod(i * 5, 60)
            rows.append(f"s1,2024-01-0{day} {h:02d}:{m:02d}:00,{gl}")
    return ("\n".join(rows) + "\n").encode()


def _mmol_csv() -> bytes:
    """One day of a generic file in mmol/L without a unit: 6.0 mmol/L before noon, 11.0 after,
    every 5 min (144 readings each)."""
    rows = ["id,time,gl"]
    for i in range(288):
        h, m = divmod(i * 5, 60)
        rows.append(f"m1,2024-01-01 {h:02d}:{m:02d}:00,{6.0 if h < 12 else 11.0}")
    return ("\n".join(rows) + "\n").encode()


def _ambiguous_dates_csv() -> bytes:
    """A day at 120 mg/dL every 5 min, dated 01/02/2024: 1 February day-first, 2 January
    month-first (every day and month ≤ 12, so the order cannot be detected)."""
    rows = ["id,time,gl"]
    for i in range(288):
        h, m = divmod(i * 5, 60)
        rows.append(f"d1,01/02/2024 {h:02d}:{m:02d},120")
    return ("\n".join(rows) + "\n").encode()


def _cells(page: str) -> dict[str, str]:
    """The report's value cells (data-metric → text); the first of each (the whole record)."""
    found: dict[str, str] = {}
    for key, text in re.findall(r"data-metric='([a-z0-9_]+)'>([^<]*)</td>", page):
        found.setdefault(key, text)
    return found


def _metrics_row(client: TestClient, data: bytes, name: str, subject: str) -> dict:
    """The ``cgm metrics`` row (mg/dL) of ``subject`` in the uploaded file."""
    r = client.post("/api/v1/cgm/metrics", files={"file": (name, data)})
    assert r.status_code == 200, r.text
    return next(row for row in r.json()["rows"] if row["id"] == subject)


def _report(client: TestClient, data: bytes, name: str = "two.csv", **form: object):
    return client.post("/api/v1/cgm/report", files={"file": (name, data)}, data=form)


# ------------------------------------------------------------------ the /cgm form


def test_the_form_has_the_cli_options(client: TestClient) -> None:
    page = client.get("/cgm").text
    for name in ("id", "unit", "reader", "date_order", "report_unit"):
        assert f'name="{name}"' in page, name
    # the readers of --reader, and the date orders of --date-order, as their values (in order)
    readers = re.findall(r'<option value="([a-z_]+)"[^>]*>\1: ', page)
    assert tuple(readers) == READER_CHOICES  # the command line's --reader choices
    for order in ("auto", "dmy", "mdy", "ymd"):
        assert f"<option selected>{order}</option>" in page or f"<option>{order}</option>" in page


def test_page_report_of_a_chosen_subject_in_mmol_per_litre(client: TestClient) -> None:
    form = {"id": "S02", "report_unit": "mmol/L"}
    r = client.post("/cgm/report.html", files={"file": ("generic.csv", GENERIC)}, data=form)
    assert r.status_code == 200, r.text[:300]
    # one page, S02's: S01 is not reported
    assert re.findall(r"data-subject='([^']*)'", r.text) == ["S02"]
    row = _metrics_row(client, GENERIC, "generic.csv", "S02")
    cells = _cells(r.text)
    # mean glucose in mmol/L: the cgm metrics mean [mg/dL] / 18, one decimal
    assert cells["mean"] == f"{row['mean'] / 18:.1f} mmol/L"
    for column in ("tir_70_180", "tbr_70", "tbr_54", "tar_180", "tar_250", "cv", "gmi"):
        assert cells[column] == f"{row[column]:.1f} %", column
    assert "Target 3.9–10.0" in r.text  # 70 and 180 mg/dL / 18, one decimal


def test_page_unit_of_the_input_file(client: TestClient) -> None:
    data = _mmol_csv()
    r = client.post("/cgm/report.html", files={"file": ("m.csv", data)}, data={"unit": "mmol/L"})
    assert r.status_code == 200, r.text[:300]
    cells = _cells(r.text)
    # 6.0 × 18 = 108 and 11.0 × 18 = 198 mg/dL, half each: mean (108 + 198) / 2 = 153; in
    # 70–180 half = 50.0 %
    assert cells["mean"] == "153 mg/dL" and cells["tir_70_180"] == "50.0 %"
    # a unit the readers do not know: one line naming the form's field, the choice kept
    bad = client.post("/cgm/report.html", files={"file": ("m.csv", data)}, data={"unit": "g/L"})
    assert bad.status_code == 422
    (alert,) = re.findall(r'<div class="error" role="alert"[^>]*>.*?</div>', bad.text, re.S)
    assert 'data-field="unit"' in alert and "\n" not in alert


@pytest.mark.parametrize(("order", "first"), [("dmy", "2024-02-01"), ("mdy", "2024-01-02")])
def test_page_date_order(client: TestClient, order: str, first: str) -> None:
    data = _ambiguous_dates_csv()
    r = client.post("/cgm/report.html", files={"file": ("d.csv", data)}, data={"date_order": order})
    assert r.status_code == 200, r.text[:300]
    # 01/02/2024 00:00 is 1 February day-first, 2 January month-first; last reading 23:55
    assert f"<p>{first} 00:00 – {first} 23:55</p>" in r.text
    page = client.get("/cgm").text
    assert 'name="date_order"' in page
    # auto cannot tell (every day and month ≤ 12): refused in one line, the choice kept
    r = client.post("/cgm/report.html", files={"file": ("d.csv", data)})
    assert r.status_code == 422 and "cannot tell day-first from month-first" in r.text


def test_page_reader(client: TestClient) -> None:
    data = (EXAMPLES / "libreview.csv").read_bytes()
    # the LibreView export named .txt and read as libre: the same report as detected
    chosen = client.post(
        "/cgm/report.html", files={"file": ("libreview.txt", data)}, data={"reader": "libre"}
    )
    assert chosen.status_code == 200, chosen.text[:300]
    row = _metrics_row(client, data, "libreview.csv", "libreview")
    assert _cells(chosen.text)["tir_70_180"] == f"{row['tir_70_180']:.1f} %"
    # read as a Dexcom export it is refused; an unknown reader names the field, the choice kept
    wrong = client.post(
        "/cgm/report.html", files={"file": ("libreview.csv", data)}, data={"reader": "dexcom"}
    )
    assert wrong.status_code == 422 and "Traceback" not in wrong.text
    assert '<option value="dexcom" selected>' in wrong.text
    unknown = client.post(
        "/cgm/report.html", files={"file": ("libreview.csv", data)}, data={"reader": "excel"}
    )
    assert unknown.status_code == 422
    assert 'data-field="reader"' in unknown.text and "accepted: auto, generic" in unknown.text


def test_page_unknown_subject_is_one_line(client: TestClient) -> None:
    r = client.post(
        "/cgm/report.html", files={"file": ("generic.csv", GENERIC)}, data={"id": "nobody"}
    )
    assert r.status_code == 422
    assert "subject &#39;nobody&#39; not found; subjects: S01, S02" in r.text
    assert 'name="id" value="nobody"' in r.text


# ------------------------------------------------------------------ POST /api/v1/cgm/report


def test_api_json_equals_cgm_metrics_and_the_agp(client: TestClient) -> None:
    from endolab.cgm import agp_percentiles, load_cgm

    r = _report(client, GENERIC, "generic.csv")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/json"
    doc = r.json()
    assert doc["glucose_unit"] == "mg/dL" and doc["units"]["mean"] == "mg/dL"
    assert doc["disclaimer"].startswith("For education and research only")
    assert [p["id"] for p in doc["pages"]] == ["S01", "S02"]
    frame = load_cgm(GENERIC, name="generic.csv").frame
    for page in doc["pages"]:
        row = _metrics_row(client, GENERIC, "generic.csv", page["id"])
        assert page["metrics"].keys() == row.keys()
        for column, value in row.items():
            if isinstance(value, float):
                assert page["metrics"][column] == pytest.approx(value, rel=1e-12), column
            else:
                assert page["metrics"][column] == value, column
        # the AGP: the percentiles of agp_percentiles, 15-min bins
        curves = agp_percentiles(frame, page["id"], bin_minutes=15).drop("id").to_dicts()
        assert page["agp"]["bin_minutes"] == 15
        assert len(page["agp"]["bins"]) == len(curves)
        for got, want in zip(page["agp"]["bins"], curves, strict=True):
            assert got == pytest.approx(want)
        assert len(page["daily_profiles"]["days"]) == 14
        assert page["sufficient"] is row["sufficient_2019"]


def test_api_json_by_hand_in_mmol_with_comparison_segments_and_profiles(
    client: TestClient,
) -> None:
    r = _report(
        client,
        _two_days_csv(),
        report_unit="mmol/L",
        compare="2024-01-01:2024-01-01",
        meal_windows="breakfast=07:00-09:00",
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["glucose_unit"] == "mmol/L" and doc["units"]["mean"] == "mmol/L"
    assert doc["units"]["tir_70_180"] == "%"
    (page,) = doc["pages"]
    m = page["metrics"]
    # 288 readings at 100 and 288 at 200 mg/dL: mean 150 mg/dL = 150 / 18 mmol/L; half in range
    assert m["mean"] == pytest.approx(150 / 18) and m["tir_70_180"] == pytest.approx(50.0)
    assert m["n_readings"] == 576
    shown = {s["column"]: s for s in page["shown"]}
    assert shown["mean"]["value"] == "8.3" and shown["mean"]["unit"] == "mmol/L"
    assert shown["tir_70_180"]["target"] == "> 70 %"
    # the previous period, 2024-01-01 alone: all at 100 mg/dL = 5.55… mmol/L, 100 % in range
    compare = page["compare"]
    assert (compare["start"], compare["end"]) == ("2024-01-01", "2024-01-01")
    assert compare["metrics"]["mean"] == pytest.approx(100 / 18)
    assert compare["metrics"]["tir_70_180"] == pytest.approx(100.0)
    # night and day each hold both days' readings (half at 100, half at 200): mean 150 mg/dL
    for key in ("night", "day"):
        assert page["segments"][key]["mean"] == pytest.approx(150 / 18), key
    (breakfast,) = page["meals"]
    assert breakfast["key"] == "breakfast" and breakfast["label"] == "Breakfast 07:00–09:00"
    assert breakfast["metrics"]["tir_70_180"] == pytest.approx(50.0)
    # the 14 daily profiles end on the last day; 2024-01-01: 288 readings, all 100 mg/dL
    days = page["daily_profiles"]["days"]
    assert [d["date"] for d in days[-2:]] == ["2024-01-01", "2024-01-02"]
    assert days[0]["date"] == "2023-12-20" and days[0]["n_readings"] == 0
    assert days[0]["mean"] is None
    assert days[-2]["n_readings"] == 288
    assert days[-2]["mean"] == pytest.approx(100 / 18) and days[-2]["max"] == pytest.approx(
        100 / 18
    )
    assert days[-1]["min"] == pytest.approx(200 / 18)
    assert page["daily_profiles"]["units"]["mean"] == "mmol/L"
    # every AGP bin holds one reading of each day (100 and 200 mg/dL) at each 5 min: 3 a day
    # per 15-min bin, 6 in all; the median of three 100s and three 200s is 150 mg/dL
    assert all(b["n"] == 6 for b in page["agp"]["bins"]) and len(page["agp"]["bins"]) == 96
    assert page["agp"]["bins"][0]["p50"] == pytest.approx(150 / 18)
    assert page["agp"]["units"]["p50"] == "mmol/L"
    assert doc["targets"]["tir_70_180"] == {"comparison": ">", "value": 70.0, "unit": "%"}


def test_api_subject_and_input_unit(client: TestClient) -> None:
    r = _report(client, GENERIC, "generic.csv", id="S02")
    assert [p["id"] for p in r.json()["pages"]] == ["S02"]
    both = client.post(
        "/api/v1/cgm/report",
        files={"file": ("generic.csv", GENERIC)},
        data={"id": ["S02", "S01"]},
    )
    assert [p["id"] for p in both.json()["pages"]] == ["S02", "S01"]
    # a generic file in mmol/L: 6.0 and 11.0 mmol/L are 108 and 198 mg/dL; given as mmol/L the
    # readers say nothing, guessed they say what they changed
    given = _report(client, _mmol_csv(), "m.csv", unit="mmol/L").json()
    assert given["pages"][0]["metrics"]["mean"] == pytest.approx((108 + 198) / 2)
    assert "W_CGM_DATA_CHANGED" not in [n["code"] for n in given["notices"]]
    guessed = _report(client, _mmol_csv(), "m.csv").json()
    assert "W_CGM_DATA_CHANGED" in [n["code"] for n in guessed["notices"]]


def test_api_reader_and_date_order(client: TestClient) -> None:
    data = _ambiguous_dates_csv()
    doc = _report(client, data, "d.csv", reader="generic", date_order="mdy").json()
    assert doc["pages"][0]["first"] == "2024-01-02T00:00:00"
    doc = _report(client, data, "d.csv", date_order="DMY").json()  # case is ignored, as the CLI
    assert doc["pages"][0]["first"] == "2024-02-01T00:00:00"


def test_api_pdf_and_html_are_the_reports(client: TestClient) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    r = _report(client, _two_days_csv(), format="pdf")
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    text = pdfium.PdfDocument(r.content)[0].get_textpage().get_text_range()
    # mean (100 + 200) / 2 = 150 mg/dL, half of the readings in 70–180
    assert "Mean glucose 150 mg/dL" in text and "Target 70–180 50.0 % > 70 %" in text
    html = _report(client, _two_days_csv(), format="html")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    cells = _cells(html.text)
    assert cells["mean"] == "150 mg/dL" and cells["tir_70_180"] == "50.0 %"


def _error(r) -> dict:
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert set(body) == {"error", "disclaimer"}
    assert set(body["error"]) >= {"type", "code", "field", "message", "exit_code"}
    assert "\n" not in body["error"]["message"]
    return body["error"]


def test_api_bad_input_is_the_documented_error_shape(client: TestClient) -> None:
    assert _error(_report(client, _two_days_csv(), reader="excel")) == {
        "type": "ParseError",
        "code": None,
        "field": "reader",
        "message": f"reader 'excel' not accepted; accepted: {', '.join(READER_CHOICES)}",
        "exit_code": 2,
    }
    r = _report(client, _two_days_csv(), date_order="yyyy")
    assert r.status_code == 422 and _error(r)["field"] == "date_order"
    r = _report(client, _two_days_csv(), id="nobody")
    assert r.status_code == 422 and "subject 'nobody' not found" in _error(r)["message"]
    r = _report(client, _two_days_csv(), compare="1:14")
    assert r.status_code == 422 and _error(r)["field"] == "compare"  # the API's parameter
    r = _report(client, _two_days_csv(), report_unit="g/L")
    assert r.status_code == 422 and _error(r)["field"] == "report_unit"
    r = _report(client, _two_days_csv(), id=[f"s{i}" for i in range(21)])
    assert r.status_code == 422 and "at most 20 subjects" in _error(r)["message"]
    r = _report(client, b"")
    assert r.status_code == 422 and _error(r)["code"] == "E_EMPTY"
    r = _report(client, b"not,a\ncgm,file\n", "x.csv")
    assert r.status_code == 422 and _error(r)["type"] == "DataFileError"
    r = _report(client, _two_days_csv(), format="docx")
    assert r.status_code == 422 and _error(r)


def test_api_oversized_upload_is_413(tmp_path: Path) -> None:
    data = _two_days_csv()
    settings = Settings(cache_dir=tmp_path / "cache", max_upload_bytes=len(data) // 2)
    with TestClient(create_app(settings)) as small:
        r = small.post("/api/v1/cgm/report", files={"file": ("two.csv", data)})
    assert r.status_code == 413
    error = _error(r)
    assert error["code"] == "E_TOO_LARGE" and "larger than the limit" in error["message"]


def test_api_pdf_without_the_plot_extra_is_501(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_pdf", None)
    r = _report(client, _two_days_csv(), format="pdf")
    assert r.status_code == 501
    error = _error(r)
    assert error["code"] == "E_MISSING_EXTRA" and "endolab[plot]" in error["message"]
    # the numbers need no [plot]
    assert _report(client, _two_days_csv()).status_code == 200


def test_the_schema_documents_the_route(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"]["/api/v1/cgm/report"]["post"]
    assert {"200", "413", "422", "501"} <= set(op["responses"])
    assert set(op["responses"]["200"]["content"]) == {
        "application/json",
        "application/pdf",
        "text/html",
    }
    ref = op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].split("/")[-1]
    body = client.get("/openapi.json").json()["components"]["schemas"][ref]["properties"]
    assert set(body) >= {"file", "id", "unit", "reader", "date_order", "report_unit", "format"}
    assert body["format"]["enum"] == ["json", "pdf", "html"]
