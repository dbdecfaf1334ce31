"""Every command against hostile input (issue 13): a clear one-line error, never a traceback.

Each case asserts: exit status 2 (usage/parse) or 3 (input rejected), exactly one line on standard
error starting with ``error:``, no ``Traceback`` anywhere, and every input file byte-identical
afterwards. Output-path errors must come before any computation: the computing functions are
replaced by a tripwire that fails the test if reached, and the run must end within a bound.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from endolab.cli import app

runner = CliRunner()

#: An output-path error is a few file-system calls; the bound leaves room for a loaded machine.
BOUND_S = 5.0

HCG_MIX = ["--vial-iu", "5000", "--diluent-ml", "2", "--dose-iu", "250"]
HCG_PLAN = [*HCG_MIX, "--per-week", "2", "--start", "2026-01-05", "--weeks", "4"]

UNWRITABLE = "/proc/endolab-out"  # a virtual file system: no file can be created there


def _cgm_csv(folder: Path) -> Path:
    rows = [
        f"S01,2024-01-01 {h:02d}:{m:02d}:00,{120 + (h * 7 + m) % 60}"
        for h in range(24)
        for m in range(0, 60, 5)
    ]
    path = folder / "cgm.csv"
    path.write_text("id,time,gl\n" + "\n".join(rows) + "\n")
    return path


@pytest.fixture
def inputs(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A folder of inputs; after the test every file in it must be byte-identical."""
    folder = tmp_path / "in"
    folder.mkdir()
    cgm = _cgm_csv(folder)
    a_file = folder / "plain.txt"
    a_file.write_text("not a folder\n")
    before = _digest(folder)
    yield {"dir": folder, "cgm": cgm, "file": a_file, "tmp": tmp_path}
    assert _digest(folder) == before, "an input file was changed"


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _tripwire(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every computation fail the test loudly: an output-path error must come first."""

    def boom(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("computation started before the output path was checked")

    import endolab.cgm
    import endolab.cli.cgm
    import endolab.hcg
    import endolab.sim
    import endolab.sim.studies
    import endolab.trial.report

    for module, name in [
        (endolab.cli.cgm, "_read"),
        (endolab.cgm, "compute_metrics"),
        (endolab.cgm, "episodes"),
        (endolab.cgm, "agp_figure"),
        (endolab.hcg, "mix"),
        (endolab.hcg, "reverse"),
        (endolab.trial.report, "run"),
        (endolab.sim, "simulate_trial"),
        (endolab.sim.studies, "dose_response"),
        (endolab.sim.studies, "write_demo"),
    ]:
        monkeypatch.setattr(module, name, boom)


def _assert_clean_error(args: list[str], codes: tuple[int, ...] = (2, 3)) -> str:
    start = time.perf_counter()
    result = runner.invoke(app, args)
    elapsed = time.perf_counter() - start
    everything = result.output + (result.stderr or "")
    assert "Traceback" not in everything
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception),
        args,
    )
    assert result.exit_code in codes, (result.exit_code, everything, args)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), (lines, args)
    assert elapsed < BOUND_S, f"{args}: {elapsed:.1f} s"
    return lines[0]


# --------------------------------------------------------------------------------------------
# output paths: checked before any computation, exit 3, one line
# --------------------------------------------------------------------------------------------

#: (command prefix without the output option, option, kind, a good suffix, a wrong suffix)
FILE_OUTPUTS: list[tuple[Callable[[dict[str, Path]], list[str]], str, str, str]] = [
    (lambda d: ["hcg", "mix", *HCG_MIX], "--svg", ".svg", ".png"),
    (
        lambda d: ["hcg", "reverse", *HCG_MIX[:2], *HCG_MIX[4:], "--units", "10"],
        "--svg",
        ".svg",
        ".pdf",
    ),
    (lambda d: ["hcg", "plan", *HCG_PLAN], "--svg", ".svg", ".txt"),
    (lambda d: ["hcg", "plan", *HCG_PLAN], "--ics", ".ics", ".txt"),
    (lambda d: ["cgm", "metrics", str(d["cgm"])], "--out", ".csv", ".xlsx"),
    (lambda d: ["cgm", "episodes", str(d["cgm"])], "--out", ".json", ".xlsx"),
    (lambda d: ["cgm", "agp", str(d["cgm"]), "--id", "S01"], "--out", ".png", ".csv"),
    (
        lambda d: ["sim", "patient", "--id", "adult#001", "--days", "1"],
        "--out",
        ".csv",
        ".parquet",
    ),
]

FOLDER_OUTPUTS: list[tuple[Callable[[dict[str, Path]], list[str]], str]] = [
    (lambda d: ["trial", "analyze", str(d["dir"])], "--out"),
    (lambda d: ["trial", "simulate", "--participants", "1", "--days", "1"], "--out"),
    (lambda d: ["trial", "demo"], "--out"),
    (lambda d: ["sim", "dose-response", "--doses", "2e8", "--participants", "1"], "--out"),
    (lambda d: ["trial", "template"], ""),  # the folder is an argument
    (lambda d: ["examples"], ""),
]


def _file_cases() -> list[Any]:
    cases = []
    for index, (prefix, flag, good, bad) in enumerate(FILE_OUTPUTS):
        for case in ("unwritable", "folder", "empty", "mismatched", "missing-parent"):
            cases.append(pytest.param(prefix, flag, good, bad, case, id=f"{index}{flag}-{case}"))
    return cases


@pytest.mark.parametrize(("prefix", "flag", "good", "bad", "case"), _file_cases())
def test_file_output_path_refused_before_computing(
    inputs: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    prefix: Callable[[dict[str, Path]], list[str]],
    flag: str,
    good: str,
    bad: str,
    case: str,
) -> None:
    target = {
        "unwritable": UNWRITABLE + good,
        "folder": str(inputs["tmp"]),
        "empty": "",
        "mismatched": str(inputs["tmp"] / f"m{bad}"),
        "missing-parent": str(inputs["tmp"] / "no-such-folder" / f"x{good}"),
    }[case]
    _tripwire(monkeypatch)
    line = _assert_clean_error([*prefix(inputs), flag, target], codes=(3,))
    assert flag in line
    if case == "mismatched":
        assert not Path(target).exists(), "a file was written under a name of another format"
        assert good in line


@pytest.mark.parametrize("index", range(len(FOLDER_OUTPUTS)))
@pytest.mark.parametrize("case", ["unwritable", "a-file", "empty", "missing-parent"])
def test_folder_output_path_refused_before_computing(
    inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch, index: int, case: str
) -> None:
    prefix, flag = FOLDER_OUTPUTS[index]
    target = {
        "unwritable": UNWRITABLE,
        "a-file": str(inputs["file"]),
        "empty": "",
        "missing-parent": str(inputs["tmp"] / "no-such-folder" / "report"),
    }[case]
    _tripwire(monkeypatch)
    _assert_clean_error([*prefix(inputs), *([flag] if flag else []), target], codes=(3,))


def test_cgm_out_onto_its_input_refused(
    inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tripwire(monkeypatch)
    line = _assert_clean_error(["cgm", "metrics", str(inputs["cgm"]), "--out", str(inputs["cgm"])])
    assert "input" in line


def test_trial_report_into_its_dataset_refused(
    inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tripwire(monkeypatch)
    _assert_clean_error(["trial", "analyze", str(inputs["dir"]), "--out", str(inputs["dir"])])


def test_cgm_format_and_suffix_must_agree(
    inputs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _tripwire(monkeypatch)
    out = inputs["tmp"] / "m.json"
    _assert_clean_error(
        ["cgm", "metrics", str(inputs["cgm"]), "--format", "csv", "--out", str(out)]
    )
    assert not out.exists()


# --------------------------------------------------------------------------------------------
# numbers: integer literals with '_' are not numbers
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["hormones", "predict", "--total-t", "6_50", "--age", "45"],
        ["hcg", "mix", "--vial-iu", "5_000", "--diluent-ml", "2", "--dose-iu", "250"],
        ["hcg", "suggest", "--vial-iu", "5000", "--dose-iu", "250", "--top", "1_0"],
        ["trial", "simulate", "--participants", "1_0", "--out", "never-written"],
        ["sim", "patient", "--id", "adult#001", "--days", "1_0"],
        ["sim", "patient", "--id", "adult#001", "--graft-fraction", "0_5"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_underscore_numbers_refused(inputs: dict[str, Path], args: list[str]) -> None:
    _assert_clean_error(args, codes=(2,))


# --------------------------------------------------------------------------------------------
# a real process: what a user sees in a terminal
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["hcg", "mix", *HCG_MIX, "--svg", "/sys/x.svg"],
        ["hcg", "plan", *HCG_PLAN, "--ics", "/proc/p.ics"],
        ["hcg", "plan", *HCG_PLAN, "--ics", "/tmp"],
    ],
    ids=["svg-sys", "ics-proc", "ics-folder"],
)
def test_as_a_process(args: list[str]) -> None:
    env = {**os.environ, "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "endolab", *args],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1


# --------------------------------------------------------------------------------------------
# CGM data: blank ids, values no sensor reports
# --------------------------------------------------------------------------------------------

CGM_BAD = {
    "blank-id": ("S01,2024-01-01 00:00:00,100", "   ,2024-01-01 00:05:00,110", "column id"),
    "empty-id": ("S01,2024-01-01 00:00:00,100", ",2024-01-01 00:05:00,110", "column id"),
    "1e308": ("S01,2024-01-01 00:00:00,100", "S01,2024-01-01 00:05:00,1e308", "physiological"),
    "5000-mg/dL": ("S01,2024-01-01 00:00:00,100", "S01,2024-01-01 00:05:00,5000", "physiological"),
    "0.3-mmol/L": ("S01,2024-01-01 00:00:00,5.5", "S01,2024-01-01 00:05:00,0.3", "physiological"),
    "minus-inf": ("S01,2024-01-01 00:00:00,100", "S01,2024-01-01 00:05:00,-inf", "gl"),
}


@pytest.mark.parametrize("command", ["metrics", "episodes", "agp"])
@pytest.mark.parametrize("case", sorted(CGM_BAD))
def test_cgm_bad_values_refused_with_the_row(
    inputs: dict[str, Path], command: str, case: str
) -> None:
    first, bad, word = CGM_BAD[case]
    path = inputs["tmp"] / "bad.csv"
    last = "6.5" if "mmol" in case else "120"
    path.write_text(f"id,time,gl\n{first}\n{bad}\nS01,2024-01-01 00:10:00,{last}\n")
    before = path.read_bytes()
    extra = ["--id", "S01", "--out", str(inputs["tmp"] / "agp.png")] if command == "agp" else []
    line = _assert_clean_error(["cgm", command, str(path), *extra], codes=(3,))
    assert "row 3" in line and word in line, line
    assert path.read_bytes() == before


# --------------------------------------------------------------------------------------------
# trial datasets: unit slips, extreme values, blank ids; `trial validate` lists them all
# --------------------------------------------------------------------------------------------


def _trial(folder: Path, **changes: str) -> Path:
    from tests.trial.builders import cgm, lab, person, write_dataset

    participants = [person("P1"), person("P2")]
    if "baseline" in changes:
        participants[1]["baseline_hba1c_pct"] = changes["baseline"]
    if "blank_id" in changes:
        participants[1]["participant_id"] = changes["blank_id"]
    glucose = float(changes.get("glucose", "130"))
    labs = [lab("P1", 180, "HBA1C", float(changes.get("hba1c", "7.1")))]
    labs.append(lab("P1", 180, "CPEP_STIM_PEAK", float(changes.get("cpep", "600"))))
    return write_dataset(
        folder,
        participants=participants,
        cgm=cgm("P1", 0, 0, glucose, every_min=60),
        labs=labs,
    )


TRIAL_BAD = {
    "cgm-mmol": ({"glucose": "6.5"}, "mmol/L?"),
    "cgm-1e308": ({"glucose": "1e308"}, "physiological range"),
    "hba1c-fraction": ({"hba1c": "0.071"}, "a fraction?"),
    "hba1c-ifcc": ({"hba1c": "54"}, "IFCC mmol/mol?"),
    "baseline-fraction": ({"baseline": "0.08"}, "a fraction?"),
    "cpep-extreme": ({"cpep": "1e9"}, "physiological range"),
    "cpep-ng-ml": ({"cpep": "1.8"}, "ng/mL (× 331) or nmol/L (× 1000)?"),
    "blank-id": ({"blank_id": "  "}, "participant_id"),
}


@pytest.mark.parametrize("command", ["analyze", "validate"])
@pytest.mark.parametrize("case", sorted(TRIAL_BAD))
def test_trial_unit_slips_and_extremes_refused(
    inputs: dict[str, Path], command: str, case: str
) -> None:
    changes, word = TRIAL_BAD[case]
    folder = _trial(inputs["tmp"] / "trial", **changes)
    before = _digest(folder)
    extra = ["--out", str(inputs["tmp"] / "report")] if command == "analyze" else []
    start = time.perf_counter()
    result = runner.invoke(app, ["trial", command, str(folder), *extra])
    assert time.perf_counter() - start < 60
    assert "Traceback" not in result.output + result.stderr
    assert result.exit_code == 3, (result.exit_code, result.output, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), lines
    shown = lines[0] if command == "analyze" else result.stdout
    assert word in shown, shown
    assert _digest(folder) == before
    assert not (inputs["tmp"] / "report").exists()


def test_trial_validate_c_peptide_ng_ml_needs_confirmation(inputs: dict[str, Path]) -> None:
    # issue 18: refused (exit 3, the participant named) unless --accept-units confirms it
    folder = _trial(inputs["tmp"] / "trial", cpep="1.8")
    result = runner.invoke(app, ["trial", "validate", str(folder)])
    assert result.exit_code == 3, result.output
    assert "participant 'P1'" in result.stdout
    assert "ng/mL (× 331) or nmol/L (× 1000)?" in result.stdout
    result = runner.invoke(app, ["trial", "validate", str(folder), "--accept-units"])
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stdout and "--accept-units" in result.stdout


def test_cgm_unit_slip_against_the_stated_unit(inputs: dict[str, Path]) -> None:
    # readings in mmol/L declared as mg/dL: refused, not a 0 % time in range
    path = inputs["tmp"] / "mmol.csv"
    path.write_text(
        "id,time,gl\n"
        + "".join(f"S01,2024-01-01 00:{5 * i:02d}:00,{6 + i / 10}\n" for i in range(6))
    )
    line = _assert_clean_error(["cgm", "metrics", str(path), "--unit", "mg/dL"], codes=(3,))
    assert "mmol/L" in line or "36" in line, line
