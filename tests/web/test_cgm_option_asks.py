"""The /cgm page and the API word a library message that asks for an option with their own name
of it (issue 20 follow-up): the page its form field (written out by hand in each case of
tests/cli/test_cgm_option_asks.py), the API the library's keyword, which is its parameter
(``unit``, ``date_order``, ``reader``); neither names a command-line option (``--unit``)."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient

from tests.cli.test_cgm_option_asks import CASES, CLI_OPTION, all_cases

#: The /cgm form's field of each option, as its label starts (src/endolab/web/templates/cgm.html).
FIELD_LABELS = {
    "unit": "Glucose unit of the file",
    "date_order": "Date order",
    "reader": "File format",
}


def _option(kind: str) -> str:
    return "date_order" if kind.startswith("date_order") else kind.split("_")[0]


def _alert(page: str) -> str:
    (alert,) = re.findall(r'<div class="error" role="alert"[^>]*>(.*?)</div>', page, re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", alert)).split())


@pytest.mark.parametrize("index", range(len(CASES) + 1))
def test_the_page_names_its_form_field(client: TestClient, index: int) -> None:
    case = all_cases()[index]
    r = client.post("/cgm", files={"file": (case.name, case.data)}, data=case.options)
    assert r.status_code == 422, r.text[:300]
    alert = _alert(r.text)
    assert alert.endswith(case.page), alert
    option = _option(case.kind)
    assert f"the {FIELD_LABELS[option]} field" in alert
    # the form has that field, by that label
    assert f"<label>{FIELD_LABELS[option]}" in client.get("/cgm").text
    assert not CLI_OPTION.search(alert) and "CLI" not in alert, alert


@pytest.mark.parametrize("index", range(len(CASES) + 1))
def test_the_api_names_its_parameter(client: TestClient, index: int) -> None:
    case = all_cases()[index]
    r = client.post(
        "/api/v1/cgm/metrics", files={"file": (case.name, case.data)}, data=case.options
    )
    assert r.status_code == 422, r.text[:300]
    message = r.json()["error"]["message"]
    assert message.endswith(case.library), message
    option = _option(case.kind)
    assert f"{option}=" in case.library  # the API's parameter, as the library names it
    assert not CLI_OPTION.search(message) and "CLI" not in message, message
