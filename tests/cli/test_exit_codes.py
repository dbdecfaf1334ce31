"""Every exit status that docs/cli.md documents, run at least once with its exact code (issue 18).

The statuses are read from the table under "## Exit status" in docs/cli.md: a status added to the
documentation without a case here (or a case whose status is not documented) fails
:func:`test_every_documented_status_has_a_case`. Most cases run ``python -m endolab`` in a real
process (what a user sees in a terminal); status 4 and 130 need a failure that a test cannot cause
from outside (a dying Dask worker, Ctrl-C at the right moment), so the library raises it in-process
(a real dying worker: tests/cgm/test_distributed_failures.py).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from endolab.cli import app

ROOT = Path(__file__).resolve().parents[2]

_RUN_BLOCKED = (
    "import sys\n"
    "sys.modules[sys.argv[1]] = None\n"
    "from endolab.cli import main\n"
    "sys.argv = ['endolab', *sys.argv[2:]]\n"
    "main()\n"
)


def documented_statuses() -> set[int]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    return {int(m) for m in re.findall(r"^\| (\d+) \|", section, flags=re.M)}


def _cli(args: list[str], cwd: Path) -> tuple[int, str, str]:
    """In-process (fast): the same group, parser and error handling as the console script."""
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def _process(args: list[str], cwd: Path, *, blocked: str | None = None) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "endolab", *args]
    if blocked is not None:
        command = [sys.executable, "-c", _RUN_BLOCKED, blocked, *args]
    proc = subprocess.run(
        command, capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )
    return proc.returncode, proc.stdout, proc.stderr


def _cgm(folder: Path) -> Path:
    path = folder / "cgm.csv"
    path.write_text(
        "id,time,gl\n" + "".join(f"S1,2024-01-01 00:{5 * i:02d}:00,{100 + i}\n" for i in range(6))
    )
    return path


# Each case: (what, function of a scratch folder returning (status, stdout, stderr), a text the
# one-line error must hold, or None for a result).
Case = tuple[str, Callable[[Path], tuple[int, str, str]], str | None]


def _exists_without_overwrite(d: Path) -> tuple[int, str, str]:
    (d / "daily.csv").write_text("mine\n")
    return _cli(["cgm", "metrics", str(_cgm(d)), "--out", "daily.csv"], d)


def _broken_file(d: Path) -> tuple[int, str, str]:
    (d / "x.csv").write_text("id,time\nS1,2024-01-01 00:00\n")  # no glucose column
    return _process(["cgm", "metrics", "x.csv"], d)


def _cluster_failed(d: Path) -> tuple[int, str, str]:
    from endolab.cgm.distributed import ClusterError

    def dying(*_a: Any, **_k: Any) -> Any:
        raise ClusterError("a Dask worker died 3 times running the task (test)")

    with pytest.MonkeyPatch.context() as mp:
        import endolab.cgm

        mp.setattr(endolab.cgm, "metrics_of_files", dying)
        result = CliRunner().invoke(app, ["cgm", "metrics", str(_cgm(d)), "--out", "m.csv"])
    assert not (d / "m.csv").exists()
    return result.exit_code, result.stdout, result.stderr


def _interrupted(d: Path) -> tuple[int, str, str]:
    def ctrl_c(*_a: Any, **_k: Any) -> Any:
        raise KeyboardInterrupt

    with pytest.MonkeyPatch.context() as mp:
        import endolab.hcg

        mp.setattr(endolab.hcg, "mix_request", ctrl_c)
        args = ["hcg", "mix", "--vial-iu", "5000", "--diluent-ml", "2", "--dose-iu", "250"]
        result = CliRunner().invoke(app, [*args, "--svg", str(d / "s.svg")])
    assert not (d / "s.svg").exists()
    return result.exit_code, result.stdout, result.stderr


CASES: dict[int, list[Case]] = {
    0: [
        ("a result", lambda d: _process(["hcg", "syringes"], d), None),
        ("--version", lambda d: _cli(["--version"], d), None),
        ("no command: the help", lambda d: _cli([], d), None),
    ],
    2: [
        ("unknown flag", lambda d: _cli(["hcg", "mix", "--bogus"], d), "No such option"),
        ("missing argument", lambda d: _cli(["cgm", "metrics"], d), "Missing argument"),
        (
            "missing input",
            lambda d: _cli(["hormones", "predict", "--age", "40"], d),
            "total_t: missing",
        ),
        (
            "not a number",
            lambda d: _cli(["hormones", "predict", "--total-t", "abc"], d),
            "E_NOT_A_NUMBER",
        ),
        (
            "unknown unit",
            lambda d: _cli(["hormones", "predict", "--total-t", "650", "--unit", "mg"], d),
            "unknown unit",
        ),
        (
            "a comma",
            lambda d: _cli(["hormones", "predict", "--total-t", "1,5"], d),
            "decimal separator",
        ),
        (
            "unknown choice",
            lambda d: _cli(["trial", "simulate", "--out", "t", "--format", "xml"], d),
            "--format must be csv or parquet",
        ),
        (
            "a name outside a fixed list",
            lambda d: _cli(["sim", "patient", "--id", "adult#999"], d),
            "E_UNKNOWN_PATIENT: unknown virtual patient 'adult#999'",
        ),
        ("unknown command", lambda d: _cli(["nosuch"], d), "No such command"),
        (
            "missing extra",
            lambda d: _process(["serve", "--port", "0"], d, blocked="uvicorn"),
            "needs the optional extra [web]",
        ),
    ],
    3: [
        (
            "a negative total testosterone",
            lambda d: _cli(["hormones", "predict", "--total-t", "-5"], d),
            "total_t",
        ),
        (
            "a dose outside the accepted range",
            lambda d: _cli(["hormones", "predict", "--dose-mg-week", "700"], d),
            "25–600 mg/week",
        ),
        ("an output file that exists", _exists_without_overwrite, "add --overwrite"),
        (
            "a data file that breaks its format",
            _broken_file,
            "x.csv",
        ),
        (
            "an operating-system error on a path",
            lambda d: _cli(["cgm", "metrics", str(d / ("a" * 300 + ".csv"))], d),
            "the file system allows at most 255",
        ),
        (
            "a window that holds no reading",
            lambda d: _cli(
                ["cgm", "metrics", str(_cgm(d)), "--window", "2030-01-01:2030-01-02"], d
            ),
            "E_WINDOW_EMPTY",
        ),
        (
            "a seed outside the range",
            lambda d: _cli(["sim", "patient", "--id", "adult#001", "--seed", "-1"], d),
            "seed must be a whole number from 0 to 4294967295",
        ),
    ],
    4: [("a Dask worker kept dying", _cluster_failed, "a Dask worker died")],
    130: [("Ctrl-C", _interrupted, None)],  # as shells report SIGINT; no message
}


def test_every_documented_status_has_a_case() -> None:
    assert set(CASES) == documented_statuses()


@pytest.mark.parametrize(
    ("status", "case"),
    [
        pytest.param(status, case, id=f"{status}-{case[0]}")
        for status, cases in CASES.items()
        for case in cases
    ],
)
def test_status(tmp_path: Path, status: int, case: Case) -> None:
    _what, run, text = case
    code, out, err = run(tmp_path)
    assert code == status, (code, out, err)
    assert "Traceback" not in out + err
    lines = [line for line in err.splitlines() if line.strip()]
    if text is None:
        assert not lines, err
    else:
        assert len(lines) == 1 and lines[0].startswith("error: "), lines
        assert text in lines[0], lines[0]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["hcg", "presets"]],
    ids=" ".join,
)
def test_a_closed_stdout_pipe_ends_quietly_with_0(tmp_path: Path, args: list[str]) -> None:
    # `endolab --help | head -0`: the reader is gone before the first byte is written
    proc = subprocess.Popen(
        [sys.executable, "-m", "endolab", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None
    proc.stdout.close()
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert err == b"", err


def test_a_pipe_closed_after_the_first_line(tmp_path: Path) -> None:
    # the issue's own example: `endolab --help | head -1` exited 1
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {sys.executable} -m endolab --help | head -1"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
