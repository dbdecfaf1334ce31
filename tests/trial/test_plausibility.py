"""Unit slips and physiological ranges in the trial reader; every problem of a folder at once."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from endolab.errors import DataFileError
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


def test_c_peptide_in_ng_ml_for_everyone_is_refused_then_confirmable(tmp_path: Path) -> None:
    # 1.8 ng/mL = 596 pmol/L: every positive value of both participants < 10 pmol/L → both named,
    # refused (it was a warning on standard error only); --accept-units keeps it as a notice
    folder = _ds(
        tmp_path,
        labs=[lab("P1", 180, "CPEP_STIM_PEAK", 1.8), lab("P2", 180, "CPEP_FASTING", 0.4)],
    )
    with pytest.raises(DataFileError, match=r"participants 'P1', 'P2': every C-peptide") as info:
        read_dataset(folder)
    assert info.value.code == "E_UNIT_SUSPECT"
    assert r"ng/mL (× 331) or nmol/L (× 1000)?" in str(info.value)
    ds = read_dataset(folder, accept_units=True)
    assert len(ds.notices) == 1 and "confirmed as given (--accept-units)" in ds.notices[0].message
    assert ds.notices[0].code == "W_TRIAL_PLAUSIBILITY"


def _cpep_rows(pid: str, values: list[float]) -> list[dict[str, object]]:
    return [
        lab(pid, day, "CPEP_STIM_PEAK", v) for day, v in zip((90, 180, 365), values, strict=False)
    ]


def test_one_participant_in_ng_ml_among_pmol_l_is_named(tmp_path: Path) -> None:
    # Issue 18: P2's C-peptide in ng/mL (1.9 ng/mL = 629 pmol/L) while P1 and P3 are in pmol/L.
    # The dataset's largest value is 1,240 pmol/L, so the old dataset-wide rule ("every value
    # below 10") never fired and P2's graft was graded a failure without a word.
    folder = write_dataset(
        tmp_path / "d",
        participants=[person("P1"), person("P2"), person("P3")],
        labs=_cpep_rows("P1", [820.0, 1240.0])
        + _cpep_rows("P2", [1.2, 1.9, 1.4])
        + _cpep_rows("P3", [450.0]),
    )
    with pytest.raises(DataFileError) as info:
        read_dataset(folder)
    text = str(info.value)
    assert info.value.code == "E_UNIT_SUSPECT" and info.value.file == "labs.csv"
    assert "participant 'P2': every C-peptide above 0 is below 10 pmol/L (largest 1.9)" in text
    assert "reach 1,240 pmol/L" in text and text.endswith("confirm them with accept_units=True")
    assert info.value.row == 4  # P2's first C-peptide: the 3rd data row of labs.csv
    check = check_dataset(folder)
    assert [e.code for e in check.errors] == ["E_UNIT_SUSPECT"]
    confirmed = check_dataset(folder, accept_units=True)
    assert confirmed.ok and "participant 'P2'" in confirmed.warnings[0]


def test_a_failed_graft_with_traces_is_asked_not_silent(tmp_path: Path) -> None:
    # 0 (below the assay's limit) is not a positive value: only P2's 6 pmol/L counts
    folder = write_dataset(
        tmp_path / "d",
        participants=[person("P1"), person("P2")],
        labs=_cpep_rows("P1", [0.0, 700.0]) + _cpep_rows("P2", [0.0, 6.0, 0.0]),
    )
    with pytest.raises(DataFileError, match=r"participant 'P2'.*largest 6\)"):
        read_dataset(folder)


def test_weight_in_pounds_for_one_participant_is_named(tmp_path: Path) -> None:
    # 80 kg written as 176.4 "kg" (pounds): the median of 68, 72, 75, 176.4 is 73.5 kg and
    # 176.4 / 73.5 = 2.4 ≥ 1.6; 68 / 73.5 = 0.93 and 75 / 73.5 = 1.02 are not asked about
    folder = write_dataset(
        tmp_path / "d",
        participants=[
            person("P1", weight_kg=68.0),
            person("P2", weight_kg=72.0),
            person("P3", weight_kg=176.4),
            person("P4", weight_kg=75.0),
        ],
    )
    with pytest.raises(DataFileError) as info:
        read_dataset(folder)
    assert info.value.code == "E_UNIT_SUSPECT" and info.value.column == "weight_kg"
    assert info.value.row == 4
    assert (
        "participant 'P3': weight_kg 176.4 is 2.4 × the dataset's median weight (73.5 kg)"
        in str(info.value)
    )
    assert (
        read_dataset(folder, accept_units=True)
        .notices[0]
        .message.startswith(
            "E_UNIT_SUSPECT: participants.csv, row 4, column weight_kg: participant 'P3'"
        )
    )


def test_ordinary_weights_are_quiet(tmp_path: Path) -> None:
    # 52 / 76 = 0.68 > 1/1.6 = 0.625 and 118 / 76 = 1.55 < 1.6 (median of 52, 70, 76, 82, 118 = 76)
    weights = [52.0, 70.0, 76.0, 82.0, 118.0]
    folder = write_dataset(
        tmp_path / "d",
        participants=[person(f"P{i}", weight_kg=w) for i, w in enumerate(weights)],
    )
    assert read_dataset(folder).notices == ()


def test_fasting_glucose_of_one_participant_in_mmol_l(tmp_path: Path) -> None:
    # P2's fasting glucose in mmol/L (12.5 and 14 mmol/L = 225 and 252 mg/dL): inside the
    # 10–1,000 mg/dL range, and the dataset's median (of 95, 110, 12.5, 14, 101, 99) is 97 mg/dL,
    # so the old dataset-wide median rule let it through; P2's own median 13.25 < 30 mg/dL.
    labs = [
        lab("P1", 180, "GLUCOSE_FASTING", 95.0),
        lab("P1", 365, "GLUCOSE_FASTING", 110.0),
        lab("P2", 180, "GLUCOSE_FASTING", 12.5),
        lab("P2", 365, "GLUCOSE_FASTING", 14.0),
        lab("P3", 180, "GLUCOSE_FASTING", 101.0),
        lab("P3", 365, "GLUCOSE_FASTING", 99.0),
    ]
    folder = write_dataset(
        tmp_path / "d", participants=[person("P1"), person("P2"), person("P3")], labs=labs
    )
    with pytest.raises(
        DataFileError, match=r"participant 'P2': median GLUCOSE_FASTING 13\.2"
    ) as info:
        read_dataset(folder)
    assert info.value.row == 4
    # a unit slip that cannot be right is not confirmable
    with pytest.raises(DataFileError, match="mmol/L"):
        read_dataset(folder, accept_units=True)


def test_hba1c_slip_names_the_participant(tmp_path: Path) -> None:
    # P2's HbA1c as IFCC mmol/mol (53 mmol/mol = 7.0 %)
    folder = _ds(tmp_path, labs=[lab("P1", 180, "HBA1C", 6.9), lab("P2", 180, "HBA1C", 53.0)])
    with pytest.raises(DataFileError, match=r"participant 'P2': HBA1C 53 is above 20"):
        read_dataset(folder, accept_units=True)


def test_a_simulated_dataset_is_not_asked(tmp_path: Path) -> None:
    # endolab.sim writes pmol/L and kg by construction: its manifest marks the folder
    folder = _ds(tmp_path, labs=[lab("P1", 180, "CPEP_STIM_PEAK", 4.0)])
    (folder / "simulation.json").write_text('{"generator": "endolab.sim test"}')
    assert read_dataset(folder).notices == ()


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
