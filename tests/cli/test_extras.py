"""A command whose optional extra is missing answers with one line naming the extra, exit 2 (issue 22).

Each case runs the CLI in a fresh interpreter with the extra's package blocked (``sys.modules[name] =
None`` makes ``import name`` raise ModuleNotFoundError, as on a plain install). The smoke test
(.ci/smoke-commands) checks the same on a real install of the wheel without extras.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from endolab._extras import EXTRAS, extra_for

_RUN = (
    "import sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    sys.modules[name] = None\n"
    "from endolab.cli import main\n"
    "sys.argv = ['endolab', *sys.argv[2:]]\n"
    "main()\n"
)


def _endolab(blocked: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _RUN, blocked, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("blocked", "args", "extra", "module"),
    [
        ("numba", ["sim", "patient", "--id", "adult#001", "--days", "1"], "sim", "numba"),
        ("numba,scipy", ["trial", "simulate", "--out", "t", "--participants", "1"], "sim", "numba"),
        ("uvicorn", ["serve", "--port", "0"], "web", "uvicorn"),
        ("pydantic_settings", ["serve", "--port", "0"], "web", "pydantic_settings"),
        (
            "pyreadstat",
            ["trial", "export", "ex/trial", "--format", "xpt", "--out", "t"],
            "cdisc",
            "pyreadstat",
        ),
        (
            "matplotlib",
            ["cgm", "agp", "ex/cgm/generic.csv", "--id", "S1", "--out", "agp.png"],
            "plot",
            "matplotlib",
        ),
    ],
)
def test_missing_extra_gives_a_one_line_hint(
    tmp_path: Path, blocked: str, args: list[str], extra: str, module: str
) -> None:
    from endolab.examples import write_examples

    write_examples(tmp_path / "ex")
    result = _endolab(blocked, *args, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr  # one line, no traceback
    assert f"[{extra}] ({module} is not installed)" in result.stderr
    assert f"pip install 'endolab[{extra}]'" in result.stderr
    assert not (tmp_path / "agp.png").exists() and not (tmp_path / "t").exists()


def test_a_missing_module_of_no_extra_is_not_hidden(tmp_path: Path) -> None:
    # polars is core: its absence is a broken install, reported with the traceback (exit 1)
    result = _endolab("polars", "cgm", "metrics", "x.csv", cwd=tmp_path)
    assert result.returncode == 1
    assert "ModuleNotFoundError" in result.stderr


def test_every_extra_of_pyproject_has_its_modules_mapped() -> None:
    import tomllib

    extras = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for name in EXTRAS:
        assert name in extras, name
    assert {"sim", "web", "plot", "survival", "pandas", "dask", "all"} <= set(extras)
    assert extras["all"] == [f"endolab[{','.join(n for n in extras if n not in ('all', 'cli'))}]"]
    assert extra_for("numba") == "sim" and extra_for("fastapi.routing") == "web"
