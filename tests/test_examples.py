"""The shipped example data (issue 13): made by our own seeded code, valid, and in the package."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from importlib import resources
from pathlib import Path

import polars as pl
import pytest

from endolab._io import MANIFEST_NAME
from endolab.cgm.readers import read_dexcom, read_generic, read_libre
from endolab.errors import InputError
from endolab.examples import example_files, write_examples
from endolab.examples.generate import generate
from endolab.trial.dataset import check_dataset

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(str(resources.files("endolab.examples").joinpath("data")))


def test_shipped_files_are_what_the_generator_makes(tmp_path: Path) -> None:
    made = generate(tmp_path)
    assert sorted(made) == example_files()
    for name, data in made.items():
        if name.endswith(".parquet"):  # bytes depend on the polars version: compare the table
            assert pl.read_parquet(DATA / name).equals(pl.read_parquet(tmp_path / name))
        else:
            assert (DATA / name).read_bytes() == data, (
                f"{name}: rerun python -m endolab.examples.generate"
            )


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", seed=1)
    b = generate(tmp_path / "b", seed=1)
    c = generate(tmp_path / "c", seed=2)
    assert a["cgm/generic.csv"] == b["cgm/generic.csv"] != c["cgm/generic.csv"]


def test_each_cgm_layout_reads_as_14_days() -> None:
    # no warning either (filterwarnings=error): the examples need no fix-up
    generic = read_generic(DATA / "cgm" / "generic.csv")
    parquet = read_generic(DATA / "cgm" / "generic.parquet")
    dexcom = read_dexcom(DATA / "cgm" / "dexcom_clarity.csv")
    libre = read_libre(DATA / "cgm" / "libreview.csv")
    assert generic.equals(parquet)
    assert generic.get_column("id").unique().sort().to_list() == ["S01", "S02"]
    assert generic.height == 2 * 14 * 96  # every 15 min
    assert dexcom.height == 14 * 288  # EGV rows only (calibrations and metadata skipped)
    assert (dexcom.get_column("censored") == -1).sum() >= 6  # the "Low" readings are kept
    assert libre.height == 14 * 96  # historic rows only (scans skipped)
    for frame in (generic, dexcom, libre):
        span = frame.get_column("time").max() - frame.get_column("time").min()  # type: ignore[operator]
        assert span.days == 13


def test_trial_example_is_valid_without_warnings() -> None:
    result = check_dataset(DATA / "trial")
    assert result.ok, [str(e) for e in result.errors]
    assert result.warnings == ()


def test_write_examples_refuses_a_folder_holding_a_users_file(tmp_path: Path) -> None:
    target = write_examples(tmp_path / "ex")
    assert sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()) == sorted(
        [*example_files(), MANIFEST_NAME]
    )
    write_examples(target)  # its own, unchanged files: written again
    (target / "cgm" / "mine.csv").write_text("id,time,gl\n")
    with pytest.raises(InputError, match=r"holds '.*mine\.csv', which endolab did not write"):
        write_examples(target)
    assert (target / "cgm" / "mine.csv").read_text() == "id,time,gl\n"


def _walkthrough() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## First run", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, flags=re.S)
    assert block, "README: no sh block in 'First run'"
    lines = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def test_readme_walkthrough_runs(tmp_path: Path) -> None:
    """Run the README's new-user walkthrough, command by command, as a user would."""
    commands = _walkthrough()
    assert len(commands) >= 5 and all(c.startswith("endolab ") for c in commands)
    env = {**os.environ, "COLUMNS": "120"}
    for command in commands:
        args = shlex.split(command)[1:]
        proc = subprocess.run(
            [sys.executable, "-m", "endolab", *args],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
            env=env,
            timeout=300,
        )
        assert proc.returncode == 0, (command, proc.stdout[-2000:], proc.stderr[-2000:])
        assert "Traceback" not in proc.stderr
    assert (tmp_path / "agp.png").read_bytes().startswith(b"\x89PNG")
    assert "<html" in (tmp_path / "report" / "report.html").read_text(encoding="utf-8").lower()
    assert (tmp_path / "daily.csv").read_text().startswith("id,")
