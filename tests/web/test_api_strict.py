"""Issue 19: every rejected body is a 422 naming its field; strict types; required fields and the
server's limits in the OpenAPI schema; HEAD on pages."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from endolab.web import Settings, create_app

MIX = {"vial_iu": 5000, "diluent_ml": 2, "dose_iu": 250}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/hcg/mix", {**MIX, "diluent_ml": True}, "diluent_ml"),  # was read as 1 mL
        ("/api/v1/hcg/mix", {**MIX, "vial_iu": False}, "vial_iu"),
        ("/api/v1/hormones/predict", {"total_t": True}, "total_t"),
        ("/api/v1/trial/simulate", {"seed": False}, "seed"),  # was seed 0
        ("/api/v1/trial/simulate", {"participants": True}, "participants"),
        ("/api/v1/trial/simulate", {"participants": 1.0}, "participants"),
        ("/api/v1/trial/simulate", {"dose_cells": True}, "dose_cells"),
    ],
)
def test_a_boolean_is_not_a_number(
    client: TestClient, path: str, body: dict[str, object], field: str
) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert err["field"] == field
    assert err["message"].startswith(f"{field}: ")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "body: the request body is not valid JSON"),
        (b'{"vial_iu": 5000,', "body: the request body is not valid JSON"),
        (b"", "body: a request body is required"),
        (b"[1, 2]", "body: the body must be a JSON object"),
    ],
)
def test_malformed_json_is_a_422_naming_the_body(
    client: TestClient, content: bytes, message: str
) -> None:
    r = client.post(
        "/api/v1/hcg/mix", content=content, headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["field"] == "body"  # not a character offset such as "1" or "17"
    assert err["message"].startswith(message)


def test_dose_cells_nan_says_finite(client: TestClient) -> None:
    r = client.post(
        "/api/v1/trial/simulate",
        content=b'{"dose_cells": NaN}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["error"]["message"] == "dose_cells: Input should be a finite number"


def test_required_fields_and_limits_in_the_schema() -> None:
    app = create_app(Settings(max_simulate_participants=7, max_simulate_days=90))
    schemas = TestClient(app).get("/openapi.json").json()["components"]["schemas"]
    assert schemas["HcgMixIn"]["required"] == ["dose_iu"]
    assert schemas["HcgReverseIn"]["required"] == ["dose_iu", "units"]
    assert schemas["HcgPlanIn"]["required"] == ["dose_iu", "start", "weeks"]
    assert schemas["FreeTIn"]["required"] == ["total_t", "shbg"]
    assert schemas["HormonesPredictIn"]["anyOf"] == [
        {"required": ["total_t"]},
        {"required": ["dose_mg_week"]},
    ]
    sim = schemas["SimulateIn"]["properties"]
    assert sim["participants"]["maximum"] == 7 and sim["participants"]["minimum"] == 1
    assert sim["days"]["maximum"] == 90
    assert sim["seed"]["maximum"] == 2**32 - 1
    default = create_app(Settings())
    sim = TestClient(default).get("/openapi.json").json()["components"]["schemas"]["SimulateIn"]
    assert sim["properties"]["participants"]["maximum"] == 20  # the documented defaults
    assert sim["properties"]["days"]["maximum"] == 400


def test_schema_required_fields_are_refused_when_missing(client: TestClient) -> None:
    for path, body, field in (
        ("/api/v1/hcg/mix", {"vial_iu": 5000, "diluent_ml": 2}, "dose_iu"),
        ("/api/v1/hormones/free-t", {"total_t": 650}, "shbg"),
    ):
        r = client.post(path, json=body)
        assert r.status_code == 422, (path, r.text)
        assert r.json()["error"]["field"] == field  # refused by the library, naming the field


@pytest.mark.parametrize("path", ["/", "/hormones?total_t=650", "/hcg", "/cgm", "/embed/hcg"])
def test_head_on_pages(client: TestClient, path: str) -> None:
    head = client.head(path)
    assert head.status_code == 200  # HEAD / was 405
    assert head.content == b""
    get = client.get(path)
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["content-type"] == get.headers["content-type"]
