"""The dataset seams: validation of in-memory tables and atomic writing of a dataset folder."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from endolab.errors import DataFileError, InputError
from endolab.trial.dataset import read_dataset, validate_tables, write_dataset
from tests.trial.builders import cgm, event, insulin, lab, person
from tests.trial.builders import write_dataset as write_csv_files


def _tables() -> dict[str, list[dict[str, object]]]:
    return {
        "participants": [person("P1", "B"), person("P2", "C")],
        "cgm": cgm("P1", 352, 352, [60, 120, 200]) + cgm("P2", 352, 352, 150.0),
        "labs": [lab("P1", 365, "HBA1C", 6.2), lab("P2", 90, "CPEP_STIM_PEAK", 420)],
        "insulin": insulin("P1", range(180, 190), 0.0),
        "events": [event("P2", 120)],
    }


def test_in_memory_text_tables_validate_like_the_folder(tmp_path: Path) -> None:
    tables = _tables()
    folder = write_csv_files(tmp_path / "d", **tables)
    from_folder = read_dataset(folder)
    frames = {name: pl.read_csv(folder / f"{name}.csv", infer_schema=False) for name in tables}
    in_memory = validate_tables(frames)
    assert in_memory.folder is None and in_memory.formats == {}
    assert in_memory.label == "in-memory dataset"
    for name in tables:
        assert getattr(in_memory, name).equals(getattr(from_folder, name)), name


def test_in_memory_errors_name_the_table_row_and_column(tmp_path: Path) -> None:
    folder = write_csv_files(tmp_path / "d", **_tables())
    frames = {n: pl.read_csv(folder / f"{n}.csv", infer_schema=False) for n in _tables()}
    frames["labs"] = frames["labs"].with_columns(pl.lit("x").alias("value"))
    with pytest.raises(DataFileError, match=r"^labs, row 2, column value: 'x' is not a number"):
        validate_tables(frames)
    del frames["events"]
    with pytest.raises(DataFileError, match="events: required table is missing"):
        validate_tables(frames)


def test_write_dataset_round_trips_csv_and_parquet(tmp_path: Path) -> None:
    ds = read_dataset(write_csv_files(tmp_path / "d", **_tables()))
    for fmt in ("csv", "parquet"):
        out = write_dataset(ds, tmp_path / f"out-{fmt}", format=fmt)  # type: ignore[arg-type]
        back = read_dataset(out)
        for name in ("participants", "cgm", "labs", "insulin", "events"):
            assert getattr(back, name).equals(getattr(ds, name)), (fmt, name)
    # the CSV time format is the format's own (no fractional seconds)
    text = (tmp_path / "out-csv" / "cgm.csv").read_text().splitlines()
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", text[1].split(",")[1])


def test_write_dataset_refuses_non_empty_folder_and_leaves_nothing(tmp_path: Path) -> None:
    ds = read_dataset(write_csv_files(tmp_path / "d", **_tables()))
    target = tmp_path / "busy"
    target.mkdir()
    (target / "x").write_text("mine")
    with pytest.raises(InputError, match="x', which endolab did not write"):
        write_dataset(ds, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy", "d"]
    with pytest.raises(InputError, match="unknown dataset format"):
        write_dataset(ds, tmp_path / "new", format="xlsx")  # type: ignore[arg-type]
    assert not (tmp_path / "new").exists()
