"""The root command: version, help, and the uniform error contract."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer
from typer.testing import CliRunner

from endolab import __version__
from endolab.cli import app
from endolab.cli._common import EndolabGroup
from endolab.errors import InputError, ParseError

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"endolab {__version__}"


def test_groups_are_listed() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for group in ("hormones", "hcg", "cgm", "trial"):
        assert group in result.output


def test_unknown_flag_is_exit_2_one_line() -> None:
    result = runner.invoke(app, ["--no-such-flag"])
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "--no-such-flag" in lines[0]


def test_console_script_runs_as_a_process() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from endolab.cli import main; main()", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"endolab {__version__}"


def _app_raising(exc: Exception) -> typer.Typer:
    demo = typer.Typer(cls=EndolabGroup)

    @demo.command()
    def boom() -> None:
        raise exc

    @demo.command()
    def ok(x: float = typer.Option(...)) -> None:
        typer.echo(f"x={x}")

    return demo


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (InputError("total_t must be ≥ 50 ng/dL, got -5", field="total_t"), 3),
        (ParseError("'1,5' is not a number: use a point as the decimal separator"), 2),
    ],
)
def test_endolab_errors_become_one_line_and_documented_status(exc: Exception, code: int) -> None:
    result = runner.invoke(_app_raising(exc), ["boom"])
    assert result.exit_code == code
    assert result.stderr.strip() == f"error: {exc}"
    assert "Traceback" not in result.output


def test_not_a_number_is_exit_2() -> None:
    result = runner.invoke(_app_raising(InputError("x")), ["ok", "--x", "abc"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and "--x" in result.stderr
