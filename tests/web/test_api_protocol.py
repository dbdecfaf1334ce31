"""`POST /api/v1/hormones/protocol` (issue 23): the CLI's `hormones protocol --json`, limits in the
schema, 422 with the CLI's message on bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from endolab.cli import app as cli_app
from endolab.output import DISCLAIMER

runner = CliRunner()
ROUTE = "/api/v1/hormones/protocol"


def cli_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(cli_app, ["hormones", "protocol", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_equals_the_cli_json_with_labs_and_a_comparison(client: TestClient) -> None:
    r = client.post(
        ROUTE,
        json={
            "ester": "cypionate",
            "dose_mg": 60,
            "every_days": 3.5,
            "labs": ["650ng/dL@84h", "800ng/dL@1d"],
            "age": 52,
            "compare": {"ester": "enanthate", "dose_mg": 250, "every_days": 14},
        },
    )
    assert r.status_code == 200, r.text
    cli = cli_json(
        "--ester", "cypionate", "--dose-mg", "60", "--every-days", "3.5",
        "--lab", "650ng/dL@84h", "--lab", "800ng/dL@1d", "--age", "52",
        "--compare", "ester=enanthate,dose=250,every=14",
    )  # fmt: skip
    assert r.json() == cli
    body = r.json()
    assert body["disclaimer"] == DISCLAIMER
    assert body["compare"]["ester"] == "enanthate"
    assert len(body["curve_estradiol_pg_ml"]) == len(body["curve_times_days"])
    # B − A of every comparison row is the difference of the two records' own values
    rows = {row["key"]: row for row in body["comparison"]}
    t = rows["total_testosterone_trough"]
    assert t["a"] == pytest.approx(body["trough_ng_dl"], rel=1e-5)
    assert t["b"] == pytest.approx(body["compare"]["trough_ng_dl"], rel=1e-5)
    assert t["b_minus_a"] == pytest.approx(t["b"] - t["a"])
    e2 = rows["estradiol_peak"]
    assert e2["b"] == pytest.approx(body["compare"]["hormones"][2]["estradiol_pg_ml"], rel=1e-5)


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({"ester": "nandrolone", "dose_mg": 100, "every_days": 7}, "ester", "enanthate"),
        ({"ester": "cypionate", "dose_mg": 5000, "every_days": 7}, "dose_mg", "1500"),
        ({"ester": "cypionate", "dose_mg": True, "every_days": 7}, "dose_mg", "not true"),
        ({"ester": "cypionate", "dose_mg": 100, "every_days": 0.1}, "every_days", "0.5"),
        ({"ester": "gel", "dose_mg": 50, "every_days": 7}, "interval_days", "daily"),
        ({"ester": "cypionate", "dose_mg": 100, "every_days": 7, "labs": ["650"]}, "lab", "@"),
        (
            {"ester": "cypionate", "dose_mg": 100, "every_days": 7, "labs": ["650ng/dL@9d"]},
            "lab",
            "0–7",
        ),
        (
            {"ester": "cypionate", "dose_mg": 100, "every_days": 7, "compare": {"ester": "x"}},
            None,
            "",
        ),
        ({"ester": "cypionate", "dose_mg": 100, "every_days": 7, "age": 12}, "age", "18"),
    ],
)
def test_bad_input_is_422_with_a_message(
    client: TestClient, body: dict[str, Any], field: str | None, text: str
) -> None:
    r = client.post(ROUTE, json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert "Traceback" not in r.text
    if field is not None:
        assert err["field"] == field
    assert text in err["message"]
    assert r.json()["disclaimer"] == DISCLAIMER


def test_schema_states_the_librarys_limits(client: TestClient) -> None:
    from endolab.hormones import pk

    schema = client.get("/openapi.json").json()
    assert ROUTE in schema["paths"]
    props = schema["components"]["schemas"]["HormonesProtocolIn"]["properties"]
    assert (props["dose_mg"]["minimum"], props["dose_mg"]["maximum"]) == pk.DOSE_RANGE_MG
    assert (props["every_days"]["minimum"], props["every_days"]["maximum"]) == (
        pk.INTERVAL_RANGE_DAYS
    )
    assert set(props["ester"]["enum"]) == {*pk.ESTERS, "gel"}
    assert props["labs"]["maxItems"] == 10
