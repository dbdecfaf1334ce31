"""`endolab hormones predict` and `endolab hormones free-t`, in-process (typer CliRunner)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.output import DISCLAIMER
from tests.hormones.band_keys import BAND_KEYS, PREDICT_BAND_EXTRA

runner = CliRunner()

PREDICT_KEYS = {
    "free_testosterone_pg_ml",
    "free_testosterone_percent",
    "bioavailable_testosterone_ng_dl",
    "estradiol_pg_ml",
    "estradiol_low_pg_ml",
    "estradiol_high_pg_ml",
    "dht_ng_dl",
    "dht_low_ng_dl",
    "dht_high_ng_dl",
    "free_estradiol_pg_ml",
    "shbg_nmol_l_used",
    "albumin_g_dl_used",
    "assumptions",
    "flags",
    "disclaimer",
    # issue 12
    *BAND_KEYS,
    *PREDICT_BAND_EXTRA,
}


def run_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_make_run_demo_human_output() -> None:
    result = runner.invoke(app, ["hormones", "predict", "--total-t", "650", "--age", "45"])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in ("650 ng/dL", "pg/mL", "ng/dL", "nmol/L", "g/dL", "Assumptions:", "Flags:"):
        assert text in out
    assert "SHBG not given" in out and "LC-MS/MS" in out and "trough" in out
    assert "SHBG assumed" in out
    assert out.rstrip().splitlines()[-1] == f"Disclaimer: {DISCLAIMER}"
    assert result.stderr == ""


def test_predict_json_keys_and_spec_vector() -> None:
    # docs/methods/hormones.md §5.5: age 30, TT 500 ng/dL → FT 105 pg/mL, E2 20.886 pg/mL, DHT 38.734 ng/dL, free E2 0.600
    d = run_json("hormones", "predict", "--total-t", "500", "--age", "30")
    assert set(d) == PREDICT_KEYS
    assert d["estradiol_pg_ml"] == pytest.approx(20.886, rel=5e-3)
    assert d["dht_ng_dl"] == pytest.approx(38.734, rel=5e-3)
    assert d["free_testosterone_pg_ml"] == pytest.approx(104.980, rel=5e-3)
    assert d["free_estradiol_pg_ml"] == pytest.approx(0.600, rel=5e-3)
    assert d["shbg_nmol_l_used"] == 33 and d["albumin_g_dl_used"] == 4.3
    assert d["disclaimer"] == DISCLAIMER


def test_predict_nmol_l_and_explicit_inputs() -> None:
    a = run_json("hormones", "predict", "--total-t", "500", "--age", "30", "--shbg", "33")
    b = run_json(
        "hormones", "predict", "--total-t", str(500 / 28.84), "--unit", "nmol/L", "--age", "30",
        "--shbg", "33", "--albumin", "43", "--albumin-unit", "g/L",
    )  # fmt: skip
    assert b["estradiol_pg_ml"] == pytest.approx(a["estradiol_pg_ml"], rel=1e-6)
    assert not any("SHBG not given" in s for s in a["assumptions"])  # type: ignore[union-attr]


def test_observed_vs_predicted_and_dose() -> None:
    d = run_json(
        "hormones", "predict", "--dose-mg-week", "125", "--age", "27", "--shbg", "33",
        "--measured-e2", "44.8", "--measured-dht", "150", "--dht-unit", "pg/mL",
    )  # fmt: skip
    # docs/methods/hormones.md §5.4: 125 mg/week → 542 ng/dL → E2 22.4 pg/mL, DHT 41.6 ng/dL
    assert d["trough_total_testosterone_ng_dl"] == 542
    assert d["dose_mg_week"] == 125
    assert d["estradiol_observed_to_predicted"] == pytest.approx(44.8 / 22.4447, rel=1e-3)
    assert d["dht_measured_ng_dl"] == pytest.approx(15.0)
    assert d["dht_observed_to_predicted"] == pytest.approx(15.0 / 41.5873, rel=1e-3)
    human = runner.invoke(
        app, ["hormones", "predict", "--dose-mg-week", "125", "--measured-e2", "30"]
    )
    assert human.exit_code == 0
    assert "observed/predicted" in human.stdout and "125 mg/week" in human.stdout


def test_free_t_issam_example() -> None:
    d = run_json("hormones", "free-t", "--total-t", "288.4", "--shbg", "40", "--albumin", "4.3")
    assert set(d) == {
        "free_testosterone_pg_ml",
        "free_testosterone_percent",
        "bioavailable_testosterone_ng_dl",
        "shbg_nmol_l_used",
        "albumin_g_dl_used",
        "disclaimer",
        *BAND_KEYS[:4],
        "albumin_assumed",
    }
    assert f"{d['free_testosterone_pg_ml']:.3g}" == "50.1"
    assert f"{d['free_testosterone_percent']:.3g}" == "1.74"
    assert f"{d['bioavailable_testosterone_ng_dl']:.3g}" == "118"


def test_free_t_sodergard_and_human_output() -> None:
    d = run_json(
        "hormones", "free-t", "--total-t", "500", "--shbg", "33", "--method", "sodergard1982"
    )
    assert f"{d['free_testosterone_pg_ml']:.3g}" == "119"
    result = runner.invoke(app, ["hormones", "free-t", "--total-t", "288.4", "--shbg", "40"])
    assert result.exit_code == 0
    assert (
        "50.1 pg/mL" in result.stdout and "1.74 %" in result.stdout and "118 ng/dL" in result.stdout
    )
    assert "Albumin not given: 4.3 g/dL" in result.stdout
    assert result.stdout.rstrip().endswith(DISCLAIMER)


@pytest.mark.parametrize(
    ("args", "code", "fragments"),
    [
        (["predict", "--total-t", "-5"], 3, ["total_t", "-5 ng/dL", "50–3000 ng/dL"]),
        (["predict", "--total-t=-5"], 3, ["total_t", "-5 ng/dL", "50–3000 ng/dL"]),
        (["predict", "--total-t", "3500"], 3, ["total_t", "3500 ng/dL", "50–3000 ng/dL"]),
        (["predict", "--total-t", "200", "--unit", "nmol/L"], 3, ["200 nmol/L", "1.734–104 nmol/L"]),
        (["predict", "--total-t", "abc"], 2, ["total_t", "`abc`", "ng/dL"]),
        (["predict", "--total-t", "1,5"], 2, ["total_t", "`1,5`", "decimal separator"]),
        (["predict", "--total-t", "inf"], 2, ["total_t", "finite"]),
        (["predict", "--total-t", "650", "--unit", "mg/dL"], 2, ["unit", "'mg/dL'", "ng/dL, nmol/L"]),
        (["predict", "--total-t", "650", "--age", "12"], 3, ["age", "12 years", "18–90 years"]),
        (["predict", "--total-t", "650", "--age", "-1"], 3, ["age", "-1 years", "18–90 years"]),
        (["predict", "--total-t", "650", "--shbg", "0"], 3, ["shbg", "0 nmol/L", "5–150 nmol/L"]),
        (["predict", "--total-t", "650", "--albumin", "9"], 3, ["albumin", "9 g/dL", "2.5–5.5 g/dL"]),
        (["predict", "--total-t", "650", "--albumin", "x"], 2, ["albumin", "`x`", "g/dL"]),
        (["predict", "--dose-mg-week", "700"], 3, ["dose_mg_week", "700 mg/week", "25–600 mg/week"]),
        (["predict", "--dose-mg-week", "10"], 3, ["dose_mg_week", "10 mg/week", "25–600 mg/week"]),
        (["predict", "--total-t", "650", "--dose-mg-week", "100"], 3, ["not both"]),
        (["predict", "--age", "40"], 2, ["total_t", "missing", "dose_mg_week"]),
        (["predict", "--total-t", "650", "--measured-e2", "abc"], 2, ["measured_e2", "`abc`"]),
        (["predict", "--total-t", "650", "--measured-e2", "5000"], 3, ["measured_e2", "0.5–1000 pg/mL"]),
        (["predict", "--total-t", "650", "--measured-e2", "30", "--e2-unit", "ng/dL"], 2, ["e2_unit"]),
        (["predict", "--total-t", "650", "--measured-dht", "0"], 3, ["measured_dht", "1–1000 ng/dL"]),
        (["free-t", "--total-t", "-5", "--shbg", "40"], 3, ["total_t", "-5 ng/dL", "50–3000 ng/dL"]),
        (["free-t", "--total-t", "288.4", "--shbg", "abc"], 2, ["shbg", "`abc`", "nmol/L"]),
        (["free-t", "--total-t", "288.4", "--shbg", "40", "--method", "trut"], 3, ["method", "'trut'", "vermeulen1999, sodergard1982"]),
        (["free-t", "--total-t", "288.4"], 2, ["--shbg"]),
        (["predict", "--total-t", "650", "--no-such-flag"], 2, ["--no-such-flag"]),
    ],
)  # fmt: skip
def test_bad_input_exit_status_and_one_line_message(
    args: list[str], code: int, fragments: list[str]
) -> None:
    result = runner.invoke(app, ["hormones", *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert result.stdout == ""


def test_predict_path_imports_no_numpy_or_scipy() -> None:
    # start-up budget: the predict path stays pure Python (typer + endolab.hormones)
    code = (
        "import sys\n"
        "from endolab.cli import app\n"
        "try:\n"
        "    app(['hormones', 'predict', '--total-t', '650', '--age', '45'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('heavy:', sorted(m for m in ('numpy', 'scipy', 'polars', 'pandas', 'matplotlib')"
        " if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "heavy: []"


def test_predict_table_is_the_library_presentation() -> None:
    # issue 22: the CLI lays out endolab.hormones.presentation's rows (the web page's rows) and
    # builds no row of its own: every hormone row appears on one line with its value, band and
    # reference as the library formatted them, in the library's order.
    from endolab.hormones import predict
    from endolab.hormones.presentation import detail_rows, prediction_headline, prediction_rows

    args = ["--total-t", "650", "--age", "45", "--measured-dht", "30"]
    out = runner.invoke(app, ["hormones", "predict", *args]).stdout.splitlines()
    r = predict("650", age="45", measured_dht="30")
    assert out[0] == prediction_headline(r)
    rows = prediction_rows(r)
    lines = [next(i for i, s in enumerate(out) if s.strip().startswith(h.name + " ")) for h in rows]
    assert lines == sorted(lines) and len(set(lines)) == len(rows)
    for i, h in zip(lines, rows, strict=True):
        cells = out[i].split()
        assert h.value_text in cells and h.band_text in cells, out[i]
        if h.ref_text is not None:
            assert f"ref {h.ref_text} {h.unit}" in out[i]
    # the E2 band of docs/methods/hormones.md §5.7 is ×/÷ 1.6 around the value (hand calculation)
    e2 = rows[0]
    assert e2.key == "estradiol" and e2.low == pytest.approx(e2.value / 1.6)
    for d in detail_rows(r):
        assert any(d.label in s and d.value in s and d.note in s for s in out), d
    assert any("observed/predicted 0.61" in s for s in out)  # 30 / 49.4 ng/dL


def _rows_on_their_lines(out: list[str], rows: list[Any]) -> None:
    """Each row on one line of ``out`` (label, value and note as the library worded them), in order."""
    lines = [
        next(i for i, s in enumerate(out) if s.strip().startswith(d.label + " ")) for d in rows
    ]
    assert lines == sorted(lines) and len(set(lines)) == len(rows), lines
    for i, d in zip(lines, rows, strict=True):
        assert d.value in out[i] and d.note in out[i], (out[i], d)


def test_free_t_table_is_the_library_presentation() -> None:
    # issue 22: the free-t table was built in the CLI; it lays out the library's rows now.
    from endolab.hormones import free_testosterone
    from endolab.hormones.presentation import free_t_headline, free_t_rows

    out = runner.invoke(app, ["hormones", "free-t", "--total-t", "288.4", "--shbg", "40"]).stdout
    lines = out.splitlines()
    r = free_testosterone("288.4", "40")
    assert lines[0] == free_t_headline(r)
    rows = free_t_rows(r)
    assert [d.key for d in rows] == ["free_t", "free_t_band", "free_t_percent", "bio_t"]
    _rows_on_their_lines(lines[1:], rows)  # under the headline
    # Vermeulen 1999 worked example as published by ISSAM (TT 10 nmol/L = 288.4 ng/dL, SHBG 40
    # nmol/L, albumin 4.3 g/dL): free T 0.174 nmol/L = 50.1 pg/mL, 1.74 %
    assert rows[0].value == "50.1 pg/mL" and rows[2].value == "1.74 %"
