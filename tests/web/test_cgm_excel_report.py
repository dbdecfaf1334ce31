"""The /cgm page (issue 20): Excel exports (Tidepool .xlsx, Diasend .xls) are uploaded like the other
files, a missing [xlsx] extra is one line, oversized uploads are refused; the clinic AGP report as
the library's HTML page (shown) and PDF (downloaded), with the comparison period, meal windows and
unit of ``endolab cgm report``. Every number checked here is worked out by hand in the comments or
is the ``/api/v1/cgm/metrics`` (``cgm metrics``) row of the same file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from endolab.web import Settings, create_app
from tests.cgm.test_report import _shown

EXAMPLES = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"


def _tidepool_xlsx() -> bytes:
    """The four-reading Tidepool workbook of tests/cgm/test_readers_xlsx.py (109, 262 mg/dL, a Low
    and a High), written with openpyxl in the export's layout."""
    pytest.importorskip("openpyxl")
    from tests.cgm.test_readers_xlsx import ROWS_MMOL, _workbook

    return _workbook(ROWS_MMOL)


def _diasend_xls() -> bytes:
    """The Diasend .xls of tests/cgm/test_readers_diasend_xls.py (written with xlwt): 5.6, 10.0
    mmol/L, LO and HI."""
    pytest.importorskip("xlwt")
    pytest.importorskip("python_calamine")
    from tests.cgm.test_readers_diasend_xls import CGM_MMOL, GLUCOSE_SHEET, _xls

    return _xls({"Name and glucose": GLUCOSE_SHEET, "CGM": CGM_MMOL})


def _two_days_csv() -> bytes:
    """2024-01-01 at 100 mg/dL and 2024-01-02 at 200 mg/dL, every 5 min (288 readings a day)."""
    rows = ["id,time,gl"]
    for day, gl in ((1, 100), (2, 200)):
        for i in range(288):
            h, m = divmod(i * 5, 60)
            rows.append(f"s1,2024-01-0{day} {h:02d}:{m:02d}:00,{gl}")
    return ("\n".join(rows) + "\n").encode()


def _cells(page: str) -> dict[str, str]:
    """The report's value cells (data-metric → text); the first of each (the whole record)."""
    found: dict[str, str] = {}
    for key, text in re.findall(r"data-metric='([a-z0-9_]+)'>([^<]*)</td>", page):
        found.setdefault(key, text)
    return found


# ------------------------------------------------------------------ Excel uploads


def test_the_form_offers_excel_files(client: TestClient) -> None:
    pytest.importorskip("openpyxl")
    pytest.importorskip("python_calamine")
    page = client.get("/cgm").text
    (accept,) = re.findall(r'type="file" name="file" required accept="([^"]*)"', page)
    assert accept.split(",") == [
        ".csv",
        ".txt",
        ".parquet",
        ".tsv",
        ".json",
        ".zip",
        ".xlsx",
        ".xls",
    ]
    assert "E_MISSING_EXTRA" not in page


def test_tidepool_xlsx_upload_metrics_by_hand(client: TestClient) -> None:
    data = _tidepool_xlsx()
    r = client.post("/api/v1/cgm/metrics", files={"file": ("tp.xlsx", data)})
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    # 109, 262, Low (kept as 39) and High (kept as 401) mg/dL: in 70–180 one of four = 25 %,
    # > 250: 262 and 401 = 50 %, < 54: the Low = 25 %
    assert row["id"] == "tp" and row["n_readings"] == 4
    assert row["tir_70_180"] == pytest.approx(25.0)
    assert row["tar_250"] == pytest.approx(50.0)
    assert row["tbr_54"] == pytest.approx(25.0)
    page = client.post("/cgm", files={"file": ("tp.xlsx", data)})
    assert page.status_code == 200, page.text[:300]
    assert 'data-id="tp"' in page.text and "AGP — tp" in page.text
    cell = re.search(r'<tr data-id="tp">.*?<td data-col="tir_70_180">([^<]*)</td>', page.text)
    assert cell is not None and cell.group(1).startswith("25")


def test_diasend_xls_upload_metrics_by_hand(client: TestClient) -> None:
    data = _diasend_xls()
    r = client.post("/api/v1/cgm/metrics", files={"file": ("P07.xls", data)})
    assert r.status_code == 200, r.text
    (row,) = r.json()["rows"]
    # 5.6 and 10.0 mmol/L × 18 = 100.8 and 180.0 mg/dL (both in 70–180: 50 %), LO → < 54
    # (25 %), HI → > 250 (25 %)
    assert row["id"] == "P07" and row["n_readings"] == 4
    assert row["tir_70_180"] == pytest.approx(50.0)
    assert row["tbr_54"] == pytest.approx(25.0)
    assert row["tar_250"] == pytest.approx(25.0)
    page = client.post("/cgm", files={"file": ("P07.xls", data)})
    assert page.status_code == 200 and "AGP — P07" in page.text


def test_without_the_xlsx_extra_one_line_and_501(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = _tidepool_xlsx()
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # as a plain install: import fails
    form = client.get("/cgm").text
    (accept,) = re.findall(r'type="file" name="file" required accept="([^"]*)"', form)
    assert ".xlsx" not in accept.split(",")
    hint = (
        "Reading Excel exports (.xlsx, .xls) needs the optional extra [xlsx] (openpyxl is not "
        "installed): pip install &#39;endolab[xlsx]&#39;"
    )
    assert hint in form
    line = (
        "this server needs the optional extra [xlsx] (openpyxl is not installed): "
        "pip install 'endolab[xlsx]'"
    )
    page = client.post("/cgm", files={"file": ("tp.xlsx", data)})
    assert page.status_code == 501
    assert 'data-code="E_MISSING_EXTRA"' in page.text
    assert line.replace("'", "&#39;") in page.text and "Traceback" not in page.text
    report = client.post("/cgm/report.html", files={"file": ("tp.xlsx", data)})
    assert report.status_code == 501 and "E_MISSING_EXTRA" in report.text
    api = client.post("/api/v1/cgm/metrics", files={"file": ("tp.xlsx", data)})
    assert api.status_code == 501
    assert api.json()["error"] == {
        "type": "MissingExtra",
        "code": "E_MISSING_EXTRA",
        "field": None,
        "message": line,
        "exit_code": 2,
    }


def test_the_schema_documents_the_501(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/v1/cgm/metrics", "/api/v1/cgm/agp"):
        assert "501" in paths[path]["post"]["responses"], path


@pytest.mark.parametrize("path", ["/cgm", "/cgm/report", "/cgm/report.html", "/api/v1/cgm/metrics"])
def test_an_oversized_excel_upload_is_413(tmp_path: Path, path: str) -> None:
    data = _tidepool_xlsx()
    limit = len(data) // 2  # the workbook is twice the limit
    settings = Settings(cache_dir=tmp_path / "cache", max_upload_bytes=limit)
    with TestClient(create_app(settings)) as small:
        r = small.post(path, files={"file": ("tp.xlsx", data)})
    assert r.status_code == 413
    assert "larger than the limit" in r.text
    assert ("E_TOO_LARGE" in r.text) and ("Traceback" not in r.text)


# ------------------------------------------------------------------ the clinic report


def test_report_html_numbers_equal_cgm_metrics(client: TestClient) -> None:
    data = (EXAMPLES / "libreview.csv").read_bytes()
    r = client.post("/cgm/report.html", files={"file": ("libreview.csv", data)})
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["content-disposition"].startswith("inline")
    (row,) = client.post("/api/v1/cgm/metrics", files={"file": ("libreview.csv", data)}).json()[
        "rows"
    ]
    cells = _cells(r.text)
    for column, value in _shown(row).items():
        assert cells[column] == value, column
    assert "For education and research only" in r.text
    assert "data:image/png;base64," in r.text  # the PDF page as an image ([plot] installed)


def test_report_html_comparison_segments_and_unit_by_hand(client: TestClient) -> None:
    data = _two_days_csv()
    form = {
        "compare": "2024-01-01:2024-01-01",
        "meal_windows": "breakfast=07:00-09:00",
        "report_unit": "mmol/L",
    }
    r = client.post("/cgm/report.html", files={"file": ("two.csv", data)}, data=form)
    assert r.status_code == 200, r.text[:300]
    page = r.text
    cells = _cells(page)
    # whole record: 288 readings at 100 and 288 at 200 mg/dL → in 70–180 half = 50.0 %,
    # > 180 half = 50.0 %; mean 150 mg/dL = 150 / 18 = 8.33… → 8.3 mmol/L
    assert cells["tir_70_180"] == "50.0 %" and cells["tar_180"] == "50.0 %"
    assert cells["mean"] == "8.3 mmol/L"
    # the previous period, 2024-01-01 alone: every reading 100 mg/dL → 100.0 % in range, and its
    # mean 100 / 18 = 5.55… → 5.6 mmol/L, in the column after the current value
    prev = re.findall(r"data-metric='tir_70_180'>[^<]*</td><td>([^<]*)</td>", page)
    assert prev == ["100.0 %"]
    assert re.findall(r"data-metric='mean'>[^<]*</td><td>([^<]*)</td>", page) == ["5.6 mmol/L"]
    assert "previous 2024-01-01–2024-01-01" in page
    # night 00:00–06:00 and day: each holds both days' readings → 50.0 % in range; the breakfast
    # window 07:00–09:00 likewise
    assert cells["night_tir_70_180"] == "50.0 %" and cells["day_tir_70_180"] == "50.0 %"
    assert "Breakfast 07:00–09:00" in page and cells["breakfast_tir_70_180"] == "50.0 %"


def test_report_pdf_with_the_comparison(client: TestClient) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    r = client.post(
        "/cgm/report",
        files={"file": ("two.csv", _two_days_csv())},
        data={"compare": "2024-01-02:2024-01-02"},
    )
    assert r.status_code == 200, r.text[:300]
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == 'attachment; filename="agp-report.pdf"'
    doc = pdfium.PdfDocument(r.content)
    assert len(doc) == 1
    text = doc[0].get_textpage().get_text_range()
    # whole record 50.0 % in range and mean (100 + 200) / 2 = 150 mg/dL; 2024-01-02 alone: every
    # reading 200 mg/dL, so 0.0 % in range, 100.0 % above 180 and mean 200; then the targets
    assert "Subject s1" in text
    assert "previous: the same figures for 2024-01-02 to 2024-01-02" in text
    assert "Mean glucose 150 mg/dL 200 mg/dL" in text
    assert "Target 70–180 50.0 % 0.0 % > 70 %" in text
    assert "High + very high >180 50.0 % 100.0 % < 25 %" in text


def test_report_meal_times_from_the_recorded_carbohydrates_by_hand(client: TestClient) -> None:
    # a LibreView export (header as tests/cgm/test_readers_treatments.py) with 45 g at 07:31 and
    # historic readings every 15 min from 06:00 to 10:00: 100 mg/dL before 07:31, 200 after
    from tests.cgm.test_readers_treatments import _libre, _libre_row

    rows = [_libre_row("13-03-2024 07:31", 5, **{"Carbohydrates (grams)": "45"})]
    for k in range(17):
        h, m = divmod(6 * 60 + 15 * k, 60)
        gl = "100" if (h, m) < (7, 31) else "200"
        rows.append(_libre_row(f"13-03-2024 {h:02d}:{m:02d}", 0, **{"Historic Glucose mg/dL": gl}))
    data = _libre(*rows)
    r = client.post(
        "/cgm/report.html", files={"file": ("P10.csv", data)}, data={"recorded_meals": "on"}
    )
    assert r.status_code == 200, r.text[:300]
    cells = _cells(r.text)
    # before the meal (06:31–07:31): 06:45, 07:00, 07:15, 07:30, all 100 → mean 100, 100.0 % in
    # range; after it (07:31–09:31): 07:45 … 09:30, all 200 → mean 200, 100.0 % above 180
    assert cells["pre_meal_mean"] == "100 mg/dL" and cells["pre_meal_tir_70_180"] == "100.0 %"
    assert cells["post_meal_mean"] == "200 mg/dL" and cells["post_meal_tar_180"] == "100.0 %"
    assert "Pre-meal (60 min before)" in r.text and "Breakfast" not in r.text
    # the whole record: 7 readings at 100 (06:00–07:30) and 10 at 200 (07:45–10:00)
    # → mean (700 + 2000) / 17 = 158.8… → 159 mg/dL; in range 7 / 17 = 41.17… → 41.2 %
    assert cells["mean"] == "159 mg/dL" and cells["tir_70_180"] == "41.2 %"
    # a generic file records no meals: refused in one line, the box still ticked
    r = client.post(
        "/cgm/report.html",
        files={"file": ("two.csv", _two_days_csv())},
        data={"recorded_meals": "on"},
    )
    assert r.status_code == 422 and "carries no insulin or carbohydrate records" in r.text
    assert 'name="recorded_meals" checked' in r.text


@pytest.mark.parametrize(
    ("form", "field"),
    [
        # the page names its own form fields, not the command line's options
        ({"compare": "last week"}, "compare"),
        ({"meal_windows": "breakfast=10:00-06:00"}, "meal_windows"),
        ({"report_unit": "g/L"}, "report_unit"),
    ],
)
def test_report_options_refused_in_one_line(
    client: TestClient, form: dict[str, str], field: str
) -> None:
    r = client.post("/cgm/report.html", files={"file": ("two.csv", _two_days_csv())}, data=form)
    assert r.status_code == 422
    (alert,) = re.findall(r'<div class="error" role="alert"[^>]*>.*?</div>', r.text, re.S)
    assert f'data-field="{field}"' in alert and "\n" not in alert
    # the page keeps the options typed, to correct them
    key, value = next(iter(form.items()))
    if key != "report_unit":
        assert f'name="{key}" value="{value}"' in r.text


def test_report_html_page_may_use_its_own_style_only(client: TestClient) -> None:
    r = client.post("/cgm/report.html", files={"file": ("two.csv", _two_days_csv())})
    csp = r.headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline'" in csp and "script-src 'self';" in csp
    assert "'unsafe-inline'" not in client.get("/cgm").headers["content-security-policy"]


def test_report_buttons_on_the_page(client: TestClient) -> None:
    page = client.get("/cgm").text
    assert 'formaction="/cgm/report.html"' in page and 'formaction="/cgm/report"' in page
    for name in ("compare", "meal_windows", "recorded_meals", "report_unit"):
        assert f'name="{name}"' in page
