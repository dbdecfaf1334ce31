"""`endolab hormones pk` (issue 23), in-process (typer CliRunner)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from endolab.cli import app
from endolab.hormones.pk import protocol
from endolab.output import DISCLAIMER

runner = CliRunner()

BASE = ["hormones", "pk", "--ester", "cypionate", "--dose-mg", "120", "--every-days", "7"]


def test_json_is_the_librarys_result() -> None:
    result = runner.invoke(app, [*BASE, "--lab", "650ng/dL@3.5d", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    lib = protocol("cypionate", 120, 7, labs=["650ng/dL@3.5d"]).to_dict()
    for key in ("trough_ng_dl", "peak_ng_dl", "mean_ng_dl", "fluctuation_index", "fit_scale"):
        assert data[key] == lib[key]
    assert data["labs"][0]["measured_ng_dl"] == 650
    assert data["disclaimer"] == DISCLAIMER
    assert [h["point"] for h in data["hormones"]] == ["trough", "mean", "peak"]
    # unit in every numeric key of the top level
    for key, value in data.items():
        if isinstance(value, float) and key not in ("fluctuation_index", "fit_scale"):
            assert key.endswith(("_ng_dl", "_days", "_kg", "_mg", "_sd")), key


def test_human_output_has_units_and_the_disclaimer() -> None:
    result = runner.invoke(app, [*BASE, "--lab", "650ng/dL@3.5d", "--lab", "900ng/dL@1d"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    for text in ("Trough", "Peak", "Cavg", "ng/dL", "days", "Fitted to your labs", "pg/mL"):
        assert text in out
    assert "650 ng/dL" in out and "900 ng/dL" in out
    assert DISCLAIMER.split(":")[0] in out


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        (["--ester", "nandrolone"], 2),
        (["--dose-mg", "abc"], 2),
        (["--dose-mg", "-5"], 3),
        (["--lab", "650"], 2),
        (["--lab", "650@3.5d"], 2),
        (["--lab", "650pg/mL@3.5d"], 2),
        (["--lab", "650ng/dL@9d"], 3),
        (["--lab", "5000ng/dL@2d"], 3),
        (["--start", "2026-13-01"], 2),
        (["--seed", "-1"], 3),
    ],
)
def test_bad_input_is_one_line_with_the_documented_status(extra: list[str], status: int) -> None:
    args = list(BASE)
    for i in range(0, len(extra), 2):
        if extra[i] in args:
            args[args.index(extra[i]) + 1] = extra[i + 1]
        else:
            args += extra[i : i + 2]
    result = runner.invoke(app, args)
    assert result.exit_code == status, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.output


def test_svg_and_png_of_the_curve(tmp_path) -> None:  # type: ignore[no-untyped-def]
    svg, png = tmp_path / "c.svg", tmp_path / "c.png"
    result = runner.invoke(app, [*BASE, "--svg", str(svg), "--png", str(png)])
    assert result.exit_code == 0, result.output
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    bad = runner.invoke(app, [*BASE, "--svg", str(tmp_path / "c.png")])
    assert bad.exit_code == 3 and bad.stderr.startswith("error: --svg")


def test_runs_on_the_core_install_without_scipy_or_matplotlib() -> None:
    # The calculator is core (numpy only); only --svg/--png need the [plot] extra.
    import subprocess
    import sys

    code = (
        "import sys; sys.modules['scipy'] = None; sys.modules['matplotlib'] = None\n"
        "from endolab.hormones.pk import protocol\n"
        "r = protocol('cypionate', 60, 3.5, labs=['650ng/dL@3.5d', '900ng/dL@1d'])\n"
        "print(round(r.fit.scale, 3))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert float(out.stdout) > 0


def test_protocol_is_the_issues_name_and_pk_its_alias() -> None:
    args = ["--ester", "cypionate", "--dose-mg", "120", "--every-days", "3.5", "--json"]
    new = runner.invoke(app, ["hormones", "protocol", *args])
    old = runner.invoke(app, ["hormones", "pk", *args])
    assert new.exit_code == old.exit_code == 0, new.output
    assert json.loads(new.stdout) == json.loads(old.stdout)


def test_compare_prints_both_regimens_side_by_side() -> None:
    result = runner.invoke(
        app,
        [*BASE, "--compare", "ester=enanthate,dose=250,every=14"],
    )
    assert result.exit_code == 0, result.output
    a = protocol("cypionate", 120, 7).pk
    b = protocol("enanthate", 250, 14).pk
    # hand-formatted: A's and B's trough (3 s.f.) on the comparison row, B − A signed
    line = next(x for x in result.stdout.splitlines() if x.strip().startswith("Total T trough"))
    assert f"{a.trough_ng_dl:.0f} → {b.trough_ng_dl:.0f} ng/dL" in line
    assert f"{b.trough_ng_dl - a.trough_ng_dl:+.0f}" in line.replace("+", "+")
    assert DISCLAIMER.split(":")[0] in result.stdout


@pytest.mark.parametrize(
    "spec",
    ["enanthate,250,14", "ester=enanthate,dose=250", "ester=enanthate,dose=250,every=14,x=1"],
)
def test_compare_spec_errors_are_one_line_exit_2(spec: str) -> None:
    result = runner.invoke(app, [*BASE, "--compare", spec])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: E_COMPARE_FORMAT")
    assert "Traceback" not in result.output


def test_tables_are_the_library_presentation() -> None:
    # issue 22: the pk tables were built in the CLI; they are the web page's rows now
    # (pk_view.protocol_rows/protocol_facts, presentation.pk_lab_rows), each on its own line, in order.
    from endolab.hormones import presentation as show
    from endolab.hormones.pk_view import protocol_facts, protocol_rows

    out = runner.invoke(
        app, [*BASE, "--lab", "650ng/dL@3.5d", "--lab", "900ng/dL@1d"]
    ).stdout.splitlines()
    res = protocol("cypionate", 120, 7, labs=["650ng/dL@3.5d", "900ng/dL@1d"])
    assert res.fit is not None
    assert out[0] == show.pk_headline(res)
    assert show.pk_fit_headline(res.fit) in out
    rows = protocol_rows(res)
    cells = [(f"{r.name} [{r.unit}]", [*r.texts, r.ref_text or "—"]) for r in rows]
    cells += [(label, [text]) for label, text in protocol_facts(res)]
    cells += [(d.label, [d.value, d.note]) for d in show.pk_lab_rows(res.fit)]
    lines = [next(i for i, s in enumerate(out) if s.strip().startswith(c[0] + " ")) for c in cells]
    assert lines == sorted(lines) and len(set(lines)) == len(cells), lines
    for i, (_, texts) in zip(lines, cells, strict=True):
        for text in texts:
            assert text in out[i], (out[i], text)
    assert rows[0].key == "total_testosterone"
    assert "650 ng/dL" in out[lines[-2]] and "900 ng/dL" in out[lines[-1]]  # the labs, as typed
    # fluctuation index = (peak − trough) / Cavg, the definition on its line (hand calculation)
    pk = res.pk
    assert pk.fluctuation_index == pytest.approx((pk.peak_ng_dl - pk.trough_ng_dl) / pk.mean_ng_dl)
