"""Inputs too large for the machine's memory are refused before reading (issue 18, "Limits").

The machine's free memory is replaced by a chosen figure; the estimate is the measured cost of
:mod:`endolab.resources` (base + bytes per byte of text), computed by hand in each test from the
file sizes, so the refusal's boundary is checked on both sides.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import endolab.resources
from endolab.cli import app

runner = CliRunner()


def _cgm(folder: Path) -> Path:
    path = folder / "cgm.csv"
    rows = "".join(
        f"S1,2024-01-01 {h:02d}:{m:02d}:00,{100 + m}\n" for h in range(24) for m in (0, 30)
    )
    path.write_text("id,time,gl\n" + rows)
    return path


def _limit(monkeypatch: pytest.MonkeyPatch, free: int) -> None:
    monkeypatch.setattr(endolab.resources, "available_memory_bytes", lambda: free)


@pytest.mark.parametrize(
    "command", [["metrics"], ["episodes"], ["agp", "--id", "S1", "--out", "OUT/agp.png"]]
)
def test_cgm_file_larger_than_memory_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    path = _cgm(tmp_path)
    size = path.stat().st_size
    # hand calculation: 150 MB base + 8 B per byte of CSV
    need = 150_000_000 + 8 * size
    _limit(monkeypatch, need - 1)
    args = ["cgm", command[0], str(path), *[a.replace("OUT", str(tmp_path)) for a in command[1:]]]
    before = path.read_bytes()
    result = runner.invoke(app, args)
    assert result.exit_code == 3, result.output
    line = result.stderr.strip()
    assert line.startswith("error: E_TOO_LARGE: reading these CGM files needs about")
    assert len(line.splitlines()) == 1 and "Traceback" not in result.output
    shown_need = endolab.resources.human_bytes(need)
    assert f"about {shown_need} of memory" in line and "this machine has free" in line
    assert path.read_bytes() == before
    assert not (tmp_path / "agp.png").exists()
    _limit(monkeypatch, need)  # exactly enough: accepted
    assert runner.invoke(app, args).exit_code == 0


def test_trial_dataset_larger_than_memory_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.trial.builders import cgm, lab, person, write_dataset

    folder = write_dataset(
        tmp_path / "trial",
        participants=[person("P1"), person("P2")],
        cgm=cgm("P1", 0, 0, 130.0, every_min=60),
        labs=[lab("P1", 180, "HBA1C", 7.1)],
    )
    text_bytes = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    need = 400_000_000 + 4 * text_bytes  # hand calculation: 400 MB base + 4 B per byte of CSV
    _limit(monkeypatch, need - 1)
    result = runner.invoke(app, ["trial", "analyze", str(folder), "--out", str(tmp_path / "r")])
    assert result.exit_code == 3, result.output
    assert result.stderr.startswith("error: E_TOO_LARGE: analysing this trial dataset needs")
    assert endolab.resources.human_bytes(need - 1) in result.stderr  # the limit is named
    assert not (tmp_path / "r").exists()


def test_parquet_counts_rows_not_bytes(tmp_path: Path) -> None:
    import polars as pl

    path = tmp_path / "c.parquet"
    pl.DataFrame({"id": ["S1"] * 1000, "gl": [100.0] * 1000}).write_parquet(path)
    cost = endolab.resources.InputCost("t", 0, 8, 100)
    assert endolab.resources.input_memory_estimate([path], cost) == 1000 * 100


def test_help_states_the_limits() -> None:
    for args in (["cgm", "metrics"], ["cgm", "episodes"], ["cgm", "agp"], ["trial", "analyze"]):
        text = " ".join(runner.invoke(app, [*args, "--help"]).output.split())
        assert "Limits:" in text and "E_TOO_LARGE, exit 3" in text, args
