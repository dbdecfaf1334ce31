"""Unit slips and physiological ranges in the trial reader; every problem of a folder at once."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from endolab.errors import DataFileError, EndolabWarning
from endolab.trial.dataset import check_dataset, read_dataset
from tests.trial.builders import cgm, insulin, lab, person, write_dataset


def _ds(tmp_path: Path, **tables: object) -> Path:
    base: dict[str, object] = {"participants": [person("P1"), person("P2")]}
    base.update(tables)
    return write_dataset(tmp_path / "d", **base)  # type: ignore[arg-type]


def test_cgm_in_mmol_l_is_named(tmp_path: Path) -> None:
    # 6.2 mmol/L written as 6.2 "mg/dL": median 6.2 < 30
    folder = _ds(tmp_path, cgm=cgm("P1", 0, 0, 6.2) + cgm("P2", 0, 0, 130.0))
    with pytest.raises(DataFileError, match=r"participant 'P1'.*mmol/L\?") as info:
        read_dataset(folder)
    assert info.value.column == "glucose_mg_dl"


@pytest.mark.parametrize(
    ("value", "hint"), [(0.081, "a fraction"), (65.0, "IFCC mmol/mol"), (2.5, "physiological")]
)
def test_hba1c_slips(tmp_path: Path, value: float, hint: str) -> None:
    folder = _ds(tmp_path, labs=[lab("P1", 0, "HBA1C", 7.5), lab("P1", 180, "HBA1C", value)])
    with pytest.raises(DataFileError, match=hint) as info:
        read_dataset(folder)
    assert info.value.row == 3  # the second data row of labs.csv


def test_baseline_hba1c_as_fraction(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d", participants=[person("P1"), person("P2", baseline_hba1c_pct=0.078)]
    )
    with pytest.raises(DataFileError, match=r"baseline_hba1c_pct 0\.078 is below 1 %: a fraction"):
        read_dataset(folder)


def test_c_peptide_in_ng_ml_warns(tmp_path: Path) -> None:
    # 1.8 ng/mL = 596 pmol/L: every positive value < 10 pmol/L → a warning, not a refusal
    folder = _ds(
        tmp_path,
        labs=[lab("P1", 180, "CPEP_STIM_PEAK", 1.8), lab("P2", 180, "CPEP_FASTING", 0.4)],
    )
    with pytest.warns(EndolabWarning, match=r"ng/mL \(× 331\) or nmol/L \(× 1000\)"):
        read_dataset(folder)


def test_c_peptide_in_pmol_l_is_quiet(tmp_path: Path) -> None:
    folder = _ds(tmp_path, labs=[lab("P1", 180, "CPEP_STIM_PEAK", 596.0)])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_dataset(folder)


@pytest.mark.parametrize(
    ("tables", "column"),
    [
        ({"insulin": insulin("P1", [1], 5000.0)}, "total_units"),
        ({"labs": [lab("P1", 30, "CPEP_FASTING", 20_000.0)]}, "value"),
        ({"cgm": [*cgm("P1", 0, 0, 130.0)[:-1], cgm("P1", 0, 0, 1e308)[-1]]}, "glucose_mg_dl"),
    ],
    ids=["insulin", "c-peptide", "cgm-1e308"],
)
def test_physiological_ranges(tmp_path: Path, tables: dict[str, object], column: str) -> None:
    with pytest.raises(DataFileError, match="physiological range") as info:
        read_dataset(_ds(tmp_path, **tables))
    assert info.value.column == column


def test_check_dataset_reports_every_problem(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d",
        participants=[person("P1", sex="X"), person("P2", weight_kg="heavy")],
        labs=[lab("P1", 10, "HBA1C", 0.07), lab("P9", 10, "HBA1C", 7.0)],
        insulin=insulin("P1", [1, 2, 3], -1.0),
    )
    (folder / "events.csv").unlink()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = check_dataset(folder)
    text = "\n".join(str(e) for e in result.errors)
    for needle in (
        "column sex: 'X' is not accepted",
        "column weight_kg: 'heavy' is not a number",
        "events.csv: required file is missing",
        "participant 'P9' is not in participants",
        "HBA1C 0.07 is below 1 %: a fraction",
        "column total_units: -1.0 is not accepted; must be ≥ 0 (2 more row(s) like it)",
    ):
        assert needle in text, (needle, text)
    assert len(result.errors) == 6, text
    assert not result.ok
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # only read


def test_read_dataset_still_raises_the_first_problem(tmp_path: Path) -> None:
    folder = write_dataset(
        tmp_path / "d", participants=[person("P1", sex="X"), person("P2", weight_kg="heavy")]
    )
    with pytest.raises(DataFileError, match="weight_kg"):
        read_dataset(folder)
