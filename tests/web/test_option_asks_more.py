"""The /hormones page (and its embed), the /trial upload, the /cgm report and the JSON API word the
remaining library messages that named a command-line option with their own names (issue 20
follow-up; the command line's lines are in tests/cli/test_option_asks_more.py): the page its unit
list or what the page can offer, the API its parameter; none names a ``--option``."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.cli.test_option_asks_more import EXAMPLE, ng_ml_dataset

CLI_OPTION = re.compile(r"--[a-z]")


def _alert(page: str) -> str:
    (alert,) = re.findall(r'<div class="error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", alert)).split())


@pytest.mark.parametrize("path", ["/hormones", "/embed/hormones"])
@pytest.mark.parametrize(
    ("query", "ending"),
    [
        (
            {"total_t": "650", "albumin": "43"},
            "(is it in g/L? then choose g/L in the unit list next to Albumin)",
        ),
        (
            {"total_t": "20"},
            "(is it in nmol/L? then choose nmol/L in the unit list next to Total testosterone)",
        ),
    ],
)
def test_hormones_page_names_its_unit_list(
    client: TestClient, path: str, query: dict[str, str], ending: str
) -> None:
    page = client.get(path, params=query).text
    alert = _alert(page)
    assert alert.endswith(ending), alert
    assert not CLI_OPTION.search(alert) and "albumin_unit=" not in alert
    # the form has that unit list, with that unit (the widget's select, next to its field)
    unit = "albumin_unit" if "albumin" in query else "unit"
    other = "g/L" if "albumin" in query else "nmol/L"
    assert re.search(rf'<select name="{unit}"[^>]*>.*?<option value="{other}"', page, re.S)


@pytest.mark.parametrize(
    ("body", "ending"),
    [
        ({"total_t": 650, "albumin": 43}, "(is it in g/L? then use albumin_unit='g/L')"),
        ({"total_t": 20}, "(is it in nmol/L? then use unit='nmol/L')"),
    ],
)
def test_hormones_api_names_its_parameter(
    client: TestClient, body: dict[str, float], ending: str
) -> None:
    r = client.post("/api/v1/hormones/predict", json=body)
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert message.endswith(ending) and not CLI_OPTION.search(message), message


def _zip(folder: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in sorted(folder.iterdir()):
            z.write(f, f"d/{f.name}")
    return buf.getvalue()


def test_trial_upload_says_what_it_cannot_confirm(client: TestClient, tmp_path: Path) -> None:
    data = _zip(ng_ml_dataset(tmp_path / "d"))
    r = client.post("/trial", files={"file": ("d.zip", data, "application/zip")})
    assert r.status_code == 422
    alert = _alert(r.text)
    assert "participant 'P2'" in alert
    assert alert.endswith(
        "if these values are right, this page cannot confirm them: analyse the dataset with the "
        "command line's endolab trial analyze, which can (docs/cli.md)"
    ), alert
    assert not CLI_OPTION.search(alert) and "accept_units" not in alert
    # the page truly has no such field
    assert "accept" not in client.get("/trial").text.lower().replace('accept=".zip"', "")


def test_trial_upload_too_large_says_what_it_can_offer(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("endolab.resources.available_memory_bytes", lambda: 1000)
    data = _zip(ng_ml_dataset(tmp_path / "d"))
    r = client.post("/trial", files={"file": ("d.zip", data, "application/zip")})
    assert r.status_code == 422
    alert = _alert(r.text)
    assert "E_TOO_LARGE: " in alert and alert.endswith(
        "this web page cannot analyse a dataset this large: analyse fewer participants, or store "
        "cgm as Parquet and analyse it with the command line's Dask engine (docs/dask.md)"
    ), alert
    assert not CLI_OPTION.search(alert) and "engine=" not in alert


@pytest.mark.parametrize(
    ("form", "field", "start"),
    [
        ({"compare": "2024-01-01"}, "compare", "compare '2024-01-01': expected FIRST:LAST"),
        ({"meal_windows": "x"}, "meal_windows", "meal window 'x': give NAME=HH:MM-HH:MM"),
    ],
)
def test_report_options_name_the_parameter(
    client: TestClient, form: dict[str, str], field: str, start: str
) -> None:
    data = (EXAMPLE / "libreview.csv").read_bytes()
    r = client.post("/api/v1/cgm/report", files={"file": ("libreview.csv", data)}, data=form)
    assert r.status_code == 422, r.text[:300]
    error = r.json()["error"]
    assert error["field"] == field and error["message"].startswith(start), error
    assert not CLI_OPTION.search(error["message"])


def test_trial_api_says_what_it_cannot_confirm(client: TestClient, tmp_path: Path) -> None:
    # POST /api/v1/trial/analyze has no accept_units parameter: the answer says what can confirm
    data = _zip(ng_ml_dataset(tmp_path / "d"))
    r = client.post("/api/v1/trial/analyze", files={"file": ("d.zip", data, "application/zip")})
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert message.endswith(
        "if these values are right, this API cannot confirm them: analyse the dataset with the "
        "command line's endolab trial analyze, which can (docs/cli.md)"
    ), message
    assert not CLI_OPTION.search(message) and "accept_units" not in message
