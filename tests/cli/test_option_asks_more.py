"""The remaining library messages that named a command-line option (issue 20 follow-up): the
hormones unit hints, the trial dataset's confirmable unit findings, the too-large refusals and the
clinic report's ``--compare``/``--meal-windows``. The library names its keyword (the web API's
parameter) and carries an :class:`endolab.errors.Ask`; the command line prints exactly the line it
printed before. Each expected line is written out by hand (the text of ``main`` before this change,
read from the code: ``" / --albumin-unit g/L"`` appended by ``_validate.check``, ``CONFIRM_HINT``,
the ``hint=`` of ``trial.report.run``, ``parse_window``'s ``--compare`` label), never this branch's
output pasted back. The page and API sides are in tests/web/test_option_asks_more.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from endolab.cli import app
from tests.trial.builders import lab, person, write_dataset

runner = CliRunner()
EXAMPLE = Path(__file__).parents[2] / "src" / "endolab" / "examples" / "data" / "cgm"


def _err(args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, args)
    return result.exit_code, result.stderr.strip()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["--albumin", "43"],
            "error: albumin: 43 g/dL is out of range; accepted 2.5–5.5 g/dL (is it in g/L? then "
            "use albumin_unit='g/L' / --albumin-unit g/L)",
        ),
        (
            ["--total-t", "20"],
            "error: total_t: 20 ng/dL is out of range; accepted 50–3000 ng/dL (is it in nmol/L? "
            "then use unit='nmol/L' / --unit nmol/L)",
        ),
    ],
)
def test_hormone_unit_hints_print_as_before(args: list[str], line: str) -> None:
    base = ["--total-t", "650"] if "--total-t" not in args else []
    code, err = _err(["hormones", "predict", *base, *args])
    assert (code, err) == (3, line)


def ng_ml_dataset(folder: Path) -> Path:
    """P2's C-peptide in ng/mL (1.2, 1.9, 1.4) among P1's in pmol/L (820, 1240): confirmable."""
    rows = [lab("P1", d, "CPEP_STIM_PEAK", v) for d, v in ((90, 820.0), (180, 1240.0))]
    rows += [lab("P2", d, "CPEP_STIM_PEAK", v) for d, v in ((90, 1.2), (180, 1.9), (365, 1.4))]
    return write_dataset(folder, participants=[person("P1"), person("P2")], labs=rows)


def test_trial_validate_asks_for_accept_units_as_before(tmp_path: Path) -> None:
    folder = ng_ml_dataset(tmp_path / "d")
    result = runner.invoke(app, ["trial", "validate", str(folder)])
    assert result.exit_code == 3
    (problem,) = [x for x in result.stdout.splitlines() if x.startswith("problem: ")]
    assert problem.startswith(
        "problem: E_UNIT_SUSPECT: labs.csv, row 4, column value: participant 'P2'"
    )
    assert problem.endswith("; if these values are right, confirm them with --accept-units")
    result = runner.invoke(app, ["trial", "validate", str(folder), "--json"])
    assert result.stdout.count("confirm them with --accept-units") == 1
    assert "accept_units=True" not in result.stdout


def test_trial_analyze_asks_for_accept_units_as_before(tmp_path: Path) -> None:
    folder = ng_ml_dataset(tmp_path / "d")
    code, err = _err(["trial", "analyze", str(folder), "--out", str(tmp_path / "r")])
    assert code == 3
    assert err.startswith("error: E_UNIT_SUSPECT: labs.csv, row 4, column value: participant 'P2'")
    assert err.endswith("; if these values are right, confirm them with --accept-units")


def test_too_large_trial_names_engine_dask_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("endolab.resources.available_memory_bytes", lambda: 1000)
    folder = ng_ml_dataset(tmp_path / "d")
    code, err = _err(["trial", "analyze", str(folder), "--out", str(tmp_path / "r")])
    assert code == 3
    assert err.startswith("error: E_TOO_LARGE: ")
    assert err.endswith(
        "this machine has free; store cgm as Parquet and use --engine dask (docs/dask.md), or "
        "analyse fewer participants"
    )


def test_too_large_cgm_names_engine_dask_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("endolab.resources.available_memory_bytes", lambda: 1000)
    code, err = _err(
        ["cgm", "report", str(EXAMPLE / "libreview.csv"), "--out", str(tmp_path / "r.html")]
    )
    assert code == 3
    assert err.endswith(
        "this machine has free; give fewer or smaller files, or use Parquet with --engine dask "
        "(cgm metrics; docs/dask.md)"
    )


@pytest.mark.parametrize(
    ("option", "line"),
    [
        (
            ["--compare", "2024-01-01"],
            "error: --compare '2024-01-01': expected FIRST:LAST, e.g. 352:365, -14:-1 or "
            "2024-01-01:2024-01-14",
        ),
        (
            ["--compare", "2024-13-01:2024-13-05"],
            "error: --compare '2024-13-01:2024-13-05': '2024-13-01' is not a calendar date (there "
            "is no month 13)",
        ),
        (
            ["--meal-windows", "x"],
            "error: meal window 'x': give NAME=HH:MM-HH:MM with the start before the end (e.g. "
            "breakfast=06:00-10:00)",
        ),
    ],
)
def test_report_options_print_as_before(tmp_path: Path, option: list[str], line: str) -> None:
    args = ["cgm", "report", str(EXAMPLE / "libreview.csv"), "--out", str(tmp_path / "r.html")]
    code, err = _err([*args, *option])
    assert code in (2, 3) and err == line
    assert not (tmp_path / "r.html").exists()
