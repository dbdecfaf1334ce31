"""The JSON API: the same numbers, codes and messages as the command line; status codes; limits."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from endolab.cli import app as cli_app
from endolab.output import DISCLAIMER

runner = CliRunner()


def cli_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def cli_error(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli_app, list(args))
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith("error: ")
    return result.exit_code, line.removeprefix("error: ")


def test_hormones_predict_equals_cli(client: TestClient) -> None:
    r = client.post(
        "/api/v1/hormones/predict", json={"total_t": 650, "age": 45, "measured_e2": "30"}
    )
    assert r.status_code == 200
    cli = cli_json("hormones", "predict", "--total-t", "650", "--age", "45", "--measured-e2", "30")
    assert r.json() == cli
    assert r.json()["disclaimer"] == DISCLAIMER


def test_hormones_units_as_text_and_numbers(client: TestClient) -> None:
    # 650 ng/dL = 22.54 nmol/L (÷ 28.84, ISSAM); the same request in nmol/L gives the same E2
    a = client.post("/api/v1/hormones/predict", json={"total_t": 650}).json()
    b = client.post(
        "/api/v1/hormones/predict", json={"total_t": str(650 / 28.84), "unit": "nmol/L"}
    ).json()
    assert b["estradiol_pg_ml"] == pytest.approx(a["estradiol_pg_ml"], rel=1e-9)


def test_free_t_equals_cli(client: TestClient) -> None:
    r = client.post("/api/v1/hormones/free-t", json={"total_t": "288.4", "shbg": 40})
    assert r.status_code == 200
    assert r.json() == cli_json("hormones", "free-t", "--total-t", "288.4", "--shbg", "40")


def test_hcg_mix_equals_cli(client: TestClient) -> None:
    r = client.post("/api/v1/hcg/mix", json={"vial_iu": 5000, "diluent_ml": "2", "dose_iu": 250})
    assert r.status_code == 200
    body = r.json()
    assert body == cli_json(
        "hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "2", "--dose-iu", "250"
    )
    # hand calculation: 5000 IU / 2 mL = 2500 IU/mL; 250 IU = 0.1 mL = 10 units on U-100
    assert body["concentration_iu_per_ml"] == 2500
    assert body["syringe_units"] == 10


def test_hcg_reverse_and_plan(client: TestClient) -> None:
    r = client.post("/api/v1/hcg/reverse", json={"vial_iu": 5000, "dose_iu": 250, "units": 10})
    assert r.status_code == 200
    assert r.json()["diluent_ml"] == 2  # 250 IU in 10 units = 0.1 mL → 2500 IU/mL → 2 mL
    plan = {
        "vial_iu": "5000",
        "diluent_ml": "5",
        "dose_iu": "250",
        "per_week": "2",
        "start": "2025-01-06",
        "weeks": "12",
        "discard_after_days": "30",
        "price_per_vial": "60",
    }
    r = client.post("/api/v1/hcg/plan", json=plan)
    assert r.status_code == 200
    # docs/methods/hcg.md §6.3 T27: 12 weeks Mon+Thu, BUD 30 days → vials of 9, 9 and 6 doses; 3 × 60 = 180
    assert r.json()["plan_cost"] == 180
    ics = client.post("/api/v1/hcg/plan.ics", json=plan)
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert ics.text.startswith("BEGIN:VCALENDAR")


@pytest.mark.parametrize(
    ("path", "body", "cli_args"),
    [
        (
            "/api/v1/hormones/predict",
            {"total_t": "-5"},
            ["hormones", "predict", "--total-t", "-5"],
        ),
        (
            "/api/v1/hormones/predict",
            {"total_t": "650", "unit": "furlongs"},
            ["hormones", "predict", "--total-t", "650", "--unit", "furlongs"],
        ),
        (
            "/api/v1/hcg/mix",
            {"vial_iu": "5000", "diluent_ml": "0", "dose_iu": "250"},
            ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "0", "--dose-iu", "250"],
        ),
        (
            "/api/v1/hcg/mix",
            {"vial_iu": "five", "diluent_ml": "2", "dose_iu": "250"},
            ["hcg", "mix", "--vial-iu", "five", "--diluent-ml", "2", "--dose-iu", "250"],
        ),
    ],
)
def test_errors_carry_the_cli_message(
    client: TestClient, path: str, body: dict[str, str], cli_args: list[str]
) -> None:
    r = client.post(path, json=body)
    assert r.status_code == 422
    err = r.json()["error"]
    exit_code, message = cli_error(*cli_args)
    assert err["message"] == message
    assert err["exit_code"] == exit_code


def test_request_shape_errors_are_422_json(client: TestClient) -> None:
    r = client.post("/api/v1/hcg/mix", json={"vial_iu": [1, 2]})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "vial_iu"
    r = client.post("/api/v1/hcg/mix", json={"nonsense": 1})
    assert r.status_code == 422
    r = client.post(
        "/api/v1/hcg/mix", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    r = client.get("/api/v1/nowhere")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "E_NOT_FOUND"


def test_upload_limit_413_from_content_length(client: TestClient) -> None:
    from endolab.web import Settings, create_app

    small = TestClient(create_app(Settings(max_upload_bytes=1000)))
    r = small.post("/api/v1/cgm/metrics", files={"file": ("a.csv", b"x" * 5000)})
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "E_TOO_LARGE"


def test_upload_limit_413_while_streaming() -> None:
    """Without a Content-Length the body is counted as it arrives and refused past the limit."""
    from endolab.web import Settings, create_app

    small = TestClient(create_app(Settings(max_upload_bytes=1000)))

    def chunks() -> Any:
        for _ in range(50):
            yield b"y" * 100

    r = small.post(
        "/api/v1/hcg/mix", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


def test_security_headers(client: TestClient) -> None:
    page = client.get("/hormones")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    embed = client.get("/embed/hcg")
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    api = client.post("/api/v1/hormones/predict", json={"total_t": 650})
    assert api.headers["x-content-type-options"] == "nosniff"


def test_frame_ancestors_configurable() -> None:
    from endolab.web import Settings, create_app

    app = create_app(Settings(frame_ancestors_embed="https://forum.example"))
    r = TestClient(app).get("/embed/hormones")
    assert "frame-ancestors https://forum.example" in r.headers["content-security-policy"]


def test_openapi_and_docs_are_local(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in (
        "/api/v1/hormones/predict",
        "/api/v1/hormones/free-t",
        "/api/v1/hcg/mix",
        "/api/v1/hcg/reverse",
        "/api/v1/hcg/plan",
        "/api/v1/hcg/plan.ics",
        "/api/v1/cgm/metrics",
        "/api/v1/cgm/agp",
        "/api/v1/trial/analyze",
        "/api/v1/trial/simulate",
    ):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "http://" not in docs.text and "https://" not in docs.text  # nothing from another host
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/hormones/predict", {"total_t": "1,5", "age": "45"}, "total_t"),
        (
            "/api/v1/hcg/mix",
            {"vial_iu": "5000", "diluent_ml": "1,5", "dose_iu": "250"},
            "diluent_ml",
        ),
    ],
)
def test_not_a_number_is_one_error_for_float_and_fraction_inputs(
    client: TestClient, path: str, body: dict[str, str], field: str
) -> None:
    # hormones parse to float, hCG to an exact fraction: one code, one sentence, one exit status
    r = client.post(path, json=body)
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "E_NOT_A_NUMBER"
    assert err["exit_code"] == 2
    assert err["message"].startswith(
        f"E_NOT_A_NUMBER: `{field}` must be a number (got `1,5`). Use a dot as the decimal "
        "separator (e.g. 1.5)"
    ), err["message"]


@pytest.mark.parametrize(
    ("path", "body", "cli_args", "flag", "field"),
    [
        (
            "/api/v1/hcg/mix",
            {"diluent_ml": "2", "dose_iu": "250"},
            ["hcg", "mix", "--diluent-ml", "2", "--dose-iu", "250"],
            "--vial-iu (or give --preset)",
            "vial_iu",
        ),
        (
            "/api/v1/hcg/mix",
            {"vial_iu": "5000", "dose_iu": "250"},
            ["hcg", "mix", "--vial-iu", "5000", "--dose-iu", "250"],
            "--diluent-ml (or give --preset)",
            "diluent_ml",
        ),
        (
            "/api/v1/hcg/mix",
            {"vial_iu": "5000", "diluent_ml": "2"},
            ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "2"],
            "--dose-iu",
            "dose_iu",
        ),
        (
            "/api/v1/hcg/reverse",
            {"vial_iu": "5000", "dose_iu": "250"},
            ["hcg", "reverse", "--vial-iu", "5000", "--dose-iu", "250"],
            "--units",
            "units",
        ),
        (
            "/api/v1/hcg/plan",
            {"vial_iu": "5000", "dose_iu": "250", "freq": "weekly"},
            ["hcg", "plan", "--vial-iu", "5000", "--dose-iu", "250", "--freq", "weekly"],
            "--diluent-ml (or give --preset)",
            "diluent_ml",
        ),
    ],
)
def test_missing_input_same_code_and_message_as_cli(
    client: TestClient, path: str, body: dict[str, str], cli_args: list[str], flag: str, field: str
) -> None:
    # Issue 22: the check was written in cli/hcg.py only; the library's check answers both, the
    # message naming the option on the command line and the field in the API.
    exit_code, message = cli_error(*cli_args)
    assert (exit_code, message) == (2, f"E_MISSING_INPUT: missing option {flag}")
    r = client.post(path, json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    api_label = flag.replace("--", "").replace("-", "_")
    assert (err["code"], err["field"], err["exit_code"]) == ("E_MISSING_INPUT", field, 2)
    assert err["message"] == f"E_MISSING_INPUT: missing option {api_label}"
